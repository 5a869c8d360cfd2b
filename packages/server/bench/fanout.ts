import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromFanoutClients, ToFanoutClients } from './fanout-clients.js';
import type { FanoutTargetKind, FromFanoutTarget, ToFanoutTarget } from './fanout-target.js';
import { summarizeProfile } from './profile.js';
import { ms, percentile, table } from './stats.js';
import { settle } from './settle.js';

/**
 * Socket fan-out under load: agents connected over Socket.IO, conversations created over HTTP at a
 * fixed rate, create → `conversation:created` latency measured at the agents. Baton against a bare
 * Socket.IO server that broadcasts the same payloads at the same rate to the same rooms, in the same
 * run, with the same clients.
 *
 * Three processes per target: the server (fanout-target.ts), the clients (fanout-clients.ts, one or
 * more processes) and this one, which seeds, drives the creates, probes `/healthz` and checks what
 * every agent got. On 2 vCPUs the server has about one CPU and the clients and driver share the other.
 */

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const ADMIN_TOKEN = 'bench-admin-token';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FanoutOptions {
  workspaces: number;
  agentsPerWorkspace: number;
  /** Conversations seeded per workspace before the agents connect. */
  conversations: number;
  /** Creates per second (over all workspaces, round robin) in the main run. */
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** Rates of the step search, ascending; it stops at the first whose p99 misses the target. */
  steps: number[];
  stepSeconds: number;
  clientProcesses: number;
  /** Extra Baton servers with a change applied: `no-counts` (counts:updated off). */
  whatIfs: string[];
  /** Profile each Baton server's main run and print where its CPU time went. */
  profile: boolean;
  log: (line: string) => void;
}

/** The issue's targets. */
const TARGET_P99_MS = 100;
const TARGET_HEALTH_P99_MS = 100;

