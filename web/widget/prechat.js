// The pre-chat form of the widget: the fields an admin asks for (name,
// e-mail, phone, one custom question), shown before a new conversation.
// The server checks the answers (and refuses to open a conversation while
// a required field is missing), so its error is what is shown under a field.

import { h } from '/shared/dom.js';

const words = {
  en: {
    intro: 'Before we start, please tell us a little about you.',
    name: 'Your name',
    email: 'E-mail',
    phone: 'Phone',
    optional: 'optional',
    start: 'Start chatting',
    read: 'Read',
  },
  zh: {
    intro: '开始之前，请简单介绍一下您自己。',
    name: '您的姓名',
    email: '电子邮箱',
    phone: '电话',
    optional: '选填',
    start: '开始聊天',
    read: '已读',
  },
};

/** The form's words (and the read receipt's) in the widget's language. */
export const prechatWords = (lang) => words[lang] || words.en;

const FIELDS = ['name', 'email', 'phone', 'custom'];

/** Whether `p` (GET /api/v1/widget/prechat) must be filled before a new conversation. */
export function needsForm(p) {
  if (!p || !FIELDS.some((f) => p.form[f] !== 'off')) return false;
  return !p.submitted || p.missing != null;
}

/**
 * The form for `form` (the admin's configuration). `submit(answers)` posts
 * them; it rejects with an Error carrying the server's `field` when refused.
 */
export function prechatView(form, w, submit) {
  const inputs = {};
  const errors = {};
  const row = (key, answerKey, label, input) => {
    if (form[key] === 'off') return null;
    const required = form[key] === 'required';
    inputs[answerKey] = input;
    errors[answerKey] = h('span', { class: 'error small', role: 'alert', 'data-testid': `prechat-error-${answerKey}` });
    input.setAttribute('aria-required', String(required));
    return h('label', { class: 'field' },
      h('span', {}, label, required ? ' *' : ` (${w.optional})`), input, errors[answerKey]);
  };
  const general = h('p', { class: 'error small', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'prechat-submit' }, w.start);
  const el = h('form', {
    class: 'w-prechat-form',
    // The server is the judge (the same rules whatever the browser): its
    // error is shown under the field it names.
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      for (const x of Object.values(errors)) x.textContent = '';
      general.textContent = '';
      const answers = {};
      for (const [k, input] of Object.entries(inputs)) {
        if (input.value.trim()) answers[k] = input.value;
      }
      button.disabled = true;
      try {
        await submit(answers);
      } catch (ex) {
        const slot = errors[ex.field];
        if (slot) { slot.textContent = ex.message; inputs[ex.field].focus(); } else general.textContent = ex.message;
      } finally {
        button.disabled = false;
      }
    },
  },
  h('p', { class: 'notice' }, w.intro),
  row('name', 'name', w.name, h('input', { name: 'name', autocomplete: 'name', maxlength: 200, 'data-testid': 'prechat-name' })),
  row('email', 'email', w.email, h('input', { name: 'email', type: 'email', autocomplete: 'email', maxlength: 254, 'data-testid': 'prechat-email' })),
  row('phone', 'phone', w.phone, h('input', { name: 'phone', type: 'tel', autocomplete: 'tel', maxlength: 32, 'data-testid': 'prechat-phone' })),
  row('custom', 'answer', form.custom_label || '', h('textarea', { name: 'answer', rows: 2, maxlength: 1000, 'data-testid': 'prechat-answer' })),
  general,
  button);
  return el;
}
