// The agent console: login, inbox, conversation view, and (for supervisors
// and admins) the back-office pages in admin.js. Routing is by location.hash:
// #/inbox/<tab>, #/c/<conversation id>, #/stats, #/knowledge, #/canned,
// #/users, #/audit, #/webhooks.

import { h, mount, uid, clock } from '/shared/dom.js';
import { Socket } from '/shared/socket.js';
import { api, login, logout, refresh, session } from '/console/api.js';
import { pages } from '/console/admin.js';

const app = document.getElementById('app');
const BASE_TITLE = 'Chat API console';

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
  typing: null,
  note: false,
  viewError: null,
  knownQueued: new Set(),
  unseen: 0,
};

const isSup = () => st.me && (st.me.role === 'supervisor' || st.me.role === 'admin');
const nameOf = (id) => (id === st.me?.id ? `${st.me.display_name} (you)` : st.names.get(id) || (id ? `agent ${id.slice(-6)}` : ''));
const shortId = (id) => (id ? id.slice(-8) : '');

// ---- login ---------------------------------------------------------------

function showLogin(message) {
  document.title = BASE_TITLE;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, 'aria-label': 'E-mail' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, 'aria-label': 'Password' });
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
  h('h1', {}, 'Chat API console'),
  h('label', {}, 'E-mail', email),
  h('label', {}, 'Password', password),
  h('button', { class: 'primary', type: 'submit' }, 'Log in'),
  err);
  mount(app, h('div', { class: 'login-wrap' }, form));
  email.focus();
}

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
    if (s === 'open') {
      if (st.presence !== 'online') socket.send({ type: 'presence', status: st.presence });
      loadLists();
    }
    if (s === 'closed' && !session()) { socket.stop(); showLogin('Your session ended: log in again.'); return; }
    renderChrome();
  },
  onFrame,
});

