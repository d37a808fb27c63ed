// Chat API widget loader. Embed with one tag:
//
//   <script src="https://chat.example.com/widget.js" async
//           data-server="https://chat.example.com" data-color="#2563eb"
//           data-title="Chat with us" data-lang="en"></script>
//
// It adds a launcher button and an iframe served by the chat server
// (/widget/frame): the conversation, its token and its socket live in that
// frame, on the chat server's origin, under the server's CSP; the host page
// only sees the button. All options are optional (data-server defaults to
// where this script came from; data-lang to the browser's language).
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__chatApiWidget) return;
  window.__chatApiWidget = true;

  var base;
  try {
    base = new URL(script.getAttribute('data-server') || script.src, location.href);
  } catch (e) {
    return;
  }
  var origin = base.origin;
  var color = script.getAttribute('data-color') || '#2563eb';
  if (!/^#[0-9a-fA-F]{3,8}$/.test(color)) color = '#2563eb';
  var title = script.getAttribute('data-title') || '';
  var lang = script.getAttribute('data-lang') || '';
  var zh = (lang || navigator.language || '').toLowerCase().indexOf('zh') === 0;
  var label = title || (zh ? '在线客服' : 'Chat with us');

  var q = new URLSearchParams();
  q.set('color', color);
  if (title) q.set('title', title);
  if (lang) q.set('lang', lang);

  function css(el, rules) {
    for (var k in rules) el.style.setProperty(k, rules[k]);
  }

  var button = document.createElement('button');
  button.type = 'button';
  button.setAttribute('aria-label', label);
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('data-chat-api', 'launcher');
  // A speech-bubble icon drawn with DOM calls (no markup strings, no font needed).
  var NS = 'http://www.w3.org/2000/svg';
  var icon = document.createElementNS(NS, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('width', '28');
  icon.setAttribute('height', '28');
  icon.setAttribute('aria-hidden', 'true');
  var path = document.createElementNS(NS, 'path');
  path.setAttribute('d', 'M4 4h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H9l-5 4v-4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z');
  path.setAttribute('fill', '#fff');
  icon.appendChild(path);
  button.appendChild(icon);
  css(button, {
    position: 'fixed', right: '20px', bottom: '20px', width: '56px', height: '56px',
    'border-radius': '50%', border: '0', background: color, color: '#fff', padding: '0',
    display: 'flex', 'align-items': 'center', 'justify-content': 'center',
    cursor: 'pointer', 'box-shadow': '0 4px 14px rgba(0,0,0,.25)', 'z-index': '2147483000',
  });

  // The unread badge: replies that arrived while the window was closed
  // (counted by the frame, which follows a conversation still going).
  var badge = document.createElement('span');
  badge.setAttribute('data-chat-api', 'badge');
  badge.setAttribute('aria-live', 'polite');
  css(badge, {
    position: 'absolute', top: '-4px', right: '-4px', 'min-width': '20px', height: '20px',
    padding: '0 5px', 'box-sizing': 'border-box', 'border-radius': '10px', background: '#dc2626',
    color: '#fff', font: 'bold 12px/20px system-ui, sans-serif', 'text-align': 'center', display: 'none',
  });
  button.appendChild(badge);
  function setUnread(n) {
    n = Math.max(0, Math.min(99, Number(n) || 0));
    badge.textContent = n ? String(n) : '';
    badge.style.setProperty('display', n ? 'block' : 'none');
    button.setAttribute('aria-label', n ? label + ' (' + n + ')' : label);
  }

  var frame = null;
  var shown = false;
  function layout() {
    if (!frame) return;
    var phone = window.innerWidth <= 480;
    css(frame, phone
      ? { right: '0', bottom: '0', width: '100%', height: '100%', 'border-radius': '0' }
      : { right: '20px', bottom: '88px', width: '370px', height: 'min(600px, calc(100vh - 110px))', 'border-radius': '12px' });
  }
  // Created hidden at load (`bg=1`), so that a reply waiting for a returning
  // customer shows on the launcher; the frame opens no session for a
  // visitor who never chatted.
  function create(hidden) {
    if (!frame) {
      if (hidden) q.set('bg', '1');
      frame = document.createElement('iframe');
      frame.src = origin + '/widget/frame?' + q.toString();
      frame.title = label;
      frame.setAttribute('data-chat-api', 'frame');
      frame.setAttribute('allow', 'autoplay');
      css(frame, {
        position: 'fixed', border: '0', background: '#fff', 'box-shadow': '0 8px 30px rgba(0,0,0,.25)',
        'z-index': '2147483001',
      });
      if (hidden) frame.style.setProperty('display', 'none');
      document.body.appendChild(frame);
      layout();
    }
  }
  function tell(type) {
    if (frame && frame.contentWindow) frame.contentWindow.postMessage({ type: type }, origin);
  }
  function open() {
    create(false);
    shown = true;
    frame.style.setProperty('display', 'block');
    tell('chat-api:shown');
    setUnread(0);
    button.setAttribute('aria-expanded', 'true');
    if (window.innerWidth <= 480) button.style.setProperty('display', 'none');
  }
  function close() {
    shown = false;
    tell('chat-api:hidden');
    if (frame) frame.style.setProperty('display', 'none');
    button.setAttribute('aria-expanded', 'false');
    button.style.setProperty('display', 'flex');
  }
  button.addEventListener('click', function () {
    if (frame && frame.style.display !== 'none') close(); else open();
  });
  window.addEventListener('message', function (ev) {
    if (ev.origin !== origin || !ev.data) return;
    if (ev.data.type === 'chat-api:close') close();
    else if (ev.data.type === 'chat-api:ready') tell(shown ? 'chat-api:shown' : 'chat-api:hidden');
    else if (ev.data.type === 'chat-api:unread' && !shown) setUnread(ev.data.count);
  });
  window.addEventListener('resize', layout);

  function mountButton() { document.body.appendChild(button); create(true); }
  if (document.body) mountButton(); else document.addEventListener('DOMContentLoaded', mountButton);
  window.ChatApiWidget = { open: open, close: close };
})();
