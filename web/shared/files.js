// Attachments in the widget and the console: uploading with progress, and
// showing a message of kind `attachment` (an image preview inline, any
// other file as a download button).
//
// Files are served only with the caller's token (GET /api/v1/attachments/{id}
// checks access), so they are fetched with it and shown through blob: URLs
// (the pages' CSP allows `img-src blob:`), cached per attachment so a
// re-render does not download again.

import { h } from '/shared/dom.js';

/** What the server accepts (it checks the bytes; this only narrows the file picker). */
export const ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.txt,.pdf';

/** "12.3 KB" */
export function size(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Uploads `file` into a conversation. `token()` gives the bearer token;
 * `onProgress(fraction)` follows the upload. Resolves with the stored
 * message; rejects with an Error carrying the server's message and `status`.
 * XMLHttpRequest, not fetch: only it reports upload progress.
 */
export function upload({ conversationId, file, token, clientMsgId, onProgress }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/conversations/${encodeURIComponent(conversationId)}/attachments`);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      if (xhr.status === 200 || xhr.status === 201) { resolve(xhr.response); return; }
      const err = new Error(xhr.response?.error?.message || `HTTP ${xhr.status}`);
      err.status = xhr.status;
      reject(err);
    };
    xhr.onerror = () => { const err = new Error('network error'); err.status = 0; reject(err); };
    const form = new FormData();
    if (clientMsgId) form.append('client_msg_id', clientMsgId);
    form.append('file', file, file.name || 'pasted-image.png');
    xhr.send(form);
  });
}

/** Files in a paste or drop event (images pasted from the clipboard included). */
export function filesOf(transfer) {
  if (!transfer) return [];
  const out = [...(transfer.files || [])];
  if (!out.length && transfer.items) {
    for (const it of transfer.items) {
      if (it.kind === 'file') { const f = it.getAsFile(); if (f) out.push(f); }
    }
  }
  return out;
}

const blobs = new Map(); // attachment id -> Promise<blob: URL>

/**
 * The content of a message of kind `attachment`. `fetchBlob(url)` fetches
 * with the caller's credentials and resolves with a Blob. `labels`: {download}.
 */
export function attachmentView(meta, fetchBlob, labels) {
  const url = `/api/v1/attachments/${encodeURIComponent(meta.id)}`;
  const load = () => {
    if (!blobs.has(meta.id)) {
      const p = fetchBlob(url).then((b) => URL.createObjectURL(b));
      p.catch(() => blobs.delete(meta.id)); // a later render tries again
      blobs.set(meta.id, p);
    }
    return blobs.get(meta.id);
  };
  const name = meta.name || 'file';
  if ((meta.content_type || '').startsWith('image/')) {
    // Sized from the metadata so the log does not jump when it loads.
    const w = Math.min(meta.width || 240, 240);
    const ratio = meta.width && meta.height ? meta.height / meta.width : 0.75;
    const img = h('img', {
      class: 'att-img', alt: name, 'data-testid': 'attachment-image',
      width: String(Math.round(w)), height: String(Math.round(w * ratio)),
    });
    load().then((src) => { img.src = src; }).catch(() => { img.alt = `${name} (${labels.failed})`; });
    const open = async () => {
      const src = await load();
      window.open(src, '_blank', 'noopener');
    };
    return h('div', { class: 'att' },
      h('button', { type: 'button', class: 'att-open', title: name, 'aria-label': `${labels.open}: ${name}`, onclick: open }, img),
      h('span', { class: 'att-meta' }, `${name} · ${size(meta.size || 0)}`));
  }
  const save = async (e) => {
    const btn = e.currentTarget;
    btn.disabled = true;
    try {
      const a = h('a', { href: await load(), download: name, hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
    } finally {
      btn.disabled = false;
    }
  };
  return h('div', { class: 'att' },
    h('button', { type: 'button', class: 'att-file', 'data-testid': 'attachment-download', onclick: save },
      h('span', { class: 'att-icon', 'aria-hidden': 'true' }, meta.content_type === 'application/pdf' ? '📄' : '📎'),
      h('span', {}, name),
      h('span', { class: 'att-meta' }, `${size(meta.size || 0)} · ${labels.download}`)));
}

/**
 * An upload still in progress or failed: {file, progress, error}; `retry`
 * and `dismiss` act on it. `labels`: {uploading, failed, retry, dismiss}.
 */
export function pendingUpload(u, labels, retry, dismiss) {
  const pct = Math.round((u.progress || 0) * 100);
  return h('div', { class: `att-pending${u.error ? ' failed' : ''}`, 'data-testid': 'upload' },
    h('span', {}, `${u.file.name || 'image'} · ${size(u.file.size)}`),
    u.error
      ? h('span', { class: 'att-error', role: 'alert' }, `${labels.failed}: ${u.error}`)
      : h('progress', { max: '100', value: String(pct), 'aria-label': labels.uploading }),
    u.error ? h('span', { class: 'att-actions' },
      h('button', { type: 'button', 'data-testid': 'upload-retry', onclick: retry }, labels.retry),
      h('button', { type: 'button', onclick: dismiss }, labels.dismiss)) : null);
}
