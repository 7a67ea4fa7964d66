"""REST endpoints for scenarios: one class per operation, each with its own serializers.

Secrecy: a scenario document holds every team's private brief, objectives and red lines, so
only staff get it. Everyone else gets ``scenario_public_view``.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from scenarios.models import Scenario
from scenarios.selectors import (
    scenario_analysis,
    scenario_get,
    scenario_list,
    scenario_public_view,
)
from scenarios.services import ScenarioSlugTaken, scenario_export, scenario_import
from scenarios.validation import ROOT, ScenarioInvalid, document_problems
from tabletop.parsers import UnstorableText
from tabletop.storable import UNSTORABLE

DOCUMENT_DESCRIPTION = (
    "A complete scenario document, format redlines.scenario/1 "
    "(JSON Schema: docs/scenario.schema.json; prose: docs/scenario-format.md)."
)


def is_staff(request) -> bool:
    """May the caller read whole scenario documents (drafts, private briefs, red lines)?

    The same model permission as the admin's scenario pages: staff with `view_scenario`.
    """
    user = request.user
    return bool(user and user.is_authenticated and user.is_staff and user.has_perm(VIEW_PERMISSION))


VIEW_PERMISSION = "scenarios.view_scenario"
ADD_PERMISSION = "scenarios.add_scenario"
CHANGE_PERMISSION = "scenarios.change_scenario"


class ScenarioProblemSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Where in the document, e.g. red_lines[2].value.")
    message = serializers.CharField()


class ScenarioProblemsSerializer(serializers.Serializer):
    errors = ScenarioProblemSerializer(many=True)


def problems_response(errors: list[tuple[str, str]], code: int) -> Response:
    return Response(
        {"errors": [{"path": path, "message": message} for path, message in errors]}, status=code
    )


class ScenarioRoleSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    color = serializers.CharField()


class ScenarioListQuerySerializer(serializers.Serializer):
    all = serializers.BooleanField(
        default=False, help_text="Staff only: include unpublished scenarios."
    )


class ScenarioListOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    published = serializers.BooleanField()
    roles = ScenarioRoleSummarySerializer(many=True, source="roles.all")
    round_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, scenario) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("scenario-detail", kwargs={"slug": scenario.slug})
        )


class ScenarioListApi(APIView):
    @extend_schema(
        operation_id="scenarios_list",
        summary="List published scenarios",
        description="Anyone may list published scenarios. Staff add ?all=1 to include drafts.",
        parameters=[ScenarioListQuerySerializer],
        responses=ScenarioListOutputSerializer(many=True),
        tags=["scenarios"],
    )
    def get(self, request):
        query = ScenarioListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        include_unpublished = query.validated_data["all"] and is_staff(request)
        scenarios = scenario_list(include_unpublished=include_unpublished)
        output = ScenarioListOutputSerializer(scenarios, many=True, context={"request": request})
        return Response(output.data)


class ScenarioPublicRoleSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    color = serializers.CharField()
    public_brief = serializers.CharField()


class ScenarioPublicLeverSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    min = serializers.FloatField()
    max = serializers.FloatField()
    step = serializers.FloatField()
    pressure = serializers.ChoiceField(choices=["up", "down"])
    description = serializers.CharField()
    holders = serializers.ListField(child=serializers.CharField(), help_text="Role codes.")


class ScenarioDetailOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    background = serializers.CharField(help_text="Markdown.")
    learning_objectives = serializers.ListField(child=serializers.CharField())
    roles = ScenarioPublicRoleSerializer(many=True)
    levers = ScenarioPublicLeverSerializer(many=True)
    round_count = serializers.IntegerField()
    published = serializers.BooleanField(required=False, help_text="Staff only.")
    document = serializers.JSONField(
        required=False, help_text=f"Staff only. {DOCUMENT_DESCRIPTION}"
    )


class ScenarioDetailApi(APIView):
    @extend_schema(
        operation_id="scenarios_retrieve",
        summary="Read a scenario",
        description=(
            "The public part of a published scenario (no private briefs, objectives, red "
            "lines, costs, starting values or round contents). Staff may also read unpublished "
            "scenarios and additionally receive `published` and the full `document`."
        ),
        responses={
            200: ScenarioDetailOutputSerializer,
            404: OpenApiResponse(description="No such published scenario."),
        },
        tags=["scenarios"],
    )
    def get(self, request, slug: str):
        scenario = scenario_get(slug=slug)
        staff = is_staff(request)
        if scenario is None or not (scenario.published or staff):
            raise NotFound("No such scenario.")
        document = scenario.to_document()
        data = {**scenario_public_view(document=document)}
        if staff:
            data |= {"published": scenario.published, "document": document}
        return Response(ScenarioDetailOutputSerializer(data).data)


class ScenarioExportApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="scenarios_export",
        summary="Export a scenario document (staff)",
        description=f"{DOCUMENT_DESCRIPTION} Import it elsewhere with POST /api/scenarios/import.",
        responses={
            200: OpenApiResponse(response=OpenApiTypes.OBJECT, description=DOCUMENT_DESCRIPTION),
            404: OpenApiResponse(description="No such scenario."),
        },
        tags=["scenarios"],
    )
    def get(self, request, slug: str):
        if not is_staff(request):
            raise PermissionDenied("Exporting scenarios needs the permission to view them.")
        scenario = scenario_get(slug=slug)
        if scenario is None:
            raise NotFound("No such scenario.")
        return Response(scenario_export(scenario=scenario))


class AnalysisQuerySerializer(serializers.Serializer):
    rules = serializers.ChoiceField(
        choices=[1, 2], default=2, help_text="Scoring rules version to analyse under."
    )


class AnalysisCommitmentSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    by = serializers.CharField(help_text="Role that commits (the offer term's `by`).")
    lever = serializers.CharField()
    op = serializers.ChoiceField(choices=[">=", "<="])
    value = serializers.FloatField()
    to = serializers.CharField(help_text="Owner of the red line the term lifts.")
    lifts = serializers.CharField(help_text="Id of the red line whose `unless` it meets.")


class AnalysisRoundSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    decisions = serializers.DictField(child=serializers.DictField(child=serializers.FloatField()))
    scores = serializers.DictField(child=serializers.FloatField())
    coalition = serializers.FloatField()
    alignment = serializers.FloatField(allow_null=True)
    effectiveness = serializers.FloatField()
    breaches = serializers.ListField(child=serializers.CharField())
    commitments = AnalysisCommitmentSerializer(many=True)


class AnalysisOutcomeSerializer(serializers.Serializer):
    final = serializers.DictField(
        child=serializers.FloatField(), help_text="Role → final score over the round weights."
    )
    gain = serializers.DictField(
        child=serializers.FloatField(), required=False, help_text="final − status quo final."
    )
    coalition = serializers.FloatField(help_text="Coalition final (weighted mean of K).")
    effectiveness = serializers.FloatField()
    total = serializers.FloatField()
    decisions = serializers.ListField(
        child=serializers.DictField(child=serializers.DictField(child=serializers.FloatField())),
        help_text="Per round: role → lever → value.",
    )
    rounds = AnalysisRoundSerializer(many=True)
    commitments = AnalysisCommitmentSerializer(many=True)


class AnalysisNoDealSerializer(AnalysisOutcomeSerializer):
    converged = serializers.BooleanField()
    passes = serializers.IntegerField()


class AnalysisMoveSerializer(serializers.Serializer):
    gain = serializers.FloatField()
    gain_to_others = serializers.DictField(child=serializers.FloatField())
    decisions = serializers.ListField(child=serializers.DictField(child=serializers.FloatField()))


class AnalysisMovesSerializer(serializers.Serializer):
    raise_ = AnalysisMoveSerializer(source="raise", label="raise")
    retreat = AnalysisMoveSerializer(allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["raise"] = data.pop("raise_")
        return data


class AnalysisCheckSerializer(serializers.Serializer):
    value = serializers.FloatField()
    threshold = serializers.FloatField()
    passed = serializers.BooleanField()
    title = serializers.CharField()


class AnalysisOutputSerializer(serializers.Serializer):
    scenario = serializers.CharField()
    rules = serializers.IntegerField()
    status_quo = AnalysisOutcomeSerializer()
    unilateral = serializers.DictField(child=AnalysisMovesSerializer())
    no_deal = AnalysisNoDealSerializer()
    best_coalition = AnalysisOutcomeSerializer()
    best_coalition_without_commitments = AnalysisOutcomeSerializer()
    best_total = AnalysisOutcomeSerializer()
    best_total_without_commitments = AnalysisOutcomeSerializer()
    fair_deal = AnalysisOutcomeSerializer()
    fair_deal_without_commitments = AnalysisOutcomeSerializer()
    max_pressure = AnalysisOutcomeSerializer()
    all_minimum = AnalysisOutcomeSerializer()
    checks = serializers.DictField(child=AnalysisCheckSerializer(), help_text="a, b, c, d.")


class ScenarioAnalysisApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="scenarios_analysis",
        summary="Analyse a scenario (staff)",
        description=(
            "What the scenario rewards: status quo, best unilateral moves, the no-deal outcome, "
            "best coalition score, best total and fair deal with and without commitments (and "
            "the commitments they need), maximum pressure, and incentive checks a-d "
            "(docs/analysis.md). Takes a few seconds."
        ),
        parameters=[AnalysisQuerySerializer],
        responses={
            200: AnalysisOutputSerializer,
            404: OpenApiResponse(description="No such scenario."),
            409: OpenApiResponse(
                response=ScenarioProblemsSerializer,
                description="The scenario is not valid yet, so it cannot be analysed.",
            ),
        },
        tags=["scenarios"],
    )
    def get(self, request, slug: str):
        if not is_staff(request):  # the analysis shows every team's red lines and costs
            raise PermissionDenied("Analysing scenarios needs the permission to view them.")
        query = AnalysisQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scenario = scenario_get(slug=slug)
        if scenario is None:
            raise NotFound("No such scenario.")
        result = scenario_analysis(scenario=scenario, rules=int(query.validated_data["rules"]))
        if result is None:
            errors = document_problems(scenario.to_document()).errors
            return problems_response(errors, status.HTTP_409_CONFLICT)
        return Response(AnalysisOutputSerializer(result).data)


class ScenarioImportQuerySerializer(serializers.Serializer):
    update = serializers.BooleanField(
        default=False, help_text="Replace the scenario that has the document's slug."
    )
    publish = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Publish (1) or unpublish (0). Omitted: a new scenario is a draft and a "
        "replaced one keeps its status.",
    )


class ScenarioImportOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    published = serializers.BooleanField()
    created = serializers.BooleanField(help_text="False when an existing scenario was replaced.")


class ScenarioImportApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="scenarios_import",
        summary="Import a scenario document (staff)",
        description=(
            f"The body is {DOCUMENT_DESCRIPTION[0].lower()}{DOCUMENT_DESCRIPTION[1:]} It is "
            "validated as a whole; nothing is saved unless it is valid."
        ),
        parameters=[ScenarioImportQuerySerializer],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            201: ScenarioImportOutputSerializer,
            200: ScenarioImportOutputSerializer,
            400: OpenApiResponse(
                response=ScenarioProblemsSerializer,
                description="The document is invalid; every problem is listed.",
            ),
            409: OpenApiResponse(
                response=ScenarioProblemsSerializer,
                description="A scenario with this slug exists and update was not asked for.",
            ),
        },
        tags=["scenarios"],
    )
    def post(self, request):
        query = ScenarioImportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # As the admin's import page: adding needs add_scenario, replacing change_scenario.
        if not request.user.has_perm(ADD_PERMISSION):
            raise PermissionDenied("Importing scenarios needs the permission to add them.")
        if query.validated_data["update"] and not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied("Replacing a scenario needs the permission to change them.")
        try:
            document = request.data
        except UnstorableText as error:
            return problems_response([(error.field, UNSTORABLE)], 400)
        except ParseError as error:
            return problems_response([(ROOT, f"invalid JSON: {error.detail}")], 400)
        slug = document.get("slug") if isinstance(document, dict) else None
        existed = isinstance(slug, str) and Scenario.objects.filter(slug=slug).exists()
        try:
            scenario = scenario_import(
                document=document,
                update=query.validated_data["update"],
                published=query.validated_data["publish"],
            )
        except ScenarioSlugTaken as taken:
            return problems_response(taken.errors, status.HTTP_409_CONFLICT)
        except ScenarioInvalid as invalid:
            return problems_response(invalid.errors, status.HTTP_400_BAD_REQUEST)
        output = ScenarioImportOutputSerializer(
            {
                "slug": scenario.slug,
                "title": scenario.title,
                "published": scenario.published,
                "created": not existed,
            }
        )
        return Response(output.data, status=status.HTTP_200_OK if existed else 201)
