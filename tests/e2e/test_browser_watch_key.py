"""In Debian's Chromium: the facilitator replaces a leaked observer/projector link from the
console; the projector and observer pages open with the old link (on another server process
in the services leg) drop the game and say so in plain words, the old link is refused, and
the console shows the new links, which work."""

import re

from playwright.sync_api import expect

TIMEOUT_MS = 20_000
REPLACED = "This link has been replaced; ask the facilitator for the new one."


def test_replacing_the_link_closes_open_projectors_and_the_console_shows_the_new_one(
    chromium, leg, screenshot
):
    base = leg.first.url
    code = leg.staff.create_game(base)
    console_context = chromium.new_context(viewport={"width": 1280, "height": 800})
    console_context.set_default_timeout(TIMEOUT_MS)
    console_context.add_cookies([{"name": "sessionid", "value": leg.staff.session, "url": base}])
    console = console_context.new_page()
    console.goto(f"{base}/console/{code}/")
    old_projector = console.locator("a[href*='/projector/']").get_attribute("href")
    old_watch = console.locator("a[href*='/watch/']").get_attribute("href")
    other = leg.server(1).url  # the other process, in the services leg
    old_projector_there = old_projector.replace(base, other)

    viewers = chromium.new_context(viewport={"width": 1920, "height": 1080})
    viewers.set_default_timeout(TIMEOUT_MS)
    projector = viewers.new_page()
    projector.goto(old_projector_there)
    expect(projector.locator(".room-code")).to_have_text(code)  # the room's join screen
    phone = chromium.new_context(viewport={"width": 375, "height": 812})
    phone.set_default_timeout(TIMEOUT_MS)
    observer = phone.new_page()
    observer.goto(old_watch)
    expect(observer.get_by_role("heading", name="Teams")).to_be_visible()

    console.on("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="Replace the observer and projector links").click()
    expect(console.get_by_text("the old ones no longer open the game")).to_be_visible()
    new_projector = console.locator("a[href*='/projector/']").get_attribute("href")
    assert new_projector != old_projector
    assert re.search(r"/projector/[A-Z0-9]+/\?key=.+", new_projector)
    for name in ("QR code of the observer link", "QR code of the projector link"):
        image = console.get_by_role("img", name=name)
        expect(image).to_be_visible()
        image.evaluate(  # loaded: an image, not a broken link
            "img => img.decode().then(() => { if (!img.naturalWidth) throw new Error('empty'); })"
        )
    console.locator("#replace-watch-key").scroll_into_view_if_needed()
    screenshot(console, "console-links-replaced")

    for page in (projector, observer):
        expect(page.get_by_role("alert")).to_have_text(REPLACED)
        expect(page.get_by_role("heading", name="Red lines revealed to everyone")).to_have_count(0)
    screenshot(projector, "projector-link-replaced")
    screenshot(observer, "observer-link-replaced-phone")
    projector.set_viewport_size({"width": 1280, "height": 720})
    screenshot(projector, "projector-link-replaced-720")

    refused = observer.goto(old_watch)
    assert refused.status == 403
    expect(observer.get_by_text(REPLACED)).to_be_visible()
    projector.goto(new_projector)
    expect(projector.locator(".room-code")).to_have_text(code)  # the room's join screen
    for context in (console_context, viewers, phone):
        context.close()