function onFrame(f) {
  switch (f.type) {
    case 'conversation': {
      const c = f.conversation;
      if (c.state === 'queued' && f.previous_state !== 'queued') notifyQueued(c.id);
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
      if (st.conv && f.message.conversation_id === st.conv.id && !st.messages.has(f.message.seq)) {
        st.messages.set(f.message.seq, f.message);
        st.lastSeq = Math.max(st.lastSeq, f.message.seq);
        if (f.message.client_msg_id) st.drafts.delete(f.message.client_msg_id);
        if (f.message.sender_kind === 'customer') st.typing = null;
        renderMessages();
      }
      break;
    case 'ai_delta':
      if (st.conv && f.conversation_id === st.conv.id) {
        if (!st.drafts.has(f.reply_id)) st.drafts.clear();
        st.drafts.set(f.reply_id, (st.drafts.get(f.reply_id) || '') + f.delta);
        renderMessages();
      }
      break;
    case 'typing':
      if (st.conv && f.conversation_id === st.conv.id) { st.typing = f.on ? f.actor : null; renderTyping(); }
      break;
    case 'presence':
      if (f.agent_id === st.me?.id && f.status !== 'offline') { st.presence = f.status; renderChrome(); }
      break;
    case 'error':
      if (!f.ref) break;
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

function notifyQueued(id, again = false) {
  if (st.knownQueued.has(id) && !again) return;
  st.knownQueued.add(id);
  beep();
  if (document.hidden) st.unseen += 1;
  updateTitle();
}

function updateTitle() {
  const queued = st.lists.queued.length;
  const parts = [];
  if (st.unseen) parts.push(`(${st.unseen} new)`);
  if (queued) parts.push(`${queued} queued`);
  document.title = parts.length ? `${parts.join(' ')} · ${BASE_TITLE}` : BASE_TITLE;
}
document.addEventListener('visibilitychange', () => { if (!document.hidden) { st.unseen = 0; updateTitle(); } });

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
    st.listError = null;
  } catch (e) {
    st.listError = e.message;
  }
  renderInbox();
  updateTitle();
}

// ---- layout --------------------------------------------------------------

const chrome = {};

function start() {
  const s = session();
  if (!s) { showLogin(); return; }
  st.me = s.user;
  const presence = h('select', {
    'aria-label': 'Presence', 'data-testid': 'presence',
    onchange: async () => {
      try { await socket.request({ type: 'presence', status: presence.value }); st.presence = presence.value; } catch (e) { alert(e.message); }
      renderChrome();
    },
  }, h('option', { value: 'online' }, 'Online'), h('option', { value: 'away' }, 'Away'));
  chrome.presence = presence;
  chrome.conn = h('span', { class: 'conn', 'data-testid': 'connection' });
  const links = [['#/inbox', 'Inbox']];
  if (isSup()) links.push(['#/stats', 'Statistics'], ['#/knowledge', 'Knowledge base']);
  links.push(['#/canned', 'Canned responses']);
  if (st.me.role === 'admin') links.push(['#/users', 'Users'], ['#/audit', 'Audit log'], ['#/webhooks', 'Webhooks']);
  chrome.nav = h('nav', { class: 'nav' }, links.map(([href, text]) => h('a', { href }, text)));
  chrome.main = h('div', { class: 'main' });
  mount(app,
    h('header', { class: 'top' },
      h('strong', {}, 'Chat API'), chrome.nav,
      h('span', { class: 'spacer' }),
      chrome.conn, presence,
      h('span', { class: 'me', 'data-testid': 'me' }, `${st.me.display_name} · ${st.me.role}`),
      h('button', { type: 'button', onclick: async () => { socket.stop(); await logout(); location.hash = ''; showLogin(); } }, 'Log out')),
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
  chrome.conn.textContent = st.connection === 'open' ? '● live' : '○ reconnecting…';
  chrome.conn.className = `conn ${st.connection === 'open' ? 'ok' : 'down'}`;
  for (const a of chrome.nav.children) a.classList.toggle('active', location.hash.startsWith(a.getAttribute('href')));
}

window.addEventListener('hashchange', route);
window.addEventListener('chat-api:logged-out', () => {
  socket.stop();
  st.me = null;
  chrome.inbox = null;
  showLogin('Your session ended: log in again.');
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
      mount(chrome.view, h('p', { class: 'muted empty' }, 'Pick a conversation.'));
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
  chrome.view = h('section', { class: 'view' }, h('p', { class: 'muted empty' }, 'Pick a conversation.'));
  chrome.inbox = h('div', { class: 'inbox' }, h('aside', { class: 'side' }, chrome.tabs, chrome.list), chrome.view);
  mount(chrome.main, chrome.inbox);
  renderInbox();
}

function renderInbox() {
  if (!chrome.inbox) return;
  const tabs = [['queued', 'Queued'], ['mine', 'Mine'], ['snoozed', 'Snoozed']];
  if (isSup()) tabs.push(['all', 'All']);
  // Buttons, not links: choosing a tab changes the list only; the open
  // conversation stays open and followed.
  mount(chrome.tabs, tabs.map(([k, label]) => h('button', {
    type: 'button', role: 'tab', class: st.tab === k ? 'active' : '', 'aria-selected': String(st.tab === k), 'data-testid': `tab-${k}`,
    onclick: () => { st.tab = k; renderInbox(); },
  }, `${label} (${st.lists[k].length})`)));
  const items = st.lists[st.tab] || [];
  if (st.listError) { mount(chrome.list, h('li', { class: 'error' }, st.listError)); return; }
  if (!items.length) { mount(chrome.list, h('li', { class: 'muted empty' }, 'Nothing here.')); return; }
  mount(chrome.list, items.map((c) => h('li', {},
    h('a', {
      href: `#/c/${c.id}`, class: `item ${st.conv?.id === c.id ? 'active' : ''}`, 'data-testid': 'conversation-item', 'data-id': c.id,
    },
    h('span', { class: `badge ${c.state}` }, c.state),
    h('span', { class: 'grow' }, `Customer ${shortId(c.customer_id)}`),
    h('span', { class: 'muted small' }, c.state === 'queued' && c.queued_at ? `waiting since ${clock(c.queued_at)}` : clock(c.updated_at)),
    c.assignee_id ? h('span', { class: 'muted small' }, nameOf(c.assignee_id)) : null,
    c.labels.length ? h('span', { class: 'labels' }, c.labels.map((l) => h('span', { class: 'label' }, l))) : null))));
}

// ---- conversation --------------------------------------------------------

function closeConversation() {
  if (st.conv) socket.send({ type: 'unsubscribe', conversation_id: st.conv.id });
  st.conv = null;
}

async function openConversation(id) {
  if (st.conv?.id === id) return;
  closeConversation();
  st.messages = new Map();
  st.lastSeq = 0;
  st.drafts = new Map();
  st.typing = null;
  st.viewError = null;
  buildView();
  try {
    st.conv = await api(`/api/v1/conversations/${id}`);
  } catch (e) {
    mount(chrome.view, h('p', { class: 'error' }, e.message));
    return;
  }
  renderInbox();
  renderConversation();
  loadCustomer();
  // Follow it: the server sends the history, then live messages.
  socket.request({ type: 'subscribe', conversation_id: id, after_seq: 0 }).catch((e) => {
    if (e.code !== 'disconnected') { st.viewError = e.message; renderConversation(); }
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
  view.input = h('textarea', { rows: 3, placeholder: 'Reply… (/ for canned responses, Enter to send, Shift+Enter for a new line)', 'aria-label': 'Reply', 'data-testid': 'reply' });
  view.suggest = h('ul', { class: 'suggest', hidden: true, 'data-testid': 'canned-suggestions' });
  view.noteToggle = h('input', { type: 'checkbox', 'data-testid': 'note-toggle', onchange: () => { st.note = view.noteToggle.checked; renderComposer(); } });
  view.sendBtn = h('button', { class: 'primary', type: 'submit' }, 'Send');
  view.form = h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); sendReply(); } },
    view.suggest, view.input,
    h('div', { class: 'row' }, h('label', { class: 'small' }, view.noteToggle, ' Private note (staff only)'), h('span', { class: 'spacer' }), view.sendBtn));
  view.panel = h('aside', { class: 'panel', 'data-testid': 'customer-panel' });
  mount(chrome.view, h('div', { class: 'conv' },
    h('div', { class: 'conv-main' }, view.head, view.actions, view.error, view.log, view.typing, view.form),
    view.panel));
  view.input.addEventListener('input', onInput);
  view.input.addEventListener('keydown', onKey);
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
  socket.post({ conversation_id: st.conv.id, client_msg_id: uid('a'), body, ...(st.note ? { private: true } : {}) });
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
  const search = h('input', { type: 'search', placeholder: 'Search by name', 'aria-label': 'Search by name', 'data-testid': 'picker-search' });
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
        h('span', { class: 'muted small' }, `${m.role} · ${m.presence} · ${m.load} open`))))
      : h('li', { class: 'muted empty' }, 'Nobody matches.'));
  };
  search.addEventListener('input', render);
  const box = h('div', { class: 'overlay', 'data-testid': 'picker', onclick: (e) => { if (e.target === box) close(); } },
    h('div', { class: 'dialog card', role: 'dialog', 'aria-modal': 'true', 'aria-label': title },
      h('h3', {}, title), search, err, list,
      h('div', { class: 'row' }, h('span', { class: 'spacer' }), h('button', { type: 'button', onclick: close }, 'Cancel'))));
  document.addEventListener('keydown', onEsc);
  document.body.appendChild(box);
  render();
  search.focus();
  loadDirectory().then(render).catch((e) => { err.textContent = e.message; });
}

