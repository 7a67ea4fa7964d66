// Unit tests of the negotiation board's pure helpers (node --test): the informed accept's
// steps, and what a counter changes.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ARM_MS,
  checkReducer,
  initialCheck,
  mayAccept,
  offerVersion,
  partyDiff,
  termDiff,
} from "../../frontend/static/frontend/js/player/offers.js";

const preview = { kind: "offer", red_lines: [], cost_change: 0 };

function shownAt(at, key = "v1") {
  let state = checkReducer(initialCheck(), { type: "ask", key });
  state = checkReducer(state, { type: "answer", key, ticket: state.ticket, preview });
  return checkReducer(state, { type: "painted", at });
}

test("accepting needs the preview of this version on screen for ARM_MS", () => {
  const state = shownAt(1000);
  assert.equal(mayAccept(state, "v1", 1000), false, "the tap of the same gesture does nothing");
  assert.equal(mayAccept(state, "v1", 1000 + ARM_MS - 1), false);
  assert.equal(mayAccept(state, "v1", 1000 + ARM_MS), true);
  assert.equal(mayAccept(state, "v2", 1000 + ARM_MS), false, "another version needs its own preview");
});

test("nothing accepts before the preview is answered and painted, whatever the preview says", () => {
  let state = checkReducer(initialCheck(), { type: "ask", key: "v1" });
  assert.equal(mayAccept(state, "v1", 1e9), false, "while checking");
  state = checkReducer(state, { type: "answer", key: "v1", ticket: state.ticket, preview });
  assert.equal(state.step, "shown");
  assert.equal(mayAccept(state, "v1", 1e9), false, "answered but not yet painted");
});

test("a fast double tap asks once", () => {
  const first = checkReducer(initialCheck(), { type: "ask", key: "v1" });
  const second = checkReducer(first, { type: "ask", key: "v1" });
  assert.equal(second, first);
});

test("an answer for an older ask or another version is dropped", () => {
  let state = checkReducer(initialCheck(), { type: "ask", key: "v1" });
  const old = state.ticket;
  state = checkReducer(state, { type: "ask", key: "v2" });
  assert.equal(checkReducer(state, { type: "answer", key: "v1", ticket: old, preview }), state);
  assert.equal(checkReducer(state, { type: "answer", key: "v1", ticket: state.ticket, preview }), state);
  assert.equal(checkReducer(state, { type: "answer", key: "v2", ticket: state.ticket, preview }).step, "shown");
});

test("a refused preview never arms the accept", () => {
  let state = checkReducer(initialCheck(), { type: "ask", key: "v1" });
  state = checkReducer(state, { type: "answer", key: "v1", ticket: state.ticket, error: "Offer o1 is accepted" });
  assert.equal(state.step, "failed");
  assert.equal(checkReducer(state, { type: "painted", at: 0 }), state);
  assert.equal(mayAccept(state, "v1", 1e9), false);
});

test("a refused accept goes back to the preview; cancel starts over", () => {
  let state = checkReducer(shownAt(0), { type: "accepting" });
  assert.equal(state.step, "accepting");
  assert.equal(mayAccept(state, "v1", 1e9), false, "no second accept while one is in flight");
  state = checkReducer(state, { type: "refused" });
  assert.equal(mayAccept(state, "v1", 1e9), true);
  assert.equal(checkReducer(state, { type: "cancel" }).step, "idle");
});

test("an offer's version changes with its state and with what its preview depends on", () => {
  const offer = { id: "o1", status: "open", accepted_by: [] };
  const view = { round: 1, phase: "negotiation", standing_decisions: { A: { s: 1 } }, offers: [offer] };
  const base = offerVersion(view, offer);
  assert.equal(offerVersion({ ...view }, { ...offer }), base);
  assert.notEqual(offerVersion(view, { ...offer, accepted_by: ["B"] }), base);
  const other = { id: "o2", status: "accepted" };
  assert.notEqual(offerVersion({ ...view, offers: [offer, other] }, offer), base);
});

const term = (by, lever, op, value, duration = "round") => ({ by, lever, op, value, duration });

test("a counter's diff names changed, added and removed terms", () => {
  const original = [term("US", "lng", ">=", 4), term("JP", "share", "<=", 3), term("JP", "sanctions", ">=", 50)];
  const counter = [term("US", "lng", ">=", 6, "game"), term("JP", "share", "<=", 3), term("KR", "aid", ">=", 2)];
  assert.deepEqual(termDiff(original, counter), [
    { kind: "changed", before: original[0], term: counter[0] },
    { kind: "added", term: counter[2] },
    { kind: "removed", term: original[2] },
  ]);
  assert.deepEqual(termDiff(original, original), []);
});

test("a counter's parties compared", () => {
  const original = { proposer: "US", to: ["JP", "KR"] };
  assert.deepEqual(partyDiff(original, { proposer: "JP", to: ["US"] }), { added: [], removed: ["KR"] });
});

test("the player's panels load (no syntax or import error)", async () => {
  for (const name of ["negotiation", "redlines", "decision", "preview", "paused"]) {
    const module = await import(`../../frontend/static/frontend/js/player/${name}.js`);
    assert.ok(Object.keys(module).length, name);
  }
});
