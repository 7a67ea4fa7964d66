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
    notices: [], // recent events worth a notice to this viewer (see noticeFor)
    chatSince: undefined, // the seq of the first welcome: older messages count as read
    chatRead: {}, // per chat channel (chatKey), the seq of the newest message seen there
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
export const NOTICES_KEEP = 8;

// -- what a player has to notice: unread chat, offers awaiting it, news of its offers -----

// The chat channel a message belongs to: "all", "team:<role>" or "to:<roles, sorted>".
export function chatKey(channel, from) {
  if (channel === "all") return "all";
  if (channel === "team") return `team:${from}`;
  return `to:${[...channel].sort().join(",")}`;
}

function ownMessage(event, you) {
  const actor = event.actor || {};
  return Boolean(you) && actor.kind === "player" && actor.role === you.role && actor.name === you.name;
}

// Per chat channel, how many messages from others arrived after the newest one seen there.
export function unreadByChannel(state) {
  const counts = {};
  for (const event of state.chat) {
    const key = chatKey(event.data.channel, event.data.from);
    const read = key in state.chatRead ? state.chatRead[key] : state.chatSince ?? 0;
    if (event.seq > read && !ownMessage(event, state.you)) counts[key] = (counts[key] || 0) + 1;
  }
  return counts;
}

// The channel `key` seen up to its newest message (a new state only if that changes).
export function markChatRead(state, key) {
  const newest = state.chat.reduce(
    (seq, event) => (chatKey(event.data.channel, event.data.from) === key ? Math.max(seq, event.seq) : seq),
    0,
  );
  if (newest <= (state.chatRead[key] ?? state.chatSince ?? 0)) return state;
  return { ...state, chatRead: { ...state.chatRead, [key]: newest } };
}

// The open offers addressed to `role` that it has not accepted yet.
export function awaitingAnswer(view, role) {
  return ((view && view.offers) || []).filter(
    (offer) => offer.status === "open" && offer.to.includes(role) && !(offer.accepted_by || []).includes(role),
  );
}

// Is `event` news for this viewer? Game-wide news for everyone; for a team, what happened to
// its own offers (and offers made to it), and red lines revealed by it or to it.
function noticeFor(state, event, batch) {
  if (NOTICE_KINDS.has(event.kind)) return true;
  const role = state.you && state.you.role;
  if (!role) return false;
  const data = event.data || {};
  const offer = ((state.view && state.view.offers) || []).find((item) => item.id === data.offer);
  const mine = offer ? offer.proposer === role : false;
  switch (event.kind) {
    case "offer_proposed": // a counter to the viewer's own offer is told as a counter
      return (
        Boolean(data.offer && data.offer.to) &&
        data.offer.proposer !== role &&
        data.offer.to.includes(role) &&
        !batch.some((item) => item.kind === "offer_countered" && item.data.offer === data.offer.counter_of && noticeFor(state, item, batch))
      );
    case "offer_accepted":
      return Boolean(offer) && (offer.proposer === role || offer.to.includes(role));
    case "offer_accepted_by": // an offer one party accepted, others still to answer
      return mine && data.role !== role && !batch.some((item) => item.kind === "offer_accepted" && item.data.offer === data.offer);
    case "offer_rejected":
    case "offer_expired":
      return mine;
    case "offer_countered":
      return mine && data.by !== role;
    default:
      return false;
  }
}

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
  const notices = events.filter((event) => noticeFor(state, event, events));
  return {
    ...state,
    seq: frame.seq,
    chat: chat.length ? mergeBySeq(state.chat, chat) : state.chat,
    log: events.length ? mergeBySeq(state.log, events).slice(-LOG_KEEP) : state.log,
    notices: notices.length ? [...state.notices, ...notices].slice(-NOTICES_KEEP) : state.notices,
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
        chatSince: state.chatSince ?? frame.seq,
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
    case "chat_read": // the page's own: the viewer saw the channel
      return markChatRead(state, frame.channel);
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
