// REST client of the console: bearer token from the login, refreshed once on
// a 401. Tokens are kept in sessionStorage (this tab only), never in URLs.

const KEY = 'chat-api.console';

/** The current login: {access_token, refresh_token, user}, or null. */
export function session() {
  try { return JSON.parse(sessionStorage.getItem(KEY)); } catch { return null; }
}

function save(s) {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

/** An API error: `code`, `status`, `field` from the one error shape. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code || 'http';
    this.field = body?.error?.field || null;
  }
}

export async function login(email, password) {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  save({ access_token: body.access_token, refresh_token: body.refresh_token, user: body.user });
  return body.user;
}

let refreshing = null;
/** Trades the refresh token for a new pair (single use: one at a time). */
export function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      const s = session();
      if (!s) throw new ApiError(401, null);
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: s.refresh_token }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        // The login is over (expired, revoked, account deactivated): the app shows the login form.
        save(null);
        window.dispatchEvent(new Event('chat-api:logged-out'));
        throw new ApiError(res.status, body);
      }
      save({ ...s, access_token: body.access_token, refresh_token: body.refresh_token });
      return body.access_token;
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

export async function logout() {
  const s = session();
  save(null);
  if (s) {
    await fetch('/api/v1/auth/logout', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: s.refresh_token }),
    }).catch(() => {});
  }
}

/** Calls the API; `body` is sent as JSON. Resolves with the JSON answer (null for 204). */
export async function api(path, { method = 'GET', body, raw = false } = {}, retried = false) {
  const s = session();
  const headers = { authorization: `Bearer ${s?.access_token || ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && !retried && s) {
    await refresh();
    return api(path, { method, body, raw }, true);
  }
  if (raw && res.ok) return res;
  if (res.status === 204) return null;
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}
