"""A whole workshop through the pages, in Debian's Chromium: a facilitator console and one
browser per team (Japan on a 375 px phone) play coalition-2022 from joining to the debrief.

Everything is done the way a person does it: elements are found by their role and
accessible name, the decision panel is driven with the keyboard alone, and no page is
reloaded to see a change. Screenshots of every page land in var/screenshots.
"""

import contextlib
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tablekit import ROOT_SCENARIO

TEAMS = ("US", "JP", "ROK")
PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 900}
TIMEOUT_MS = 15_000


REVEALED_TO_US = "jp-sakhalin-lng"  # Japan reveals it to the US in full below


def scenario_secrets() -> dict[str, dict[str, str]]:
    """Per team, texts only that team may see before the end: the opening of its private
    brief and of each red line's statement, by a name."""
    path = Path(__file__).resolve().parents[2] / "scenarios" / "bundled" / f"{ROOT_SCENARIO}.json"
    document = json.loads(path.read_text())
    secrets = {code: {} for code in TEAMS}
    for role in document["roles"]:
        secrets[role["code"]]["private brief"] = role["private_brief"].strip()[:60]
    for line in document["red_lines"]:
        secrets[line["role"]][line["id"]] = line["statement"][:60]
    return secrets


class Seat:
    """One team's browser: its page, and every socket frame it received."""

    def __init__(self, chromium, base: str, code: str, team: str, viewport: dict):
        self.team = team
        self.context = chromium.new_context(viewport=viewport)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.frames: list[str] = []
        self.responses: list[str] = []
        self.errors: list[str] = []
        self.page.on("websocket", self._watch_socket)
        self.page.on("response", self._keep_response)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Console errors include Content-Security-Policy refusals and failed loads.
        self.page.on("console", self._keep_console_error)
        self.page.goto(f"{base}/join/{code}/?team={team}")

    def _keep_console_error(self, message):
        if message.type == "error":
            self.errors.append(message.text)

    def _watch_socket(self, socket):
        socket.on("framereceived", lambda payload: self.frames.append(str(payload)))

    def _keep_response(self, response):
        kind = response.headers.get("content-type", "")
        if response.ok and ("html" in kind or "javascript" in kind or "json" in kind):
            with contextlib.suppress(Exception):  # a redirect's body is gone: nothing to leak
                self.responses.append(response.text())

    def join(self, name: str):
        self.page.get_by_label("Your display name").fill(name)
        self.page.get_by_role("button", name="Join").click()
        expect(self.page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()

    def tab(self, name: str):
        self.page.get_by_role("tab", name=re.compile(f"^{name}")).click()

    def everything_received(self) -> str:
        return "\n".join([self.page.content(), *self.responses, *self.frames])


@pytest.fixture
def workshop(chromium, leg):
    """A fresh coalition-2022 game on the leg's servers, a facilitator console and a seat
    per team (each page on a server of its own when there are two)."""
    base = leg.first.url
    code = leg.staff.create_game(base)
    console = chromium.new_context(viewport=LAPTOP)
    console.set_default_timeout(TIMEOUT_MS)
    console.add_cookies([
        {"name": "sessionid", "value": leg.staff.session, "url": base},
        {"name": "csrftoken", "value": leg.staff.csrf, "url": base},
    ])  # fmt: skip
    facilitator = console.new_page()
    console_errors = []
    facilitator.on(
        "console", lambda m: console_errors.append(m.text) if m.type == "error" else None
    )
    facilitator.on("pageerror", lambda error: console_errors.append(str(error)))
    facilitator.goto(f"{base}/console/{code}/")
    seats = {
        team: Seat(
            chromium, leg.server(index + 1).url, code, team, PHONE if team == "JP" else LAPTOP
        )
        for index, team in enumerate(TEAMS)
    }
    yield code, facilitator, seats
    assert not console_errors, f"console: {console_errors}"
    for seat in seats.values():
        seat.context.close()
    console.close()


def confirm(page, button: str, yes: str):
    page.get_by_role("button", name=button).click()
    page.get_by_role("button", name=yes).click()


def wait_phase(page, text: str):
    expect(page.locator(".status").first).to_contain_text(text)


def test_a_whole_workshop_through_the_pages(workshop, screenshot):
    _, facilitator, seats = workshop
    us, jp, rok = seats["US"], seats["JP"], seats["ROK"]
    for seat in seats.values():
        seat.join(f"{seat.team} player")
    connected = facilitator.get_by_text(re.compile("^3 players, 3 online · 1 facilitator"))
    expect(connected).to_be_visible()
    expect(facilitator.get_by_role("link", name="Report (PDF)")).to_be_visible()
    screenshot(facilitator, "console-lobby")
    screenshot(jp.page, "player-lobby-phone")
    expect(jp.page.get_by_role("heading", name="Who is here")).to_be_visible()

    # Round 1: briefing, then the sealed disclosure.
    confirm(facilitator, "Start the game", "Yes, start")
    wait_phase(jp.page, "Round 1 of 4 · Briefing")
    screenshot(us.page, "player-briefing")
    confirm(facilitator, "Advance to the next phase", "Yes, advance")
    wait_phase(jp.page, "Red lines")
    jp.tab("Red lines")
    sakhalin = jp.page.get_by_role("group", name=re.compile("Russian share of LNG imports"))
    sakhalin.get_by_label("Reveal").select_option("full")
    sakhalin.get_by_role("radio", name="Chosen partners only").check()
    sakhalin.get_by_role("checkbox", name="United States").check()
    jp.page.get_by_role("button", name="Save sealed choices").click()
    expect(jp.page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    screenshot(jp.page, "player-disclosure-phone")

    # Negotiation: the US sees Japan's red line and trades LNG for it.
    confirm(facilitator, "Advance to the next phase", "Yes, advance")
    wait_phase(us.page, "Negotiation")
    us.tab("Red lines")
    expect(us.page.get_by_text("Revealed to you in full")).to_be_visible()
    us.tab("Negotiation")
    composer = us.page.get_by_role("form", name="Make an offer")
    composer.get_by_role("checkbox", name="Japan").check()
    term = composer.get_by_role("group", name="Term 1")
    term.get_by_label("Lever").select_option("us_lng_to_allies")
    term.get_by_label("Value").fill("4")
    composer.get_by_role("button", name="Add a term").click()
    second = composer.get_by_role("group", name="Term 2")
    second.get_by_label("Who commits").select_option("JP")
    second.get_by_label("Lever").select_option("russian_lng_share")
    second.get_by_label("Commitment").select_option("<=")
    second.get_by_label("Value").fill("3")
    expect(composer.get_by_text("Estimated round score")).to_be_visible()
    screenshot(us.page, "player-negotiation-composer")
    composer.get_by_role("button", name="Propose").click()
    expect(composer.get_by_text("Offer o1 sent.")).to_be_visible()

    # Japan counters (LNG for the whole game), the US accepts the counter.
    jp.tab("Negotiation")
    expect(jp.page.get_by_text("Waiting for your answer")).to_be_visible()
    jp.page.get_by_role("button", name="Counter o1").click()
    counter = jp.page.get_by_role("form", name="Counter-offer to o1")
    counter.get_by_role("group", name="Term 1").get_by_label("Binds").select_option("game")
    counter.get_by_role("button", name="Send counter-offer").click()
    expect(jp.page.get_by_text("Offer o2 sent.")).to_be_visible()
    offer = us.page.locator("li.offer", has_text="Offer o2")
    offer.get_by_role("button", name="What it means for us").click()
    expect(offer.get_by_text("Domestic cost for you")).to_be_visible()
    offer.get_by_role("button", name="Accept o2").click()
    expect(us.page.locator(".offer.status-accepted")).to_have_count(1)
    screenshot(jp.page, "player-negotiation-phone")

    # Chat, in the team channel and to everyone.
    rok.page.get_by_role("tab", name="My team").click()
    rok.page.get_by_label(re.compile("Message to My team")).fill("Keep sanctions modest.")
    rok.page.get_by_role("button", name="Send").click()
    us.page.get_by_label(re.compile("Message to Everyone")).fill("Thank you, Tokyo.")
    us.page.get_by_role("button", name="Send").click()
    expect(jp.page.get_by_text("Thank you, Tokyo.")).to_be_visible()
    expect(us.page.get_by_text("Keep sanctions modest.")).to_have_count(0)

    # Decision: Japan (on the phone) uses the keyboard only; the others lock as they are.
    confirm(facilitator, "Advance to the next phase", "Yes, advance")
    wait_phase(jp.page, "Decision")
    jp.tab("Decision")
    slider = jp.page.get_by_role("slider", name=re.compile("Russian share of LNG imports"))
    slider.focus()
    for _ in range(6):
        jp.page.keyboard.press("ArrowLeft")  # 9 % -> 3 %
    expect(
        jp.page.get_by_role("spinbutton", name="Russian share of LNG imports value")
    ).to_have_value("3")
    expect(jp.page.get_by_text("Meets your commitment")).to_be_visible()
    lock = jp.page.get_by_role("button", name="Lock our decision")
    expect(lock).to_be_enabled()
    lock.focus()
    jp.page.keyboard.press("Enter")
    expect(jp.page.get_by_text(re.compile("Locked by JP player"))).to_be_visible()
    screenshot(jp.page, "player-decision-phone")
    us.tab("Decision")
    us.page.get_by_role("spinbutton", name="US LNG committed to Japan and South Korea value").fill(
        "4"
    )
    us.page.get_by_role("spinbutton", name="US LNG committed to Japan and South Korea value").press(
        "Tab"
    )
    expect(us.page.get_by_text("Meets your commitment")).to_be_visible()
    us.page.get_by_role("button", name="Lock our decision").click()
    rok.tab("Decision")
    rok.page.get_by_role("button", name="Lock our decision").click()
    expect(facilitator.locator(".tag.locked")).to_have_count(3)
    screenshot(facilitator, "console-decision")

    # Results: every team's page shows the round's scores and the chart.
    confirm(facilitator, "Advance to the next phase", "Yes, advance")
    for seat in seats.values():
        expect(seat.page.get_by_role("heading", name="Round 1 results")).to_be_visible()
    expect(jp.page.get_by_text("Debrief questions")).to_be_visible()
    screenshot(us.page, "player-results")
    screenshot(jp.page, "player-results-phone")

    # Secrecy mid-game: nothing of another team's secrets in any page, file or frame.
    secrets = scenario_secrets()
    for seat in seats.values():
        received = seat.everything_received()
        for other, texts in secrets.items():
            for name, text in texts.items():
                if other == seat.team or (seat.team == "US" and name == REVEALED_TO_US):
                    continue
                assert text not in received, f"{seat.team}'s browser received {other}'s {name}"

    # Next round, then the end: the debrief unmasks everything for everyone.
    confirm(facilitator, "Advance to the next phase", "Yes, advance")
    wait_phase(jp.page, "Round 2 of 4")
    confirm(facilitator, "End the game", "Yes, end the game")
    for seat in seats.values():
        expect(seat.page.get_by_text(re.compile("Debrief: the game has ended"))).to_be_visible()
    rok.tab("Red lines")
    expect(rok.page.get_by_role("heading", name="Every other team's red lines")).to_be_visible()
    expect(rok.page.get_by_text(secrets["JP"][REVEALED_TO_US])).to_be_visible()
    screenshot(rok.page, "player-debrief")
    rok.page.get_by_role("link", name="Open the after-action report").click()
    expect(rok.page.get_by_role("heading", name="1. Overview")).to_be_visible()
    screenshot(rok.page, "player-report")
    screenshot(facilitator, "console-ended")
    for seat in seats.values():
        assert not seat.errors, f"{seat.team}: {seat.errors}"
