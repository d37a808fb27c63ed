// Back-office pages of the console: statistics, knowledge base, canned
// responses, users, audit log, webhooks. Each page is a function that fills
// an element; every error the server returns is shown as its message.

import { h, mount } from '/shared/dom.js';
import { api } from '/console/api.js';
import { barChart } from '/console/chart.js';
import { hours } from '/console/hours.js';
import { prechat } from '/console/prechat.js';

const fmtSecs = (s) => (s == null ? '–' : s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);
const pct = (x) => (x == null ? '–' : `${Math.round(x * 100)} %`);
const num = (x) => (x == null ? '–' : String(x));
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

function errorBox(e) {
  return h('p', { class: 'error', role: 'alert', 'data-testid': 'page-error' }, e.message || String(e));
}

function field(label, input) {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

/** A form whose submit runs `fn` and shows its error. */
function form(cls, children, fn) {
  const err = h('p', { class: 'error small', role: 'alert' });
  const f = h('form', {
    class: cls,
    onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      try { await fn(f); } catch (ex) { err.textContent = ex.field ? `${ex.field}: ${ex.message}` : ex.message; }
    },
  }, children, err);
  return f;
}

function table(headers, rows) {
  return h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows));
}

// ---- statistics ----------------------------------------------------------

function dayInput(d) {
  return h('input', { type: 'date', value: d.toISOString().slice(0, 10) });
}

async function stats(el) {
  const to = new Date();
  const from = new Date(to.getTime() - 6 * 86400000);
  const fromIn = dayInput(from);
  const toIn = dayInput(to);
  const out = h('div', {});
  const range = () => {
    const f = new Date(`${fromIn.value}T00:00:00`);
    const t = new Date(`${toIn.value}T00:00:00`);
    t.setDate(t.getDate() + 1);
    return `from=${encodeURIComponent(f.toISOString())}&to=${encodeURIComponent(t.toISOString())}`;
  };
  const csv = async (by) => {
    try {
      const res = await api(`/api/v1/stats.csv?${range()}&by=${by}`, { raw: true });
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: `stats-by-${by}.csv` });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) { mount(out, errorBox(e)); }
  };
  const load = async () => {
    mount(out, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const s = await api(`/api/v1/stats?${range()}`);
      renderStats(out, s);
    } catch (e) {
      mount(out, errorBox(e));
    }
  };
  mount(el,
    h('h2', {}, 'Statistics'),
    h('div', { class: 'row toolbar' },
      field('From', fromIn), field('To', toIn),
      h('button', { type: 'button', class: 'primary', onclick: load }, 'Show'),
      h('button', { type: 'button', onclick: () => csv('day') }, 'CSV by day'),
      h('button', { type: 'button', onclick: () => csv('agent') }, 'CSV by agent')),
    out);
  await load();
}

function renderStats(out, s) {
  const t = s.totals;
  const card = (label, value, testid) => h('div', { class: 'card stat', 'data-testid': testid }, h('div', { class: 'muted small' }, label), h('div', { class: 'big' }, value));
  mount(out,
    h('div', { class: 'cards' },
      card('Queue now', num(s.now?.queue_length), 'stat-queue'),
      card('Agents online', num(s.now?.agents_online), 'stat-online'),
      card('Opened', num(t.opened), 'stat-opened'),
      card('Closed', num(t.closed), 'stat-closed'),
      card('Resolved by the assistant', `${num(t.bot_resolved)} (${pct(t.bot_resolved_share)})`, 'stat-bot'),
      card('Handed to a person', `${num(t.handed_off)} (${pct(t.handoff_rate)})`, 'stat-handoff'),
      card('First response (median / p90)', `${fmtSecs(t.first_response_secs?.median)} / ${fmtSecs(t.first_response_secs?.p90)}`, 'stat-frt'),
      card('Resolution (median / p90)', `${fmtSecs(t.resolution_secs?.median)} / ${fmtSecs(t.resolution_secs?.p90)}`, 'stat-resolution'),
      card('CSAT', t.csat?.count ? `${t.csat.average.toFixed(2)} / 5 (${t.csat.count})` : '–', 'stat-csat')),
    h('h3', {}, 'Conversations per day'),
    barChart(s.days.map((d) => ({ label: d.day.slice(5), values: [d.opened, d.closed, d.handed_off] })),
      ['Opened', 'Closed', 'Handed off']),
    h('h3', {}, 'Agents'),
    s.agents.length
      ? table(['Agent', 'Closed', 'First response (median)', 'Resolution (median)', 'CSAT'], s.agents.map((a) => h('tr', {},
        h('td', {}, a.display_name), h('td', {}, num(a.closed)), h('td', {}, fmtSecs(a.first_response_secs?.median)),
        h('td', {}, fmtSecs(a.resolution_secs?.median)),
        h('td', {}, a.csat?.count ? `${a.csat.average.toFixed(2)} (${a.csat.count})` : '–'))))
      : h('p', { class: 'muted' }, 'No agent activity in this period.'));
}

