// Unit tests of the facilitator's event log in plain words (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";

import { actorText, eventSentence } from "../../frontend/static/frontend/js/eventtext.js";

const view = {
  scenario: {
    roles: [{ code: "US", name: "United States" }, { code: "JP", name: "Japan" }, { code: "ROK", name: "Republic of Korea" }],
    levers: [{ key: "russian_lng_share", label: "Russian share of LNG imports" }],
    red_lines: [{ id: "jp-sakhalin-lng", role: "JP", lever: "russian_lng_share" }],
  },
};
const said = (kind, data) => eventSentence(view, { kind, data });

test("events read as sentences in the scenario's names", () => {
  assert.equal(said("player_joined", { name: "Aiko", role: "JP" }), "Aiko joined Japan");
  assert.equal(said("disclosure_drafted", { role: "ROK", choices: [] }), "Republic of Korea saved its sealed disclosure: it reveals nothing");
  assert.equal(said("disclosure_drafted", { role: "JP", choices: [{}, {}] }), "Japan saved its sealed disclosure (2 choices)");
  assert.equal(
    said("red_line_revealed", { red_line: "jp-sakhalin-lng", to: ["US"], level: "full" }),
    "Japan's limit on Russian share of LNG imports was revealed to United States (in full)",
  );
  assert.equal(said("phase_started", { phase: "decision" }), "Decision began");
  assert.equal(said("decision_locked", { role: "US" }), "United States locked its decision");
  assert.equal(
    said("commitment_broken", { offer: "o2", term: { by: "JP", lever: "russian_lng_share" } }),
    "Japan broke its commitment on Russian share of LNG imports (offer o2)",
  );
});

test("no sentence carries an internal name", () => {
  const samples = [
    said("red_line_breached", { role: "JP", red_line: "jp-sakhalin-lng" }),
    said("chat_posted", { channel: ["JP", "US"] }),
    said("inject_published", { audience: "all", title: "News" }),
    eventSentence(view, { kind: "something_new", data: {} }),
  ];
  for (const text of samples) {
    assert.doesNotMatch(text, /jp-sakhalin-lng|russian_lng_share|_[a-z]+ed\b|\bJP\b/);
  }
});

test("the actor is a person and team, a facilitator, or the game", () => {
  assert.equal(actorText(view, { kind: "player", name: "Aiko", role: "JP" }), "Aiko, Japan");
  assert.equal(actorText(view, { kind: "facilitator", name: "dana" }), "dana (facilitator)");
  assert.equal(actorText(view, { kind: "system", name: "system" }), "the game");
});
