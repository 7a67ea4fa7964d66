"""Offers through the pages, in Debian's Chromium: the informed accept on every path (an offer
that costs nothing, a costly one, one crossing a red line, a fast double tap, a phone), what
a counter changes, answered offers collapsed, a reject's reason reaching the proposer, terms
that change nothing, the disclosure's audience, and controls while the game is paused.

Each test plays coalition-2022 with its timers off (the facilitator advances, over REST);
the United States and the Republic of Korea on laptops (1280 x 800), Japan on a phone
(375 x 812). Setting-up offers are sent over a page's own socket; what is tested is done
with the controls a person uses. Screenshots land in var/screenshots.
"""

import contextlib
import json
import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tablekit import timed_scenario

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000
NO_TIMERS = {"briefing": 0, "disclosure": 0, "negotiation": 0, "decision": 0}
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)


def shot(locator, name: str) -> None:
    """A PNG of one part of a page (var/screenshots), for looking at it closely."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture(autouse=True)
def patient_expect():
    """Two cores are shared by many processes here: wait as long as the pages do."""
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


class Seat:
    """One team's page, the frames its socket sent and received (in order), and its errors."""

    def __init__(self, chromium, base: str, code: str, team: str, viewport: dict):
        self.team = team
        self.context = chromium.new_context(viewport=viewport, has_touch=viewport is PHONE)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.wire: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.page.on("websocket", self._watch)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(f"{base}/join/{code}/?team={team}")
        self.page.get_by_label("Your display name").fill(f"{team} player")
        self.page.get_by_role("button", name="Join").click()
        expect(self.page.get_by_role("heading", name=f"Welcome, {team} player")).to_be_visible()

    def _watch(self, socket):
        socket.on("framesent", lambda payload: self._keep("sent", payload))
        socket.on("framereceived", lambda payload: self._keep("received", payload))

    def _keep(self, way: str, payload):
        with contextlib.suppress(TypeError, ValueError):
            self.wire.append((way, json.loads(payload)))

    def command(self, kind: str, **payload) -> dict:
        """A command over the page's own socket (to set a scene up)."""
        return self.page.evaluate(
            "([kind, payload]) => globalThis.redlines.socket.command(kind, payload)",
            [kind, payload],
        )

    def offer(self, offer_id: str):
        """The card of an offer, open or folded away among the answered ones."""
        heading = self.page.locator("h4", has_text=re.compile(f"^\\s*Offer {offer_id} "))
        return self.page.locator("li.offer", has=heading)

    def tab(self, name: str):
        self.page.get_by_role("tab", name=re.compile(f"^{name}")).click()

    def received_text(self) -> str:
        return "\n".join(json.dumps(frame) for way, frame in self.wire if way == "received")


@pytest.fixture
def table(chromium, leg):
    """A fresh untimed coalition-2022 game in round 1 briefing, a seat per team."""
    base = leg.first.url
    document = timed_scenario(NO_TIMERS, slug=f"e2e-offers-{uuid.uuid4().hex[:8]}")
    leg.staff.import_scenario(base, document)
    code = leg.staff.create_game(base, scenario=document["slug"])
    seats = {
        team: Seat(chromium, leg.server(index).url, code, team, PHONE if team == "JP" else LAPTOP)
        for index, team in enumerate(("US", "JP", "ROK"))
    }

    def facilitator(kind: str, **payload):
        return leg.staff.command(base, code, kind, **payload)

    facilitator("start")
    yield seats, facilitator
    for seat in seats.values():
        assert not seat.errors, f"{seat.team}: {seat.errors}"
        seat.context.close()


def to_negotiation(seats, facilitator):
    facilitator("advance")
    facilitator("advance")
    for seat in seats.values():
        expect(seat.page.locator(".status").first).to_contain_text("Negotiation")


def term(by, lever, op, value, duration="round"):
    return {"by": by, "lever": lever, "op": op, "value": value, "duration": duration}


def no_sideways_scroll(seat: Seat) -> None:
    width = seat.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= seat.page.viewport_size["width"], f"{seat.team}'s page is {width} px wide"


def previews_of(seat: Seat, offer_id: str) -> list[dict]:
    return [
        frame
        for way, frame in seat.wire
        if way == "sent" and frame.get("type") == "preview" and frame.get("offer") == offer_id
    ]


