// Plain words for events and red lines (node --test): sentences name teams, levers and red
// lines by the scenario's own titles, never by a key, an id or an event type.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as fmt from "../../frontend/static/frontend/js/format.js";
import { eventSentence, redLineTitle, teamsText } from "../../frontend/static/frontend/js/wording.js";

const view = {
  scenario: {
    roles: [
      { code: "US", name: "United States" },
      { code: "JP", name: "Japan" },
      { code: "ROK", name: "Republic of Korea" },
    ],
    levers: [{ key: "russian_lng_share", label: "Russian share of LNG imports", unit: "%" }],
  },
  red_lines: [
    { id: "jp-sakhalin-lng", role: "JP", lever: "russian_lng_share", kind: "floor", value: 5 },
    { id: "rok-lng-floor", role: "ROK", lever: "russian_lng_share", kind: "floor" },
  ],
  roster: [{ id: 7, name: "Aiko", role: "JP" }],
};

const offer = { id: "o3", proposer: "ROK", to: ["US"], terms: [] };
const events = [
  ["player_joined", { player_id: 7, name: "Aiko", role: "JP" }, "Aiko joined Japan"],
  ["player_moved", { player_id: 7, from: "JP", role: "US" }, "Aiko moved from Japan to United States"],
  ["offer_proposed", { offer }, "Republic of Korea proposed offer o3 to United States"],
  ["red_line_revealed", { owner: "JP", red_line: "jp-sakhalin-lng", to: ["US", "ROK"], level: "full" },
    "Japan revealed a red line to United States and Republic of Korea: Russian share of LNG imports: will not go below 5%"],
  ["disclosure_drafted", { role: "JP", choices: [] }, "Japan saved its sealed disclosure"],
  ["phase_started", { phase: "negotiation", seconds: 600 }, "The negotiation phase began"],
  ["chat_posted", { from: "JP", audience: ["JP", "ROK"], channel: ["JP", "ROK"], text: "hi" }, "Japan wrote to Japan and Republic of Korea"],
  ["red_line_breached", { role: "ROK", red_line: "rok-lng-floor", penalty: 15 }, "Republic of Korea crossed its red line: Russian share of LNG imports (a floor)"],
];

for (const [kind, data, sentence] of events) {
  test(`${kind} reads as a sentence`, () => {
    const text = eventSentence(view, { kind, data });
    assert.equal(text, sentence);
    assert.ok(!text.includes(kind));
  });
}

test("an unknown or malformed event never shows its type", () => {
  assert.equal(eventSentence(view, { kind: "brand_new_kind", data: {} }), "Something changed");
  assert.equal(eventSentence(view, { kind: "offer_proposed", data: {} }), "Something changed");
});

test("red lines are named by what they say", () => {
  assert.equal(redLineTitle(view, "jp-sakhalin-lng"), "Russian share of LNG imports: will not go below 5%");
  assert.equal(redLineTitle(view, "nobody-knows"), "a red line");
  assert.equal(teamsText(view, "all"), "everyone");
});

test("a plural word unit is singular for exactly one", () => {
  assert.equal(fmt.withUnit(1, { unit: "deals" }), "1 deal");
  assert.equal(fmt.withUnit(2, { unit: "deals" }), "2 deals");
  assert.equal(fmt.withUnit(0, { unit: "deals" }), "0 deals");
  assert.equal(fmt.withUnit(1, { unit: "index" }), "1 index");
  assert.equal(fmt.withUnit(1, { unit: "Mt/yr" }), "1 Mt/yr");
});
