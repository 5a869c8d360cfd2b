import webpush from 'web-push';
import type { Deps } from '../deps.js';
import type { Db } from '../storage/db.js';
import { insertServerKeyIfAbsent, readServerKey } from '../storage/server-keys.js';

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
  const existing = await readServerKey(db, KEY_NAME);
  if (existing) return JSON.parse(existing) as VapidKeys;
  const fresh = webpush.generateVAPIDKeys();
  await insertServerKeyIfAbsent(db, KEY_NAME, JSON.stringify({ publicKey: fresh.publicKey, privateKey: fresh.privateKey }), now);
  const stored = await readServerKey(db, KEY_NAME);
  if (!stored) throw new Error('VAPID keys could not be stored');
  return JSON.parse(stored) as VapidKeys;
}

/** VAPID's contact for push services: the public https URL if there is one, else the mail sender. */
export function vapidSubject(deps: Deps): string {
  const { publicUrl, mailFrom } = deps.config;
  if (publicUrl?.startsWith('https://')) return new URL(publicUrl).origin;
  const address = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  return `mailto:${address}`;
}
