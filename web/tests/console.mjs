// Browser tests of the agent console as a support team uses it: several
// staff members in their own browser contexts and customers in the widget.
// Each scenario creates its own people and conversations, so one failing
// does not hide the others (main.mjs runs them all and reports each).
//
// `t` (from main.mjs): base, rest, watch, step, shot, consoleLogin, T, adminToken.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let people = 0;
/** A new staff account through the API: {id, email, password, display_name}. */
export async function staff(t, name, role = 'agent') {
  people += 1;
  const who = { email: `${name.toLowerCase()}-${people}@example.com`, password: `${name}-browser-pw-1`, display_name: name };
  const r = await t.rest('/api/v1/users', { method: 'POST', token: t.adminToken, body: { ...who, role } });
  assert.equal(r.status, 201, r.text);
  return { ...who, id: r.json.id };
}

/** A console page logged in as `who`; `before(ctx)` prepares the context first. */
export async function consolePage(browser, t, who, options = {}, before = null) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US', ...options });
  if (before) await before(ctx);
  const page = await ctx.newPage();
  t.watch(page, who.display_name || who.email);
  await t.consoleLogin(page, who);
  return { ctx, page };
}

/** A customer in the widget who writes `text` and asks for a person: {ctx, page, w, id}. */
export async function customerAsking(browser, t, text, locale = 'en-US') {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale });
  const page = await ctx.newPage();
  t.watch(page, `customer "${text}"`);
  await page.goto(`${t.base}/`);
  await page.locator('[data-chat-api=launcher]').click();
  const w = page.frameLocator('iframe[data-chat-api=frame]');
  await w.getByTestId('status').filter({ hasText: locale.startsWith('zh') ? '在线' : 'Online' }).waitFor({ timeout: t.T });
  await w.getByRole('textbox').fill(text);
  await w.getByRole('textbox').press('Enter');
  await w.locator('.msg.bot:not(.draft)').first().waitFor({ timeout: t.T });
  await w.getByTestId('human').click();
  await w.getByTestId('queue').waitFor({ timeout: t.T });
  const queued = await t.rest('/api/v1/conversations?state=queued&limit=100', { token: t.adminToken });
  const newest = queued.json.items.sort((a, b) => Date.parse(b.queued_at) - Date.parse(a.queued_at))[0];
  return { ctx, page, w, id: newest.id };
}

export const item = (page, id) => page.locator(`[data-testid=conversation-item][data-id="${id}"]`);
const open = (page, id) => page.evaluate((c) => { location.hash = `#/c/${c}`; }, id);
const QUICK = 6000; // what should be there at once (live updates), shorter than T to fail fast

/**
 * One expectation of a scenario: a failure is recorded (main.mjs reports it
 * and fails the run) and the scenario goes on, so that one run shows every
 * item that is broken, not only the first.
 */
async function expect(t, what, fn) {
  try {
    await fn();
    console.log(`  ok: ${what}`);
  } catch (e) {
    console.error(`  NOT OK: ${what}: ${e.message.split('\n')[0]}`);
    t.failed.push(`${what}: ${e.message}`);
  }
}

