// The agent console: login, inbox, conversation view, and (for supervisors
// and admins) the back-office pages in admin.js. Routing is by location.hash:
// #/inbox/<tab>, #/c/<conversation id>, #/stats, #/knowledge, #/canned,
// #/users, #/audit, #/webhooks.

import { h, mount, uid, clock } from '/shared/dom.js';
import { Socket, PendingSends } from '/shared/socket.js';
import { formatted } from '/shared/format.js';
import { emojiButton } from '/shared/emoji.js';
import { ACCEPT, upload, filesOf, attachmentView, pendingUpload } from '/shared/files.js';
import { notice } from '/shared/notices.js';
import { api, login, logout, refresh, session } from '/console/api.js';
import { pages } from '/console/admin.js';
import { t, language, choose } from '/console/i18n.js';

const app = document.getElementById('app');
const BASE_TITLE = t.title;
document.documentElement.lang = language() === 'zh' ? 'zh-CN' : 'en';

const st = {
  me: null,
  presence: 'online',
  connection: 'connecting',
  tab: 'queued',
  lists: { queued: [], mine: [], snoozed: [], all: [] },
  listError: null,
  names: new Map(), // user id -> display name, from the staff directory
  staff: [], // the staff directory: {id, display_name, role, presence, load}
  canned: [],
  conv: null, // conversation open in the view
  messages: new Map(),
  lastSeq: 0,
  drafts: new Map(), // assistant replies streaming
  uploads: new Map(), // client_msg_id -> {conv, file, progress, error} (files being sent)
  typing: null,
  customerRead: 0, // how far the customer has read the open conversation (from `read` frames)
  note: false,
  viewError: null,
  knownQueued: new Set(),
  unseen: 0,
  summaries: new Map(), // conversation id -> inbox summary (unread, last message, waiting since)
  followed: new Set(), // conversations followed in the background (mine), for unread counts
  muted: localStorage.getItem('chat-api.console.muted') === '1',
  search: { q: '', state: '', assignee: '', label: '', from: '', to: '', items: [], next: null, done: false, error: null },
  notify: localStorage.getItem('chat-api.console.notify') === '1',
};

const isSup = () => st.me && (st.me.role === 'supervisor' || st.me.role === 'admin');
const nameOf = (id) => (id === st.me?.id ? t.you(st.me.display_name) : st.names.get(id) || (id ? `${t.agent} ${id.slice(-6)}` : ''));

// ---- login ---------------------------------------------------------------

function showLogin(message) {
  document.title = BASE_TITLE;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, 'aria-label': t.email });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, 'aria-label': t.password });
  const err = h('p', { class: 'error', role: 'alert' }, message || '');
  const form = h('form', {
    class: 'login card',
    onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      try {
        await login(email.value.trim(), password.value);
        start();
      } catch (ex) {
        err.textContent = ex.message;
      }
    },
  },
  h('h1', {}, t.title),
  h('label', {}, t.email, email),
  h('label', {}, t.password, password),
  h('button', { class: 'primary', type: 'submit' }, t.login),
  err);
  mount(app, h('div', { class: 'login-wrap' }, form));
  email.focus();
}

// Replies typed but not yet acknowledged: shown "sending…" under the id they
// keep through every resend, then "not sent" with a retry (shared/socket.js).
const pending = new PendingSends(() => renderMessages(), t.noConnection);

// ---- socket --------------------------------------------------------------

const socket = new Socket({
  token: async () => {
    const s = session();
    if (!s) throw new Error('logged out');
    // Access tokens are short-lived: take a fresh one for every connection.
    try { return await refresh(); } catch { throw new Error('session expired'); }
  },
  resume: () => (st.conv ? [{ conversation_id: st.conv.id, after_seq: st.lastSeq }] : []),
  onState: (s) => {
    st.connection = s;
    if (s === 'failed') { pending.failAll(t.noConnection); renderMessages(); }
    if (s === 'open') {
      if (st.presence !== 'online') socket.send({ type: 'presence', status: st.presence });
      st.followed.clear(); // a new connection follows nothing yet
      if (st.followAgain && st.conv?.id === st.followAgain) follow(st.conv.id);
      st.followAgain = null;
      loadLists();
    }
    if (s === 'closed' && !session()) { socket.stop(); showLogin(t.sessionEnded); return; }
    renderChrome();
  },
  onFrame,
});

function onFrame(f) {
  // Protocol v2: our own message comes back in its `ack`, not as a `message`.
  if (f.type === 'ack' && f.message) f = { type: 'message', message: f.message };
  switch (f.type) {
    case 'conversation': {
      const c = f.conversation;
      if (c.state === 'queued' && f.previous_state !== 'queued') notifyQueued(c.id);
      if ((f.change === 'transfer' || f.change === 'assign') && c.assignee_id === st.me.id && f.by?.id !== st.me.id) {
        notify(f.change === 'transfer' ? t.transferredToYou : t.assignedToYou, customerName(c), `to-${c.id}`);
      }
      if (st.conv && st.conv.id === c.id) { st.conv = c; renderConversation(); }
      scheduleLists();
      break;
    }
    case 'offer':
      notifyQueued(f.conversation_id);
      break;
    case 'queue_alert':
      notifyQueued(f.conversation_id, true);
      break;
    case 'subscribed':
      if (st.conv && f.conversation.id === st.conv.id) { st.conv = f.conversation; renderConversation(); }
      break;
    case 'message':
      noteMessage(f.message);
      if (f.message.client_msg_id && pending.has(f.message.client_msg_id)) {
        pending.delivered(f.message.client_msg_id);
        renderMessages();
      }
      if (st.conv && f.message.conversation_id === st.conv.id && !st.messages.has(f.message.seq)) {
        st.messages.set(f.message.seq, f.message);
        st.lastSeq = Math.max(st.lastSeq, f.message.seq);
        if (!document.hidden && f.message.seq > (st.summaries.get(st.conv.id)?.read_seq ?? -1)) markRead(st.conv.id, st.lastSeq);
        if (f.message.client_msg_id) st.drafts.delete(f.message.client_msg_id);
        if (f.message.sender_kind === 'customer') st.typing = null;
        renderMessages();
      }
      break;
    case 'ai_delta':
      if (st.conv && f.conversation_id === st.conv.id) {
        if (!st.drafts.has(f.reply_id)) st.drafts.clear();
        const before = f.reset ? '' : (st.drafts.get(f.reply_id) || ''); // reset: draft abandoned
        st.drafts.set(f.reply_id, before + f.delta);
        renderMessages();
      }
      break;
    case 'typing':
      if (st.conv && f.conversation_id === st.conv.id) { st.typing = f.on ? f.actor : null; renderTyping(); }
      break;
    case 'read':
      if (st.conv && f.conversation_id === st.conv.id && f.actor.kind === 'customer' && f.up_to_seq > st.customerRead) {
        st.customerRead = f.up_to_seq;
        renderMessages();
      }
      break;
    case 'presence':
      if (f.agent_id === st.me?.id && f.status !== 'offline') { st.presence = f.status; renderChrome(); }
      break;
    case 'error':
      if (!f.ref) break;
      if (pending.has(f.ref)) pending.fail(f.ref, f.message);
      st.viewError = f.message;
      renderConversation();
      break;
    default:
  }
}

