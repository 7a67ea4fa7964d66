"""Private chat in the debrief, in Debian's Chromium: after the end a team's page keeps
other teams' private chat from it and says so, until the facilitator reveals chat from the
console (with a confirmation); the page then shows it, live, and says who revealed it."""

import re

from playwright.sync_api import expect
from tablekit import join, request_json
from test_browser_workshop import LAPTOP, PHONE, TIMEOUT_MS, Seat

BILATERAL = "Between us: Tokyo can live with 40."


def console_page(chromium, leg, base: str, code: str):
    context = chromium.new_context(viewport=LAPTOP)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([
        {"name": "sessionid", "value": leg.staff.session, "url": base},
        {"name": "csrftoken", "value": leg.staff.csrf, "url": base},
    ])  # fmt: skip
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/console/{code}/")
    return context, page, errors


def test_the_facilitator_reveals_chat_for_the_debrief_from_the_console(chromium, leg, screenshot):
    base = leg.first.url
    code = leg.staff.create_game(base)
    us_token = join(base, code, "US")
    join(base, code, "JP")
    rok = Seat(chromium, base, code, "ROK", PHONE)
    rok.join("ROK player")
    context, console, errors = console_page(chromium, leg, base, code)
    try:
        leg.staff.command(base, code, "start")
        request_json(
            f"{base}/api/games/{code}/commands",
            method="POST",
            body={"type": "chat", "channel": ["US", "JP"], "text": BILATERAL},
            headers={"X-Player-Token": us_token},
        )
        leg.staff.command(base, code, "end")

        # After the end: ROK's page says private chat stays private, and does not hold it.
        banner = rok.page.locator(".banner-debrief")
        expect(banner).to_contain_text("Private chat stays with its parties")
        section = console.get_by_role("region", name="Chat in the debrief")
        expect(section).to_contain_text("Private chat stays with its parties")
        assert BILATERAL not in rok.everything_received()

        # Revealing asks first; cancelling changes nothing.
        section.get_by_role("button", name="Reveal chat for the debrief").click()
        expect(section.get_by_text(re.compile("Show every team's private chat"))).to_be_visible()
        screenshot(console, "console-debrief-chat-confirm")
        section.get_by_role("button", name="Cancel").click()
        assert BILATERAL not in rok.everything_received()
        section.get_by_role("button", name="Reveal chat for the debrief").click()
        section.get_by_role("button", name="Yes, reveal chat").click()
        expect(section).to_contain_text("Chat between teams was revealed for the debrief")
        expect(section.get_by_role("button", name="Keep private chat private")).to_be_visible()

        # ROK's page follows without a reload.
        expect(banner).to_contain_text(
            "Chat between teams was revealed for the debrief by the facilitator."
        )
        rok.page.get_by_role("tab", name="US · JP").click()
        expect(rok.page.get_by_text(BILATERAL)).to_be_visible()
        screenshot(rok.page, "player-debrief-chat-revealed-phone")
        assert rok.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
        rok.context.close()
    assert not errors, errors
    assert not rok.errors, rok.errors