function transfer() {
  const c = st.conv;
  pickStaff('Transfer to…', [st.me.id, c.assignee_id], (m) => { if (st.conv?.id === c.id) act('transfer', { agent_id: m.id }); });
}

function snooze() {
  const mins = prompt('Snooze for how many minutes?', '60');
  const n = Number(mins);
  if (!mins || !Number.isFinite(n) || n <= 0) return;
  rest('snooze', { until: new Date(Date.now() + n * 60000).toISOString() });
}

function renderConversation() {
  if (!st.conv || !view.head) return;
  const c = st.conv;
  const mine = c.assignee_id === st.me.id;
  mount(view.head,
    h('h2', {}, `Customer ${shortId(c.customer_id)}`),
    h('span', { class: `badge ${c.state}`, 'data-testid': 'conv-state' }, c.state),
    c.assignee_id ? h('span', { class: 'muted', 'data-testid': 'conv-assignee' }, ` · ${nameOf(c.assignee_id)}`) : null,
    c.csat_score != null ? h('span', { class: 'muted', 'data-testid': 'csat' }, ` · CSAT ${'★'.repeat(c.csat_score)}${c.csat_comment ? ` “${c.csat_comment}”` : ''}`) : null);
  const b = (label, onclick, testid, primary) => h('button', { type: 'button', onclick, 'data-testid': testid, class: primary ? 'primary' : '' }, label);
  const buttons = [];
  if (c.state === 'queued') buttons.push(b('Accept', () => act('accept'), 'accept', true));
  if (c.state === 'bot') buttons.push(b('Take over', () => act('takeover'), 'takeover', true));
  if (c.state === 'human' && (mine || isSup())) {
    buttons.push(b('Hand back to the assistant', () => act('hand_back'), 'hand-back'));
    buttons.push(b('Transfer…', transfer, 'transfer'));
  }
  const snoozed = c.snoozed_until && Date.parse(c.snoozed_until) > Date.now();
  if (snoozed) {
    buttons.push(h('span', { class: 'muted', 'data-testid': 'snoozed' }, `Snoozed until ${new Date(c.snoozed_until).toLocaleString()}`),
      b('Wake up', () => rest('snooze', undefined, 'DELETE'), 'unsnooze'));
  } else if (c.state === 'human' && (mine || isSup())) {
    buttons.push(b('Snooze…', snooze, 'snooze'));
  }
  if (c.state !== 'closed' && (mine || isSup())) buttons.push(b('Close', () => act('close'), 'close'));
  if (c.state === 'closed' && (mine || isSup())) buttons.push(b('Reopen', () => rest('reopen'), 'reopen'));
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
    view.input.placeholder = c.state === 'human' ? 'Another agent has this conversation: private notes only.' : 'Accept or take over to reply (private notes work now).';
  } else {
    view.input.placeholder = st.note ? 'Private note: staff only' : 'Reply… (/ for canned responses, Enter to send, Shift+Enter for a new line)';
  }
  view.form.classList.toggle('note', st.note);
  view.sendBtn.textContent = st.note ? 'Add note' : 'Send';
  view.sendBtn.disabled = !mayReply && !st.note;
}

