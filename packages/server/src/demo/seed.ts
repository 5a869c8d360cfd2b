import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import type { Deps } from '../deps.js';
import { createAgent, updateAgent } from '../services/agents.js';
import { assign, createConversation, postMessage, postNote, setStatus } from '../services/conversations.js';
import { createReply } from '../services/saved-replies.js';
import { createTeam } from '../services/teams.js';
import { createWorkspace } from '../services/workspaces.js';
import { setAllowedOrigins } from '../storage/workspaces.js';

export const DEMO_WORKSPACE_NAME = 'Baton Demo';

const AGENTS = [
  { name: 'Ana Silva', username: 'ana', role: 'admin', skills: [], availability: 'online' },
  { name: 'Ben Okafor', username: 'ben', role: 'agent', skills: [], availability: 'online' },
  { name: 'María García', username: 'maria', role: 'agent', skills: ['es'], availability: 'online' },
  { name: 'Tom Becker', username: 'tom', role: 'agent', skills: ['technical', 'senior'], availability: 'away' },
] as const;

type Username = (typeof AGENTS)[number]['username'];

/** One scripted conversation: who writes in, and what the team does with it. */
interface Script {
  contact: { name: string; phone?: string; email?: string; language?: string; tags?: string[] };
  channel: string;
  source?: string;
  subject?: string;
  inbound: string[];
  assignTo?: Username;
  by?: Username;
  reply?: { from: Username; body: string };
  note?: { from: Username; body: string };
  resolve?: Username;
  thenInbound?: string;
}

const SCRIPTS: Script[] = [
  { contact: { name: 'Lucía Fernández', phone: '+34600111222', language: 'es', tags: ['spanish'] }, channel: 'sms', source: 'facebook-ad',
    inbound: ['Hola, ¿tienen disponibilidad para el sábado?'], assignTo: 'maria', by: 'ana',
    note: { from: 'ana', body: '@maria she asked about Saturday, can you confirm the slot?' } },
  { contact: { name: 'Priya Patel', email: 'priya@example.com', tags: ['vip'] }, channel: 'email', subject: 'API returns 502 on bulk import',
    inbound: ['Our bulk import has failed three times with a 502 since this morning.'], assignTo: 'tom', by: 'ana',
    note: { from: 'ben', body: 'Looks like the same incident as last week. @tom can you check the import worker logs?' } },
  { contact: { name: 'Marcus Lee', phone: '+15550100200' }, channel: 'sms', source: 'website-form',
    inbound: ['Hi, I filled the form on your site, when can someone call me?'] },
  { contact: { name: 'Sofia Rossi', email: 'sofia@example.com' }, channel: 'email', subject: 'Invoice copy',
    inbound: ['Could you send me a copy of the March invoice?'], assignTo: 'ben', by: 'ben',
    reply: { from: 'ben', body: 'Of course, Sofia. I have sent it to your email just now.' }, resolve: 'ben' },
  { contact: { name: 'Daniel Kim', phone: '+15550100300' }, channel: 'whatsapp',
    inbound: ['Is the store open on Sunday?'], assignTo: 'ana', by: 'ana',
    reply: { from: 'ana', body: 'Yes, from 10am to 4pm.' }, resolve: 'ana', thenInbound: 'Great, and is parking free?' },
  { contact: { name: 'Emma Wilson', email: 'emma@example.com', tags: ['trial'] }, channel: 'webchat', source: 'pricing-page',
    inbound: ['Does the Pro plan include SSO?'], note: { from: 'maria', body: 'Sales lead — @ana do we quote SSO separately?' } },
  { contact: { name: 'Jorge Ramírez', phone: '+34600333444', language: 'es' }, channel: 'sms',
    inbound: ['Necesito cambiar mi cita', 'Puede ser el martes?'], assignTo: 'maria', by: 'maria' },
  { contact: { name: 'Olivia Brown', email: 'olivia@example.com' }, channel: 'email', subject: 'Password reset not arriving',
    inbound: ['I requested a reset link twice, nothing arrived.'], assignTo: 'tom', by: 'ana',
    reply: { from: 'tom', body: 'Hi Olivia, the reset mail was caught by a filter. I have sent a fresh link.' }, resolve: 'tom' },
  { contact: { name: 'Noah Johnson', phone: '+15550100400' }, channel: 'facebook', source: 'facebook-ad',
    inbound: ['Saw your ad — is the discount still valid?'], assignTo: 'ben', by: 'ana',
    note: { from: 'ana', body: '@ben the ad discount ended Friday; offer the loyalty code instead.' } },
  { contact: { name: 'Ava Martin', email: 'ava@example.com', tags: ['spam'] }, channel: 'email', subject: 'Business proposal',
    inbound: ['We can boost your SEO ranking overnight!!!'], resolve: 'ana' },
  { contact: { name: 'Liam Davis', phone: '+15550100500' }, channel: 'instagram',
    inbound: ['Do you ship to Canada?'], note: { from: 'ben', body: 'Checking with logistics before answering. @unknownperson is not a teammate.' } },
  { contact: { name: 'Mia Thompson', phone: '+15550100600' }, channel: 'phone', subject: 'Callback request',
    inbound: ['Missed call — customer asked for a callback about their order.'], assignTo: 'ana', by: 'ben',
    note: { from: 'ben', body: '@Ana she sounded upset, order #4471 is late.' } },
];