async function tabSwitchKeepsTheConversationLive(browser, t) {
  const cleo = await staff(t, 'Cleo');
  const agent = await consolePage(browser, t, cleo);
  const customer = await customerAsking(browser, t, 'I need help with an invoice');
  const a = agent.page;
  await item(a, customer.id).click();
  await a.getByTestId('accept').click();
  await a.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });

  t.step('switching inbox tabs keeps the open conversation live');
  await a.getByTestId('tab-mine').click();
  await item(a, customer.id).waitFor({ timeout: t.T });
  await a.getByTestId('tab-queued').click();
  await customer.w.getByRole('textbox').fill('Still there after the tab switch?');
  await customer.w.getByRole('textbox').press('Enter');
  await expect(t, 'a customer message arrives after a tab switch', () => a.getByTestId('msg-customer').filter({ hasText: 'after the tab switch' }).waitFor({ timeout: QUICK }));
  await a.getByTestId('reply').fill('Yes, live and well.');
  await a.getByTestId('reply').press('Enter');
  await expect(t, 'a reply goes out after a tab switch', () => customer.w.locator('.msg.agent').filter({ hasText: 'live and well' }).waitFor({ timeout: QUICK }));

  t.step('the customer panel lists this conversation as taken (not "queued")');
  const thisOne = a.getByTestId('past').locator('li').filter({ has: a.locator('a.active') });
  await expect(t, 'the panel shows the accepted conversation as human', () => thisOne.filter({ hasText: 'human' }).waitFor({ timeout: QUICK }));

  await a.getByTestId('close').click();
  await expect(t, 'Close works after a tab switch', () => a.getByTestId('conv-state').filter({ hasText: 'closed' }).waitFor({ timeout: QUICK }));
  if (await a.getByTestId('conv-state').filter({ hasText: 'closed' }).count() === 0) {
    // So that the rating can still be tried: close it through the API.
    await t.rest(`/api/v1/conversations/${customer.id}/close`, { method: 'POST', token: t.adminToken });
  }

  t.step('the rating appears in the open console view without a reload');
  const csat = customer.w.getByTestId('csat');
  await csat.getByRole('button', { name: 'Rate 4 out of 5' }).click();
  await csat.getByRole('button', { name: 'Send rating' }).click();
  await customer.w.getByTestId('thanks').waitFor({ timeout: t.T });
  await expect(t, 'the rating shows at once', () => a.getByTestId('csat').filter({ hasText: '★★★★' }).waitFor({ timeout: QUICK }));
  await agent.ctx.close();
  await customer.ctx.close();
}

