// The one store of what a page knows: the server's view for this viewer, the seq it is at,
// presence, and the paged chat and log. reduce() is pure (tested with node --test); it only
// files what the server sent, it never decides a rule.

export const LOG_KEEP = 400;

export function initialState() {
  return {
    connection: "connecting", // connecting | open | offline | closed
    closedReason: null,
    you: null,
    game: null,
    seq: 0,
    view: null,
    presence: null,
    chat: [], // chat_posted events, oldest first
    chatMore: false,
    log: [], // every visible event, oldest first (the newest LOG_KEEP)
    logMore: false,
    notices: [], // recent events worth a banner: injects, reveals, results
  };
}

function mergeBySeq(current, incoming) {
  const bySeq = new Map(current.map((item) => [item.seq, item]));
  for (const item of incoming) bySeq.set(item.seq, item);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

const NOTICE_KINDS = new Set([
  "inject_published",
  "red_line_revealed",
  "round_scored",
  "game_paused",
  "game_resumed",
  "game_ended",
]);

// A patch's `items` (?views=3): per list of the view (the offers), the items changed, each
// put in place of the one with the same id, or added at the end (a new one's id is the
// greatest yet).
function withItems(view, items) {
  if (!items) return view;
  const next = { ...view };
  for (const [key, changed] of Object.entries(items)) {
    const list = [...(view[key] || [])];
    for (const item of changed) {
      const at = list.findIndex((held) => held.id === item.id);
      if (at >= 0) list[at] = item;
      else list.push(item);
    }
    next[key] = list;
  }
  return next;
}

// An `events` frame filed: its seq, and its events into the chat, the log and the notices.
function fileEvents(state, frame) {
  if (frame.seq <= state.seq) return state;
  const events = frame.events || [];
  const chat = events.filter((event) => event.kind === "chat_posted");
  const notices = events.filter((event) => NOTICE_KINDS.has(event.kind));
  return {
    ...state,
    seq: frame.seq,
    chat: chat.length ? mergeBySeq(state.chat, chat) : state.chat,
    log: events.length ? mergeBySeq(state.log, events).slice(-LOG_KEEP) : state.log,
    notices: notices.length ? [...state.notices, ...notices].slice(-5) : state.notices,
  };
}

export function reduce(state, frame) {
  switch (frame.type) {
    case "welcome":
      if (frame.resumed) return { ...state, you: frame.you, game: frame.game };
      return {
        ...state,
        you: frame.you,
        game: frame.game,
        seq: frame.seq,
        view: frame.view,
        viewSeq: frame.seq,
        chat: [],
        log: [],
      };
    case "snapshot":
      return {
        ...state,
        you: frame.you,
        seq: frame.seq,
        view: frame.view,
        viewSeq: frame.seq,
        viewStale: false,
      };
    case "view": {
      if (state.viewSeq !== undefined && frame.seq < state.viewSeq) return state;
      if (frame.base !== undefined) {
        // Only the parts changed since the view at `base`: put them in place of ours. The
        // server sends one only to a page whose last view that was; otherwise ask anew.
        if (!state.view || frame.base !== state.viewSeq) return { ...state, viewStale: true };
        const view = withItems({ ...state.view, ...frame.view }, frame.items);
        return { ...state, view, viewSeq: frame.seq };
      }
      const scenario = frame.view.scenario || (state.view ? state.view.scenario : undefined);
      return { ...state, view: { ...frame.view, scenario }, viewSeq: frame.seq, viewStale: false };
    }
    case "events": {
      // With ?views=3 the view frame at the events' seq rides inside, as `view`.
      const next = fileEvents(state, frame);
      return frame.view ? reduce(next, frame.view) : next;
    }
    case "history":
      if (frame.kinds === "chat") {
        return { ...state, chat: mergeBySeq(state.chat, frame.events), chatMore: frame.more };
      }
      return { ...state, log: mergeBySeq(state.log, frame.events), logMore: frame.more };
    case "presence":
      return { ...state, presence: frame };
    default:
      return state;
  }
}

// Is an `events` frame out of step (a gap to catch up on)?
export function hasGap(state, frame) {
  return frame.type === "events" && frame.seq > state.seq && frame.seq_from > state.seq + 1;
}

export function createStore(initial = initialState()) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    dispatch(frame) {
      const next = reduce(state, frame);
      if (next !== state) {
        state = next;
        for (const listener of listeners) listener(state);
      }
    },
    set(patch) {
      state = { ...state, ...patch };
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
