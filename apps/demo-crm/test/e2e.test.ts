// End to end: the demo CRM started the way `pnpm start` starts it (standalone <team-inbox> bundle
// built if missing or stale, Baton on an embedded libsql file, demo workspace seeded), driven in
// Debian's Chromium as two agents at once. Also takes the README's screenshots.
import assert from 'node:assert/strict';
import { createECDH, createDecipheriv, hkdfSync, randomBytes, type ECDH } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSmtpSink } from '@baton/server/testing/smtp';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, printOutputOnFailure, startDemo, type RunningDemo } from './demo-process.js';

const screenshots = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
/**
 * The README's screenshots are retaken only when asked (`BATON_SCREENSHOTS=1 pnpm test`), so a
 * test run does not leave the committed pictures modified.
 */
const shoot = async (page: { screenshot(o: { path: string }): Promise<unknown> }, name: string) => {
  if (process.env.BATON_SCREENSHOTS === '1') await page.screenshot({ path: path.join(screenshots, name) });
};
const CUSTOMER = 'Chris Customer';
const PHONE = '+15550109999';

/**
 * Reads a Web Push message the way a browser does (RFC 8291 with RFC 8188's aes128gcm), written
 * from the RFCs rather than from the server's library: header (salt, record size, the sender's
 * public key), an ECDH secret with the subscription's private key, two HKDF steps, AES-128-GCM.
 */
function decryptWebPush(body: Buffer, receiver: ECDH, authSecret: Buffer): string {
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const senderPublic = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  const shared = receiver.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), receiver.getPublicKey(), senderPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 and zero padding.
  let end = padded.length - 1;
  while (end > 0 && padded[end] === 0) end--;
  assert.equal(padded[end], 2, 'last-record delimiter');
  return padded.subarray(0, end).toString('utf8');
}