async function transferByName(browser, t) {
  const admin = await consolePage(browser, t, { ...t.ADMIN, display_name: 'admin' });
  // Created after the admin's console loaded: the picker must still list them.
  const dana = await staff(t, 'Dana');
  const eve = await staff(t, 'Eve');
  const d = await consolePage(browser, t, dana);
  const e = await consolePage(browser, t, eve);
  const customer = await customerAsking(browser, t, 'Where is my parcel?');
  await item(d.page, customer.id).click();
  await d.page.getByTestId('accept').click();
  await d.page.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });
  await d.page.getByTestId('reply').fill('Dana here, checking your parcel.');
  await d.page.getByTestId('reply').press('Enter');
  await customer.w.locator('.msg.agent').filter({ hasText: 'Dana here' }).waitFor({ timeout: t.T });

  t.step("the admin's transfer picker lists people created after the page loaded");
  await open(admin.page, customer.id);
  await admin.page.getByTestId('transfer').click();
  await expect(t, "the admin's picker lists a colleague created after the page loaded", async () => {
    await admin.page.getByTestId('picker-option').filter({ hasText: 'Eve' }).waitFor({ timeout: QUICK });
    await admin.page.getByTestId('picker').getByRole('button', { name: 'Cancel' }).click();
  });

  t.step('the canned responses page says a shared response is shared');
  await admin.page.goto(`${t.base}/console#/canned`);
  await expect(t, 'a shared canned response shows "Shared: yes"', () => admin.page.getByTestId('page-canned').getByRole('row').filter({ hasText: '/shipping' })
    .getByRole('cell', { name: 'yes', exact: true }).waitFor({ timeout: QUICK }));
  await admin.ctx.close();

  t.step('Dana transfers to Eve by typing her name; presence and load are shown');
  await d.page.getByTestId('transfer').click();
  await d.page.getByTestId('picker-search').fill('ev');
  const option = d.page.getByTestId('picker-option').filter({ hasText: 'Eve' });
  await option.filter({ hasText: 'online' }).waitFor({ timeout: QUICK });
  assert.equal(await d.page.getByTestId('picker-option').filter({ hasText: 'Dana' }).count(), 0, 'the search filters by name; not oneself');
  await t.shot(d.page, 'transfer-picker.png');
  await option.click();
  await d.page.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });
  await d.page.getByTestId('conv-assignee').filter({ hasText: 'Eve' }).waitFor({ timeout: QUICK });

  t.step('Eve sees it, with Dana\'s reply under Dana\'s name, and answers');
  await e.page.getByTestId('tab-mine').click();
  await item(e.page, customer.id).click();
  await expect(t, "Eve's console shows Dana's reply under Dana's name", () => e.page.getByTestId('msg-agent').filter({ hasText: 'Dana here' }).locator('.who')
    .filter({ hasText: 'Dana' }).waitFor({ timeout: QUICK }));
  await e.page.getByTestId('reply').fill('Eve here, it ships today.');
  await e.page.getByTestId('reply').press('Enter');

  t.step('the widget keeps each reply under its own sender');
  const w = customer.w;
  await w.locator('.msg.agent').filter({ hasText: 'Eve here' }).locator('.who').filter({ hasText: 'Eve' }).waitFor({ timeout: QUICK });
  await expect(t, "the widget keeps Dana's name on her earlier reply", async () => {
    const who = await w.locator('.msg.agent').filter({ hasText: 'Dana here' }).locator('.who').textContent();
    assert.match(who, /Dana/, `shows "${who}"`);
  });
  // The customer opens the window while the reloaded widget is still finding
  // their conversation: its list is held until a second after the click (as
  // on a loaded machine). It must still follow that conversation: a socket
  // started before the list came back resumed nothing, and the history never
  // showed (a flaky CI failure).
  const list = /\/api\/v1\/widget\/conversations(\?.*)?$/;
  let clicked;
  const afterClick = new Promise((ok) => { clicked = ok; });
  await customer.ctx.route(list, async (route) => {
    await afterClick;
    await new Promise((ok) => setTimeout(ok, 1000));
    await route.continue();
  });
  try {
    await customer.page.reload();
    await customer.page.locator('[data-chat-api=launcher]').click();
  } finally {
    clicked();
  }
  await expect(t, 'opened while the widget still loads: the conversation shows', () => w.locator('.msg.agent')
    .filter({ hasText: 'Eve here' }).waitFor({ timeout: t.T }));
  await customer.ctx.unroute(list);
  await expect(t, 'and after a reload', async () => {
    const who = await w.locator('.msg.agent').filter({ hasText: 'Dana here' }).locator('.who').textContent();
    assert.match(who, /Dana/, `shows "${who}"`);
  });
  await d.ctx.close();
  await e.ctx.close();
  await customer.ctx.close();
}

async function phoneWidth(browser, t) {
  const customer = await customerAsking(browser, t, 'Phone test');
  // The admin: the most links, tabs and buttons.
  const agent = await consolePage(browser, t, { ...t.ADMIN, display_name: 'admin' }, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const a = agent.page;
  await open(a, customer.id);
  await a.getByTestId('accept').click();
  await a.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });
  const boxes = {};
  for (const [k, sel] of [['top', 'header.top'], ['tabs', '.tabs'], ['head', '.conv-head'], ['reply', '[data-testid=reply]']]) {
    boxes[k] = await a.locator(sel).first().boundingBox();
    assert.ok(boxes[k], `${k} is shown`);
  }
  const overlap = (p, q) => p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
  const pairs = [['top', 'tabs'], ['tabs', 'head'], ['top', 'head'], ['head', 'reply']];
  for (const [p, q] of pairs) assert.ok(!overlap(boxes[p], boxes[q]), `${p} and ${q} do not overlap at 390 px: ${JSON.stringify(boxes)}`);
  for (const [k, b] of Object.entries(boxes)) {
    assert.ok(b.x >= 0 && b.x + b.width <= 390.5 && b.y >= 0 && b.y + b.height <= 844.5, `${k} fits the screen: ${JSON.stringify(b)}`);
  }
  await t.shot(a, 'console-phone.png');
  await agent.ctx.close();
  await customer.ctx.close();
}

