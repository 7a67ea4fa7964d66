// Unit tests of the formatting helpers (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";

import * as fmt from "../../frontend/static/frontend/js/format.js";

test("values carry their lever's unit", () => {
  assert.equal(fmt.withUnit(9, { unit: "percent" }), "9%");
  assert.equal(fmt.withUnit(4, { unit: "Mt/yr" }), "4 Mt/yr");
  assert.equal(fmt.withUnit(2.5, { unit: "" }), "2.5");
});

test("clock shows minutes and seconds, rounding up", () => {
  assert.equal(fmt.clock(0), "0:00");
  assert.equal(fmt.clock(59.2), "1:00");
  assert.equal(fmt.clock(600), "10:00");
  assert.equal(fmt.clock(null), "—");
});

test("the countdown runs to the deadline and freezes while paused", () => {
  const running = { status: "running", paused: false, deadline: 1000, remaining: null };
  assert.deepEqual(fmt.countdown(running, 940), { seconds: 60, paused: false });
  assert.deepEqual(fmt.countdown(running, 1010), { seconds: 0, paused: false });
  assert.deepEqual(fmt.countdown({ ...running, paused: true, remaining: 42 }, 0), { seconds: 42, paused: true });
  assert.deepEqual(fmt.countdown({ ...running, deadline: null }, 0), { seconds: null, paused: false });
  assert.deepEqual(fmt.countdown({ status: "lobby" }, 0), { seconds: null, paused: false });
});

test("signed numbers use a true minus sign", () => {
  assert.equal(fmt.signed(4.84), "+4.8");
  assert.equal(fmt.signed(-9.9), "−9.9");
  assert.equal(fmt.signed(0), "0.0");
});
