// Unit tests of the socket module with a fake WebSocket (node --test): resuming from the last
// seq, catching up on a gap, re-sending unanswered commands with the same id, backoff.
import assert from "node:assert/strict";
import { test } from "node:test";

import { GameSocket, backoffSeconds, socketUrl } from "../../frontend/static/frontend/js/socket.js";
import { createStore } from "../../frontend/static/frontend/js/store.js";

globalThis.location = { protocol: "https:", host: "games.example.org" };

class FakeSocket {
  static opened = [];
  constructor(url) {
    this.url = url;
    this.readyState = 1;
    this.sent = [];
    FakeSocket.opened.push(this);
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; this.onclose?.({ code: 1006, reason: "" }); }
  serve(frame) { this.onmessage({ data: JSON.stringify(frame) }); }
}

const welcome = (seq, resumed = false) => ({ type: "welcome", resumed, seq, you: { kind: "player", role: "JP" }, game: { code: "ABC234" }, view: { status: "running" } });

function connected() {
  FakeSocket.opened = [];
  const store = createStore();
  const socket = new GameSocket({ code: "ABC234", store, WebSocketImpl: FakeSocket });
  socket.connect();
  const ws = FakeSocket.opened[0];
  ws.serve(welcome(4));
  return { store, socket, ws };
}

test("the socket URL asks for views (then their changed parts, inside the events frames), and for a resume once a seq is known", () => {
  assert.equal(socketUrl(location, "ABC234"), "wss://games.example.org/ws/games/ABC234/?views=3");
  assert.equal(socketUrl(location, "ABC234", { seq: 41 }), "wss://games.example.org/ws/games/ABC234/?views=3&seq=41");
  assert.equal(socketUrl({ protocol: "http:", host: "h:8000" }, "X", { watch: "k" }), "ws://h:8000/ws/games/X/?views=3&watch=k");
});

test("a view patch that does not start from the page's view is not applied: a snapshot is asked for", () => {
  const { store, ws } = connected();
  ws.serve({ type: "view", seq: 5, base: 4, view: { phase: "negotiation" } });
  assert.equal(store.get().view.phase, "negotiation");
  assert.equal(ws.sent.filter((frame) => frame.type === "sync").length, 0);
  ws.serve({ type: "view", seq: 9, base: 7, view: { phase: "decision" } });
  assert.equal(store.get().view.phase, "negotiation");
  assert.equal(ws.sent.filter((frame) => frame.type === "sync").length, 1);
  ws.serve({ type: "view", seq: 10, base: 9, view: { phase: "results" } }); // still stale: asked once
  assert.equal(ws.sent.filter((frame) => frame.type === "sync").length, 1);
  ws.serve({ type: "snapshot", seq: 10, you: { kind: "player", role: "JP" }, view: { status: "running", phase: "results" } });
  assert.equal(store.get().viewStale, false);
  assert.equal(store.get().viewSeq, 10);
});

test("a gap in the events is caught up from the last seq, not applied", () => {
  const { store, ws } = connected();
  ws.serve({ type: "events", seq_from: 7, seq: 7, events: [] });
  assert.equal(store.get().seq, 4);
  const catchUp = ws.sent.find((frame) => frame.type === "catch_up");
  assert.equal(catchUp.seq, 4);
});

test("commands are matched to their answer by id; refusals reject with the server's message", async () => {
  const { socket, ws } = connected();
  const accepted = socket.command("chat", { channel: "all", text: "hi" });
  const refused = socket.command("decision_lock");
  const [first, second] = ws.sent.filter((frame) => frame.type !== "history");
  ws.serve({ type: "ack", id: first.id, seq: 5 });
  ws.serve({ type: "error", id: second.id, code: "wrong_phase", message: "Not now." });
  assert.equal((await accepted).seq, 5);
  await assert.rejects(refused, (error) => error.message === "Not now.");
});

test("after a drop it reconnects from its last seq and re-sends unanswered commands with the same id", async () => {
  const { store, socket, ws } = connected();
  ws.serve({ type: "events", seq_from: 5, seq: 6, events: [] });
  const pending = socket.command("chat", { channel: "all", text: "during the drop" });
  const sentId = ws.sent.find((frame) => frame.type === "chat").id;
  socket.attempt = 0;
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = (fn) => { fn(); return 0; };
  try {
    ws.close();
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.equal(store.get().connection, "offline");
  const again = FakeSocket.opened.at(-1);
  assert.notEqual(again, ws);
  assert.match(again.url, /seq=6$/);
  again.serve(welcome(6, true));
  const resent = again.sent.find((frame) => frame.type === "chat");
  assert.equal(resent.id, sentId);
  again.serve({ type: "ack", id: sentId, seq: 7, duplicate: true });
  assert.equal((await pending).seq, 7);
  assert.equal(store.get().connection, "open");
});

test("a removed player is not reconnected", async () => {
  const { store, socket, ws } = connected();
  const pending = socket.command("chat", { channel: "all", text: "x" });
  ws.readyState = 3;
  ws.onclose({ code: 4403, reason: "removed" });
  assert.equal(store.get().connection, "closed");
  assert.equal(store.get().closedReason, "removed");
  await assert.rejects(pending);
  assert.equal(FakeSocket.opened.length, 1);
});

test("too many sockets is final; a server restart or a throttle reconnects", () => {
  const first = connected();
  first.ws.readyState = 3;
  first.ws.onclose({ code: 4429, reason: "too many sockets" });
  assert.equal(first.store.get().connection, "closed");
  assert.equal(first.store.get().closedReason, "too many sockets");
  for (const code of [1012, 1013]) {
    const { store, ws } = connected();
    ws.readyState = 3;
    ws.onclose({ code, reason: "" });
    assert.equal(store.get().connection, "offline");
  }
});

test("backoff grows to half a minute, with jitter", () => {
  assert.equal(backoffSeconds(0, () => 0.5), 0.5);
  assert.equal(backoffSeconds(3, () => 0.5), 4);
  assert.equal(backoffSeconds(20, () => 0.5), 30);
  assert.ok(backoffSeconds(2, () => 0) < backoffSeconds(2, () => 1));
});

test("a replaced watch key (close 4410) is final, with its reason for the page", async () => {
  const { store, socket, ws } = connected();
  ws.readyState = 3;
  ws.onclose({ code: 4410, reason: "link replaced" });
  assert.equal(store.get().connection, "closed");
  assert.equal(store.get().closedReason, "link replaced");
  await new Promise((resolve) => setTimeout(resolve, 700)); // past the first reconnect delay
  assert.equal(socket.ws, null); // this page opened no new socket
});
