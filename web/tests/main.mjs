// Browser tests of the Chat API pages: a real chat-server (the debug binary,
// on a free port, over a throwaway SQLite database) and headless Chromium
// driven by playwright-core. Run through ./run.sh (which builds the server).
//
// Environment: CHAT_BIN (the chat-server binary, required), CHROMIUM (default
// /usr/bin/chromium), SCREENSHOTS (where to write the screenshots; default
// docs/screenshots), KEEP_TMP=1 to keep the server's data and log,
// ONLY_CONSOLE=1 to run only the console scenarios of console.mjs (quicker
// while working on the console), ONLY_CONSOLE=<words> only those whose name
// contains them. CHAT_WEB_DIR=<web folder> is passed on to the server (pages
// served from disk: a web/ change is tested without rebuilding CHAT_BIN).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { consoleScenarios } from './console.mjs';
import { messagingScenarios } from './messaging.mjs';
import { awayScenarios } from './away.mjs';
import { prechatScenarios } from './prechat.mjs';
import { unsentScenarios } from './unsent.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.CHAT_BIN;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = resolve(process.env.SCREENSHOTS || join(here, '..', '..', 'docs', 'screenshots'));
const ADMIN = { email: 'admin@example.com', password: 'browser-test-admin-pw' };
const AGENT = { email: 'ann@example.com', password: 'browser-test-agent-pw', display_name: 'Ann' };
const T = 20000; // default wait

if (!BIN) { console.error('CHAT_BIN is not set (use web/tests/run.sh)'); process.exit(2); }

const tmp = mkdtempSync(join(tmpdir(), 'chat-web-'));
const logPath = join(tmp, 'server.log');
let server = null;
let base = '';

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

