// Browser tests of messages that cannot be sent: a socket that never gets
// through (here a "proxy" that accepts the upgrade and forwards nothing,
// through Playwright's WebSocket routing, in front of the real server) turns
// a typed message from "sending…" to "not sent" with a retry; once the way
// is clear, it is delivered in order and exactly once, by the retry or by the
// page's own reconnect, whichever comes first (both are the product working:
// the test taps "retry" only if it is still there). What the server stored
// is read back through the staff API. Run by main.mjs with the console
// scenarios (same `t`).

import assert from 'node:assert/strict';
import { staff, consolePage, customerAsking, item } from './console.mjs';

// SEND_TIMEOUT_MS (web/shared/socket.js) is 10 s: "not sent" well within this.
const FAIL_WAIT = 25000;
// One click attempt on a retry button: one that is there and enabled takes
// well under a second; a click on one that the reconnect removed waits this
// long for it to come back before it fails.
const RETRY_CLICK = 5000;

/**
 * Taps `retry` unless the page delivered the failed messages first. Once the
 * way is clear, the socket's backoff may reconnect by itself, and the
 * `welcome` resends the failed messages: their retry buttons leave the DOM,
 * possibly between the locator's match and the click. A click that fails
 * while no retry button is left is that path, not a failure; while one is
 * still there, the click is tried again (a re-render may have replaced it),
 * for `t.T` in all. The caller then waits for the delivered state either
 * way. Returns which path it was, for the log.
 */
async function retryIfStillThere(t, retry) {
  const until = Date.now() + t.T;
  for (;;) {
    if ((await retry.count()) === 0) return 'the reconnect (no retry left to tap)';
    try {
      await retry.click({ timeout: RETRY_CLICK });
      return 'the retry (tapped)';
    } catch (e) {
      if ((await retry.count()) === 0) return `the reconnect (the retry left under the click: ${e.message.split('\n')[0]})`;
      if (Date.now() > until) throw e;
    }
  }
}

/**
 * The bodies among `bodies` that `sender` wrote in conversation `id`, in the
 * server's order (seq), read through the staff API: each must be there
 * exactly once, in the order given.
 */
async function assertStoredOnceInOrder(t, id, sender, bodies) {
  const history = await t.rest(`/api/v1/conversations/${id}/messages?limit=500`, { token: t.adminToken });
  assert.equal(history.status, 200, history.text);
  const stored = history.json.items
    .filter((m) => m.sender_kind === sender && bodies.includes(m.body))
    .sort((a, b) => a.seq - b.seq)
    .map((m) => m.body);
  assert.deepEqual(stored, bodies, `stored once each, in typed order (server history: ${JSON.stringify(stored)})`);
}

/** The one conversation where a customer wrote `body` (found by the staff search). */
async function conversationWith(t, body) {
  const found = await t.rest(`/api/v1/conversations?q=${encodeURIComponent(body)}&limit=100`, { token: t.adminToken });
  assert.equal(found.status, 200, found.text);
  const ids = [];
  for (const c of found.json.items) {
    const history = await t.rest(`/api/v1/conversations/${c.id}/messages?limit=500`, { token: t.adminToken });
    assert.equal(history.status, 200, history.text);
    if (history.json.items.some((m) => m.sender_kind === 'customer' && m.body === body)) ids.push(c.id);
  }
  assert.equal(ids.length, 1, `one conversation with the customer's "${body}": ${ids.join(', ')}`);
  return ids[0];
}

/**
 * Routes the context's sockets through a switch: `block()` drops the
 * connections open now and swallows the next ones (open, silent, never
 * reaching the server); `unblock()` lets new ones through to the server.
 */
