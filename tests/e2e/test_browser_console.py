"""The facilitator's overview and the room screen, in Debian's Chromium.

The console's readiness board follows a game through its phases (disclosure saved, offers
awaiting an answer, decision locked, who is online), offers to advance when everyone is
ready and warns before advancing past a team that is not; moving a player keeps the players
panel still. The projector is one screen per phase at 1920 × 1080 and 1280 × 720 (the
document never larger than the window), and in the lobby it is the screen a room joins
from: the code, the join link, a QR code and the teams filling up live.

Players other than the one browser act through the REST API with their tokens, as a script
would, so the test watches the facilitator's and the room's pages only.
"""

import re

import pytest
from playwright.sync_api import expect
from tablekit import join, request_json

CONSOLE = {"width": 1280, "height": 800}
WIDE = {"width": 1920, "height": 1080}
PROJECTORS = {"1920x1080": WIDE, "1280x720": {"width": 1280, "height": 720}}
TIMEOUT_MS = 15_000
# The room's boxes whose content is larger than the box (cut off): none may be. Long texts
# are cut on purpose to a number of lines (.room-clamp), which this leaves out.
ROOM_BOXES = ".room, .room-body, .room-columns, .room-stack, .room-panel, .room-join, .room-roster"
CLIPPED = f"""[...document.querySelectorAll('{ROOM_BOXES}, .room-head')]
  .filter((box) => box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1)
  .map((box) => box.className)"""


def player_command(base: str, code: str, token: str, type_: str, **payload) -> dict:
    return request_json(
        f"{base}/api/games/{code}/commands",
        method="POST",
        body={"type": type_, **payload},
        headers={"X-Player-Token": token},
    )


class Room:
    """A game, its console (1280 × 800) and its projector at both sizes."""

    def __init__(self, chromium, leg):
        self.base = leg.first.url
        self.code = leg.staff.create_game(self.base)
        self.errors: list[str] = []
        self.contexts = []
        self.console = self._page(chromium, CONSOLE, staff=leg.staff)
        self.console.goto(f"{self.base}/console/{self.code}/")
        link = self.console.locator("a[href*='/projector/']")
        self.projector_url = link.get_attribute("href")
        self.projectors = {}
        for name, size in PROJECTORS.items():
            page = self._page(chromium, size)
            page.goto(self.projector_url)
            self.projectors[name] = page

    def _page(self, chromium, viewport, staff=None):
        context = chromium.new_context(viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        if staff is not None:
            context.add_cookies([
                {"name": "sessionid", "value": staff.session, "url": self.base},
                {"name": "csrftoken", "value": staff.csrf, "url": self.base},
            ])  # fmt: skip
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def close(self):
        for context in self.contexts:
            context.close()

    def advance_button(self):
        return self.console.get_by_role("button", name="Advance to the next phase")

    def cancel(self):
        self.console.get_by_role("button", name="Cancel").click()

    def projector_fits(self, stage: str, screenshot, suffix: str = "") -> None:
        """Every projector shows `stage`'s screen inside its window, without scrolling."""
        for name, page in self.projectors.items():
            expect(page.locator(f".room.room-{stage}")).to_be_visible()
            page.wait_for_timeout(150)  # let the countdown and the chart settle
            screenshot(page, f"projector-{stage}{suffix}-{name}")
            width, height, window_width, window_height = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight,"
                " window.innerWidth, window.innerHeight]"
            )
            assert width <= window_width, f"{stage} at {name}: {width} px wide"
            assert height <= window_height, f"{stage} at {name}: {height} px tall"
            clipped = page.evaluate(CLIPPED)
            assert not clipped, f"{stage} at {name}: cut off in {clipped}"


@pytest.fixture
def room(chromium, leg):
    room = Room(chromium, leg)
    yield room
    room.close()
    assert not room.errors, room.errors


def board_row(room, team: str):
    return room.console.locator(f".readiness tr[data-team='{team}']")


