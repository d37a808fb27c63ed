// Browser tests of the pre-chat form (an admin sets it up in the console; a
// required e-mail blocks the widget until it is filled; the agent sees the
// answers) and of read receipts on both sides (live, and after a reload).
// Run by main.mjs with the console scenarios (same `t`).

import assert from 'node:assert/strict';
import { staff, consolePage, customerAsking, item } from './console.mjs';

const visit = (page, hash) => page.evaluate((x) => { location.hash = x; }, hash);

/** A customer who opens the widget on the demo page: {ctx, page, w}. */
async function visitor(browser, t, label) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  const page = await ctx.newPage();
  t.watch(page, label);
  await page.goto(`${t.base}/`);
  await page.locator('[data-chat-api=launcher]').click();
  const w = page.frameLocator('iframe[data-chat-api=frame]');
  await w.getByTestId('status').filter({ hasText: 'Online' }).waitFor({ timeout: t.T });
  return { ctx, page, w };
}

async function prechatForm(browser, t) {
  const admin = await consolePage(browser, t, { ...t.ADMIN, display_name: 'Admin' });
  const p = admin.page;
  try {
    t.step('the admin asks for a name (optional), an e-mail (required) and an order number');
    await visit(p, '#/prechat');
    await p.getByTestId('prechat-mode-name').selectOption('optional');
    await p.getByTestId('prechat-mode-email').selectOption('required');
    await p.getByTestId('prechat-mode-custom').selectOption('optional');
    await p.getByTestId('prechat-save').click();
    await p.getByTestId('prechat-status').filter({ hasText: 'custom_label' }).waitFor({ timeout: t.T });
    await p.getByTestId('prechat-label').fill('Your order number?');
    await p.getByTestId('prechat-save').click();
    await p.getByTestId('prechat-status').filter({ hasText: 'Saved' }).waitFor({ timeout: t.T });
    await t.shot(p, 'console-prechat-settings.png');
    const stored = await t.rest('/api/v1/settings/prechat', { token: t.adminToken });
    assert.equal(stored.json.email, 'required');

    t.step('the widget shows the form instead of the message box');
    const c = await visitor(browser, t, 'customer (pre-chat form)');
    const w = c.w;
    await w.getByTestId('prechat').waitFor({ timeout: t.T });
    assert.equal(await w.locator('.w-compose').isVisible(), false, 'no message box before the form');
    assert.equal(await w.getByTestId('human').isVisible(), false, 'no "talk to a person" before the form');
    assert.equal(await w.getByTestId('prechat-phone').count(), 0, 'the phone is not asked');
    await w.getByText('Your order number?').waitFor({ timeout: t.T });
    await t.shot(c.page, 'widget-prechat.png');

    t.step('a missing or malformed e-mail is refused by the server, shown under the field');
    await w.getByTestId('prechat-name').fill('Grace');
    await w.getByTestId('prechat-submit').click();
    await w.getByTestId('prechat-error-email').filter({ hasText: 'required' }).waitFor({ timeout: t.T });
    await w.getByTestId('prechat-email').fill('grace@localhost');
    await w.getByTestId('prechat-submit').click();
    await w.getByTestId('prechat-error-email').filter({ hasText: 'name@example.com' }).waitFor({ timeout: t.T });
    assert.equal(await w.locator('.w-compose').isVisible(), false, 'still blocked');
    await t.shot(c.page, 'widget-prechat-error.png');

    t.step('filled in: the message box comes, and the conversation starts');
    await w.getByTestId('prechat-email').fill('grace@example.com');
    await w.getByTestId('prechat-answer').fill('A-2048');
    await w.getByTestId('prechat-submit').click();
    await w.getByTestId('prechat').waitFor({ state: 'hidden', timeout: t.T });
    await w.getByRole('textbox').fill('Where is order A-2048?');
    await w.getByRole('textbox').press('Enter');
    await w.locator('.msg.bot:not(.draft)').first().waitFor({ timeout: t.T });
    await w.getByTestId('human').click();
    await w.getByTestId('queue').waitFor({ timeout: t.T });

    t.step('a reload does not ask again');
    await c.page.reload();
    await c.page.locator('[data-chat-api=launcher]').click();
    await w.locator('.msg.customer').filter({ hasText: 'A-2048' }).waitFor({ timeout: t.T });
    assert.equal(await w.getByTestId('prechat').isVisible(), false);

    t.step('the agent sees the answers in the customer panel');
    const who = await staff(t, 'Hal');
    const agent = await consolePage(browser, t, who);
    const queued = await t.rest('/api/v1/conversations?state=queued&limit=100', { token: t.adminToken });
    const conv = queued.json.items.sort((a, b) => Date.parse(b.queued_at) - Date.parse(a.queued_at))[0];
    await item(agent.page, conv.id).click();
    const panel = agent.page.getByTestId('customer-panel');
    await panel.getByText('grace@example.com').waitFor({ timeout: t.T });
    await panel.getByTestId('prechat-answers').filter({ hasText: 'Your order number? A-2048' }).waitFor({ timeout: t.T });
    await agent.ctx.close();
    await c.ctx.close();
  } finally {
    // The other scenarios' customers must not meet the form.
    const off = await t.rest('/api/v1/settings/prechat', { method: 'PUT', token: t.adminToken, body: {} });
    assert.equal(off.status, 200, off.text);
    await admin.ctx.close();
  }
}

async function readReceipts(browser, t) {
  const who = await staff(t, 'Ivy');
  const agent = await consolePage(browser, t, who);
  const customer = await customerAsking(browser, t, 'Has my parcel shipped?');
  const a = agent.page;
  const w = customer.w;
  assert.equal(await w.getByTestId('read-receipt').count(), 0, 'nobody has read it yet');

  t.step('the agent opens the conversation: the customer sees "Read" under their message');
  await item(a, customer.id).click();
  await a.getByTestId('accept').click();
  await a.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });
  const receipt = w.getByTestId('read-receipt');
  await receipt.waitFor({ timeout: t.T });
  assert.equal(await receipt.textContent(), 'Read');
  const before = await receipt.evaluate((el) => el.previousElementSibling?.textContent || '');
  assert.match(before, /Has my parcel shipped\?/, 'under the customer\'s message');

  t.step('the agent replies; the widget reads it; the console shows the customer\'s position');
  await a.getByTestId('reply').fill('Yes, it left this morning.');
  await a.getByTestId('reply').press('Enter');
  await w.locator('.msg.agent').filter({ hasText: 'left this morning' }).waitFor({ timeout: t.T });
  const seen = a.getByTestId('customer-read');
  await seen.waitFor({ timeout: t.T });
  assert.match(await seen.evaluate((el) => el.previousElementSibling?.textContent || ''), /left this morning/);
  await t.shot(a, 'console-read-receipt.png');

  t.step('a reload agrees on both sides');
  await a.reload();
  await a.getByTestId('customer-read').waitFor({ timeout: t.T });
  await customer.page.reload();
  await customer.page.locator('[data-chat-api=launcher]').click();
  await w.getByTestId('read-receipt').waitFor({ timeout: t.T });
  await t.shot(customer.page, 'widget-read-receipt.png');
  await agent.ctx.close();
  await customer.ctx.close();
}

export const prechatScenarios = [
  ['pre-chat form: configured by an admin, a required e-mail blocks the widget until filled, answers in the customer panel', prechatForm],
  ['read receipts: "Read" in the widget once the agent opens the conversation; the customer\'s position in the console; both after a reload', readReceipts],
];
