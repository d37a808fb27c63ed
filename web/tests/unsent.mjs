// Browser tests of messages that cannot be sent: a socket that never gets
// through (here a "proxy" that accepts the upgrade and forwards nothing,
// through Playwright's WebSocket routing, in front of the real server) turns
// a typed message from "sending…" to "not sent" with a retry; once the way
// is clear, the retry delivers it, in order and exactly once. Run by main.mjs
// with the console scenarios (same `t`).

import assert from 'node:assert/strict';
import { staff, consolePage, customerAsking, item } from './console.mjs';

// SEND_TIMEOUT_MS (web/shared/socket.js) is 10 s: "not sent" well within this.
const FAIL_WAIT = 25000;

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

  t.step('the way is clear; one retry delivers both, in order, and they are no longer pending');
  way.unblock();
  await w.getByTestId('retry').first().click();
  const first = w.locator('.msg.customer:not(.pending)').filter({ hasText: 'first while blocked' });
  const second = w.locator('.msg.customer:not(.pending)').filter({ hasText: 'second while blocked' });
  await first.waitFor({ timeout: t.T });
  await second.waitFor({ timeout: t.T });
  assert.equal(await pending.count(), 0, 'no failed state left');
  const a = Number(await first.getAttribute('data-seq'));
  const b = Number(await second.getAttribute('data-seq'));
  assert.ok(a < b, `typed order kept (seq ${a} < ${b})`);

  t.step('stored exactly once each (the history after a reload, from the server)');
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
  await w.locator('.msg.customer:not(.pending)').filter({ hasText: '你好' }).waitFor({ timeout: 45000 });
  assert.equal(await w.locator('.msg.pending').count(), 0, 'no failed copy left');
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

  t.step('the agent\'s socket drops and cannot come back: the reply shows "sending…", then "not sent"');
  way.block();
  await a.getByTestId('connection').filter({ hasText: /reconnect/i }).waitFor({ timeout: t.T });
  await a.getByTestId('reply').fill('Yes, I am here.');
  await a.getByTestId('reply').press('Enter');
  const mine = a.getByTestId('pending').filter({ hasText: 'Yes, I am here.' });
  await mine.filter({ hasText: 'sending…' }).waitFor({ timeout: t.T });
  await mine.filter({ hasText: 'not sent: no connection' }).waitFor({ timeout: FAIL_WAIT });

  t.step('retry once the way is clear: delivered once, the pending copy gone');
  way.unblock();
  await mine.getByTestId('retry').click();
  await a.getByTestId('msg-agent').filter({ hasText: 'Yes, I am here.' }).waitFor({ timeout: t.T });
  assert.equal(await a.getByTestId('pending').count(), 0, 'no pending copy left');
  await customer.w.locator('.msg.agent').filter({ hasText: 'Yes, I am here.' }).waitFor({ timeout: t.T });
  const stored = await t.rest(`/api/v1/conversations/${customer.id}/messages?limit=100`, { token: t.adminToken });
  assert.equal(stored.status, 200, stored.text);
  assert.equal(stored.json.items.filter((m) => m.body === 'Yes, I am here.').length, 1, 'stored exactly once');
  await agent.ctx.close();
  await customer.ctx.close();
}

export const unsentScenarios = [
  ['widget: a message the socket cannot carry fails, and a retry delivers it once, in order', widgetRetry],
  ['widget: "not sent" and "retry" in Chinese; a late ack clears it', widgetChinese],
  ['console: a reply while disconnected fails, and a retry delivers it once', consoleRetry],
];