// ---- notifications -------------------------------------------------------

let audio = null;
function beep() {
  try {
    audio = audio || new AudioContext();
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.15, audio.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    o.connect(g).connect(audio.destination);
    o.start();
    o.stop(audio.currentTime + 0.4);
  } catch { /* no sound before the first click: the title still changes */ }
}

/** A tone and (opted in) a browser notification, unless muted. */
function notify(title, body, tag) {
  if (st.muted) return;
  beep();
  if (st.notify && 'Notification' in window && Notification.permission === 'granted') {
    try { new Notification(title, { body, tag }); } catch { /* some browsers allow them only from a service worker */ }
  }
}

function notifyQueued(id, again = false) {
  if (st.knownQueued.has(id) && !again) return;
  st.knownQueued.add(id);
  notify(again ? t.stillWaiting : t.newQueued, '', `q-${id}`);
  if (document.hidden) st.unseen += 1;
  updateTitle();
}

/** A message arrived on the socket: unread counts and notifications for conversations not open. */
function noteMessage(m) {
  const open = st.conv && st.conv.id === m.conversation_id;
  const sum = st.summaries.get(m.conversation_id);
  // Only what is newer than the summary counts (history replays, resends and
  // messages the server already counted do not).
  if (sum && m.seq <= sum.last_seq) return;
  if (sum) sum.last_seq = m.seq;
  if (sum && m.kind !== 'event') {
    sum.last_message = { sender_kind: m.sender_kind, sender_name: m.sender_name, body: m.body, created_at: m.created_at };
    if (m.sender_kind === 'customer' && m.kind === 'text') sum.waiting_since = sum.waiting_since || m.created_at;
    if (m.sender_kind === 'agent' && m.kind === 'text') sum.waiting_since = null;
  }
  if (m.sender_kind !== 'customer' || m.kind !== 'text') { scheduleRender(); return; }
  if (open && !document.hidden) {
    markRead(m.conversation_id, m.seq);
  } else {
    if (sum && m.seq > sum.read_seq) sum.unread += 1;
    const c = findConversation(m.conversation_id);
    notify(t.newMessage(c ? customerName(c) : t.aCustomer), m.body.slice(0, 140), `m-${m.conversation_id}`);
  }
  scheduleRender();
  updateTitle();
}

let renderTimer = null;
function scheduleRender() {
  clearTimeout(renderTimer);
  renderTimer = setTimeout(renderInbox, 50);
}

const readTimers = new Map();
const readsPending = new Map(); // conversation id -> read position not yet saved
/** Saves my read position (after a short pause: one request per burst). */
function markRead(id, seq) {
  const sum = st.summaries.get(id);
  if (sum) { sum.unread = 0; sum.read_seq = Math.max(sum.read_seq, seq); }
  readsPending.set(id, Math.max(readsPending.get(id) || 0, seq));
  clearTimeout(readTimers.get(id));
  readTimers.set(id, setTimeout(() => {
    readTimers.delete(id);
    api(`/api/v1/conversations/${id}/read`, { method: 'PUT', body: { seq } })
      .catch(() => {})
      .finally(() => { if (readsPending.get(id) === seq) readsPending.delete(id); });
  }, 400));
  scheduleRender();
  updateTitle();
}

const findConversation = (id) => Object.values(st.lists).flat().find((c) => c.id === id) || (st.conv?.id === id ? st.conv : null);
const totalUnread = () => st.lists.mine.concat(st.lists.snoozed).reduce((n, c) => n + (st.summaries.get(c.id)?.unread || 0), 0);

function updateTitle() {
  const queued = st.lists.queued.length;
  const parts = [];
  const unread = totalUnread();
  if (unread) parts.push(`(${unread})`);
  if (st.unseen) parts.push(t.newCount(st.unseen));
  if (queued) parts.push(t.queuedCount(queued));
  document.title = parts.length ? `${parts.join(' ')} · ${BASE_TITLE}` : BASE_TITLE;
}
document.addEventListener('visibilitychange', () => {
  if (document.hidden) return;
  st.unseen = 0;
  if (st.conv && st.lastSeq) markRead(st.conv.id, st.lastSeq);
  updateTitle();
});

// ---- lists ---------------------------------------------------------------

let listTimer = null;
function scheduleLists() {
  clearTimeout(listTimer);
  listTimer = setTimeout(loadLists, 150);
}

async function loadLists() {
  try {
    const [queued, mine, snoozed, all] = await Promise.all([
      api('/api/v1/conversations?state=queued&limit=100'),
      api('/api/v1/conversations?state=human&assignee=me&snoozed=false&limit=100'),
      api('/api/v1/conversations?state=human&assignee=me&snoozed=true&limit=100'),
      isSup() ? api('/api/v1/conversations?limit=100') : Promise.resolve({ items: [] }),
    ]);
    st.lists = { queued: queued.items, mine: mine.items, snoozed: snoozed.items, all: all.items };
    for (const c of queued.items) st.knownQueued.add(c.id);
    await loadSummaries();
    // Follow my conversations in the background: their messages count as unread.
    const ownIds = new Set(mine.items.concat(snoozed.items).map((c) => c.id));
    for (const id of st.followed) if (!ownIds.has(id)) st.followed.delete(id); // the server stopped those
    for (const c of mine.items.concat(snoozed.items)) {
      if (st.followed.has(c.id)) continue;
      st.followed.add(c.id);
      // The open one is followed already (and stays so when closed).
      if (st.conv?.id !== c.id) socket.send({ type: 'subscribe', conversation_id: c.id, after_seq: c.last_seq });
    }
    st.listError = null;
  } catch (e) {
    st.listError = e.message;
  }
  renderInbox();
  updateTitle();
}