/** A loopback stand-in for a browser vendor's push service: records what it is sent, answers 201. */
async function startPushService(): Promise<{ url: string; received: { path: string; headers: IncomingHttpHeaders; body: Buffer }[]; close(): Promise<void> }> {
  const received: { path: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

describe('demo CRM end to end (two agents in Chromium)', () => {
  let demo: RunningDemo;
  let mailServer: Awaited<ReturnType<typeof startSmtpSink>>;
  let base: string;
  let browser: Browser;
  let ana: Page;
  let ben: Page;

  before(async () => {
    mailServer = await startSmtpSink();
    // As the README's environment table says: `pnpm start` mails through SMTP_URL, and links to the page at BATON_PUBLIC_URL.
    demo = await startDemo('baton-e2e-', (url) => ({ SMTP_URL: mailServer.url, MAIL_FROM: 'Baton demo <baton@demo.example>', BATON_PUBLIC_URL: url }));
    base = demo.base;
    browser = await launchChromium();
    const open = async (agent: string, view: string) => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
      const page = await context.newPage();
      page.on('pageerror', (e) => {
        demo.output.text += `[${agent} page error] ${e.message}\n`;
      });
      await page.goto(`${base}/demo?agent=${agent}&view=${view}`);
      return page;
    };
    [ana, ben] = await Promise.all([open('ana', 'all'), open('ben', 'mine')]);
    await mkdir(screenshots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
    await mailServer?.close();
  });
  afterEach(printOutputOnFailure(() => demo));

  const list = (page: Page, view: string) => page.getByRole('listbox', { name: `Conversations, ${view}` });
  const row = (page: Page, view: string): Locator => list(page, view).getByRole('option', { name: new RegExp(CUSTOMER) });
  const view = (page: Page, name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: new RegExp(`^${name}\\b`) });
  const timeline = (page: Page) => page.getByRole('region', { name: 'Conversation' });

  /** A customer writes through the CRM's simulator endpoint (a new conversation, or their latest one). */
  const customerWrites = async (name: string, phone: string, body: string) => {
    const res = await fetch(`${base}/demo/customer-message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, phone, channel: 'sms', body }),
    });
    assert.equal(res.status, 201, await res.text());
  };
  /** A page of its own for an agent (closed with its context), the list loaded and its contacts named. */
  const agentPage = async (agent: string, viewName: string, viewport = { width: 1440, height: 900 }) => {
    const context = await browser.newContext({ viewport, colorScheme: 'light' });
    const page = await context.newPage();
    page.on('pageerror', (e) => {
      demo.output.text += `[${agent} page error] ${e.message}\n`;
    });
    await page.goto(`${base}/demo?agent=${agent}&view=${viewName}`);
    const label = viewName === 'all' ? 'All' : viewName[0]!.toUpperCase() + viewName.slice(1);
    await list(page, label).getByRole('option').first().waitFor({ timeout: 5000 });
    await list(page, label).getByText('Loading contact').first().waitFor({ state: 'detached', timeout: 5000 });
    return page;
  };
  const rowNamed = (page: Page, viewName: string, name: string): Locator =>
    list(page, viewName).getByRole('option', { name: new RegExp(`\\b${name}\\b`) });

  it('a customer message from the simulator arrives live in All', async () => {
    await ana.getByRole('button', { name: 'Customer simulator' }).click();
    const form = ana.getByRole('complementary', { name: 'Customer simulator' });
    await form.getByRole('textbox', { name: 'Customer name' }).fill(CUSTOMER);
    await form.getByRole('textbox', { name: 'Phone' }).fill(PHONE);
    // An email has a subject line and an SMS has none: the field comes and goes with the channel.
    const subject = form.getByRole('textbox', { name: 'Subject' });
    await form.getByRole('combobox', { name: 'Channel' }).selectOption('email');
    await subject.waitFor({ timeout: 2000 });
    await form.getByRole('combobox', { name: 'Channel' }).selectOption('sms');
    await subject.waitFor({ state: 'hidden', timeout: 2000 });
    // "error" sends it to Tom (the seed's Technical → senior tech rule), so Ana's reassignment to Ben below is a change.
    await form.getByRole('textbox', { name: 'Message' }).fill("Hi, my order #4512 hasn't arrived yet. The tracking page shows an error. Can you check?");
    await form.getByRole('button', { name: 'Send as customer' }).click();
    await form.getByRole('status').filter({ hasText: 'Delivered' }).waitFor({ timeout: 5000 });
    await row(ana, 'All').waitFor({ timeout: 2000 });
    await ana.getByRole('button', { name: 'Customer simulator' }).click();
    await row(ana, 'All').click();
    await timeline(ana).getByText("my order #4512 hasn't arrived").waitFor({ timeout: 5000 });
    await shoot(ana, 'inbox.png');
  });

  it('ana assigns it to ben through "Assigned to": within 2 s it is under his Mine with a notification', async () => {
    const picker = ana.getByRole('combobox', { name: 'Assigned to' });
    await picker.click();
    const ben_ = ana.getByRole('listbox', { name: 'Teammates' }).getByRole('option', { name: /^Ben\b/ });
    await ben_.waitFor();
    await shoot(ana, 'assigned-to.png');
    const assignedAt = Date.now();
    await ben_.click();
    await row(ben, 'Mine').waitFor({ timeout: 2000 });
    const bell = ben.getByRole('button', { name: /^Notifications/ });
    await bell.click();
    // The seed has older notifications; this one is the unread one from just now.
    // Actor, contact and the latest message, grouped per conversation.
    await ben.getByRole('button', { name: new RegExp(`^Unread: Ana assigned ${CUSTOMER} to you .*my order #4512`) }).waitFor({ timeout: Math.max(1, 2000 - (Date.now() - assignedAt)) });
    await bell.click();
    assert.equal(await picker.inputValue(), 'Ben Okafor');
  });

  it('ana writes a note mentioning @ben: internal for both, and under his Mentioned', async () => {
    await ana.getByRole('tab', { name: 'Note' }).click();
    const note = ana.getByRole('textbox', { name: 'Note' });
    await note.click();
    await note.pressSequentially('Customer says order #4512 is late, can you check the carrier @be');
    const mention = ana.getByRole('region', { name: 'Conversation' }).getByRole('listbox', { name: 'Teammates' }).getByRole('option', { name: /Ben/ });
    await mention.waitFor({ timeout: 2000 });
    await shoot(ana, 'note-mention.png');
    await note.press('Enter');
    assert.match(await note.inputValue(), /@ben\s?$/);
    await note.pressSequentially('thanks');
    await ana.getByRole('button', { name: 'Save', exact: true }).click();

    const internal = (page: Page) =>
      timeline(page).getByRole('listitem').filter({ hasText: 'Internal note' }).filter({ hasText: 'can you check the carrier @ben' });
    await internal(ana).waitFor({ timeout: 2000 });
    await row(ben, 'Mine').click();
    await internal(ben).waitFor({ timeout: 2000 });
    await view(ben, 'Mentioned').click();
    await row(ben, 'Mentioned').waitFor({ timeout: 2000 });
  });

  it("a teammate not in Baton is emailed (SMTP_URL) when mentioned; the email's link opens the conversation as them", async () => {
    // Tom has no page open: not in Baton, so his email goes at once (Ben, in Baton, would get his
    // only if he left the notification unread for 2 minutes).
    const conversationId = new URL(ana.url()).searchParams.get('conversation');
    assert.match(conversationId ?? '', /^conv_/, "ana's address names the open conversation");
    const { token } = (await (await fetch(`${base}/demo/token?agent=ana`, { method: 'POST' })).json()) as { token: string };
    const noted = await fetch(`${base}/v1/conversations/${conversationId}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: '@tom is the carrier API down again?' }),
    });
    assert.equal(noted.status, 201);
    const toTom = async () => (await mailServer.mails()).filter((m) => m.rcptTo.includes('tom@demo.baton.dev') && m.mail.text?.includes(conversationId!));
    const deadline = Date.now() + 5000;
    while ((await toTom()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const [mail] = (await toTom()).map((m) => m.mail);
    assert.equal(mail?.subject, 'Ana Silva mentioned you in a conversation');
    assert.equal(mail.from?.text, '"Baton demo" <baton@demo.example>');
    const link = /(\S+\/demo\?conversation=\S+)/.exec(mail.text ?? '')?.[1];
    assert.equal(link, `${base}/demo?conversation=${conversationId}`);
    // Tom's browser remembers who signed in there: the link names no agent and opens as him.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/demo?agent=tom`);
    await page.goto(link!);
    await timeline(page).getByText('is the carrier API down again?').waitFor({ timeout: 5000 });
    assert.equal(await page.getByRole('combobox', { name: 'Signed in as' }).inputValue(), 'tom');
    await context.close();
  });

  it('ben marks it resolved: it leaves All, and his Mine moves on', async () => {
    await ben.getByRole('button', { name: 'Mark as Resolved' }).click();
    // The triage loop: it leaves his Mine and the next conversation there (if any) opens.
    await row(ben, 'Mine').waitFor({ state: 'detached', timeout: 2000 });
    await row(ana, 'All').waitFor({ state: 'detached', timeout: 2000 });
    await view(ana, 'Resolved').click();
    await row(ana, 'Resolved').waitFor({ timeout: 2000 });
  });

  it('the customer writes again: it is back, reopened, in All and in ben\'s Mine', async () => {
    await view(ana, 'All').click();
    await view(ben, 'Mine').click();
    await row(ana, 'All').waitFor({ state: 'detached', timeout: 2000 });
    const res = await fetch(`${base}/demo/customer-message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: CUSTOMER, phone: PHONE, channel: 'sms', body: 'Any news on my order?' }),
    });
    assert.equal(res.status, 201);
    await row(ana, 'All').waitFor({ timeout: 2000 });
    await row(ben, 'Mine').click();
    await timeline(ben).getByText('Reopened by a new message').waitFor({ timeout: 2000 });
    await ben.getByRole('button', { name: 'Mark as Resolved' }).waitFor({ timeout: 2000 });
  });

  it('an unknown agent in the address is said in the CRM\'s words, with the agents to pick from', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/demo?agent=nobody`);
      // The CRM's own notice (the inbox, told the same by the token provider, says it too, with Try again).
      await page.getByRole('alert').filter({ hasText: /^There is no demo agent "nobody"\. Pick one under "Signed in as"\.$/ }).waitFor({ timeout: 5000 });
      const picker = page.getByRole('combobox', { name: 'Signed in as' });
      assert.equal(await picker.inputValue(), 'nobody');
      assert.ok((await picker.locator('option').allTextContents()).includes('Ben Okafor (@ben)'));
    } finally {
      await page.close();
    }
  });

  it('dark theme', async () => {
    await ana.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await ana.getByRole('region', { name: 'Conversation' }).getByText('Any news on my order?').waitFor({ timeout: 2000 });
    await shoot(ana, 'dark.png');
    assert.equal(await ana.locator('team-inbox').getAttribute('theme'), 'dark');
  });

  it('at 390 px the page does not scroll sideways and the inbox is one column', async () => {
    for (const width of [390, 800]) {
      const context = await browser.newContext({ viewport: { width, height: 844 }, colorScheme: 'light' });
      const page = await context.newPage();
      await page.goto(`${base}/demo?agent=ana&view=all`);
      await list(page, 'All').getByRole('option').first().waitFor({ timeout: 5000 });
      await list(page, 'All').getByText('Loading contact').first().waitFor({ state: 'detached', timeout: 5000 });
      const fitsWidth = async () => {
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scrollWidth <= width, `page is ${scrollWidth} px wide at ${width} px`);
      };
      await fitsWidth();
      const box = await list(page, 'All').boundingBox();
      assert.ok(box && box.width > (width === 390 ? 300 : 200) && box.x + box.width <= width, `list box ${JSON.stringify(box)}`);
      if (width === 390) await shoot(page, 'width-390-list.png');
      await row(page, 'All').click();
      await timeline(page).getByText('Any news on my order?').waitFor({ timeout: 5000 });
      if (width === 390) {
        await page.getByRole('button', { name: 'Back to conversations' }).waitFor({ timeout: 2000 });
      } else {
        await page.getByRole('button', { name: 'Details' }).click();
        await page.getByRole('complementary', { name: 'Details' }).getByRole('combobox', { name: 'Assigned to' }).waitFor({ timeout: 2000 });
      }
      await fitsWidth();
      await shoot(page, `width-${width}.png`);
      await context.close();
    }
  });

  it("on a phone the address follows the inbox: Back goes from a conversation to the list, not off the page; a reload keeps the view", async () => {
    const page = await agentPage('ana', 'all', { width: 390, height: 844 });
    const query = () => new URL(page.url()).searchParams;
    await list(page, 'All').getByRole('option').first().click();
    await page.waitForFunction(() => new URL(location.href).searchParams.has('conversation'), undefined, { timeout: 2000 });
    const opened = query().get('conversation');
    assert.match(opened ?? '', /^conv_/);
    // The browser's (or the phone's) Back: the list again, still on the CRM's page.
    await page.goBack();
    await list(page, 'All').waitFor({ timeout: 2000 });
    await page.getByRole('button', { name: 'Back to conversations' }).waitFor({ state: 'detached', timeout: 2000 });
    assert.equal(new URL(page.url()).pathname, '/demo');
    assert.equal(query().get('conversation'), null);
    // Forward opens it again.
    await page.goForward();
    await page.getByRole('button', { name: 'Back to conversations' }).waitFor({ timeout: 2000 });
    assert.equal(query().get('conversation'), opened);
    // The inbox's own Back goes back through the same entry: one more Back then leaves, as it should.
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await list(page, 'All').waitFor({ timeout: 2000 });
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('conversation'), undefined, { timeout: 2000 });
    assert.equal(await page.evaluate(() => history.state), null, 'back on the entry the page was loaded with');
    // A view chosen in the inbox is in the address, so a reload opens it.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /^Unassigned\b/ }).click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('view') === 'unassigned', undefined, { timeout: 2000 });
    await page.reload();
    await list(page, 'Unassigned').waitFor({ timeout: 5000 });
    await page.context().close();
  });

  it('keyboard only, from page load: j and Enter read through Unread until its count is 0', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${base}/demo?agent=ana&view=unread`);
    const unreadCount = async () => Number(await view(page, 'Unread').locator('baton-badge').getAttribute('count'));
    await list(page, 'Unread').getByRole('option').first().waitFor({ timeout: 5000 });
    const start = await unreadCount();
    assert.ok(start > 1, `seeded Unread has ${start}`);
    // No click: the demo sets global-shortcuts, so keys from <body> reach the inbox.
    for (let i = 0; i < start + 2 && (await unreadCount()) > 0; i++) {
      const before = await unreadCount();
      await page.keyboard.press('j');
      await page.keyboard.press('Enter');
      for (let t = 0; t < 40 && (await unreadCount()) === before; t++) await page.waitForTimeout(50);
    }
    assert.equal(await unreadCount(), 0);
    await context.close();
  });

  it('Enable desktop notifications: subscribes through Web Push; a mention is pushed, decrypts, and the service worker shows it', async () => {
    const push = await startPushService();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    try {
      await context.grantPermissions(['notifications'], { origin: base });
      // Chromium's PushManager hands subscriptions out through the vendor's push service, which a
      // machine without Internet cannot reach: the page gets a subscription on this loopback push
      // service instead, with keys the test holds. Everything else is the real path: the element,
      // the host's service worker, Baton's subscription API, encryption, delivery.
      const keys = createECDH('prime256v1');
      keys.generateKeys();
      const authSecret = randomBytes(16);
      // A string, not a function: tsx's transform would leave helpers in a function's source that the page lacks.
      const stub = { endpoint: `${push.url}/push/ben-desktop`, p256dh: keys.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') };
      await context.addInitScript(`(() => {
        const { endpoint, p256dh, auth } = ${JSON.stringify(stub)};
        let current = null;
        PushManager.prototype.subscribe = async function (options) {
          current = {
            endpoint,
            expirationTime: null,
            options: { applicationServerKey: (options && options.applicationServerKey) || null, userVisibleOnly: true },
            toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
            unsubscribe: async () => { current = null; return true; },
            getKey: () => null,
          };
          return current;
        };
        PushManager.prototype.getSubscription = async () => current;
      })();`);
      const page = await context.newPage();
      await page.goto(`${base}/demo?agent=ben&view=all`);
      await list(page, 'All').getByRole('option').first().waitFor({ timeout: 5000 });
      await page.getByRole('button', { name: /^Notifications/ }).click();
      await page.getByRole('button', { name: 'Enable desktop notifications' }).click();
      const on = page.getByText('Desktop notifications are on');
      await on.or(page.getByText(/^Could not turn desktop notifications on/)).waitFor({ timeout: 5000 });
      if (!(await on.isVisible())) assert.fail((await page.getByText(/^Could not turn/).textContent()) ?? 'not on');

      // Ana mentions ben on a conversation he does not have open on either of his pages (one he is
      // viewing is not pushed; his first page may still show the earlier tests' conversation).
      const open = new Set([await page.locator('team-inbox').getAttribute('conversation-id'), await ben.locator('team-inbox').getAttribute('conversation-id')]);
      const { token } = (await (await fetch(`${base}/demo/token?agent=ana`, { method: 'POST' })).json()) as { token: string };
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const all = (await (await fetch(`${base}/v1/conversations?view=all&limit=10`, { headers: auth })).json()) as { items: { id: string }[] };
      const target = all.items.find((c) => !open.has(c.id))!;
      const noted = await fetch(`${base}/v1/conversations/${target.id}/notes`, { method: 'POST', headers: auth, body: JSON.stringify({ body: '@ben can you call them back?' }) });
      assert.equal(noted.status, 201);

      for (let i = 0; i < 100 && push.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(push.received.length, 1, 'one push for the mention');
      const [request] = push.received;
      assert.equal(request!.path, '/push/ben-desktop');
      assert.equal(request!.headers['content-encoding'], 'aes128gcm');
      const message = JSON.parse(decryptWebPush(request!.body, keys, authSecret)) as { type: string; title: string; body: string; conversationId: string };
      assert.equal(message.type, 'mentioned');
      assert.equal(message.conversationId, target.id);
      assert.match(message.title, /Ana .*mentioned you/);
      assert.doesNotMatch(JSON.stringify(message), /call them back/, 'a note never leaves in a push without the snippet setting');

      // The browser's half: the decrypted message, delivered to the host's service worker, shows a notification.
      const cdp = await context.newCDPSession(page);
      const registrationId = new Promise<string>((resolve) =>
        cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
          const live = e.registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(base));
          if (live) resolve(live.registrationId);
        }),
      );
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: base, registrationId: await registrationId, data: JSON.stringify(message) });
      const shown = await page.waitForFunction(
        async () => {
          const reg = await navigator.serviceWorker.getRegistration('/sw.js');
          const list = (await reg?.getNotifications()) ?? [];
          return list.length ? list.map((n) => ({ title: n.title, body: n.body, tag: n.tag })) : null;
        },
        undefined,
        { timeout: 5000 },
      );
      assert.deepEqual(await shown.jsonValue(), [{ title: message.title, body: message.body, tag: `baton:${target.id}` }]);

      // And off again: the switch offers to enable it.
      await page.getByRole('button', { name: 'Turn off' }).click();
      await page.getByRole('button', { name: 'Enable desktop notifications' }).waitFor({ timeout: 5000 });
    } finally {
      await context.close();
      await push.close();
    }
  });

  it('the lazy parts load from the host as chunks: the reply box, details and event sentences with the first conversation; Snooze, then the Snoozed view; Edit details', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    const chunks: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/demo/assets/standalone-chunks/')) chunks.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    const lazy = (names: string) => new RegExp(`^200 /demo/assets/standalone-chunks/(${names})-[\\w-]+\\.js$`);
    await page.goto(`${base}/demo?agent=ana&view=all`);
    await list(page, 'All').getByRole('option').first().waitFor({ timeout: 5000 });
    assert.deepEqual(chunks, [], 'nothing lazy is fetched for the first paint');
    // Opening a conversation brings the reply box, the details pane and the timeline's event
    // sentences; `r` pressed at once waits for the reply box and lands in it.
    await row(page, 'All').click();
    await page.keyboard.press('r');
    await page.waitForFunction(() => document.querySelector('team-inbox')?.shadowRoot?.querySelector('inbox-composer')?.shadowRoot?.activeElement?.getAttribute('aria-label')?.startsWith('Reply by'), null, { timeout: 5000 });
    await timeline(page).getByText("my order #4512 hasn't arrived").waitFor({ timeout: 5000 });
    await page.getByRole('complementary', { name: 'Details' }).getByRole('combobox', { name: 'Assigned to' }).waitFor({ timeout: 5000 });
    assert.equal(chunks.length, 3, chunks.join(', '));
    assert.ok(chunks.every((c) => lazy('composer|details|event-sentence').test(c)), chunks.join(', '));
    chunks.length = 0;

    await page.getByRole('button', { name: 'Snooze', exact: true }).click();
    await page.getByRole('group', { name: 'Snooze until' }).getByRole('button', { name: /^Tomorrow/ }).click();
    await view(page, 'Snoozed').click();
    await row(page, 'Snoozed').click();
    await page.getByRole('region', { name: 'Conversation' }).getByText(/Snoozed until tomorrow 9:00 AM/).waitFor({ timeout: 5000 });
    await shoot(page, 'snoozed.png');

    await page.getByRole('button', { name: 'Edit details' }).click();
    await page.getByRole('combobox', { name: 'Priority' }).waitFor({ timeout: 5000 });
    await shoot(page, 'edit-details.png');
    // The snooze menu (with the presets it shares with the bulk bar), the "Undo" toast the snooze
    // brings, and the details editor.
    assert.ok(chunks.every((c) => lazy('snooze-menu|presets|undo-toast|details-editor').test(c)), chunks.join(', '));
    for (const part of ['snooze-menu', 'undo-toast', 'details-editor']) assert.ok(chunks.some((c) => lazy(part).test(c)), `${part}: ${chunks.join(', ')}`);
    await page.getByRole('button', { name: 'Unsnooze' }).click();
    await page.getByRole('button', { name: 'Snooze', exact: true }).waitFor({ timeout: 5000 });

    // The `@` teammate picker (and the keys it shares with the saved-reply picker) with the Note tab.
    chunks.length = 0;
    await page.getByRole('tab', { name: 'Note' }).click();
    await page.getByRole('textbox', { name: 'Note' }).fill('Ask @be');
    await page.getByRole('listbox', { name: 'Teammates' }).getByRole('option', { name: /Ben Okafor/ }).waitFor({ timeout: 5000 });
    assert.ok(chunks.some((c) => lazy('mention-controller').test(c)) && chunks.every((c) => lazy('mention-controller|picker-keys').test(c)), chunks.join(', '));
    await context.close();
  });

  it('snoozed from the header, woken by the customer: it leaves All for Snoozed, and the new message brings it back for both agents', async () => {
    const name = 'Sam Snoozer';
    const phone = '+15550108801';
    await customerWrites(name, phone, 'Can we talk about the invoice next week?');
    const [anaPage, benPage] = await Promise.all([agentPage('ana', 'all'), agentPage('ben', 'all')]);
    try {
      await rowNamed(anaPage, 'All', name).click();
      await timeline(anaPage).getByText('Can we talk about the invoice next week?').waitFor({ timeout: 5000 });
      await rowNamed(benPage, 'All', name).waitFor({ timeout: 5000 });

      await anaPage.getByRole('button', { name: 'Snooze', exact: true }).click();
      await anaPage.getByRole('group', { name: 'Snooze until' }).getByRole('button', { name: /^Tomorrow/ }).click();
      // It leaves the open views at once, on both pages.
      await rowNamed(anaPage, 'All', name).waitFor({ state: 'detached', timeout: 5000 });
      await rowNamed(benPage, 'All', name).waitFor({ state: 'detached', timeout: 5000 });
      await view(anaPage, 'Snoozed').click();
      await rowNamed(anaPage, 'Snoozed', name).click();
      await timeline(anaPage).getByText(/Snoozed until tomorrow 9:00 AM/).waitFor({ timeout: 5000 });
      await timeline(anaPage).getByText(/Ana snoozed this until tomorrow 9:00 AM/).waitFor({ timeout: 5000 });
      await anaPage.getByRole('button', { name: 'Unsnooze' }).waitFor({ timeout: 5000 });

      // The customer writes: it wakes, live, for the agent reading it in Snoozed and for ben in All.
      await customerWrites(name, phone, 'Actually, could someone call me today?');
      await rowNamed(anaPage, 'Snoozed', name).waitFor({ state: 'detached', timeout: 5000 });
      await timeline(anaPage).getByText('Woke up: a new message').waitFor({ timeout: 5000 });
      await timeline(anaPage).getByText(/Snoozed until/).waitFor({ state: 'detached', timeout: 5000 });
      await anaPage.getByRole('button', { name: 'Snooze', exact: true }).waitFor({ timeout: 5000 });
      await rowNamed(benPage, 'All', name).click();
      await timeline(benPage).getByText('Actually, could someone call me today?').waitFor({ timeout: 5000 });
      await timeline(benPage).getByText('Woke up: a new message').waitFor({ timeout: 5000 });
      await view(anaPage, 'All').click();
      await rowNamed(anaPage, 'All', name).waitFor({ timeout: 5000 });
    } finally {
      await Promise.all([anaPage.context().close(), benPage.context().close()]);
    }
  });

  it('bulk resolve of 5: x on one row, Shift+click on the fifth, Resolve in the bulk bar; they leave All on both pages and are in Resolved', async () => {
    const names = [1, 2, 3, 4, 5].map((i) => `Bulk Buyer ${i}`);
    // One after the other: the newest is listed first, so the five stay together at the top of All.
    for (const [i, name] of names.entries()) await customerWrites(name, `+1555010770${i}`, `Order ${i + 1} is missing a part`);
    const [anaPage, benPage] = await Promise.all([agentPage('ana', 'all'), agentPage('ben', 'all')]);
    try {
      for (const name of names) {
        await rowNamed(anaPage, 'All', name).waitFor({ timeout: 5000 });
        await rowNamed(benPage, 'All', name).waitFor({ timeout: 5000 });
      }
      // Nothing is ticked in a page that just loaded.
      assert.equal(await list(anaPage, 'All').getByRole('option', { checked: true }).count(), 0);
      await rowNamed(anaPage, 'All', names[4]!).click();
      await anaPage.keyboard.press('x');
      await rowNamed(anaPage, 'All', names[0]!).click({ modifiers: ['Shift'] });
      const ticked = list(anaPage, 'All').getByRole('option', { checked: true });
      await ticked.nth(4).waitFor({ timeout: 5000 });
      assert.equal(await ticked.count(), 5);
      for (const name of names) assert.equal(await rowNamed(anaPage, 'All', name).getAttribute('aria-checked'), 'true', name);

      const bar = anaPage.getByRole('toolbar', { name: 'Bulk actions' });
      await bar.getByText('5 selected').waitFor({ timeout: 5000 });
      await bar.getByRole('button', { name: 'Resolve' }).click();
      await anaPage.getByRole('region', { name: 'Inbox' }).getByRole('status').filter({ hasText: /^5 resolved$/ }).waitFor({ timeout: 5000 });
      await bar.waitFor({ state: 'detached', timeout: 5000 });
      for (const name of names) {
        await rowNamed(anaPage, 'All', name).waitFor({ state: 'detached', timeout: 5000 });
        await rowNamed(benPage, 'All', name).waitFor({ state: 'detached', timeout: 5000 });
      }
      await view(anaPage, 'Resolved').click();
      for (const name of names) await rowNamed(anaPage, 'Resolved', name).waitFor({ timeout: 5000 });
    } finally {
      await Promise.all([anaPage.context().close(), benPage.context().close()]);
    }
  });

  it('two answers at once: ben replies while ana writes hers, and her Send stops to say so; "Send anyway" sends it', async () => {
    const name = 'Cora Collins';
    await customerWrites(name, '+15550109901', 'Do you sell gift cards?');
    const [anaPage, benPage] = await Promise.all([agentPage('ana', 'all'), agentPage('ben', 'all')]);
    try {
      for (const page of [anaPage, benPage]) {
        await rowNamed(page, 'All', name).click();
        await timeline(page).getByText('Do you sell gift cards?').waitFor({ timeout: 5000 });
      }
      await anaPage.getByRole('textbox', { name: /^Reply/ }).fill('Yes, from $10 to $500.');
      await benPage.getByRole('textbox', { name: /^Reply/ }).fill('We do, in any amount.');
      await benPage.getByRole('button', { name: 'Send', exact: true }).click();
      await timeline(anaPage).getByText('We do, in any amount.').waitFor({ timeout: 5000 });

      await anaPage.getByRole('button', { name: 'Send', exact: true }).click();
      await anaPage.getByRole('alert').filter({ hasText: 'Ben Okafor replied while you were writing.' }).waitFor({ timeout: 5000 });
      assert.equal(await timeline(anaPage).getByText('Yes, from $10 to $500.').count(), 0, 'nothing sent yet');
      await anaPage.getByRole('button', { name: 'Send anyway' }).click();
      await timeline(benPage).getByText('Yes, from $10 to $500.').waitFor({ timeout: 5000 });
    } finally {
      await Promise.all([anaPage.context().close(), benPage.context().close()]);
    }
  });

  it('at 1,440 / 1,024 / 800 / 390 px nothing in the header or the list toolbar overlaps or leaves the inbox, and the page does not scroll sideways; 10 rows show at 1,440 × 900', async () => {
    // Enough conversations in All for ten rows, and a long name to crowd the header.
    const { token } = (await (await fetch(`${base}/demo/token?agent=ana`, { method: 'POST' })).json()) as { token: string };
    const listed = (await (await fetch(`${base}/v1/conversations?view=all&limit=12`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: unknown[] };
    for (let i = listed.items.length; i < 12; i++) await customerWrites(`Layout Lee ${i}`, `+155501066${String(i).padStart(2, '0')}`, 'Just checking in');
    const longName = 'Maximiliana Featherstonehaugh-Worthington';
    await customerWrites(longName, '+15550106699', 'My subscription renewal failed twice and the card is fine. Can you look into it?');

    for (const [width, height] of [[1440, 900], [1024, 900], [800, 900], [390, 844]] as const) {
      const page = await agentPage('ana', 'all', { width, height });
      try {
        const inbox = page.locator('team-inbox');
        const sidebar = page.getByRole('region', { name: 'Inbox' });
        const conversation = page.getByRole('region', { name: 'Conversation' });
        // The visible controls of the list's toolbar (search, bell, switch, views, select all, filters)
        // and of the conversation's header (back, details, the name, its actions), by role and name.
        const controls: [name: string, locator: Locator][] = [
          ['Search', sidebar.getByRole('combobox', { name: 'Search' })],
          ['Notifications', sidebar.getByRole('button', { name: /^Notifications/ })],
          ['Available', sidebar.getByRole('switch')],
          ...['Mine', 'Unassigned', 'Mentioned', 'Unread', 'All', 'Resolved', 'Snoozed'].map((v): [string, Locator] => [`view ${v}`, view(page, v)]),
          ['Select all in view', sidebar.getByRole('checkbox', { name: 'Select all in view' })],
          ['Filters', sidebar.getByRole('button', { name: 'Filters', exact: true })],
          ['the list', list(page, 'All')],
          ['Back to conversations', conversation.getByRole('button', { name: 'Back to conversations' })],
          ['Details', conversation.getByRole('button', { name: 'Details', exact: true })],
          ['the contact (heading)', conversation.getByRole('heading', { level: 2 }).first()],
          ...['Assign to me', 'Snooze', 'Unsnooze', 'Mark as Resolved', 'Reopen'].map((n): [string, Locator] => [n, conversation.getByRole('button', { name: n, exact: true })]),
        ];
        /** `expected`: controls that must be among those measured, so the check cannot pass on an empty page. */
        const checkLayout = async (state: string, expected: string[]) => {
          const outer = (await inbox.boundingBox())!;
          const boxes: { name: string; box: { x: number; y: number; width: number; height: number } }[] = [];
          for (const [name, control] of controls) {
            if (!(await control.isVisible())) continue;
            const box = await control.boundingBox();
            if (box && box.width > 0 && box.height > 0) boxes.push({ name, box });
          }
          const measured = boxes.map((b) => b.name);
          for (const name of expected) assert.ok(measured.includes(name), `${width} px, ${state}: ${name} is not visible (measured ${measured.join(', ')})`);
          const slack = 0.5;
          for (const { name, box } of boxes) {
            const inside =
              box.x >= outer.x - slack && box.y >= outer.y - slack && box.x + box.width <= outer.x + outer.width + slack && box.y + box.height <= outer.y + outer.height + slack;
            assert.ok(inside, `${width} px, ${state}: ${name} ${JSON.stringify(box)} is outside the inbox ${JSON.stringify(outer)}`);
          }
          for (const [i, a] of boxes.entries()) {
            for (const b of boxes.slice(i + 1)) {
              const overlapX = Math.min(a.box.x + a.box.width, b.box.x + b.box.width) - Math.max(a.box.x, b.box.x);
              const overlapY = Math.min(a.box.y + a.box.height, b.box.y + b.box.height) - Math.max(a.box.y, b.box.y);
              assert.ok(overlapX <= 1 || overlapY <= 1, `${width} px, ${state}: ${a.name} ${JSON.stringify(a.box)} overlaps ${b.name} ${JSON.stringify(b.box)}`);
            }
          }
          const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(scrollWidth <= width, `${width} px, ${state}: the page is ${scrollWidth} px wide`);
        };

        const listControls = ['Search', 'Notifications', 'Available', 'view All', 'view Snoozed', 'Select all in view', 'Filters', 'the list'];
        const headerControls = ['the contact (heading)', 'Assign to me', 'Snooze', 'Mark as Resolved'];
        await checkLayout('list', listControls);
        // The bell's panel opens inside the inbox too (at 390 px it once ran off the right edge).
        const bell = sidebar.getByRole('button', { name: /^Notifications/ });
        await bell.click();
        const panel = sidebar.getByRole('region', { name: 'Notifications' });
        await panel.getByRole('heading', { name: 'Notifications' }).waitFor({ timeout: 5000 });
        const [panelBox, inboxBox] = [(await panel.boundingBox())!, (await inbox.boundingBox())!];
        assert.ok(panelBox.x >= inboxBox.x && panelBox.x + panelBox.width <= inboxBox.x + inboxBox.width + 0.5, `${width} px: the bell's panel ${JSON.stringify(panelBox)} leaves the inbox ${JSON.stringify(inboxBox)}`);
        await bell.click();
        await panel.waitFor({ state: 'hidden', timeout: 5000 });
        if (width === 1440) {
          const listBox = (await list(page, 'All').boundingBox())!;
          let shown = 0;
          for (const option of await list(page, 'All').getByRole('option').all()) {
            const box = await option.boundingBox();
            if (box && box.y >= listBox.y - 0.5 && box.y + box.height <= listBox.y + listBox.height + 0.5) shown++;
          }
          assert.ok(shown >= 10, `${shown} rows fully visible at 1,440 × 900`);
        }
        await rowNamed(page, 'All', longName).click();
        await conversation.getByText('My subscription renewal failed twice').waitFor({ timeout: 5000 });
        await conversation.getByRole('button', { name: 'Mark as Resolved' }).waitFor({ timeout: 5000 });
        // One column below 700 px: the conversation replaces the list, with a way back.
        await checkLayout('conversation open', width === 390 ? [...headerControls, 'Back to conversations'] : width < 1000 ? [...listControls, ...headerControls, 'Details'] : [...listControls, ...headerControls]);
        if (width === 1440) await shoot(page, 'width-1440.png');
      } finally {
        await page.context().close();
      }
    }
  });
});
