"""Games in the admin: read-only records of the tables, their seats and their event logs.

Every change to a game goes through the service layer (sockets and the REST API); the admin
only shows — and its actions call services — so nothing here can bypass the engine's rules
or the event log.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from game.models import Event, Game, Player, StaffToken, Workshop
from game.services import CommandRefused
from game.services.access import (
    RUN_PERMISSION,
    staff_game_accounts,
    staff_games,
    staff_may_run_game,
)
from game.services.bots import game_fill_empty_seats
from game.services.tokens import staff_token_create, staff_token_revoke
from game.services.watchkeys import game_watch_key_rotate
from game.services.workshops import workshop_create

# The session key holding a token just created until its page shows it (then removed).
NEW_TOKEN_SESSION_KEY = "new_staff_token"


class GameAdminForm(forms.ModelForm):
    """The facilitator list offers only the accounts of the editor's own games; a colleague
    not among them is added by exact username, so no list of accounts is shown."""

    add_facilitator = forms.CharField(
        required=False,
        max_length=150,
        label="Give the game to a colleague",
        help_text="Their exact username (a staff account). They can then run this game.",
    )

    class Meta:
        model = Game
        fields = ["facilitators"]

    def clean_add_facilitator(self):
        username = self.cleaned_data["add_facilitator"].strip()
        if not username:
            return None
        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        user = staff.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(f"No active staff account is named “{username}”.")
        return user


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OwnAccountsHistory:
    """The history page (LogEntry rows, each naming its author) shows a facilitator only the
    entries by accounts of their own games, not other staff's usernames."""

    def get_paginator(self, request, queryset, per_page, *args, **kwargs):
        if queryset.model is LogEntry and not request.user.is_superuser:
            queryset = queryset.filter(user__in=staff_game_accounts(request.user))
        return super().get_paginator(request, queryset, per_page, *args, **kwargs)


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
class GameAdmin(OwnAccountsHistory, ReadOnlyAdmin):
    list_display = [
        "title",
        "code",
        "status",
        "scenario",
        "player_count",
        "last_seq",
        "created_at",
        "console_link",
    ]
    list_filter = ["status", "scenario"]
    search_fields = ["title", "code", "players__name"]
    fields = [
        "title",
        "code",
        "status",
        "scenario",
        "console_link",
        "join_links",
        "seed",
        "last_seq",
        "created_by",
        "facilitators",
        "add_facilitator",
        "created_at",
        "updated_at",
        "event_log",
        "after_action",
    ]
    form = GameAdminForm
    readonly_fields = [name for name in fields if name not in ("facilitators", "add_facilitator")]
    filter_horizontal = ["facilitators"]
    inlines = [PlayerInline]
    actions = [
        "group_into_workshop",
        "fill_with_open_bots",
        "fill_with_guarded_bots",
        "fill_with_secretive_bots",
        "replace_watch_keys",
    ]

    def _fill(self, request, queryset, strategy: str) -> None:
        for game in queryset:
            if not staff_may_run_game(request.user, game):
                self.message_user(request, f"You do not run {game.code}.", messages.ERROR)
                continue
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

    @admin.action(description="Replace the observer and projector links (a leaked watch key)")
    def replace_watch_keys(self, request, queryset):
        for game in queryset:
            if not staff_may_run_game(request.user, game):
                self.message_user(request, f"You do not run {game.code}.", messages.ERROR)
                continue
            game_watch_key_rotate(game_id=game.pk)
            url = reverse("console", args=[game.code]) + "#links-title"
            self.message_user(  # never the key itself: messages travel in a cookie
                request,
                format_html(
                    "{}: the old observer and projector links no longer open the game; "
                    '<a href="{}">hand out the new ones from its console</a>.',
                    game.code,
                    url,
                ),
                messages.SUCCESS,
            )

    @admin.action(
        description="Group the selected games into a workshop (to compare them)",
        permissions=["change"],
    )
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

    def get_queryset(self, request):
        """A facilitator lists the games they created or were given; a superuser all."""
        return super().get_queryset(request).filter(pk__in=staff_games(request.user).values("pk"))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "facilitators":  # not every account's username: their games' only
            kwargs["queryset"] = staff_game_accounts(request.user).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # Only the facilitator list can be changed (save_model writes nothing else).
        if obj is None:
            return request.user.has_perm(RUN_PERMISSION)
        return staff_may_run_game(request.user, obj)

    def save_model(self, request, obj, form, change):
        """Never save the row itself: its state belongs to the service layer (a stale copy
        saved here would undo commands). save_related writes the facilitator list."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        colleague = form.cleaned_data.get("add_facilitator")
        if colleague is not None:
            form.instance.facilitators.add(colleague)

    @admin.display(description="players")
    def player_count(self, game):
        return game.players.filter(removed=False).count()

    @admin.display(description="console")
    def console_link(self, game):
        return format_html(
            '<a href="{}">Open the facilitator console</a>', reverse("console", args=[game.code])
        )

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

    def get_queryset(self, request):
        """The events of the facilitator's own games (their actors name staff accounts)."""
        events = super().get_queryset(request)
        if request.user.is_superuser:
            return events
        return events.filter(game__in=staff_games(request.user).values("pk"))


