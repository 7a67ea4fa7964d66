"""Games in the admin: read-only records of the tables, their seats and their event logs.

Every change to a game goes through the service layer (sockets and the REST API); the admin
only shows, so nothing here can bypass the engine's rules or the event log.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from game.models import Event, Game, Player, Workshop
from game.services.workshops import workshop_create


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlayerInline(admin.TabularInline):
    model = Player
    fields = ["name", "role", "joined_at", "removed"]
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
        "after_action",
    ]
    readonly_fields = fields
    inlines = [PlayerInline]
    actions = ["group_into_workshop"]

    @admin.action(description="Group the selected games into a workshop (to compare them)")
    def group_into_workshop(self, request, queryset):
        games = list(queryset.order_by("created_at", "pk"))
        scenarios = {game.scenario_id for game in games}
        workshop = workshop_create(
            title=f"Workshop: {games[0].snapshot.get('title', games[0].title)}",
            games=games,
            scenario=games[0].scenario if len(scenarios) == 1 else None,
            created_by=request.user,
        )
        url = reverse("workshop", kwargs={"pk": workshop.pk})
        self.message_user(
            request,
            format_html(
                'Workshop of {} games created: <a href="{}">compare them</a>', len(games), url
            ),
            messages.SUCCESS,
        )

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

    @admin.display(description="after-action review")
    def after_action(self, game):
        links = [
            ("Report page", reverse("game-report", kwargs={"code": game.code})),
            ("Replay", reverse("game-replay", kwargs={"code": game.code})),
        ] + [
            (label, reverse("game-report-file", kwargs={"code": game.code, "fmt": fmt}))
            for fmt, label in REPORT_DOWNLOADS
        ]
        return format_html(
            '<div class="report-downloads">{}</div>',
            format_html_join(
                " ", '<a class="button" href="{}">{}</a>', ((url, label) for label, url in links)
            ),
        )


REPORT_DOWNLOADS = [
    ("pdf", "PDF"),
    ("html", "HTML"),
    ("csv", "CSV (zip)"),
    ("xlsx", "XLSX"),
    ("json", "JSON"),
]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["game", "seq", "at", "round", "phase", "kind", "audience"]
    list_filter = ["kind", "phase"]
    search_fields = ["game__code", "kind"]
    list_select_related = ["game"]
    fields = ["game", "seq", "at", "round", "phase", "actor", "kind", "data", "audience"]
    readonly_fields = fields


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    """Workshops are made by creating several tables at once or from the games list; here
    they can be renamed, and their games changed."""

    list_display = ["title", "scenario", "table_count", "created_at", "compare"]
    fields = ["title", "scenario", "games", "created_by", "created_at", "compare"]
    readonly_fields = ["created_by", "created_at", "compare"]
    filter_horizontal = ["games"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="tables")
    def table_count(self, workshop):
        return workshop.games.count()

    @admin.display(description="compare")
    def compare(self, workshop):
        if workshop.pk is None:
            return "—"
        return format_html(
            '<a class="button" href="{}">Comparison page</a> '
            '<a class="button" href="{}">Download all (zip)</a>',
            reverse("workshop", kwargs={"pk": workshop.pk}),
            reverse("workshop-bundle", kwargs={"pk": workshop.pk}),
        )
