"""Broadcasting committed events to a game's channel-layer group.

Each commit is relayed as ready-made text frames, one per kind of viewer (the facilitator,
the observer, each role), each holding only the events that viewer may see. The frames are
filtered and serialised once here, so consumers just pick theirs and forward it: no consumer
ever handles an event its socket may not receive, and the channel layer copies only strings.
"""

import asyncio
import logging
import os
import threading
import time
from collections import Counter, OrderedDict

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from game import engine
from game.realtime.protocol import dumps

logger = logging.getLogger(__name__)

FACILITATOR = "facilitator"
OBSERVER = "observer"
# How long a publish may take before it is given up (a hung Redis): the sockets then heal
# from the event log with the next broadcast, ping or reconnect.
PUBLISH_TIMEOUT_SECONDS = 2.0
_publishing: set[asyncio.Task] = set()  # strong references to publishes in flight


def game_group(game_id: int) -> str:
    return f"game-{game_id}"


def viewer_key(viewer: dict) -> str:
    if viewer["kind"] == "player":
        return f"role:{viewer['role']}"
    return viewer["kind"]


def all_viewers(snapshot: dict) -> list[dict]:
    return [{"kind": FACILITATOR}, {"kind": OBSERVER}] + [
        {"kind": "player", "role": role["code"]} for role in snapshot["roles"]
    ]


# What an event's actor shows to anyone but the facilitator: who acted, not account details.
PUBLIC_ACTOR_KEYS = ("kind", "role", "name")


def event_for_viewer(event: dict, viewer: dict) -> dict:
    """An event as `viewer` receives it (visibility is checked separately)."""
    if viewer["kind"] == FACILITATOR:
        return event
    actor = event["actor"]
    public = {key: actor[key] for key in PUBLIC_ACTOR_KEYS if key in actor}
    if actor.get("kind") == FACILITATOR:
        public["name"] = "Facilitator"
    return {**event, "actor": public}


def events_frame(*, events: list[dict], viewer: dict, state: dict, seq_from: int, seq: int) -> dict:
    """The `events` frame for one viewer: the visible subset of a contiguous run of events."""
    return {
        "type": "events",
        "seq_from": seq_from,
        "seq": seq,
        "events": [
            event_for_viewer(event, viewer)
            for event in events
            if engine.event_visible(event, viewer, state)
        ],
    }


def live_view_text(state: dict, viewer: dict, seq: int) -> str:
    """The serialised `view` frame a page follows after each change, built without copying
    the state. The scenario is left out while the game runs — it came with the
    welcome and does not change — and included once the game has ended (the debrief
    unmasks it). Broadcasts and catch-ups both send this one frame.

    Built from parts kept per game (ViewParts): the JSON of each part of each viewer's view
    (engine.VIEW_PARTS), reused while the state values the part was built from are the same
    objects, and of each chat message, encoded once. A command then costs the encoding of
    the parts it changed (a chat message its own JSON; an offer the viewers' offers), not
    four or five whole views' (up to 50 KiB each late in the bundled scenario's game;
    docs/performance.md rounds 6 and 7)."""
    parts = _view_parts(state)
    members = parts.members(viewer, viewer_key(viewer))
    members.append(parts.chat_members(engine.view_chat(state, viewer)))
    return f'{{"type":"view","seq":{int(seq)},"view":{{{",".join(members)}}}}}'


def live_view_patch_text(
    previous: dict, state: dict, viewer: dict, base: int, seq: int, *, items: bool = False
) -> str:
    """The `view` frame at `seq` for a page that holds the view at `base` (the view of
    `previous`, the state just before the commit): only the view's keys whose value may have
    changed since, which the page puts in place of its own (protocol: `?views=2`). A key is
    left out only when every state value its part was built from is the very object it was
    in `previous`, so the page's copy of it is exact. With `items` (`?views=3`), a changed
    part listing items by id (engine.VIEW_ITEM_PARTS: the offers) comes as its changed items
    only, under `items`, which the page puts in place by id."""
    parts = _view_parts(state)
    changed_items = {}
    # With the state's mapping unchanged, the part is left to members(): unchanged too, or
    # whole if something else it reads changed.
    itemised = engine.VIEW_ITEM_PARTS.items() if items else ()
    for name, source in itemised:
        if previous.get(source, _ABSENT) is not state.get(source, _ABSENT):
            listed = engine.view_items_changed(previous, state, viewer, name)
            if listed is not None:
                changed_items[name] = listed
    members = parts.members(viewer, viewer_key(viewer), since=previous, skip=changed_items.keys())
    chat, read = engine.keys_read(engine.view_chat, state, viewer)
    if not _same_sources(previous, ((k, state.get(k, _ABSENT)) for k in read)):
        members.append(parts.chat_members(chat))
    frame = f'{{"type":"view","seq":{int(seq)},"base":{int(base)},"view":{{{",".join(members)}}}'
    listed = [
        f'"{name}":[{",".join(dumps(item) for item in value)}]'
        for name, value in changed_items.items()
        if value
    ]
    if listed:
        frame += f',"items":{{{",".join(listed)}}}'
    return frame + "}"


