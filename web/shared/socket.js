// The protocol v2 client shared by the widget and the console (docs/PROTOCOL.md).
// It authenticates with a `hello` frame (the token never goes in the URL),
// reconnects with backoff and jitter, resumes every followed conversation
// from the last seq the page holds, and resends unacknowledged sends with
// their original client_msg_id, so nothing is lost or duplicated.

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
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, 'bye');
  }

  async connect() {
    if (this.stopped) return;
    this.o.onState('connecting');
    let token;
    try {
      token = await this.o.token();
    } catch (e) {
      this.o.onState('closed', { reason: String(e.message || e) });
      return this.retry();
    }
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'hello', v: 2, token, resume: this.o.resume(), ref: 'hello' }));
    };
    ws.onmessage = (ev) => {
      let f;
      try { f = JSON.parse(ev.data); } catch { return; }
      if (f.type === 'welcome') {
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