/** axe-core's colour-contrast rule (WCAG AA: 4.5:1) on what `page` shows now. */
async function checkContrast(page, what) {
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(async () => globalThis.axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] } }));
  const bad = r.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.any.map((x) => x.message).join('; ')}`));
  assert.deepEqual(bad, [], `contrast on ${what}`);
}

async function contrast(browser, t) {
  // bypassCSP: axe is injected as a script, which the pages' CSP refuses.
  const login = await browser.newContext({ bypassCSP: true });
  const lp = await login.newPage();
  await lp.goto(`${t.base}/console`);
  await lp.getByLabel('E-mail').waitFor({ timeout: t.T });
  await checkContrast(lp, 'the login page');
  await login.close();
  const admin = await consolePage(browser, t, { ...t.ADMIN, display_name: 'admin' }, { bypassCSP: true });
  const p = admin.page;
  await p.getByTestId('tab-all').click();
  await p.getByTestId('conversation-item').first().click();
  await p.getByTestId('conv-state').waitFor({ timeout: t.T });
  await p.getByTestId('messages').locator('.msg, .notice').first().waitFor({ timeout: t.T });
  await checkContrast(p, 'the inbox with a conversation open');
  for (const page of ['canned', 'users', 'audit', 'stats']) {
    await p.goto(`${t.base}/console#/${page}`);
    await p.getByTestId(`page-${page}`).locator('table, .cards').first().waitFor({ timeout: t.T });
    await checkContrast(p, `the ${page} page`);
  }
  await admin.ctx.close();
}

/** Replaces the Notification API in a context: granted, and every notification recorded in `window.__notes`. */
async function stubNotifications(ctx) {
  await ctx.addInitScript(() => {
    window.__notes = [];
    class Stub {
      constructor(title, options = {}) { window.__notes.push({ title, body: options.body || '' }); }
      close() {}
    }
    Stub.permission = 'granted';
    Stub.requestPermission = async () => 'granted';
    window.Notification = Stub;
  });
}
const notes = (page) => page.evaluate(() => window.__notes);

