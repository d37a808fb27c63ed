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
async function staff(t, name, role = 'agent') {
  people += 1;
  const who = { email: `${name.toLowerCase()}-${people}@example.com`, password: `${name}-browser-pw-1`, display_name: name };
  const r = await t.rest('/api/v1/users', { method: 'POST', token: t.adminToken, body: { ...who, role } });
  assert.equal(r.status, 201, r.text);
  return { ...who, id: r.json.id };
}

/** A console page logged in as `who`. */
async function consolePage(browser, t, who, options = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US', ...options });
  const page = await ctx.newPage();
  t.watch(page, who.display_name || who.email);
  await t.consoleLogin(page, who);
  return { ctx, page };
}

/** A customer in the widget who writes `text` and asks for a person: {ctx, page, w, id}. */
async function customerAsking(browser, t, text) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  const page = await ctx.newPage();
  t.watch(page, `customer "${text}"`);
  await page.goto(`${t.base}/`);
  await page.locator('[data-chat-api=launcher]').click();
  const w = page.frameLocator('iframe[data-chat-api=frame]');
  await w.getByTestId('status').filter({ hasText: 'Online' }).waitFor({ timeout: t.T });
  await w.getByRole('textbox').fill(text);
  await w.getByRole('textbox').press('Enter');
  await w.locator('.msg.bot:not(.draft)').first().waitFor({ timeout: t.T });
  await w.getByTestId('human').click();
  await w.getByTestId('queue').waitFor({ timeout: t.T });
  const queued = await t.rest('/api/v1/conversations?state=queued&limit=100', { token: t.adminToken });
  const newest = queued.json.items.sort((a, b) => Date.parse(b.queued_at) - Date.parse(a.queued_at))[0];
  return { ctx, page, w, id: newest.id };
}

const item = (page, id) => page.locator(`[data-testid=conversation-item][data-id="${id}"]`);
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
  await customer.page.reload();
  await customer.page.locator('[data-chat-api=launcher]').click();
  await w.locator('.msg.agent').filter({ hasText: 'Eve here' }).waitFor({ timeout: t.T });
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

/** The console scenarios, by name, in the order they run. */
export const consoleScenarios = [
  ['tab switch keeps the open conversation live; panel and rating update live', tabSwitchKeepsTheConversationLive],
  ['transfer by name; names kept on both sides; fresh picker; shared canned', transferByName],
  ['phone width: no overlap', phoneWidth],
  ['contrast of the console pages (axe-core)', contrast],
];
