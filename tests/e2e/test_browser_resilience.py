"""The pages under workshop conditions, in Debian's Chromium: the server drops every socket
mid-negotiation and the pages recover on their own with what was being typed intact; the
read-only observer and projector pages show public information only."""

import re

import pytest
from playwright.sync_api import expect
from servers import Server, free_port
from tablekit import Staff, join

TIMEOUT_MS = 20_000


def open_seat(chromium, base: str, code: str, team: str, *, viewport=None):
    context = chromium.new_context(viewport=viewport or {"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{base}/join/{code}/?team={team}")
    page.get_by_label("Your display name").fill(f"{team} player")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name=f"Welcome, {team} player")).to_be_visible()
    return context, page


@pytest.fixture
def own_server(leg_backend, tmp_path):
    """A server of this test's own (it gets killed), restartable on the same port."""
    server = Server(leg_backend, log_path=tmp_path / "daphne.log", port=free_port()).start()
    server.wait_healthy()
    yield server
    server.stop()


def test_a_dropped_server_is_survived_with_the_composer_intact(chromium, own_server, tmp_path):
    base = own_server.url
    staff = Staff.login(base)
    code = staff.create_game(base)
    context, page = open_seat(chromium, base, code, "US")
    staff.command(base, code, "start", id="s")
    for number in range(2):
        staff.command(base, code, "advance", id=f"a{number}")
    expect(page.locator(".status")).to_contain_text("Negotiation")
    page.get_by_role("tab", name=re.compile("^Negotiation")).click()
    composer = page.get_by_role("form", name="Make an offer")
    composer.get_by_role("checkbox", name="Japan").check()
    composer.get_by_label("Note (optional)").fill("LNG for Sakhalin — typed before the drop")
    page.get_by_label(re.compile("Message to Everyone")).fill("half-written message")

    own_server.kill()  # every socket drops at once, as when a server restarts
    expect(page.get_by_role("status").filter(has_text="Connection lost")).to_be_visible()
    staff_offline_note = "While you were away"
    restarted = Server(own_server.env, log_path=tmp_path / "daphne-2.log", port=own_server.port)
    restarted.start()
    try:
        restarted.wait_healthy()
        staff.command(base, code, "chat", id="c1", channel="all", text=staff_offline_note)
        expect(page.get_by_role("status").filter(has_text="Connection lost")).to_have_count(0)
        expect(page.get_by_text(staff_offline_note)).to_be_visible()  # resumed from its seq
        expect(composer.get_by_label("Note (optional)")).to_have_value(
            "LNG for Sakhalin — typed before the drop"
        )
        expect(composer.get_by_role("checkbox", name="Japan")).to_be_checked()
        expect(page.get_by_label(re.compile("Message to Everyone"))).to_have_value(
            "half-written message"
        )
        composer.get_by_role("button", name="Propose").click()
        expect(composer.get_by_text("Offer o1 sent.")).to_be_visible()
    finally:
        restarted.stop()
        context.close()


def test_a_refused_command_shows_the_servers_message_next_to_its_control(chromium, leg):
    base = leg.first.url
    code = leg.staff.create_game(base)
    context, page = open_seat(chromium, base, code, "JP")
    for number, command in enumerate(("start", "advance", "advance")):
        leg.staff.command(base, code, command, id=f"refused-{number}")
    expect(page.locator(".status")).to_contain_text("Negotiation")
    page.get_by_role("tab", name=re.compile("^Negotiation")).click()
    composer = page.get_by_role("form", name="Make an offer")
    composer.get_by_role("checkbox", name="United States").check()
    leg.staff.command(base, code, "pause", id=f"pause-{code}")
    expect(page.get_by_role("timer")).to_contain_text("Paused")
    propose = composer.get_by_role("button", name="Propose")
    expect(propose).to_be_disabled()  # the page says so before the click
    # A page that has not heard of the pause yet still sends: the server refuses, and its
    # message shows next to the control.
    propose.evaluate("button => { button.disabled = false; }")
    propose.click()
    expect(composer.get_by_role("alert")).to_contain_text("paused")
    context.close()


def test_observer_and_projector_pages_show_public_information_only(chromium, leg, screenshot):
    base = leg.first.url
    code = leg.staff.create_game(base)
    for team in ("US", "JP", "ROK"):
        join(base, code, team)
    console = leg.staff.get(base, f"/api/games/{code}/view")
    assert console["view"]["viewer"]["kind"] == "facilitator"
    links = chromium.new_context()
    links.add_cookies([{"name": "sessionid", "value": leg.staff.session, "url": base}])
    console_page = links.new_page()
    console_page.goto(f"{base}/console/{code}/")
    watch_url = console_page.locator("a[href*='/watch/']").get_attribute("href")
    projector_url = console_page.locator("a[href*='/projector/']").get_attribute("href")
    links.close()

    for number, command in enumerate(("start", "advance", "advance")):
        leg.staff.command(base, code, command, id=f"obs-{number}")
    secret = "SECRET-TEAM-CHAT"
    leg.staff.command(base, code, "chat", id="obs-chat", channel=["JP"], text=secret)
    leg.staff.command(base, code, "chat", id="obs-pub", channel="all", text="Public hello")

    viewers = chromium.new_context(viewport={"width": 1920, "height": 1080})
    viewers.set_default_timeout(TIMEOUT_MS)
    projector = viewers.new_page()
    projector.goto(projector_url)
    expect(projector.get_by_role("timer")).to_be_visible()
    expect(projector.get_by_role("heading", name="Red lines revealed to everyone")).to_be_visible()
    screenshot(projector, "projector")
    observer = viewers.new_page()
    frames = []
    observer.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(str(p))))
    observer.goto(watch_url)
    expect(observer.get_by_text("Public hello")).to_be_visible()
    screenshot(observer, "observer")
    text = observer.content() + "".join(frames)
    assert secret not in text
    assert "private_brief" not in text
    refused = observer.goto(f"{base}/watch/{code}/?key=wrong")
    assert refused.status == 403
    viewers.close()
