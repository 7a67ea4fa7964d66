"""REST downloads of a game's after-action products: /api/games/<code>/report.<format>.

Same rule as the JSON export: facilitators (staff) any time; a seated player only once the
game has ended, because every product holds every team's secrets.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied

from game.api import ErrorSerializer, GameApiView, game_by_code, request_actor
from game.models import Game
from game.reports.files import CONTENT_TYPES, FORMATS, game_report_file


def check_report_access(actor, game: Game) -> None:
    if actor.kind != "facilitator" and game.status != Game.Status.ENDED:
        raise PermissionDenied(
            "The after-action report holds every team's secrets; players get it once the game "
            "has ended. Ask your facilitator for it before then."
        )


def report_response(report, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(report.content, content_type=report.content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{report.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class GameReportApi(GameApiView):
    permission_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "fmt",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(FORMATS),
                description="json: the redlines.game/1 export (docs/export.schema.json); csv: "
                "a zip of long tables and one wide table per role; xlsx: the same tables as "
                "sheets; html: the printable report page as one file; pdf: the printed report.",
            )
        ],
        responses={
            (200, content_type.split(";")[0]): OpenApiResponse(
                response=OpenApiTypes.BINARY, description=f"The {fmt} file (attachment)"
            )
            for fmt, content_type in CONTENT_TYPES.items()
        }
        | {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Download the game's after-action report or data (staff; players once ended)",
        description="Facilitators (staff) may download at any time; a player seated in the "
        "game (session or X-Player-Token) only after the game has ended. docs/export-format.md "
        "describes every format.",
    )
    def get(self, request, code: str, fmt: str):
        game = game_by_code(code)
        if fmt not in FORMATS:
            raise NotFound(f"No report format '{fmt}'; choose one of {', '.join(FORMATS)}.")
        actor = request_actor(request, game)
        check_report_access(actor, game)
        return report_response(game_report_file(game=game, fmt=fmt, viewer=actor.viewer()))
