"""After the end, a player's report, files, replay and view hold no other team's private
chat (unless the facilitator revealed chat for the debrief) and no staff username; the
report page is cached per game state and reader and limited per client."""

import json
import zipfile
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from game.models import Game
from game.services import Actor, game_create, game_execute, player_join
from game.services.reviews import review_update

pytestmark = pytest.mark.django_db
BILATERAL = "BILATERAL-US-JP: we fold on tariffs"
TEAM_JP = "TEAM-JP: keep the yen quiet"
PUBLIC = "PUBLIC-ROK: hello all"
STAFF_NAME = "staff-zq7"
FORMATS = ("json", "csv", "xlsx", "html", "pdf")


class ChattedGame:
    """coalition-2022 played to the results of round 1 with US↔JP, JP-team and public chat,
    ended, and its review saved by the staff account STAFF_NAME."""

    def __init__(self, bundled):
        self.game = game_create(snapshot=bundled["coalition-2022"].to_document(), seed=5)
        self.players, self.tokens = {}, {}
        for code in ("US", "JP", "ROK"):
            player, token = player_join(game=self.game, name=f"Player {code}", role=code)
            self.players[code], self.tokens[code] = player, token
        self.staff = get_user_model().objects.create_user(
            STAFF_NAME, password="pw-12345-long", is_staff=True, is_superuser=True
        )
        self.facilitator = Actor.for_staff(self.staff)
        self.run(self.facilitator, "start")
        self.run(self.players["US"], "chat", channel=["US", "JP"], text=BILATERAL)
        self.run(self.players["JP"], "chat", channel="team", text=TEAM_JP)
        self.run(self.players["ROK"], "chat", channel="all", text=PUBLIC)
        for _ in range(4):
            self.run(self.facilitator, "advance")
        self.run(self.facilitator, "end")
        review_update(
            game=self.game,
            strengths=["Quick start"],
            improvements=[],
            plan=[],
            debrief_notes={},
            user=self.staff,
        )
        self.game.refresh_from_db()
        assert self.game.status == Game.Status.ENDED

    def run(self, who, type_: str, **payload) -> None:
        actor = who if isinstance(who, Actor) else Actor.for_player(who)
        game_execute(game_id=self.game.pk, actor=actor, command={"type": type_, **payload})
        self.game.refresh_from_db()

    def reveal(self, reveal: bool = True) -> None:
        self.run(self.facilitator, "reveal_chat", reveal=reveal)

    def seat(self, client, code: str) -> None:
        session = client.session
        session["redlines_players"] = {self.game.code: self.tokens[code]}
        session.save()

    def url(self, name: str, **kwargs) -> str:
        return reverse(name, kwargs={"code": self.game.code, **kwargs})


@pytest.fixture
def chatted(bundled):
    return ChattedGame(bundled)


