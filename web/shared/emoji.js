// A small emoji picker for the widget and the console: a vendored list of the
// emoji support conversations use most (no download, no font, no images:
// the system's emoji font draws them). Picking one inserts it at the cursor.

import { h } from '/shared/dom.js';

/** The vendored list: [emoji, English name] (the name is the tooltip and the accessible label). */
export const EMOJI = [
  ['😀', 'grinning face'], ['😃', 'smiling face with big eyes'], ['😄', 'smiling face with smiling eyes'],
  ['😁', 'beaming face'], ['😅', 'grinning face with sweat'], ['😂', 'face with tears of joy'],
  ['🙂', 'slightly smiling face'], ['😉', 'winking face'], ['😊', 'smiling face'],
  ['😍', 'smiling face with heart-eyes'], ['🤔', 'thinking face'], ['😐', 'neutral face'],
  ['😕', 'confused face'], ['😟', 'worried face'], ['😢', 'crying face'], ['😭', 'loudly crying face'],
  ['😮', 'face with open mouth'], ['😴', 'sleeping face'], ['😡', 'angry face'], ['🙏', 'folded hands'],
  ['👍', 'thumbs up'], ['👎', 'thumbs down'], ['👌', 'OK hand'], ['👋', 'waving hand'], ['👏', 'clapping hands'],
  ['🙌', 'raising hands'], ['💪', 'flexed biceps'], ['❤️', 'red heart'], ['💔', 'broken heart'], ['🎉', 'party popper'],
  ['✅', 'check mark'], ['❌', 'cross mark'], ['⚠️', 'warning'], ['❓', 'question mark'], ['❗', 'exclamation mark'],
  ['⭐', 'star'], ['🔥', 'fire'], ['💡', 'light bulb'], ['📦', 'package'], ['🚚', 'delivery truck'],
  ['📧', 'e-mail'], ['📞', 'telephone'], ['💳', 'credit card'], ['🔒', 'locked'], ['⏰', 'alarm clock'],
  ['📎', 'paperclip'], ['🙈', 'see-no-evil monkey'], ['☕', 'hot beverage'],
];

/** Inserts `text` into a textarea at its cursor (replacing the selection) and fires `input`. */
export function insertAtCursor(area, text) {
  const start = area.selectionStart ?? area.value.length;
  const end = area.selectionEnd ?? start;
  area.value = area.value.slice(0, start) + text + area.value.slice(end);
  const at = start + text.length;
  area.setSelectionRange(at, at);
  area.dispatchEvent(new Event('input', { bubbles: true }));
  area.focus();
}

/**
 * A button that opens the picker above it; picking inserts into `area`.
 * `label`: the button's accessible name. Returns the wrapper element.
 */
export function emojiButton(area, label) {
  const panel = h('div', { class: 'emoji-panel', role: 'dialog', 'aria-label': label, hidden: true, 'data-testid': 'emoji-panel' });
  const close = () => { panel.hidden = true; document.removeEventListener('mousedown', outside); };
  const outside = (e) => { if (!wrap.contains(e.target)) close(); };
  panel.append(...EMOJI.map(([e, name]) => h('button', {
    type: 'button', class: 'emoji', title: name, 'aria-label': name,
    onclick: () => { insertAtCursor(area, e); close(); },
  }, e)));
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { close(); area.focus(); } });
  const toggle = h('button', {
    type: 'button', class: 'emoji-toggle', title: label, 'aria-label': label, 'aria-haspopup': 'dialog', 'data-testid': 'emoji',
    onclick: () => {
      if (!panel.hidden) { close(); return; }
      panel.hidden = false;
      document.addEventListener('mousedown', outside);
      panel.querySelector('button')?.focus();
    },
  }, '🙂');
  const wrap = h('span', { class: 'emoji-wrap' }, toggle, panel);
  return wrap;
}