// ---- knowledge base ------------------------------------------------------

async function knowledge(el) {
  const list = h('div', {});
  const editor = h('div', {});
  const edit = (doc) => {
    const title = h('input', { value: doc?.title || '', required: true, maxlength: 200 });
    const body = h('textarea', { rows: 8, value: doc?.body || '' });
    const tags = h('input', { value: (doc?.tags || []).join(', '), placeholder: 'comma, separated' });
    const enabled = h('input', { type: 'checkbox', checked: doc ? doc.enabled : true });
    mount(editor, h('h3', {}, doc ? `Edit “${doc.title}”` : 'New document'),
      form('stack', [field('Title', title), field('Body', body), field('Tags', tags),
        h('label', {}, enabled, ' Enabled (the assistant uses it)'),
        h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, doc ? 'Save' : 'Create'),
          h('button', { type: 'button', onclick: () => mount(editor) }, 'Cancel'))], async () => {
        const payload = { title: title.value, body: body.value, tags: tags.value.split(',').map((s) => s.trim()).filter(Boolean), enabled: enabled.checked };
        if (doc) await api(`/api/v1/knowledge/${doc.id}`, { method: 'PUT', body: payload });
        else await api('/api/v1/knowledge', { method: 'POST', body: payload });
        mount(editor);
        load();
      }));
  };
  let after = null;
  const pagesSeen = [];
  const load = async (cursor = null) => {
    try {
      const r = await api(`/api/v1/knowledge?limit=50${cursor ? `&after=${cursor}` : ''}`);
      after = r.next_after;
      mount(list, table(['Title', 'Tags', 'Enabled', 'Updated', ''], r.items.map((d) => h('tr', {},
        h('td', {}, d.title), h('td', {}, d.tags.join(', ')), h('td', {}, d.enabled ? 'yes' : 'no'), h('td', {}, when(d.updated_at)),
        h('td', {},
          h('button', { type: 'button', onclick: () => edit(d) }, 'Edit'), ' ',
          h('button', { type: 'button', onclick: async () => { if (confirm(`Delete “${d.title}”?`)) { try { await api(`/api/v1/knowledge/${d.id}`, { method: 'DELETE' }); load(); } catch (e) { alert(e.message); } } } }, 'Delete'))))),
      h('div', { class: 'row' },
        pagesSeen.length ? h('button', { type: 'button', onclick: () => load(pagesSeen.pop() ?? null) }, '← Previous') : null,
        after ? h('button', { type: 'button', onclick: () => { pagesSeen.push(cursor); load(after); } }, 'Next →') : null));
    } catch (e) {
      mount(list, errorBox(e));
    }
  };
  const format = h('select', {}, ['json', 'csv', 'markdown'].map((f) => h('option', { value: f }, f)));
  const content = h('textarea', { rows: 5, placeholder: '[{"question":"…","answer":"…"}]' });
  const file = h('input', { type: 'file', accept: '.json,.csv,.md,.markdown,.txt' });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    content.value = await f.text();
    if (/\.csv$/i.test(f.name)) format.value = 'csv';
    else if (/\.(md|markdown)$/i.test(f.name)) format.value = 'markdown';
    else format.value = 'json';
  });
  const importResult = h('p', { class: 'muted' });
  const question = h('input', { required: true, maxlength: 1000, placeholder: 'how do I reset my password?', 'aria-label': 'Question' });
  const tried = h('div', { 'data-testid': 'try-result' });
  mount(el, h('h2', {}, 'Knowledge base'),
    h('p', { class: 'muted' }, 'What the assistant answers from; it follows changes within seconds.'),
    h('h3', {}, 'Try a question'),
    form('row', [question, h('button', { type: 'submit' }, 'Ask')], async () => {
      const r = await api(`/api/v1/knowledge/search?q=${encodeURIComponent(question.value.trim())}&k=5`);
      const chosen = r.items.find((x) => x.answers);
      mount(tried,
        h('p', {}, chosen ? `The assistant would answer from “${chosen.title}”.` : 'The assistant would not answer (it offers a person).'),
        r.items.length
          ? table(['Document', 'Score', 'Coverage', 'Answers', 'Passage retrieved'], r.items.map((x) => h('tr', {},
            h('td', {}, x.title), h('td', {}, x.score.toFixed(2)), h('td', {}, pct(x.confidence)), h('td', {}, x.answers ? 'yes' : ''), h('td', {}, x.passage))))
          : h('p', { class: 'muted' }, 'No passage matches.'));
    }),
    tried,
    h('h3', {}, 'Documents'),
    h('button', { type: 'button', class: 'primary', onclick: () => edit(null) }, 'New document'),
    editor, list,
    h('h3', {}, 'Import'),
    form('stack', [h('div', { class: 'row' }, field('Format', format), field('File', file)), content,
      h('button', { type: 'submit' }, 'Import'), importResult], async () => {
      const r = await api('/api/v1/knowledge/import', { method: 'POST', body: { format: format.value, content: content.value } });
      importResult.textContent = `Imported ${r.imported} documents.`;
      load();
    }));
  await load();
}