async function proxy(ctx) {
  let blocked = false;
  const live = new Set();
  await ctx.routeWebSocket(/\/ws$/, (ws) => {
    if (blocked) return; // accepted, never forwarded: no `welcome` comes
    const server = ws.connectToServer();
    const pair = { ws, server };
    live.add(pair);
    ws.onClose(() => live.delete(pair));
  });
  return {
    block() {
      blocked = true;
      for (const p of live) { p.server.close(); p.ws.close({ code: 1011, reason: 'proxy down' }); }
      live.clear();
    },
    unblock() { blocked = false; },
  };
}

async function widgetRetry(browser, t) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  const way = await proxy(ctx);
  way.block(); // from the start: the socket never opens
  const page = await ctx.newPage();
  t.watch(page, 'customer (unsent)');
  await page.goto(`${t.base}/`);
  await page.locator('[data-chat-api=launcher]').click();
  const w = page.frameLocator('iframe[data-chat-api=frame]');

  t.step('typed while the socket never opens: "sending…", then "not sent" with a retry, in order');
  await w.getByRole('textbox').fill('first while blocked');
  await w.getByRole('textbox').press('Enter');
  await w.getByRole('textbox').fill('second while blocked');
  await w.getByRole('textbox').press('Enter');
  const pending = w.locator('.msg.pending');
  await pending.filter({ hasText: 'sending…' }).nth(1).waitFor({ timeout: t.T });
  await w.locator('.msg.pending.failed').nth(1).waitFor({ timeout: FAIL_WAIT });
  const texts = await pending.allTextContents();
  assert.equal(texts.length, 2, texts.join(' | '));
  assert.match(texts[0], /first while blocked.*not sent: no connection/s);
  assert.match(texts[1], /second while blocked.*not sent: no connection/s);
  assert.equal(await w.getByTestId('retry').count(), 2, 'each failed message offers a retry');
  assert.equal(await w.locator('.msg.customer:not(.pending)').count(), 0, 'nothing was delivered');
  await t.shot(page, 'widget-not-sent.png');

  t.step('the way is clear; one retry (or the reconnect) delivers both, in order, and they are no longer pending');
  way.unblock();
  console.log(`  delivered by ${await retryIfStillThere(t, w.getByTestId('retry').first())}`);
  // `.first()`: a copy delivered twice must fail the counts below, not a wait.
  const first = w.locator('.msg.customer:not(.pending)').filter({ hasText: 'first while blocked' });
  const second = w.locator('.msg.customer:not(.pending)').filter({ hasText: 'second while blocked' });
  await first.first().waitFor({ timeout: t.T });
  await second.first().waitFor({ timeout: t.T });
  assert.equal(await pending.count(), 0, 'no failed state left');

  t.step('stored exactly once each, in order (the staff API; the page; the history after a reload)');
  await assertStoredOnceInOrder(t, await conversationWith(t, 'first while blocked'), 'customer',
    ['first while blocked', 'second while blocked']);
  assert.equal(await first.count(), 1, 'the first shown once');
  assert.equal(await second.count(), 1, 'the second shown once');
  const a = Number(await first.getAttribute('data-seq'));
  const b = Number(await second.getAttribute('data-seq'));
  assert.ok(a < b, `typed order kept (seq ${a} < ${b})`);
  await page.reload();
  await page.locator('[data-chat-api=launcher]').click();
  await w.locator('.msg.customer').filter({ hasText: 'second while blocked' }).waitFor({ timeout: t.T });
  assert.equal(await w.locator('.msg.customer').filter({ hasText: 'first while blocked' }).count(), 1);
  assert.equal(await w.locator('.msg.customer').filter({ hasText: 'second while blocked' }).count(), 1);
  await ctx.close();
}

