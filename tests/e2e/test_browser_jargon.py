"""No internal names reach people: a whole coalition-2022 game, from the lobby through every
phase of every round to the debrief, with every page read as a person reads it.

Pages: the player page of each team (every tab), the facilitator console, the observer page
and the projector, then the after-action report (HTML and PDF text) and the scenario's admin
page. What must never show: lever keys, red-line ids, event and command type names, module
and file paths, "(s)" plurals, "1 deals"-style plurals, "scoring rules v2". Bots play the
teams through the REST API (the engine's own bot, from each team's view), so the log holds
disclosures, reveals, offers, answers, chat, commitments and breaches to be described.
"""

import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tablekit import ROOT_SCENARIO, HttpError, join, request_json

from game import engine
from game.engine import bot_plan
from scenarios.parsing import load_document

TEAMS = ("US", "JP", "ROK")
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
PROJECTOR = {"width": 1920, "height": 1080}
TIMEOUT_MS = 15_000
SEED = 3
# Plural words that must not follow the number 1 ("1 deals").
PLURALS = (
    "deals",
    "offers",
    "players",
    "points",
    "messages",
    "rounds",
    "times",
    "teams",
    "terms",
    "commitments",
    "red lines",
    "minutes",
    "seconds",
    "breaches",
    "reveals",
)
# A phase as the pages name it, where that is not its own name.
PHASE_NAMES = {"Disclosure": re.compile("Red lines|Disclosure")}
BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "bundled"

# Visible text, plus what a screen reader or a tooltip says.
PAGE_TEXT = """() => {
  const texts = [document.body.innerText];
  for (const element of document.querySelectorAll("[aria-label],[title],[placeholder],[alt]")) {
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      const value = element.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts.join("\\n");
}"""


# Each shown row of a results table: its parts and its total, as displayed.
SCORE_ROWS = """() => [...document.querySelectorAll("table.score-parts tbody tr")].map((row) => ({
  team: row.querySelector("th").innerText,
  parts: [...row.querySelectorAll("td.part")].map((cell) => cell.innerText),
  total: row.querySelector("td.total").innerText,
}))"""
# The final scores table: each round's weight, and each row's round scores and final.
FINAL_ROWS = """() => [...document.querySelectorAll("table.final-scores")].flatMap((table) => {
  const heads = [...table.querySelectorAll("thead th[data-weight]")];
  const weights = heads.map((th) => Number(th.dataset.weight));
  return [...table.querySelectorAll("tbody tr")].map((row) => {
    const cells = [...row.querySelectorAll("td")].map((cell) => cell.innerText);
    const team = row.querySelector("th").innerText;
    return { team, weights, rounds: cells.slice(0, -1), final: cells[cells.length - 1] };
  });
})"""
FIGURE = re.compile(r"[−+-]?\d+(?:[.,]\d+)?")


def shown(text: str) -> float:
    return float(FIGURE.search(text).group(0).replace("−", "-").replace(",", "."))


# On the admin's pages instructors write keys and ids, and staff may read the raw event
# log: there only paths, plurals, verdicts and the like count.
AUTHORED = ("lever key", "red-line id", "event type", "command type")


def internal_names(scenario: dict) -> list[tuple[str, re.Pattern]]:
    """(what, pattern) for every internal name a page must not show."""

    def word(name: str) -> re.Pattern:
        return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")

    names = [("lever key", word(lever["key"])) for lever in scenario["levers"]]
    names += [("red-line id", word(line["id"])) for line in scenario["red_lines"]]
    names += [("event type", word(kind)) for kind in engine.EVENT_KINDS]
    names += [("command type", word(kind)) for kind in engine.COMMAND_TYPES if "_" in kind]
    names += [
        ("module path", re.compile(r"\b(?:game|scenarios|tabletop|frontend)\.[a-z_]+\.[a-z_]+")),
        ("file path", re.compile(r"\b[\w/]+\.(?:py|md|js)\b")),
        ("(s) plural", re.compile(r"\w\(s\)")),
        ("plural after 1", re.compile(rf"(?<![\d.,])1 (?:{'|'.join(PLURALS)})\b")),
        ("rules version", re.compile(r"scoring rules v\d")),
        ("doubled word", re.compile(r"\b(?:to|with) With\b")),
        ("check verdict", re.compile(r"\bFAIL\b")),
    ]
    return names


