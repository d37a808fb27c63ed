// Business hours (#/hours): every staff member reads them; admins change
// them. Opening spans per weekday in an IANA time zone, and holidays closed
// all day. The server validates everything and names the field it refuses.

import { h, mount } from '/shared/dom.js';
import { api } from '/console/api.js';

const DAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];

function zones() {
  try { return Intl.supportedValuesOf('timeZone'); } catch { return []; }
}

/** One span's row: day, open, close, remove. */
function spanRow(span, editable, onRemove) {
  const day = h('select', { 'aria-label': 'Day', disabled: !editable, 'data-testid': 'span-day' },
    DAYS.map(([v, label]) => h('option', { value: v, selected: v === span.day }, label)));
  const open = h('input', { type: 'time', value: span.open, 'aria-label': 'Opens', disabled: !editable, 'data-testid': 'span-open' });
  const close = h('input', { type: 'time', value: span.close === '24:00' ? '23:59' : span.close, 'aria-label': 'Closes', disabled: !editable, 'data-testid': 'span-close' });
  const row = h('div', { class: 'row span-row' }, day, open, '–', close,
    editable ? h('button', { type: 'button', onclick: () => { row.remove(); onRemove(); } }, 'Remove') : null);
  row.read = () => ({ day: day.value, open: open.value, close: close.value });
  return row;
}

export async function hours(el, { me }) {
  const editable = me.role === 'admin';
  const status = h('p', { class: 'muted', 'data-testid': 'hours-status' });
  const err = h('p', { class: 'error small', role: 'alert', 'data-testid': 'hours-error' });
  const saved = h('p', { class: 'muted small', 'data-testid': 'hours-saved' });
  const showStatus = async () => {
    try {
      const s = await api('/api/v1/widget/availability');
      status.textContent = s.available
        ? `Open now, with an agent online${s.reply_minutes ? ` (replies in about ${s.reply_minutes} min)` : ''}.`
        : s.within_hours ? 'Within hours, but no agent is online: customers are offered to leave a message.'
          : `Closed now${s.next_opening ? `; opens ${new Date(s.next_opening).toLocaleString()}` : ''}: customers are offered to leave a message.`;
    } catch (e) { status.textContent = e.message; }
  };
  let b;
  try { b = await api('/api/v1/business-hours'); } catch (e) {
    mount(el, h('h2', {}, 'Business hours'), h('p', { class: 'error', role: 'alert' }, e.message));
    return;
  }
  const enabled = h('input', { type: 'checkbox', checked: b.enabled, disabled: !editable, 'data-testid': 'hours-enabled' });
  const zone = h('input', { value: b.time_zone, list: 'tz-list', disabled: !editable, 'aria-label': 'Time zone', 'data-testid': 'hours-zone' });
  const spans = h('div', { class: 'stack', 'data-testid': 'hours-spans' });
  const addSpan = (s) => spans.appendChild(spanRow(s, editable, () => {}));
  b.days.forEach(addSpan);
  const holidays = h('textarea', { rows: 4, disabled: !editable, placeholder: '2026-12-25', 'aria-label': 'Holidays', 'data-testid': 'hours-holidays' }, b.holidays.join('\n'));
  const save = async (e) => {
    e.preventDefault();
    err.textContent = '';
    saved.textContent = '';
    try {
      const body = {
        enabled: enabled.checked,
        time_zone: zone.value.trim(),
        days: [...spans.children].map((r) => r.read()),
        holidays: holidays.value.split(/[\s,]+/).filter(Boolean),
      };
      const r = await api('/api/v1/business-hours', { method: 'PUT', body });
      saved.textContent = `Saved ${new Date(r.updated_at).toLocaleString()}.`;
      showStatus();
    } catch (ex) { err.textContent = ex.field ? `${ex.field}: ${ex.message}` : ex.message; }
  };
  mount(el, h('h2', {}, 'Business hours'),
    status,
    h('p', { class: 'muted' }, 'Outside these hours, or with no agent online, the widget says when you are back and offers to leave a message with an e-mail address; those conversations wait in the queue for the next shift.'),
    h('form', { class: 'stack', onsubmit: save },
      h('label', {}, enabled, ' Use business hours (off: always open)'),
      h('label', { class: 'field' }, h('span', {}, 'Time zone'), zone),
      h('datalist', { id: 'tz-list' }, zones().map((z) => h('option', { value: z }))),
      h('h3', {}, 'Opening hours'), spans,
      editable ? h('button', { type: 'button', 'data-testid': 'add-span', onclick: () => addSpan({ day: 'mon', open: '09:00', close: '17:00' }) }, 'Add opening hours') : null,
      h('h3', {}, 'Holidays (closed all day)'),
      h('label', { class: 'field' }, h('span', {}, 'Dates, one per line (YYYY-MM-DD)'), holidays),
      editable ? h('button', { class: 'primary', type: 'submit', 'data-testid': 'hours-save' }, 'Save') : h('p', { class: 'muted' }, 'Only admins change business hours.'),
      err, saved));
  showStatus();
}