function renderMessages() {
  if (!view.log) return;
  const atBottom = view.log.scrollHeight - view.log.scrollTop - view.log.clientHeight < 40;
  const seqs = [...st.messages.keys()].sort((a, b) => a - b);
  const out = [];
  for (const s of seqs) {
    const m = st.messages.get(s);
    if (m.kind === 'event') { out.push(h('div', { class: 'notice', 'data-testid': 'notice' }, `${m.body} · ${clock(m.created_at)}`)); continue; }
    const who = m.sender_kind === 'customer' ? 'Customer' : m.sender_kind === 'bot' ? 'Assistant'
      : (m.sender_id === st.me.id ? nameOf(m.sender_id) : m.sender_name || nameOf(m.sender_id));
    out.push(h('div', { class: `msg ${m.sender_kind} ${m.kind === 'private_note' ? 'note' : ''}`, 'data-testid': m.kind === 'private_note' ? 'note' : `msg-${m.sender_kind}` },
      h('span', { class: 'who' }, `${who}${m.kind === 'private_note' ? ' · private note' : ''} · ${clock(m.created_at)}`),
      m.body));
  }
  for (const text of st.drafts.values()) {
    out.push(h('div', { class: 'msg bot draft', 'data-testid': 'draft' }, h('span', { class: 'who' }, 'Assistant · writing…'), text));
  }
  mount(view.log, out);
  if (atBottom || st.drafts.size) view.log.scrollTop = view.log.scrollHeight;
}

function renderTyping() {
  if (!view.typing) return;
  view.typing.textContent = st.typing ? `${st.typing.kind === 'customer' ? 'The customer' : nameOf(st.typing.id)} is typing…` : '';
}

// ---- customer side panel -------------------------------------------------

async function loadCustomer() {
  const c = st.conv;
  const details = h('div', { class: 'details' }, h('p', { class: 'muted' }, 'Loading…'));
  const past = h('ul', { class: 'past', 'data-testid': 'past' });
  const labels = h('input', { value: c.labels.join(', '), 'aria-label': 'Labels', placeholder: 'refund, vip', 'data-testid': 'labels' });
  const labelErr = h('p', { class: 'error small' });
  mount(view.panel,
    h('h3', {}, 'Customer'), details,
    h('h3', {}, 'Labels'),
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
    }, labels, h('button', { type: 'submit' }, 'Save')),
    labelErr,
    h('h3', {}, 'Conversations'), past);
  const showPast = (items) => {
    view.past = { el: past, items, show: showPast };
    mount(past, items.length
    ? items.map((x) => h('li', {}, h('a', { href: `#/c/${x.id}`, class: x.id === c.id ? 'active' : '' }, new Date(x.created_at).toLocaleString()),
      ` ${x.state}`, x.csat_score != null ? ` ${'★'.repeat(x.csat_score)}` : ''))
    : h('li', { class: 'muted' }, 'None.'));
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

start();
