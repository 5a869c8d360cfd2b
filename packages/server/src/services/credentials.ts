import type { WorkspacePrincipal } from '../auth/principal.js';
import { forgetApiKey } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { newId, randomSecret } from '../ids.js';
import {
  activeApiKeyCount,
  activeSigningKeyCount,
  findApiKey,
  findSigningKeyOf,
  insertApiKey,
  insertSigningKey,
  listApiKeys,
  listSigningKeys,
  markApiKeyRevoked,
  markSigningKeyRetired,
} from '../storage/credentials.js';
import { toApiKeyInfo, toSigningKeyInfo } from '../storage/mappers.js';
import type { Db } from '../storage/db.js';
import type { ApiKeyRow, SigningKeyRow } from '../storage/schema.js';
import type { Change } from '../storage/change.js';
import { hashApiKey } from '../storage/workspaces.js';
import { runChange } from './change-runner.js';

/**
 * Credential rotation for the host backend: make a new key, move the host over to it, then revoke
 * (API key) or retire (signing key) the old one. A workspace always keeps one active key of each
 * kind, so it can never lock itself out. Revoking or retiring twice is a no-op.
 */

export async function listCredentials(deps: Deps, p: WorkspacePrincipal) {
  const db = deps.storage.db;
  const [apiKeys, signingKeys] = await Promise.all([listApiKeys(db, p.workspaceId), listSigningKeys(db, p.workspaceId)]);
  return { apiKeys: apiKeys.map(toApiKeyInfo), signingKeys: signingKeys.map(toSigningKeyInfo) };
}

export async function createApiKey(deps: Deps, p: WorkspacePrincipal) {
  const now = deps.clock.now();
  const key = `bk_${randomSecret(24)}`;
  const row = { id: newId('key', now), workspace_id: p.workspaceId, key_hash: hashApiKey(key), created_at: now, revoked_at: null };
  await deps.storage.write((trx) => insertApiKey(trx, row));
  return { apiKey: toApiKeyInfo(row), key };
}

export async function revokeApiKey(deps: Deps, p: WorkspacePrincipal, id: string) {
  const row = await endKey(deps, p, id, API_KEYS);
  // At once on this server; the outbox row tells the others (and closes the sockets of tokens it minted).
  forgetApiKey(deps.storage.db, row.id);
  return { apiKey: toApiKeyInfo(row) };
}

export async function createSigningKey(deps: Deps, p: WorkspacePrincipal) {
  const now = deps.clock.now();
  const row = { kid: newId('kid', now), workspace_id: p.workspaceId, secret: randomSecret(32), created_at: now, retired_at: null };
  await deps.storage.write((trx) => insertSigningKey(trx, row));
  return { signingKey: toSigningKeyInfo(row), secret: row.secret };
}

export async function retireSigningKey(deps: Deps, p: WorkspacePrincipal, kid: string) {
  return { signingKey: toSigningKeyInfo(await endKey(deps, p, kid, SIGNING_KEYS)) };
}

interface KeyKind<Row> {
  noun: string;
  /** Tells every node, through the outbox, that the key ended: they close the sockets its tokens opened. */
  announce(change: Change, id: string): Promise<unknown>;
  find(db: Db, workspaceId: string, id: string): Promise<Row | undefined>;
  endedAt(row: Row): number | null;
  activeCount(db: Db, workspaceId: string): Promise<number>;
  markEnded(db: Db, workspaceId: string, id: string, at: number): Promise<unknown>;
  /** The key as the 409 shows it. */
  details(row: Row): Record<string, unknown>;
}

const API_KEYS: KeyKind<ApiKeyRow> = {
  noun: 'API key',
  announce: (change, id) => change.publish('api_key.revoked', { data: { apiKeyId: id } }),
  find: findApiKey,
  endedAt: (row) => row.revoked_at,
  activeCount: activeApiKeyCount,
  markEnded: markApiKeyRevoked,
  details: (row) => ({ apiKey: toApiKeyInfo(row) }),
};

const SIGNING_KEYS: KeyKind<SigningKeyRow> = {
  noun: 'signing key',
  announce: (change, kid) => change.publish('signing_key.retired', { data: { kid } }),
  find: findSigningKeyOf,
  endedAt: (row) => row.retired_at,
  activeCount: activeSigningKeyCount,
  markEnded: markSigningKeyRetired,
  details: (row) => ({ signingKey: toSigningKeyInfo(row) }),
};

/**
 * Ends (revokes or retires) one key, the same rule for both kinds; returns the key as it now is.
 * Ending it and announcing it are one change (state + outbox row), so no node can miss it.
 */
function endKey<Row>(deps: Deps, p: WorkspacePrincipal, id: string, kind: KeyKind<Row>): Promise<Row> {
  return runChange(deps, p.workspaceId, async (change) => {
    await change.lock();
    const { trx } = change;
    const key = await kind.find(trx, p.workspaceId, id);
    if (!key) throw notFound(kind.noun);
    if (kind.endedAt(key) === null) {
      if ((await kind.activeCount(trx, p.workspaceId)) <= 1) {
        throw conflict(`this is the workspace’s last active ${kind.noun}: create another one first`, kind.details(key));
      }
      await kind.markEnded(trx, p.workspaceId, id, change.now);
      await kind.announce(change, id);
    }
    return (await kind.find(trx, p.workspaceId, id))!;
  });
}