_ABSENT = object()  # a state key not there, as a part's source


def _same_sources(state: dict, sources) -> bool:
    """Does `state` hold the very same object at each (key, value) of `sources`? (A loop, not
    all() over a generator: called for every part of every view a commit builds.)"""
    get = state.get
    for key, value in sources:  # noqa: SIM110 (all() over a generator: twice as slow)
        if get(key, _ABSENT) is not value:
            return False
    return True


class ViewParts:
    """The view parts for one state of a game. Per viewer key, the JSON of each part of the
    view with the state values it was built from (`fragments`, passed on from state to
    state: a part is reused when its sources are the very same objects, which only an
    unchanged part of the state is); and the JSON of each chat message the state holds
    (keyed by the message object itself, which states share as chat moves on; held, so
    never reused)."""

    def __init__(self, state: dict, *, fragments: dict | None = None, messages: dict | None = None):
        self.state = state
        # viewer key -> part -> ((state key, value it was built from), ...), JSON
        self.fragments: dict[str, dict[str, tuple[tuple, str]]] = (
            {} if fragments is None else fragments
        )
        self.messages: dict[int, tuple[dict, str]] = {}
        for item in state.get("chat", ()):  # only this state's messages are kept
            held = (messages or {}).get(id(item))
            if held is not None and held[0] is item:
                self.messages[id(item)] = held

    def members(self, viewer: dict, key: str, *, since: dict | None = None, skip=()) -> list[str]:
        """The viewer's view without its chat, as the members of a JSON object: what
        engine.shared_view(state, viewer, with_chat=False) encodes to, without the scenario
        while the game runs. `since` a state: only the members whose sources are not all
        the very objects they were in that state (a part's value is a function of its
        sources alone), and the scenario when the view of `since` had none. The parts named
        in `skip` are left out."""
        state = self.state
        kept = self.fragments.setdefault(key, {})
        ended = state["status"] == "ended"
        members = []
        for name, _ in engine.VIEW_PARTS:
            if (name == "scenario" and not ended) or name in skip:
                continue
            held = kept.get(name)
            if held is None or not _same_sources(state, held[0]):
                value, read = engine.view_part(state, viewer, name)
                sources = tuple((k, state.get(k, _ABSENT)) for k in read)
                held = kept[name] = (sources, dumps(value))
            unchanged = since is not None and _same_sources(since, held[0])
            if unchanged and (name != "scenario" or since["status"] == "ended"):
                continue  # the page's copy, from the view of `since`, is this one
            members.append(f'"{name}":{held[1]}')
        return members

    def chat_members(self, chat: dict) -> str:
        """A view's `chat` and `chat_count` (engine.view_chat), as JSON object members; each
        message's JSON encoded once."""
        messages = ",".join(self.message_text(item) for item in chat["chat"])
        return f'"chat":[{messages}],"chat_count":{int(chat["chat_count"])}'

    def message_text(self, item: dict) -> str:
        held = self.messages.get(id(item))
        if held is None or held[0] is not item:
            held = self.messages[id(item)] = (item, dumps(item))
        return held[1]


# Per game, the parts of the views built last (bounded: the least recently used goes). A
# game is known by its scenario object, which all of its states in this process share (a
# state read from the row brings a new one, and starts afresh): the key needs no game id,
# and an entry holds its state, so the object (and its id) lives as long as the entry. (A
# part is a function of its sources alone, so parts found under another game's key would
# still be right.)
VIEW_PARTS_GAMES = 256
_view_parts_kept: OrderedDict[int, ViewParts] = OrderedDict()
_view_parts_lock = threading.Lock()