def file_text(content: bytes, fmt: str, pdf_pages, tmp_path) -> str:
    """Everything a product says, as text (zip members, sheet cells, PDF pages)."""
    if fmt == "csv":
        with zipfile.ZipFile(BytesIO(content)) as bundle:
            return "\n".join(bundle.read(name).decode("utf-8-sig") for name in bundle.namelist())
    if fmt == "xlsx":
        book = load_workbook(BytesIO(content), read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    if fmt == "pdf":
        return "\n".join(pdf_pages(content, tmp_path))
    return content.decode()


def player_products(client, chatted, code: str, pdf_pages, tmp_path) -> dict[str, str]:
    """Every product a player of `code` can get after the end, by where it came from."""
    headers = {"HTTP_X_PLAYER_TOKEN": chatted.tokens[code]}
    texts = {}
    for fmt in FORMATS:
        reply = client.get(chatted.url("game-report-file", fmt=fmt), **headers)
        assert reply.status_code == 200, fmt
        texts[fmt] = file_text(reply.content, fmt, pdf_pages, tmp_path)
    texts["export"] = client.get(chatted.url("game-export"), **headers).content.decode()
    texts["view"] = client.get(chatted.url("game-view"), **headers).content.decode()
    chatted.seat(client, code)
    texts["page"] = client.get(chatted.url("game-report")).content.decode()
    last = chatted.game.last_seq
    for seq in (1, 4, 6, last):
        for as_ in ("", "US", "JP", "facilitator"):
            reply = client.get(chatted.url("game-replay"), {"seq": seq, "as": as_})
            assert reply.status_code == 200
            texts[f"replay {seq} as {as_ or 'self'}"] = reply.content.decode()
    return texts


def test_a_player_gets_no_other_team_s_private_chat_anywhere(client, chatted, pdf_pages, tmp_path):
    """ROK read neither the US–JP talk nor JP's team chat: nothing it can get after the end
    holds them, nor says who talked privately; it keeps the public message."""
    texts = player_products(client, chatted, "ROK", pdf_pages, tmp_path)
    for where, text in texts.items():
        assert BILATERAL not in text and TEAM_JP not in text, where
    for where in ("json", "csv", "xlsx", "html", "pdf", "page", "view"):
        assert PUBLIC in texts[where], where
    assert "Private chat stays with its parties" in texts["page"]
    export = json.loads(texts["export"])
    withheld = [
        e for e in export["events"] if e["kind"] == "chat_posted" and "text" not in e["data"]
    ]
    assert len(withheld) == 2
    assert all(e["actor"] is None and e["audience"] == [] for e in withheld)
    assert [e["seq"] for e in export["events"]] == list(range(1, chatted.game.last_seq + 1))
    from test_reports_exports import export_validator

    errors = [error.message for error in export_validator().iter_errors(export)]
    assert errors == []


def test_a_party_keeps_its_own_private_chat(client, chatted, pdf_pages, tmp_path):
    """US reads its talk with JP (not JP's team chat); JP both."""
    us = player_products(client, chatted, "US", pdf_pages, tmp_path)
    for where in ("json", "csv", "xlsx", "html", "page", "view"):
        assert BILATERAL in us[where] and TEAM_JP not in us[where], where
    jp_page = ChattedGame.url(chatted, "game-report")
    chatted.seat(client, "JP")
    page = client.get(jp_page).content.decode()
    assert BILATERAL in page and TEAM_JP in page


def test_the_facilitator_reveals_chat_for_the_debrief(client, admin_client, chatted):
    chatted.seat(client, "ROK")
    before = client.get(chatted.url("game-report")).content.decode()  # cached for this state
    assert BILATERAL not in before
    chatted.reveal()
    page = client.get(chatted.url("game-report")).content.decode()
    assert BILATERAL in page and TEAM_JP in page
    assert "Chat between teams was revealed for the debrief by the facilitator." in page
    assert "<td>chat revealed to every team for the debrief</td>" in page  # the timeline
    reply = client.get(chatted.url("game-report-file", fmt="csv"))
    assert BILATERAL in file_text(reply.content, "csv", None, None)
    view = client.get(chatted.url("game-view")).json()
    assert view["view"]["chat_revealed"] is True
    assert BILATERAL in json.dumps(view)
    chatted.reveal(False)  # made private again: gone from every reader's next page
    assert BILATERAL not in client.get(chatted.url("game-report")).content.decode()


def test_players_never_see_who_on_the_staff_edited_the_review(
    client, admin_client, chatted, pdf_pages, tmp_path
):
    """The review's editor is "the facilitator" for players; staff see the account."""
    texts = player_products(client, chatted, "ROK", pdf_pages, tmp_path)
    for where, text in texts.items():
        assert STAFF_NAME not in text, where
    assert "Edited by the facilitator," in texts["page"]
    assert "Edited by the facilitator" in texts["pdf"]
    staff_page = admin_client.get(chatted.url("game-report")).content.decode()
    assert f"Edited by the facilitator ({STAFF_NAME})" in staff_page
    assert BILATERAL in staff_page and TEAM_JP in staff_page


def test_the_report_page_is_rendered_once_per_state_and_reader(client, chatted, monkeypatch):
    from game import report_views

    renders = []
    real = report_views.render_report_html
    monkeypatch.setattr(
        report_views, "render_report_html", lambda *a, **k: renders.append(1) or real(*a, **k)
    )
    chatted.seat(client, "ROK")
    first = client.get(chatted.url("game-report")).content
    assert client.get(chatted.url("game-report")).content == first
    assert len(renders) == 1
    chatted.seat(client, "US")  # another team reads other chat: its own rendering
    assert BILATERAL.encode() in client.get(chatted.url("game-report")).content
    assert len(renders) == 2
    chatted.run(chatted.facilitator, "note", text="a new event")  # a new state: rendered again
    chatted.seat(client, "ROK")
    client.get(chatted.url("game-report"))
    assert len(renders) == 3


def test_report_pages_are_limited_per_client(client, chatted, settings, monkeypatch):
    from game.services import limits

    settings.REPORT_REQUESTS_PER_MINUTE = 3
    monkeypatch.setattr(limits, "_window", lambda seconds: 0)  # no minute boundary mid-test
    chatted.seat(client, "ROK")
    replies = [client.get(chatted.url("game-report")) for _ in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 200]
    refused = client.get(chatted.url("game-replay"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.content.decode() == (
        "Too many report pages: at most 3 a minute. Wait a minute and reload the page."
    )
    chatted.seat(client, "US")  # another seat from the same address has its own allowance
    assert client.get(chatted.url("game-report")).status_code == 200