/** Summaries (unread, last message, waiting time, name) of every listed conversation. */
async function loadSummaries() {
  const ids = [...new Set(Object.values(st.lists).flat().map((c) => c.id))];
  const fresh = new Map();
  for (let i = 0; i < ids.length; i += 200) {
    const r = await api(`/api/v1/inbox/summaries?ids=${ids.slice(i, i + 200).join(',')}`);
    for (const x of r.items) fresh.set(x.conversation_id, x);
  }
  // The open conversation is read as it is shown.
  if (st.conv && fresh.has(st.conv.id)) Object.assign(fresh.get(st.conv.id), { unread: 0, read_seq: Math.max(fresh.get(st.conv.id).read_seq, st.lastSeq) });
  // Reads not saved yet when the server answered.
  for (const [id, seq] of readsPending) {
    const x = fresh.get(id);
    if (x && seq > x.read_seq) Object.assign(x, { read_seq: seq, unread: seq >= x.last_seq ? 0 : x.unread });
  }
  st.summaries = fresh;
}

// Friendly, stable names for anonymous visitors, from their id.
const ADJECTIVES = ['Amber', 'Brave', 'Calm', 'Clever', 'Gentle', 'Happy', 'Jolly', 'Kind', 'Lucky', 'Merry', 'Noble', 'Quiet', 'Rapid', 'Sunny', 'Swift', 'Witty'];
const ANIMALS = ['Badger', 'Crane', 'Dolphin', 'Falcon', 'Fox', 'Heron', 'Koala', 'Lynx', 'Otter', 'Panda', 'Puffin', 'Robin', 'Seal', 'Tiger', 'Whale', 'Wren'];
function friendlyName(id) {
  let h = 2166136261;
  for (const ch of id) { h ^= ch.charCodeAt(0); h = Math.imul(h, 16777619) >>> 0; }
  return `${ADJECTIVES[h % 16]} ${ANIMALS[(h >>> 4) % 16]}`;
}
/** The customer's name, or a stable friendly one for an anonymous visitor. */
const customerName = (c) => st.summaries.get(c.id)?.customer_name || friendlyName(c.customer_id);

/** "4 min", "2 h 5 min", "just now". */
function since(iso) {
  const mins = Math.floor((Date.now() - Date.parse(iso)) / 60000);
  if (!(mins >= 1)) return t.justNow;
  return mins < 60 ? t.minutes(mins) : t.hours(Math.floor(mins / 60), mins % 60);
}
setInterval(() => { if (chrome.inbox) renderInbox(); }, 30000);

// ---- layout --------------------------------------------------------------

const chrome = {};

function start() {
  const s = session();
  if (!s) { showLogin(); return; }
  st.me = s.user;
  const presence = h('select', {
    'aria-label': t.presence, 'data-testid': 'presence',
    onchange: async () => {
      try { await socket.request({ type: 'presence', status: presence.value }); st.presence = presence.value; } catch (e) { alert(e.message); }
      renderChrome();
    },
  }, h('option', { value: 'online' }, t.online), h('option', { value: 'away' }, t.away));
  const lang = h('select', {
    'aria-label': t.language, 'data-testid': 'lang',
    onchange: () => { choose(lang.value); location.reload(); },
  }, h('option', { value: 'en' }, 'English'), h('option', { value: 'zh' }, '中文'));
  lang.value = language();
  chrome.presence = presence;
  chrome.conn = h('span', { class: 'conn', 'data-testid': 'connection' });
  chrome.mute = h('button', {
    type: 'button', class: 'small', 'data-testid': 'mute',
    onclick: () => { st.muted = !st.muted; localStorage.setItem('chat-api.console.muted', st.muted ? '1' : '0'); renderChrome(); },
  });
  chrome.notify = h('button', {
    type: 'button', class: 'small', 'data-testid': 'notify',
    onclick: async () => {
      if (!st.notify && 'Notification' in window && Notification.permission !== 'granted') {
        try { await Notification.requestPermission(); } catch { /* refused */ }
      }
      st.notify = !st.notify && 'Notification' in window && Notification.permission === 'granted';
      localStorage.setItem('chat-api.console.notify', st.notify ? '1' : '0');
      renderChrome();
    },
  });
  const links = [['#/inbox', t.inbox]];
  if (isSup()) links.push(['#/stats', t.stats], ['#/knowledge', t.knowledge]);
  links.push(['#/canned', t.canned], ['#/hours', t.businessHours]);
  if (st.me.role === 'admin') links.push(['#/users', t.users], ['#/audit', t.audit], ['#/webhooks', t.webhooks], ['#/prechat', t.prechat]);
  chrome.nav = h('nav', { class: 'nav' }, links.map(([href, text]) => h('a', { href }, text)));
  chrome.main = h('div', { class: 'main' });
  mount(app,
    h('header', { class: 'top' },
      h('strong', {}, 'Chat API'), chrome.nav,
      h('span', { class: 'spacer' }),
      chrome.conn, chrome.notify, chrome.mute, presence, lang,
      h('span', { class: 'me', 'data-testid': 'me' }, `${st.me.display_name} · ${st.me.role}`),
      h('button', { type: 'button', onclick: async () => { socket.stop(); await logout(); location.hash = ''; showLogin(); } }, t.logout)),
    chrome.main);
  loadDirectory();
  api('/api/v1/canned').then((r) => { st.canned = r.items; }).catch(() => {});
  socket.start();
  route();
}

/** The staff directory (every role may read it): names, presence, load. */
async function loadDirectory() {
  const r = await api('/api/v1/staff');
  st.staff = r.items;
  for (const u of r.items) st.names.set(u.id, u.display_name);
  renderInbox();
  return r.items;
}

function renderChrome() {
  if (!chrome.conn) return;
  chrome.presence.value = st.presence;
  chrome.conn.textContent = st.connection === 'open' ? t.live : t.reconnecting;
  chrome.conn.className = `conn ${st.connection === 'open' ? 'ok' : 'down'}`;
  chrome.mute.textContent = st.muted ? t.muted : t.soundOn;
  chrome.mute.setAttribute('aria-pressed', String(st.muted));
  chrome.notify.textContent = st.notify ? t.notifyOn : t.notifyOff;
  chrome.notify.setAttribute('aria-pressed', String(st.notify));
  for (const a of chrome.nav.children) a.classList.toggle('active', location.hash.startsWith(a.getAttribute('href')));
}

window.addEventListener('hashchange', route);
window.addEventListener('chat-api:logged-out', () => {
  socket.stop();
  st.me = null;
  chrome.inbox = null;
  showLogin(t.sessionEnded);
});

