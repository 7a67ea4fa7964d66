// Plain words for red lines, teams and units (node --test): by the scenario's own titles,
// never by a key or an id.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as fmt from "../../frontend/static/frontend/js/format.js";
import { redLineTitle, teamsText } from "../../frontend/static/frontend/js/wording.js";

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
};

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
