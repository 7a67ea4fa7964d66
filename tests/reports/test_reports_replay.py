"""Replay: the state and a viewer's view after any event of the log."""

import pytest
from django.urls import reverse
from report_games import played_document

from game import engine
from game.reports.replay import replay_step, viewer_for

FACILITATOR = {"kind": "facilitator"}


@pytest.fixture(scope="module")
def document():
    return played_document()


def test_the_last_step_is_the_final_state(document):
    step = replay_step(document, seq=None, viewer=FACILITATOR)
    assert step["seq"] == step["total"] == len(document["events"])
    assert step["view"]["status"] == "ended"
    assert step["view"]["final"] == document["final"]
    assert step["next"] is None


def test_a_step_equals_the_fold_of_the_log_up_to_it(document):
    seq = 20
    state = engine.replay(document["scenario"], seed=7, events=document["events"][:seq])
    step = replay_step(document, seq=seq, viewer=FACILITATOR)
    assert step["view"] == engine.view(state, FACILITATOR)


def test_a_team_sees_only_what_it_saw_then(document):
    """Mid-game, B's view of the moment holds no secret of A's that B was not shown."""
    reveal = next(
        i for i, e in enumerate(document["events"], 1) if e["kind"] == "red_line_revealed"
    )
    step = replay_step(document, seq=reveal, viewer=viewer_for(document["scenario"], "B"))
    assert step["view"]["status"] == "running"
    assert "a-energy" not in [line["id"] for line in step["view"]["red_lines"]]
    assert step["hidden_event"] and step["event"] is None  # A revealed it to C only
    seen_by_c = replay_step(document, seq=reveal, viewer=viewer_for(document["scenario"], "C"))
    assert "a-energy" in [line["id"] for line in seen_by_c["view"]["red_lines"]]
    said = seen_by_c["event"]["summary"]
    assert "revealed its red line on" in said and "a-energy" not in said


def test_stepping_skips_events_the_team_could_not_see(document):
    viewer = viewer_for(document["scenario"], "B")
    step = replay_step(document, seq=1, viewer=viewer)
    seqs = []
    while step["next"] is not None:
        seqs.append(step["next"])
        step = replay_step(document, seq=step["next"], viewer=viewer)
    audiences = [document["events"][s - 1]["audience"] for s in seqs]
    assert audiences and all(a == "all" or "B" in a for a in audiences)
    assert len(seqs) < len(document["events"]) - 1  # some events were A's or C's alone


def test_phase_marks_jump_to_every_phase(document):
    marks = replay_step(document, seq=0, viewer=FACILITATOR)["marks"]
    assert [(m["round"], m["phase"]) for m in marks][:5] == [
        (1, "briefing"),
        (1, "disclosure"),
        (1, "negotiation"),
        (1, "decision"),
        (1, "results"),
    ]
    assert marks[-1]["phase"] == "end"


def test_seq_is_clamped(document):
    assert replay_step(document, seq=10_000, viewer=FACILITATOR)["seq"] == len(document["events"])
    assert replay_step(document, seq=-5, viewer=FACILITATOR)["seq"] == 0


@pytest.mark.django_db
def test_replay_page_for_staff_and_for_players_only_after_the_end(
    admin_client, client, simulate, lobby_game
):
    game = simulate()
    url = reverse("game-replay", kwargs={"code": game.code})
    page = admin_client.get(url, {"seq": 60, "as": "JP"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Event <strong>60</strong>" in text and 'aria-current="true">Japan' in text
    assert "<script" not in text
    assert admin_client.get(url, {"seq": "nonsense"}).status_code == 200

    running, token = lobby_game
    session = client.session
    session["redlines_players"] = {running.code: token}
    session.save()
    refused = client.get(reverse("game-replay", kwargs={"code": running.code}))
    assert refused.status_code == 403