/** What `/` in the composer offers from the start, so the demo shows saved replies filled in. */
const SAVED_REPLIES = [
  { name: 'Greeting', shortcut: 'hi', body: "Hi {{contact.firstName}}, thanks for getting in touch. I'm {{agent.firstName}} and I'll take care of this." },
  { name: 'Opening hours', shortcut: 'hours', body: 'We are open Monday to Saturday, 9am to 6pm, and Sunday, 10am to 4pm.' },
  { name: 'Wrap-up', shortcut: 'thanks', body: 'Glad we could help, {{contact.firstName}}. If anything else comes up, just reply here.' },
];

/** A clock that starts in the past and steps forward, so seeded activity has believable times. */
function steppingClock(base: Clock, startMsAgo: number): Clock & { step(ms: number): void } {
  let offset = -startMsAgo;
  return {
    now: () => base.now() + offset,
    setTimeout: base.setTimeout.bind(base),
    clearTimeout: base.clearTimeout.bind(base),
    step(ms) {
      offset = Math.min(0, offset + ms);
    },
  };
}

/**
 * Seeds the demo workspace through the same services the API uses, unless it exists already.
 * The demo CRM mints agent tokens for it in-process; a real host calls `POST /v1/tokens`.
 */
/**
 * The demo CRM's own id for its user `username` (apps/demo-crm/src/host.ts mints their tokens by it):
 * each agent carries it as `externalId`, as a host's agents carry its user ids.
 */
export const demoUserId = (username: string) => `crm-user:${username}`;

export interface DemoSeed {
  workspaceId: string;
  created: boolean;
  agents: Record<Username, string>;
  /** Only when `created`: the host backend's secrets, shown this once like any new workspace's. */
  credentials?: { apiKey: string; signingKeys: { kid: string; secret: string }[] };
}

export async function seedDemoWorkspace(deps: Deps): Promise<DemoSeed> {
  const existing = await deps.storage.db.selectFrom('workspaces').select('id').where('name', '=', DEMO_WORKSPACE_NAME).executeTakeFirst();
  if (existing) {
    const rows = await deps.storage.db.selectFrom('agents').select(['id', 'username', 'external_id']).where('workspace_id', '=', existing.id).execute();
    // A demo database seeded before agents had external ids: give them the CRM's user ids its token route asks by.
    const host: WorkspacePrincipal = { kind: 'apiKey', workspaceId: existing.id };
    for (const r of rows) if (r.external_id === null) await updateAgent(deps, host, r.id, { externalId: demoUserId(r.username) });
    return { workspaceId: existing.id, created: false, agents: Object.fromEntries(rows.map((r) => [r.username, r.id])) as Record<Username, string> };
  }
  const clock = steppingClock(deps.clock, 3 * 24 * 3600 * 1000);
  const d: Deps = { ...deps, clock };
  const { workspace, apiKey, signingKeys } = await createWorkspace(d, { name: DEMO_WORKSPACE_NAME });
  // The demo may be served on any PORT or host name, so its sockets accept every origin.
  await deps.storage.write((trx) => setAllowedOrigins(trx, workspace.id, ['*']));
  const host: WorkspacePrincipal = { kind: 'apiKey', workspaceId: workspace.id };

  const agents = {} as Record<Username, string>;
  for (const a of AGENTS) {
    const agent = await createAgent(d, host, {
      name: a.name, username: a.username, email: `${a.username}@demo.baton.dev`, externalId: demoUserId(a.username),
      role: a.role, skills: [...a.skills], availability: a.availability,
    });
    agents[a.username] = agent.id;
  }
  const as = (u: Username): WorkspacePrincipal & { kind: 'agent' } => ({
    kind: 'agent', workspaceId: workspace.id, agentId: agents[u], role: u === 'ana' ? 'admin' : 'agent', tokenExp: Number.MAX_SAFE_INTEGER,
  });
  await createTeam(d, host, { name: 'Support', memberIds: [agents.ana, agents.ben, agents.tom] });
  await createTeam(d, host, { name: 'Bilingual', memberIds: [agents.maria, agents.ana] });
  for (const r of SAVED_REPLIES) await createReply(d, host, r);

  for (const s of SCRIPTS) {
    clock.step(4 * 3600 * 1000 + Math.floor(Math.random() * 3600 * 1000));
    const [first, ...rest] = s.inbound;
    const conversation = await createConversation(d, host, {
      contact: s.contact, channel: s.channel, source: s.source, subject: s.subject, message: { body: first! },
    });
    for (const body of rest) {
      clock.step(90_000);
      await postMessage(d, host, conversation.id, { direction: 'inbound', body });
    }
    clock.step(300_000);
    if (s.assignTo) await assign(d, as(s.by ?? 'ana'), conversation.id, { assigneeId: agents[s.assignTo] }, undefined);
    if (s.note) await postNote(d, as(s.note.from), conversation.id, s.note.body);
    if (s.reply) {
      clock.step(600_000);
      await postMessage(d, as(s.reply.from), conversation.id, { direction: 'outbound', body: s.reply.body });
    }
    if (s.resolve) await setStatus(d, as(s.resolve), conversation.id, 'resolved', undefined);
    if (s.thenInbound) {
      clock.step(3600_000);
      await postMessage(d, host, conversation.id, { direction: 'inbound', body: s.thenInbound });
    }
  }
  return { workspaceId: workspace.id, created: true, agents, credentials: { apiKey, signingKeys } };
}