function route() {
  if (!st.me) return;
  const hash = location.hash || '#/inbox';
  renderChrome();
  let m;
  if ((m = /^#\/c\/([0-9a-f-]{36})$/.exec(hash))) {
    showInbox();
    openConversation(m[1]);
    return;
  }
  if ((m = /^#\/inbox(?:\/(queued|mine|snoozed|all))?$/.exec(hash))) {
    if (m[1]) st.tab = m[1];
    showInbox();
    if (st.conv || view.head) {
      closeConversation();
      view.head = null;
      mount(chrome.view, h('p', { class: 'muted empty' }, t.pick));
    }
    renderInbox();
    return;
  }
  const page = hash.slice(2);
  if (pages[page]) {
    closeConversation();
    chrome.inbox = null;
    const el = h('section', { class: 'page', 'data-testid': `page-${page}` });
    mount(chrome.main, el);
    pages[page](el, { me: st.me, names: st.names });
    return;
  }
  location.hash = '#/inbox';
}

// ---- inbox ---------------------------------------------------------------

function showInbox() {
  if (chrome.inbox) return;
  chrome.tabs = h('div', { class: 'tabs', role: 'tablist' });
  chrome.list = h('ul', { class: 'list', 'data-testid': 'inbox' });
  chrome.view = h('section', { class: 'view' }, h('p', { class: 'muted empty' }, t.pick));
  chrome.inbox = h('div', { class: 'inbox' }, h('aside', { class: 'side' }, chrome.tabs, chrome.list), chrome.view);
  mount(chrome.main, chrome.inbox);
  renderInbox();
}

function renderInbox() {
  if (!chrome.inbox) return;
  const tabs = [['queued', t.queued], ['mine', t.mine], ['snoozed', t.snoozed]];
  if (isSup()) tabs.push(['all', t.all]);
  tabs.push(['search', t.search]);
  // Buttons, not links: choosing a tab changes the list only; the open
  // conversation stays open and followed.
  mount(chrome.tabs, tabs.map(([k, label]) => h('button', {
    type: 'button', role: 'tab', class: st.tab === k ? 'active' : '', 'aria-selected': String(st.tab === k), 'data-testid': `tab-${k}`,
    onclick: () => { st.tab = k; renderInbox(); },
  }, k === 'search' ? label : `${label} (${st.lists[k].length})`)));
  if (st.tab === 'search') { renderSearch(); return; }
  chrome.searchForm?.remove();
  chrome.searchForm = null;
  renderRows(st.lists[st.tab] || []);
}

function renderRows(list, empty = t.nothing) {
  const wait = (c) => { const w = st.summaries.get(c.id)?.waiting_since; return w ? Date.parse(w) : Infinity; };
  // Longest waiting first; then the most recently active.
  const items = [...list].sort((a, b) => wait(a) - wait(b) || Date.parse(b.updated_at) - Date.parse(a.updated_at));
  if (st.listError) { mount(chrome.list, h('li', { class: 'error' }, st.listError)); return; }
  if (!items.length) { mount(chrome.list, h('li', { class: 'muted empty', 'data-testid': 'search-empty' }, empty)); return; }
  mount(chrome.list, items.map((c) => {
    const sum = st.summaries.get(c.id);
    const open = st.conv?.id === c.id;
    const last = sum?.last_message;
    const lastWho = last ? (last.sender_kind === 'customer' ? '' : `${last.sender_kind === 'bot' ? t.assistant : last.sender_name || t.agent}: `) : '';
    return h('li', {},
      h('a', {
        href: `#/c/${c.id}`, class: `item ${open ? 'active' : ''} ${sum?.unread && !open ? 'unread' : ''}`, 'data-testid': 'conversation-item', 'data-id': c.id,
      },
      h('span', { class: `badge ${c.state}` }, t.state[c.state] || c.state),
      h('strong', { class: 'grow', 'data-testid': 'customer-name' }, customerName(c)),
      sum?.unread && !open ? h('span', { class: 'count', 'data-testid': 'unread', 'aria-label': t.unread(sum.unread) }, String(sum.unread)) : null,
      sum?.waiting_since && c.state !== 'closed'
        ? h('span', { class: 'small waiting', 'data-testid': 'waiting', title: new Date(sum.waiting_since).toLocaleString() }, t.waiting(since(sum.waiting_since)))
        : h('span', { class: 'muted small' }, clock(c.updated_at)),
      last ? h('span', { class: 'preview muted small', 'data-testid': 'preview' }, `${lastWho}${last.body}`) : null,
      c.assignee_id ? h('span', { class: 'muted small' }, nameOf(c.assignee_id)) : null,
      c.labels.length ? h('span', { class: 'labels' }, c.labels.map((l) => h('span', { class: 'label' }, l))) : null));
  }));
  updateTitle();
}

// ---- search --------------------------------------------------------------

const PAGE = Number(sessionStorage.getItem('chat-api.console.page-size')) || 25;

/** The search form (over GET /conversations: q, state, assignee, label, dates) and its results. */
function renderSearch() {
  const f = st.search;
  if (!chrome.searchForm) {
    const input = (k, attrs) => h('input', { ...attrs, value: f[k], 'data-testid': `search-${k}`, oninput: (e) => { f[k] = e.target.value; } });
    const people = isSup() ? st.staff.map((m) => h('option', { value: m.id }, m.display_name)) : [];
    const state = h('select', { 'aria-label': 'State', 'data-testid': 'search-state', onchange: (e) => { f.state = e.target.value; } },
      [['', t.anyState], ['bot', t.stateAssistant], ['queued', t.stateQueued], ['human', t.stateHuman], ['closed', t.stateClosed]]
        .map(([v, l]) => h('option', { value: v }, l)));
    const assignee = h('select', { 'aria-label': 'Assignee', 'data-testid': 'search-assignee', onchange: (e) => { f.assignee = e.target.value; } },
      h('option', { value: '' }, t.anyone), h('option', { value: 'me' }, t.me), people);
    state.value = f.state;
    assignee.value = f.assignee;
    chrome.searchForm = h('form', {
      class: 'search stack', role: 'search',
      onsubmit: (e) => { e.preventDefault(); runSearch(false); },
    },
    input('q', { type: 'search', placeholder: t.searchText, 'aria-label': t.searchText }),
    h('div', { class: 'row' }, state, assignee),
    input('label', { placeholder: t.label, 'aria-label': t.label }),
    h('div', { class: 'row' },
      h('label', { class: 'small' }, t.from, input('from', { type: 'date' })),
      h('label', { class: 'small' }, t.to, input('to', { type: 'date' }))),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'search-go' }, t.search));
    chrome.list.before(chrome.searchForm);
  }
  if (f.error) { mount(chrome.list, h('li', { class: 'error' }, f.error)); return; }
  if (!f.done) { mount(chrome.list, h('li', { class: 'muted empty' }, t.searchHelp)); return; }
  renderRows(f.items, t.nothingFound);
  if (f.next) {
    chrome.list.append(h('li', {}, h('button', { type: 'button', class: 'more', 'data-testid': 'search-more', onclick: () => runSearch(true) }, t.more)));
  }
}

