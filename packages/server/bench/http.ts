import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { seedRules } from '@baton/rules/examples';
import type { FromTarget, TargetKind, ToTarget } from './http-target.js';
import { pacedLoad } from './paced.js';
import { summarizeProfile } from './profile.js';
import { ms, percentile, ratio, table } from './stats.js';
import { settle } from './settle.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
export const ADMIN_TOKEN = 'bench-admin-token';
/** The API key the baselines are sent; baseline-txn looks it up as Baton does, the plain baseline ignores it. */
const BASELINE_TOKEN = 'bk_baseline';

export interface HttpOptions {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** Baseline and Baton take turns this many times (AB, BA, …), which evens out a noisy machine. */
  rounds: number;
  /** Extra Baton servers with a what-if applied (see http-target.ts), e.g. ['no-group-commit', 'no-index,no-relay']. */
  whatIfs: string[];
  /** Also profile Baton under load and print where its time goes (`'rules'`: the server with the seed's rules). */
  profile: boolean | 'rules';
  /** Where to keep the .cpuprofile (opens in Chrome DevTools); by default it is deleted after summarizing. */
  profileOut?: string;
  log: (line: string) => void;
}

/** How a Baton target's conversations get their assignee (see `Target.routing`). */
type Routing = 'none' | 'rules' | 'by-hand';

/** One server process, driven over IPC. */
class Target {
  private waiting = new Map<string, (message: FromTarget) => void>();
  token = BASELINE_TOKEN;
  okResponses = 0;
  loadRuns = 0;

  private constructor(
    private child: ChildProcess,
    readonly url: string,
    readonly label: string,
    readonly kind: TargetKind,
    /** The HTTP adapter and hono versions the server process runs on. */
    readonly stack: string,
    /**
     * How its conversations get an assignee: `rules`, the demo seed's three routing rules are
     * published, so every create runs them; `by-hand`, each create is followed by
     * `POST /v1/conversations/:id/assign` (round-robin over the same 30 agents, chosen by the
     * client): the work the rules replace, two requests per conversation; `none`, plain creates.
     */
    readonly routing: Routing = 'none',
  ) {
    child.on('message', (message: FromTarget) => {
      const resolve = this.waiting.get(message.type);
      this.waiting.delete(message.type);
      resolve?.(message);
    });
  }

  /** The rules server: the target issue 9's ratio is about. */
  get rules(): boolean {
    return this.routing === 'rules';
  }

  /** Requests per conversation: the by-hand server's conversation is a create and an assign. */
  get requestsPerConversation(): number {
    return this.routing === 'by-hand' ? 2 : 1;
  }

  /** The agents a by-hand load assigns to, in turn. */
  private agentIds: string[] = [];