// ---- canned responses ----------------------------------------------------

async function canned(el, { me }) {
  const list = h('div', {});
  const load = async () => {
    try {
      const r = await api('/api/v1/canned');
      mount(list, r.items.length ? table(['Shortcut', 'Title', 'Text', 'Shared', ''], r.items.map((c) => h('tr', {},
        h('td', {}, `/${c.shortcut}`), h('td', {}, c.title), h('td', { class: 'clip' }, c.body), h('td', {}, c.owner_id == null ? 'yes' : 'no'),
        h('td', {}, h('button', { type: 'button', onclick: async () => { try { await api(`/api/v1/canned/${c.id}`, { method: 'DELETE' }); load(); } catch (e) { alert(e.message); } } }, 'Delete')))))
        : h('p', { class: 'muted' }, 'No canned responses yet.'));
    } catch (e) { mount(list, errorBox(e)); }
  };
  const shortcut = h('input', { required: true, placeholder: 'refund', maxlength: 33 });
  const title = h('input', { required: true });
  const body = h('textarea', { rows: 3, required: true });
  const shared = h('input', { type: 'checkbox' });
  const sup = me.role !== 'agent';
  mount(el, h('h2', {}, 'Canned responses'),
    h('p', { class: 'muted' }, 'Type /shortcut in a reply to insert one.'),
    list,
    h('h3', {}, 'New response'),
    form('stack', [field('Shortcut', shortcut), field('Title', title), field('Text', body),
      sup ? h('label', {}, shared, ' Shared with every agent') : null,
      h('button', { class: 'primary', type: 'submit' }, 'Add')], async () => {
      await api('/api/v1/canned', { method: 'POST', body: { shortcut: shortcut.value, title: title.value, body: body.value, shared: sup && shared.checked } });
      shortcut.value = ''; title.value = ''; body.value = '';
      load();
    }));
  await load();
}

// ---- users ---------------------------------------------------------------

const ROLES = ['agent', 'supervisor', 'admin'];