async function runSearch(more) {
  const f = st.search;
  const p = new URLSearchParams({ limit: String(PAGE) });
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.state) p.set('state', f.state);
  if (f.assignee) p.set('assignee', f.assignee);
  if (f.label.trim()) p.set('label', f.label.trim());
  // Dates are the agent's local days.
  if (f.from) p.set('from', new Date(`${f.from}T00:00:00`).toISOString());
  if (f.to) p.set('to', new Date(new Date(`${f.to}T00:00:00`).getTime() + 86400000).toISOString());
  if (more && f.next) p.set('cursor', f.next);
  try {
    const r = await api(`/api/v1/conversations?${p}`);
    f.items = more ? f.items.concat(r.items) : r.items;
    f.next = r.next_cursor;
    f.error = null;
    f.done = true;
    const missing = r.items.filter((c) => !st.summaries.has(c.id)).map((c) => c.id);
    if (missing.length) {
      const s = await api(`/api/v1/inbox/summaries?ids=${missing.join(',')}`);
      for (const x of s.items) st.summaries.set(x.conversation_id, x);
    }
  } catch (e) {
    f.error = e.message;
  }
  if (st.tab === 'search') renderInbox();
}

// ---- conversation --------------------------------------------------------

function closeConversation() {
  if (st.conv && !st.followed.has(st.conv.id)) socket.send({ type: 'unsubscribe', conversation_id: st.conv.id });
  st.conv = null;
}

async function openConversation(id) {
  if (st.conv?.id === id) return;
  closeConversation();
  st.messages = new Map();
  st.lastSeq = 0;
  st.drafts = new Map();
  st.typing = null;
  st.customerRead = 0;
  st.viewError = null;
  buildView();
  try {
    st.conv = await api(`/api/v1/conversations/${id}`);
  } catch (e) {
    mount(chrome.view, h('p', { class: 'error' }, e.message));
    return;
  }
  if (st.conv.last_seq > 0) markRead(id, st.conv.last_seq);
  renderInbox();
  renderConversation();
  loadCustomer();
  // Follow it: the server sends the history, then live messages.
  follow(id);
}

/**
 * Subscribes to the open conversation. Not connected yet (a reload: the
 * socket's hello went out before the conversation was read, so its resume
 * list did not name it): subscribe again as soon as the socket is open.
 */
function follow(id) {
  socket.request({ type: 'subscribe', conversation_id: id, after_seq: st.lastSeq }).catch((e) => {
    if (e.code === 'disconnected') st.followAgain = id;
    else { st.viewError = e.message; renderConversation(); }
  });
}

const view = {};

function buildView() {
  view.past = null;
  view.head = h('div', { class: 'conv-head' });
  view.actions = h('div', { class: 'actions' });
  view.log = h('div', { class: 'log', 'data-testid': 'messages', role: 'log' });
  view.typing = h('div', { class: 'typing muted small', 'data-testid': 'typing' });
  view.error = h('div', { class: 'error', role: 'alert' });
  view.input = h('textarea', { rows: 3, placeholder: t.replyHint, 'aria-label': t.send, 'data-testid': 'reply' });
  view.suggest = h('ul', { class: 'suggest', hidden: true, 'data-testid': 'canned-suggestions' });
  view.noteToggle = h('input', { type: 'checkbox', 'data-testid': 'note-toggle', onchange: () => { st.note = view.noteToggle.checked; renderComposer(); } });
  view.sendBtn = h('button', { class: 'primary', type: 'submit' }, t.send);
  view.picker = h('input', {
    type: 'file', accept: ACCEPT, multiple: true, hidden: true, 'data-testid': 'file-input',
    onchange: () => { sendFiles([...view.picker.files]); view.picker.value = ''; },
  });
  view.attach = h('button', {
    type: 'button', class: 'attach-toggle', title: t.attach, 'aria-label': t.attach, 'data-testid': 'attach',
    onclick: () => view.picker.click(),
  }, '📎');
  view.form = h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); sendReply(); } },
    view.suggest, view.input,
    h('div', { class: 'row' }, emojiButton(view.input, t.emoji), view.picker, view.attach, h('label', { class: 'small' }, view.noteToggle, t.privateNote), h('span', { class: 'spacer' }), view.sendBtn));
  view.panel = h('aside', { class: 'panel', 'data-testid': 'customer-panel' });
  mount(chrome.view, h('div', { class: 'conv' },
    h('div', { class: 'conv-main' }, view.head, view.actions, view.error, view.log, view.typing, view.form),
    view.panel));
  view.input.addEventListener('input', onInput);
  view.input.addEventListener('keydown', onKey);
  // Paste an image into the reply box; drop files on the conversation.
  view.input.addEventListener('paste', (e) => {
    const files = filesOf(e.clipboardData);
    if (files.length) { e.preventDefault(); sendFiles(files); }
  });
  const main = view.log.parentElement;
  main.addEventListener('dragover', (e) => {
    if ([...(e.dataTransfer?.types || [])].includes('Files')) { e.preventDefault(); main.classList.add('dropping'); }
  });
  main.addEventListener('dragleave', (e) => { if (!main.contains(e.relatedTarget)) main.classList.remove('dropping'); });
  main.addEventListener('drop', (e) => {
    main.classList.remove('dropping');
    const files = filesOf(e.dataTransfer);
    if (files.length) { e.preventDefault(); sendFiles(files); }
  });
}

let typingOn = false;
let typingTimer = null;
function onInput() {
  const v = view.input.value;
  if (st.conv && !st.note) {
    const on = v.length > 0;
    if (on !== typingOn) { typingOn = on; socket.send({ type: 'typing', conversation_id: st.conv.id, on }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { if (typingOn && st.conv) { typingOn = false; socket.send({ type: 'typing', conversation_id: st.conv.id, on: false }); } }, 3000);
  }
  renderSuggestions();
}

let suggestIndex = 0;
function matches() {
  const m = /^\/([\w-]*)$/.exec(view.input.value);
  if (!m) return [];
  return st.canned.filter((c) => c.shortcut.startsWith(m[1].toLowerCase())).slice(0, 8);
}

function renderSuggestions() {
  const list = matches();
  view.suggest.hidden = list.length === 0;
  suggestIndex = Math.min(suggestIndex, Math.max(list.length - 1, 0));
  mount(view.suggest, list.map((c, i) => h('li', {
    class: i === suggestIndex ? 'active' : '', onmousedown: (e) => { e.preventDefault(); insertCanned(c); },
  }, h('strong', {}, `/${c.shortcut}`), ' ', h('span', { class: 'muted' }, c.title))));
}

function insertCanned(c) {
  view.input.value = c.body;
  renderSuggestions();
  view.input.focus();
}

function onKey(e) {
  const list = matches();
  if (list.length) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      suggestIndex = (suggestIndex + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length;
      renderSuggestions();
      return;
    }
    if (e.key === 'Tab' || e.key === 'Enter') { e.preventDefault(); insertCanned(list[suggestIndex]); return; }
    if (e.key === 'Escape') { view.input.value = ''; renderSuggestions(); return; }
  }
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendReply(); }
}