@admin.register(StaffToken)
class StaffTokenAdmin(admin.ModelAdmin):
    """API tokens for scripts: created for oneself, shown once, revoked (never edited)."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["name"]
    actions = ["revoke_tokens"]

    def get_queryset(self, request):
        """Staff see their own tokens; a superuser everyone's."""
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def has_change_permission(self, request, obj=None):
        return False  # a token is created or revoked, not edited

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay on record

    def save_model(self, request, obj, form, change):
        row, token = staff_token_create(user=request.user, name=form.cleaned_data["name"])
        for field in ("pk", "user", "prefix", "token_hash", "created_at"):  # for the log entry
            setattr(obj, field, getattr(row, field))
        # Kept server-side for the next page only, which removes it: never in a cookie (the
        # messages framework keeps its messages in one).
        request.session[NEW_TOKEN_SESSION_KEY] = {"id": row.pk, "token": token}

    def response_add(self, request, obj, post_url_continue=None):
        return redirect("admin:game_stafftoken_created", object_id=obj.pk)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/created/",
                self.admin_site.admin_view(self.created_view),
                name="game_stafftoken_created",
            ),
            *super().get_urls(),
        ]

    def created_view(self, request, object_id: int):
        """The new token, shown once: taken out of the session as it is shown."""
        if not (self.has_view_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        row = get_object_or_404(self.get_queryset(request), pk=object_id)
        pending = request.session.get(NEW_TOKEN_SESSION_KEY)
        token = None
        if pending and pending.get("id") == row.pk:
            token = request.session.pop(NEW_TOKEN_SESSION_KEY)["token"]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"API token “{row.name}”",
            "row": row,
            "token": token,
        }
        # admin_view marks the page never_cache (Cache-Control: no-store, private)
        return TemplateResponse(request, "admin/game/stafftoken/created.html", context)

    @admin.action(description="Revoke the selected tokens", permissions=["view"])
    def revoke_tokens(self, request, queryset):
        for token in queryset:
            staff_token_revoke(token=token)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


@admin.register(Workshop)
class WorkshopAdmin(OwnAccountsHistory, admin.ModelAdmin):
    """Workshops are made by creating several tables at once or from the games list; here
    they can be renamed, and their games changed."""

    list_display = ["title", "scenario", "table_count", "created_at", "compare"]
    fields = ["title", "scenario", "games", "created_by", "created_at", "compare"]
    readonly_fields = ["created_by", "created_at", "compare"]
    filter_horizontal = ["games"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        """A facilitator's workshops: those they made or holding a game of theirs."""
        workshops = super().get_queryset(request)
        if request.user.is_superuser:
            return workshops
        mine = workshops.filter(created_by=request.user) | workshops.filter(
            games__in=staff_games(request.user)
        )
        return workshops.filter(pk__in=mine.values("pk"))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "games":
            kwargs["queryset"] = staff_games(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

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
