// Browser tests of what a message can carry: links and light formatting
// (rendered as DOM nodes, never as markup), the emoji picker, and
// attachments. Run by main.mjs with the console scenarios (same `t`).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { staff, consolePage, customerAsking, item } from './console.mjs';

/** An agent holding a new conversation with a customer: {agent, customer, a}. */
async function chatting(browser, t, name, opening) {
  const who = await staff(t, name);
  const agent = await consolePage(browser, t, who);
  const customer = await customerAsking(browser, t, opening);
  const a = agent.page;
  await item(a, customer.id).click();
  await a.getByTestId('accept').click();
  await a.getByTestId('conv-state').filter({ hasText: 'human' }).waitFor({ timeout: t.T });
  return { agent, customer, a };
}

async function linksAndFormatting(browser, t) {
  const { agent, customer, a } = await chatting(browser, t, 'Fay',
    'See https://example.com/order?id=7, and <script>window.pwned=1</script> <img src=x onerror="window.pwned=1">');
  const w = customer.w;

  t.step('the customer\'s link is a link in the console; their markup is text');
  const cm = a.getByTestId('msg-customer').filter({ hasText: 'example.com/order' });
  await cm.waitFor({ timeout: t.T });
  const link = cm.locator('a[href="https://example.com/order?id=7"]');
  assert.equal(await link.count(), 1, 'the URL is a link (the trailing comma is not part of it)');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await cm.textContent(), /<script>window\.pwned=1<\/script>/, 'the script tag shows as text');
  assert.equal(await cm.locator('script, img').count(), 0, 'no element came from the message');

  t.step('the agent writes Markdown; the widget renders it, and a javascript: link stays text');
  await a.getByTestId('reply').fill([
    'Hello **there**, this is *important* and `code`.',
    '- first',
    '- second',
    '1. one',
    '2. two',
    '```',
    'let x = 1 < 2;',
    '```',
    'Mail mailto:help@example.com or click javascript:alert(1) or [x](javascript:alert(2)) or <b>not bold</b>',
  ].join('\n'));
  await a.getByTestId('reply').press('Enter');
  const m = w.locator('.msg.agent').filter({ hasText: 'Hello' });
  await m.waitFor({ timeout: t.T });
  assert.equal(await m.locator('strong').textContent(), 'there');
  assert.equal(await m.locator('em').textContent(), 'important');
  assert.equal(await m.locator('p code').textContent(), 'code');
  assert.deepEqual(await m.locator('ul li').allTextContents(), ['first', 'second']);
  assert.deepEqual(await m.locator('ol li').allTextContents(), ['one', 'two']);
  assert.equal(await m.locator('pre code').textContent(), 'let x = 1 < 2;');
  assert.equal(await m.locator('a[href="mailto:help@example.com"]').count(), 1, 'mailto is a link');
  const hrefs = await m.locator('a').evaluateAll((as) => as.map((x) => x.getAttribute('href')));
  assert.ok(hrefs.every((href) => /^(https?|mailto):/.test(href)), `only safe links (${hrefs.join(', ')})`);
  assert.match(await m.textContent(), /javascript:alert\(1\)/, 'the javascript: address is shown as text');
  assert.match(await m.textContent(), /<b>not bold<\/b>/, 'HTML is text');
  assert.equal(await m.locator('b').count(), 0);
  assert.equal(await customer.page.evaluate(() => window.pwned), undefined, 'nothing ran in the widget');
  assert.equal(await a.evaluate(() => window.pwned), undefined, 'nothing ran in the console');

  t.step('the emoji picker inserts at the cursor, in the console and the widget');
  await a.getByTestId('reply').fill('Thanks ');
  await a.getByTestId('emoji').click();
  await a.getByTestId('emoji-panel').getByRole('button', { name: 'thumbs up' }).click();
  assert.equal(await a.getByTestId('reply').inputValue(), 'Thanks 👍');
  assert.equal(await a.getByTestId('emoji-panel').isVisible(), false, 'the panel closes after a pick');
  await a.getByTestId('reply').press('Enter');
  await w.locator('.msg.agent').filter({ hasText: 'Thanks 👍' }).waitFor({ timeout: t.T });
  await w.getByRole('textbox').fill('Great ');
  await w.getByTestId('emoji').click();
  await w.getByTestId('emoji-panel').getByRole('button', { name: 'party popper' }).click();
  assert.equal(await w.getByRole('textbox').inputValue(), 'Great 🎉');
  await w.getByRole('textbox').press('Enter');
  await a.getByTestId('msg-customer').filter({ hasText: 'Great 🎉' }).waitFor({ timeout: t.T });
  await agent.ctx.close();
  await customer.ctx.close();
}

