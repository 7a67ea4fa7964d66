// Unit tests of the page store (node --test): it files what the server sent, in order.
import assert from "node:assert/strict";
import { test } from "node:test";

import { LOG_KEEP, createStore, hasGap, initialState, reduce } from "../../frontend/static/frontend/js/store.js";

const welcome = { type: "welcome", resumed: false, seq: 5, you: { kind: "player", role: "JP" }, game: { code: "ABC234" }, view: { status: "lobby", scenario: { title: "T" } } };
const chat = (seq, text) => ({ seq, kind: "chat_posted", data: { text, channel: "all", from: "US" }, actor: { name: "A" }, at: "2026-01-01T10:00:00Z" });

test("a fresh welcome replaces the view, the seq, the chat and the log", () => {
  const before = { ...initialState(), chat: [chat(1, "old")], log: [chat(1, "old")] };
  const state = reduce(before, welcome);
  assert.equal(state.seq, 5);
  assert.equal(state.view.status, "lobby");
  assert.deepEqual(state.chat, []);
  assert.deepEqual(state.log, []);
});

test("a resumed welcome keeps the view and the seq: the missed events follow", () => {
  const state = reduce(reduce(initialState(), welcome), { type: "welcome", resumed: true, seq: 5, you: welcome.you, game: welcome.game });
  assert.equal(state.seq, 5);
  assert.equal(state.view.status, "lobby");
});

test("events advance the seq and file chat and log entries once, in seq order", () => {
  let state = reduce(initialState(), welcome);
  state = reduce(state, { type: "events", seq_from: 6, seq: 7, events: [chat(7, "b"), { seq: 6, kind: "offer_proposed", data: {}, actor: {} }] });
  assert.equal(state.seq, 7);
  assert.deepEqual(state.chat.map((item) => item.data.text), ["b"]);
  assert.deepEqual(state.log.map((item) => item.seq), [6, 7]);
  const again = reduce(state, { type: "events", seq_from: 6, seq: 7, events: [chat(7, "b")] });
  assert.equal(again, state, "a frame already applied changes nothing");
});

test("history pages merge older messages without duplicates", () => {
  let state = reduce(reduce(initialState(), welcome), { type: "events", seq_from: 6, seq: 9, events: [chat(9, "new")] });
  state = reduce(state, { type: "history", kinds: "chat", events: [chat(3, "older"), chat(9, "new")], more: true });
  assert.deepEqual(state.chat.map((item) => item.seq), [3, 9]);
  assert.equal(state.chatMore, true);
  state = reduce(state, { type: "history", kinds: "all", events: [chat(2, "x")], more: false });
  assert.deepEqual(state.log.map((item) => item.seq), [2, 9]);
  assert.equal(state.logMore, false);
});

test("the log keeps only the newest entries", () => {
  let state = reduce(initialState(), welcome);
  const events = Array.from({ length: LOG_KEEP + 10 }, (_, index) => ({ seq: 6 + index, kind: "x", data: {}, actor: {} }));
  state = reduce(state, { type: "events", seq_from: 6, seq: 5 + events.length, events });
  assert.equal(state.log.length, LOG_KEEP);
  assert.equal(state.log.at(-1).seq, 5 + events.length);
});

test("a view frame replaces the view but keeps the scenario the welcome brought", () => {
  let state = reduce(initialState(), welcome);
  state = reduce(state, { type: "view", seq: 6, view: { status: "running" } });
  assert.equal(state.view.status, "running");
  assert.equal(state.view.scenario.title, "T");
  const stale = reduce(state, { type: "view", seq: 5, view: { status: "lobby" } });
  assert.equal(stale, state, "an older view is ignored");
  const ended = reduce(state, { type: "view", seq: 8, view: { status: "ended", scenario: { title: "Unmasked" } } });
  assert.equal(ended.view.scenario.title, "Unmasked");
});

test("a gap is an events frame that does not follow the last seq", () => {
  const state = { ...initialState(), seq: 10 };
  assert.equal(hasGap(state, { type: "events", seq_from: 11, seq: 12 }), false);
  assert.equal(hasGap(state, { type: "events", seq_from: 13, seq: 14 }), true);
  assert.equal(hasGap(state, { type: "events", seq_from: 5, seq: 9 }), false);
});

test("the store notifies its listeners only when something changed", () => {
  const store = createStore();
  const seen = [];
  store.subscribe((state) => seen.push(state.seq));
  store.dispatch(welcome);
  store.dispatch({ type: "events", seq_from: 3, seq: 4, events: [] });
  store.dispatch({ type: "unknown" });
  assert.deepEqual(seen, [5]);
});

test("a view patch replaces only the parts it carries, if it starts from the page's view", () => {
  let state = reduce(initialState(), welcome);
  state = reduce(state, { type: "view", seq: 6, view: { status: "running", phase: "briefing", offers: [1] } });
  state = reduce(state, { type: "view", seq: 7, base: 6, view: { phase: "negotiation" } });
  assert.deepEqual(state.view, { status: "running", phase: "negotiation", offers: [1], scenario: { title: "T" } });
  assert.equal(state.viewSeq, 7);
  const skipped = reduce(state, { type: "view", seq: 9, base: 8, view: { offers: [] } });
  assert.deepEqual(skipped.view, state.view, "a patch from another view is not applied");
  assert.equal(skipped.viewStale, true);
  const whole = reduce(skipped, { type: "view", seq: 9, view: { status: "running", phase: "decision" } });
  assert.equal(whole.viewStale, false);
  assert.equal(whole.view.phase, "decision");
});

test("an events frame carrying its view patch files the events and applies the patch", () => {
  let state = reduce(initialState(), welcome);
  const view = { type: "view", seq: 6, base: 5, view: { status: "running" } };
  state = reduce(state, { type: "events", seq_from: 6, seq: 6, events: [chat(6, "hi")], view });
  assert.equal(state.seq, 6);
  assert.deepEqual(state.chat.map((item) => item.data.text), ["hi"]);
  assert.deepEqual(state.view, { status: "running", scenario: { title: "T" } });
  assert.equal(state.viewSeq, 6);
  const late = { type: "view", seq: 8, base: 7, view: { status: "ended" } };
  const stale = reduce(state, { type: "events", seq_from: 7, seq: 8, events: [], view: late });
  assert.equal(stale.seq, 8);
  assert.equal(stale.view.status, "running", "a patch from a view the page does not hold is not applied");
  assert.equal(stale.viewStale, true);
});

test("a patch's items replace the offers with the same id and add new ones at the end", () => {
  let state = reduce(initialState(), welcome);
  state = reduce(state, { type: "view", seq: 6, view: { status: "running", offers: [{ id: "o1", status: "open" }, { id: "o2", status: "open" }] } });
  const items = { offers: [{ id: "o2", status: "accepted" }, { id: "o3", status: "open" }] };
  state = reduce(state, { type: "events", seq_from: 7, seq: 7, events: [], view: { type: "view", seq: 7, base: 6, view: {}, items } });
  assert.deepEqual(state.view.offers, [{ id: "o1", status: "open" }, { id: "o2", status: "accepted" }, { id: "o3", status: "open" }]);
  assert.equal(state.viewSeq, 7);
});