function sendReply() {
  const body = view.input.value.trim();
  if (!body || !st.conv) return;
  view.input.value = '';
  renderSuggestions();
  if (typingOn) { typingOn = false; socket.send({ type: 'typing', conversation_id: st.conv.id, on: false }); }
  const frame = { conversation_id: st.conv.id, client_msg_id: uid('a'), body, ...(st.note ? { private: true } : {}) };
  pending.add(frame.client_msg_id, { frame });
  renderMessages();
  socket.post(frame);
}

/**
 * "Retry" on a reply not sent: every failed reply goes again, in the order
 * typed, under its own client_msg_id (the server stores it once), over a
 * connection tried at once rather than after the backoff.
 */
function retryUnsent() {
  const again = pending.retryFailed();
  renderMessages();
  socket.reconnectNow();
  for (const [, p] of again) socket.post(p.frame);
}

// ---- attachments -----------------------------------------------------------

function sendFiles(files) {
  if (!st.conv) return;
  for (const file of files) {
    const id = uid('af');
    st.uploads.set(id, { conv: st.conv.id, file, progress: 0, error: null });
    startUpload(id);
  }
}

async function startUpload(id, retried = false) {
  const u = st.uploads.get(id);
  if (!u) return;
  u.error = null;
  u.progress = 0;
  renderMessages();
  try {
    const m = await upload({
      conversationId: u.conv, file: u.file, token: session()?.access_token || '', clientMsgId: id,
      onProgress: (p) => { u.progress = p; renderMessages(); },
    });
    st.uploads.delete(id);
    if (m?.seq && st.conv?.id === m.conversation_id && !st.messages.has(m.seq)) {
      st.messages.set(m.seq, m);
      st.lastSeq = Math.max(st.lastSeq, m.seq);
    }
  } catch (e) {
    if (e.status === 401 && !retried) {
      // The access token expired meanwhile: refresh once and send again.
      try { await refresh(); return startUpload(id, true); } catch { /* logged out */ }
    }
    u.error = e.message;
  }
  renderMessages();
}

async function fetchBlob(url) {
  const res = await api(url, { raw: true });
  return res.blob();
}

async function act(type, extra = {}) {
  st.viewError = null;
  try {
    const r = await socket.request({ type, conversation_id: st.conv.id, ...extra });
    if (r.conversation) st.conv = r.conversation;
  } catch (e) {
    st.viewError = e.message;
  }
  renderConversation();
  scheduleLists();
}

async function rest(path, body, method = 'POST') {
  st.viewError = null;
  try {
    const c = await api(`/api/v1/conversations/${st.conv.id}/${path}`, { method, body });
    if (c && c.id) st.conv = c;
  } catch (e) {
    st.viewError = e.message;
  }
  renderConversation();
  scheduleLists();
}

/**
 * A picker of colleagues by name (the staff directory, read fresh when it
 * opens), showing presence and load; `onpick(member)` when one is chosen.
 */
function pickStaff(title, exclude, onpick) {
  const search = h('input', { type: 'search', placeholder: t.byName, 'aria-label': t.byName, 'data-testid': 'picker-search' });
  const list = h('ul', { class: 'picker-list', role: 'listbox' });
  const err = h('p', { class: 'error small', role: 'alert' });
  const close = () => { box.remove(); document.removeEventListener('keydown', onEsc); };
  const onEsc = (e) => { if (e.key === 'Escape') close(); };
  const render = () => {
    const q = search.value.trim().toLowerCase();
    const rank = { online: 0, away: 1, offline: 2 };
    const items = st.staff.filter((m) => !exclude.includes(m.id) && m.display_name.toLowerCase().includes(q))
      .sort((a, b) => rank[a.presence] - rank[b.presence] || a.load - b.load || a.display_name.localeCompare(b.display_name));
    mount(list, items.length ? items.map((m) => h('li', {},
      h('button', { type: 'button', class: 'option', 'data-testid': 'picker-option', onclick: () => { close(); onpick(m); } },
        h('span', { class: `dot ${m.presence}`, 'aria-hidden': 'true' }),
        h('strong', {}, m.display_name),
        h('span', { class: 'muted small' }, `${t.role[m.role] || m.role} · ${t.presenceOf[m.presence] || m.presence} · ${t.open(m.load)}`))))
      : h('li', { class: 'muted empty' }, t.nobody));
  };
  search.addEventListener('input', render);
  const box = h('div', { class: 'overlay', 'data-testid': 'picker', onclick: (e) => { if (e.target === box) close(); } },
    h('div', { class: 'dialog card', role: 'dialog', 'aria-modal': 'true', 'aria-label': title },
      h('h3', {}, title), search, err, list,
      h('div', { class: 'row' }, h('span', { class: 'spacer' }), h('button', { type: 'button', onclick: close }, t.cancel))));
  document.addEventListener('keydown', onEsc);
  document.body.appendChild(box);
  render();
  search.focus();
  loadDirectory().then(render).catch((e) => { err.textContent = e.message; });
}

function transfer() {
  const c = st.conv;
  pickStaff(t.transferTo, [st.me.id, c.assignee_id], (m) => { if (st.conv?.id === c.id) act('transfer', { agent_id: m.id }); });
}

function snooze() {
  const mins = prompt(t.snoozeFor, '60');
  const n = Number(mins);
  if (!mins || !Number.isFinite(n) || n <= 0) return;
  rest('snooze', { until: new Date(Date.now() + n * 60000).toISOString() });
}

