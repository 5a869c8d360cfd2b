import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { findSourceMap } from 'node:module';
import { relative } from 'node:path';
import { table } from './stats.js';

/** A V8 .cpuprofile (what `node --cpu-prof` writes). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Condenses a CPU profile of the Baton server into three tables: self time by area (which
 * package or part of Node burns the CPU), self time by function, and inclusive time of Baton's own
 * functions (what each step of the request path costs, callees included). Frames of Baton's
 * TypeScript carry source positions (`profiler` maps them before writing the profile).
 */
export function summarizeProfile(file: string, options: { packageDir: string; top?: number }): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const top = options.top ?? 20;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const areaOf = (url: string, fn: string): string => {
    if (!url) return fn.startsWith('(') ? fn : '(native / V8 builtins)';
    if (url.startsWith('node:')) {
      const m = /^node:(?:internal\/)?([a-z_]+)/.exec(url);
      return `node:${m?.[1] ?? url}`;
    }
    const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (pkg) return pkg[1]!;
    if (url.includes('/packages/protocol/')) return '@baton/protocol';
    const path = url.replace(/^file:\/\//, '');
    if (path.startsWith(options.packageDir)) return `baton ${relative(options.packageDir, path).split('/').slice(0, 2).join('/')}`;
    return path;
  };
  const keyOf = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '').replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(options.packageDir + '/', '')}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'} ${where}`.trim();
  };

  const selfByArea = new Map<string, number>();
  const selfByFn = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    let node = byId.get(id)!;
    // The profiler's own work (node:inspector, at start and stop) is not the server's.
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (byId.get(at)!.callFrame.url === 'node:inspector') return;
    // Native code (addons such as libsql's SQLite, V8 builtins) counts toward the JavaScript that called
    // it: V8 names addon frames unreliably, and "SQLite work for libsql's run()" is what one wants to see.
    let native = '';
    while (!node.callFrame.url && !node.callFrame.functionName.startsWith('(') && parent.has(node.id)) {
      native = ' [incl. native]';
      node = byId.get(parent.get(node.id)!)!;
    }
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    if (area === '(idle)') {
      idle += dt;
      return;
    }
    total += dt;
    selfByArea.set(area, (selfByArea.get(area) ?? 0) + dt);
    const key = keyOf(node.id) + native;
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + dt);
    // Each Baton function on the stack gets the sample once, however often it recurs.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!areaOf(frame.url, frame.functionName).startsWith('baton ')) continue;
      const k = keyOf(at);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  });

  const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
  const msOf = (us: number) => (us / 1000).toFixed(0);
  const rank = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    `CPU profile: ${msOf(total)} ms busy, ${msOf(idle)} ms idle (${((100 * total) / (total + idle)).toFixed(0)}% busy)`,
    '',
    'Self time by area (native code counted toward its JavaScript caller)',
    table(['area', 'ms', 'share'], rank(selfByArea, top).map(([k, v]) => [k, msOf(v), pct(v)])),
    '',
    'Self time by function',
    table(['function', 'ms', 'share'], rank(selfByFn, top).map(([k, v]) => [k, msOf(v), pct(v)])),
    '',
    "Inclusive time of Baton's functions (callees included; nested ones overlap)",
    table(['function', 'ms', 'share'], rank(inclusive, top + 10).map(([k, v]) => [k, msOf(v), pct(v)])),
  ].join('\n');
}

/** V8's sampling profiler on this thread, started and stopped around the measured load only. */
export function profiler() {
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<any>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  return {
    start: async () => {
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 500 });
      await post('Profiler.start');
    },
    stop: async (file: string) => {
      const { profile } = (await post('Profiler.stop')) as { profile: { nodes: { callFrame: { url: string; lineNumber: number; columnNumber: number } }[] } };
      session.disconnect();
      // tsx compiles each .ts file to code whose positions say little; point frames at the TypeScript source.
      for (const { callFrame: frame } of profile.nodes) {
        if (!frame.url.startsWith('file://') || frame.url.includes('/node_modules/') || frame.lineNumber < 0) continue;
        const entry = findSourceMap(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber) as { originalLine?: number; originalColumn?: number } | undefined;
        if (entry?.originalLine === undefined) continue;
        frame.lineNumber = entry.originalLine;
        frame.columnNumber = entry.originalColumn ?? 0;
      }
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}
