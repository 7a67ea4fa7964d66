// Unit tests (node --test) of what the store counts for a team to notice: unread chat per
// channel, offers awaiting its answer, and which events become its notices.
import assert from "node:assert/strict";
import { test } from "node:test";

import { awaitingAnswer, chatKey, initialState, markChatRead, reduce, unreadByChannel } from "../../frontend/static/frontend/js/store.js";

const you = { kind: "player", role: "JP", name: "Aiko" };
const welcome = (seq) => ({ type: "welcome", resumed: false, seq, you, game: { code: "ABC234" }, view: { status: "running", scenario: { title: "T" }, offers: [] } });
const message = (seq, channel, from, name) => ({ seq, kind: "chat_posted", data: { text: `m${seq}`, channel, from }, actor: { kind: "player", role: from, name }, at: "2026-01-01T10:00:00Z" });
const events = (state, ...list) => reduce(state, { type: "events", seq_from: state.seq + 1, seq: list.at(-1).seq, events: list });
const offer = (id, proposer, to, extra = {}) => ({ id, proposer, to, status: "open", accepted_by: [], terms: [], ...extra });

test("chat keys: everyone, a team's own channel, a pair whichever way round", () => {
  assert.equal(chatKey("all", "US"), "all");
  assert.equal(chatKey("team", "JP"), "team:JP");
  assert.equal(chatKey(["ROK", "JP"], "ROK"), chatKey(["JP", "ROK"], "JP"));
});

test("messages from others after the page opened are unread, per channel; one's own are not", () => {
  let state = reduce(initialState(), welcome(10));
  state = reduce(state, { type: "history", kinds: "chat", events: [message(4, "all", "US", "Sam")], more: false });
  state = events(state, message(11, ["ROK", "JP"], "ROK", "Min"), message(12, "all", "US", "Sam"), message(13, "all", "JP", "Aiko"), message(14, "team", "JP", "Kenji"));
  assert.deepEqual(unreadByChannel(state), { "to:JP,ROK": 1, all: 1, "team:JP": 1 });
});

test("a channel seen is read up to its newest message; later ones count again", () => {
  let state = events(reduce(initialState(), welcome(10)), message(11, ["ROK", "JP"], "ROK", "Min"), message(12, "all", "US", "Sam"));
  state = reduce(state, { type: "chat_read", channel: "to:JP,ROK" });
  assert.deepEqual(unreadByChannel(state), { all: 1 });
  assert.equal(reduce(state, { type: "chat_read", channel: "to:JP,ROK" }), state, "reading again changes nothing");
  state = events(state, message(15, ["JP", "ROK"], "ROK", "Min"));
  assert.deepEqual(unreadByChannel(state), { all: 1, "to:JP,ROK": 1 });
  assert.equal(markChatRead(state, "team:JP"), state, "a channel without messages has nothing to read");
});

test("a reconnect that starts afresh keeps what was unread before it", () => {
  let state = events(reduce(initialState(), welcome(10)), message(11, "all", "US", "Sam"));
  state = reduce(state, welcome(20));
  state = reduce(state, { type: "history", kinds: "chat", events: [message(11, "all", "US", "Sam")], more: false });
  assert.deepEqual(unreadByChannel(state), { all: 1 });
});

test("offers awaiting an answer: open, addressed to the team, not accepted by it yet", () => {
  const view = {
    offers: [
      offer("o1", "US", ["JP"]),
      offer("o2", "US", ["JP", "ROK"], { accepted_by: ["JP"] }),
      offer("o3", "JP", ["US"]),
      offer("o4", "ROK", ["JP"], { status: "rejected" }),
      offer("o5", "ROK", ["US", "JP"], { accepted_by: ["US"] }),
    ],
  };
  assert.deepEqual(awaitingAnswer(view, "JP").map((item) => item.id), ["o1", "o5"]);
  assert.deepEqual(awaitingAnswer(view, "US").map((item) => item.id), ["o3"]);
  assert.deepEqual(awaitingAnswer(null, "US"), []);
});

test("a team is told what happened to its own offers, and of offers made to it", () => {
  let state = reduce(initialState(), welcome(10));
  state = reduce(state, { type: "view", seq: 10, view: { ...state.view, offers: [offer("o1", "JP", ["US"]), offer("o2", "JP", ["US", "ROK"]), offer("o3", "US", ["ROK"]), offer("o4", "JP", ["US"])] } });
  const kinds = (list) => list.map((event) => `${event.kind}:${event.data.offer.id || event.data.offer}`);
  state = events(
    state,
    { seq: 11, kind: "offer_rejected", data: { offer: "o1", role: "US" } },
    { seq: 12, kind: "offer_accepted_by", data: { offer: "o2", role: "US" } },
    { seq: 13, kind: "offer_rejected", data: { offer: "o3", role: "ROK" } }, // not Japan's
    { seq: 14, kind: "offer_expired", data: { offer: "o4" } },
  );
  assert.deepEqual(kinds(state.notices), ["offer_rejected:o1", "offer_accepted_by:o2", "offer_expired:o4"]);
  // A counter to Japan's offer is one notice (the counter), not also "a new offer".
  state = events(
    state,
    { seq: 15, kind: "offer_countered", data: { offer: "o2", by: "ROK" } },
    { seq: 16, kind: "offer_proposed", data: { offer: offer("o5", "ROK", ["JP"], { counter_of: "o2" }) } },
    { seq: 17, kind: "offer_proposed", data: { offer: offer("o6", "US", ["JP"]) } },
    { seq: 18, kind: "offer_proposed", data: { offer: offer("o7", "JP", ["US"]) } }, // its own
  );
  assert.deepEqual(kinds(state.notices.slice(3)), ["offer_countered:o2", "offer_proposed:o6"]);
  // Accepted by its only addressee: "accepted", once.
  state = events(
    state,
    { seq: 19, kind: "offer_accepted_by", data: { offer: "o1", role: "US" } },
    { seq: 20, kind: "offer_accepted", data: { offer: "o1", round: 1 } },
  );
  assert.deepEqual(kinds(state.notices.slice(5)), ["offer_accepted:o1"]);
});

test("game-wide news reaches every viewer; offer news needs a team", () => {
  let state = reduce(initialState(), { ...welcome(1), you: { kind: "facilitator", role: null, name: "F" } });
  state = events(state, { seq: 2, kind: "game_paused", data: {} }, { seq: 3, kind: "offer_rejected", data: { offer: "o1", role: "US" } });
  assert.deepEqual(state.notices.map((event) => event.kind), ["game_paused"]);
});
