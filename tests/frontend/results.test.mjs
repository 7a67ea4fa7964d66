// The results tables add up as displayed (node --test): each row's shown parts sum to its
// shown total, within the rounding of the shown figures.
import assert from "node:assert/strict";
import { test } from "node:test";

import { scoreTables } from "../../frontend/static/frontend/js/results.js";

// A shown figure back to a number: "−22.5" → -22.5, "+2.5" → 2.5 (any locale's grouping).
const shown = (text) => Number(text.replace("−", "-").replace("+", "").replace(/[^\d.-]/g, ""));

function assertRowsAddUp(rows, where) {
  for (const row of rows) {
    const parts = row.cells.map((cell) => shown(cell.text));
    const sum = parts.reduce((a, b) => a + b, 0);
    // Each figure is shown to 0.1: each may be off by up to 0.05.
    const slack = 0.05 * (parts.length + 1) + 1e-9;
    assert.ok(Math.abs(sum - shown(row.total)) <= slack, `${where} ${row.code}: ${parts.join(" + ")} ≠ ${row.total}`);
  }
}

const view = {
  scenario: {
    scoring: { coalition_weight: 0.5 },
    roles: [
      { code: "US", name: "United States" },
      { code: "JP", name: "Japan" },
    ],
  },
};

// The row (national 67.5, commitments −10) with its red-line penalty, as the
// United States sees it: its own parts in full, Japan's cost and red lines as one sum.
const entry = {
  metrics: { coalition: 61.2345 },
  scores: {
    US: { national: 67.5, commitment_penalty: 10, adjustment: 0, score: 64.36725, gain: 1.25 },
    JP: { national: 80.3333, commitment_penalty: 0, adjustment: -2.5, score: 68.283925, gain: -0.4 },
  },
  breakdown: {
    US: {
      national: { parts: [{ part: "start", value: 100 }, { part: "cost", value: -7.5 }, { part: "red_lines", value: -15 }, { part: "commitments", value: -10 }], total: 67.5 },
      score: { parts: [{ part: "coalition", value: 30.61725 }, { part: "national", value: 33.75 }, { part: "adjustment", value: 0 }], total: 64.36725 },
    },
    JP: {
      national: { parts: [{ part: "start", value: 100 }, { part: "cost_and_red_lines", value: -19.6667 }, { part: "commitments", value: -0 }], total: 80.3333 },
      score: { parts: [{ part: "coalition", value: 30.61725 }, { part: "national", value: 40.16665 }, { part: "adjustment", value: -2.5 }], total: 68.283925 },
    },
  },
};

test("every part of a score is shown and the shown parts add up to the shown total", () => {
  const tables = scoreTables(view, entry, "US");
  assertRowsAddUp(tables.national, "national");
  assertRowsAddUp(tables.score, "round score");
  const us = tables.national.find((row) => row.code === "US");
  assert.deepEqual(us.cells.map((cell) => cell.text), ["100.0", "−7.5", "−15.0", "−10.0"]);
  assert.equal(us.total, "67.5");
  assert.equal(us.name, "United States (you)");
});

test("another team's cost and red lines are one cell over both columns, still adding up", () => {
  const japan = scoreTables(view, entry, "US").national.find((row) => row.code === "JP");
  assert.deepEqual(japan.cells.map((cell) => cell.span || 1), [1, 2, 1]);
  assert.equal(japan.cells[1].text, "−19.7");
  assert.match(japan.cells[1].note, /private until the end/);
});

test("the round score's columns name the coalition's share and figure", () => {
  const { headers } = scoreTables(view, entry, null);
  assert.equal(headers.score[0], "Coalition part (50% of 61.2)");
  assert.equal(headers.score[1], "National part (50% of national score)");
  assert.equal(headers.score.length, 4);
});

test("a row that did not add up is caught", () => {
  const broken = structuredClone(entry);
  broken.breakdown.US.national.parts = broken.breakdown.US.national.parts.filter((part) => part.part !== "red_lines");
  assert.throws(() => assertRowsAddUp(scoreTables(view, broken, "US").national, "national"));
});
