"""The facilitator's console and the observer page on a 375 px phone, in Debian's Chromium:
in every phase of a round, at the end and in the debrief, the document is never wider than
the screen (wide tables scroll inside their own box)."""

from playwright.sync_api import expect
from tablekit import join

PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 15_000
PHASES = ["Briefing", "Red lines", "Negotiation", "Decision", "Results"]


def fits(page, where: str) -> None:
    page.wait_for_timeout(150)  # let the last frame render
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{where}: the page is {width} px wide on a {window} px screen"


def test_console_and_observer_fit_a_phone_in_every_phase(chromium, leg, screenshot):
    base = leg.first.url
    code = leg.staff.create_game(base)
    errors: list[str] = []
    contexts = []

    def phone(cookies=()):
        context = chromium.new_context(viewport=PHONE, has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies(list(cookies))
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    console = phone([
        {"name": "sessionid", "value": leg.staff.session, "url": base},
        {"name": "csrftoken", "value": leg.staff.csrf, "url": base},
    ])  # fmt: skip
    console.goto(f"{base}/console/{code}/")
    observer = phone()
    observer.goto(console.locator("a[href*='/watch/']").get_attribute("href"))
    for team in ("US", "JP", "ROK"):
        join(base, code, team)
    pages = {"console": console, "observer": observer}
    try:
        for name, page in pages.items():
            expect(page.locator(".status").first).to_be_visible()
            fits(page, f"{name} in the lobby")
        leg.staff.command(base, code, "start")
        for phase in PHASES:
            for name, page in pages.items():
                expect(page.locator(".status").first).to_contain_text(phase)
                fits(page, f"{name} in {phase}")
            screenshot(console, f"narrow-console-{phase.lower().replace(' ', '-')}")
            if phase != "Results":
                leg.staff.command(base, code, "advance")
        leg.staff.command(base, code, "end")
        for name, page in pages.items():
            expect(page.get_by_text("Debrief", exact=False).first).to_be_visible()
            fits(page, f"{name} after the end")
        screenshot(console, "narrow-console-ended")
        screenshot(observer, "narrow-observer-ended")
    finally:
        for context in contexts:
            context.close()
    assert not errors, errors
