"""REST endpoints for games: create, join, read a view, send commands, seats, export.

Thin: authenticate, parse, call the service layer, translate errors. Every game read goes
through the engine's view for the caller, exactly like the WebSocket.
"""

import logging

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import (
    APIException,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationError,
)
from rest_framework.permissions import SAFE_METHODS, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from game import engine
from game.models import Game
from game.realtime.protocol import CLIENT_ID_MAX_LENGTH
from game.services import Actor, CommandRefused, game_create, limits, player_join
from game.services.access import (
    VIEW_PERMISSION,
    staff_games,
    staff_may_create_games,
    staff_may_run_game,
    staff_may_see_game,
)
from game.services.export import game_export
from game.services.lifecycle import player_authenticate
from game.services.seating import command_execute, player_move, player_remove
from game.services.workshops import workshop_create
from game.sessions import session_player_token, session_remember_player
from tabletop.cache import default_cache
from tabletop.clients import client_address

logger = logging.getLogger(__name__)

PLAYER_TOKEN_HEADER = "X-Player-Token"
MAX_TABLES = 20


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable (docs/protocol.md).")
    message = serializers.CharField(help_text="What went wrong, for a person.")
    fields = serializers.DictField(
        required=False, help_text="Per-field problems, for code 'invalid' from input checks."
    )


# DRF's own exceptions, renamed to the codes the socket uses for the same thing.
API_ERROR_CODES = {"throttled": "rate_limited", "not_authenticated": "unauthenticated"}


