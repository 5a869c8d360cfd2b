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
import { hashApiKey } from '../storage/workspaces.js';

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
  const row = await deps.storage.write(async (trx) => {
    const key = await findApiKey(trx, p.workspaceId, id);
    if (!key) throw notFound('API key');
    if (key.revoked_at === null) {
      if ((await activeApiKeyCount(trx, p.workspaceId)) <= 1) {
        throw conflict('this is the workspace’s last active API key: create another one first', { apiKey: toApiKeyInfo(key) });
      }
      await markApiKeyRevoked(trx, p.workspaceId, id, deps.clock.now());
    }
    return (await findApiKey(trx, p.workspaceId, id))!;
  });
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
  const row = await deps.storage.write(async (trx) => {
    const key = await findSigningKeyOf(trx, p.workspaceId, kid);
    if (!key) throw notFound('signing key');
    if (key.retired_at === null) {
      if ((await activeSigningKeyCount(trx, p.workspaceId)) <= 1) {
        throw conflict('this is the workspace’s last active signing key: create another one first', { signingKey: toSigningKeyInfo(key) });
      }
      await markSigningKeyRetired(trx, p.workspaceId, kid, deps.clock.now());
    }
    return (await findSigningKeyOf(trx, p.workspaceId, kid))!;
  });
  return { signingKey: toSigningKeyInfo(row) };
}