async function startServer(port) {
  const log = openSync(logPath, 'a');
  server = spawn(BIN, [], {
    env: {
      PATH: process.env.PATH,
      CHAT_LISTEN: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${join(tmp, 'chat.db')}`,
      CHAT_DATA_DIR: tmp,
      CHAT_ADMIN_EMAIL: ADMIN.email,
      CHAT_ADMIN_PASSWORD: ADMIN.password,
      CHAT_AI_DELTA_DELAY_MS: '40',
      CHAT_AI_INDEX_REFRESH_SECS: '1',
      // The webhook the test adds points at a closed local port: no traffic leaves.
      CHAT_WEBHOOK_ALLOW_PRIVATE: 'true',
      CHAT_SHUTDOWN_TIMEOUT_SECS: '2',
      CHAT_WORKERS: '2',
      CHAT_LOG: 'info',
      CHAT_LOG_FORMAT: 'pretty',
      ...(process.env.CHAT_WEB_DIR ? { CHAT_WEB_DIR: process.env.CHAT_WEB_DIR } : {}),
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise((r) => server.once('exit', (code) => r(code)));
  server.exited = exited;
  for (let i = 0; i < 150; i += 1) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 100))]);
    if (early !== undefined) throw new Error(`chat-server exited (${early}); log:\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
    try { if ((await fetch(`${base}/healthz`)).ok) return; } catch { /* not yet */ }
  }
  throw new Error('chat-server did not become healthy in 15 s');
}

async function stopServer() {
  if (!server) return;
  const s = server;
  server = null;
  s.kill('SIGTERM');
  const code = await Promise.race([s.exited, new Promise((r) => setTimeout(() => r('timeout'), 10000))]);
  if (code === 'timeout') { s.kill('SIGKILL'); await s.exited; }
}

async function rest(path, { method = 'GET', body, token } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

const problems = [];
let restarting = false; // refused connections are expected while the server is down
function watch(page, who) {
  page.on('pageerror', (e) => problems.push(`${who}: page error: ${e.message}`));
  // A reload (the console's language switch, a test's page.reload()) cancels
  // what the page still had in flight: such a request, issued before a later
  // navigation of the page, is no failure; any other abort still is.
  let navigations = 0;
  const issued = new WeakMap(); // request -> navigations when it was issued
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navigations += 1;
    else issued.set(r, navigations);
  });
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && issued.has(r) && issued.get(r) < navigations) return;
    // The console's read marker is fire-and-forget: a reload cancels one in flight.
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && r.url().endsWith('/read')) return;
    if (!restarting && !r.url().includes('/ws')) problems.push(`${who}: request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('console', (m) => {
    // A refused socket while the server restarts is expected; anything else is not.
    if (m.type() === 'error' && !/WebSocket connection|Failed to load resource|ERR_CONNECTION_REFUSED|net::ERR/.test(m.text())) {
      problems.push(`${who}: console error: ${m.text()}`);
    }
  });
}

function step(name) { console.log(`\n▶ ${name}`); }

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name) });
  console.log(`  screenshot ${join(SHOTS, name)}`);
}

async function consoleLogin(page, who) {
  await page.goto(`${base}/console`);
  try {
    await page.getByLabel('E-mail').waitFor({ timeout: T });
  } catch (e) {
    console.error(`no login form; the page is:\n${(await page.content()).slice(0, 3000)}`);
    throw e;
  }
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor({ timeout: T });
}

async function main() {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  step(`chat-server on ${base} (data in ${tmp})`);
  await startServer(port);

  // Test data through the API: an agent, and a shared canned response.
  const admin = (await rest('/api/v1/auth/login', { method: 'POST', body: ADMIN })).json;
  assert.ok(admin?.access_token, 'admin login');
  const created = await rest('/api/v1/users', { method: 'POST', token: admin.access_token, body: { ...AGENT, role: 'agent' } });
  assert.equal(created.status, 201, created.text);
  const canned = await rest('/api/v1/canned', {
    method: 'POST', token: admin.access_token,
    body: { shortcut: 'shipping', title: 'Shipping times', body: 'Orders ship within 24 hours.', shared: true },
  });
  assert.equal(canned.status, 201, canned.text);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const failures = [];
  try {
    if (!process.env.ONLY_CONSOLE) {
      await scenario(browser, admin.access_token);
      await supervision(browser);
      await phone(browser);
    }
    // The console scenarios are independent of each other: run them all,
    // then report every failure.
    const t = { base, rest, watch, step, shot, consoleLogin, T, ADMIN, adminToken: admin.access_token, failed: [] };
    for (const [name, run] of [...consoleScenarios, ...messagingScenarios, ...awayScenarios, ...prechatScenarios, ...unsentScenarios]) {
      if (process.env.ONLY_CONSOLE && process.env.ONLY_CONSOLE !== '1' && !name.includes(process.env.ONLY_CONSOLE)) continue;
      step(`console: ${name}`);
      try {
        await run(browser, t);
      } catch (e) {
        console.error(`  FAILED: ${e.message.split('\n')[0]}`);
        failures.push(`${name}: ${e.stack || e}`);
      }
    }
    failures.push(...t.failed);
  } finally {
    await browser.close();
  }
  assert.deepEqual(failures, [], 'console scenarios');
  assert.deepEqual(problems, [], 'no page errors, console errors or CSP violations');
}

async function scenario(browser, adminToken) {
  const customerCtx = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  const agentCtx = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US' });
  const customer = await customerCtx.newPage();
  const agent = await agentCtx.newPage();
  watch(customer, 'customer');
  watch(agent, 'agent');

  step('the agent logs in to the console');
  await consoleLogin(agent, AGENT);
  await agent.getByTestId('tab-queued').waitFor();

  step('the customer asks the assistant a question from the FAQ and sees the answer stream');
  await customer.goto(`${base}/`);
  await customer.locator('[data-chat-api=launcher]').click();
  const w = customer.frameLocator('iframe[data-chat-api=frame]');
  await w.getByTestId('status').filter({ hasText: 'Online' }).waitFor({ timeout: T });
  // The stream lasts well under a second: polling from here can miss every
  // draft on a loaded machine, so the frame itself records each draft shown.
  const frame = await (await customer.locator('iframe[data-chat-api=frame]').elementHandle()).contentFrame();
  await frame.evaluate(() => {
    window.draftsSeen = [];
    new MutationObserver(() => {
      for (const d of document.querySelectorAll('.msg.bot.draft')) window.draftsSeen.push(d.textContent || '');
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  await w.getByRole('textbox').fill('how do I reset my password?');
  await w.getByRole('textbox').press('Enter');
  await w.locator('.msg.customer:not(.pending)').filter({ hasText: 'reset my password' }).waitFor({ timeout: T });
  const draft = w.locator('.msg.bot.draft');
  const final = w.locator('.msg.bot:not(.draft)').filter({ hasText: 'Forgot password' });
  await final.waitFor({ timeout: T });
  const full = (await final.textContent()) || '';
  const drafts = await frame.evaluate(() => window.draftsSeen);
  const partial = drafts.reduce((a, b) => (b.length < a.length ? b : a), full);
  assert.ok(drafts.length > 0 && partial.length < full.length,
    `the reply arrived in pieces (${drafts.length} drafts shown, the shortest ${partial.length} < final ${full.length} characters)`);
  assert.equal(await draft.count(), 0, 'the draft is replaced by the stored reply');
  await shot(customer, 'widget.png');

  step('the customer asks for a person and sees the queue position');
  await w.getByTestId('human').click();
  await w.getByTestId('queue').filter({ hasText: 'number 1 in the queue' }).waitFor({ timeout: T });
  assert.equal(await w.getByTestId('human').isVisible(), false, 'the button goes away once queued');

  step('the agent sees the queued conversation (live) and accepts it');
  const item = agent.getByTestId('conversation-item').first();
  await item.waitFor({ timeout: T });
  assert.match(await agent.title(), /1 queued/, 'the title counts the queue');
  await shot(agent, 'console-inbox.png');
  await item.click();
  await agent.getByTestId('messages').getByText('reset my password').waitFor({ timeout: T });
  await agent.getByTestId('accept').click();
  await agent.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: T });

  step('the customer sees the agent join, by name');
  await w.getByTestId('notice').filter({ hasText: 'Ann joined the conversation.' }).waitFor({ timeout: T });
  await w.getByTestId('status').filter({ hasText: 'chatting with Ann' }).waitFor({ timeout: T });

  step('messages both ways, typing indicators, a canned response and a private note');
  await agent.getByTestId('reply').fill('Hello, I am Ann. How can I help?');
  await agent.getByTestId('reply').press('Enter');
  await w.locator('.msg.agent').filter({ hasText: 'Hello, I am Ann' }).waitFor({ timeout: T });
  await w.getByRole('textbox').fill('My order has not arrived');
  await agent.getByTestId('typing').filter({ hasText: 'customer is typing' }).waitFor({ timeout: T });
  await w.getByRole('textbox').press('Enter');
  await agent.getByTestId('msg-customer').filter({ hasText: 'My order has not arrived' }).waitFor({ timeout: T });
  await agent.getByTestId('reply').pressSequentially('/ship');
  await agent.getByTestId('canned-suggestions').getByText('/shipping').waitFor({ timeout: T });
  await agent.getByTestId('reply').press('Enter'); // inserts the canned text
  assert.equal(await agent.getByTestId('reply').inputValue(), 'Orders ship within 24 hours.');
  await w.getByTestId('typing').filter({ hasText: 'Ann is typing' }).waitFor({ timeout: T });
  await agent.getByTestId('reply').press('Enter'); // sends it
  await w.locator('.msg.agent').filter({ hasText: 'Orders ship within 24 hours.' }).waitFor({ timeout: T });
  await agent.getByTestId('note-toggle').check();
  await agent.getByTestId('reply').fill('VIP customer, be generous');
  await agent.getByTestId('reply').press('Enter');
  await agent.getByTestId('note').filter({ hasText: 'VIP customer' }).waitFor({ timeout: T });
  await agent.getByTestId('note-toggle').uncheck();
  await agent.getByTestId('labels').fill('shipping, vip');
  await agent.getByTestId('labels').press('Enter');
  await agent.getByTestId('conversation-item').locator('.label').filter({ hasText: 'vip' }).first().waitFor({ timeout: T }).catch(() => {});
  await shot(agent, 'conversation.png');

  step('the server restarts mid-conversation; the widget resumes without loss or duplicates');
  const port = new URL(base).port;
  restarting = true;
  await stopServer();
  await w.getByTestId('status').filter({ hasText: 'Reconnecting' }).waitFor({ timeout: T });
  await w.getByRole('textbox').fill('Are you still there?');
  await w.getByRole('textbox').press('Enter');
  await w.locator('.msg.pending').filter({ hasText: 'Are you still there?' }).waitFor({ timeout: T });
  await startServer(Number(port));
  await w.locator('.msg.customer:not(.pending)').filter({ hasText: 'Are you still there?' }).waitFor({ timeout: 45000 });
  await agent.getByTestId('msg-customer').filter({ hasText: 'Are you still there?' }).waitFor({ timeout: 45000 });
  await agent.getByTestId('connection').filter({ hasText: 'live' }).waitFor({ timeout: 45000 });
  restarting = false;
  await agent.getByTestId('reply').fill('Yes, still here.');
  await agent.getByTestId('reply').press('Enter');
  await w.locator('.msg.agent').filter({ hasText: 'Yes, still here.' }).waitFor({ timeout: T });
  const seqs = await w.locator('[data-seq]').evaluateAll((els) => els.map((e) => e.dataset.seq));
  assert.equal(new Set(seqs).size, seqs.length, `no message shown twice (seqs ${seqs.join(',')})`);
  assert.equal(await w.locator('.msg').filter({ hasText: 'Are you still there?' }).count(), 1, 'the resent message appears once');
  assert.equal(await w.locator('.msg').filter({ hasText: 'VIP customer' }).count(), 0, 'private notes never reach the customer');
  assert.equal(await agent.getByTestId('msg-customer').filter({ hasText: 'Are you still there?' }).count(), 1, 'the agent sees it once');

  step('the agent closes the conversation; the customer rates it');
  await agent.getByTestId('close').click();
  await agent.getByTestId('conv-state').filter({ hasText: 'closed' }).waitFor({ timeout: T });
  const csat = w.getByTestId('csat');
  await csat.waitFor({ timeout: T });
  await csat.getByRole('button', { name: 'Rate 5 out of 5' }).click();
  await csat.getByRole('textbox').fill('Quick and kind');
  await csat.getByRole('button', { name: 'Send rating' }).click();
  await w.getByTestId('thanks').waitFor({ timeout: T });

  step('the admin sees it in the statistics');
  const probe = await rest(`/api/v1/stats?from=${encodeURIComponent(new Date(Date.now() - 86400000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 86400000).toISOString())}`,
    { token: (await rest('/api/v1/auth/login', { method: 'POST', body: ADMIN })).json.access_token });
  const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const adminPage = await adminCtx.newPage();
  watch(adminPage, 'admin');
  await consoleLogin(adminPage, ADMIN);
  await adminPage.goto(`${base}/console#/stats`);
  const page = adminPage.getByTestId('page-stats');
  await page.waitFor({ timeout: T });
  assert.equal(probe.status, 200, probe.text);
  await page.getByTestId('stat-closed').filter({ hasText: /[1-9]/ }).waitFor({ timeout: T });
  await page.getByTestId('stat-csat').filter({ hasText: '5.00' }).waitFor({ timeout: T });
  await page.locator('svg.chart rect:not([height="0"])').first().waitFor({ timeout: T });
  await shot(adminPage, 'statistics.png');

  step('the admin pages load: users, knowledge base, canned responses, audit log');
  for (const [name, text] of [['users', 'ann@example.com'], ['knowledge', 'Resetting your password'], ['canned', '/shipping'], ['audit', 'user.created']]) {
    await adminPage.goto(`${base}/console#/${name}`);
    await adminPage.getByTestId(`page-${name}`).getByText(text).first().waitFor({ timeout: T });
  }
  await adminCtx.close();
  await customerCtx.close();
  await agentCtx.close();
}