class GameApiView(APIView):
    """Every error of the game API is `{"code", "message"}` like the socket's error frames."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, ValidationError):
            response.data = {
                "code": "invalid",
                "message": _validation_message(exc.detail),
                "fields": exc.detail,
            }
        elif isinstance(exc, APIException):
            code = exc.get_codes()
            code = code if isinstance(code, str) else exc.default_code
            response.data = {"code": API_ERROR_CODES.get(code, code), "message": str(exc.detail)}
        return response


def _validation_message(detail) -> str:
    if isinstance(detail, dict):
        return " ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            if isinstance(messages, list)
            else f"{field}: {messages}"
            for field, messages in detail.items()
        )
    if isinstance(detail, list):
        return " ".join(str(message) for message in detail)
    return str(detail)


class SeqOutput(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The game's last event seq after the command.")


class CommandOutput(SeqOutput):
    duplicate = serializers.BooleanField(help_text="True if this id was already applied.")
    offer = serializers.CharField(
        required=False, help_text="The id of the offer a proposal or counter created."
    )


class ViewOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    view = serializers.DictField(help_text="The caller's view (see docs/engine.md).")


class CommandInput(serializers.Serializer):
    type = serializers.CharField(help_text="An engine command type (docs/protocol.md).")
    id = serializers.CharField(
        required=False, help_text="Client-chosen id; repeats are not applied twice."
    )


def game_by_code(code: str) -> Game:
    game = Game.objects.filter(code=code.upper()).first()
    if game is None:
        raise NotFound(f"There is no game with code '{code.upper()}'; check the code.")
    return game


def refused_response(refused: CommandRefused) -> Response:
    code = status.HTTP_404_NOT_FOUND if refused.code == "unknown_player" else 400
    return Response({"code": refused.code, "message": refused.message}, status=code)


def game_links(request, game: Game) -> dict:
    join = request.build_absolute_uri(f"/join/{game.code}/")
    return {
        "code": game.code,
        "title": game.title,
        "status": game.status,
        "join_url": join,
        "team_links": {r["code"]: f"{join}?team={r['code']}" for r in game.snapshot["roles"]},
        "socket_path": f"/ws/games/{game.code}/",
    }


def request_actor(request, game: Game) -> Actor:
    """Staff who may see (GET) or run (POST) this game are its facilitator
    (game.services.access); players authenticate by session or the X-Player-Token header.

    A player known by session cookie alone gets the same CSRF check as a logged-in user
    (DRF checks only those), so another site cannot send commands from a player's browser.
    """
    user = request.user
    token = request.headers.get(PLAYER_TOKEN_HEADER)
    if user.is_authenticated and user.is_staff:
        allowed = staff_may_see_game if request.method in SAFE_METHODS else staff_may_run_game
        if allowed(user, game):
            return Actor.for_staff(user)
        if not token and not session_player_token(request.session, game.code):
            raise PermissionDenied(not_facilitator_message(game))
    if not token:
        token = session_player_token(request.session, game.code)
        if token and request.method not in SAFE_METHODS:
            SessionAuthentication().enforce_csrf(request)
    player = player_authenticate(game_code=game.code, token=token) if token else None
    if player is None:
        raise NotAuthenticated(
            f"Join this game first (its join page, or POST /api/games/{game.code}/join), "
            f"or send your player token in the {PLAYER_TOKEN_HEADER} header."
        )
    return Actor.for_player(player)


def not_facilitator_message(game: Game) -> str:
    return (
        f"You are not a facilitator of game {game.code}: staff see and run the games they "
        "created or were given (Game.facilitators), with the game permissions of the admin; "
        "a superuser runs every game."
    )


class GameCreateInput(serializers.Serializer):
    scenario = serializers.SlugField(help_text="Slug of a published scenario.")
    title = serializers.CharField(required=False, max_length=200)
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    tables = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_TABLES,
        default=1,
        help_text="How many games (tables) to create.",
    )


class GameLinksOutput(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    join_url = serializers.URLField()
    team_links = serializers.DictField(child=serializers.URLField())
    socket_path = serializers.CharField()


class GameListCreateApi(GameApiView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses=GameLinksOutput(many=True), summary="List games (staff)")
    def get(self, request):
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied("Listing games needs the permission to view games.")
        games = staff_games(request.user)[:200]
        return Response([game_links(request, g) for g in games])

    @extend_schema(
        request=GameCreateInput,
        responses={201: GameLinksOutput(many=True), 400: ErrorSerializer},
        summary="Create one or more games (tables) from a published scenario",
        description="With tables > 1 the games are also grouped in a workshop, whose page "
        "(/workshops/<id>/) compares them.",
    )
    def post(self, request):
        from scenarios.selectors import scenario_get

        if not staff_may_create_games(request.user):
            raise PermissionDenied("Creating games needs the permission to add games.")
        data = GameCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        scenario = scenario_get(slug=data.validated_data["scenario"])
        if scenario is None or not scenario.published:
            slug = data.validated_data["scenario"]
            message = (
                f"Scenario '{slug}' is a draft; publish it before creating games from it."
                if scenario is not None
                else f"There is no scenario '{slug}'."
            )
            return Response({"code": "unknown_scenario", "message": message}, status=400)
        snapshot = scenario.to_document()
        tables = data.validated_data["tables"]
        base_title = data.validated_data.get("title") or snapshot["title"]
        games = []
        for table in range(1, tables + 1):
            title = base_title if tables == 1 else f"{base_title} — table {table}"
            seed = data.validated_data.get("seed")
            games.append(
                game_create(
                    snapshot=snapshot,
                    title=title,
                    scenario=scenario,
                    created_by=request.user,
                    seed=None if seed is None else seed + table - 1,
                )
            )
        if tables > 1:  # several tables of one exercise: a workshop to compare them
            workshop_create(
                title=base_title, games=games, scenario=scenario, created_by=request.user
            )
        return Response([game_links(request, g) for g in games], status=201)


class JoinInput(serializers.Serializer):
    name = serializers.CharField(max_length=60, help_text="Your display name.")
    team = serializers.CharField(max_length=8, help_text="Role code of the team to sit on.")


class JoinOutput(serializers.Serializer):
    player_id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.CharField()
    token = serializers.CharField(help_text="Keep it secret: it is your identity in this game.")
    socket_path = serializers.CharField()


def check_join_rate(request) -> None:
    """At most JOIN_RATE_LIMIT joins a minute per client address. Fails open: without the
    cache (Redis down) joins go on unlimited, and the failure is logged."""
    address = client_address(request)
    key = f"join-rate:{address}"
    cache = default_cache()
    try:
        cache.add(key, 0, timeout=60)
        try:
            attempts = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=60)
            attempts = 1
    except Exception:
        logger.warning("Join rate limit skipped: the cache is unavailable", exc_info=True)
        return
    if attempts > settings.JOIN_RATE_LIMIT:
        raise Throttled(
            wait=60,
            detail=f"Too many join attempts from your address (at most "
            f"{settings.JOIN_RATE_LIMIT} a minute). Wait a minute and try again.",
        )


def check_join_csrf(request) -> None:
    """A browser's join must carry Django's CSRF token; a script's (no cookie, no origin) not.

    Without this another site could post a form that seats the visitor's browser (and, before
    the session key was rotated, keep the session it had planted). Browsers mark their posts:
    a cookie of ours, `Origin` (every cross-site POST has it) or `Sec-Fetch-Site`. A script
    that sends none of them gets its seat by the token in the answer.
    """
    browser = (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or settings.CSRF_COOKIE_NAME in request.COOKIES
        or "Origin" in request.headers
        or "Sec-Fetch-Site" in request.headers
    )
    if browser:
        SessionAuthentication().enforce_csrf(request)


class GameJoinApi(GameApiView):
    authentication_classes = []  # anyone with the code may join; CSRF: check_join_csrf
    permission_classes = []

    @extend_schema(
        request=JoinInput,
        responses={
            201: JoinOutput,
            400: ErrorSerializer,
            404: ErrorSerializer,
            429: ErrorSerializer,
        },
        summary="Join a game as a player",
        description="Seats the caller on a team. The token in the answer is the player's "
        "identity (X-Player-Token header, or the socket's hello); this browser's session also "
        "keeps it (under a new session key). A browser's request (with a cookie of this site, "
        "an Origin or a Sec-Fetch-Site header) needs the CSRF token (X-CSRFToken). "
        "Limited to JOIN_RATE_LIMIT attempts a minute per address (429).",
    )
    def post(self, request, code: str):
        check_join_csrf(request)
        check_join_rate(request)
        game = game_by_code(code)
        data = JoinInput(data=request.data)
        data.is_valid(raise_exception=True)
        if game.status == Game.Status.ENDED:
            return Response({"code": "game_ended", "message": "This game has ended."}, status=400)
        try:
            player, token = player_join(
                game=game,
                name=data.validated_data["name"],
                role=data.validated_data["team"].upper(),
            )
        except CommandRefused as refused:
            return refused_response(refused)
        request.session.cycle_key()  # a session planted before the join must not hold the seat
        session_remember_player(request.session, game.code, token)
        return Response(
            {
                "player_id": player.pk,
                "name": player.name,
                "team": player.role,
                "token": token,
                "socket_path": f"/ws/games/{game.code}/",
            },
            status=201,
        )


class GameViewApi(GameApiView):
    permission_classes = []

    @extend_schema(
        responses={200: ViewOutput, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="The caller's view of the game (facilitator, or player by token)",
    )
    def get(self, request, code: str):
        game = game_by_code(code)
        actor = request_actor(request, game)
        return Response({"seq": game.last_seq, "view": engine.view(game.state, actor.viewer())})


class GameCommandApi(GameApiView):
    permission_classes = []

    @extend_schema(
        request=CommandInput,
        responses={
            200: CommandOutput,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            429: ErrorSerializer,
        },
        summary="Send one engine command (same payloads as the WebSocket)",
        description="A player's chat is limited to CHAT_PER_MINUTE messages a minute, over "
        "the socket and this endpoint together (429 `chat_limited`).",
    )
    def post(self, request, code: str):
        game = game_by_code(code)
        actor = request_actor(request, game)
        body = request.data
        if not isinstance(body, dict):
            return error_response("invalid_frame", "Send one command as a JSON object.")
        kind = body.get("type")
        if not isinstance(kind, str) or not kind:
            return error_response("invalid_field", "Every command needs a string 'type'.")
        if kind in engine.SYSTEM_COMMAND_TYPES:
            return error_response("forbidden", f"'{kind}' is issued by the server only.")
        if kind not in engine.COMMAND_TYPES:
            return error_response("unknown_type", f"Unknown command type '{kind}'.")
        client_id = body.get("id")
        if client_id is not None and (
            not isinstance(client_id, str) or not 0 < len(client_id) <= CLIENT_ID_MAX_LENGTH
        ):
            return error_response(
                "invalid_field", f"'id' must be a string of 1 to {CLIENT_ID_MAX_LENGTH} characters."
            )
        if (
            kind == "chat"
            and actor.player_id is not None
            and not limits.player_chat_allowed(player_id=actor.player_id)
        ):
            return Response(
                {"code": "chat_limited", "message": limits.chat_limit_message()}, status=429
            )
        command = {k: v for k, v in body.items() if k not in {"id", "actor", "now"}}
        try:
            result = command_execute(
                game_id=game.pk, actor=actor, command=command, client_id=client_id
            )
        except CommandRefused as refused:
            return refused_response(refused)
        return Response({"seq": result.seq, "duplicate": result.duplicate, **result.created})


def error_response(code: str, message: str, status_code: int = 400) -> Response:
    return Response({"code": code, "message": message}, status=status_code)


class MoveInput(serializers.Serializer):
    team = serializers.CharField(max_length=8)


def facilitator(request, game: Game) -> Actor:
    if not staff_may_run_game(request.user, game):
        raise PermissionDenied(not_facilitator_message(game))
    return Actor.for_staff(request.user)


class PlayerMoveApi(GameApiView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        request=MoveInput,
        responses={
            200: SeqOutput,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Move a player to another team (staff)",
    )
    def post(self, request, code: str, player_id: int):
        game = game_by_code(code)
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = player_move(
                game=game,
                player_id=player_id,
                role=data.validated_data["team"].upper(),
                actor=facilitator(request, game),
            )
        except CommandRefused as refused:
            return refused_response(refused)
        return Response({"seq": result.seq})


class PlayerRemoveApi(GameApiView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        request=None,
        responses={200: SeqOutput, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Remove a player from the game (staff)",
    )
    def post(self, request, code: str, player_id: int):
        game = game_by_code(code)
        try:
            result = player_remove(game=game, player_id=player_id, actor=facilitator(request, game))
        except CommandRefused as refused:
            return refused_response(refused)
        return Response({"seq": result.seq})


class GameExportApi(GameApiView):
    permission_classes = []

    @extend_schema(
        responses={
            200: OpenApiResponse(description="The complete game JSON"),
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Export the complete game (staff; players once the game has ended)",
    )
    def get(self, request, code: str):
        game = game_by_code(code)
        actor = request_actor(request, game)
        if actor.kind != "facilitator" and game.status != Game.Status.ENDED:
            raise PermissionDenied(
                "The complete record holds every team's secrets; players get it once the game "
                "has ended."
            )
        return Response(game_export(game=game, viewer=actor.viewer()))
