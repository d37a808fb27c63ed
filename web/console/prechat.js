// The pre-chat form page (admins): which fields the widget asks before a
// new conversation, each off, optional or required, and the custom
// question's text. The server validates (a question needs its text) and
// records the change in the audit log.

import { h, mount } from '/shared/dom.js';
import { api } from '/console/api.js';

const MODES = ['off', 'optional', 'required'];
const FIELDS = [['name', 'Name'], ['email', 'E-mail'], ['phone', 'Phone'], ['custom', 'Custom question']];

/** Fills `el` with the page. */
export async function prechat(el) {
  mount(el, h('h2', {}, 'Pre-chat form'), h('p', { class: 'muted' }, 'Loading…'));
  let form;
  try {
    form = await api('/api/v1/settings/prechat');
  } catch (e) {
    mount(el, h('h2', {}, 'Pre-chat form'), h('p', { class: 'error', role: 'alert', 'data-testid': 'page-error' }, e.message));
    return;
  }
  const selects = Object.fromEntries(FIELDS.map(([key]) => [key, h('select', { 'data-testid': `prechat-mode-${key}`, 'aria-label': key },
    MODES.map((m) => h('option', { value: m, selected: form[key] === m }, m)))]));
  const label = h('input', {
    value: form.custom_label || '', maxlength: 200, placeholder: 'e.g. Your order number?', 'data-testid': 'prechat-label', 'aria-label': 'Custom question',
  });
  const status = h('p', { class: 'small', role: 'status', 'data-testid': 'prechat-status' });
  const rows = FIELDS.map(([key, text]) => h('tr', {},
    h('th', { scope: 'row' }, text),
    h('td', {}, selects[key]),
    h('td', {}, key === 'custom' ? label : null)));
  const save = async (e) => {
    e.preventDefault();
    status.className = 'small';
    status.textContent = '';
    const body = Object.fromEntries(FIELDS.map(([key]) => [key, selects[key].value]));
    if (label.value.trim()) body.custom_label = label.value;
    try {
      const saved = await api('/api/v1/settings/prechat', { method: 'PUT', body });
      label.value = saved.custom_label || '';
      status.textContent = 'Saved. New visitors see this form before their first message.';
    } catch (ex) {
      status.className = 'small error';
      status.textContent = ex.field ? `${ex.field}: ${ex.message}` : ex.message;
    }
  };
  mount(el,
    h('h2', {}, 'Pre-chat form'),
    h('p', { class: 'muted' }, 'Asked in the widget before a customer\'s first message. A required field must be given before a conversation can start; the answers show in the customer panel of each conversation.'),
    h('form', { class: 'stack', onsubmit: save },
      h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Asked'), h('th', {}, 'Question'))),
        h('tbody', {}, rows)),
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'prechat-save' }, 'Save')),
      status));
}
