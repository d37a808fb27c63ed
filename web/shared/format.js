// Message text → DOM nodes: links and a small, safe Markdown subset, the same
// in the widget and the console (customers', agents' and the assistant's
// messages alike).
//
// Safety: the text is never parsed as HTML (no HTML-parsing sink at all): every
// piece becomes a text node or an element built here, so `<script>` shows as
// text. Links are made only from http:, https: and mailto: addresses (checked
// again with the URL parser), open in a new tab and carry
// rel="noopener noreferrer nofollow"; a `javascript:` address stays text.
//
// Supported: **bold**, __bold__, *italic*, _italic_, `inline code`,
// ``` fenced code blocks ```, "- " / "* " bullet lists, "1. " numbered lists,
// line breaks. Anything else is shown as typed.

import { h } from '/shared/dom.js';

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
// Candidate links: a scheme we accept (or www.), up to whitespace or a quote/angle bracket.
const LINK = /\b(?:https?:\/\/|mailto:|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?]+$/;

/**
 * The URL a link may point to, or null: only http(s) and mailto survive,
 * whatever the text looked like.
 */
export function safeHref(raw) {
  const candidate = /^www\./i.test(raw) ? `https://${raw}` : raw;
  try {
    const u = new URL(candidate);
    if (!SAFE_SCHEMES.has(u.protocol)) return null;
    if (u.protocol !== 'mailto:' && !u.hostname) return null;
    return u.href;
  } catch {
    return null;
  }
}

function link(href, text) {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }, text);
}

/** Plain text with its addresses turned into links. */
function linkify(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    let url = m[0];
    // Sentence punctuation and an unbalanced closing parenthesis belong to the text.
    const trail = TRAILING.exec(url);
    if (trail) url = url.slice(0, -trail[0].length);
    while (url.endsWith(')') && (url.split('(').length < url.split(')').length)) url = url.slice(0, -1);
    const href = safeHref(url);
    if (!href) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(link(href, url));
    last = m.index + url.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// Emphasis: bold before italic; the markers must hug the words
// ("2 * 3 * 4" stays arithmetic) and underscores must not sit inside a word
// (snake_case_names stay as typed).
const EMPHASIS = /(\*\*|__)(?=\S)([\s\S]+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])/;

function emphasis(text) {
  const out = [];
  let rest = text;
  while (rest) {
    const m = EMPHASIS.exec(rest);
    if (!m) { out.push(...linkify(rest)); break; }
    if (m.index > 0) out.push(...linkify(rest.slice(0, m.index)));
    if (m[2] !== undefined) out.push(h('strong', {}, emphasis(m[2])));
    else out.push(h('em', {}, emphasis(m[3] ?? m[4])));
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

/** One line's inline formatting: code spans first (their content is literal). */
function inline(text) {
  const out = [];
  const parts = text.split(/(`[^`\n]+`)/);
  for (const p of parts) {
    if (!p) continue;
    if (p.length > 2 && p.startsWith('`') && p.endsWith('`')) out.push(h('code', {}, p.slice(1, -1)));
    else out.push(...emphasis(p));
  }
  return out;
}

const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,4})[.)]\s+(.*)$/;

/**
 * Renders `text` as an array of nodes (paragraph lines separated by <br>,
 * lists, code blocks), to append to a message bubble.
 */
export function formatText(text) {
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
  const out = [];
  let para = [];
  const flush = () => {
    if (!para.length) return;
    const nodes = [];
    para.forEach((l, i) => { if (i) nodes.push(h('br')); nodes.push(...inline(l)); });
    out.push(h('p', { class: 'fmt-p' }, nodes));
    para = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      // A fenced block runs to the closing fence (or the end of the message).
      flush();
      const code = [];
      i += 1;
      while (i < lines.length && !/^\s*```\s*$/.test(lines[i])) { code.push(lines[i]); i += 1; }
      out.push(h('pre', { class: 'fmt-pre' }, h('code', {}, code.join('\n'))));
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = !bullet && NUMBERED.exec(line);
    if (bullet || numbered) {
      flush();
      const ordered = Boolean(numbered);
      const items = [];
      const start = numbered ? Number(numbered[1]) : 1;
      while (i < lines.length) {
        const m = ordered ? NUMBERED.exec(lines[i]) : BULLET.exec(lines[i]);
        if (!m) break;
        items.push(h('li', {}, inline(ordered ? m[2] : m[1])));
        i += 1;
      }
      i -= 1;
      out.push(ordered
        ? h('ol', { class: 'fmt-list', start: start === 1 ? null : start }, items)
        : h('ul', { class: 'fmt-list' }, items));
      continue;
    }
    if (line.trim() === '') { flush(); continue; }
    para.push(line);
  }
  flush();
  return out;
}

/** A message body element (`div.body`) holding the formatted text. */
export function formatted(text, attrs = {}) {
  return h('div', { class: 'fmt', ...attrs }, formatText(text));
}
