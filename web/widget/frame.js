// The customer chat window (runs in the iframe at /widget/frame, on the chat
// server's origin, so the token and the socket stay on that origin).
// Options come from the frame URL (set by /widget.js): color, title, lang.
// The token lives in memory only; the anonymous visitor id in localStorage.

import { h, mount, uid, clock } from '/shared/dom.js';
import { Socket, PendingSends } from '/shared/socket.js';
import { formatted } from '/shared/format.js';
import { emojiButton } from '/shared/emoji.js';
import { ACCEPT, upload, filesOf, attachmentView, pendingUpload } from '/shared/files.js';
import { pick } from '/widget/i18n.js';
import { notice } from '/shared/notices.js';
import { awayWords, fetchAvailability, availabilityText, greetingText, leaveForm, markSeen, unreadCount, reportUnread } from '/widget/away.js';
import { needsForm, prechatView, prechatWords } from '/widget/prechat.js';

const params = new URLSearchParams(location.search);
const t = pick(params.get('lang'));
document.documentElement.lang = t.lang === 'zh' ? 'zh-CN' : 'en';
const color = params.get('color');
if (color && /^#[0-9a-fA-F]{3,8}$/.test(color)) document.documentElement.style.setProperty('--accent', color);
const pw = prechatWords(t.lang);
const title = (params.get('title') || t.title).slice(0, 80);
document.title = title;
const embedded = window.parent !== window;
const w = awayWords(t.lang);
// Preloaded hidden by /widget.js (`bg=1`): it only follows a conversation
// already going, to count replies for the launcher's badge, until shown.
let shown = !(embedded && params.get('bg') === '1');

const VISITOR_KEY = 'chat-api.visitor_id';

const state = {
  token: null,
  conv: null, // the conversation shown
  messages: new Map(), // seq -> message
  lastSeq: 0,
  pending: null, // PendingSends: client_msg_id -> {body, at, failed} (set below, it needs render)
  uploads: new Map(), // client_msg_id -> {file, progress, error}
  drafts: new Map(), // reply_id -> text (streamed assistant reply)
  agentName: null,
  agentTyping: false,
  queuePosition: null,
  connection: 'connecting',
  rating: null, // {score, comment, sent}
  error: null,
  availability: null, // GET /api/v1/widget/availability
  leaving: false, // the leave-a-message form is offered
  prechat: null, // the pre-chat form as this customer sees it (GET /api/v1/widget/prechat)
  agentRead: 0, // how far staff have read the conversation shown (from `read` frames)
};

// ---- session -------------------------------------------------------------

function storedVisitor() {
  try { return localStorage.getItem(VISITOR_KEY); } catch { return null; }
}

async function newSession() {
  const visitor = storedVisitor();
  const res = await fetch('/api/v1/widget/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(visitor ? { visitor_id: visitor } : {}),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error?.message || `HTTP ${res.status}`);
  if (body.visitor_id) {
    try { localStorage.setItem(VISITOR_KEY, body.visitor_id); } catch { /* private mode: new visitor each time */ }
  }
  state.token = body.token;
  return body.token;
}

async function api(path, init = {}) {
  const res = await fetch(path, {
    ...init,
    headers: { ...(init.headers || {}), authorization: `Bearer ${state.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.error?.message || `HTTP ${res.status}`), { field: body.error?.field });
  return body;
}

state.pending = new PendingSends(() => render(), t.noConnection);

// ---- socket --------------------------------------------------------------

// Who waits for the socket to be open (see `connected`).
const openWaiters = [];

const socket = new Socket({
  token: async () => state.token || newSession(),
  onAuthFailed: async () => { state.token = null; },
  resume: () => (state.conv && state.conv.state !== 'closed'
    ? [{ conversation_id: state.conv.id, after_seq: state.lastSeq }]
    : []),
  onState: (s) => {
    state.connection = s;
    // Given up (a close code that will not recover): nothing will be sent.
    if (s === 'failed') state.pending.failAll(t.noConnection);
    if (s === 'open') {
      if (state.conv?.state === 'queued') askPosition();
      for (const go of openWaiters.splice(0)) go();
    }
    render();
  },
  onFrame,
});

function onFrame(f) {
  // Protocol v2: our own message comes back in its `ack`, not as a `message`.
  if (f.type === 'ack' && f.message) f = { type: 'message', message: f.message };
  switch (f.type) {
    case 'subscribed':
    case 'result':
      if (f.conversation) setConversation(f.conversation);
      break;
    case 'conversation':
      if (state.conv && f.conversation.id === state.conv.id) setConversation(f.conversation);
      break;
    case 'message':
      if (state.conv && f.message.conversation_id === state.conv.id) addMessage(f.message);
      break;
    case 'ai_delta':
      if (state.conv && f.conversation_id === state.conv.id) {
        // A newer reply supersedes an older draft.
        if (!state.drafts.has(f.reply_id)) state.drafts.clear();
        // `reset`: the draft so far was abandoned (a broken stream); start over.
        const before = f.reset ? '' : (state.drafts.get(f.reply_id) || '');
        state.drafts.set(f.reply_id, before + f.delta);
      }
      break;
    case 'typing':
      if (f.actor.kind !== 'customer') state.agentTyping = f.on;
      break;
    case 'read':
      if (state.conv && f.conversation_id === state.conv.id && f.actor.kind !== 'customer') {
        state.agentRead = Math.max(state.agentRead, f.up_to_seq);
      }
      break;
    case 'queue_position':
      state.queuePosition = f.position;
      break;
    case 'error':
      if (f.ref && state.pending.has(f.ref)) state.pending.fail(f.ref, f.message);
      else if (f.code !== 'rate_limited') state.error = f.message;
      break;
    default:
      return; // unknown frames are ignored (protocol section 10)
  }
  render();
}

function setConversation(c) {
  const was = state.conv;
  if (was && was.id !== c.id) resetConversation();
  state.conv = c;
  if (c.state !== 'bot') state.drafts.clear();
  if (c.state !== 'queued') state.queuePosition = null;
  if (c.state === 'queued' && was?.state !== 'queued') askPosition();
}

function resetConversation() {
  state.messages.clear();
  state.lastSeq = 0;
  state.drafts.clear();
  state.agentName = null;
  state.agentTyping = false;
  state.queuePosition = null;
  state.rating = null;
  state.agentRead = 0;
}

function addMessage(m) {
  if (state.messages.has(m.seq)) return; // resumed twice: keep one copy
  state.messages.set(m.seq, m);
  state.lastSeq = Math.max(state.lastSeq, m.seq);
  if (m.client_msg_id) {
    state.pending.delivered(m.client_msg_id);
    state.drafts.delete(m.client_msg_id);
  }
  if (m.sender_kind === 'system') {
    const n = notice(m, t.lang);
    if (n.agent !== undefined) state.agentName = n.agent;
  }
  if (m.sender_kind === 'agent') state.agentTyping = false;
  // Read only when seen: a hidden (preloaded) frame reports on opening.
  if (m.sender_kind !== 'customer' && shown) socket.send({ type: 'read', conversation_id: m.conversation_id, up_to_seq: m.seq });
}

let positionTimer = null;
function askPosition() {
  clearInterval(positionTimer);
  const ask = () => {
    if (state.conv?.state !== 'queued') { clearInterval(positionTimer); return; }
    socket.send({ type: 'queue_position', conversation_id: state.conv.id });
  };
  ask();
  // The server does not push position changes: ask again now and then.
  positionTimer = setInterval(ask, 10000);
}

// ---- actions -------------------------------------------------------------

/** Resolves once the socket is open (at once if it is). */
async function connected() {
  while (!socket.ready) await new Promise((go) => { openWaiters.push(go); });
}

// The conversation being opened, shared by everything that needs one
// meanwhile: two messages typed before the socket connects make one
// conversation, not two.
let opening = null;
async function ensureConversation() {
  if (state.conv && state.conv.state !== 'closed') return state.conv;
  if (!opening) opening = openConversation().finally(() => { opening = null; });
  return opening;
}

async function openConversation() {
  // On the first open the socket is still connecting (it starts when the
  // window opens): wait for it rather than fail with "not connected".
  await connected();
  let r;
  try {
    r = await socket.request({ type: 'open' });
  } catch (e) {
    // The pre-chat form changed since it was read (a field became required).
    if (e.code === 'validation_failed') await loadPrechat();
    throw e;
  }
  resetConversation();
  state.conv = r.conversation;
  return state.conv;
}

let typingOn = false;
let typingTimer = null;
function typing(on) {
  if (!state.conv || state.conv.state === 'closed' || typingOn === on) return;
  typingOn = on;
  socket.send({ type: 'typing', conversation_id: state.conv.id, on });
}

async function send(body) {
  const text = body.trim();
  if (!text) return;
  // Shown as "sending" at once, under the id it keeps through every resend
  // (idempotent), even while the socket is still connecting.
  // Not acknowledged in time, it shows as not sent, with a retry.
  const id = uid('w');
  state.pending.add(id, { body: text, at: new Date().toISOString() });
  typing(false);
  render();
  await post([id]);
}

/** Posts pending messages (in the order given) once there is a conversation. */
async function post(ids) {
  try {
    const conv = await ensureConversation();
    for (const id of ids) {
      const p = state.pending.get(id);
      if (p) socket.post({ conversation_id: conv.id, client_msg_id: id, body: p.body });
    }
  } catch (e) {
    // Nothing was posted: the text stays on screen, marked as not sent.
    for (const id of ids) state.pending.fail(id, e.message);
  }
  render();
}

/**
 * "Retry" on a failed message: every failed message goes again, in the order
 * typed, under its own client_msg_id (a copy the server already has is
 * acknowledged, not stored twice), over a connection tried at once.
 */
function retryUnsent() {
  const ids = state.pending.retryFailed().map(([id]) => id);
  render();
  socket.reconnectNow(); // when not open: at once, not after the backoff
  post(ids);
}

// ---- attachments -----------------------------------------------------------

async function sendFiles(files) {
  for (const file of files) {
    const id = uid('wf');
    state.uploads.set(id, { file, progress: 0, error: null });
    startUpload(id);
  }
  render();
}

async function startUpload(id) {
  const u = state.uploads.get(id);
  if (!u) return;
  u.error = null;
  u.progress = 0;
  render();
  try {
    const conv = await ensureConversation();
    const m = await upload({
      conversationId: conv.id, file: u.file, token: state.token, clientMsgId: id,
      onProgress: (p) => { u.progress = p; render(); },
    });
    state.uploads.delete(id);
    if (m && m.seq) addMessage(m);
  } catch (e) {
    if (e.status === 401) state.token = null; // expired: the next try starts a new session
    u.error = e.message;
  }
  render();
}

async function fetchBlob(url) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${state.token}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.blob();
}

async function talkToPerson() {
  try {
    const conv = await ensureConversation();
    await socket.request({ type: 'request_human', conversation_id: conv.id });
    // Nobody can answer now: queued all the same, and offered to leave a message.
    state.availability = await fetchAvailability() || state.availability;
    if (state.availability && !state.availability.available) state.leaving = true;
  } catch (e) {
    state.error = e.message;
  }
  render();
}

async function leaveMessage({ email, text }) {
  const conv = await ensureConversation();
  const c = await api(`/api/v1/widget/conversations/${conv.id}/leave-message`, {
    method: 'POST',
    body: JSON.stringify({ email, ...(text ? { text, client_msg_id: uid('wl') } : {}) }),
  });
  setConversation(c);
  render();
}

async function refreshAvailability() {
  state.availability = await fetchAvailability();
  render();
}

async function rate(score, comment) {
  try {
    const c = await api(`/api/v1/widget/conversations/${state.conv.id}/rating`, {
      method: 'POST',
      body: JSON.stringify(comment ? { score, comment } : { score }),
    });
    state.conv = c;
    state.rating = { score, sent: true };
  } catch (e) {
    state.error = e.message;
  }
  render();
}

// ---- pre-chat form ---------------------------------------------------------

async function loadPrechat() {
  try {
    state.prechat = await api('/api/v1/widget/prechat');
  } catch (e) {
    state.error = e.message;
  }
}

async function submitPrechat(answers) {
  state.prechat = await api('/api/v1/widget/prechat', { method: 'POST', body: JSON.stringify(answers) });
  render();
  input.focus();
}

function startOver() {
  state.conv = null;
  resetConversation();
  render();
}

// ---- view ----------------------------------------------------------------

const root = document.getElementById('widget');
const log = h('div', { class: 'w-log', role: 'log', 'aria-label': title });
const typingLine = h('div', { class: 'w-typing', 'data-testid': 'typing' });
const input = h('textarea', { 'aria-label': t.placeholder, placeholder: t.placeholder, rows: 1, maxlength: 4000 });
const status = h('span', { class: 'w-status', 'data-testid': 'status' });
const availLine = h('div', { class: 'w-avail', 'data-testid': 'availability' });
const leaveBox = h('div', { class: 'w-leave-box' });
const humanBtn = h('button', { type: 'button', 'data-testid': 'human', onclick: talkToPerson }, t.human);
const queueLine = h('span', { class: 'w-queue', 'data-testid': 'queue' });
const rateBox = h('section', { class: 'w-rate', 'data-testid': 'csat', hidden: true });
const prechatBox = h('section', { class: 'w-prechat', 'data-testid': 'prechat', hidden: true });
const errorLine = h('div', { class: 'error w-queue', role: 'alert' });
const compose = h('form', {
  class: 'w-compose',
  onsubmit: (e) => { e.preventDefault(); const v = input.value; input.value = ''; send(v); },
}, emojiButton(input, t.emoji), attachButton(), input, h('button', { class: 'primary', type: 'submit' }, t.send));

function attachButton() {
  const picker = h('input', {
    type: 'file', accept: ACCEPT, multiple: true, hidden: true, 'data-testid': 'file-input',
    onchange: () => { sendFiles([...picker.files]); picker.value = ''; },
  });
  return h('span', { class: 'attach-wrap' }, picker, h('button', {
    type: 'button', class: 'attach-toggle', title: t.attach, 'aria-label': t.attach, 'data-testid': 'attach',
    onclick: () => picker.click(),
  }, '📎'));
}

// Paste an image into the message box; drop files anywhere on the window.
input.addEventListener('paste', (e) => {
  const files = filesOf(e.clipboardData);
  if (files.length) { e.preventDefault(); sendFiles(files); }
});

input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); compose.requestSubmit(); }
});
input.addEventListener('input', () => {
  typing(input.value.length > 0);
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => typing(false), 3000);
});

mount(root,
  h('header', { class: 'w-head' },
    h('h1', {}, title, status),
    embedded ? h('button', { type: 'button', 'aria-label': t.close, title: t.close, onclick: () => parent.postMessage({ type: 'chat-api:close' }, '*') }, '×') : null),
  availLine,
  log,
  typingLine,
  leaveBox,
  h('div', { class: 'w-bar' }, queueLine, errorLine, humanBtn),
  rateBox,
  prechatBox,
  compose);

root.addEventListener('dragover', (e) => {
  if ([...(e.dataTransfer?.types || [])].includes('Files')) { e.preventDefault(); root.classList.add('dropping'); }
});
root.addEventListener('dragleave', (e) => { if (e.target === root || !root.contains(e.relatedTarget)) root.classList.remove('dropping'); });
root.addEventListener('drop', (e) => {
  root.classList.remove('dropping');
  const files = filesOf(e.dataTransfer);
  if (files.length) { e.preventDefault(); sendFiles(files); }
});

function who(m) {
  if (m.sender_kind === 'customer') return t.you;
  if (m.sender_kind === 'bot') return t.assistant;
  // Each reply under the name its sender had (a transfer must not relabel it).
  return m.sender_name || state.agentName || t.agent;
}

function bubble(kind, name, body, extra = {}) {
  return h('div', { class: `msg ${kind} ${extra.cls || ''}`, 'data-testid': `msg-${kind}`, dataset: extra.data || {} },
    h('span', { class: 'who' }, name, extra.time ? ` · ${clock(extra.time)}` : ''),
    typeof body === 'string' ? formatted(body) : body,
    extra.state ? h('span', { class: 'state' }, extra.state) : null);
}

function render() {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const items = [h('div', { class: 'notice', 'data-testid': 'greeting' }, greetingText(t, w, state.availability))];
  const seqs = [...state.messages.keys()].sort((a, b) => a - b);
  // "Read" goes under the last of the customer's messages that staff have read.
  const readSeq = seqs.filter((s) => s <= state.agentRead && state.messages.get(s).sender_kind === 'customer').pop();
  for (const s of seqs) {
    const m = state.messages.get(s);
    if (m.kind === 'event' || m.sender_kind === 'system') {
      items.push(h('div', { class: 'notice', 'data-testid': 'notice' }, notice(m, t.lang).text));
    } else {
      const content = m.kind === 'attachment' && m.attachment ? attachmentView(m.attachment, fetchBlob, t.file) : m.body;
      items.push(bubble(m.sender_kind === 'customer' ? 'customer' : m.sender_kind === 'bot' ? 'bot' : 'agent', who(m), content,
        { time: m.created_at, data: { seq: String(m.seq) } }));
      if (s === readSeq) items.push(h('div', { class: 'w-receipt', 'data-testid': 'read-receipt' }, pw.read));
    }
  }
  for (const [id, p] of state.pending) {
    const line = p.failed
      ? [`${t.failed}: ${p.failed} `, h('button', { type: 'button', class: 'retry', 'data-testid': 'retry', onclick: retryUnsent }, t.retry)]
      : t.sending;
    items.push(bubble('customer', t.you, p.body, { cls: `pending${p.failed ? ' failed' : ''}`, state: line, data: { pending: id } }));
  }
  for (const [id, u] of state.uploads) {
    items.push(pendingUpload(u, t.file, () => startUpload(id), () => { state.uploads.delete(id); render(); }));
  }
  for (const [, text] of state.drafts) items.push(bubble('bot', t.assistant, text, { cls: 'draft' }));
  mount(log, items);
  if (atBottom || state.drafts.size) log.scrollTop = log.scrollHeight;

  const c = state.conv;
  const conn = state.connection;
  status.textContent = conn === 'open'
    ? (state.agentName && c?.state === 'human' ? t.chattingWith(state.agentName) : t.online)
    : (conn === 'connecting' && !state.token ? t.connecting : t.reconnecting);
  typingLine.textContent = state.agentTyping && c?.state === 'human' ? t.typing(state.agentName || t.agent) : '';
  humanBtn.hidden = !(c === null || c.state === 'bot');
  queueLine.textContent = c?.state === 'queued' ? t.queued(state.queuePosition) : '';
  errorLine.textContent = state.error ? t.error + state.error : '';
  errorLine.hidden = !state.error;
  state.error = null;

  renderAway(c);

  const closed = c?.state === 'closed';
  compose.hidden = closed;
  rateBox.hidden = !closed;
  if (closed) renderRating(c);
  renderPrechat(c);
}

/** Before a new conversation, the pre-chat form replaces the message box until it is submitted. */
function renderPrechat(c) {
  const asking = !c && needsForm(state.prechat);
  prechatBox.hidden = !asking;
  if (!asking) {
    if (prechatBox.childElementCount) prechatBox.replaceChildren();
    return;
  }
  compose.hidden = true;
  humanBtn.hidden = true;
  // Built once: a render must not wipe what is being typed.
  if (!prechatBox.childElementCount) prechatBox.append(prechatView(state.prechat.form, pw, submitPrechat));
}

function renderAway(c) {
  availLine.textContent = availabilityText(w, state.availability);
  availLine.hidden = !availLine.textContent;
  // The form stays once offered (what is being typed is kept) until a
  // person joins or the conversation ends.
  if (state.leaving && c && (c.state === 'human' || c.state === 'closed')) state.leaving = false;
  if (!state.leaving) mount(leaveBox);
  else if (!leaveBox.firstChild) mount(leaveBox, leaveForm(w, leaveMessage));
  if (!c) return;
  if (shown) markSeen(c.id, state.lastSeq);
  else reportUnread(unreadCount(c.id, state.messages.values()));
}

function renderRating(c) {
  if (c.csat_score != null || state.rating?.sent) {
    mount(rateBox, h('p', { 'data-testid': 'thanks' }, t.thanks),
      h('button', { type: 'button', class: 'primary', onclick: startOver }, t.newConversation));
    return;
  }
  if (rateBox.dataset.for === c.id && rateBox.childElementCount) return; // keep what is being typed
  rateBox.dataset.for = c.id;
  let score = 0;
  const stars = [1, 2, 3, 4, 5].map((n) => h('button', {
    type: 'button', 'aria-label': t.rate(n), title: t.rate(n), 'data-score': String(n),
    onclick: () => { score = n; stars.forEach((b, i) => b.classList.toggle('on', i < n)); submit.disabled = false; },
  }, '★'));
  const comment = h('textarea', { placeholder: t.comment, 'aria-label': t.comment, rows: 2, maxlength: 1000 });
  const submit = h('button', { type: 'button', class: 'primary', disabled: true, onclick: () => rate(score, comment.value.trim()) }, t.submitRating);
  mount(rateBox, h('h2', {}, t.rateTitle), h('div', { class: 'stars' }, stars), comment, submit,
    h('button', { type: 'button', onclick: startOver }, t.newConversation));
}

// ---- start ---------------------------------------------------------------

let booted = false;
// While boot() is still finding the conversation to come back to: the socket
// must not start before it, or its `hello` resumes nothing and the page
// never follows that conversation (no history, no new replies).
let booting = false;
async function boot() {
  booted = true;
  booting = true;
  render();
  refreshAvailability();
  setInterval(() => { if (shown) refreshAvailability(); }, 60000);
  try {
    await newSession();
    await loadPrechat();
    // Come back to the conversation still going, if any (newest first).
    const list = await api('/api/v1/widget/conversations');
    const open = list.items.find((c) => c.state !== 'closed');
    const latest = list.items[0];
    if (open) {
      state.conv = open;
    } else if (latest && latest.csat_score == null && latest.closed_at
      && Date.now() - Date.parse(latest.closed_at) < 3600 * 1000) {
      // Closed a moment ago and not rated yet (e.g. the page was reloaded):
      // show it with the rating prompt. Closed conversations are not followed.
      state.conv = latest;
      let after = 0;
      do {
        const page = await api(`/api/v1/widget/conversations/${latest.id}/messages?after_seq=${after}&limit=500`);
        page.items.forEach(addMessage);
        after = page.next_after_seq;
      } while (after != null);
    }
  } catch (e) {
    state.error = e.message;
  }
  booting = false;
  // Hidden, only a conversation still going is followed (for the badge).
  // `shown` may have turned true meanwhile: the socket starts here, now that
  // the conversation is known and goes into its `hello.resume`.
  if (shown || (state.conv && state.conv.state !== 'closed')) startSocket();
  render();
}

let socketStarted = false;
function startSocket() {
  if (socketStarted) return;
  socketStarted = true;
  socket.start();
}

// /widget.js says when the window opens and closes.
window.addEventListener('message', (ev) => {
  if (ev.source !== window.parent || !ev.data) return;
  if (ev.data.type === 'chat-api:shown') {
    shown = true;
    if (!booted) boot();
    else if (!booting) { startSocket(); refreshAvailability(); }
    // else: boot() starts the socket once it knows the conversation.
    reportUnread(0);
    if (state.conv && state.conv.state !== 'closed' && state.lastSeq) {
      socket.send({ type: 'read', conversation_id: state.conv.id, up_to_seq: state.lastSeq });
    }
    render();
  } else if (ev.data.type === 'chat-api:hidden') {
    shown = false;
  }
});

// A hidden frame of a visitor who never chatted does nothing (no session,
// no socket) until it is shown.
let knownVisitor = false;
try { knownVisitor = Boolean(localStorage.getItem(VISITOR_KEY)); } catch { /* private mode */ }
if (shown || knownVisitor) boot();
// Opened before this script ran? Ask (the answer is `shown` or `hidden`).
if (!shown) parent.postMessage({ type: 'chat-api:ready' }, '*');