async function widgetChinese(browser, t) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const way = await proxy(ctx);
  way.block();
  const page = await ctx.newPage();
  t.watch(page, 'customer (unsent, zh)');
  await page.goto(`${t.base}/`);
  await page.locator('[data-chat-api=launcher]').click();
  const w = page.frameLocator('iframe[data-chat-api=frame]');
  await w.getByRole('textbox').fill('你好');
  await w.getByRole('textbox').press('Enter');
  await w.locator('.msg.pending').filter({ hasText: '发送中…' }).waitFor({ timeout: t.T });
  await w.locator('.msg.pending.failed').filter({ hasText: '发送失败: 网络未连接' }).waitFor({ timeout: FAIL_WAIT });
  await w.getByTestId('retry').filter({ hasText: '重试' }).waitFor({ timeout: t.T });

  t.step('no retry tapped: the socket comes back by itself, and the late ack clears "not sent"');
  way.unblock();
  // The silent attempt in progress is dropped after 10 s without `welcome`,
  // then the next one (backoff) gets through.
  await w.locator('.msg.customer:not(.pending)').filter({ hasText: '你好' }).first().waitFor({ timeout: 45000 });
  assert.equal(await w.locator('.msg.pending').count(), 0, 'no failed copy left');
  await assertStoredOnceInOrder(t, await conversationWith(t, '你好'), 'customer', ['你好']);
  assert.equal(await w.locator('.msg.customer').filter({ hasText: '你好' }).count(), 1, 'shown once');
  await ctx.close();
}

async function consoleRetry(browser, t) {
  const who = await staff(t, 'Hal');
  let way = null;
  const agent = await consolePage(browser, t, who, {}, async (ctx) => { way = await proxy(ctx); });
  const customer = await customerAsking(browser, t, 'I need help with a refund');
  const a = agent.page;
  await item(a, customer.id).click();
  await a.getByTestId('accept').click();
  await a.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });

  t.step('the agent\'s socket drops and cannot come back: the replies show "sending…", then "not sent"');
  way.block();
  await a.getByTestId('connection').filter({ hasText: /reconnect/i }).waitFor({ timeout: t.T });
  const replies = ['Yes, I am here.', 'Let me look at the refund.'];
  for (const text of replies) {
    await a.getByTestId('reply').fill(text);
    await a.getByTestId('reply').press('Enter');
    await a.getByTestId('pending').filter({ hasText: text }).filter({ hasText: 'sending…' }).waitFor({ timeout: t.T });
  }
  for (const text of replies) {
    await a.getByTestId('pending').filter({ hasText: text }).filter({ hasText: 'not sent: no connection' })
      .waitFor({ timeout: FAIL_WAIT });
  }

  t.step('the way is clear: a retry (or the reconnect) delivers each once, in order, the pending copies gone');
  way.unblock();
  console.log(`  delivered by ${await retryIfStillThere(t, a.getByTestId('pending').getByTestId('retry').first())}`);
  for (const text of replies) {
    // `.first()`: a copy delivered twice must fail the counts below, not a wait.
    await a.getByTestId('msg-agent').filter({ hasText: text }).first().waitFor({ timeout: t.T });
    await customer.w.locator('.msg.agent').filter({ hasText: text }).first().waitFor({ timeout: t.T });
  }
  assert.equal(await a.getByTestId('pending').count(), 0, 'no pending copy left');
  await assertStoredOnceInOrder(t, customer.id, 'agent', replies);
  for (const text of replies) {
    assert.equal(await a.getByTestId('msg-agent').filter({ hasText: text }).count(), 1, `"${text}" shown once (console)`);
    assert.equal(await customer.w.locator('.msg.agent').filter({ hasText: text }).count(), 1, `"${text}" shown once (widget)`);
  }
  await agent.ctx.close();
  await customer.ctx.close();
}

// Each name says "unsent": ONLY_CONSOLE=unsent runs these three alone.
export const unsentScenarios = [
  ['widget (unsent): a message the socket cannot carry fails, and a retry or the reconnect delivers it once, in order', widgetRetry],
  ['widget (unsent): "not sent" and "retry" in Chinese; a late ack clears it', widgetChinese],
  ['console (unsent): replies while disconnected fail, and a retry or the reconnect delivers each once, in order', consoleRetry],
];
