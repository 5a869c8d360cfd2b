import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { AddressObject, ParsedMail } from 'mailparser';
import { snippetOf, SNIPPET_MAX } from '../src/notify/content.js';
import { DEFAULT_EMAIL_HOLD_MS } from '../src/notify/notifier.js';
import { TestServer, tempDbFile, type TestAgent, type TestWorkspace } from '../src/testing.js';
import { startSmtpSink } from '../src/testing-smtp.js';

/**
 * Email notifications end to end: a real SMTP server (smtp-server) on loopback receives what
 * nodemailer sends, and the tests parse it (mailparser). Background work is stepped by hand:
 * drain the outbox (the notifier decides), then run due jobs (the email handler sends).
 */

/** The sink on loopback for one test, closed after it. */
async function smtpSink(t: TestContext, options: { rejectFirst?: number; rejectCode?: number } = {}) {
  const sink = await startSmtpSink(options);
  t.after(() => sink.close());
  return sink;
}

const CONTACT = { name: 'Dana Whitfield', phone: '+15557654321', email: 'dana.whitfield@customer.example' };
const CUSTOMER_TEXT = 'Hello, my order 7781 never arrived';

async function setup(t: TestContext, options: { rejectFirst?: number; rejectCode?: number; publicUrl?: string; notifyCoalesceMs?: number; emailHoldMs?: number; smtp?: boolean; db?: string } = {}) {
  const sink = await smtpSink(t, { rejectFirst: options.rejectFirst, rejectCode: options.rejectCode });
  const server = await TestServer.startFor(t, {
    ...(options.smtp === false ? {} : { smtpUrl: sink.url }),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.notifyCoalesceMs !== undefined ? { notifyCoalesceMs: options.notifyCoalesceMs } : {}),
    ...(options.emailHoldMs !== undefined ? { emailHoldMs: options.emailHoldMs } : {}),
    ...(options.db ? { db: options.db } : {}),
  });
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana', { email: 'ana@team.example' });
  const ben = await ws.addAgent('ben', { email: 'ben@team.example' });
  /** Outbox → notifier → jobs → SMTP, all of it, now. */
  const step = async () => {
    await server.server.deps.relay.drain();
    await server.server.deps.jobs.runDue();
  };
  return { sink, server, ws, ana, ben, step, clock: server.clock! };
}