def test_readiness_board_prompt_and_warning_through_a_round_and_the_room_screen(
    room, chromium, screenshot
):
    base, code, console = room.base, room.code, room.console

    # The lobby: the room joins from the projector; the teams fill up live.
    projector = room.projectors["1920x1080"]
    expect(projector.get_by_test_id("room-code")).to_have_text(code)
    expect(projector.get_by_text(f"{base}/join/{code}/", exact=True)).to_be_visible()
    expect(projector.get_by_role("img", name="QR code of the join page")).to_be_visible()
    assert projector.locator(".room-qr svg path").count() == 1
    expect(projector.locator(".room-team").first).to_contain_text("Waiting for players")
    room.projector_fits("lobby", screenshot)

    us = chromium.new_context(viewport=CONSOLE)
    room.contexts.append(us)
    us_page = us.new_page()
    us_page.goto(f"{base}/join/{code}/?team=US")
    us_page.get_by_label("Your display name").fill("Dana")
    us_page.get_by_role("button", name="Join").click()
    # The others play by script (the US has a second, offline, player: Eli).
    seats = (("US", "Eli"), ("JP", "Aiko"), ("ROK", "Min"))
    tokens = {team: join(base, code, team, name) for team, name in seats}
    for page in room.projectors.values():
        expect(page.locator(".room-team", has_text="Japan")).to_contain_text("Aiko")
        expect(page.locator(".room-roster h2")).to_contain_text("4 players")
    expect(console.get_by_text(re.compile(r"^4 players, 1 online · 1 facilitator"))).to_be_visible()
    screenshot(projector, "projector-lobby-joined")

    # Briefing asks nothing of the teams: a plain question, no warning, no prompt.
    room.console.get_by_role("button", name="Start the game").click()
    console.get_by_role("button", name="Yes, start").click()
    expect(board_row(room, "JP")).to_contain_text("Nothing to do in this phase")
    expect(board_row(room, "US")).to_contain_text("2 players, 1 online")
    expect(board_row(room, "ROK")).to_contain_text("1 player, 0 online")
    room.projector_fits("briefing", screenshot)
    room.advance_button().click()
    expect(console.get_by_role("group", name=re.compile("End Briefing now"))).to_be_visible()
    expect(console.get_by_role("alertdialog")).to_have_count(0)
    console.get_by_role("button", name="Yes, advance").click()

    # Disclosure: pending until each team saved its choices (none is a choice too).
    expect(board_row(room, "JP")).to_contain_text("Waiting for: disclosure choices")
    room.advance_button().click()
    warning = console.get_by_role("alertdialog")
    expect(warning).to_contain_text("Japan has not saved its disclosure choices.")
    expect(warning).to_contain_text("Advance anyway?")
    room.cancel()
    choice = {"red_line": "jp-sakhalin-lng", "to": "all", "level": "full"}
    player_command(base, code, tokens["JP"], "disclosure_set", choices=[choice])
    player_command(base, code, tokens["ROK"], "disclosure_set", choices=[])
    expect(board_row(room, "JP")).to_contain_text("Saved: 1 choice")
    log = console.locator(".log")
    expect(log).to_contain_text("Japan saved its sealed disclosure (1 choice) · Aiko, Japan")
    expect(log).not_to_contain_text("disclosure_drafted")
    expect(board_row(room, "ROK")).to_contain_text("Saved: reveals nothing")
    expect(console.locator(".ready-prompt")).to_have_count(0)
    room.advance_button().click()
    expect(console.get_by_role("alertdialog")).to_have_text(
        re.compile(r"^United States has not saved its disclosure choices\. Advance anyway\?")
    )
    room.cancel()
    player_command(base, code, tokens["US"], "disclosure_set", choices=[])
    prompt = console.locator(".ready-prompt")
    expect(prompt).to_contain_text("Everyone is ready — advance to Negotiation")
    room.projector_fits("disclosure", screenshot)
    screenshot(console, "console-ready-prompt")
    room.advance_button().click()  # everyone is ready: a plain question, no warning
    expect(console.get_by_role("group", name=re.compile("End Red lines now"))).to_be_visible()
    expect(console.get_by_role("alertdialog")).to_have_count(0)
    room.cancel()
    prompt.get_by_role("button", name="Advance to Negotiation").click()

    # Negotiation: an offer awaiting Japan's answer; never a prompt.
    expect(console.locator(".status").first).to_contain_text("Negotiation")
    for page in room.projectors.values():  # the revealed red line is on the screen
        expect(page.locator(".room-line", has_text="Russian share of LNG imports")).to_be_visible()
    term = {"by": "JP", "lever": "russian_lng_share", "op": "<=", "value": 3, "duration": "round"}
    player_command(base, code, tokens["ROK"], "offer_propose", to=["JP"], terms=[term])
    expect(board_row(room, "JP")).to_contain_text("Waiting for: answers to offers")
    expect(board_row(room, "JP").locator("td").nth(2)).to_have_text("1")
    room.advance_button().click()
    expect(console.get_by_role("alertdialog")).to_contain_text(
        "Japan has 1 offer awaiting its answer; it expires when negotiation ends."
    )
    expect(console.locator(".ready-prompt")).to_have_count(0)
    room.projector_fits("negotiation", screenshot)
    console.get_by_role("button", name="Yes, advance").click()

    # Decision: Korea has not locked; once it has, the prompt.
    expect(board_row(room, "JP")).to_contain_text("Not started")
    player_command(base, code, tokens["JP"], "decision_set", values={"russian_lng_share": 5})
    expect(board_row(room, "JP")).to_contain_text("Drafted, not locked")
    player_command(base, code, tokens["JP"], "decision_lock")
    player_command(base, code, tokens["US"], "decision_lock")
    expect(board_row(room, "US")).to_contain_text("Ready")
    room.advance_button().click()
    expect(console.get_by_role("alertdialog")).to_have_text(
        re.compile(r"^Republic of Korea has not locked its decision\. Advance anyway\?")
    )
    room.projector_fits("decision", screenshot)
    console.set_viewport_size(WIDE)
    screenshot(console, "console-warning-1920")
    room.cancel()
    player_command(base, code, tokens["ROK"], "decision_lock")
    expect(prompt).to_contain_text("Everyone is ready — advance to Results")
    console.set_viewport_size(WIDE)
    screenshot(console, "console-ready-1920")
    console.set_viewport_size(CONSOLE)
    prompt.get_by_role("button", name="Advance to Results").click()

    # Results, then the end.
    for page in room.projectors.values():
        expect(page.get_by_role("heading", name="Round 1 results")).to_be_visible()
    room.projector_fits("results", screenshot)

    # Round 2 straight to its results: the room's chart of the rounds appears.
    for phase in ("Briefing", "Red lines", "Negotiation", "Decision", "Results"):
        room.advance_button().click()
        console.get_by_role("button", name="Yes, advance").click()
        expect(console.locator(".status").first).to_contain_text(f"Round 2 of 4 · {phase}")
    for page in room.projectors.values():
        expect(page.get_by_role("heading", name="Alignment by round")).to_be_visible()
    room.projector_fits("results", screenshot, "-round-2")
    console.get_by_role("button", name="End the game").click()
    console.get_by_role("button", name="Yes, end the game").click()
    for page in room.projectors.values():
        expect(page.get_by_role("heading", name="Final scores")).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Red lines revealed: 1 of 7"))).to_be_visible()
    room.projector_fits("ended", screenshot)