def wait_until(seat: Seat, condition, timeout_ms: int = TIMEOUT_MS):
    for _ in range(timeout_ms // 50):
        if condition():
            return
        seat.page.wait_for_timeout(50)
    raise AssertionError("condition not reached in time")


def sent_before_preview(seat: Seat, offer_id: str) -> list[str]:
    """Problems: an offer_accept for `offer_id` sent before a preview of it was answered."""
    asked, answered = set(), False
    for way, frame in seat.wire:
        if way == "sent" and frame.get("type") == "preview" and frame.get("offer") == offer_id:
            asked.add(frame["id"])
        if way == "received" and frame.get("type") == "preview" and frame.get("id") in asked:
            answered = True
        accepting = frame.get("type") == "offer_accept" and frame.get("offer") == offer_id
        if way == "sent" and accepting and not answered:
            return [f"offer_accept {offer_id} sent before its preview was answered"]
    return []


def accept_informed(seat: Seat, offer_id: str):
    """Check and accept, the way a person does: the preview first, then Accept."""
    card = seat.offer(offer_id)
    card.get_by_role("button", name=f"Check and accept {offer_id}").click()
    check = card.get_by_role("group", name=f"What {offer_id} means for your team")
    expect(check).to_be_visible()
    expect(card.locator("h4 .tag")).to_have_text("open")
    expect(check.get_by_text("Domestic cost for you")).to_be_visible()
    return check


def test_accept_shows_the_preview_first_on_every_path(table):
    """Free, costly and red-line offers all take the same two steps on the phone: "Check and
    accept" shows the server's preview for this offer (the offer stays open); only "Accept"
    under it accepts. No offer_accept leaves before its preview was answered."""
    seats, facilitator = table
    us, jp = seats["US"], seats["JP"]
    to_negotiation(seats, facilitator)
    # o1 costs Japan nothing; o2 costs it sanctions points; o3 and o4 cut Russian LNG below
    # Japan's floor of 5 %: for 3 Mt of US LNG (o3, its condition of 4 unmet) or 4 (o4, met).
    us.command("offer_propose", to=["JP"], terms=[term("US", "us_lng_to_allies", ">=", 2)])
    us.command("offer_propose", to=["JP"], terms=[term("JP", "autonomous_sanctions", ">=", 80)])
    cut = term("JP", "russian_lng_share", "<=", 4)
    us.command("offer_propose", to=["JP"], terms=[term("US", "us_lng_to_allies", ">=", 3), cut])
    us.command("offer_propose", to=["JP"], terms=[term("US", "us_lng_to_allies", ">=", 4), cut])
    jp.tab("Negotiation")

    free = accept_informed(jp, "o1")
    expect(free.get_by_text(re.compile(r"Domestic cost for you: 0\.0"))).to_be_visible()
    expect(free.get_by_text("Crosses none of your red lines")).to_be_visible()
    free.get_by_role("button", name="Accept o1", exact=True).click()
    expect(jp.offer("o1").locator("h4 .tag")).to_have_text("accepted")

    costly = accept_informed(jp, "o2")
    expect(costly.get_by_text(re.compile(r"Domestic cost for you: \+4\.0"))).to_be_visible()
    costly.get_by_role("button", name="Accept o2", exact=True).click()
    expect(jp.offer("o2").locator("h4 .tag")).to_have_text("accepted")

    # The same cut: o3 crosses the red line and says what is missing; o4 meets its condition.
    crossing = accept_informed(jp, "o3")
    expect(crossing.get_by_text("Crosses your red line")).to_be_visible()
    expect(crossing.locator(".condition-missing")).to_contain_text(
        "United States: US LNG committed to Japan and South Korea at least 4"
    )
    expect(crossing.locator(".condition-missing")).to_contain_text(
        "missing: only 3 Mt/yr is promised"
    )
    shot(jp.offer("o3"), "offers-red-line-phone")
    no_sideways_scroll(jp)
    crossing.get_by_role("button", name="Not now").click()
    expect(jp.offer("o3").get_by_role("button", name="Check and accept o3")).to_be_visible()
    met = accept_informed(jp, "o4")
    expect(met.locator(".condition-met")).to_contain_text("met by a term of this offer")
    met.get_by_role("button", name="Accept o4", exact=True).click()
    expect(jp.offer("o4").locator("h4 .tag")).to_have_text("accepted")
    for offer_id in ("o1", "o2", "o4"):
        assert sent_before_preview(jp, offer_id) == []


TAP_WHEN_ACCEPT_APPEARS = """(name) => {
  globalThis.earlyTaps = [];
  const find = () =>
    [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === name);
  const observer = new MutationObserver(() => {
    const button = find();
    if (!button) return;
    observer.disconnect();
    for (const wait of [0, 100, 300]) {
      setTimeout(() => { find()?.click(); globalThis.earlyTaps.push(wait); }, wait);
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
}"""


def test_a_fast_double_tap_never_accepts_unseen(table, screenshot):
    """A double tap on "Check and accept", and taps on "Accept" the moment it appears (and
    100 and 300 ms later), all leave the offer open and ask one preview; "Accept" acts once
    its preview has been on screen."""
    seats, facilitator = table
    us, jp = seats["US"], seats["JP"]
    to_negotiation(seats, facilitator)
    us.command("offer_propose", to=["JP"], terms=[term("US", "us_lng_to_allies", ">=", 2)])
    jp.tab("Negotiation")
    card = jp.offer("o1")
    # Taps on "Accept" the moment it appears, and 100 and 300 ms later (timed in the page).
    jp.page.evaluate(TAP_WHEN_ACCEPT_APPEARS, "Accept o1")
    card.get_by_role("button", name="Check and accept o1").dblclick()
    accept = card.get_by_role("button", name="Accept o1", exact=True)
    expect(accept).to_be_visible()
    jp.page.wait_for_function("() => globalThis.earlyTaps && globalThis.earlyTaps.length === 3")
    jp.page.wait_for_timeout(300)  # an accept sent by those taps would be on the wire by now
    expect(card.locator("h4 .tag")).to_have_text("open")
    assert not [f for way, f in jp.wire if way == "sent" and f.get("type") == "offer_accept"]
    assert len(previews_of(jp, "o1")) == 1, "the double tap asked twice"
    shot(card, "offers-check-phone")
    screenshot(jp.page, "offers-check-phone-page")
    expect(accept).to_be_enabled()
    accept.click()
    expect(jp.offer("o1").locator("h4 .tag")).to_have_text("accepted")
    assert sent_before_preview(jp, "o1") == []


def test_laptop_accept_and_a_stale_preview_asks_again(table):
    """On a laptop too "Check and accept" only shows the preview. When the offer changes
    under it (another addressee accepts), the preview is asked again for the new version."""
    seats, facilitator = table
    us, jp, rok = seats["US"], seats["JP"], seats["ROK"]
    to_negotiation(seats, facilitator)
    jp.command(
        "offer_propose",
        to=["US", "ROK"],
        terms=[
            term("US", "us_lng_to_allies", ">=", 2),
            term("ROK", "humanitarian_support", ">=", 20),
        ],
    )
    us.tab("Negotiation")
    accept_informed(us, "o1")
    asked = len(previews_of(us, "o1"))
    shot(us.offer("o1"), "offers-check-laptop")
    rok.command("offer_accept", offer="o1")
    expect(us.offer("o1")).to_contain_text("Accepted so far by")
    wait_until(us, lambda: len(previews_of(us, "o1")) == asked + 1)
    expect(us.offer("o1").get_by_role("button", name="Accept o1", exact=True)).to_be_enabled()
    us.offer("o1").get_by_role("button", name="Accept o1", exact=True).click()
    expect(us.offer("o1").locator("h4 .tag")).to_have_text("accepted")
    assert sent_before_preview(us, "o1") == []


def test_counter_shows_its_changes_and_answered_offers_fold(table, screenshot):
    """Japan's counter to o1 reads as changes (a value changed, a term added, one removed);
    the countered o1 folds into a summary line that opens to the whole offer."""
    seats, facilitator = table
    us, jp = seats["US"], seats["JP"]
    to_negotiation(seats, facilitator)
    us.command(
        "offer_propose",
        to=["JP"],
        terms=[
            term("US", "us_lng_to_allies", ">=", 4),
            term("JP", "russian_lng_share", "<=", 3),
            term("JP", "diplomatic_solidarity", ">=", 80),
        ],
    )
    jp.command(
        "offer_counter",
        offer="o1",
        to=["US"],
        terms=[
            term("US", "us_lng_to_allies", ">=", 6, "game"),
            term("JP", "russian_lng_share", "<=", 3),
            term("JP", "humanitarian_support", ">=", 50),
        ],
    )
    us.tab("Negotiation")
    counter = us.offer("o2")
    diff = counter.locator(".counter-diff")
    expect(diff).to_contain_text("Counter to o1 — what it changes")
    changed = diff.locator(".diff-changed")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("at least 4 Mt/yr")
    expect(changed).to_contain_text("at least 6 Mt/yr")
    expect(diff.locator(".diff-added")).to_contain_text("Humanitarian support and admissions")
    expect(diff.locator(".diff-removed")).to_contain_text("Diplomatic solidarity")
    expect(diff).not_to_contain_text("Russian share of LNG imports")  # unchanged: not listed
    folded = us.page.locator("li.closed-offer", has_text="Offer o1")
    expect(folded.locator("summary")).to_contain_text("countered")
    expect(folded.locator("summary")).to_contain_text("3 terms")
    expect(us.offer("o1")).to_be_hidden()
    folded.locator("summary").click()
    expect(us.offer("o1")).to_be_visible()
    shot(
        us.page.locator("section.card", has=us.page.get_by_role("heading", name="Offers")),
        "offers-counter-laptop",
    )
    jp.tab("Negotiation")
    expect(jp.offer("o2").locator(".diff-changed")).to_have_count(1)
    shot(jp.offer("o2"), "offers-counter-phone")
    no_sideways_scroll(jp)
    screenshot(us.page, "offers-counter-laptop-page")


def test_reject_reason_reaches_the_proposer_only(table):
    """Japan rejects o1 with a reason: the US (the proposer) reads it under the folded offer;
    Korea, not a party, receives neither the offer nor the reason in any frame."""
    seats, facilitator = table
    us, jp, rok = seats["US"], seats["JP"], seats["ROK"]
    to_negotiation(seats, facilitator)
    us.command("offer_propose", to=["JP"], terms=[term("JP", "autonomous_sanctions", ">=", 90)])
    jp.tab("Negotiation")
    card = jp.offer("o1")
    card.get_by_role("button", name="Reject o1").click()
    form = card.get_by_role("form", name="Reject o1")
    reason = "MARKER-REASON: the Diet will not pass it this year."
    form.get_by_label("Why?").fill(reason)
    shot(card, "offers-reject-phone")
    no_sideways_scroll(jp)
    form.get_by_role("button", name="Send the rejection").click()
    expect(jp.offer("o1").locator("h4 .tag")).to_have_text("rejected")
    us.tab("Negotiation")
    folded = us.page.locator("li.closed-offer", has_text="Offer o1")
    folded.locator("summary").click()
    expect(us.offer("o1").locator(".reject-reason")).to_have_text(f"Rejected by Japan: “{reason}”")
    expect(jp.offer("o1").locator(".reject-reason")).to_contain_text(reason)
    rejected = [f for w, f in jp.wire if w == "sent" and f.get("type") == "offer_reject"]
    assert rejected and rejected[-1]["reason"] == reason
    assert "MARKER-REASON" not in rok.received_text()
    assert "MARKER-REASON" not in rok.page.content()


def test_a_term_that_changes_nothing_is_flagged(table):
    """ "At least" the value a team already has asks for no move: flagged while composing, and
    the flag goes once the value asks for a move."""
    seats, facilitator = table
    us = seats["US"]
    to_negotiation(seats, facilitator)
    us.tab("Negotiation")
    composer = us.page.get_by_role("form", name="Make an offer")
    first = composer.get_by_role("group", name="Term 1")
    # Before any team is chosen, the US's own term at its current value is flagged already.
    expect(first.locator(".no-move")).to_contain_text("United States is already at 85 index")
    composer.get_by_role("checkbox", name="Japan").check()
    first.get_by_label("Who commits").select_option("JP")
    first.get_by_label("Lever").select_option("autonomous_sanctions")
    first.get_by_label("Value").fill("55")
    flag = first.locator(".no-move")
    expect(flag).to_contain_text("Changes nothing")
    expect(flag).to_contain_text("Japan is already at 60 index")
    shot(first, "offers-no-move-laptop")
    first.get_by_label("Value").fill("70")
    expect(
        composer.get_by_text("Estimated round score").or_(
            composer.get_by_text("Domestic cost for you")
        )
    ).to_be_visible()
    expect(flag).to_have_count(0)
    first.get_by_label("Commitment").select_option("<=")
    expect(first.locator(".no-move")).to_contain_text("“at most 70 index” asks for no move")


def test_disclosure_audience_is_one_choice(table):
    """The audience is one choice, everyone or chosen partners; partners are picked only for
    the second, and the sealed choice saved is what was chosen."""
    seats, facilitator = table
    jp = seats["JP"]
    facilitator("advance")
    expect(jp.page.locator(".status").first).to_contain_text("Round 1 of 1 · Red lines")
    expect(jp.page.get_by_role("tab", name="Red lines")).to_have_attribute("aria-selected", "true")
    jp.tab("Red lines")
    line = jp.page.get_by_role("group", name=re.compile("Russian share of LNG imports"))
    line.get_by_label("Reveal").select_option("full")
    audience = line.get_by_role("group", name="Reveal to")
    expect(audience.get_by_role("radio", name=re.compile("^Everyone"))).to_be_checked()
    expect(audience.get_by_role("checkbox")).to_have_count(0)
    audience.get_by_role("radio", name="Chosen partners only").check()
    partners = audience.get_by_role("group", name="Which partners?")
    expect(partners.get_by_role("checkbox")).to_have_count(2)
    partners.get_by_role("checkbox", name="United States").check()
    shot(line, "offers-disclosure-audience-phone")
    no_sideways_scroll(jp)
    jp.page.get_by_role("button", name="Save sealed choices").click()
    expect(jp.page.get_by_role("status").filter(has_text=re.compile("^Saved$"))).to_be_visible()
    saved = jp.page.evaluate("() => globalThis.redlines.store.get().view.disclosures.JP")
    assert saved == [{"red_line": "jp-sakhalin-lng", "to": ["US"], "level": "full"}]
    audience.get_by_role("radio", name=re.compile("^Everyone")).check()
    expect(audience.get_by_role("checkbox")).to_have_count(0)
    jp.page.get_by_role("button", name="Save sealed choices").click()
    jp.page.wait_for_function(
        "() => globalThis.redlines.store.get().view.disclosures.JP[0].to === 'all'"
    )


def test_paused_controls_say_so_before_the_click(table):
    """While paused, the offer controls that cannot act are disabled and say why (no error
    after a click); on resume they act again."""
    seats, facilitator = table
    us, jp = seats["US"], seats["JP"]
    to_negotiation(seats, facilitator)
    us.command("offer_propose", to=["JP"], terms=[term("US", "us_lng_to_allies", ">=", 2)])
    jp.tab("Negotiation")
    facilitator("pause")
    card = jp.offer("o1")
    expect(card.get_by_text("Paused — the facilitator will resume the game")).to_be_visible()
    for name in ("Check and accept o1", "Reject o1", "Counter o1"):
        expect(card.get_by_role("button", name=name)).to_be_disabled()
    expect(card.get_by_role("button", name="What it means for us")).to_be_enabled()
    jp.page.locator("details.composer-fold > summary").click()  # folded on a phone
    composer = jp.page.get_by_role("form", name="Make an offer")
    expect(composer.get_by_role("button", name="Propose")).to_be_disabled()
    expect(composer.get_by_text("Paused — the facilitator will resume the game")).to_be_visible()
    expect(jp.page.locator(".error")).to_have_count(0)
    shot(card, "offers-paused-phone")
    no_sideways_scroll(jp)
    jp.tab("Red lines")
    expect(jp.page.get_by_role("button", name="Reveal now").first).to_be_disabled()
    facilitator("resume")
    jp.tab("Negotiation")
    expect(card.get_by_role("button", name="Check and accept o1")).to_be_enabled()
    accept_informed(jp, "o1").get_by_role("button", name="Accept o1", exact=True).click()
    expect(jp.offer("o1").locator("h4 .tag")).to_have_text("accepted")
    # The decision: sliders and the lock wait, and say why.
    facilitator("advance")
    expect(jp.page.locator(".status").first).to_contain_text("Decision")
    facilitator("pause")
    jp.tab("Decision")
    panel = jp.page.locator("#panel-decision")
    expect(panel.get_by_text("Paused — the facilitator will resume the game")).to_be_visible()
    expect(panel.get_by_role("button", name="Lock our decision")).to_be_disabled()
    expect(panel.get_by_role("slider").first).to_be_disabled()
    facilitator("resume")
    expect(panel.get_by_role("button", name="Lock our decision")).to_be_enabled()
