/**
 * `pnpm --filter @baton/rules bench` (also part of the root `pnpm bench`).
 * BENCH=engine | phrases | language | all (default all); BENCH_ROUND_MS (default 1000), BENCH_ROUNDS (default 7).
 * Prints the machine first: these figures mean little without it.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { benchEngines, formatEngineTable } from './engine.js';
import { compareLanguageLibraries, formatLanguageTable } from './language.js';
import { benchPhrases, formatPhraseTable } from './phrases.js';

const which = process.env.BENCH ?? 'all';
const cpuModel = (() => {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  } catch {
    return cpus()[0]?.model;
  }
})();
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

console.log(`machine: ${cpus().length} CPUs (nproc), ${cpuModel}; node ${process.version}; load average at start ${load()}`);
if (which === 'all' || which === 'engine') {
  const figures = await benchEngines({
    roundMs: Number(process.env.BENCH_ROUND_MS ?? 1000),
    rounds: Number(process.env.BENCH_ROUNDS ?? 7),
  });
  console.log(`\n## Rule evaluation\n\n${formatEngineTable(figures)}\n\nload average after: ${load()}`);
}
if (which === 'all' || which === 'phrases') {
  console.log(`\n## Word lists at their worst\n\n${formatPhraseTable(benchPhrases({ budgetMs: Number(process.env.BENCH_ROUND_MS ?? 1000) / 2 }))}\n\nload average after: ${load()}`);
}
if (which === 'all' || which === 'language') {
  console.log(`\n## Language detection\n\n${formatLanguageTable(await compareLanguageLibraries())}\n\nload average after: ${load()}`);
}