async function supervision(browser) {
  step('a supervisor watches the assistant stream, takes over, hands back; admin pages write');
  const adminCtx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const customerCtx = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  const admin = await adminCtx.newPage();
  const customer = await customerCtx.newPage();
  watch(admin, 'supervisor');
  watch(customer, 'customer 2');
  await consoleLogin(admin, ADMIN);
  await customer.goto(`${base}/`);
  await customer.locator('[data-chat-api=launcher]').click();
  const w = customer.frameLocator('iframe[data-chat-api=frame]');
  await w.getByTestId('status').filter({ hasText: 'Online' }).waitFor({ timeout: T });
  await w.getByRole('textbox').fill('Hello');
  await w.getByRole('textbox').press('Enter');
  await w.locator('.msg.bot:not(.draft)').first().waitFor({ timeout: T });

  await admin.getByTestId('tab-all').click();
  const item = admin.getByTestId('conversation-item').filter({ has: admin.locator('.badge.bot') }).first();
  await item.waitFor({ timeout: T });
  await item.click();
  await admin.getByTestId('msg-customer').filter({ hasText: 'Hello' }).waitFor({ timeout: T });
  // The next answer streams into the open console view as it is produced.
  await w.getByRole('textbox').fill('how do I reset my password?');
  await w.getByRole('textbox').press('Enter');
  await admin.getByTestId('draft').waitFor({ timeout: T });
  await admin.getByTestId('msg-bot').filter({ hasText: 'Forgot password' }).waitFor({ timeout: T });
  assert.equal(await admin.getByTestId('draft').count(), 0, 'the draft became the stored reply');

  await admin.getByTestId('takeover').click();
  await admin.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: T });
  await w.getByTestId('status').filter({ hasText: 'chatting with Administrator' }).waitFor({ timeout: T });
  // Snooze (the dialog asks for minutes), then wake it up.
  admin.once('dialog', (d) => d.accept('30'));
  await admin.getByTestId('snooze').click();
  await admin.getByTestId('snoozed').waitFor({ timeout: T });
  await admin.getByTestId('unsnooze').click();
  await admin.getByTestId('snooze').waitFor({ timeout: T });
  await admin.getByTestId('hand-back').click();
  await admin.getByTestId('conv-state').filter({ hasText: 'bot' }).waitFor({ timeout: T });
  await w.getByTestId('notice').filter({ hasText: 'The assistant is answering again.' }).waitFor({ timeout: T });
  await w.getByTestId('human').waitFor({ timeout: T });

  // Closed while the customer was away: after a reload the widget still
  // shows the conversation and asks for the rating.
  await admin.getByTestId('close').click();
  await admin.getByTestId('conv-state').filter({ hasText: 'closed' }).waitFor({ timeout: T });
  await w.getByTestId('csat').waitFor({ timeout: T });
  await customer.reload();
  await customer.locator('[data-chat-api=launcher]').click();
  await w.locator('.msg.customer').filter({ hasText: 'Hello' }).waitFor({ timeout: T });
  await w.getByTestId('csat').getByRole('button', { name: 'Rate 4 out of 5' }).click();
  await w.getByTestId('csat').getByRole('button', { name: 'Send rating' }).click();
  await w.getByTestId('thanks').waitFor({ timeout: T });

  // Knowledge base: a new document through the page, used by the assistant.
  await admin.goto(`${base}/console#/knowledge`);
  const kb = admin.getByTestId('page-knowledge');
  await kb.getByRole('button', { name: 'New document' }).click();
  await kb.getByLabel('Title').fill('Parking at the warehouse');
  await kb.getByLabel('Body').fill('Visitors can park for free at the north gate of the Lyon warehouse, from 8:00 to 18:00.');
  await kb.getByRole('button', { name: 'Create' }).click();
  await kb.getByRole('cell', { name: 'Parking at the warehouse' }).waitFor({ timeout: T });
  // Try a question: the passages the assistant retrieves (the index follows the new document).
  await kb.getByLabel('Question').fill('where can I park at the Lyon warehouse?');
  for (let i = 0; i < 30; i += 1) {
    await kb.getByRole('button', { name: 'Ask' }).click();
    await kb.getByTestId('try-result').locator('p').first().waitFor({ timeout: T });
    if (await kb.getByTestId('try-result').getByText('would answer from “Parking at the warehouse”').count()) break;
    await admin.waitForTimeout(500);
  }
  await kb.getByTestId('try-result').getByText('The assistant would answer from “Parking at the warehouse”.').waitFor({ timeout: T });
  await kb.getByTestId('try-result').getByRole('cell', { name: 'north gate' }).first().waitFor({ timeout: T });
  // Users: a new agent through the page.
  await admin.goto(`${base}/console#/users`);
  const users = admin.getByTestId('page-users');
  await users.getByLabel('E-mail').fill('bob@example.com');
  await users.getByLabel('Name').fill('Bob');
  await users.getByLabel('Password').fill('bob-password-1');
  await users.getByRole('button', { name: 'Create' }).click();
  await users.getByRole('cell', { name: 'bob@example.com' }).waitFor({ timeout: T });
  // A refusal from the server is shown as its message.
  await users.getByLabel('E-mail').fill('bob@example.com');
  await users.getByLabel('Name').fill('Bob again');
  await users.getByLabel('Password').fill('bob-password-1');
  await users.getByRole('button', { name: 'Create' }).click();
  await users.getByRole('alert').filter({ hasText: /already|taken|exists/i }).waitFor({ timeout: T });
  // Webhooks: add one; its signing secret is shown once; it is listed.
  await admin.goto(`${base}/console#/webhooks`);
  const hooks = admin.getByTestId('page-webhooks');
  await hooks.getByText('No webhooks yet.').waitFor({ timeout: T });
  await hooks.getByLabel('URL').fill('http://127.0.0.1:9/hook');
  await hooks.getByRole('button', { name: 'Add' }).click();
  await hooks.getByTestId('webhook-secret').waitFor({ timeout: T });
  await hooks.getByRole('cell', { name: 'http://127.0.0.1:9/hook' }).waitFor({ timeout: T });
  await hooks.getByRole('button', { name: 'Disable' }).click();
  await hooks.getByRole('button', { name: 'Enable' }).waitFor({ timeout: T });
  await adminCtx.close();
  await customerCtx.close();
}