async function unreadAndNotifications(browser, t) {
  const gina = await staff(t, 'Gina');
  const one = await consolePage(browser, t, gina, {}, stubNotifications);
  const a = one.page;
  await a.getByTestId('notify').click(); // opt in
  const customer = await customerAsking(browser, t, 'Hello, a question about my order');
  await expect(t, 'a new queued conversation notifies', async () => {
    await a.waitForFunction(() => window.__notes.length > 0, null, { timeout: QUICK });
  });
  await item(a, customer.id).click();
  await a.getByTestId('accept').click();
  await a.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });
  await a.evaluate(() => { location.hash = '#/inbox/mine'; });
  await item(a, customer.id).waitFor({ timeout: t.T });
  const before = (await notes(a)).length;

  t.step('messages in my conversation that is not open: unread count, title, notification');
  for (const text of ['First unread line', 'Second unread line']) {
    await customer.w.getByRole('textbox').fill(text);
    await customer.w.getByRole('textbox').press('Enter');
    await customer.w.locator('.msg.customer:not(.pending)').filter({ hasText: text }).waitFor({ timeout: t.T });
  }
  await expect(t, 'the row counts 2 unread', () => item(a, customer.id).getByTestId('unread').filter({ hasText: '2' }).waitFor({ timeout: QUICK }));
  await expect(t, 'the tab title counts them', async () => {
    const title = await a.title();
    assert.match(title, /^\(2\)/, `${title}; rows: ${await a.getByTestId('inbox').textContent()}`);
  });
  await expect(t, 'a notification names the message', async () => {
    const n = await notes(a);
    assert.ok(n.slice(before).some((x) => x.body.includes('Second unread line')), JSON.stringify(n));
  });

  t.step('inbox rows: a name (not an id), the last message, the waiting time');
  const row = item(a, customer.id);
  await expect(t, 'the row previews the last message', () => row.filter({ hasText: 'Second unread line' }).waitFor({ timeout: QUICK }));
  await expect(t, 'the row shows the waiting time', () => row.getByTestId('waiting').waitFor({ timeout: QUICK }));
  await expect(t, 'the row names the customer, not an id', async () => {
    const name = await row.getByTestId('customer-name').textContent({ timeout: QUICK });
    assert.doesNotMatch(name, /[0-9a-f]{6}/, `shows "${name}"`);
  });
  await t.shot(a, 'console-inbox.png');

  t.step('another device (and a reload) agrees; opening the conversation reads it');
  const two = await consolePage(browser, t, gina);
  await two.page.getByTestId('tab-mine').click();
  await expect(t, 'the other device shows 2 unread', () => item(two.page, customer.id).getByTestId('unread').filter({ hasText: '2' }).waitFor({ timeout: QUICK }));
  await item(a, customer.id).click();
  await a.getByTestId('msg-customer').filter({ hasText: 'Second unread line' }).waitFor({ timeout: t.T });
  await expect(t, 'the open conversation has no unread badge', async () => {
    await a.waitForFunction(() => !document.querySelector('.item.active [data-testid=unread]'), null, { timeout: QUICK });
  });
  await a.waitForTimeout(1200); // the read position is saved after a short delay
  await two.page.reload();
  await two.page.getByTestId('tab-mine').click();
  await item(two.page, customer.id).waitFor({ timeout: t.T });
  await expect(t, 'after a reload the other device shows it read', async () => {
    await two.page.waitForTimeout(500);
    assert.equal(await item(two.page, customer.id).getByTestId('unread').count(), 0);
  });
  await two.ctx.close();

  t.step('a conversation assigned to me notifies; muted, nothing does');
  const other = await customerAsking(browser, t, 'Another question');
  const n0 = (await notes(a)).length;
  const r = await t.rest(`/api/v1/conversations/${other.id}/assign`, { method: 'POST', token: t.adminToken, body: { agent_id: gina.id } });
  assert.equal(r.status, 200, r.text);
  await expect(t, 'an assignment to me notifies', async () => {
    await a.waitForFunction((n) => window.__notes.length > n && window.__notes.slice(n).some((x) => /assigned|transferred/i.test(x.title + x.body)), n0, { timeout: QUICK });
  });
  await a.getByTestId('mute').click();
  await expect(t, 'the mute toggle says muted', () => a.getByTestId('mute').and(a.locator('[aria-pressed=true]')).waitFor({ timeout: QUICK }));
  const n1 = (await notes(a)).length;
  await other.w.getByRole('textbox').fill('Are you muted?');
  await other.w.getByRole('textbox').press('Enter');
  await expect(t, 'muted: the unread count still moves', () => item(a, other.id).getByTestId('unread').waitFor({ timeout: QUICK }).catch(async () => {
    await a.getByTestId('tab-mine').click();
    await item(a, other.id).getByTestId('unread').waitFor({ timeout: QUICK });
  }));
  assert.equal((await notes(a)).length, n1, 'muted: no notification');
  await one.ctx.close();
  await customer.ctx.close();
  await other.ctx.close();
}