async function assistantFormatting(browser, t) {
  // The assistant's answers go through the same renderer: the demo FAQ's
  // password answer is a numbered list of steps.
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  const page = await ctx.newPage();
  t.watch(page, 'customer (assistant formatting)');
  await page.goto(`${t.base}/`);
  await page.locator('[data-chat-api=launcher]').click();
  const w = page.frameLocator('iframe[data-chat-api=frame]');
  await w.getByTestId('status').filter({ hasText: 'Online' }).waitFor({ timeout: t.T });
  await w.getByRole('textbox').fill('how do I reset my password?');
  await w.getByRole('textbox').press('Enter');
  const answer = w.locator('.msg.bot:not(.draft)').filter({ hasText: 'Forgot password' });
  await answer.waitFor({ timeout: t.T });
  assert.ok(await answer.locator('.fmt').count() === 1, 'the answer is rendered by the shared formatter');
  await ctx.close();
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** Pastes a real PNG (drawn on a canvas in the page) into `textarea`. */
async function pasteImage(textarea) {
  await textarea.evaluate(async (el) => {
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = 200;
    const g = c.getContext('2d');
    g.fillStyle = '#fef3c7';
    g.fillRect(0, 0, 320, 200);
    g.fillStyle = '#b45309';
    g.fillRect(40, 60, 240, 110);
    g.fillStyle = '#111827';
    g.font = 'bold 22px sans-serif';
    g.fillText('Parcel #1042: damaged', 30, 40);
    const blob = await new Promise((ok) => c.toBlob(ok, 'image/png'));
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'image.png', { type: 'image/png' }));
    el.focus();
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
}

/** Waits until an <img> has really decoded (not only been inserted). */
async function decoded(img, t) {
  await img.waitFor({ timeout: t.T });
  for (let i = 0; i < 100; i += 1) {
    if (await img.evaluate((el) => el.complete && el.naturalWidth > 0)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the image preview never loaded');
}

async function attachments(browser, t) {
  const { agent, customer, a } = await chatting(browser, t, 'Gus', 'My parcel arrived damaged');
  const w = customer.w;

  t.step('the customer pastes a screenshot; both sides see the image');
  await pasteImage(w.getByRole('textbox'));
  const mine = w.locator('.msg.customer').filter({ has: w.getByTestId('attachment-image') });
  await decoded(mine.getByTestId('attachment-image'), t);
  const theirs = a.getByTestId('msg-customer').filter({ has: a.getByTestId('attachment-image') });
  await decoded(theirs.getByTestId('attachment-image'), t);
  assert.equal(await theirs.getByTestId('attachment-image').getAttribute('alt'), 'image.png');
  assert.match(await theirs.textContent(), /image\.png · \d/, 'name and size under the preview');
  await a.getByTestId('reply').fill('Sorry about that! I am sending you a **return label** and your invoice.');
  await a.getByTestId('reply').press('Enter');
  await w.locator('.msg.agent').filter({ hasText: 'return label' }).waitFor({ timeout: t.T });
  await t.shot(a, 'console-attachment.png');

  t.step('the agent sends a PDF; the customer downloads it');
  await a.getByTestId('file-input').setInputFiles({ name: 'invoice-1042.pdf', mimeType: 'application/pdf', buffer: PDF });
  const pdf = w.locator('.msg.agent').getByTestId('attachment-download').filter({ hasText: 'invoice-1042.pdf' });
  await pdf.waitFor({ timeout: t.T });
  const [download] = await Promise.all([customer.page.waitForEvent('download', { timeout: t.T }), pdf.click()]);
  assert.equal(download.suggestedFilename(), 'invoice-1042.pdf');
  assert.deepEqual(readFileSync(await download.path()), PDF, 'the customer gets the same bytes');
  await t.shot(customer.page, 'widget-attachment.png');

  t.step('a forged file is refused with the server\'s reason, and can be dismissed');
  await w.getByTestId('file-input').setInputFiles({ name: 'cat.png', mimeType: 'image/png', buffer: Buffer.from('MZ\x90\x00 not an image') });
  const failed = w.getByTestId('upload').filter({ hasText: 'cat.png' });
  await failed.getByRole('alert').filter({ hasText: 'unsupported file type' }).waitFor({ timeout: t.T });
  await failed.getByTestId('upload-retry').waitFor({ timeout: t.T });
  await failed.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await failed.count(), 0);

  t.step('a reload shows the files again (history, not only the live socket)');
  await a.reload();
  await a.getByTestId('connection').filter({ hasText: 'live' }).waitFor({ timeout: t.T });
  try {
    await decoded(a.getByTestId('msg-customer').getByTestId('attachment-image').first(), t);
  } catch (e) {
    console.error(`  after the reload, at ${a.url()} the log reads: ${(await a.getByTestId('messages').textContent().catch(() => '(no log)'))?.slice(0, 600)}`);
    throw e;
  }
  await agent.ctx.close();
  await customer.ctx.close();
}

/**
 * The first message of a first visit, typed while the widget's socket still
 * connects (it starts when the window opens): shown as "sending", then sent
 * once connected, under the id it was given (a resend is idempotent). It
 * used to fail at once with "not connected".
 */
async function typedBeforeConnected(browser, t) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  // In the widget's frame, every socket's `open` is held until the test
  // lets it go (a slow network): the widget sends nothing before it.
  await ctx.addInitScript(() => {
    if (location.pathname !== '/widget/frame') return;
    let release;
    const gate = new Promise((go) => { release = go; });
    window.releaseSockets = release;
    const onopen = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onopen');
    Object.defineProperty(WebSocket.prototype, 'onopen', {
      configurable: true,
      get() { return onopen.get.call(this); },
      set(fn) { onopen.set.call(this, fn && ((ev) => gate.then(() => fn.call(this, ev)))); },
    });
  });
  const page = await ctx.newPage();
  t.watch(page, 'customer typing before the socket connects');
  await page.goto(`${t.base}/`);
  await page.locator('[data-chat-api=launcher]').click();
  const w = page.frameLocator('iframe[data-chat-api=frame]');
  for (const text of ['First words before connecting', 'Second words before connecting']) {
    await w.getByRole('textbox').fill(text);
    await w.getByRole('textbox').press('Enter');
  }

  t.step('both wait as "sending", with no error, while the socket connects');
  const pending = w.locator('.msg.customer.pending');
  await pending.filter({ hasText: 'Second words' }).waitFor({ timeout: t.T });
  assert.equal(await pending.count(), 2);
  for (const text of await pending.allTextContents()) assert.match(text, /sending/, text);
  assert.equal(await w.getByRole('alert').isVisible(), false, 'no error shown');
  assert.doesNotMatch(await w.getByTestId('status').textContent(), /Online/);

  t.step('once connected, both are sent, once each, in order, in one conversation');
  const frame = page.frames().find((f) => f.url().includes('/widget/frame'));
  await frame.evaluate(() => window.releaseSockets());
  await w.getByTestId('status').filter({ hasText: 'Online' }).waitFor({ timeout: t.T });
  const sent = w.locator('.msg.customer:not(.pending)');
  await sent.filter({ hasText: 'Second words' }).waitFor({ timeout: t.T });
  await sent.filter({ hasText: 'First words' }).waitFor({ timeout: t.T });
  assert.equal(await pending.count(), 0, 'nothing left pending');
  const texts = await sent.allTextContents();
  assert.equal(texts.length, 2, texts.join(' | '));
  assert.ok(texts[0].includes('First words') && texts[1].includes('Second words'), texts.join(' | '));
  const seqs = await sent.evaluateAll((ms) => ms.map((m) => Number(m.dataset.seq)));
  assert.ok(seqs[0] > 0 && seqs[1] > seqs[0], `stored in order: ${seqs}`);
  // The server has one conversation with them, each message once.
  const found = await t.rest(`/api/v1/conversations?q=${encodeURIComponent('words before connecting')}&limit=10`, { token: t.adminToken });
  assert.equal(found.json?.items?.length, 1, found.text);
  const history = await t.rest(`/api/v1/conversations/${found.json.items[0].id}/messages?limit=100`, { token: t.adminToken });
  const mine = history.json.items.filter((m) => m.sender_kind === 'customer').map((m) => m.body);
  assert.deepEqual(mine, ['First words before connecting', 'Second words before connecting']);
  await ctx.close();
}

export const messagingScenarios = [
  ['links and formatting render as DOM, scripts and javascript: links as text; emoji picker', linksAndFormatting],
  ['the assistant\'s answers use the same formatting', assistantFormatting],
  ['attachments: a pasted image previewed by the agent, a PDF downloaded by the customer, a forged file refused', attachments],
  ['a first message typed while the socket connects is sent once connected', typedBeforeConnected],
];