/** A child process spoken to over IPC: one outstanding question per reply type. */
class Child<To extends { type: string }, From extends { type: string }> {
  private waiting = new Map<string, (message: From) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: From) => {
      const resolve = this.waiting.get(message.type);
      this.waiting.delete(message.type);
      resolve?.(message);
    });
  }

  static start<To extends { type: string }, From extends { type: string }>(file: string, args: string[]): Child<To, From> {
    return new Child<To, From>(fork(join(here, file), args, { cwd: packageDir, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  next<T extends From['type']>(type: T, timeoutMs = 120_000): Promise<Extract<From, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`child exited (${code}) while waiting for ${type}`));
      };
      const timer = setTimeout(() => {
        this.child.off('exit', onExit);
        reject(new Error(`no ${type} from ${this.child.spawnargs.join(' ')} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.child.once('exit', onExit);
      this.waiting.set(type, (m) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve(m as Extract<From, { type: T }>);
      });
    });
  }

  ask<T extends From['type']>(message: To, reply: T, timeoutMs?: number): Promise<Extract<From, { type: T }>> {
    const answer = this.next(reply, timeoutMs);
    this.child.send(message);
    return answer;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      this.child.send({ type: 'stop' });
      await Promise.race([exited, sleep(15_000)]);
    } finally {
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
  }
}

type Target = Child<ToFanoutTarget, FromFanoutTarget>;
type Clients = Child<ToFanoutClients, FromFanoutClients>;

async function post(url: string, token: string | null, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function expect201(url: string, token: string | null, body: unknown) {
  const res = await post(url, token, body);
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const outcome = (res: Promise<{ status: number; body: any }>): Promise<string | null> =>
  res.then(
    (r) => (r.status === 201 ? null : `HTTP ${r.status} ${r.body?.error?.code ?? ''}`.trim()),
    (error: Error) => `${error.message}${(error.cause as Error | undefined)?.message ? `: ${(error.cause as Error).message}` : ''}`,
  );

/** Runs `work(i)` for i in [0, count), `concurrency` at a time. */
async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await work(next++);
  }));
}

/** What a target needs to run phases: where the clients connect, and how to make create `i` in workspace `w`. */
interface Fixture {
  label: string;
  url: string;
  target: Target;
  /** Per agent (index = agent number): handshake auth and workspace number. */
  agents: { auth: Record<string, unknown>; workspace: number }[];
  /** Makes create `i`; resolves with null on success, else what went wrong (status or error). */
  create(i: number, workspace: number): Promise<string | null>;
}

const createBody = (i: number) => ({
  contact: { name: 'Dana Customer', phone: '+15550100001' },
  channel: 'sms',
  subject: `f${i}`,
  message: { body: 'Hi, my order #4411 has not arrived yet. Can you check the tracking for me?' },
});

/** Baton with workspaces, agents, tokens and conversations made through its API, as a host would. */
async function batonFixture(target: Target, url: string, options: FanoutOptions, label: string): Promise<{ fixture: Fixture; sample: unknown }> {
  const keys: string[] = [];
  const agents: Fixture['agents'] = [];
  let sample: unknown = null;
  for (let w = 0; w < options.workspaces; w++) {
    const created = await expect201(`${url}/v1/workspaces`, ADMIN_TOKEN, { name: `Bench ${w}` });
    keys.push(created.apiKey);
  }
  await pool(options.workspaces * options.agentsPerWorkspace, 16, async (n) => {
    const w = n % options.workspaces;
    const agent = await expect201(`${url}/v1/agents`, keys[w]!, { name: `Agent ${n}`, username: `agent${n}`, availability: 'online' });
    const { token } = await expect201(`${url}/v1/tokens`, keys[w]!, { agentId: agent.agent.id });
    agents[n] = { auth: { token }, workspace: w };
  });
  await pool(options.workspaces * options.conversations, 32, async (n) => {
    const body = await expect201(`${url}/v1/conversations`, keys[n % options.workspaces]!, { ...createBody(0), subject: 'seed' });
    sample ??= body.conversation;
  });
  return {
    sample,
    fixture: {
      label,
      url,
      target,
      agents,
      create: (i, w) => outcome(post(`${url}/v1/conversations`, keys[w]!, createBody(i))),
    },
  };
}

const BARE_LABEL = 'bare Socket.IO (HTTP → room broadcast)';

/** The bare Socket.IO server: the same rooms, and the payload a Baton agent gets for a create. */
function bareFixture(target: Target, url: string, options: FanoutOptions, sample: unknown, seq: { value: number }): Fixture {
  const agents: Fixture['agents'] = [];
  for (let n = 0; n < options.workspaces * options.agentsPerWorkspace; n++) {
    const w = n % options.workspaces;
    agents[n] = { auth: { rooms: [`ws:${w}`, `agent:${n}`] }, workspace: w };
  }
  return {
    label: BARE_LABEL,
    url,
    target,
    agents,
    create: async (i, w) => {
      const payload = { seq: ++seq.value, conversation: { ...(sample as object), id: `conv_bench${i}`, subject: `f${i}` } };
      return outcome(post(`${url}/broadcast`, null, { room: `ws:${w}`, event: 'conversation:created', payload }));
    },
  };
}

interface PhaseResult {
  rate: number;
  achievedRate: number;
  creates: number;
  failedCreates: number;
  /** Why creates failed, by reason. */
  failures: Map<string, number>;
  expectedEvents: number;
  received: number;
  missing: number;
  duplicates: number;
  foreign: number;
  /** Events of an earlier phase that arrived during this one (counted there as missing). */
  late: number;
  mismatches: string[];
  latency: { p50: number; p99: number; max: number };
  health: { n: number; p50: number; p99: number; max: number };
  serverCpuShare: number;
}

/**
 * One run at `rate` for `seconds`: creates open-loop on a fixed schedule (a slow server does not
 * slow the schedule down), `/healthz` probed every 20 ms meanwhile, then every agent's notes
 * collected and checked against what was created in its workspace.
 */
async function phase(fx: Fixture, clients: { child: Clients; offset: number }[], options: FanoutOptions, rate: number, seconds: number, firstIndex: number): Promise<PhaseResult> {
  const W = options.workspaces;
  const count = Math.max(1, Math.round(rate * seconds));
  const sentAt = new Float64Array(count);
  const ok = new Uint8Array(count);
  const failures = new Map<string, number>();
  const cpu0 = await cpuMicros(fx);
  const t0 = now();

  let probing = true;
  const health: number[] = [];
  const prober = (async () => {
    while (probing) {
      const start = now();
      const res = await fetch(`${fx.url}/healthz`).catch(() => null);
      await res?.text();
      if (res?.ok) health.push(now() - start);
      await sleep(20);
    }
  })();

  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let k = 0; k < count; k++) {
    const wait = started + (k * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    const i = firstIndex + k;
    sentAt[k] = now();
    inflight.push(
      fx.create(i, i % W).then((failure) => {
        if (failure === null) ok[k] = 1;
        else failures.set(failure, (failures.get(failure) ?? 0) + 1);
      }),
    );
  }
  await Promise.all(inflight);
  const achievedRate = count / ((performance.now() - started) / 1000);
  probing = false;
  await prober;
  const cpu1 = await cpuMicros(fx);
  const wall = now() - t0;

  // Wait (bounded) for the events of every successful create to reach its workspace's agents.
  let failedCreates = 0;
  for (let k = 0; k < count; k++) if (!ok[k]) failedCreates++;
  const expectedEvents = (count - failedCreates) * options.agentsPerWorkspace;
  const deadline = performance.now() + 15_000;
  for (;;) {
    const counts = await Promise.all(clients.map((c) => c.child.ask({ type: 'count' }, 'count')));
    if (counts.reduce((s, c) => s + c.received, 0) >= expectedEvents || performance.now() > deadline) break;
    await sleep(100);
  }

  const latencies: number[] = [];
  const byAgent = new Map<number, Map<number, number>>();
  let foreign = 0;
  let late = 0;
  const mismatches: string[] = [];
  for (const { child, offset } of clients) {
    const notes = await child.ask({ type: 'collect' }, 'collected');
    for (let j = 0; j < notes.agent.length; j++) {
      const agent = offset + notes.agent[j]!;
      const i = notes.index[j]!;
      const k = i - firstIndex;
      if (k < 0 || k >= count) {
        late++;
        continue;
      }
      if (i % W !== fx.agents[agent]!.workspace) {
        foreign++;
        if (mismatches.length < 5) mismatches.push(`agent ${agent} (workspace ${fx.agents[agent]!.workspace}) got create ${i} of workspace ${i % W}`);
        continue;
      }
      const seen = byAgent.get(agent) ?? new Map<number, number>();
      byAgent.set(agent, seen);
      seen.set(i, (seen.get(i) ?? 0) + 1);
      if (seen.get(i) === 1) latencies.push(notes.at[j]! - sentAt[k]!);
    }
  }
  let missing = 0;
  let duplicates = 0;
  let received = 0;
  for (let agent = 0; agent < fx.agents.length; agent++) {
    const seen = byAgent.get(agent) ?? new Map<number, number>();
    for (const times of seen.values()) {
      received += times;
      duplicates += times - 1;
    }
    for (let k = fx.agents[agent]!.workspace - (firstIndex % W); k < count; k += W) {
      if (k < 0 || !ok[k]) continue;
      if (!seen.has(firstIndex + k)) {
        missing++;
        if (mismatches.length < 5) mismatches.push(`agent ${agent} (workspace ${fx.agents[agent]!.workspace}) never got create ${firstIndex + k}`);
      }
    }
  }
  latencies.sort((a, b) => a - b);
  health.sort((a, b) => a - b);
  return {
    rate,
    achievedRate,
    creates: count,
    failedCreates,
    failures,
    expectedEvents,
    received,
    missing,
    duplicates,
    foreign,
    late,
    mismatches,
    latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? Number.NaN },
    health: { n: health.length, p50: percentile(health, 50), p99: percentile(health, 99), max: health.at(-1) ?? Number.NaN },
    serverCpuShare: (cpu1 - cpu0) / 1000 / wall,
  };
}

async function startTarget(kind: FanoutTargetKind): Promise<{ target: Target; url: string }> {
  const target = Child.start<ToFanoutTarget, FromFanoutTarget>('fanout-target.ts', [kind, ADMIN_TOKEN]);
  const ready = await target.next('ready', 60_000);
  return { target, url: ready.url };
}

/** Starts the client processes and connects every agent; the sockets are split evenly among them. */
async function connectClients(fx: Fixture, options: FanoutOptions): Promise<{ child: Clients; offset: number }[]> {
  const per = Math.ceil(fx.agents.length / options.clientProcesses);
  const clients = [];
  for (let p = 0; p < options.clientProcesses; p++) {
    const offset = p * per;
    const child = Child.start<ToFanoutClients, FromFanoutClients>('fanout-clients.ts', []);
    clients.push({ child, offset, sockets: fx.agents.slice(offset, offset + per).map((a) => ({ auth: a.auth })) });
  }
  const results = await Promise.all(clients.map((c) => c.child.ask({ type: 'connect', url: fx.url, sockets: c.sockets, concurrency: 20 }, 'connected', 300_000)));
  const failed = results.flatMap((r) => r.failed);
  if (failed.length) throw new Error(`${failed.length} sockets failed to connect, e.g. ${failed.slice(0, 3).join('; ')}`);
  options.log(`  ${fx.label}: ${fx.agents.length} sockets connected in ${(Math.max(...results.map((r) => r.ms)) / 1000).toFixed(1)} s`);
  return clients.map(({ child, offset }) => ({ child, offset }));
}

interface TargetRun {
  label: string;
  main: PhaseResult;
  steps: PhaseResult[];
}

/** The target server's CPU time so far, µs. */
async function cpuMicros(fx: Fixture): Promise<number> {
  return (await fx.target.ask({ type: 'cpu' }, 'cpu')).micros;
}

async function runTarget(fx: Fixture, options: FanoutOptions): Promise<TargetRun> {
  const clients = await connectClients(fx, options);
  try {
    // The seeding's creates (and then the warm-up's) leave consumer work that must not land in the run.
    await settle(() => cpuMicros(fx));
    let index = 0;
    if (options.warmupSeconds > 0) {
      options.log(`  ${fx.label}: warm-up ${options.warmupSeconds} s at ${options.rate}/s`);
      await phase(fx, clients, options, options.rate, options.warmupSeconds, index);
      index += Math.round(options.rate * options.warmupSeconds);
    }
    await settle(() => cpuMicros(fx));
    options.log(`  ${fx.label}: ${options.seconds} s at ${options.rate}/s`);
    const profiling = options.profile && fx.label !== BARE_LABEL;
    const profileFile = join(tmpdir(), `baton-fanout-${process.pid}-${Date.now()}.cpuprofile`);
    if (profiling) await fx.target.ask({ type: 'profile-start' }, 'profile-started');
    const main = await phase(fx, clients, options, options.rate, options.seconds, index);
    if (profiling) {
      await fx.target.ask({ type: 'profile-stop', file: profileFile }, 'profile-written');
      console.log(`\n${fx.label}, main run under the profiler (slower than unprofiled; where the CPU time went):`);
      console.log(summarizeProfile(profileFile, { packageDir }));
      rmSync(profileFile, { force: true });
    }
    index += main.creates;
    const steps: PhaseResult[] = [];
    for (const rate of options.steps) {
      options.log(`  ${fx.label}: step ${rate}/s for ${options.stepSeconds} s`);
      const step = await phase(fx, clients, options, rate, options.stepSeconds, index);
      index += step.creates;
      steps.push(step);
      if (!(step.latency.p99 < TARGET_P99_MS)) break;
    }
    return { label: fx.label, main, steps };
  } finally {
    await Promise.all(clients.map((c) => c.child.stop()));
  }
}

/** Whether every agent got every event of its workspace's successful creates, once, and none of another's. */
const eventsOk = (r: PhaseResult) => r.missing === 0 && r.duplicates === 0 && r.foreign === 0;
const checkCell = (r: PhaseResult) =>
  eventsOk(r)
    ? `yes (${r.received.toLocaleString('en')})`
    : `NO: ${r.received.toLocaleString('en')}/${r.expectedEvents.toLocaleString('en')}, missing ${r.missing}, dup ${r.duplicates}, foreign ${r.foreign}`;

export async function runFanoutBench(options: FanoutOptions): Promise<void> {
  const { log } = options;
  const agentsTotal = options.workspaces * options.agentsPerWorkspace;
  log(
    `Socket fan-out: ${agentsTotal} agents over ${options.workspaces} workspaces, ${options.conversations} conversations each seeded, ` +
      `${options.rate} creates/s for ${options.seconds} s, steps ${options.steps.join('/')}/s × ${options.stepSeconds} s, ${options.clientProcesses} client process(es)`,
  );
  const runs: TargetRun[] = [];
  let sample: unknown;
  const batons: [FanoutTargetKind, string][] = [['baton', 'Baton (startServer)']];
  for (const w of options.whatIfs) {
    if (w !== 'no-counts') throw new Error(`unknown fan-out what-if ${w} (known: no-counts)`);
    batons.push(['baton-no-counts', 'what-if: Baton +no-counts']);
  }
  for (const [kind, label] of batons) {
    const baton = await startTarget(kind);
    try {
      log(`  ${label}: seeding ${options.workspaces} workspaces, ${agentsTotal} agents and tokens, ${(options.workspaces * options.conversations).toLocaleString('en')} conversations over HTTP`);
      const seeded = await batonFixture(baton.target, baton.url, options, label);
      sample ??= seeded.sample;
      runs.push(await runTarget(seeded.fixture, options));
    } finally {
      await baton.target.stop();
    }
  }
  const bare = await startTarget('bare');
  try {
    runs.push(await runTarget(bareFixture(bare.target, bare.url, options, sample, { value: 0 }), options));
  } finally {
    await bare.target.stop();
  }

  const b = runs[0]!;
  const base = runs.at(-1)!;
  console.log();
  console.log(
    table(
      ['server', 'creates/s (achieved)', 'failed creates', 'events checked', 'create → event p50 ms', 'p99 ms', 'max ms', '/healthz p50 ms', '/healthz p99 ms', 'server CPU (cores)'],
      runs.map(({ label, main: r }) => [
        label,
        `${r.rate} (${r.achievedRate.toFixed(0)})`,
        r.failedCreates,
        checkCell(r),
        ms(r.latency.p50),
        ms(r.latency.p99),
        ms(r.latency.max),
        ms(r.health.p50),
        ms(r.health.p99),
        r.serverCpuShare.toFixed(2),
      ]),
    ),
  );
  for (const { label, main } of runs) {
    for (const m of main.mismatches) console.log(`  mismatch (${label}): ${m}`);
    for (const [why, n] of main.failures) console.log(`  failed creates (${label}): ${n} × ${why}`);
  }

  console.log();
  console.log(
    table(
      ['server', 'step creates/s', 'achieved', 'failed', 'p50 ms', 'p99 ms', 'max ms', '/healthz p99 ms', 'every event, once, own workspace only', 'server CPU (cores)'],
      runs.flatMap(({ label, steps }) =>
        steps.map((r) => [label, r.rate, r.achievedRate.toFixed(0), r.failedCreates, ms(r.latency.p50), ms(r.latency.p99), ms(r.latency.max), ms(r.health.p99), checkCell(r), r.serverCpuShare.toFixed(2)]),
      ),
    ),
  );
  const highest = (run: TargetRun) => {
    const passing = run.steps.filter((s) => s.latency.p99 < TARGET_P99_MS).map((s) => s.rate);
    return passing.length ? `${Math.max(...passing)}/s` : `none of ${options.steps.join('/')}`;
  };

  console.log();
  console.log(
    table(
      ['target', 'measured', 'met'],
      [
        [`create → event p99 < ${TARGET_P99_MS} ms at ${options.rate}/s`, `${ms(b.main.latency.p99)} ms (bare ${ms(base.main.latency.p99)} ms)`, b.main.latency.p99 < TARGET_P99_MS ? 'yes' : 'NO'],
        [`/healthz p99 < ${TARGET_HEALTH_P99_MS} ms during the load`, `${ms(b.main.health.p99)} ms (bare ${ms(base.main.health.p99)} ms)`, b.main.health.p99 < TARGET_HEALTH_P99_MS ? 'yes' : 'NO'],
        ['every agent gets every event of its workspace, none of another', checkCell(b.main), eventsOk(b.main) ? 'yes' : 'NO'],
        ['every create succeeds', `${b.main.creates - b.main.failedCreates}/${b.main.creates}`, b.main.failedCreates === 0 ? 'yes' : 'NO'],
        [`highest step rate with p99 < ${TARGET_P99_MS} ms`, `${highest(b)} (bare ${highest(base)})`, '–'],
        ['(info) p99 vs bare Socket.IO', `${(b.main.latency.p99 / base.main.latency.p99).toFixed(2)}×`, '–'],
      ],
    ),
  );
}
