import webpush from 'web-push';
import type { Deps } from '../deps.js';
import type { Db } from '../storage/db.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const KEY_NAME = 'vapid';
const cache = new WeakMap<object, Promise<VapidKeys>>();

/**
 * The server's VAPID key pair, generated the first time it is needed and kept in `server_keys`,
 * so browser subscriptions (bound to the public key) survive restarts. When two processes race
 * to create it, the insert that lands first wins and both read it back.
 */
export function vapidKeys(deps: Deps): Promise<VapidKeys> {
  const db = deps.storage.db;
  let keys = cache.get(db);
  if (!keys) {
    keys = loadOrCreate(db, deps.clock.now());
    keys.catch(() => cache.delete(db));
    cache.set(db, keys);
  }
  return keys;
}

async function loadOrCreate(db: Db, now: number): Promise<VapidKeys> {
  const read = () => db.selectFrom('server_keys').select('value').where('name', '=', KEY_NAME).executeTakeFirst();
  const existing = await read();
  if (existing) return JSON.parse(existing.value) as VapidKeys;
  const fresh = webpush.generateVAPIDKeys();
  await db
    .insertInto('server_keys')
    .values({ name: KEY_NAME, value: JSON.stringify({ publicKey: fresh.publicKey, privateKey: fresh.privateKey }), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const stored = await read();
  if (!stored) throw new Error('VAPID keys could not be stored');
  return JSON.parse(stored.value) as VapidKeys;
}

/** VAPID's contact for push services: the public https URL if there is one, else the mail sender. */
export function vapidSubject(deps: Deps): string {
  const { publicUrl, mailFrom } = deps.config;
  if (publicUrl?.startsWith('https://')) return new URL(publicUrl).origin;
  const address = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  return `mailto:${address}`;
}