async function phone(browser) {
  step('phone-sized screen, in Chinese: the widget fills the screen and the assistant answers');
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await ctx.newPage();
  watch(page, 'phone');
  await page.goto(`${base}/`);
  await page.locator('[data-chat-api=launcher]').click();
  const box = await page.locator('iframe[data-chat-api=frame]').boundingBox();
  assert.ok(box && box.width === 390 && box.height === 844, `the widget covers the screen (${JSON.stringify(box)})`);
  const w = page.frameLocator('iframe[data-chat-api=frame]');
  await w.getByTestId('human').filter({ hasText: '转人工客服' }).waitFor({ timeout: T });
  await w.getByTestId('status').filter({ hasText: '在线' }).waitFor({ timeout: T });
  await w.getByRole('textbox').fill('怎么查物流？');
  await w.getByRole('textbox').press('Enter');
  await w.locator('.msg.bot:not(.draft)').filter({ hasText: '物流' }).waitFor({ timeout: T });
  await shot(page, 'widget-phone.png');
  await ctx.close();
}

let failed = false;
try {
  await main();
  console.log('\nbrowser tests: all passed');
} catch (e) {
  failed = true;
  console.error('\nbrowser tests FAILED:', e.stack || e);
  if (problems.length) console.error(`\nin the pages:\n${problems.join('\n')}`);
  try { console.error(`\nlast server log lines:\n${readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n')}`); } catch { /* no log */ }
} finally {
  await stopServer();
  if (process.env.KEEP_TMP) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