  static async start(kind: TargetKind, whatIfs = '', routing: Routing = 'none'): Promise<Target> {
    const child = fork(join(here, 'http-target.ts'), [kind, kind === 'baton' ? ADMIN_TOKEN : BASELINE_TOKEN, whatIfs], {
      cwd: packageDir,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const { url, stack } = await new Promise<{ url: string; stack: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} server did not start within 30 s`)), 30_000);
      child.once('exit', (code) => reject(new Error(`${kind} server exited early (${code})`)));
      child.once('message', (message: FromTarget) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message);
        else reject(new Error(`unexpected message ${JSON.stringify(message)}`));
      });
    });
    child.removeAllListeners('exit');
    const label =
      kind === 'baseline'
        ? 'baseline (Hono + 1 insert)'
        : kind === 'baseline-txn'
          ? "baseline (Hono + Baton's 11 statements, raw SQL)"
          : whatIfs
            ? `what-if: Baton ${whatIfs.split(',').map((w) => `+${w}`).join(' ')}`
            : routing === 'rules'
              ? "Baton + the seed's 3 rules (runner assigns each)"
              : routing === 'by-hand'
                ? 'Baton, create then assign by hand (2 requests a conversation)'
                : 'Baton (startServer)';
    const engine = kind === 'baton' && process.env.BENCH_POSTGRES ? ' on PostgreSQL' : '';
    const target = new Target(child, url, label + engine, kind, stack, routing);
    if (kind === 'baton') target.token = (await createWorkspace(url)).apiKey;
    if (routing !== 'none') target.agentIds = await seedRoutedWorkspace(url, target.token, routing === 'rules');
    return target;
  }

  private ask<T extends FromTarget['type']>(message: ToTarget, reply: T): Promise<Extract<FromTarget, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${reply} reply within 30 s`)), 30_000);
      this.waiting.set(reply, (m) => {
        clearTimeout(timer);
        resolve(m as Extract<FromTarget, { type: T }>);
      });
      this.child.send(message);
    });
  }

  rows = async () => (await this.ask({ type: 'rows' }, 'rows')).count;
  unrouted = async () => (await this.ask({ type: 'unrouted' }, 'unrouted')).count;
  placement = async (since: number) => await this.ask({ type: 'placement', since }, 'placement');

  /**
   * How many conversations the rules had not placed when a load stopped, and the seconds until
   * they had (polled every 100 ms, 300 s at most; 0 when none was left).
   */
  private async catchUp(): Promise<{ behind: number; seconds: number }> {
    const stopped = performance.now();
    const behind = await this.unrouted();
    for (let left = behind; left > 0 && performance.now() - stopped < 300_000; left = await this.unrouted()) await new Promise((r) => setTimeout(r, 100));
    return { behind, seconds: behind > 0 ? (performance.now() - stopped) / 1000 : 0 };
  }

  /**
   * Creates at a fixed `rate` a second, evenly spaced (bench/paced.ts), for `seconds`, then waits
   * until the runner has placed them; returns the creates answered a second and their response
   * times, and how long each conversation waited from its creation to the rules' assignment (ms,
   * sorted), with how many had none when the runner caught up.
   */
  async loadAtRate(rate: number, seconds: number, connections: number): Promise<{ answered: number; responses: number[]; waits: number[]; unplaced: number; behind: number }> {
    // A millisecond early: the server's ms clock and this one's round differently.
    const since = Date.now() - 1;
    const headers = { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' };
    const result = await pacedLoad({ url: this.url, path: '/v1/conversations', headers, body: requestBody, rate, seconds, connections });
    const { behind } = await this.catchUp();
    const { waits, unplaced } = await this.placement(since);
    await settle(this.cpuMicros);
    this.okResponses += result.ok;
    this.loadRuns++;
    return { answered: result.ok / result.duration, responses: result.latencies, waits: waits.sort((a, b) => a - b), unplaced, behind };
  }
  cpuMicros = async () => (await this.ask({ type: 'cpu' }, 'cpu')).micros;
  profileStart = async () => void (await this.ask({ type: 'profile-start' }, 'profile-started'));
  profileStop = async (file: string) => void (await this.ask({ type: 'profile-stop', file }, 'profile-written'));

  /**
   * Load for `seconds`; also returns the server's CPU time per conversation (per 2xx response, or
   * per create-and-assign pair for the by-hand server), in ms, and for the rules server how far the
   * runner was behind when the load stopped and how long it took to place the rest.
   */
  async load(seconds: number, connections: number): Promise<LoadResult> {
    const cpuBefore = await this.cpuMicros();
    const headers = { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' };
    const create = { method: 'POST', path: '/v1/conversations', headers, body: requestBody };
    let turn = 0;
    // By hand, the conversations are the creates that succeeded (an assign can fail on its own).
    let created = 0;
    const result = await autocannon({
      title: this.label,
      url: this.url,
      connections,
      duration: seconds,
      timeout: 10,
      requests:
        this.routing !== 'by-hand'
          ? [create]
          : [
              {
                ...create,
                onResponse: (status, body, context) => {
                  if (status === 201) created++;
                  context.conversationId = status === 201 ? (JSON.parse(body) as { conversation: { id: string } }).conversation.id : undefined;
                },
              },
              {
                method: 'POST',
                headers,
                // No conversation (the create failed): start the pair over.
                setupRequest: (request, context) =>
                  context.conversationId
                    ? { ...request, path: `/v1/conversations/${context.conversationId}/assign`, body: JSON.stringify({ assigneeId: this.agentIds[turn++ % this.agentIds.length] }) }
                    : undefined,
              },
            ],
    });
    // The rules route after the 201 (the outbox runner): a create is done for the host when it is
    // answered, and for the customer when it has an agent. How many were still unplaced when the load
    // stopped, and how long the runner took to place them, with nothing more arriving.
    const { behind: unroutedAtEnd, seconds: catchUpSeconds } = this.rules ? await this.catchUp() : { behind: 0, seconds: 0 };
    // The work the load left behind counts toward it (bench/settle.ts).
    await settle(this.cpuMicros);
    const cpu = (await this.cpuMicros()) - cpuBefore;
    const conversations = this.routing === 'by-hand' ? created : result['2xx'];
    this.okResponses += conversations;
    this.loadRuns++;
    // Placed a second: for the rules server, over the load and the catch-up after it; for the others
    // (nothing to place, or placed by the client's own assign request) the conversations a second.
    const placedPerSecond = conversations / (result.duration + catchUpSeconds);
    return { ...result, conversations, cpuPerRequest: cpu / 1000 / Math.max(1, conversations), unroutedAtEnd, catchUpSeconds, placedPerSecond };
  }

  /** Every 2xx create must have written a row; requests in flight when autocannon stops are not counted but do complete. */
  async checkRows(connections: number): Promise<string> {
    const rows = await this.rows();
    const extra = rows - this.okResponses;
    return extra >= 0 && extra <= this.loadRuns * connections ? `yes (+${extra} in flight)` : `NO: ${rows} rows for ${this.okResponses} 2xx`;
  }

  /** With rules: once the runner has caught up, every conversation has an assignee (sum of open loads = rows). */
  async checkAssigned(): Promise<string> {
    const rows = await this.rows();
    let assigned = -1;
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${this.url}/v1/agents`, { headers: { authorization: `Bearer ${this.token}` } });
      const { items } = (await res.json()) as { items: { openAssigned: number }[] };
      assigned = items.reduce((sum, a) => sum + a.openAssigned, 0);
      if (assigned >= rows) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    return assigned === rows ? `yes (${rows.toLocaleString('en')})` : `NO: ${assigned} assigned of ${rows}`;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.ask({ type: 'stop' }, 'stopped');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    } finally {
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
  }
}

/** A request to the API as `token`; its JSON body, or an error naming the status. For setting fixtures up, not for load. */
export async function callApi(url: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A new workspace (`name`), created with the bench's admin token; its API key and id. */
export async function createWorkspace(url: string, name = 'Bench'): Promise<{ apiKey: string; id: string }> {
  const { apiKey, workspace } = (await callApi(url, ADMIN_TOKEN, 'POST', '/v1/workspaces', { name })) as { apiKey: string; workspace: { id: string } };
  return { apiKey, id: workspace.id };
}

/**
 * The demo seed's routing, its own three rules (`@baton/rules/examples`, docs/rules.md): Spanish →
 * bilingual, technical → the senior, everyone else round-robin over Support. The bench's message
 * is neither Spanish nor technical, so every create runs all three rules and the last one assigns. Capacities are the maximum (10,000) and
 * Support has 30 agents, so 300,000 conversations fit before the queue starts: this measures the
 * runner, not a backlog (with 9 agents three rounds filled them at 90,000 and the rest queued).
 */
export async function seedRoutedWorkspace(url: string, apiKey: string, publishRules: boolean): Promise<string[]> {
  const call = (method: string, path: string, body?: unknown, token = apiKey) => callApi(url, token, method, path, body);
  const agent = async (username: string, extra: Record<string, unknown> = {}): Promise<string> =>
    (await call('POST', '/v1/agents', { name: username, username, availability: 'online', capacity: 10_000, ...extra })).agent.id;
  const boss = await agent('boss', { role: 'admin', availability: 'away' });
  const { token } = await call('POST', '/v1/tokens', { agentId: boss });
  const support = [];
  for (let i = 1; i <= 29; i++) support.push(await agent(`agent${i}`));
  support.push(await agent('tom', { skills: ['technical', 'senior'] }));
  const bilingual = [await agent('maria', { skills: ['es'] }), await agent('luis', { skills: ['es'] })];
  const supportTeam = (await call('POST', '/v1/teams', { name: 'Support', memberIds: support })).team.id;
  const bilingualTeam = (await call('POST', '/v1/teams', { name: 'Bilingual', memberIds: bilingual })).team.id;
  if (publishRules) {
    for (const rule of seedRules({ support: supportTeam, bilingual: bilingualTeam })) {
      const { workflow } = await call('POST', '/v1/workflows', rule, token);
      await call('POST', `/v1/workflows/${workflow.id}/publish`, undefined, token);
    }
  }
  // Whom the rules' round-robin picks from for the bench's message (neither Spanish nor technical).
  return support;
}

/** The bench's create: a new contact writing in by SMS, neither Spanish nor technical. */
export const requestBody = JSON.stringify({
  contact: { name: 'Dana Customer', phone: '+15550100001' },
  channel: 'sms',
  message: { body: 'Hi, my order #4411 has not arrived yet. Can you check the tracking for me?' },
});

type LoadResult = Result & {
  conversations: number;
  cpuPerRequest: number;
  /** Rules server: conversations with no assignee and no queue place when the load stopped. */
  unroutedAtEnd: number;
  /** Rules server: seconds from the end of the load until the runner had placed them all. */
  catchUpSeconds: number;
  /** Conversations created and placed a second, the catch-up included. */
  placedPerSecond: number;
};

interface Run {
  target: Target;
  round: number;
  result: LoadResult;
}

export async function runHttpBench(options: HttpOptions): Promise<void> {
  const { log, connections, seconds } = options;
  log(`HTTP create-conversation: POST /v1/conversations, ${connections} connections, ${seconds} s per server per round, ${options.rounds} round(s)`);
  // Each server in its own process; only one is under load at any time, so none competes with another for the CPU.
  const targets: Target[] = [];
  try {
    targets.push(
      await Target.start('baseline'),
      await Target.start('baton'),
      await Target.start('baseline-txn'),
      await Target.start('baton', '', 'rules'),
      await Target.start('baton', '', 'by-hand'),
    );
    for (const w of options.whatIfs) targets.push(await Target.start('baton', w));
    for (const t of targets) {
      if (options.warmupSeconds <= 0) continue;
      log(`  ${t.label}: warm-up ${options.warmupSeconds} s`);
      await t.load(options.warmupSeconds, connections);
    }
    const runs: Run[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      // Alternate the order each round so neither side always runs first.
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        log(`  round ${round}: ${target.label}, ${seconds} s`);
        runs.push({ target, round, result: await target.load(seconds, connections) });
      }
    }

    const rowsCheck = new Map<Target, string>();
    for (const t of targets) rowsCheck.set(t, await t.checkRows(connections));
    const rulesTarget = targets.find((t) => t.rules)!;
    const assignedCheck = await rulesTarget.checkAssigned();

    console.log();
    console.log(
      table(
        ['server', 'round', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '2xx', 'failed', 'server CPU ms / conversation', 'unplaced when the load stopped', 'placed all after s'],
        [...runs]
          .sort((a, b) => targets.indexOf(a.target) - targets.indexOf(b.target) || a.round - b.round)
          .map(({ target, round, result: r }) => [
            target.label,
            round,
            Math.round(r.requests.average).toLocaleString('en'),
            ms(r.latency.p50),
            ms(r.latency.p99),
            ms(r.latency.max),
            r['2xx'].toLocaleString('en'),
            r.errors + r.timeouts + r.non2xx,
            r.cpuPerRequest.toFixed(3),
            target.rules ? r.unroutedAtEnd.toLocaleString('en') : '–',
            target.rules ? r.catchUpSeconds.toFixed(1) : '–',
          ]),
      ),
    );

    // Over all rounds: mean req/s, and the worst round's p99 (percentiles of separate runs do not average).
    const of = (t: Target) => runs.filter((r) => r.target === t).map((r) => r.result);
    // Conversations a second: the by-hand server's two requests make one.
    const rps = (t: Target) => of(t).reduce((sum, r) => sum + r.requests.average, 0) / options.rounds / t.requestsPerConversation;
    const p99 = (t: Target) => Math.max(...of(t).map((r) => r.latency.p99));
    // Created and placed a second, over every round's load and catch-up (pooled: all conversations over all that time).
    const placed = (t: Target) => of(t).reduce((sum, r) => sum + r.conversations, 0) / of(t).reduce((sum, r) => sum + r.conversations / r.placedPerSecond, 0);
    // Pooled over rounds: all CPU over all responses.
    const cpuPer = (t: Target) => of(t).reduce((sum, r) => sum + r.cpuPerRequest * r.conversations, 0) / of(t).reduce((sum, r) => sum + r.conversations, 0);
    const [baseline, baton, sameWrites, withRules, byHand] = targets as [Target, Target, Target, Target, Target];
    console.log();
    console.log(
      table(
        ['server', 'HTTP stack', 'conversations/s', 'created and placed /s', 'p99 ms (worst round)', 'vs baseline', 'CPU ms / conversation', 'CPU vs baseline', 'every 2xx wrote a row'],
        targets.map((t) => [
          t.label,
          t.stack,
          Math.round(rps(t)).toLocaleString('en'),
          Math.round(placed(t)).toLocaleString('en'),
          ms(p99(t)),
          ratio(rps(t) / rps(baseline)),
          cpuPer(t).toFixed(3),
          ratio(cpuPer(t) / cpuPer(baseline)),
          rowsCheck.get(t)!,
        ]),
      ),
    );
    if (baton.stack !== baseline.stack) console.log(`\nwarning: Baton and the baseline run on different HTTP stacks (${baton.stack} vs ${baseline.stack}); the ratio compares more than Baton`);
    const rpsRatio = rps(baton) / rps(baseline);
    console.log();
    console.log(
      table(
        ['target', 'measured', 'met'],
        [
          ['Baton req/s ≥ 50% of baseline', `${(100 * rpsRatio).toFixed(0)}%`, rpsRatio >= 0.5 ? 'yes' : 'NO'],
          // On a CPU-bound single-threaded server, req/s ≈ 1 / CPU per request: this is the same target, immune to neighbours.
          ['  (same, from CPU per request)', `${((100 * cpuPer(baseline)) / cpuPer(baton)).toFixed(0)}%`, cpuPer(baseline) / cpuPer(baton) >= 0.5 ? 'yes' : 'NO'],
          ['Baton p99 < 50 ms', `${ms(p99(baton))} ms`, p99(baton) < 50 ? 'yes' : 'NO'],
          // Issue 9: creating with the seed's rules published (the runner assigns every one) beside the
          // plain create. Counted when placed, not when answered: the runner routes after the 201, and
          // under this load it falls behind (see the per-round table), so the answered rate alone
          // counts conversations that are still waiting for the runner when the load stops.
          ['Baton with rules, created and placed /s ≥ 80% of plain Baton', `${((100 * placed(withRules)) / placed(baton)).toFixed(0)}%`, placed(withRules) / placed(baton) >= 0.8 ? 'yes' : 'NO'],
          ['  (same, from CPU per conversation)', `${((100 * cpuPer(baton)) / cpuPer(withRules)).toFixed(0)}%`, cpuPer(baton) / cpuPer(withRules) >= 0.8 ? 'yes' : 'NO'],
          ['  (info) creates answered /s, routing behind', `${((100 * rps(withRules)) / rps(baton)).toFixed(0)}%`, '–'],
          ['  every conversation assigned by the rules', assignedCheck, assignedCheck.startsWith('yes') ? 'yes' : 'NO'],
          // Not a target: how much of the gap is the data model (what gets written) and how much the code around it.
          ['(info) same writes as raw SQL, req/s vs baseline', `${((100 * rps(sameWrites)) / rps(baseline)).toFixed(0)}%`, '–'],
          ['(info) Baton req/s vs the same writes as raw SQL', `${((100 * rps(baton)) / rps(sameWrites)).toFixed(0)}%`, '–'],
          // Not a target: what the rules replace, a create and then an assign request, per conversation.
          ['(info) with rules vs create + assign by hand, created and placed /s', `${((100 * placed(withRules)) / placed(byHand)).toFixed(0)}%`, '–'],
          ['  (same, from CPU per conversation)', `${((100 * cpuPer(byHand)) / cpuPer(withRules)).toFixed(0)}%`, '–'],
        ],
      ),
    );

    await placementAtRates(withRules, placed(baton), options);
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
  }

  if (options.profile) await profileBaton(options);
}

/**
 * `BENCH=placement`: only the fixed-rate steps of the rules server, with plain Baton's rate measured
 * first (one load of `seconds`) to set them.
 */
export async function runPlacementBench(options: HttpOptions): Promise<void> {
  const plain = await Target.start('baton');
  const rules = await Target.start('baton', '', 'rules');
  try {
    for (const t of [plain, rules]) if (options.warmupSeconds > 0) await t.load(options.warmupSeconds, options.connections);
    options.log(`  ${plain.label}: ${options.seconds} s flat out, for the rates`);
    const { placedPerSecond } = await plain.load(options.seconds, options.connections);
    await placementAtRates(rules, placedPerSecond, options);
  } finally {
    await Promise.all([plain.stop(), rules.stop()]);
  }
}

/** A new conversation has its agent within this, at p99: the bound the placement summary reports against. */
const PLACED_P99_MS = 250;

/**
 * How long a new conversation waits for the rules to assign it, at fixed create rates below and at
 * what plain Baton sustains (the fractions of its created-and-placed rate this run measured): what an
 * agent and a customer see, where the saturation figures above say only how fast the server goes
 * flat out. The wait is from the conversation's creation to the `assigned` event, both on the
 * server's clock; p99 over every conversation of the step.
 */
async function placementAtRates(target: Target, plainRate: number, options: HttpOptions): Promise<void> {
  const fractions = [0.1, 0.25, 0.3, 0.35, 0.4, 0.5, 0.65, 0.8];
  const seconds = Math.min(options.seconds, 10);
  const rows: (string | number)[][] = [];
  /** The highest step whose every conversation was placed within PLACED_P99_MS at p99 (issue 9's option (a)). */
  let keptUp: { fraction: number; rate: number; p99: number } | null = null;
  for (const fraction of fractions) {
    const rate = Math.max(1, Math.round(fraction * plainRate));
    options.log(`  ${target.label}: ${rate.toLocaleString('en')} creates/s (${Math.round(fraction * 100)}% of plain) for ${seconds} s`);
    const r = await target.loadAtRate(rate, seconds, options.connections);
    const p99 = percentile(r.waits, 99);
    // The fractions rise, so the last step that kept up is the highest.
    if (r.unplaced === 0 && p99 <= PLACED_P99_MS) keptUp = { fraction, rate, p99 };
    rows.push([
      `${Math.round(fraction * 100)}%`,
      rate.toLocaleString('en'),
      Math.round(r.answered).toLocaleString('en'),
      `${ms(percentile(r.responses, 50))} / ${ms(percentile(r.responses, 99))}`,
      r.behind.toLocaleString('en'),
      String(percentile(r.waits, 50)),
      String(percentile(r.waits, 90)),
      String(percentile(r.waits, 99)),
      String(r.waits.at(-1) ?? NaN),
      r.unplaced,
    ]);
  }
  console.log();
  console.log(`Rules: creation to assignment at fixed create rates, evenly spaced (fractions of plain Baton's ${Math.round(plainRate).toLocaleString('en')} conversations/s above), ${seconds} s each`);
  console.log(
    table(
      ['offered', 'creates/s offered', 'answered /s', 'create answered p50 / p99 ms', 'unplaced when the load stopped', 'placed p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'never placed'],
      rows,
    ),
  );
  console.log(
    keptUp
      ? `Routing kept up (placed p99 ≤ ${PLACED_P99_MS} ms, none left unplaced) up to ${Math.round(keptUp.fraction * 100)}% of plain Baton's rate: ${keptUp.rate.toLocaleString('en')} creates/s, p99 ${keptUp.p99} ms`
      : `Routing did not keep up (placed p99 ≤ ${PLACED_P99_MS} ms) at any of the rates`,
  );
}

/** Profiles a fresh Baton server under the same load, after its warm-up, and prints the summary. */
async function profileBaton(options: HttpOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-prof-'));
  const target = await Target.start('baton', '', options.profile === 'rules' ? 'rules' : 'none');
  try {
    options.log(`\nprofiling Baton${target.rules ? ' with rules' : ''} for ${options.seconds} s after a warm-up (the profiler slows it; these are not the benchmark's figures)`);
    if (options.warmupSeconds > 0) await target.load(options.warmupSeconds, options.connections);
    const file = options.profileOut ?? join(dir, 'baton.cpuprofile');
    await target.profileStart();
    const result = await target.load(options.seconds, options.connections);
    await target.profileStop(file);
    console.log();
    console.log(`Under the profiler: ${Math.round(result.requests.average)} req/s`);
    console.log(summarizeProfile(file, { packageDir }));
    if (options.profileOut) options.log(`profile kept at ${options.profileOut}`);
  } finally {
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