async function conversation(ws: TestWorkspace) {
  const res = await ws.api('POST', '/v1/conversations', { contact: CONTACT, channel: 'sms', message: { body: CUSTOMER_TEXT } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.conversation as { id: string };
}

async function note(agent: TestAgent, conversationId: string, body: string) {
  const res = await agent.call('POST', `/v1/conversations/${conversationId}/notes`, { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.note;
}

async function notificationCount(agent: TestAgent): Promise<number> {
  const res = await agent.call('GET', '/v1/notifications?limit=100');
  assert.equal(res.status, 200);
  return res.body.items.length;
}

const toText = (to: AddressObject | AddressObject[] | undefined) => (Array.isArray(to) ? to.map((a) => a.text).join(', ') : (to?.text ?? ''));
const everything = (m: ParsedMail) => [m.subject ?? '', m.text ?? '', typeof m.html === 'string' ? m.html : '', m.textAsHtml ?? ''].join('\n');

test('a mention emails the agent: subject, recipient and link, but no contact details and no note text', async (t) => {
  const { sink, ws, ana, step } = await setup(t);
  const patched = await ws.api('PATCH', '/v1/workspace', { linkTemplate: 'https://crm.example/inbox?ws={workspaceId}&c={conversationId}' });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const conv = await conversation(ws);
  await note(ana, conv.id, '@ben the refund code is NOTE-SECRET-4242, please call her back');
  await step();

  const mails = await sink.mails();
  assert.equal(mails.length, 1, 'exactly one email: Ben was mentioned, Ana wrote it');
  const { rcptTo, mail } = mails[0]!;
  assert.deepEqual(rcptTo, ['ben@team.example']);
  assert.match(toText(mail.to), /ben@team\.example/);
  assert.equal(mail.subject, 'Ana mentioned you in a conversation');
  const link = `https://crm.example/inbox?ws=${ws.id}&c=${conv.id}`;
  assert.ok(mail.text?.includes(link), mail.text);
  assert.ok(typeof mail.html === 'string' && mail.html.includes(`href="${link.replace('&', '&amp;')}"`), String(mail.html));
  assert.ok(mail.text?.includes(conv.id) && mail.text.includes('sms'), 'says which conversation');
  const all = everything(mail);
  for (const secret of ['Dana', 'Whitfield', CONTACT.phone, CONTACT.email, 'NOTE-SECRET-4242', 'refund', '7781', 'never arrived']) {
    assert.ok(!all.includes(secret), `the email must not contain ${secret}`);
  }
});

test('a snippet of the note is included only once the workspace turns snippets on', async (t) => {
  const { sink, ws, ana, step } = await setup(t);
  const first = await conversation(ws);
  await note(ana, first.id, '@ben SNIPPET-MARKER one: please look');
  await step();

  const on = await ws.api('PATCH', '/v1/workspace', { notificationSnippets: true });
  assert.equal(on.status, 200);
  assert.equal(on.body.workspace.notificationSnippets, true);
  const second = await conversation(ws);
  const long = `@ben SNIPPET-MARKER two ${'x'.repeat(300)} TAIL-NOT-INCLUDED`;
  await note(ana, second.id, long);
  await step();

  const mails = (await sink.mails()).map((m) => m.mail);
  assert.equal(mails.length, 2);
  assert.ok(!everything(mails[0]!).includes('SNIPPET-MARKER'), 'no snippet while the setting is off');
  const text = mails[1]!.text ?? '';
  const quoted = /“([^”]*)”/.exec(text)?.[1];
  assert.ok(quoted !== undefined && quoted.startsWith('@ben SNIPPET-MARKER two'), text);
  assert.ok(quoted.length <= 120, `snippet is ${quoted.length} characters`);
  assert.ok(!text.includes('TAIL-NOT-INCLUDED'));
  assert.ok(typeof mails[1]!.html === 'string' && mails[1]!.html.includes('SNIPPET-MARKER two'));
  for (const secret of ['Dana', CONTACT.phone, CONTACT.email]) assert.ok(!everything(mails[1]!).includes(secret), `no ${secret} even with snippets`);
});

test("emails keep robots from answering and thread by conversation; with snippets on, the subject names the conversation", async (t) => {
  const { sink, ws, ana, ben, step } = await setup(t);
  const subjectLine = 'Refund for order 4512';
  const start = async () => {
    const res = await ws.api('POST', '/v1/conversations', { contact: CONTACT, channel: 'email', subject: subjectLine, message: { body: CUSTOMER_TEXT } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.conversation as { id: string };
  };
  const first = await start();
  const second = await start();
  await note(ana, first.id, '@ben one');
  await note(ana, second.id, '@ben two');
  await step();
  await ws.api('PATCH', '/v1/workspace', { notificationSnippets: true });
  assert.equal((await ana.call('POST', `/v1/conversations/${first.id}/assign`, { assigneeId: ben.id })).status, 200);
  await step();

  const mails = (await sink.mails()).map((m) => m.mail);
  assert.deepEqual(mails.map((m) => m.subject), [
    'Ana mentioned you in a conversation',
    'Ana mentioned you in a conversation',
    `Ana assigned a conversation to you: ${subjectLine}`,
  ], "the subject line is the customer's words: only with snippets on");
  for (const m of mails) {
    assert.equal(m.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(m.headers.get('x-auto-response-suppress'), 'All');
  }
  const thread = (m: ParsedMail) => [m.references ?? []].flat();
  assert.deepEqual(thread(mails[0]!), [`<${first.id}.${ws.id}@conversations.baton>`]);
  assert.deepEqual(thread(mails[2]!), thread(mails[0]!), 'one conversation, one thread');
  assert.notDeepEqual(thread(mails[1]!), thread(mails[0]!), 'another conversation, another thread');
});

test('without a workspace link template the email has no link, even with the server URL: Baton serves no page to open', async (t) => {
  const { sink, ws, ana, step } = await setup(t, { publicUrl: 'https://baton.example/' });
  const conv = await conversation(ws);
  await note(ana, conv.id, '@ben look');
  await step();
  const [m] = await sink.mails();
  assert.ok(!/https?:\/\//.test(m!.mail.text ?? ''), m!.mail.text);
  assert.ok(!(typeof m!.mail.html === 'string' && m!.mail.html.includes('<a ')), 'no link in the HTML');
});

test('PATCH /v1/workspace: validated settings, API key or admin only, shown by GET /v1/workspace', async (t) => {
  const { ws, ben } = await setup(t);
  const before = await ws.api('GET', '/v1/workspace');
  assert.equal(before.body.workspace.linkTemplate, null);
  assert.equal(before.body.workspace.notificationSnippets, false);

  for (const bad of [
    { linkTemplate: 'https://crm.example/inbox' },
    { linkTemplate: 'javascript:alert(1)//{conversationId}' },
    { linkTemplate: 'not a url {conversationId}' },
    { notificationSnippets: 'yes' },
    { somethingElse: true },
  ]) {
    const res = await ws.api('PATCH', '/v1/workspace', bad);
    assert.equal(res.status, 400, `${JSON.stringify(bad)} → ${res.status}`);
    assert.equal(res.body.error.code, 'validation_failed');
  }
  const byAgent = await ben.call('PATCH', '/v1/workspace', { notificationSnippets: true });
  assert.equal(byAgent.status, 403);

  const boss = await ws.addAgent('boss', { role: 'admin' });
  const byAdmin = await boss.call('PATCH', '/v1/workspace', { linkTemplate: 'http://crm.local/c/{conversationId}', notificationSnippets: true });
  assert.equal(byAdmin.status, 200, JSON.stringify(byAdmin.body));
  const after = await ben.call('GET', '/v1/workspace');
  assert.equal(after.body.workspace.linkTemplate, 'http://crm.local/c/{conversationId}');
  assert.equal(after.body.workspace.notificationSnippets, true);

  const cleared = await ws.api('PATCH', '/v1/workspace', { linkTemplate: null });
  assert.equal(cleared.body.workspace.linkTemplate, null);
  assert.equal(cleared.body.workspace.notificationSnippets, true, 'fields not named stay as they were');
});

test('an SMTP failure is retried with backoff on the clock', async (t) => {
  const { sink, ws, ana, step, clock, server } = await setup(t, { rejectFirst: 1 });
  const conv = await conversation(ws);
  await note(ana, conv.id, '@ben please look');
  await step();
  assert.equal(sink.rejected, 1, 'the first attempt reached the server and was turned away');
  assert.equal((await sink.mails()).length, 0);

  clock.advance(4_000);
  await server.server.deps.jobs.runDue();
  assert.equal((await sink.mails()).length, 0, 'not retried before the backoff delay');

  clock.advance(1_000);
  await server.server.deps.jobs.runDue();
  const mails = await sink.mails();
  assert.equal(mails.length, 1, 'the retry got through');
  assert.equal(mails[0]!.mail.subject, 'Ana mentioned you in a conversation');
  assert.equal(sink.rejected, 1);
});

/** The email jobs' outcome as the jobs table keeps it (the delivery log's source). */
async function emailJobs(server: TestServer) {
  const rows = await server.server.deps.storage.db.selectFrom('jobs').select(['status', 'attempts', 'last_error']).where('kind', '=', 'email').orderBy('id').execute();
  return rows.map((r) => ({ status: r.status, attempts: Number(r.attempts), error: r.last_error }));
}

test('a mail server refusing the message for good (5xx) is not asked again; the operator is told, without the address', async (t) => {
  const warned: string[] = [];
  t.mock.method(console, 'warn', (...args: unknown[]) => void warned.push(args.join(' ')));
  const { sink, ws, ana, ben, step, clock, server } = await setup(t, { rejectFirst: 5, rejectCode: 550 });
  const conv = await conversation(ws);
  await note(ana, conv.id, '@ben please look');
  await step();
  assert.equal(sink.rejected, 1);
  for (let i = 0; i < 4; i++) {
    clock.advance(3_600_000);
    await server.server.deps.jobs.runDue();
  }
  assert.equal(sink.rejected, 1, 'RFC 5321: a 5xx is not sent again as it is');
  assert.deepEqual(await emailJobs(server), [{ status: 'failed', attempts: 1, error: 'Message failed: 550 no such mailbox' }]);
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, new RegExp(`agent ${ben.id} .*refused, not retried: Message failed: 550 no such mailbox`));
  assert.ok(!warned[0]!.includes('ben@team.example'), 'no address in the log');
});

test('an email that went stale while it waited is skipped: the agent deactivated, the notification read, the conversation handed on', async (t) => {
  // Each case: the first attempt is told "try later" (451), things change, then the retry is due.
  const held = async () => {
    const ctx = await setup(t, { rejectFirst: 1 });
    const boss = await ctx.ws.addAgent('boss', { role: 'admin' });
    const conv = await conversation(ctx.ws);
    return { ...ctx, boss, conv };
  };
  const retry = async ({ clock, server }: Awaited<ReturnType<typeof held>>) => {
    clock.advance(5_000);
    await server.server.deps.jobs.runDue();
  };

  const deactivated = await held();
  await note(deactivated.ana, deactivated.conv.id, '@ben the refund note');
  await deactivated.step();
  assert.equal((await deactivated.boss.call('PATCH', `/v1/agents/${deactivated.ben.id}`, { active: false })).status, 200);
  await retry(deactivated);
  assert.deepEqual(await deactivated.sink.mails(), []);
  assert.deepEqual(await emailJobs(deactivated.server), [{ status: 'skipped', attempts: 2, error: 'the agent was deactivated' }]);

  const read = await held();
  await note(read.ana, read.conv.id, '@ben have a look');
  await read.step();
  assert.equal((await read.ben.call('POST', '/v1/notifications/read', { all: true })).status, 200);
  await retry(read);
  assert.deepEqual(await read.sink.mails(), []);
  assert.deepEqual(await emailJobs(read.server), [{ status: 'skipped', attempts: 2, error: 'the agent read it in Baton first' }]);

  const handedOn = await held();
  assert.equal((await handedOn.ana.call('POST', `/v1/conversations/${handedOn.conv.id}/assign`, { assigneeId: handedOn.ben.id })).status, 200);
  await handedOn.step();
  assert.equal((await handedOn.ana.call('POST', `/v1/conversations/${handedOn.conv.id}/assign`, { assigneeId: handedOn.ana.id })).status, 200);
  await handedOn.step();
  await retry(handedOn);
  assert.deepEqual(await handedOn.sink.mails(), []);
  assert.deepEqual(await emailJobs(handedOn.server), [{ status: 'skipped', attempts: 2, error: 'the conversation is no longer assigned to the agent' }]);

  // Nothing changed: the retry delivers (the control for the three above).
  const unchanged = await held();
  assert.equal((await unchanged.ana.call('POST', `/v1/conversations/${unchanged.conv.id}/assign`, { assigneeId: unchanged.ben.id })).status, 200);
  await unchanged.step();
  await retry(unchanged);
  assert.deepEqual((await unchanged.sink.mails()).map((m) => m.mail.subject), ['Ana assigned a conversation to you']);
});

test('a snippet is cut between characters: never half an emoji, a flag or an accent', () => {
  const words = 'a'.repeat(SNIPPET_MAX - 2);
  for (const tail of ['😀 and more', '🇵🇹 and more', 'e\u0301 and more', '👩‍👩‍👧 and more']) {
    const cut = snippetOf(words + tail);
    assert.ok(cut.length <= SNIPPET_MAX, `${cut.length} units`);
    assert.ok(cut.endsWith('…'), cut);
    assert.equal(cut.slice(0, -1), words, `the ${JSON.stringify(tail.slice(0, 2))} that does not fit is left out whole`);
  }
  const fits = 'b'.repeat(SNIPPET_MAX - 4);
  assert.equal(snippetOf(`${fits}😀 and more`), `${fits}😀…`, 'a whole emoji that fits stays');
  assert.equal(snippetOf('  short\n\n text '), 'short text');
});

test('preferences: defaults, partial updates, strict bodies', async (t) => {
  const { ben, ws } = await setup(t);
  const defaults = await ben.call('GET', '/v1/agents/me/preferences');
  assert.equal(defaults.status, 200);
  assert.deepEqual(defaults.body.preferences, {
    assigned: { inapp: true, email: true, push: true },
    mentioned: { inapp: true, email: true, push: true },
    reopened: { inapp: true, email: false, push: false },
  });
  const put = await ben.call('PUT', '/v1/agents/me/preferences', { mentioned: { email: false }, reopened: { push: true } });
  assert.equal(put.status, 200);
  assert.deepEqual(put.body.preferences, {
    assigned: { inapp: true, email: true, push: true },
    mentioned: { inapp: true, email: false, push: true },
    reopened: { inapp: true, email: false, push: true },
  });
  assert.deepEqual((await ben.call('GET', '/v1/agents/me/preferences')).body, put.body, 'stored');

  for (const bad of [{ mentioned: { sms: true } }, { queued_timeout: { email: true } }, { mentioned: { email: 'no' } }, { mentioned: true }]) {
    const res = await ben.call('PUT', '/v1/agents/me/preferences', bad);
    assert.equal(res.status, 400, JSON.stringify(bad));
  }
  assert.equal((await ws.api('GET', '/v1/agents/me/preferences')).status, 403, 'an agent token only');
  const ana = await ws.addAgent('ana2');
  assert.deepEqual((await ana.call('GET', '/v1/agents/me/preferences')).body, defaults.body, "one agent's switches are theirs alone");
});

test('the preference matrix decides each channel on its own', async (t) => {
  const { sink, ws, ana, ben, step, server } = await setup(t, { emailHoldMs: 0 }); // in-app and email each on their own: no hold for an agent in Baton
  const subjects = async () => (await sink.mails()).map((m) => m.mail.subject);

  // Email off for mentions: in-app still, no email.
  await ben.call('PUT', '/v1/agents/me/preferences', { mentioned: { email: false } });
  const c1 = await conversation(ws);
  await note(ana, c1.id, '@ben one');
  await step();
  assert.equal(await notificationCount(ben), 1);
  assert.deepEqual(await subjects(), []);

  // In-app off, email on: no notification row (and no socket event), but the email goes out.
  await ben.call('PUT', '/v1/agents/me/preferences', { mentioned: { inapp: false, email: true } });
  const { socket } = await server.connect(ben.token);
  const seen: unknown[] = [];
  socket.on('notification:created', (e) => seen.push(e));
  const c2 = await conversation(ws);
  await note(ana, c2.id, '@ben two');
  await step();
  await socket.timeout(2000).emitWithAck('presence:viewing', { conversationId: null }); // a round trip: earlier events have arrived
  assert.equal(await notificationCount(ben), 1, 'no new in-app notification');
  assert.deepEqual(seen, []);
  assert.deepEqual(await subjects(), ['Ana mentioned you in a conversation']);

  // Assigned: email on by default.
  const assigned = await ana.call('POST', `/v1/conversations/${c2.id}/assign`, { assigneeId: ben.id });
  assert.equal(assigned.status, 200);
  await step();
  assert.equal((await subjects()).at(-1), 'Ana assigned a conversation to you');
  assert.equal(await notificationCount(ben), 2);

  // Reopened: email off by default; on once Ben asks for it.
  const reopenOnce = async () => {
    assert.equal((await ana.call('POST', `/v1/conversations/${c2.id}/resolve`)).status, 200);
    assert.equal((await ana.call('POST', `/v1/conversations/${c2.id}/reopen`)).status, 200);
    await step();
  };
  await reopenOnce();
  assert.equal(await notificationCount(ben), 3, 'in-app says it was reopened');
  assert.equal((await subjects()).length, 2, 'no email for reopened by default');
  await ben.call('PUT', '/v1/agents/me/preferences', { reopened: { email: true } });
  await reopenOnce();
  assert.equal((await subjects()).at(-1), 'A conversation assigned to you was reopened');
  assert.equal((await subjects()).length, 3);
  const reopenedMail = (await sink.mails()).at(-1)!.mail;
  assert.match(reopenedMail.text ?? '', /Ana reopened a conversation assigned to you/);
});

test('repeated mentions within the coalescing window send one email; in-app lists each', async (t) => {
  const { sink, ws, ana, ben, step, clock } = await setup(t);
  const conv = await conversation(ws);
  const other = await conversation(ws);
  for (let i = 0; i < 3; i++) {
    if (i > 0) clock.advance(60_000);
    await note(ana, conv.id, `@ben ping ${i}`);
    await step();
  }
  assert.equal(await notificationCount(ben), 3, 'three in-app notifications');
  assert.equal((await sink.mails()).length, 1, 'one email for three mentions in two minutes');

  await note(ana, other.id, '@ben elsewhere');
  await step();
  assert.equal((await sink.mails()).length, 2, 'another conversation is not coalesced with the first');

  clock.advance(8 * 60_000 + 1); // ten minutes and a bit after the first email
  await note(ana, conv.id, '@ben still there?');
  await step();
  assert.equal((await sink.mails()).length, 3, 'after the window, a new email');
  assert.equal(await notificationCount(ben), 5);
});

test('mentions the relay hands on in one batch are coalesced too: one email', async (t) => {
  const { sink, server, ws, ana, ben, step } = await setup(t);
  const conv = await conversation(ws);
  await step();
  // The relay waits while this runs, so the three notes' rows reach the notifier in one pass,
  // before any of their jobs is written.
  await server.server.deps.relay.exclusive(async () => {
    for (let i = 0; i < 3; i++) await note(ana, conv.id, `@ben ping ${i}`);
  });
  await step();
  assert.equal(await notificationCount(ben), 3);
  assert.equal((await sink.mails()).length, 1, 'one email for three mentions in one batch');
});

test('the coalescing window is configurable', async (t) => {
  const { sink, ws, ana, step, clock } = await setup(t, { notifyCoalesceMs: 30_000 });
  const conv = await conversation(ws);
  await note(ana, conv.id, '@ben one');
  await step();
  clock.advance(20_000);
  await note(ana, conv.id, '@ben two');
  await step();
  assert.equal((await sink.mails()).length, 1);
  clock.advance(20_000);
  await note(ana, conv.id, '@ben three');
  await step();
  assert.equal((await sink.mails()).length, 2, '40 s after the first email, past a 30 s window');
});

test('no email while the agent is viewing the conversation; email again once they leave it', async (t) => {
  const { sink, ws, ana, ben, step, server, clock } = await setup(t);
  const conv = await conversation(ws);
  const { socket } = await server.connect(ben.token);
  const created: any[] = [];
  socket.on('notification:created', (e) => created.push(e));
  const viewing = await socket.timeout(2000).emitWithAck('presence:viewing', { conversationId: conv.id });
  assert.equal(viewing.ok, true);

  await note(ana, conv.id, '@ben while you are here');
  await step();
  await socket.timeout(2000).emitWithAck('presence:viewing', { conversationId: conv.id }); // round trip
  assert.equal(created.length, 1, 'the in-app notification still arrives');
  assert.equal((await sink.mails()).length, 0, 'but no email');

  await socket.timeout(2000).emitWithAck('presence:viewing', { conversationId: null });
  await note(ana, conv.id, '@ben now that you left');
  await step();
  // Still in Baton (a socket open): the email waits for him to see it there first, and goes when he has not.
  assert.equal((await sink.mails()).length, 0);
  clock.advance(DEFAULT_EMAIL_HOLD_MS);
  await server.server.deps.jobs.runDue();
  assert.equal((await sink.mails()).length, 1);
});

test('an agent working in Baton is emailed only what they have not read there within 2 minutes; one not in Baton is emailed at once', async (t) => {
  const { sink, ws, ana, ben, step, server, clock } = await setup(t);
  const mailed = async () => (await sink.mails()).map((m) => m.mail.subject);
  const { socket } = await server.connect(ben.token);
  await socket.timeout(2000).emitWithAck('presence:viewing', { conversationId: null });

  // Unread after the hold: it goes.
  const c1 = await conversation(ws);
  await note(ana, c1.id, '@ben first');
  await step();
  assert.deepEqual(await mailed(), [], 'held while he is in Baton');
  clock.advance(DEFAULT_EMAIL_HOLD_MS - 1);
  await server.server.deps.jobs.runDue();
  assert.deepEqual(await mailed(), []);
  clock.advance(1);
  await server.server.deps.jobs.runDue();
  assert.deepEqual(await mailed(), ['Ana mentioned you in a conversation']);

  // Read in Baton meanwhile (the bell, or opening the conversation): never emailed.
  const c2 = await conversation(ws);
  await note(ana, c2.id, '@ben second');
  await step();
  assert.equal((await ben.call('POST', '/v1/notifications/read', { all: true })).status, 200);
  clock.advance(DEFAULT_EMAIL_HOLD_MS);
  await server.server.deps.jobs.runDue();
  assert.equal((await mailed()).length, 1);
  const jobs = await server.server.deps.storage.db.selectFrom('jobs').select(['status', 'last_error']).where('kind', '=', 'email').orderBy('id').execute();
  assert.deepEqual(jobs.at(-1), { status: 'skipped', last_error: 'the agent read it in Baton first' });

  // A teammate not in Baton (no socket for longer than two heartbeats, or never): at once.
  await ws.addAgent('cleo', { email: 'cleo@team.example' });
  const c3 = await conversation(ws);
  await note(ana, c3.id, '@cleo third');
  await step();
  assert.equal((await mailed()).length, 2);
  assert.deepEqual((await sink.mails()).at(-1)!.rcptTo, ['cleo@team.example']);
});

test('without SMTP_URL the server has no email channel: in-app still notifies, no email job is made', async (t) => {
  const { sink, ws, ana, ben, step, server } = await setup(t, { smtp: false });
  const conv = await conversation(ws);
  await note(ana, conv.id, '@ben hello');
  await step();
  assert.equal(await notificationCount(ben), 1);
  assert.equal((await sink.mails()).length, 0);
  const jobs = await server.server.deps.storage.db.selectFrom('jobs').selectAll().where('kind', '=', 'email').execute();
  assert.deepEqual(jobs, []);
});

test('replaying the outbox after a restart does not send an email twice', async (t) => {
  const db = tempDbFile(t, 'notify');
  // Coalescing off, so only the jobs' dedupe keys stand between a replay and a second email.
  const first = await setup(t, { db, notifyCoalesceMs: 0 });
  const conv = await conversation(first.ws);
  await note(first.ana, conv.id, '@ben once only');
  await first.step();
  assert.equal((await first.sink.mails()).length, 1);
  // As if the process had died after sending but before storing its place in the outbox.
  await first.server.server.deps.storage.db.updateTable('consumer_offsets').set({ last_id: 0 }).where('consumer', '=', 'notifier').execute();
  await first.server.close();

  const sink = await smtpSink(t);
  const again = await TestServer.startFor(t, { db, smtpUrl: sink.url, notifyCoalesceMs: 0 });
  await again.server.deps.relay.drain();
  await again.server.deps.jobs.runDue();
  const offset = await again.server.deps.storage.db.selectFrom('consumer_offsets').select('last_id').where('consumer', '=', 'notifier').executeTakeFirst();
  assert.ok(Number(offset?.last_id) > 0, 'the notifier did replay the outbox');
  assert.equal((await sink.mails()).length, 0, 'the replayed mention found its email job already there');
});