function renderConversation() {
  if (!st.conv || !view.head) return;
  const c = st.conv;
  const mine = c.assignee_id === st.me.id;
  mount(view.head,
    h('h2', {}, customerName(c)),
    h('span', { class: `badge ${c.state}`, 'data-testid': 'conv-state', 'data-state': c.state }, t.state[c.state] || c.state),
    c.assignee_id ? h('span', { class: 'muted', 'data-testid': 'conv-assignee' }, ` · ${nameOf(c.assignee_id)}`) : null,
    c.csat_score != null ? h('span', { class: 'muted', 'data-testid': 'csat' }, ` · CSAT ${'★'.repeat(c.csat_score)}${c.csat_comment ? ` “${c.csat_comment}”` : ''}`) : null);
  const b = (label, onclick, testid, primary) => h('button', { type: 'button', onclick, 'data-testid': testid, class: primary ? 'primary' : '' }, label);
  const buttons = [];
  if (c.state === 'queued') buttons.push(b(t.accept, () => act('accept'), 'accept', true));
  if (c.state === 'bot') buttons.push(b(t.takeover, () => act('takeover'), 'takeover', true));
  if (c.state === 'human' && (mine || isSup())) {
    buttons.push(b(t.handBack, () => act('hand_back'), 'hand-back'));
    buttons.push(b(t.transfer, transfer, 'transfer'));
  }
  const snoozed = c.snoozed_until && Date.parse(c.snoozed_until) > Date.now();
  if (snoozed) {
    buttons.push(h('span', { class: 'muted', 'data-testid': 'snoozed' }, t.snoozedUntil(new Date(c.snoozed_until).toLocaleString())),
      b(t.wake, () => rest('snooze', undefined, 'DELETE'), 'unsnooze'));
  } else if (c.state === 'human' && (mine || isSup())) {
    buttons.push(b(t.snooze, snooze, 'snooze'));
  }
  if (c.state !== 'closed' && (mine || isSup())) buttons.push(b(t.close, () => act('close'), 'close'));
  if (c.state === 'closed' && (mine || isSup())) buttons.push(b(t.reopen, () => rest('reopen'), 'reopen'));
  mount(view.actions, buttons);
  // The side panel's entry for this conversation follows its live state.
  const entry = view.past?.items.find((x) => x.id === c.id);
  if (entry && (entry.state !== c.state || entry.csat_score !== c.csat_score)) {
    Object.assign(entry, { state: c.state, csat_score: c.csat_score });
    view.past.show(view.past.items);
  }
  view.error.textContent = st.viewError || '';
  renderComposer();
  renderMessages();
  renderTyping();
}

function renderComposer() {
  const c = st.conv;
  if (!c) return;
  const mayReply = c.state === 'human' && (c.assignee_id === st.me.id || isSup());
  view.form.hidden = c.state === 'closed';
  if (!mayReply && !st.note) {
    view.input.placeholder = c.state === 'human' ? t.notesOnly : t.acceptFirst;
  } else {
    view.input.placeholder = st.note ? t.noteHint : t.replyHint;
  }
  view.form.classList.toggle('note', st.note);
  view.sendBtn.textContent = st.note ? t.addNote : t.send;
  view.sendBtn.disabled = !mayReply && !st.note;
}

function renderMessages() {
  if (!view.log) return;
  const atBottom = view.log.scrollHeight - view.log.scrollTop - view.log.clientHeight < 40;
  const seqs = [...st.messages.keys()].sort((a, b) => a - b);
  // The customer's read position, under the last reply (staff or assistant) it covers.
  const seenSeq = seqs.filter((s) => s <= st.customerRead && ['agent', 'bot'].includes(st.messages.get(s).sender_kind)
    && st.messages.get(s).kind !== 'private_note').pop();
  const out = [];
  for (const s of seqs) {
    const m = st.messages.get(s);
    if (m.kind === 'event') { out.push(h('div', { class: 'notice', 'data-testid': 'notice' }, `${notice(m, language(), { staff: true }).text} · ${clock(m.created_at)}`)); continue; }
    const who = m.sender_kind === 'customer' ? t.customer : m.sender_kind === 'bot' ? t.assistant
      : (m.sender_id === st.me.id ? nameOf(m.sender_id) : m.sender_name || nameOf(m.sender_id));
    out.push(h('div', { class: `msg ${m.sender_kind} ${m.kind === 'private_note' ? 'note' : ''}`, 'data-testid': m.kind === 'private_note' ? 'note' : `msg-${m.sender_kind}` },
      h('span', { class: 'who' }, `${who}${m.kind === 'private_note' ? t.noteTag : ''} · ${clock(m.created_at)}`),
      m.kind === 'attachment' && m.attachment ? attachmentView(m.attachment, fetchBlob, t.file) : formatted(m.body)));
    if (s === seenSeq) out.push(h('div', { class: `receipt muted small ${m.sender_kind}`, 'data-testid': 'customer-read', title: `seq ${s}` }, `✓ ${t.seenByCustomer}`));
  }
  for (const [id, p] of pending) {
    if (p.frame.conversation_id !== st.conv?.id) continue;
    const note = Boolean(p.frame.private);
    out.push(h('div', { class: `msg agent pending ${note ? 'note' : ''} ${p.failed ? 'failed' : ''}`, 'data-testid': 'pending', dataset: { pending: id } },
      h('span', { class: 'who' }, `${nameOf(st.me.id)}${note ? t.noteTag : ''}`),
      formatted(p.frame.body),
      h('span', { class: 'state' }, p.failed
        ? [`${t.notSent}: ${p.failed} `, h('button', { type: 'button', class: 'retry', 'data-testid': 'retry', onclick: retryUnsent }, t.file.retry)]
        : t.sending)));
  }
  for (const [id, u] of st.uploads) {
    if (u.conv !== st.conv?.id) continue;
    out.push(pendingUpload(u, t.file, () => startUpload(id), () => { st.uploads.delete(id); renderMessages(); }));
  }
  for (const text of st.drafts.values()) {
    out.push(h('div', { class: 'msg bot draft', 'data-testid': 'draft' }, h('span', { class: 'who' }, t.writing), formatted(text)));
  }
  mount(view.log, out);
  if (atBottom || st.drafts.size) view.log.scrollTop = view.log.scrollHeight;
}

function renderTyping() {
  if (!view.typing) return;
  view.typing.textContent = st.typing ? t.typing(st.typing.kind === 'customer' ? t.theCustomer : nameOf(st.typing.id)) : '';
}

// ---- customer side panel -------------------------------------------------