async function searchAndFilters(browser, t) {
  const hana = await staff(t, 'Hana');
  const agent = await consolePage(browser, t, hana);
  const a = agent.page;
  const customer = await customerAsking(browser, t, 'zebra-crossing parcel missing');
  await item(a, customer.id).click();
  await a.getByTestId('accept').click();
  await a.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });
  let r = await t.rest(`/api/v1/conversations/${customer.id}/labels`, { method: 'PUT', token: t.adminToken, body: { labels: ['fragile'] } });
  assert.equal(r.status, 200, r.text);
  r = await t.rest(`/api/v1/conversations/${customer.id}/close`, { method: 'POST', token: t.adminToken });
  assert.equal(r.status, 200, r.text);
  await customer.ctx.close();
  await a.evaluate(() => { location.hash = '#/inbox'; });

  t.step('an agent finds their closed conversation by text, then by label, then by date');
  const search = async (fields) => {
    for (const [k, v] of Object.entries(fields)) {
      const el = a.getByTestId(`search-${k}`);
      if (k === 'state' || k === 'assignee') await el.selectOption(v); else await el.fill(v);
    }
    await a.getByTestId('search-go').click();
  };
  await expect(t, 'search by text reaches the closed conversation', async () => {
    await a.getByTestId('tab-search').click();
    await search({ q: 'zebra-crossing', state: 'closed' });
    await item(a, customer.id).click({ timeout: QUICK });
    await a.getByTestId('conv-state').filter({ hasText: 'closed' }).waitFor({ timeout: QUICK });
    await a.getByTestId('msg-customer').filter({ hasText: 'zebra-crossing' }).waitFor({ timeout: QUICK });
  });
  await expect(t, 'the label filter finds it', async () => {
    await search({ q: '', label: 'fragile', state: 'closed' });
    await item(a, customer.id).waitFor({ timeout: QUICK });
  });
  const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
  await expect(t, 'a date range after it leaves it out; one around it finds it', async () => {
    await search({ from: day(1), to: '' });
    await a.getByTestId('search-empty').waitFor({ timeout: QUICK });
    await search({ from: day(-1), to: day(1) });
    await item(a, customer.id).waitFor({ timeout: QUICK });
  });
  await agent.ctx.close();

  t.step('a supervisor pages through every conversation with the cursor');
  // A small page, so that a few conversations take several.
  const admin = await consolePage(browser, t, { ...t.ADMIN, display_name: 'admin' }, {},
    (ctx) => ctx.addInitScript(() => sessionStorage.setItem('chat-api.console.page-size', '3')));
  const p = admin.page;
  const all = await t.rest('/api/v1/conversations?state=closed&limit=200', { token: t.adminToken });
  const total = all.json.items.length;
  await expect(t, 'search pages with "More"', async () => {
    await p.getByTestId('tab-search').click();
    await p.getByTestId('search-state').selectOption('closed');
    await p.getByTestId('search-assignee').selectOption({ label: 'Anyone' });
    await p.getByTestId('search-go').click();
    await p.getByTestId('conversation-item').first().waitFor({ timeout: QUICK });
    const first = await p.getByTestId('conversation-item').count();
    assert.equal(first, Math.min(total, 3), `first page (${total} closed in all)`);
    if (total > 3) {
      await p.getByTestId('search-more').click();
      await p.getByTestId('conversation-item').nth(Math.min(total, 6) - 1).waitFor({ timeout: QUICK });
    }
  });
  await t.shot(p, 'console-search.png');
  await admin.ctx.close();
}

