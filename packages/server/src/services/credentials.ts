import type { ApiKeyInfo, SigningKeyInfo } from '@baton/protocol';
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
import { runChange, runCommand } from './change-runner.js';

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

/** A new API key for the workspace (its own caller's, or any for the server admin); the key is returned this once. */
export async function createApiKey(deps: Deps, workspaceId: string) {
  const now = deps.clock.now();
  const key = `bk_${randomSecret(24)}`;
  const row = { id: newId('key', now), workspace_id: workspaceId, key_hash: hashApiKey(key), created_at: now, revoked_at: null };
  return runCommand(deps, async (trx) => {
    await insertApiKey(trx, row);
    return { apiKey: toApiKeyInfo(row), key };
  });
}

export async function revokeApiKey(deps: Deps, p: WorkspacePrincipal, id: string) {
  const revoked = await endKey(deps, p, id, API_KEYS);
  // At once on this server; the outbox row tells the others (and closes the sockets of tokens it minted).
  forgetApiKey(deps.storage.db, revoked.apiKey.id);
  return revoked;
}

export async function createSigningKey(deps: Deps, p: WorkspacePrincipal) {
  const now = deps.clock.now();
  const row = { kid: newId('kid', now), workspace_id: p.workspaceId, secret: randomSecret(32), created_at: now, retired_at: null };
  return runCommand(deps, async (trx) => {
    await insertSigningKey(trx, row);
    return { signingKey: toSigningKeyInfo(row), secret: row.secret };
  });
}

export async function retireSigningKey(deps: Deps, p: WorkspacePrincipal, kid: string) {
  return endKey(deps, p, kid, SIGNING_KEYS);
}

interface KeyKind<Row, Shown> {
  noun: string;
  /** Tells every node, through the outbox, that the key ended: they close the sockets its tokens opened. */
  announce(change: Change, id: string): Promise<unknown>;
  find(db: Db, workspaceId: string, id: string): Promise<Row | undefined>;
  endedAt(row: Row): number | null;
  activeCount(db: Db, workspaceId: string): Promise<number>;
  markEnded(db: Db, workspaceId: string, id: string, at: number): Promise<unknown>;
  /** The key as responses show it: the result of ending it, and the details of a 409. */
  shown(row: Row): Shown;
}

const API_KEYS: KeyKind<ApiKeyRow, { apiKey: ApiKeyInfo }> = {
  noun: 'API key',
  announce: (change, id) => change.publish('api_key.revoked', { data: { apiKeyId: id } }),
  find: findApiKey,
  endedAt: (row) => row.revoked_at,
  activeCount: activeApiKeyCount,
  markEnded: markApiKeyRevoked,
  shown: (row) => ({ apiKey: toApiKeyInfo(row) }),
};

const SIGNING_KEYS: KeyKind<SigningKeyRow, { signingKey: SigningKeyInfo }> = {
  noun: 'signing key',
  announce: (change, kid) => change.publish('signing_key.retired', { data: { kid } }),
  find: findSigningKeyOf,
  endedAt: (row) => row.retired_at,
  activeCount: activeSigningKeyCount,
  markEnded: markSigningKeyRetired,
  shown: (row) => ({ signingKey: toSigningKeyInfo(row) }),
};

/**
 * Ends (revokes or retires) one key, the same rule for both kinds; returns the key as it now is.
 * Ending it and announcing it are one change (state + outbox row), so no node can miss it.
 */
function endKey<Row, Shown>(deps: Deps, p: WorkspacePrincipal, id: string, kind: KeyKind<Row, Shown>): Promise<Shown> {
  return runChange(deps, p.workspaceId, async (change) => {
    await change.lock();
    const { trx } = change;
    const key = await kind.find(trx, p.workspaceId, id);
    if (!key) throw notFound(kind.noun);
    if (kind.endedAt(key) === null) {
      if ((await kind.activeCount(trx, p.workspaceId)) <= 1) {
        throw conflict(`this is the workspace’s last active ${kind.noun}: create another one first`, kind.shown(key));
      }
      await kind.markEnded(trx, p.workspaceId, id, change.now);
      await kind.announce(change, id);
    }
    return kind.shown((await kind.find(trx, p.workspaceId, id))!);
  });
}
