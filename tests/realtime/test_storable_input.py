"""Text no database can store (a NUL character; in JSON also a lone surrogate) is refused
where it enters, with a 400 naming the field, the same on SQLite and PostgreSQL (which
refused a NUL with DataError: a 500), and nothing is changed. Every text input is covered:
query strings, headers, cookies, HTTP basic, forms, REST JSON bodies, scenario imports
(REST, the admin's file upload). The socket's frames: tests/realtime/test_consumer_fuzz_schema.py.
"""

import base64
import io
import json
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.models import Event, Game, GameReview, Player
from scenarios.models import Scenario

pytestmark = pytest.mark.django_db

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "bundled" / "coalition-2022.json"

plain = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=8)
with_nul = st.tuples(plain, plain).map(lambda parts: parts[0] + "\x00" + parts[1])
# Headers and cookies are Latin-1 on the wire.
latin = st.text(st.characters(max_codepoint=255, blacklist_characters="\x00"), max_size=8)
latin_with_nul = st.tuples(latin, latin).map(lambda parts: parts[0] + "\x00" + parts[1])
# JSON escapes carry lone surrogates too; query strings, headers and forms cannot.
json_bad = st.one_of(with_nul, st.tuples(plain, st.sampled_from(["\ud800", "\udfff"])).map("".join))


def counts() -> tuple:
    return tuple(m.objects.count() for m in (Scenario, Game, Player, Event, GameReview))


def document(**changes) -> dict:
    return {**json.loads(BUNDLED.read_text()), "slug": "nul-test", **changes}


def basic(username: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:secret".encode()).decode()


def refused(response, field: str) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.content.decode()
    assert field in body and "cannot be stored" in body, body


# -- the four 500s of the report ---------------------------------------------------------


def test_nul_in_the_front_doors_code_box_is_400():
    refused(Client().get("/", {"code": "AB\x00CD"}), "query parameter 'code'")


def test_nul_in_an_http_basic_user_name_is_400(table):
    headers = {"Authorization": basic("fac\x00one")}
    for url in ("/api/games/", f"/api/games/{table.code}/view", "/api/scenarios/"):
        response = Client().get(url, headers=headers)
        refused(response, "user name or password (HTTP basic)")
        assert response.json()["code"] == "invalid"


def test_nul_in_an_imported_scenarios_title_is_400(staff_client):
    before = counts()
    response = staff_client.post(
        "/api/scenarios/import", document(title="Coalition\x00"), content_type="application/json"
    )
    refused(response, "title")
    assert response.json()["errors"][0]["path"] == "title", response.json()
    assert counts() == before


def test_nul_in_an_admin_imported_file_is_a_listed_problem(staff_client):
    before = counts()
    upload = io.BytesIO(json.dumps(document(title="Coalition\x00")).encode())
    upload.name = "nul.json"
    response = staff_client.post("/admin/scenarios/scenario/import/", {"file": upload})
    assert response.status_code == 200
    assert "cannot be stored" in response.content.decode()
    assert counts() == before


def test_nul_in_the_review_form_is_400(staff_client, table):
    before = counts()
    response = staff_client.post(
        f"/games/{table.code}/report/edit/", {"strengths": "good\x00", "improvements": ""}
    )
    refused(response, "form field 'strengths'")
    assert counts() == before


# -- the other inputs --------------------------------------------------------------------


def test_nul_in_a_header_or_a_cookie_is_400(table):
    refused(Client().get("/", headers={"X-Anything": "a\x00b"}), "header X-Anything")
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    refused(client.get(f"/play/{table.code}/"), "cookie 'sessionid'")


def test_an_unstorable_name_is_not_quoted_back():
    response = Client().get("/?co%00de=1")
    refused(response, "name of a query parameter")
    assert "\x00" not in response.content.decode()


def test_lone_surrogates_in_rest_json_are_400_naming_the_path(table):
    token = {"X-Player-Token": table.seat("R1").token}
    before = counts()
    response = Client().post(
        f"/api/games/{table.code}/commands",
        '{"type": "chat", "id": "c1", "channel": ["R2", "R\\ud800"], "text": "hi"}',
        content_type="application/json",
        headers=token,
    )
    refused(response, "'channel[1]'")
    assert response.json()["code"] == "invalid"
    assert counts() == before


def test_valid_text_still_passes(table, staff_client):
    """Accented, CJK, emoji and line-separator text is stored as before."""
    reply = Client().post(
        f"/api/games/{table.code}/join",
        {"name": "Zoë 中文 \U0001f600\u2028", "team": "R1"},
        content_type="application/json",
    )
    assert reply.status_code == 201, reply.content
    assert Client().get("/", {"code": "zoë"}).status_code == 404  # no such game, no 400


# -- the property: every text input, any text with a NUL ---------------------------------


def _surfaces(table):
    """name -> function(text) -> response, for every kind of text input a request has."""
    code, token = table.code, table.seat("R1").token
    staff = Client()
    staff.force_login(table.staff_user)

    def cookie(text):
        client = Client()
        client.cookies["csrftoken"] = text
        return client.get("/")

    return {
        "query": lambda t: Client().get(f"/join/{code}/", {"team": t}),
        "query name": lambda t: Client().get("/", {t: "1"}),
        "header": lambda t: Client().get("/healthz", headers={"X-Probe": t}),
        "cookie": cookie,
        "basic": lambda t: Client().get("/api/games/", headers={"Authorization": basic(t)}),
        "player header": lambda t: Client().get(
            f"/api/games/{code}/view", headers={"X-Player-Token": t}
        ),
        "join form": lambda t: Client().post(f"/join/{code}/", {"name": t, "team": "R1"}),
        "login form": lambda t: Client().post(
            "/admin/login/", {"username": t, "password": "x" + t}
        ),
        "review form": lambda t: staff.post(f"/games/{code}/report/edit/", {"strengths": t}),
        "join json": lambda t: Client().post(
            f"/api/games/{code}/join", {"name": t, "team": "R1"}, content_type="application/json"
        ),
        "command json": lambda t: Client().post(
            f"/api/games/{code}/commands",
            {"type": "chat", "id": "c", "channel": "all", "text": t},
            content_type="application/json",
            headers={"X-Player-Token": token},
        ),
        "games json": lambda t: staff.post(
            "/api/games/", {"scenario": t}, content_type="application/json"
        ),
        "import json": lambda t: staff.post(
            "/api/scenarios/import", document(summary=t), content_type="application/json"
        ),
    }


JSON_SURFACES = {"join json", "command json", "games json", "import json"}
HEADER_SURFACES = {"header", "cookie", "player header"}


@pytest.fixture
def surfaces(table, staff_user):
    table.staff_user = staff_user
    return _surfaces(table)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_text_input_refuses_unstorable_text(surfaces, data):
    name = data.draw(st.sampled_from(sorted(surfaces)))
    if name in JSON_SURFACES:
        text = data.draw(json_bad)
    else:
        text = data.draw(latin_with_nul if name in HEADER_SURFACES else with_nul)
    before = counts()
    response = surfaces[name](text)
    assert response.status_code == 400, (name, text, response.status_code, response.content[:300])
    assert "cannot be stored" in response.content.decode(), (name, response.content[:300])
    assert counts() == before
