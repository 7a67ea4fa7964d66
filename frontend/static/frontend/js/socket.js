// One reconnecting socket per page (protocol: docs/protocol.md). It keeps the store in step
// with the server: resumes from the last seq after a drop, catches up on a gap, re-sends
// commands that were never answered (same id: the server applies each id once), and pings
// so that a dead connection on flaky Wi-Fi is noticed. No game rule lives here.
import { hasGap } from "./store.js";

const FATAL_CLOSES = {
  4401: "unauthenticated",
  4403: "removed",
  4404: "unknown game",
  // Too many sockets for this player (other tabs) or address: reconnecting would only be
  // refused again. 1012 (server restart) and 1013 (try again later) do reconnect.
  4429: "too many sockets",
  // The facilitator replaced the observer/projector link: the old key opens nothing now.
  4410: "link replaced",
};
export const PING_SECONDS = 20;
export const PONG_TIMEOUT_SECONDS = 10;

export function backoffSeconds(attempt, random = Math.random) {
  const base = Math.min(30, 0.5 * 2 ** attempt);
  return base * (0.75 + random() * 0.5);
}

export function socketUrl(location, code, { seq = 0, watch = null } = {}) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  // The view with every change: whole the first time, then the parts that changed, inside
  // the change's events frame.
  const params = new URLSearchParams({ views: "3" });
  if (seq > 0) params.set("seq", String(seq));
  if (watch) params.set("watch", watch);
  return `${scheme}//${location.host}/ws/games/${encodeURIComponent(code)}/?${params}`;
}

export class GameSocket {
  constructor({ code, store, watch = null, onWelcome = null, WebSocketImpl = globalThis.WebSocket }) {
    this.code = code;
    this.onWelcome = onWelcome;
    this.store = store;
    this.watch = watch;
    this.WebSocketImpl = WebSocketImpl;
    this.pending = new Map(); // id -> {frame, resolve, reject, sent}
    this.counter = 0;
    this.attempt = 0;
    this.ws = null;
    this.stopped = false;
    this.authenticated = false;
    this.prefix = Math.random().toString(36).slice(2, 8);
  }

  start() {
    this.connect();
    globalThis.addEventListener?.("online", () => this.reconnectNow());
    this.pingTimer = setInterval(() => this.ping(), PING_SECONDS * 1000);
  }

  newId(kind) {
    this.counter += 1;
    return `${kind}-${this.prefix}-${this.counter}`;
  }

  connect() {
    const { seq } = this.store.get();
    const url = socketUrl(globalThis.location, this.code, { seq, watch: this.watch });
    const ws = new this.WebSocketImpl(url);
    this.ws = ws;
    this.authenticated = false;
    this.store.set({ connection: this.attempt === 0 ? "connecting" : "offline" });
    ws.onmessage = (message) => this.receive(JSON.parse(message.data));
    ws.onclose = (event) => this.closed(ws, event);
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearTimeout(this.pongTimer);
    const fatal = FATAL_CLOSES[event.code];
    if (fatal || this.stopped) {
      this.stopped = true;
      this.store.set({ connection: "closed", closedReason: fatal || "stopped" });
      for (const item of this.pending.values()) {
        item.reject({ type: "error", code: fatal || "closed", message: event.reason || fatal });
      }
      this.pending.clear();
      return;
    }
    this.store.set({ connection: "offline" });
    const wait = backoffSeconds(this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), wait * 1000);
  }

  reconnectNow() {
    if (this.stopped || (this.ws && this.ws.readyState <= 1)) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  // The server dropped us or the network did: close and let closed() schedule a reconnect.
  drop() {
    if (this.ws) this.ws.close();
  }

  receive(frame) {
    const store = this.store;
    if (frame.type === "welcome") {
      this.authenticated = true;
      this.attempt = 0;
      store.dispatch(frame);
      store.set({ connection: "open" });
      this.resendPending();
      if (!frame.resumed) this.loadHistory();
      if (this.onWelcome) this.onWelcome(frame);
      return;
    }
    if (frame.type === "events" && hasGap(store.get(), frame)) {
      this.raw({ type: "catch_up", id: this.newId("catch"), seq: store.get().seq });
      return;
    }
    if (frame.type === "snapshot" && !frame.id) this.loadHistory();
    if (frame.type === "pong") clearTimeout(this.pongTimer);
    const wasStale = store.get().viewStale;
    store.dispatch(frame);
    if (store.get().viewStale && !wasStale) this.raw({ type: "sync", id: this.newId("sync") });
    const waiting = frame.id && this.pending.get(frame.id);
    if (waiting) {
      this.pending.delete(frame.id);
      if (frame.type === "error") waiting.reject(frame);
      else waiting.resolve(frame);
    }
  }

  loadHistory() {
    this.request({ type: "history", kinds: "chat" }).catch(() => {});
  }

  raw(frame) {
    if (this.ws && this.ws.readyState === 1 && this.authenticated) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  // Send a frame that gets exactly one answer (ack/error, history, preview, ...), matched by
  // id. Unanswered frames are sent again after a reconnect with the same id.
  request(frame) {
    const id = frame.id || this.newId(frame.type);
    const full = { ...frame, id };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { frame: full, resolve, reject });
      this.raw(full);
    });
  }

  command(type, payload = {}) {
    return this.request({ type, ...payload });
  }

  resendPending() {
    for (const item of this.pending.values()) this.raw(item.frame);
  }

  ping() {
    if (!this.raw({ type: "ping", id: this.newId("ping") })) return;
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => this.drop(), PONG_TIMEOUT_SECONDS * 1000);
  }
}
