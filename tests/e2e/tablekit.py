"""HTTP and table helpers for end-to-end tests: create games, seat players, log in a
facilitator, drive a table of bot clients, and check what each socket received."""

import asyncio
import base64
import copy
import http.cookiejar
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from game import engine
from game.realtime.botclient import BotClient, contiguous

ROOT_SCENARIO = "coalition-2022"
FACILITATOR = "facilitator"
PASSWORD = os.environ.get("DEMO_PASSWORD", "redlines-demo")
# Where the browser tests write their screenshots (CI keeps the folder).
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)


class HttpError(Exception):
    def __init__(self, status: int, body: str, url: str):
        super().__init__(f"{status} from {url}: {body[:500]}")
        self.status = status
        self.body = body


def _opener(jar=None):
    handlers = [urllib.request.ProxyHandler({})]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    return urllib.request.build_opener(*handlers)


def basic_auth(username: str = FACILITATOR, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def request_json(url: str, *, method="GET", body=None, headers=None, timeout=15.0):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with _opener().open(request, timeout=timeout) as reply:
            return json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        raise HttpError(error.code, error.read().decode(errors="replace"), url) from None


class Staff:
    """A logged-in facilitator: one real login through /admin/login/ (password hashing is
    deliberately slow, ~1 s, so it is done once), then the session cookie and its CSRF
    token for REST calls and for facilitator sockets, on any server of the same database."""

    def __init__(self, session: str, csrf: str):
        self.session = session
        self.csrf = csrf

    @classmethod
    def login(cls, base: str, username: str = FACILITATOR, password: str = PASSWORD) -> "Staff":
        jar = http.cookiejar.CookieJar()
        opener = _opener(jar)
        with opener.open(f"{base}/admin/login/", timeout=15) as reply:
            page = reply.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            }
        ).encode()
        request = urllib.request.Request(f"{base}/admin/login/", data=form, method="POST")
        request.add_header("Referer", f"{base}/admin/login/")
        with opener.open(request, timeout=15):
            pass
        cookies = {cookie.name: cookie.value for cookie in jar}
        if "sessionid" not in cookies:
            raise RuntimeError("facilitator login failed: no sessionid cookie")
        return cls(cookies["sessionid"], cookies["csrftoken"])

    @property
    def cookie(self) -> str:
        """The Cookie header a facilitator socket presents."""
        return f"sessionid={self.session}; csrftoken={self.csrf}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie, "X-CSRFToken": self.csrf}

    def get(self, base: str, path: str):
        return request_json(base + path, headers=self.headers)

    def post(self, base: str, path: str, body):
        return request_json(base + path, method="POST", body=body, headers=self.headers)

    def create_game(self, base: str, *, scenario: str = ROOT_SCENARIO, seed: int = 7) -> str:
        games = self.post(base, "/api/games/", {"scenario": scenario, "seed": seed})
        return games[0]["code"]

    def export(self, base: str, code: str) -> dict:
        return self.get(base, f"/api/games/{code}/export")

    def command(self, base: str, code: str, type: str, **payload) -> dict:
        return self.post(base, f"/api/games/{code}/commands", {"type": type, **payload})

    def import_scenario(self, base: str, document: dict) -> dict:
        return self.post(base, "/api/scenarios/import?publish=1", document)


def join(base: str, code: str, team: str, name: str | None = None) -> str:
    reply = request_json(
        f"{base}/api/games/{code}/join",
        method="POST",
        body={"name": name or f"{team} bot", "team": team},
    )
    return reply["token"]


def timed_scenario(seconds: dict[str, int], *, rounds: int = 1, slug: str | None = None) -> dict:
    """The bundled coalition scenario, cut to `rounds` rounds with the given phase timers."""
    path = os.path.join(
        os.path.dirname(__file__), "..", "..", "scenarios", "bundled", f"{ROOT_SCENARIO}.json"
    )
    with open(path) as handle:
        document = json.load(handle)
    document = copy.deepcopy(document)
    document["slug"] = slug or f"e2e-timers-{uuid.uuid4().hex[:8]}"
    document["title"] = "E2E timers"
    document["rounds"] = document["rounds"][:rounds]
    for item in document["rounds"]:
        item["phase_seconds"] = dict(seconds)
    return document


# -- tables of bot clients ---------------------------------------------------------------------


class Table:
    """One game: a facilitator socket and one bot socket per role (any mix of servers)."""

    def __init__(self, code: str, facilitator: BotClient, bots: list[BotClient]):
        self.code = code
        self.facilitator = facilitator
        self.bots = bots

    @property
    def clients(self) -> list[BotClient]:
        return [self.facilitator, *self.bots]

    async def __aenter__(self):
        await asyncio.gather(*(client.connect() for client in self.clients))
        return self

    async def __aexit__(self, *exc):
        await asyncio.gather(*(client.close() for client in self.clients))

    async def bots_play(self, *, max_passes: int = 6) -> list[dict]:
        """Turn by turn, in role order, like engine.play_game: pass after pass until no bot
        changes anything. Returns every error the server answered."""
        errors = []
        for _ in range(max_passes):
            changed = False
            for bot in self.bots:
                result = await bot.play()
                errors += [(bot.role, e) for e in result.errors]
                changed = changed or result.changed
            if not changed:
                break
        return errors

    async def settle(self, seq: int, *, timeout: float = 15.0) -> None:
        """Wait until every socket's event log reaches `seq`."""
        await asyncio.gather(*(c.wait_seq(seq, timeout=timeout) for c in self.clients))


def log_problems(clients: list[BotClient]) -> dict[str, list[str]]:
    problems = {client.label: contiguous(client) for client in clients}
    return {label: found for label, found in problems.items() if found}


def batches(events: list[dict]) -> list[list[dict]]:
    """Split an exported log into the commands that wrote it (same actor and time)."""
    groups: list[list[dict]] = []
    for event in events:
        key = (event["at"], json.dumps(event["actor"], sort_keys=True))
        if groups and groups[-1][0]["_key"] == key:
            groups[-1].append({**event, "_key": key})
        else:
            groups.append([{**event, "_key": key}])
    return groups


def expected_for(exported: dict, viewer: dict) -> list[tuple[int, str]]:
    """(seq, kind) of every logged event `viewer` is sent live: visible by its audience, or
    because the command that wrote it ended the game (the engine's rule, applied per commit
    exactly as the broadcast does)."""
    state = engine.initial_state(exported["scenario"], seed=exported["game"]["seed"])
    seen = []
    for batch in batches(exported["events"]):
        for event in batch:
            state = engine.apply(state, event)
        seen += [(e["seq"], e["kind"]) for e in batch if engine.event_visible(e, viewer, state)]
    return seen
