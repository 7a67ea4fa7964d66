"""The facilitator's edits of a game's after-action report (findings, plan, debrief notes).

These are annotations about a finished exercise, not game data: the event log stays the
only source of the game itself, and the report lays these edits over what it derives.
"""

from game.models import Game, GameReview

MAX_ITEMS = 50
MAX_TEXT = 2000
PLAN_FIELDS = ("issue", "action", "owner", "due")


class ReviewInvalid(ValueError):
    """An edit that cannot be stored, with a message for the facilitator."""


def review_get(*, game: Game) -> dict | None:
    review = GameReview.objects.filter(game=game).first()
    if review is None:
        return None
    return {
        "strengths": review.strengths,
        "improvements": review.improvements,
        "plan": review.plan,
        "debrief_notes": review.debrief_notes,
        "updated_at": review.updated_at.isoformat(),
        "updated_by": review.updated_by.get_username() if review.updated_by else None,
    }


def _texts(items, what: str) -> list[str]:
    texts = [" ".join(str(item).split()) for item in items]
    texts = [text for text in texts if text]
    if len(texts) > MAX_ITEMS:
        raise ReviewInvalid(f"At most {MAX_ITEMS} {what}.")
    if any(len(text) > MAX_TEXT for text in texts):
        raise ReviewInvalid(f"Each of the {what} is at most {MAX_TEXT} characters.")
    return texts


def review_update(
    *,
    game: Game,
    strengths: list[str],
    improvements: list[str],
    plan: list[dict],
    debrief_notes: dict,
    user=None,
) -> GameReview:
    rows = []
    for row in plan:
        cleaned = {key: " ".join(str(row.get(key, "")).split()) for key in PLAN_FIELDS}
        if any(len(value) > MAX_TEXT for value in cleaned.values()):
            raise ReviewInvalid(f"Each plan cell is at most {MAX_TEXT} characters.")
        if any(cleaned.values()):
            rows.append(cleaned)
    if len(rows) > MAX_ITEMS:
        raise ReviewInvalid(f"At most {MAX_ITEMS} rows in the improvement plan.")
    rounds = {str(n) for n in range(1, len(game.snapshot["rounds"]) + 1)}
    notes = {}
    for key, text in debrief_notes.items():
        text = str(text).strip()
        if str(key) in rounds and text:
            if len(text) > 5 * MAX_TEXT:
                raise ReviewInvalid(f"Debrief notes are at most {5 * MAX_TEXT} characters a round.")
            notes[str(key)] = text
    review, _created = GameReview.objects.update_or_create(
        game=game,
        defaults={
            "strengths": _texts(strengths, "strengths"),
            "improvements": _texts(improvements, "areas for improvement"),
            "plan": rows,
            "debrief_notes": notes,
            "updated_by": user,
        },
    )
    return review
