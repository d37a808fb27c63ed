// The protocol v2 client shared by the widget and the console (docs/PROTOCOL.md).
// It authenticates with a `hello` frame (the token never goes in the URL),
// reconnects with backoff and jitter, resumes every followed conversation
// from the last seq the page holds, and resends unacknowledged sends with
// their original client_msg_id, so nothing is lost or duplicated.

// How long an opened socket may wait for its `welcome`.
const HANDSHAKE_MS = 10000;

/** How long a message may stay unacknowledged before it is shown as not sent. */
export const SEND_TIMEOUT_MS = 10000;

const REPLIES = new Set(['welcome', 'subscribed', 'ack', 'result', 'queue_position', 'pong', 'error']);

export class Socket {
  /**
   * @param {object} o
   * @param {() => Promise<string>} o.token      current token (may refresh it)
   * @param {() => Array<{conversation_id:string, after_seq:number}>} o.resume
   * @param {(frame: object) => void} o.onFrame  every server frame
   * @param {(state: string, detail?: object) => void} o.onState  connecting|open|closed|failed
   * @param {() => Promise<void>} [o.onAuthFailed] called on 4001 before retrying
   */
  constructor(o) {
    this.o = o;
    this.ws = null;
    this.ready = false;
    this.delay = 1000;
    this.stopped = false;
    this.waiting = new Map(); // ref -> {resolve, reject}
    this.outbox = new Map(); // client_msg_id -> send frame, until ack
    this.seq = 0;
    this.timer = null;
    this.handshake = null; // closes a socket that opened but got no `welcome`
    this.attempt = 0; // the latest connect(): an older one still fetching its token gives way
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.handshake);
    if (this.ws) this.ws.close(1000, 'bye');
  }

  async connect() {
    if (this.stopped) return;
    const attempt = ++this.attempt;
    this.o.onState('connecting');
    let token;
    try {
      token = await this.o.token();
    } catch (e) {
      if (attempt !== this.attempt) return;
      this.o.onState('closed', { reason: String(e.message || e) });
      return this.retry();
    }
    if (attempt !== this.attempt || this.stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    // A proxy that accepts the upgrade but forwards nothing leaves the socket
    // open and silent: without a `welcome` in time, drop it and retry.
    clearTimeout(this.handshake);
    this.handshake = setTimeout(() => { if (this.ws === ws && !this.ready) ws.close(); }, HANDSHAKE_MS);
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'hello', v: 2, token, resume: this.o.resume(), ref: 'hello' }));
    };
    ws.onmessage = (ev) => {
      let f;
      try { f = JSON.parse(ev.data); } catch { return; }
      if (f.type === 'welcome') {
        clearTimeout(this.handshake);
        this.ready = true;
        this.delay = 1000;
        this.o.onState('open', f);
        // Resend what was never acknowledged, with the same ids (idempotent).
        for (const frame of this.outbox.values()) ws.send(JSON.stringify(frame));
      }
      if (f.type === 'ack') this.outbox.delete(f.client_msg_id);
      if (f.type === 'error' && f.ref && this.outbox.has(f.ref)) this.outbox.delete(f.ref);
      if (f.ref && REPLIES.has(f.type) && this.waiting.has(f.ref)) {
        const w = this.waiting.get(f.ref);
        this.waiting.delete(f.ref);
        if (f.type === 'error') w.reject(Object.assign(new Error(f.message), { code: f.code }));
        else w.resolve(f);
      }
      this.o.onFrame(f);
    };
    ws.onclose = async (ev) => {
      if (this.ws !== ws) return;
      this.ready = false;
      this.ws = null;
      for (const w of this.waiting.values()) w.reject(Object.assign(new Error('disconnected'), { code: 'disconnected' }));
      this.waiting.clear();
      if (this.stopped) return;
      if (ev.code === 4002) {
        this.o.onState('failed', { code: ev.code, reason: ev.reason });
        return;
      }
      this.o.onState('closed', { code: ev.code, reason: ev.reason });
      if (ev.code === 4001 && this.o.onAuthFailed) {
        try { await this.o.onAuthFailed(); } catch { /* retried below */ }
      }
      this.retry(ev.code === 1001 ? 300 : undefined);
    };
  }

  retry(first) {
    if (this.stopped) return;
    const base = first ?? this.delay;
    this.delay = Math.min(this.delay * 2, 30000);
    const wait = base / 2 + Math.random() * base / 2;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  /**
   * Delivery retried by the user ("retry" on a failed message): unless open,
   * drops the connection attempt in progress (or the backoff wait, or a
   * socket that gave up) and connects at once; the `welcome` resends the
   * unacknowledged posts in the order they were posted, under the same
   * client_msg_ids (a copy the server already stored is acknowledged again,
   * not stored twice).
   */
  reconnectNow() {
    if (this.stopped || (this.ready && this.ws)) return;
    const old = this.ws;
    this.ws = null; // its close event is ignored (`onclose` checks this.ws)
    if (old) old.close();
    clearTimeout(this.timer);
    this.delay = 1000;
    this.connect();
  }

  /** Sends a frame now if the socket is open; returns whether it was sent. */
  send(frame) {
    if (!this.ready || !this.ws) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame with a fresh `ref` and resolves with the reply (rejects on `error`). */
  request(frame) {
    const ref = frame.ref || `r${++this.seq}`;
    return new Promise((resolve, reject) => {
      if (!this.send({ ...frame, ref })) {
        reject(Object.assign(new Error('not connected'), { code: 'disconnected' }));
        return;
      }
      this.waiting.set(ref, { resolve, reject });
    });
  }

  /**
   * Posts a message: kept until its `ack`, resent after a reconnect. The
   * `ref` is the client_msg_id, so an `error` can be matched to it.
   */
  post(frame) {
    const f = { type: 'send', ...frame, ref: frame.client_msg_id };
    this.outbox.set(frame.client_msg_id, f);
    this.send(f);
  }
}

/**
 * The messages typed but not yet acknowledged, in the order they were typed
 * (client_msg_id -> {…, failed}), shared by the widget and the console. Each
 * one is "sending" until `delivered`; after SEND_TIMEOUT_MS without it (the
 * socket never opened, a proxy drops it, the server is gone), or at once on
 * `failAll` (the socket gave up), it is `failed` with a reason, and the page
 * offers a retry. A failed message is still in the Socket's outbox: an ack
 * that comes later (a reconnect resent it) clears it like any other.
 */
export class PendingSends {
  /**
   * @param {() => void} onChange  called when a message turns failed by itself
   * @param {string} timeoutReason  the reason shown for a timeout
   */
  constructor(onChange, timeoutReason, timeoutMs = SEND_TIMEOUT_MS) {
    this.map = new Map();
    this.onChange = onChange;
    this.timeoutReason = timeoutReason;
    this.timeoutMs = timeoutMs;
  }

  /** A new message, "sending" from now. */
  add(id, entry) {
    const p = { ...entry, failed: null, timer: null };
    this.map.set(id, p);
    this.arm(p);
    return p;
  }

  arm(p) {
    clearTimeout(p.timer);
    p.failed = null;
    p.timer = setTimeout(() => {
      if (p.failed) return;
      p.failed = this.timeoutReason;
      this.onChange();
    }, this.timeoutMs);
  }

  has(id) { return this.map.has(id); }

  get(id) { return this.map.get(id); }

  /** Marks one message failed (a refusal from the server, a send that could not start). */
  fail(id, reason) {
    const p = this.map.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    p.failed = reason;
  }

  /** Marks every message still sending failed (the socket gave up). */
  failAll(reason) {
    for (const p of this.map.values()) if (!p.failed) { clearTimeout(p.timer); p.failed = reason; }
  }

  /** Acknowledged: no longer pending (failed or not). */
  delivered(id) {
    const p = this.map.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.map.delete(id);
  }

  /** Every failed message, in typing order, back to "sending"; returns [id, entry] pairs. */
  retryFailed() {
    const out = [...this.map].filter(([, p]) => p.failed);
    for (const [, p] of out) this.arm(p);
    return out;
  }

  [Symbol.iterator]() { return this.map[Symbol.iterator](); }
}