def test_moving_a_player_keeps_the_panel_still_and_counts_say_what_they_count(room):
    base, code, console = room.base, room.code, room.console
    for team, name in (("US", "Ann"), ("US", "Bob"), ("JP", "Cho")):
        join(base, code, team, name)
    expect(console.get_by_text(re.compile(r"^3 players, 0 online · 1 facilitator"))).to_be_visible()
    us_card = console.locator("li.team", has_text="United States (US)")
    expect(us_card.get_by_role("heading", name=re.compile("Players"))).to_contain_text(
        "2 players, 0 online"
    )
    ann = us_card.locator("li.seat", has_text="Ann")
    ann.get_by_text("Move or remove Ann").click()
    ann.get_by_label("Team").select_option("JP")
    ann.get_by_role("button", name="Move", exact=True).click()

    jp_card = console.locator("li.team", has_text="Japan (JP)")
    expect(jp_card.get_by_text("Move or remove Ann")).to_be_focused()
    expect(console.locator("li.seat details[open]")).to_have_count(0)
    expect(console.get_by_role("button", name="Remove", exact=True)).to_have_count(0)
    expect(us_card.get_by_role("heading", name=re.compile("Players"))).to_contain_text(
        "1 player, 0 online"
    )
    expect(jp_card.get_by_role("heading", name=re.compile("Players"))).to_contain_text(
        "2 players, 0 online"
    )
