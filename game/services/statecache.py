"""Each process's current state of the games it serves, so a command or a read decodes no JSON.

An entry is the engine state after a game's event `last_seq`, tagged with the `last_seq` and
the `updated_at` the game row had when that state was stored (every save of the row changes
`updated_at`). A reader uses an entry only if the row it has just read, under the game's lock
for a command, carries the same pair; otherwise it loads the row's state and stores that. The
database stays the truth: an entry is only ever added after its transaction committed (or
from a committed read), and states are immutable values (game.engine.state), so sharing one
between threads is safe.
"""

import threading
from collections import OrderedDict

from game import engine

MAX_GAMES = 256

_lock = threading.Lock()
_states: OrderedDict[int, tuple[tuple, dict]] = OrderedDict()


def state_cached(*, game_id: int, seq: int, updated_at) -> dict | None:
    """The state after `seq` if this process holds it for that version of the row."""
    with _lock:
        entry = _states.get(game_id)
        if entry is None or entry[0] != (seq, updated_at):
            return None
        _states.move_to_end(game_id)
        return entry[1]


def state_latest(*, game_id: int) -> tuple[tuple, dict] | None:
    """The newest state this process holds for the game and the version of the row it was
    stored with, `((seq, updated_at), state)`, without reading the row: a command may decide
    on it only if its write then checks that the row still has that version
    (game.services.commands, one trip)."""
    with _lock:
        return _states.get(game_id)


def state_remember(*, game_id: int, seq: int, updated_at, state: dict) -> None:
    seq_seen(game_id=game_id, seq=seq)
    with _lock:
        current = _states.get(game_id)
        if current is not None and current[0][0] > seq:
            return  # a newer state is known already (reads race commands)
        _states[game_id] = ((seq, updated_at), state)
        _states.move_to_end(game_id)
        while len(_states) > MAX_GAMES:
            evicted, _ = _states.popitem(last=False)
            _latest.pop(evicted, None)


def state_advance(*, game_id: int, seq_from: int, seq: int, updated_at, events: list[dict]) -> bool:
    """Another process committed `events` (seqs seq_from..seq; the row's new version is
    (seq, updated_at)), as its broadcast says: if this process holds the state just before
    them, fold them in and keep the result under the new version, as a read of the row would
    give it (the engine is pure: the same events on the same state make the same state).
    Then a command here decides on it and writes in one trip again. True if advanced."""
    with _lock:
        entry = _states.get(game_id)
        if entry is None or entry[0][0] != seq_from - 1:
            return False
        state = entry[1]
    for event in events:
        state = engine.apply(state, event)
    state_remember(game_id=game_id, seq=seq, updated_at=updated_at, state=state)
    return True


def state_forget_all() -> None:
    with _lock:
        _states.clear()


_latest: dict[int, int] = {}


def seq_known(*, game_id: int) -> int:
    """The highest seq of the game this process has committed or read (0 if none): a socket
    behind it has missed a broadcast, whatever the database says."""
    return _latest.get(game_id, 0)


def seq_seen(*, game_id: int, seq: int, exact: bool = False) -> None:
    """Note a seq of the game; `exact`: the database's last_seq, read just now (it corrects
    a seq of a deleted game whose id was reused)."""
    if exact or seq > _latest.get(game_id, 0):
        _latest[game_id] = seq
