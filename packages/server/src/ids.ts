import { randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * Ids sort by creation time (48-bit millisecond prefix, like ULID) so indexes on them stay
 * append-mostly, and carry a prefix that says what they are (`conv_…`, `agt_…`).
 */
export function newId(prefix: string, now = Date.now()): string {
  let rand = '';
  for (let i = 0; i < 10; i++) rand += ALPHABET[randomByte() % 32];
  return `${idFloor(prefix, now)}${rand}`;
}

/**
 * The lowest id `newId(prefix, …)` can give at `time`: every id made earlier sorts below it, every
 * id made then or later at or above it. A sweep deletes "before a time" by its primary key with it.
 */
export function idFloor(prefix: string, time: number): string {
  let encoded = '';
  let t = Math.max(0, Math.floor(time)); // before 1970 is the lowest floor there is
  for (let i = 0; i < 10; i++) {
    encoded = ALPHABET[t % 32] + encoded;
    t = Math.floor(t / 32);
  }
  return `${prefix}_${encoded}`;
}

/**
 * Random bytes for ids, drawn from a pool refilled 4 KiB at a time: asking the CSPRNG for 10 bytes
 * per id cost ~7 µs each, 4–5% of a create request's CPU (docs/benchmarks.md).
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
