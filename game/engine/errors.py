"""Rule errors: what the engine returns, instead of raising, when it refuses a command."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleError:
    """A refused command. `message` is written for the person who sent it."""

    code: str
    message: str


# Every code decide() can return, with when it happens (docs/engine.md lists the same).
ERROR_CODES: dict[str, str] = {
    "invalid": "the command or its payload is malformed: wrong type, missing field, bad length",
    "unknown_command": "the command type does not exist",
    "unknown_role": "a role code is not one of the scenario's roles",
    "unknown_lever": "a lever key is not one of the scenario's levers",
    "unknown_red_line": "a red line id is not one of the scenario's red lines",
    "unknown_offer": "no offer with that id that the sender is a party to",
    "unknown_player": "no player with that id is seated",
    "not_facilitator": "only the facilitator may do this",
    "not_player": "only a player (acting for a role) may do this",
    "not_system": "only the server itself may do this",
    "game_not_running": "the game has not started yet",
    "game_ended": "the game has ended",
    "already_started": "the game has already started",
    "wrong_phase": "the command is not allowed in the current phase",
    "paused": "the game is paused; only chat is allowed for players",
    "already_paused": "pause while the game is already paused",
    "not_paused": "resume while the game is not paused",
    "untimed": "extend in a phase without a timer",
    "already_joined": "a player with that id is already seated",
    "not_your_red_line": "a team may reveal only its own red lines",
    "already_revealed": "every recipient already knows the red line at that level or higher",
    "not_party": "a private chat channel must include the sender's own role",
    "not_addressee": "only an offer's addressees accept or reject it",
    "not_proposer": "only an offer's proposer withdraws it",
    "offer_not_open": "the offer has already been accepted, rejected, withdrawn, countered or "
    "has expired",
    "already_responded": "the addressee has already accepted the offer",
    "term_party": "an offer term is to be kept by a role that is not a party to the offer",
    "not_your_lever": "the role does not hold that lever",
    "out_of_range": "a value lies outside the lever's (or the command's) range",
    "off_step": "a value is not on the lever's step grid",
    "locked": "the team's decision is locked; unlock it first",
    "already_locked": "lock while already locked",
    "not_locked": "unlock while not locked",
    "not_scored": "a score adjustment names a round that has not been scored",
    "unchanged": "a setting is given the value it already has",
}


class Rejected(Exception):
    """Raised inside command handlers; decide() turns it into a RuleError."""

    def __init__(self, code: str, message: str):
        if code not in ERROR_CODES:
            raise ValueError(f"undocumented error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message

    def as_error(self) -> RuleError:
        return RuleError(self.code, self.message)
