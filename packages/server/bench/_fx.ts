import { ensureFixture } from './fixture.js';
const rows = Number(process.env.BENCH_ROWS ?? 100000);
const info = await ensureFixture(rows, console.log);
console.log(info);
