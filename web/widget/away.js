// Availability in the widget: the "we reply in about N minutes" / "we're
// away" line, the leave-a-message form offered when a customer asks for a
// person while nobody can answer, and the unread count of replies that
// arrived while the window was closed (shown as a badge on the launcher by
// /widget.js). Kept apart from frame.js, which calls these.

import { h, mount } from '/shared/dom.js';

const words = {
  en: {
    replyIn: (n) => `We usually reply in about ${n} minute${n === 1 ? '' : 's'}.`,
    available: 'A person is available.',
    away: 'We\'re away right now.',
    greetingAway: 'Hi! Ask us anything: our assistant answers at once. Our team is away right now, but you can leave them a message.',
    backAt: (when) => `We're away. We're back ${when}.`,
    leaveTitle: 'Leave us a message',
    leaveHint: 'Nobody can answer right now. Leave your e-mail address and a message: an agent will reply here, and you will find the answer when you come back.',
    email: 'Your e-mail address',
    message: 'Your message (optional)',
    leave: 'Send message',
    left: 'Thanks! We have your message and will reply here.',
  },
  zh: {
    replyIn: (n) => `我们通常在约 ${n} 分钟内回复。`,
    available: '人工客服在线。',
    away: '我们暂时不在线。',
    greetingAway: '您好！有什么可以帮您？智能助手会立即回答。人工客服暂时不在线，您可以给他们留言。',
    backAt: (when) => `我们暂时不在线，将于 ${when} 回来。`,
    leaveTitle: '给我们留言',
    leaveHint: '目前没有客服在线。请留下您的邮箱和留言，客服会在这里回复您，您回来时即可看到。',
    email: '您的邮箱',
    message: '留言内容（可选）',
    leave: '提交留言',
    left: '谢谢！我们已收到您的留言，会在这里回复您。',
  },
};

/** The words for a language (`en` or `zh`). */
export function awayWords(lang) {
  return lang === 'zh' ? words.zh : words.en;
}

/** `GET /api/v1/widget/availability`, or null when it cannot be read. */
export async function fetchAvailability() {
  try {
    const res = await fetch('/api/v1/widget/availability');
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

/** "Monday 09:00" in the customer's own locale and time zone. */
function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const soon = d.getTime() - Date.now() < 6 * 24 * 3600 * 1000;
  return d.toLocaleString([], soon
    ? { weekday: 'long', hour: '2-digit', minute: '2-digit' }
    : { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
}

/**
 * The greeting: it promises a person only while one can answer (the
 * default greeting says "a person is one click away").
 */
export function greetingText(t, w, status) {
  return status && !status.available ? w.greetingAway : t.greeting;
}

/** The availability line's text for a status (empty when unknown). */
export function availabilityText(w, status) {
  if (!status) return '';
  if (status.available) return status.reply_minutes ? w.replyIn(status.reply_minutes) : w.available;
  return status.next_opening ? w.backAt(when(status.next_opening)) : w.away;
}

/**
 * The leave-a-message form. `submit({email, text})` resolves when the
 * server took it, or throws with the server's message (shown in the form).
 */
export function leaveForm(w, submit) {
  const email = h('input', { type: 'email', required: true, autocomplete: 'email', 'aria-label': w.email, placeholder: w.email, 'data-testid': 'leave-email', maxlength: 254 });
  const text = h('textarea', { rows: 3, 'aria-label': w.message, placeholder: w.message, 'data-testid': 'leave-text', maxlength: 4000 });
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'leave-error', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'leave-send' }, w.leave);
  email.addEventListener('input', () => { error.hidden = true; });
  const box = h('form', {
    class: 'w-leave',
    'data-testid': 'leave-form',
    // The server validates the address; the browser's own check is skipped
    // so that its answer is the one the customer sees.
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      button.disabled = true;
      error.hidden = true;
      try {
        await submit({ email: email.value.trim(), text: text.value.trim() });
        mount(box, h('p', { 'data-testid': 'leave-done' }, w.left));
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
        button.disabled = false;
      }
    },
  }, h('h2', {}, w.leaveTitle), h('p', { class: 'w-hint' }, w.leaveHint), email, text, error, button);
  return box;
}

// ---- unread replies while the window is closed ------------------------------

const READ_KEY = (id) => `chat-api.read.${id}`;

/** The last sequence the customer saw in a conversation (0 if never). */
export function seenSeq(id) {
  try { return Number(localStorage.getItem(READ_KEY(id))) || 0; } catch { return 0; }
}

/** Remembers that the customer saw a conversation up to `seq`. */
export function markSeen(id, seq) {
  if (seq <= seenSeq(id)) return;
  try { localStorage.setItem(READ_KEY(id), String(seq)); } catch { /* private mode */ }
}

/** How many replies (agent or assistant) after what the customer saw. */
export function unreadCount(conversationId, messages) {
  const seen = seenSeq(conversationId);
  let n = 0;
  for (const m of messages) {
    if (m.seq > seen && (m.sender_kind === 'agent' || m.sender_kind === 'bot') && m.kind !== 'private_note') n += 1;
  }
  return n;
}

/** Tells the host page (the launcher) how many replies are unread. */
export function reportUnread(count) {
  if (window.parent !== window) window.parent.postMessage({ type: 'chat-api:unread', count }, '*');
}
