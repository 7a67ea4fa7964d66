// Unit tests of the readiness board's words (node --test): who is not ready, said in the
// scenario's names, and what is counted.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as ready from "../../frontend/static/frontend/js/readiness.js";

const names = { US: "United States", JP: "Japan", ROK: "Republic of Korea" };
const nameOf = (code) => names[code];

function team(role, changes = {}) {
  return { role, seated: 1, disclosure: null, awaiting: 0, decision: "none", pending: [], ready: true, ...changes };
}

test("the warning names every team that is not ready, and nothing when all are", () => {
  const board = {
    phase: "decision",
    everyone_ready: false,
    teams: [team("US"), team("JP", { pending: ["lock"], ready: false }), team("ROK", { pending: ["lock"], ready: false })],
  };
  assert.equal(
    ready.advanceWarning(board, nameOf),
    "Japan has not locked its decision. Republic of Korea has not locked its decision. Advance anyway?",
  );
  assert.equal(ready.advanceWarning({ ...board, teams: [team("US")] }, nameOf), null);
  assert.equal(ready.advanceWarning(null, nameOf), null);
});

test("offers awaiting an answer are counted in the warning", () => {
  const board = { phase: "negotiation", everyone_ready: null, teams: [team("JP", { awaiting: 2, pending: ["answer"], ready: false })] };
  assert.deepEqual(ready.pendingSentences(board, nameOf), [
    "Japan has 2 offers awaiting its answer; they expire when negotiation ends.",
  ]);
  board.teams[0].awaiting = 1;
  assert.match(ready.pendingSentences(board, nameOf)[0], /^Japan has 1 offer awaiting its answer; it expires/);
});

test("the prompt names where advancing leads, only when everyone is ready", () => {
  const view = { status: "running", round: 1, rounds_total: 4, phase: "disclosure", readiness: { everyone_ready: true } };
  assert.equal(ready.readyPrompt(view), "Everyone is ready — advance to Negotiation");
  assert.equal(ready.readyPrompt({ ...view, phase: "decision" }), "Everyone is ready — advance to Results");
  assert.equal(ready.readyPrompt({ ...view, readiness: { everyone_ready: false } }), null);
  assert.equal(ready.readyPrompt({ ...view, readiness: { everyone_ready: null } }), null);
  assert.equal(ready.readyPrompt({ ...view, status: "ended" }), null);
  assert.equal(ready.nextStepLabel({ ...view, phase: "results" }), "round 2");
  assert.equal(ready.nextStepLabel({ ...view, phase: "results", round: 4 }), "the end of the game");
});

test("counts say what they count: seated players and those online", () => {
  const seats = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }];
  const presence = { teams: { US: [{ player_id: 1 }, { player_id: 1 }], JP: [{ player_id: 4 }, { player_id: 9 }] } };
  assert.equal(ready.onlineCount(seats, presence), 2);
  assert.equal(ready.playersText(5, 3), "5 players, 3 online");
  assert.equal(ready.playersText(1, 0), "1 player, 0 online");
  assert.equal(ready.onlineCount(seats, null), 0);
});

test("a team's cells read as plain words", () => {
  assert.equal(ready.disclosureText(team("US")), "Not saved yet");
  assert.equal(ready.disclosureText(team("US", { disclosure: 0 })), "Saved: reveals nothing");
  assert.equal(ready.disclosureText(team("US", { disclosure: 2 })), "Saved: 2 choices");
  assert.equal(ready.decisionText(team("US", { decision: "drafted" }), "decision"), "Drafted, not locked");
  assert.equal(ready.decisionText(team("US", { decision: "none" }), "disclosure"), "—");
  assert.equal(ready.statusText(team("US", { seated: 0 })), "Nobody plays this team");
  assert.equal(ready.statusText(team("US", { ready: null })), "Nothing to do in this phase");
  assert.equal(ready.statusText(team("US", { ready: false, pending: ["disclosure"] })), "Waiting for: disclosure choices");
});
