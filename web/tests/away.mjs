// Browser test of availability: outside business hours (set through the
// API so that now is closed) a customer leaves a message with an e-mail
// address; "the next day" (hours reopened through the API) an agent answers
// it; the customer, back with the window closed, sees the unread badge on
// the launcher and the reply on opening. Run by main.mjs with the console
// scenarios (same `t`).

import assert from 'node:assert/strict';
import { staff, consolePage, item } from './console.mjs';

/** Business hours closed now: one hour a day, starting two hours from now (UTC). */
function closedNow() {
  const open = (new Date().getUTCHours() + 2) % 24;
  const hh = (n) => `${String(n).padStart(2, '0')}:00`;
  return {
    enabled: true,
    time_zone: 'UTC',
    days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, open: hh(open), close: hh(open + 1) })),
  };
}

async function putHours(t, body) {
  const r = await t.rest('/api/v1/business-hours', { method: 'PUT', token: t.adminToken, body });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function leaveAMessage(browser, t) {
  t.step('the admin sets business hours that are closed now');
  await putHours(t, closedNow());
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  const page = await ctx.newPage();
  t.watch(page, 'customer (away)');
  try {
    await page.goto(`${t.base}/`);
    const launcher = page.locator('[data-chat-api=launcher]');
    const badge = page.locator('[data-chat-api=badge]');
    await launcher.click();
    const w = page.frameLocator('iframe[data-chat-api=frame]');
    await w.getByTestId('status').filter({ hasText: 'Online' }).waitFor({ timeout: t.T });
    await w.getByTestId('availability').filter({ hasText: /We're away\. We're back \w+day/ }).waitFor({ timeout: t.T });
    // While away, the greeting no longer promises a person "one click away".
    await w.getByTestId('greeting').filter({ hasText: 'Our team is away right now' }).waitFor({ timeout: t.T });

    t.step('asking for a person offers to leave a message; a wrong address is refused by the server');
    await w.getByTestId('human').click();
    await w.getByTestId('queue').waitFor({ timeout: t.T });
    await w.getByTestId('leave-form').waitFor({ timeout: t.T });
    await w.getByTestId('leave-email').fill('mia at example');
    await w.getByTestId('leave-text').fill('My parcel never came. Order 1234.');
    await w.getByTestId('leave-send').click();
    await w.getByTestId('leave-error').filter({ hasText: 'must be an address like name@example.com' }).waitFor({ timeout: t.T });
    await w.getByTestId('leave-email').fill('Mia@Example.com');
    await t.shot(page, 'widget-away.png');
    await w.getByTestId('leave-send').click();
    await w.getByTestId('leave-done').waitFor({ timeout: t.T });
    await w.locator('.msg.customer:not(.pending)').filter({ hasText: 'My parcel never came' }).waitFor({ timeout: t.T });
    await w.getByTestId('notice').filter({ hasText: 'We are back on' }).waitFor({ timeout: t.T });
    const queued = await t.rest('/api/v1/conversations?state=queued&limit=100', { token: t.adminToken });
    const conv = queued.json.items.sort((a, b) => Date.parse(b.queued_at) - Date.parse(a.queued_at))[0];
    assert.ok(conv, 'the conversation waits in the queue');

    t.step('the customer closes the window');
    await launcher.click();
    assert.equal(await page.locator('iframe[data-chat-api=frame]').isVisible(), false);
    assert.equal(await badge.isVisible(), false, 'nothing unread yet');

    t.step('"the next day": hours reopened, an agent answers with the e-mail in view');
    await putHours(t, { enabled: false, time_zone: 'UTC' });
    const who = await staff(t, 'Nia');
    const agent = await consolePage(browser, t, who);
    const a = agent.page;
    await item(a, conv.id).click();
    await a.getByTestId('customer-panel').filter({ hasText: 'mia@example.com' }).waitFor({ timeout: t.T });
    await a.getByTestId('accept').click();
    await a.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });
    await a.getByTestId('reply').fill('Sorry about that! It ships today.');
    await a.getByTestId('reply').press('Enter');
    await a.getByTestId('messages').getByText('It ships today').waitFor({ timeout: t.T });

    t.step('the closed launcher shows the unread reply');
    await badge.filter({ hasText: /^1$/ }).waitFor({ timeout: t.T });

    t.step('the customer comes back later: the badge is there before opening, the reply on opening');
    await page.goto(`${t.base}/`);
    await badge.filter({ hasText: /^1$/ }).waitFor({ timeout: t.T });
    assert.match(await launcher.getAttribute('aria-label'), /\(1\)$/, 'the count is in the button\'s name');
    assert.equal(await page.locator('iframe[data-chat-api=frame]').isVisible(), false, 'the window stays closed');
    await launcher.click();
    await w.locator('.msg.agent').filter({ hasText: 'It ships today' }).waitFor({ timeout: t.T });
    assert.equal(await badge.isVisible(), false, 'opening clears the badge');
    await w.getByTestId('availability').filter({ hasText: /reply in about|available/ }).waitFor({ timeout: t.T });
    await agent.ctx.close();
  } finally {
    await ctx.close();
    await putHours(t, { enabled: false, time_zone: 'UTC' });
  }
}

export const awayScenarios = [
  ['away hours: a message left with an e-mail, answered the next day, an unread badge on the closed launcher', leaveAMessage],
];
