"""Who may download the after-action products, through the API, the page and the admin."""

import io
import zipfile

import pytest
from django.urls import reverse

from game.reports.files import FORMATS
from game.services.lifecycle import token_hash

pytestmark = pytest.mark.django_db
QUICK_FORMATS = ("json", "csv", "xlsx", "html")  # the PDF is checked once, it takes seconds


def url(game, fmt):
    return reverse("game-report-file", kwargs={"code": game.code, "fmt": fmt})


def test_staff_downloads_every_format(admin_client, simulate):
    """Each format comes back as an attachment of its own content type."""
    game = simulate()
    for fmt in QUICK_FORMATS:
        reply = admin_client.get(url(game, fmt))
        assert reply.status_code == 200, (fmt, reply.content[:200])
        assert "attachment" in reply["Content-Disposition"]
        assert reply["Cache-Control"] == "private, no-store"
    assert admin_client.get(url(game, "json")).json()["format"] == "redlines.game/1"
    bundle = zipfile.ZipFile(io.BytesIO(admin_client.get(url(game, "csv")).content))
    assert f"{game.code}/decisions.csv" in bundle.namelist()
    assert admin_client.get(url(game, "xlsx")).content.startswith(b"PK")
    assert b'id="awareness"' in admin_client.get(url(game, "html")).content


def test_staff_downloads_the_pdf(admin_client, simulate, tmp_path, pdf_pages):
    """The PDF of a bundled scenario's game: every page numbered, the running header with the
    scenario and game code on every page after the cover, each round and section present."""
    game = simulate("taiwan-strait-2027")
    reply = admin_client.get(url(game, "pdf"))
    assert reply.status_code == 200 and reply["Content-Type"] == "application/pdf"
    assert reply.content.startswith(b"%PDF")
    pages = pdf_pages(reply.content, tmp_path)
    text = "\f".join(pages)
    assert len(pages) >= 8
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        if number > 1:
            assert f"game {game.code}" in page and "Quarantine" in page
    for heading in ("Round 1 — The quarantine is declared", "Round 2 — A ship is turned back"):
        assert heading in text
    for section in ("6. Commitments ledger", "7. Distance from the achievable deal"):
        assert section in text


def test_staff_may_download_before_the_end(admin_client, lobby_game):
    """Every format of a game still in the lobby (nothing scored) renders for staff."""
    game, _token = lobby_game
    for fmt in FORMATS:
        assert admin_client.get(url(game, fmt)).status_code == 200, fmt


def test_a_player_gets_nothing_before_the_end(client, lobby_game):
    """No format, and not the page, while the game runs: they hold every team's secrets."""
    game, token = lobby_game
    for fmt in FORMATS:
        reply = client.get(url(game, fmt), HTTP_X_PLAYER_TOKEN=token)
        assert reply.status_code == 403, fmt
        assert reply.json()["code"] == "permission_denied"
    session = client.session
    session["redlines_players"] = {game.code: token}
    session.save()
    assert client.get(url(game, "pdf")).status_code == 403
    page = client.get(reverse("game-report", kwargs={"code": game.code}))
    assert page.status_code == 403
    assert b"US" not in page.content and b"red line" not in page.content.lower()


def test_a_player_downloads_after_the_end(client, simulate):
    game = simulate()
    token = "jp-bot-token"  # the simulation drops its bots' tokens; give the JP bot one
    game.players.filter(role="JP").update(token_hash=token_hash(token))
    reply = client.get(url(game, "csv"), HTTP_X_PLAYER_TOKEN=token)
    assert reply.status_code == 200
    session = client.session
    session["redlines_players"] = {game.code: token}
    session.save()
    page = client.get(reverse("game-report", kwargs={"code": game.code}))
    assert page.status_code == 200 and b"Red-line awareness" in page.content


def test_strangers_must_authenticate(client, simulate):
    game = simulate()
    assert client.get(url(game, "json")).status_code in (401, 403)
    page = client.get(reverse("game-report", kwargs={"code": game.code}))
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_unknown_format_and_game_are_not_found(admin_client, simulate):
    game = simulate()
    assert admin_client.get(url(game, "docx")).status_code == 404
    missing = reverse("game-report-file", kwargs={"code": "NOPE99", "fmt": "json"})
    assert admin_client.get(missing).status_code == 404


def test_report_page_links_the_stylesheet_and_downloads(admin_client, simulate):
    game = simulate()
    page = admin_client.get(reverse("game-report", kwargs={"code": game.code})).content.decode()
    assert 'rel="stylesheet" href="/static/reports/report.css"' in page
    for fmt in FORMATS:
        assert url(game, fmt) in page
    assert "<script" not in page


def test_admin_game_page_has_download_buttons(admin_client, simulate):
    game = simulate()
    page = admin_client.get(reverse("admin:game_game_change", args=[game.pk])).content.decode()
    assert reverse("game-report", kwargs={"code": game.code}) in page
    for fmt in FORMATS:
        assert url(game, fmt) in page


def test_openapi_documents_the_report_endpoint(admin_client):
    schema = admin_client.get(reverse("api-schema"), {"format": "json"}).json()
    path = schema["paths"]["/api/games/{code}/report.{fmt}"]["get"]
    fmt = next(p for p in path["parameters"] if p["name"] == "fmt")
    assert set(fmt["schema"]["enum"]) == set(FORMATS)