async function chineseAndShortcuts(browser, t) {
  const ivy = await staff(t, 'Ivy');
  const customer = await customerAsking(browser, t, 'Keyboard test', 'zh-CN');
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  t.watch(page, 'Ivy (zh)');
  await page.goto(`${t.base}/console`);
  await expect(t, 'the login form follows the browser language', () => page.getByRole('button', { name: '登录' }).waitFor({ timeout: QUICK }));
  await page.getByLabel('邮箱').fill(ivy.email);
  await page.getByLabel('密码').fill(ivy.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('connection').filter({ hasText: '已连接' }).waitFor({ timeout: t.T });
  await expect(t, 'the console is in Chinese', async () => {
    await page.getByTestId('tab-queued').filter({ hasText: '排队中' }).waitFor({ timeout: QUICK });
    await page.getByRole('link', { name: '会话' }).waitFor({ timeout: QUICK });
  });

  t.step('keyboard: j opens the first conversation, a accepts, r focuses the reply, Shift+C closes, ? shows the help');
  await page.locator('body').click({ position: { x: 700, y: 400 } });
  await page.keyboard.press('j');
  await expect(t, 'j opens the next conversation', () => page.getByTestId('conv-state').waitFor({ timeout: QUICK }));
  await item(page, customer.id).waitFor({ timeout: t.T });
  await open(page, customer.id);
  await page.getByTestId('accept').waitFor({ timeout: t.T });
  await page.keyboard.press('a');
  await expect(t, 'a accepts', () => page.locator('[data-testid=conv-state][data-state=human]').waitFor({ timeout: QUICK }));
  await expect(t, 'the notice is in Chinese in the console and in the Chinese widget', async () => {
    await page.getByTestId('notice').filter({ hasText: 'Ivy 已加入对话。' }).waitFor({ timeout: QUICK });
    await customer.w.getByTestId('notice').filter({ hasText: 'Ivy 已加入对话。' }).waitFor({ timeout: QUICK });
  });
  await page.keyboard.press('r');
  await expect(t, 'r focuses the reply box', async () => assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'reply'));
  await page.keyboard.type('你好，我来帮您。');
  await page.keyboard.press('Enter');
  await customer.w.locator('.msg.agent').filter({ hasText: '我来帮您' }).waitFor({ timeout: t.T });
  await page.keyboard.press('Escape');
  await page.keyboard.press('?');
  await expect(t, '? shows the shortcuts', () => page.getByTestId('shortcuts').filter({ hasText: '键盘快捷键' }).waitFor({ timeout: QUICK }));
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+C');
  await expect(t, 'Shift+C closes', () => page.locator('[data-testid=conv-state][data-state=closed]').waitFor({ timeout: QUICK }));

  t.step('the switch changes the language');
  await page.getByTestId('lang').selectOption('en');
  await expect(t, 'English after the switch', () => page.getByTestId('tab-queued').filter({ hasText: 'Queued' }).waitFor({ timeout: t.T }));
  await expect(t, 'the notices are in English after the switch, with who closed it', async () => {
    await page.getByTestId('notice').filter({ hasText: 'Ivy joined the conversation.' }).waitFor({ timeout: t.T });
    await page.getByTestId('notice').filter({ hasText: 'Ivy closed the conversation.' }).waitFor({ timeout: QUICK });
  });
  await ctx.close();
  await customer.ctx.close();
}

async function auditReadable(browser, t) {
  // A failed login leaves an entry with a detail (the reason).
  await t.rest('/api/v1/auth/login', { method: 'POST', body: { email: t.ADMIN.email, password: 'not the password' } });
  const admin = await consolePage(browser, t, { ...t.ADMIN, display_name: 'admin' });
  const p = admin.page;
  await p.goto(`${t.base}/console#/audit`);
  const page = p.getByTestId('page-audit');
  await page.getByRole('row').filter({ hasText: 'user.created' }).first().waitFor({ timeout: t.T });
  await expect(t, 'the audit log names people instead of showing ids', async () => {
    const actors = await page.getByTestId('audit-actor').allTextContents();
    assert.ok(actors.includes('Administrator'), actors.join(' | '));
    const cells = await page.locator('td').allTextContents();
    const raw = cells.filter((c) => /[0-9a-f]{8}-[0-9a-f]{4}-/.test(c));
    assert.deepEqual(raw, [], 'no raw UUIDs');
  });
  await expect(t, 'details are readable, not escaped JSON', async () => {
    const details = (await page.getByTestId('audit-detail').allTextContents()).filter(Boolean);
    assert.ok(details.length > 0, 'some entries have details');
    for (const d of details) assert.doesNotMatch(d, /[{}"\\]/, d);
  });
  await admin.ctx.close();
}

/** The console scenarios, by name, in the order they run. */
export const consoleScenarios = [
  ['tab switch keeps the open conversation live; panel and rating update live', tabSwitchKeepsTheConversationLive],
  ['transfer by name; names kept on both sides; fresh picker; shared canned', transferByName],
  ['unread counts across two devices and a reload; notifications; mute; inbox rows', unreadAndNotifications],
  ['search and filters reach a closed conversation; cursor paging', searchAndFilters],
  ['the console in Chinese; keyboard shortcuts', chineseAndShortcuts],
  ['audit log with names and readable details', auditReadable],
  ['phone width: no overlap', phoneWidth],
  ['contrast of the console pages (axe-core)', contrast],
];