class Scan:
    """Every internal name found, by page and moment."""

    def __init__(self, scenario: dict):
        self.names = internal_names(scenario)
        self.found: list[str] = []
        self.pages_read = 0
        self.wrong_sums: list[str] = []
        self.rows_checked = 0

    def text(self, where: str, text: str, *, authoring: bool = False):
        """`authoring`: a page where instructors write keys and ids (the admin), so only
        paths, plurals and the like count."""
        self.pages_read += 1
        for what, pattern in self.names:
            if authoring and what in AUTHORED:
                continue
            for match in pattern.finditer(text):
                around = text[max(0, match.start() - 50) : match.end() + 50].replace("\n", " ⏎ ")
                self.found.append(f"{where}: {what} {match.group(0)!r} in “{around}”")

    def sums(self, where: str, page):
        """Each results row shown adds up: its parts to its total, within the rounding of
        the figures as displayed (0.05 each)."""
        for row in page.evaluate(SCORE_ROWS):
            self.rows_checked += 1
            parts = [shown(text) for text in row["parts"]]
            if abs(sum(parts) - shown(row["total"])) > 0.05 * (len(parts) + 1) + 1e-9:
                self.wrong_sums.append(f"{where}: {row}")
        for row in page.evaluate(FINAL_ROWS):
            self.rows_checked += 1
            rounds = [shown(text) for text in row["rounds"]]
            mean = sum(w * x for w, x in zip(row["weights"], rounds, strict=True))
            mean /= sum(row["weights"])
            if abs(mean - shown(row["final"])) > 0.1 + 1e-9:
                self.wrong_sums.append(f"{where}: final {row}")

    def page(self, where: str, page):
        """The page as shown, then with each of its tabs open in turn."""
        self.text(where, page.evaluate(PAGE_TEXT))
        self.sums(where, page)
        tabs = page.get_by_role("tab")
        for index in range(tabs.count()):
            tab = tabs.nth(index)
            if not tab.is_visible():
                continue
            name = tab.inner_text().strip().splitlines()[0] if tab.inner_text().strip() else index
            tab.click()
            self.text(f"{where} [{name}]", page.evaluate(PAGE_TEXT))
            self.sums(f"{where} [{name}]", page)

    def report(self):
        found = sorted(set(self.found))
        return "\n".join(found)


def scenario_document() -> dict:
    return load_document(BUNDLED / f"{ROOT_SCENARIO}.json")


def bots_play(base: str, code: str, tokens: dict[str, str]):
    """Each team's bot plays its turn from its own view, pass after pass, until none acts."""
    for _ in range(4):
        acted = False
        for team, token in tokens.items():
            headers = {"X-Player-Token": token}
            seen = request_json(f"{base}/api/games/{code}/view", headers=headers)["view"]
            for command in bot_plan(seen, team, seed=SEED):
                try:
                    request_json(
                        f"{base}/api/games/{code}/commands",
                        method="POST",
                        body=command,
                        headers=headers,
                    )
                    acted = True
                except HttpError:
                    pass  # an offer answered meanwhile: the bot tries again next pass
        if not acted:
            return


def say(base: str, code: str, token: str, channel, text: str):
    request_json(
        f"{base}/api/games/{code}/commands",
        method="POST",
        body={"type": "chat", "channel": channel, "text": text},
        headers={"X-Player-Token": token},
    )


def fetch(url: str, headers: dict) -> bytes:
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=120) as reply:
        return reply.read()


def context(chromium, viewport: dict, staff=None, base: str = ""):
    made = chromium.new_context(viewport=viewport)
    made.set_default_timeout(TIMEOUT_MS)
    if staff is not None:
        made.add_cookies([
            {"name": "sessionid", "value": staff.session, "url": base},
            {"name": "csrftoken", "value": staff.csrf, "url": base},
        ])  # fmt: skip
    return made


def wait_phase(pages, text):
    for page in pages:
        expect(page.locator(".status").first).to_contain_text(text)


