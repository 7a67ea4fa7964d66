"""The facilitator edits the findings, the improvement plan and the debrief notes."""

import io
import zipfile

import pytest
from django.urls import reverse
from report_games import played_document

from game.reports.files import game_report_file
from game.reports.model import report_model
from game.services.reviews import ReviewInvalid, review_get, review_update

pytestmark = pytest.mark.django_db


def test_a_review_replaces_derived_findings_and_plan():
    """Given strengths replace the derived ones; empty improvements keep the derived ones."""
    review = {
        "strengths": ["The teams traded well."],
        "improvements": [],
        "plan": [{"issue": "Late reveals", "action": "Reveal early", "owner": "JP", "due": "Q3"}],
        "debrief_notes": {"1": "Everyone assumed the worst."},
    }
    model = report_model(played_document(), review=review)
    assert [f["text"] for f in model["findings"]["strengths"]] == ["The teams traded well."]
    assert model["findings"]["improvements"] == model["derived_findings"]["improvements"]
    assert model["improvement_plan"][0]["owner"] == "JP"
    assert model["rounds"][0]["debrief_notes"] == "Everyone assumed the worst."


def test_edit_page_saves_and_the_report_shows_it(admin_client, simulate):
    game = simulate("taiwan-strait-2027")
    url = reverse("game-review-edit", kwargs={"code": game.code})
    form = admin_client.get(url)
    assert form.status_code == 200
    assert b'name="plan-0-issue"' in form.content and b"csrfmiddlewaretoken" in form.content
    reply = admin_client.post(
        url,
        {
            "strengths": "Fast disclosure\n\nGood trades ",
            "improvements": "",
            "plan-0-issue": "Escorts",
            "plan-0-action": "Agree a playbook",
            "plan-0-owner": "USA desk",
            "plan-0-due": "June",
            "plan-1-issue": "",
            "plan-1-action": "",
            "plan-1-owner": "",
            "plan-1-due": "",
            "notes-1": "Manila felt exposed.",
            "notes-9": "ignored: no such round",
        },
    )
    assert reply.status_code == 302 and reply["Location"].endswith("#findings")
    review = review_get(game=game)
    assert review["strengths"] == ["Fast disclosure", "Good trades"]
    assert review["plan"] == [
        {"issue": "Escorts", "action": "Agree a playbook", "owner": "USA desk", "due": "June"}
    ]
    assert review["debrief_notes"] == {"1": "Manila felt exposed."}
    page = admin_client.get(reverse("game-report", kwargs={"code": game.code})).content.decode()
    assert "Good trades" in page and "Agree a playbook" in page and "Manila felt exposed." in page
    assert "Edited by the facilitator" in page
    bundle = zipfile.ZipFile(io.BytesIO(game_report_file(game=game, fmt="csv").content))
    assert "Agree a playbook" in bundle.read(f"{game.code}/improvement_plan.csv").decode()


def test_only_staff_edit_the_review(client, simulate):
    game = simulate()
    url = reverse("game-review-edit", kwargs={"code": game.code})
    assert client.get(url).status_code == 302
    assert client.post(url, {"strengths": "x"}).status_code == 302
    assert review_get(game=game) is None


def test_player_report_has_no_edit_link(client, simulate):
    from game.services.lifecycle import token_hash

    game = simulate()
    game.players.filter(role="US").update(token_hash=token_hash("us-token"))
    session = client.session
    session["redlines_players"] = {game.code: "us-token"}
    session.save()
    page = client.get(reverse("game-report", kwargs={"code": game.code})).content.decode()
    assert reverse("game-review-edit", kwargs={"code": game.code}) not in page


def test_overlong_edits_are_refused(simulate):
    game = simulate()
    with pytest.raises(ReviewInvalid):
        review_update(game=game, strengths=["x" * 3000], improvements=[], plan=[], debrief_notes={})