def _view_parts(state: dict) -> ViewParts:
    """The parts for `state`: its game's kept ones, carried over to `state` (each part is
    checked against its sources when used), or new ones."""
    key = id(state["scenario"])
    with _view_parts_lock:
        parts = _view_parts_kept.get(key)
        if parts is not None and parts.state is state:
            _view_parts_kept.move_to_end(key)
            return parts
        if parts is None:
            fresh = ViewParts(state)
        else:
            fresh = ViewParts(state, fragments=parts.fragments, messages=parts.messages)
        _view_parts_kept[key] = fresh
        _view_parts_kept.move_to_end(key)
        while len(_view_parts_kept) > VIEW_PARTS_GAMES:
            _view_parts_kept.popitem(last=False)
        return fresh


def build_frames(*, snapshot: dict, state: dict, events: list[dict]) -> dict[str, str]:
    """Per viewer key, the `events` frame, serialised once."""
    seq_from, seq = events[0]["seq"], events[-1]["seq"]
    return {
        viewer_key(viewer): dumps(
            events_frame(events=events, viewer=viewer, state=state, seq_from=seq_from, seq=seq)
        )
        for viewer in all_viewers(snapshot)
    }


def build_views(
    *,
    snapshot: dict,
    state: dict,
    seq: int,
    game_id: int,
    previous: tuple[int, dict] | None = None,
    frames: dict[str, str] | None = None,
) -> dict[str, str]:
    """Per follow key (follow_key), the frame at `seq` for sockets that follow the view, only
    for those somebody follows (views_followed): under VIEWS_WHOLE's key, the whole view;
    given `previous` (the seq and state just before the commit), under VIEWS_PATCHES' key the
    parts changed since (live_view_patch_text), and under VIEWS_IN_EVENTS' key the viewer's
    `events` frame (from `frames`, build_frames) carrying that patch as its `view`, with the
    offers changed as `items` (not the whole list). A follower that finds no frame for it in
    a broadcast reads the whole view itself (game.realtime.consumers)."""
    followed = views_followed(game_id)
    views = {}
    for viewer in all_viewers(snapshot):
        key = viewer_key(viewer)
        if followed is None or key in followed:
            views[key] = live_view_text(state, viewer, seq)
        if previous is None:
            continue
        patch_key = follow_key(viewer, VIEWS_PATCHES)
        carried_key = follow_key(viewer, VIEWS_IN_EVENTS)
        patch = followed is None or patch_key in followed
        carried = frames is not None and (followed is None or carried_key in followed)
        base, before = previous
        if patch:
            views[patch_key] = live_view_patch_text(before, state, viewer, base, seq)
        if carried:
            patch_text = live_view_patch_text(before, state, viewer, base, seq, items=True)
            views[carried_key] = events_with_view(frames[key], patch_text)
    return views


def events_with_view(events_text: str, view_text: str) -> str:
    """An `events` frame's text with the `view` frame at its seq inside, as `view`."""
    return f'{events_text[:-1]},"view":{view_text}}}'


# This process's sockets that follow whole views: game id -> viewer key -> how many.
view_followers: dict[int, Counter] = {}
# With Redis, the viewers followed in any process, as this process last read them
# (game.realtime.followers): (when read, time.monotonic(); game id -> viewer keys).
followed_anywhere: tuple[float, dict[int, frozenset[str]]] | None = None
# How old that reading may be, beyond two timer intervals, before it is no longer trusted.
FOLLOWED_FRESH_SECONDS = 2.0


def views_followed(game_id: int) -> set[str] | None:
    """The viewer keys whose view a commit of this game must build, or None for every viewer.
    With one process (no Redis) its own followers are all there are. With Redis, followers in
    other processes are known from the last reading of what every process follows; without a
    fresh one (the timer loop off, Redis failing) every view is built, as a follower elsewhere
    may need any of them."""
    local = view_followers.get(game_id, ())
    if not settings.REDIS_URL:
        return set(local)
    reading = followed_anywhere
    fresh_for = FOLLOWED_FRESH_SECONDS + 2 * settings.GAME_TIMER_INTERVAL
    if reading is None or time.monotonic() - reading[0] > fresh_for:
        return None
    return reading[1].get(game_id, frozenset()).union(local)


