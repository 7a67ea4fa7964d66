"""Games in the admin: read-only records of the tables, their seats and their event logs.

Every change to a game goes through the service layer (sockets and the REST API); the admin
only shows — and its actions call services — so nothing here can bypass the engine's rules
or the event log.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from game.models import Event, Game, Player
from game.services import CommandRefused
from game.services.bots import game_fill_empty_seats


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlayerInline(admin.TabularInline):
    model = Player
    fields = ["name", "role", "bot_strategy", "joined_at", "removed"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Game)
class GameAdmin(ReadOnlyAdmin):
    list_display = ["title", "code", "status", "scenario", "player_count", "last_seq", "created_at"]
    list_filter = ["status", "scenario"]
    search_fields = ["title", "code", "players__name"]
    fields = [
        "title",
        "code",
        "status",
        "scenario",
        "join_links",
        "seed",
        "last_seq",
        "created_by",
        "created_at",
        "updated_at",
        "event_log",
    ]
    readonly_fields = fields
    inlines = [PlayerInline]
    actions = ["fill_with_open_bots", "fill_with_guarded_bots", "fill_with_secretive_bots"]

    def _fill(self, request, queryset, strategy: str) -> None:
        for game in queryset:
            if game.status == Game.Status.ENDED:
                self.message_user(request, f"{game.code} has ended.", messages.WARNING)
                continue
            try:
                bots = game_fill_empty_seats(game=game, strategy=strategy)
            except CommandRefused as refused:
                self.message_user(request, f"{game.code}: {refused.message}", messages.ERROR)
                continue
            teams = ", ".join(bot.role for bot in bots) or "none (every team is seated)"
            self.message_user(request, f"{game.code}: {strategy} bots seated on {teams}.")

    @admin.action(description="Fill empty seats with open bots")
    def fill_with_open_bots(self, request, queryset):
        self._fill(request, queryset, "open")

    @admin.action(description="Fill empty seats with guarded bots")
    def fill_with_guarded_bots(self, request, queryset):
        self._fill(request, queryset, "guarded")

    @admin.action(description="Fill empty seats with secretive bots")
    def fill_with_secretive_bots(self, request, queryset):
        self._fill(request, queryset, "secretive")

    @admin.display(description="players")
    def player_count(self, game):
        return game.players.filter(removed=False).count()

    @admin.display(description="join links")
    def join_links(self, game):
        base = f"/join/{game.code}/"
        rows = [("all teams", base)] + [
            (f"{role['name']} ({role['code']})", f"{base}?team={role['code']}")
            for role in game.snapshot["roles"]
        ]
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li>{}: <a href="{}">{}</a></li>', ((n, u, u) for n, u in rows)),
        )

    @admin.display(description="event log")
    def event_log(self, game):
        url = reverse("admin:game_event_changelist") + f"?game__id__exact={game.pk}"
        return format_html('<a href="{}">{} events</a>', url, game.last_seq)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["game", "seq", "at", "round", "phase", "kind", "audience"]
    list_filter = ["kind", "phase"]
    search_fields = ["game__code", "kind"]
    list_select_related = ["game"]
    fields = ["game", "seq", "at", "round", "phase", "actor", "kind", "data", "audience"]
    readonly_fields = fields