def test_no_internal_name_on_any_page_of_a_whole_game(chromium, leg, tmp_path, screenshot):
    base = leg.first.url
    staff = leg.staff
    code = staff.create_game(base, seed=SEED)
    scan = Scan(scenario_document())
    errors: list[str] = []
    contexts = []

    def open_page(viewport, url, *, as_staff=False):
        made = context(chromium, viewport, staff if as_staff else None, base)
        contexts.append(made)
        page = made.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        return page

    console = open_page(LAPTOP, f"{base}/console/{code}/", as_staff=True)
    watch_url = console.locator("a[href*='/watch/']").first.get_attribute("href")
    projector_url = console.locator("a[href*='/projector/']").first.get_attribute("href")
    observer = open_page(LAPTOP, watch_url)
    projector = open_page(PROJECTOR, projector_url)
    players = {}
    for team in TEAMS:
        page = open_page(PHONE if team == "JP" else LAPTOP, f"{base}/join/{code}/?team={team}")
        page.get_by_label("Your display name").fill(f"{team} player")
        page.get_by_role("button", name="Join").click()
        expect(page.get_by_role("heading", name=f"Welcome, {team} player")).to_be_visible()
        players[team] = page
    tokens = {team: join(base, code, team, f"{team} bot") for team in TEAMS}

    def scan_all(moment: str):
        scan.page(f"console · {moment}", console)
        scan.page(f"observer · {moment}", observer)
        scan.page(f"projector · {moment}", projector)
        for team, page in players.items():
            scan.page(f"{team} player · {moment}", page)

    scan_all("lobby")
    staff.command(base, code, "start")
    rounds = len(scenario_document()["rounds"])
    for round_no in range(1, rounds + 1):
        wait_phase(players.values(), f"Round {round_no} of {rounds}")
        every_phase = round_no in (1, rounds)
        for phase in ("Briefing", "Disclosure", "Negotiation", "Decision", "Results"):
            if phase != "Briefing":
                staff.command(base, code, "advance")
            wait_phase(players.values(), PHASE_NAMES.get(phase, phase))
            bots_play(base, code, tokens)
            if phase == "Negotiation" and round_no == 1:
                say(base, code, tokens["JP"], ["JP", "ROK"], "Can we talk about LNG?")
                say(base, code, tokens["US"], "team", "Hold the line on sanctions.")
                say(base, code, tokens["ROK"], "all", "Good morning, partners.")
            if phase == "Results" and round_no == 1:
                staff.command(base, code, "adjust_score", role="JP", round=1, delta=2.5,
                              reason="Kept the table informed")  # fmt: skip
                staff.command(base, code, "inject", title="News flash", body="Prices rise.",
                              audience="all")  # fmt: skip
            if every_phase or phase == "Results":
                scan_all(f"round {round_no} {phase.lower()}")
            if phase == "Results" and round_no == 1:
                for team, name in (("US", "results-laptop"), ("JP", "results-phone")):
                    page = players[team]
                    page.get_by_role("tab", name=re.compile("^Results")).click()
                    path = screenshot(page, name)  # then only the round's results
                    page.locator(".round-result").first.screenshot(path=str(path))
        staff.command(base, code, "advance")
    for page in players.values():
        expect(page.get_by_text(re.compile("Debrief: the game has ended"))).to_be_visible()
    scan_all("debrief")

    console.goto(f"{base}/games/{code}/report/", timeout=180_000)
    scan.text("report (facilitator)", console.evaluate(PAGE_TEXT))
    players["ROK"].goto(f"{base}/games/{code}/report/", timeout=180_000)
    scan.text("report (Korea)", players["ROK"].evaluate(PAGE_TEXT))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(fetch(f"{base}/api/games/{code}/report.pdf", staff.headers))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    scan.text("report PDF", text.stdout)

    admin = console
    for listing, search in (
        ("/admin/scenarios/scenario/", ROOT_SCENARIO),
        ("/admin/game/game/", code),
    ):
        admin.goto(f"{base}{listing}?q={search}")
        scan.text(f"admin {listing}", admin.evaluate(PAGE_TEXT), authoring=True)
        item = admin.locator("#result_list tbody tr a").first.get_attribute("href")
        admin.goto(f"{base}{item}", timeout=180_000)  # a scenario page solves its analysis
        scan.text(f"admin {listing} item", admin.evaluate(PAGE_TEXT), authoring=True)

    for made in contexts:
        made.close()
    assert scan.pages_read > 100
    assert scan.rows_checked > 100
    assert not scan.wrong_sums, "results rows that do not add up:\n" + "\n".join(scan.wrong_sums)
    assert not errors, errors
    assert not scan.found, f"internal names shown to people:\n{scan.report()}"


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Offer on us_lng_to_allies >= 6", "lever key"),
        ("Japan revealed jp-sakhalin-lng", "red-line id"),
        ("player_joined · system", "event type"),
        ("(game.services.access)", "module path"),
        ("see docs/scoring.md", "file path"),
        ("7 time(s)", "(s) plural"),
        ("1 deals", "plural after 1"),
        ("under scoring rules v2", "rules version"),
        ("Message to With Republic of Korea", "doubled word"),
        ("check (b) FAIL: +0.3", "check verdict"),
    ],
)
def test_the_scan_finds_each_kind_of_internal_name(text, what):
    scan = Scan(scenario_document())
    scan.text("sample", text)
    assert [line for line in scan.found if f": {what} " in line], scan.found


def test_the_scan_passes_plain_words():
    scan = Scan(scenario_document())
    scan.text("sample", "Japan joined. 1 deal, 2 deals, 11 deals, 0.1 points. Message to Korea.")
    assert not scan.found