async function loadCustomer() {
  const c = st.conv;
  const details = h('div', { class: 'details' }, h('p', { class: 'muted' }, t.loading));
  const past = h('ul', { class: 'past', 'data-testid': 'past' });
  const labels = h('input', { value: c.labels.join(', '), 'aria-label': t.labels, placeholder: 'refund, vip', 'data-testid': 'labels' });
  const labelErr = h('p', { class: 'error small' });
  mount(view.panel,
    h('h3', {}, t.customer), details,
    h('h3', {}, t.labels),
    h('form', {
      class: 'row',
      onsubmit: async (e) => {
        e.preventDefault();
        labelErr.textContent = '';
        const list = labels.value.split(',').map((s) => s.trim()).filter(Boolean);
        try {
          st.conv = await api(`/api/v1/conversations/${c.id}/labels`, { method: 'PUT', body: { labels: list } });
          scheduleLists();
          renderConversation();
        } catch (ex) { labelErr.textContent = ex.message; }
      },
    }, labels, h('button', { type: 'submit' }, t.save)),
    labelErr,
    h('h3', {}, t.conversations), past);
  const showPast = (items) => {
    view.past = { el: past, items, show: showPast };
    mount(past, items.length
    ? items.map((x) => h('li', {}, h('a', { href: `#/c/${x.id}`, class: x.id === c.id ? 'active' : '' }, new Date(x.created_at).toLocaleString()),
      ` ${t.state[x.state] || x.state}`, x.csat_score != null ? ` ${'★'.repeat(x.csat_score)}` : ''))
    : h('li', { class: 'muted' }, t.none));
  };
  try {
    const detail = await api(`/api/v1/customers/${c.customer_id}`);
    renderCustomer(details, detail.customer);
    showPast(detail.conversations || []);
  } catch (e) {
    mount(details, h('div', { class: 'muted small' }, `id ${c.customer_id}`), h('p', { class: 'error small' }, `Customer details: ${e.message}`));
    try {
      const r = await api(`/api/v1/conversations?customer_id=${c.customer_id}&state=closed&limit=20`);
      showPast(r.items);
    } catch (e2) {
      mount(past, h('li', { class: 'error small' }, e2.message));
    }
  }
}

function renderCustomer(el, cust) {
  const row = (k, v) => (v ? h('div', {}, h('span', { class: 'muted' }, `${k}: `), String(v)) : null);
  const show = () => mount(el,
    row('Name', cust.name), row('E-mail', cust.email), row('Phone', cust.phone),
    row('External id', cust.external_id), row('Tags', (cust.tags || []).join(', ')), row('Notes', cust.notes),
    prechatAnswer(cust),
    row('Since', new Date(cust.created_at).toLocaleDateString()),
    h('div', { class: 'muted small' }, `id ${cust.id}`),
    h('button', { type: 'button', class: 'small', 'data-testid': 'edit-customer', onclick: edit }, 'Edit'));
  const edit = () => {
    const inputs = {
      name: h('input', { value: cust.name || '', 'aria-label': 'Name' }),
      email: h('input', { type: 'email', value: cust.email || '', 'aria-label': 'E-mail' }),
      phone: h('input', { value: cust.phone || '', 'aria-label': 'Phone' }),
      tags: h('input', { value: (cust.tags || []).join(', '), 'aria-label': 'Tags' }),
      notes: h('textarea', { rows: 3, value: cust.notes || '', 'aria-label': 'Notes' }),
    };
    const err = h('p', { class: 'error small' });
    mount(el, h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          cust = await api(`/api/v1/customers/${cust.id}`, {
            method: 'PATCH',
            body: {
              name: inputs.name.value, email: inputs.email.value, phone: inputs.phone.value, notes: inputs.notes.value,
              tags: inputs.tags.value.split(',').map((s) => s.trim()).filter(Boolean),
            },
          });
          show();
        } catch (ex) { err.textContent = ex.field ? `${ex.field}: ${ex.message}` : ex.message; }
      },
    }, Object.entries(inputs).map(([k, input]) => h('label', { class: 'field' }, h('span', {}, k), input)),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), h('button', { type: 'button', onclick: show }, 'Cancel')), err));
  };
  show();
}

/** What the customer answered to the pre-chat form's custom question, and when they sent the form. */
function prechatAnswer(cust) {
  if (!cust.prechat_at) return null;
  return h('div', { class: 'prechat-answers', 'data-testid': 'prechat-answers' },
    h('span', { class: 'muted' }, `${t.prechatAnswers} (${new Date(cust.prechat_at).toLocaleString()})`),
    cust.prechat_question ? h('div', {}, h('span', { class: 'muted' }, `${cust.prechat_question} `), cust.prechat_answer || '') : null);
}

// ---- keyboard shortcuts ----------------------------------------------------

function showShortcuts() {
  if (document.querySelector('[data-testid=shortcuts]')) return;
  const close = () => box.remove();
  const box = h('div', { class: 'overlay', 'data-testid': 'shortcuts', onclick: (e) => { if (e.target === box) close(); } },
    h('div', { class: 'dialog card', role: 'dialog', 'aria-modal': 'true', 'aria-label': t.shortcuts },
      h('h3', {}, t.shortcuts),
      h('table', { class: 'grid' }, t.keys.map(([k, what]) => h('tr', {}, h('td', {}, h('kbd', {}, k)), h('td', {}, what)))),
      h('div', { class: 'row' }, h('span', { class: 'spacer' }), h('button', { type: 'button', onclick: close }, t.close))));
  document.body.appendChild(box);
  box.querySelector('button').focus();
}

/** Moves to the next (+1) or previous (-1) conversation of the list shown. */
function step(delta) {
  const rows = [...document.querySelectorAll('[data-testid=conversation-item]')];
  if (!rows.length) return;
  const at = rows.findIndex((r) => r.dataset.id === st.conv?.id);
  const next = rows[Math.min(Math.max(at + delta, 0), rows.length - 1)];
  if (at < 0 && delta < 0) return;
  location.hash = next.getAttribute('href');
}

document.addEventListener('keydown', (e) => {
  if (!st.me || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  const typing = e.target instanceof HTMLElement && e.target.closest('input, textarea, select, [contenteditable]');
  if (e.key === 'Escape') {
    document.querySelector('[data-testid=shortcuts]')?.remove();
    if (typing) e.target.blur();
    return;
  }
  if (typing || document.querySelector('.overlay')) return;
  const click = (id) => document.querySelector(`[data-testid=${id}]`)?.click();
  const keys = {
    j: () => step(1),
    k: () => step(-1),
    a: () => { click('accept'); click('takeover'); },
    r: () => view.input?.focus(),
    C: () => click('close'),
    '/': () => { st.tab = 'search'; renderInbox(); document.querySelector('[data-testid=search-q]')?.focus(); },
    '?': showShortcuts,
  };
  const run = keys[e.key];
  if (run && chrome.inbox) { e.preventDefault(); run(); } else if (e.key === '?') { e.preventDefault(); showShortcuts(); }
});

start();