async function users(el, { me }) {
  const list = h('div', {});
  const load = async () => {
    try {
      const items = [];
      let after = null;
      do {
        const r = await api(`/api/v1/users?limit=200${after ? `&after=${after}` : ''}`);
        items.push(...r.items);
        after = r.next_after;
      } while (after);
      mount(list, table(['Name', 'E-mail', 'Role', 'Active', ''], items.map((u) => {
        const role = h('select', { 'aria-label': `Role of ${u.email}` }, ROLES.map((r) => h('option', { value: r }, r)));
        role.value = u.role;
        const patch = async (body) => { try { await api(`/api/v1/users/${u.id}`, { method: 'PATCH', body }); } catch (e) { alert(e.message); } load(); };
        role.addEventListener('change', () => patch({ role: role.value }));
        return h('tr', {}, h('td', {}, u.display_name), h('td', {}, u.email), h('td', {}, role), h('td', {}, u.active ? 'yes' : 'no'),
          h('td', {}, u.id === me.id ? h('span', { class: 'muted' }, 'you') : h('button', { type: 'button', onclick: () => patch({ active: !u.active }) }, u.active ? 'Deactivate' : 'Activate'),
            ' ', h('button', {
              type: 'button',
              onclick: async () => {
                const p = prompt(`New password for ${u.email} (8+ characters)`);
                if (!p) return;
                try { await api(`/api/v1/users/${u.id}/password`, { method: 'POST', body: { password: p } }); alert('Password changed.'); } catch (e) { alert(e.message); }
              },
            }, 'Set password')));
      })));
    } catch (e) { mount(list, errorBox(e)); }
  };
  const email = h('input', { type: 'email', required: true });
  const name = h('input', { required: true });
  const role = h('select', {}, ROLES.map((r) => h('option', { value: r }, r)));
  const password = h('input', { type: 'password', required: true, minlength: 8, autocomplete: 'new-password' });
  mount(el, h('h2', {}, 'Users and roles'), list, h('h3', {}, 'New user'),
    form('stack', [field('E-mail', email), field('Name', name), field('Role', role), field('Password', password),
      h('button', { class: 'primary', type: 'submit' }, 'Create')], async () => {
      await api('/api/v1/users', { method: 'POST', body: { email: email.value, display_name: name.value, role: role.value, password: password.value } });
      email.value = ''; name.value = ''; password.value = '';
      load();
    }));
  await load();
}

// ---- audit log -----------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A value for people: a known staff id becomes their name, other ids are
 * shortened, JSON (even JSON text inside JSON text) becomes "key: value".
 */
