"""The player's pages on a 375 px phone, in Debian's Chromium: every page of every phase fits
the screen's width, the phase and the time left stay in view, what needs an answer comes
first, and a team notices what happened (unread chat, offers awaiting it, news of its own
offers, red lines revealed by it or to it, written from its side).

Japan plays on a phone and Korea on a laptop, both in the browser; the United States plays
through the REST API and the facilitator through the staff API. Screenshots of each phase at
375x812 and 1280x800 land in var/screenshots.
"""

import re

import pytest
from playwright.sync_api import expect
from tablekit import SCREENSHOTS, join, request_json

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000
TABS = ("Briefing", "Red lines", "Negotiation", "Decision", "Results")


class Browser:
    """One page in its own browser context, with the errors it logged."""

    def __init__(self, chromium, viewport: dict):
        self.context = chromium.new_context(viewport=viewport)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def join(self, base: str, code: str, team: str, name: str):
        self.page.goto(f"{base}/join/{code}/?team={team}")
        self.page.get_by_label("Your display name").fill(name)
        self.page.get_by_role("button", name="Join").click()
        expect(self.page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()

    def command(self, type: str, **payload):
        """A command sent over the page's own socket (what its controls do)."""
        return self.page.evaluate(
            "([type, payload]) => redlines.socket.command(type, payload)", [type, payload]
        )


def overflow(page) -> tuple[int, int]:
    """(document width, viewport width) of the page as it is now."""
    return tuple(
        page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
    )


WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter((node) => node.getBoundingClientRect().right > document.documentElement.clientWidth + .5)
  .slice(-4)
  .map((node) => `${node.tagName}.${node.className} "${node.textContent.slice(0, 40)}"`)"""


def assert_fits(page, where: str):
    width, viewport = overflow(page)
    assert width <= viewport, (
        f"{where}: the page is {width} px wide on a {viewport} px screen; "
        f"past the edge: {page.evaluate(WIDEST)}"
    )


def assert_every_tab_fits(page, where: str):
    for name in TABS:
        tab = page.get_by_role("tab", name=re.compile(f"^{name}"))
        if tab.count():
            tab.click()
            assert_fits(page, f"{where}, tab {name}")


def wait_phase(page, text: str):
    expect(page.locator(".game-header .status")).to_contain_text(text)


def shot(page, name: str):
    """What the screen shows (not the whole page): the sticky header and the notices where
    the person sees them."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def toast(page, text):
    return page.locator(".toasts .toast", has_text=text)


@pytest.fixture
def table(chromium, leg):
    base = leg.first.url
    code = leg.staff.create_game(base)
    phone, laptop = Browser(chromium, PHONE), Browser(chromium, LAPTOP)
    yield base, code, phone, laptop
    for browser in (phone, laptop):
        assert not browser.errors, browser.errors
        browser.context.close()


def test_the_phone_fits_and_notices_what_happened(table, leg, screenshot):
    base, code, jp, rok = table
    staff = leg.staff

    def facilitator(type: str, **payload):
        return staff.command(base, code, type, **payload)

    us_token = join(base, code, "US", "US player")

    def us(type: str, **payload):
        return request_json(
            f"{base}/api/games/{code}/commands",
            method="POST",
            body={"type": type, **payload},
            headers={"X-Player-Token": us_token},
        )

    # Home, join and joined pages: the width of the phone, no developer links.
    jp.page.goto(f"{base}/")
    assert_fits(jp.page, "home")
    expect(jp.page.get_by_role("link", name="REST API")).to_have_count(0)
    expect(jp.page.get_by_role("link", name="health")).to_have_count(0)
    screenshot(jp.page, "phone-home")
    second = jp.context.new_page()  # the join form, still open when the seat is taken
    second.goto(f"{base}/join/{code}/?team=JP")
    assert_fits(second, "join")
    jp.join(base, code, "JP", "JP player")
    rok.join(base, code, "ROK", "ROK player")
    second.get_by_label("Your display name").fill("JP twin")
    second.get_by_role("button", name="Join").click()
    expect(second.get_by_role("link", name="Go to your table")).to_be_visible()
    assert_fits(second, "joined")
    second.close()
    expect(jp.page.get_by_role("heading", name="Who is here")).to_be_visible()
    assert_fits(jp.page, "lobby")
    shot(jp.page, "phone-lobby-screen")

    # Briefing: the header with the phase and the time left stays in view.
    facilitator("start")
    wait_phase(jp.page, "Round 1 of 4 · Briefing")
    assert_every_tab_fits(jp.page, "briefing")
    jp.page.get_by_role("tab", name=re.compile("^Briefing")).click()
    brief = jp.page.locator("details.card-fold", has_text="Your team's brief")
    expect(brief.get_by_text("Private brief (your team only)")).to_be_hidden()
    brief.locator("summary").click()
    expect(brief.get_by_text("Private brief (your team only)")).to_be_visible()
    jp.page.mouse.wheel(0, 3000)
    jp.page.wait_for_function("() => window.scrollY > 500")
    header = jp.page.locator(".sticky-top")
    assert header.bounding_box()["y"] == 0
    expect(header.get_by_role("timer")).to_contain_text("left")
    expect(header.get_by_role("tab", name=re.compile("^Negotiation"))).to_be_in_viewport()
    shot(jp.page, "phone-briefing-screen")
    shot(rok.page, "laptop-briefing")

    # Disclosure.
    facilitator("advance")
    wait_phase(jp.page, "Red lines")
    assert_every_tab_fits(jp.page, "disclosure")
    jp.page.get_by_role("tab", name=re.compile("^Red lines")).click()
    shot(jp.page, "phone-disclosure-screen")
    rok.page.get_by_role("tab", name=re.compile("^Red lines")).click()
    shot(rok.page, "laptop-disclosure")

    # Negotiation: Japan reveals a red line to Korea; each side reads it from its own side.
    facilitator("advance")
    wait_phase(jp.page, "Negotiation")
    wait_phase(rok.page, "Negotiation")
    jp.command("reveal", red_line="jp-sakhalin-lng", to=["ROK"], level="full")
    expect(toast(jp.page, "You revealed a red line on")).to_contain_text("to Republic of Korea")
    expect(toast(rok.page, "Japan revealed a red line on")).to_contain_text("to you")
    expect(toast(jp.page, "Japan revealed")).to_have_count(0)

    # An offer to Japan: counted on its negotiation tab and section, and told in a notice;
    # on the phone it comes before the (folded) composer.
    us(
        "offer_propose",
        to=["JP"],
        terms=[
            {"by": "US", "lever": "us_lng_to_allies", "op": ">=", "value": 4, "duration": "round"}
        ],
    )
    expect(toast(jp.page, "United States sent you offer o1")).to_be_visible()
    negotiation_tab = jp.page.get_by_role("tab", name=re.compile("^Negotiation"))
    expect(negotiation_tab).to_have_accessible_name(re.compile("1 awaiting your answer"))
    jp.page.get_by_role("tab", name=re.compile("^Briefing")).click()
    toast(jp.page, "United States sent you offer o1").get_by_role("button", name="Show").click()
    expect(negotiation_tab).to_have_attribute("aria-selected", "true")
    waiting = jp.page.get_by_role("heading", name=re.compile("Waiting for your answer"))
    expect(waiting).to_have_accessible_name(re.compile("1 awaiting your answer"))
    offer = jp.page.locator("li.offer", has_text="Offer o1")
    composer = jp.page.locator("details.composer-fold")
    assert offer.bounding_box()["y"] < composer.bounding_box()["y"]
    expect(composer.get_by_role("button", name="Propose")).to_be_hidden()
    composer.locator("summary").click()
    expect(composer.get_by_role("button", name="Propose")).to_be_visible()
    assert_fits(jp.page, "negotiation, composer open")
    shot(jp.page, "phone-negotiation-screen")

    # What happens to Japan's own offers: rejected, accepted, countered, expired.
    lng = [{"by": "JP", "lever": "russian_lng_share", "op": "<=", "value": 8, "duration": "round"}]
    for _ in range(4):
        jp.command("offer_propose", to=["US"], terms=lng)
    us("offer_reject", offer="o2")
    expect(toast(jp.page, "United States rejected your offer o2")).to_be_visible()
    us("offer_accept", offer="o3")
    expect(toast(jp.page, "Your offer o3 was accepted")).to_be_visible()
    us("offer_counter", offer="o4", to=["JP"], terms=lng)
    expect(toast(jp.page, "United States countered your offer o4 with o6")).to_be_visible()
    expect(toast(jp.page, "sent you a counter-offer")).to_have_count(0)
    expect(negotiation_tab).to_have_accessible_name(re.compile("2 awaiting your answer"))
    jp.page.evaluate("() => window.scrollTo(0, 0)")
    shot(jp.page, "phone-notices-screen")
    shot(rok.page, "laptop-negotiation")

    # Chat: a private message from Korea to Japan is counted on its channel tab and on the
    # jump link in Japan's header until Japan opens that channel; Korea's own message is not.
    rok.command("chat", channel=["ROK", "JP"], text="Shall we align on LNG?")
    rok.command("chat", channel="all", text="Hello everyone.")
    jump = jp.page.get_by_role("link", name=re.compile("^Chat"))
    expect(jump).to_have_accessible_name(re.compile("2 unread"))
    expect(jp.page).to_have_title(re.compile(r"^\(4\) "))  # 2 offers and 2 messages wait
    private = jp.page.get_by_role("tab", name=re.compile("^With Republic of Korea"))
    expect(private).to_have_accessible_name(re.compile("1 unread"))
    expect(rok.page.get_by_role("tab", name=re.compile("^With Japan"))).not_to_have_accessible_name(
        re.compile("unread")
    )
    jump.click()
    expect(jp.page.locator("#chat")).to_be_in_viewport()
    private.click()
    expect(jp.page.get_by_text("Shall we align on LNG?")).to_be_visible()
    expect(private).not_to_have_accessible_name(re.compile("unread"))
    expect(jump).not_to_have_accessible_name(re.compile("unread"))
    jp.command("chat", channel=["JP", "ROK"], text="Yes, at 8 percent.")
    expect(rok.page.get_by_role("tab", name=re.compile("^With Japan"))).to_have_accessible_name(
        re.compile("1 unread")
    )
    assert_every_tab_fits(jp.page, "negotiation")

    # Decision: the offers left open expire, and Japan's own is told so.
    facilitator("advance")
    wait_phase(jp.page, "Decision")
    expect(toast(jp.page, "Your offer o5 expired")).to_be_visible()
    expect(negotiation_tab).not_to_have_accessible_name(re.compile("awaiting"))
    assert_every_tab_fits(jp.page, "decision")
    jp.page.get_by_role("tab", name=re.compile("^Decision")).click()
    expect(jp.page.get_by_role("button", name="Lock our decision")).to_be_in_viewport()
    expect(jp.page.get_by_text(re.compile("^Number of new or renewed"))).to_be_hidden()
    shot(jp.page, "phone-decision-screen")
    screenshot(jp.page, "phone-decision")
    rok.page.get_by_role("tab", name=re.compile("^Decision")).click()
    shot(rok.page, "laptop-decision")

    # Results.
    facilitator("advance")
    wait_phase(jp.page, "Results")
    expect(jp.page.get_by_role("heading", name="Round 1 results")).to_be_visible()
    assert_every_tab_fits(jp.page, "results")
    jp.page.get_by_role("tab", name=re.compile("^Results")).click()
    expect(jp.page.locator(".side-chart")).to_be_hidden()  # the tab has the chart already
    screenshot(jp.page, "phone-results")
    shot(jp.page, "phone-results-screen")
    shot(rok.page, "laptop-results")

    # The end: the debrief, the report and the replay.
    facilitator("end")
    expect(jp.page.get_by_text(re.compile("Debrief: the game has ended"))).to_be_visible()
    assert_every_tab_fits(jp.page, "debrief")
    jp.page.get_by_role("tab", name=re.compile("^Results")).click()
    screenshot(jp.page, "phone-debrief")
    shot(jp.page, "phone-debrief-screen")
    shot(rok.page, "laptop-debrief")
    for path in (f"/games/{code}/report/", f"/games/{code}/replay/"):
        jp.page.goto(base + path, timeout=90_000)
        assert_fits(jp.page, path)
    screenshot(jp.page, "phone-replay")