# How a socket follows its viewer's view (?views=N, docs/protocol.md): not at all; the whole
# view after each change; the parts changed, in a `view` frame with `base`; those parts inside
# the change's `events` frame (one frame per socket per change).
VIEWS_NONE, VIEWS_WHOLE, VIEWS_PATCHES, VIEWS_IN_EVENTS = 0, 1, 2, 3
_FOLLOW_SUFFIX = {VIEWS_WHOLE: "", VIEWS_PATCHES: "+patches", VIEWS_IN_EVENTS: "+events"}


def follow_key(viewer: dict, views: int = VIEWS_WHOLE) -> str:
    """Under which key a follower of `viewer`'s view in mode `views` is counted, and its
    frame found in a broadcast: the viewer key with the mode's suffix."""
    return viewer_key(viewer) + _FOLLOW_SUFFIX[views]


def views_follow(game_id: int, viewer: dict, views: int = VIEWS_WHOLE) -> None:
    view_followers.setdefault(game_id, Counter())[follow_key(viewer, views)] += 1


def views_unfollow(game_id: int, viewer: dict, views: int = VIEWS_WHOLE) -> None:
    followers = view_followers.get(game_id)
    if followers is None:
        return
    key = follow_key(viewer, views)
    followers[key] -= 1
    if followers[key] <= 0:
        del followers[key]
    if not followers:
        del view_followers[game_id]


def affected_players(events: list[dict]) -> list[int]:
    """Players whose seat changed (moved or removed): their sockets must re-check who they are."""
    return sorted(
        {
            event["data"]["player_id"]
            for event in events
            if event["kind"] in engine.SEAT_EVENT_KINDS and "player_id" in event["data"]
        }
    )


def broadcast_events(
    game_id: int,
    events: list[dict],
    frames: dict[str, str],
    views: dict[str, str] | None = None,
    *,
    updated_at=None,
) -> None:
    """Send after commit. A lost send loses nothing: consumers see the gap and re-read the log.

    With `updated_at` (the row's new version) the message also carries the events' kinds
    and data, so that another process holding the state just before them can advance it
    (statecache.state_advance) instead of reading the row at its next command. Consumers
    never forward these: each socket gets only its own frame."""
    message = {
        "type": "game.events",
        "seq_from": events[0]["seq"],
        "seq": events[-1]["seq"],
        "players": affected_players(events),
        "frames": frames,
        "views": views or {},
    }
    if updated_at is not None:
        message["version"] = updated_at.isoformat()
        message["applied"] = [{"kind": event["kind"], "data": event["data"]} for event in events]
    what = f"Broadcast of game {game_id} to seq {message['seq']}"
    publish(game_group(game_id), message, what=what)


def publish(group: str, message: dict, *, what: str) -> None:
    """Send `message` to `group` without waiting for the channel layer, when called from a
    server's worker thread (commands, joins, the timer loop): the send is handed to the
    server's event loop, so a slow or hung Redis never holds up the command's answer or the
    one thread that runs this process's database work. Elsewhere (management commands, a
    shell) it is sent at once. Either way it gives up after PUBLISH_TIMEOUT_SECONDS."""
    loop = _serving_loop()
    if loop is None:
        try:
            async_to_sync(_publish)(group, message, what)
        except Exception:
            logger.exception("%s failed", what)
        return
    try:
        loop.call_soon_threadsafe(_start_publish, group, message, what)
    except RuntimeError:  # the loop has closed: the process is stopping
        logger.warning("%s dropped: the server is stopping", what)


def _serving_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the server that called into this worker thread (asgiref's
    sync_to_async records it in the thread), if it is still running."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def _start_publish(group: str, message: dict, what: str) -> None:
    task = asyncio.get_running_loop().create_task(_publish(group, message, what))
    _publishing.add(task)
    task.add_done_callback(_publishing.discard)


async def _publish(group: str, message: dict, what: str) -> None:
    try:
        await asyncio.wait_for(
            get_channel_layer().group_send(group, message), PUBLISH_TIMEOUT_SECONDS
        )
    except Exception:
        logger.warning("%s failed; sockets heal from the event log", what, exc_info=True)