function readable(v, names, depth = 0) {
  if (typeof v === 'string') {
    if (UUID.test(v)) return names.get(v) || `…${v.slice(-8)}`;
    if (depth < 4 && /^\s*[[{"]/.test(v)) {
      try { return readable(JSON.parse(v), names, depth + 1); } catch { /* plain text */ }
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => readable(x, names, depth + 1)).join(', ');
  if (v && typeof v === 'object') {
    return Object.entries(v).map(([k, x]) => `${k.replaceAll('_', ' ')}: ${readable(x, names, depth + 1)}`).join(' · ');
  }
  return String(v);
}

/** An entry's detail (stored as JSON text), readable. */
const detailOf = (raw, names) => (raw == null || raw === '' ? '' : readable(raw, names));

async function audit(el, { names }) {
  const list = h('div', {});
  const action = h('input', { placeholder: 'e.g. user.created' });
  const target = h('input', { placeholder: 'id or e-mail' });
  const load = async (before = null) => {
    const q = new URLSearchParams({ limit: '50' });
    if (action.value.trim()) q.set('action', action.value.trim());
    if (target.value.trim()) q.set('target', target.value.trim());
    if (before) q.set('before', before);
    try {
      const r = await api(`/api/v1/audit?${q}`);
      mount(list, table(['When', 'Action', 'Actor', 'Target', 'IP', 'Detail'], r.items.map((a) => h('tr', {},
        h('td', {}, when(a.created_at)), h('td', {}, a.action),
        h('td', { 'data-testid': 'audit-actor' }, a.actor_id ? readable(a.actor_id, names) : 'system'),
        h('td', { title: a.target || '' }, a.target ? readable(a.target, names) : ''),
        h('td', {}, a.ip || ''), h('td', { class: 'detail', 'data-testid': 'audit-detail' }, detailOf(a.detail, names))))),
      r.next_before ? h('button', { type: 'button', onclick: () => load(r.next_before) }, 'Older →') : null);
    } catch (e) { mount(list, errorBox(e)); }
  };
  mount(el, h('h2', {}, 'Audit log'),
    form('row toolbar', [field('Action', action), field('Target', target), h('button', { type: 'submit' }, 'Filter')], () => load()),
    list);
  await load();
}

// ---- webhooks ------------------------------------------------------------

const EVENTS = ['conversation.created', 'conversation.state_changed', 'conversation.closed', 'message.created', 'csat.submitted'];

async function webhooks(el) {
  const list = h('div', {});
  const deliveries = h('div', {});
  const secretBox = h('p', { class: 'notice-box', hidden: true, 'data-testid': 'webhook-secret' });
  const showSecret = (w) => {
    if (!w?.secret) return;
    secretBox.hidden = false;
    mount(secretBox, 'Signing secret for ', h('code', {}, w.url), ' (shown once, store it now): ', h('code', {}, w.secret));
  };
  const call = async (path, method, body) => {
    try { const r = await api(path, { method, body }); showSecret(r); load(); return r; } catch (e) { alert(e.message); return null; }
  };
  const load = async () => {
    try {
      const items = [];
      let after = null;
      do {
        const r = await api(`/api/v1/webhooks?limit=200${after ? `&after=${after}` : ''}`);
        items.push(...r.items);
        after = r.next_after;
      } while (after);
      mount(list, items.length ? table(['URL', 'Events', 'Enabled', ''], items.map((w) => h('tr', {},
        h('td', {}, w.url), h('td', {}, (w.events || []).join(', ')),
        h('td', {}, w.enabled ? 'yes' : `no${w.disabled_reason ? ` (${w.disabled_reason})` : ''}`),
        h('td', {},
          h('button', { type: 'button', onclick: () => showDeliveries(w) }, 'Deliveries'), ' ',
          h('button', { type: 'button', onclick: () => call(`/api/v1/webhooks/${w.id}/ping`, 'POST') }, 'Ping'), ' ',
          h('button', { type: 'button', onclick: () => call(`/api/v1/webhooks/${w.id}`, 'PATCH', { enabled: !w.enabled }) }, w.enabled ? 'Disable' : 'Enable'), ' ',
          h('button', { type: 'button', onclick: () => { if (confirm(`Rotate the secret of ${w.url}? Receivers must switch to the new one.`)) call(`/api/v1/webhooks/${w.id}/rotate-secret`, 'POST'); } }, 'Rotate secret'), ' ',
          h('button', { type: 'button', onclick: () => { if (confirm(`Delete the webhook to ${w.url}?`)) call(`/api/v1/webhooks/${w.id}`, 'DELETE'); } }, 'Delete')))))
        : h('p', { class: 'muted' }, 'No webhooks yet.'));
    } catch (e) { mount(list, errorBox(e)); }
  };
  const showDeliveries = async (w) => {
    try {
      const r = await api(`/api/v1/webhooks/${w.id}/deliveries`);
      mount(deliveries, h('h3', {}, `Deliveries to ${w.url}`), r.items.length ? table(['When', 'Event', 'Status', 'Attempts', 'Last answer'], r.items.map((d) => h('tr', {},
        h('td', {}, when(d.created_at)), h('td', {}, d.event), h('td', {}, d.status), h('td', {}, String(d.attempts)),
        h('td', { class: 'clip' }, d.last_status != null ? `HTTP ${d.last_status}` : d.last_error || '')))) : h('p', { class: 'muted' }, 'No deliveries yet.'));
    } catch (e) { mount(deliveries, errorBox(e)); }
  };
  const url = h('input', { type: 'url', required: true, placeholder: 'https://example.com/hook' });
  const boxes = EVENTS.map((ev) => h('input', { type: 'checkbox', value: ev, checked: true }));
  mount(el, h('h2', {}, 'Webhooks'), secretBox, list, deliveries, h('h3', {}, 'New webhook'),
    form('stack', [field('URL', url),
      h('fieldset', { class: 'row' }, h('legend', {}, 'Events'), boxes.map((b) => h('label', { class: 'small' }, b, ` ${b.value}`))),
      h('button', { class: 'primary', type: 'submit' }, 'Add')], async () => {
      const events = boxes.filter((b) => b.checked).map((b) => b.value);
      const created = await api('/api/v1/webhooks', { method: 'POST', body: { url: url.value, events } });
      url.value = '';
      showSecret(created);
      load();
    }));
  await load();
}

/** The pages by route name (`#/<name>`). */
export const pages = { stats, knowledge, canned, users, audit, webhooks, hours, prechat };
