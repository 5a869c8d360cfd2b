/**
 * Baton's server benchmarks. Each reports against a baseline run beside it in the same run.
 *
 *   pnpm bench                          http, replay, views and fanout, full size (1,000,000 conversations; ~8 min warm)
 *   BENCH=http pnpm bench               HTTP create-conversation throughput only
 *   BENCH=views BENCH_ROWS=100000 pnpm bench   views at the storage layer on a smaller fixture
 *   BENCH=fanout pnpm bench             socket fan-out: 1,000 agents, creates over HTTP, Baton vs bare Socket.IO
 *   BENCH=replay pnpm bench             another tenant's live events while 50 sockets replay 3,000 changes
 *
 * Environment:
 *   BENCH           http | placement | tenant-burst | replay | views | fanout | all (default all; placement: only the rules'
 *                   creation-to-assignment wait at fixed create rates, which http also ends with;
 *                   tenant-burst: does one workspace's burst delay another's routing; replay: do sockets
 *                   replaying a backlog delay another tenant's live events)
 *   BENCH_SMTP_URL  tenant-burst only: give the server an email channel (no mail is sent: the seeded agents
 *                   have no address, so each notification is a job recorded as skipped)
 *   BENCH_REPLAY_CHANGES, BENCH_REPLAY_SOCKETS  replay only: changes each socket replays (3000) and sockets (50)
 *   BENCH_TIMER_RULE=1  tenant-burst only: both workspaces also have a live `unassigned_for` rule (timer rows kept per change)
 *   BENCH_SQLITE_SYNCHRONOUS  http only: full (default, Baton's) or normal, for Baton and the baselines alike
 *   BENCH_SECONDS   measured load per server, seconds (default 10)
 *   BENCH_WARMUP    warm-up load per server before measuring, seconds (default 2)
 *   BENCH_CONNECTIONS  concurrent HTTP connections (default 50)
 *   BENCH_ROUNDS    baseline and Baton take turns this many times (default 1; more evens out a busy machine)
 *   BENCH_WHATIF    extra Baton servers with a change applied, space-separated, comma to combine:
 *                   "no-group-commit no-index no-relay no-index,no-relay"; "unnamed" with BENCH_POSTGRES (see http-target.ts)
 *   BENCH_PROFILE=1 also profile the Baton server (V8 CPU profiler, as --cpu-prof) and print where its time goes;
 *                   BENCH_PROFILE=rules profiles the Baton server with the seed's rules published instead
 *   BENCH_PROFILE_OUT=file.cpuprofile  the same, and keep the profile (opens in Chrome DevTools)
 *   BENCH_ROWS      conversations in the views fixture (default 1000000); cached per size in the temp dir
 *   BENCH_BUDGET_MS time per views case before it stops iterating (default 2000)
 *   BENCH_EXPLAIN=1 print EXPLAIN QUERY PLAN for each view's query
 *   BENCH_FANOUT_WORKSPACES, BENCH_FANOUT_AGENTS, BENCH_FANOUT_CONVERSATIONS  workspaces (50), agents per
 *                   workspace (20) and conversations seeded per workspace (300)
 *   BENCH_FANOUT_RATE, BENCH_FANOUT_SECONDS, BENCH_FANOUT_WARMUP  creates/s (200) for how long (15 s), after a warm-up (2 s)
 *   BENCH_FANOUT_STEPS, BENCH_FANOUT_STEP_SECONDS  rates of the step search ("25 50 100 200 400 800"), seconds each (5)
 *   BENCH_FANOUT_CLIENT_PROCS  processes the agents' sockets are split over (1)
 *   BENCH_FANOUT_WHATIF  "no-counts": also a Baton server with counts:updated off
 *   BENCH_FANOUT_PROFILE=1  profile each Baton server's main run and print where its CPU time goes
 *
 * Prints tables only; writes nothing into the repository.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { runFanoutBench } from './fanout.js';
import { runHttpBench, runPlacementBench } from './http.js';
import { runReplayBench } from './replay.js';
import { runTenantBurstBench } from './tenant-burst.js';
import { runViewsBench } from './views.js';

const env = process.env;
const which = env.BENCH ?? 'all';
if (!['http', 'placement', 'tenant-burst', 'replay', 'views', 'fanout', 'all'].includes(which)) {
  console.error(`BENCH must be http, placement, tenant-burst, replay, views, fanout or all (got ${which})`);
  process.exit(2);
}
const positive = (name: string, fallback: number) => {
  const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
};
const log = (line: string) => console.error(line);

// Other processes on the machine skew every figure here; say how busy it was.
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(
  `Baton server benchmarks · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · load average ${load()}`,
);
if (loadavg()[0]! > cpus().length / 2) console.log(`warning: the machine is busy (1-minute load ${loadavg()[0]!.toFixed(2)} on ${cpus().length} CPUs); figures will be low and noisy`);

if (which === 'http' || which === 'all') {
  await runHttpBench({
    seconds: positive('BENCH_SECONDS', 10),
    warmupSeconds: positive('BENCH_WARMUP', 2),
    connections: positive('BENCH_CONNECTIONS', 50),
    rounds: Math.max(1, Math.floor(positive('BENCH_ROUNDS', 1))),
    whatIfs: (env.BENCH_WHATIF ?? '').split(/\s+/).filter(Boolean),
    profile: env.BENCH_PROFILE === 'rules' ? 'rules' : env.BENCH_PROFILE === '1' || !!env.BENCH_PROFILE_OUT,
    ...(env.BENCH_PROFILE_OUT ? { profileOut: resolve(env.BENCH_PROFILE_OUT) } : {}),
    log,
  });
}
if (which === 'placement') {
  await runPlacementBench({
    seconds: positive('BENCH_SECONDS', 10),
    warmupSeconds: positive('BENCH_WARMUP', 2),
    connections: positive('BENCH_CONNECTIONS', 50),
    rounds: 1,
    whatIfs: [],
    profile: false,
    log,
  });
}
if (which === 'tenant-burst') {
  await runTenantBurstBench({ seconds: positive('BENCH_SECONDS', 5), connections: positive('BENCH_CONNECTIONS', 50), ...(env.BENCH_SMTP_URL ? { smtpUrl: env.BENCH_SMTP_URL } : {}), timerRule: env.BENCH_TIMER_RULE === '1', log });
}
if (which === 'replay' || which === 'all') {
  if (which === 'all') console.log();
  await runReplayBench({
    changes: Math.floor(positive('BENCH_REPLAY_CHANGES', 3000)),
    sockets: Math.max(1, Math.floor(positive('BENCH_REPLAY_SOCKETS', 50))),
    baselineProbes: 200,
    log,
  });
}
if (which === 'views' || which === 'all') {
  if (which === 'all') console.log();
  await runViewsBench({
    rows: Math.floor(positive('BENCH_ROWS', 1_000_000)),
    budgetMs: positive('BENCH_BUDGET_MS', 2000),
    maxIterations: 200,
    explain: env.BENCH_EXPLAIN === '1',
    log,
  });
}

if (which === 'fanout' || which === 'all') {
  if (which === 'all') console.log();
  console.log(`load average before the fan-out benchmark: ${load()}`);
  await runFanoutBench({
    workspaces: Math.floor(positive('BENCH_FANOUT_WORKSPACES', 50)),
    agentsPerWorkspace: Math.floor(positive('BENCH_FANOUT_AGENTS', 20)),
    conversations: Math.floor(positive('BENCH_FANOUT_CONVERSATIONS', 300)),
    rate: positive('BENCH_FANOUT_RATE', 200),
    seconds: positive('BENCH_FANOUT_SECONDS', 15),
    warmupSeconds: positive('BENCH_FANOUT_WARMUP', 2),
    steps: (env.BENCH_FANOUT_STEPS ?? '25 50 100 200 400 800').split(/\s+/).filter(Boolean).map(Number),
    stepSeconds: positive('BENCH_FANOUT_STEP_SECONDS', 5),
    clientProcesses: Math.max(1, Math.floor(positive('BENCH_FANOUT_CLIENT_PROCS', 1))),
    whatIfs: (env.BENCH_FANOUT_WHATIF ?? '').split(/\s+/).filter(Boolean),
    profile: env.BENCH_FANOUT_PROFILE === '1',
    log,
  });
}

console.log(`\nload average at the end: ${load()}`);
