import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

// Keys the server itself owns (the VAPID pair), by name.

type Q = Kysely<Database>;

export async function readServerKey(db: Q, name: string): Promise<string | null> {
  const row = await db.selectFrom('server_keys').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value ?? null;
}

/** Stores the value unless the name is taken; when two processes race, the first insert wins. */
export const insertServerKeyIfAbsent = (db: Q, name: string, value: string, now: number) =>
  db.insertInto('server_keys').values({ name, value, created_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
