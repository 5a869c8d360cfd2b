import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The five responses that carried a secret, as they were stored before this migration, and the
 * same response without it. Written out here rather than taken from the protocol's schemas, so
 * this migration does the same thing whenever it runs.
 */
function withoutSecrets(body: Json): Json | null {
  const { apiKey, signingKeys, key, secret, token, ...rest } = body;
  // POST /v1/workspaces: { workspace, apiKey, signingKeys: [{ kid, secret }] }
  if (isObject(body.workspace) && typeof apiKey === 'string' && Array.isArray(signingKeys)) {
    return { ...rest, signingKeys: signingKeys.map((k: unknown) => (isObject(k) ? { ...k, secret: undefined } : k)) };
  }
  // POST /v1/workspace/api-keys: { apiKey: { id, … }, key }
  if (isObject(apiKey) && typeof key === 'string') return { ...rest, apiKey };
  // POST /v1/workspace/signing-keys: { signingKey, secret }; POST /v1/webhooks: { webhook, secret }
  if ((isObject(body.signingKey) || isObject(body.webhook)) && typeof secret === 'string') return { ...rest };
  // POST /v1/tokens: { token, expiresAt }
  if (typeof token === 'string' && typeof body.expiresAt === 'string') return { ...rest };
  return null;
}

/**
 * Stored responses no longer hold secrets (API keys, signing and webhook secrets, agent tokens): a
 * replay has the same status and ids without them (http/reply.ts). This takes them out of the
 * responses stored before, which are kept for up to 24 hours.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  const candidates = await db
    .selectFrom('idempotency_keys')
    .select(['workspace_id', 'principal', 'key', 'response_body'])
    .where('status_code', '>=', 200)
    .where('status_code', '<', 300)
    .where((eb) =>
      eb.or(['%"apiKey":"%', '%"key":"%', '%"secret":"%', '%"token":"%'].map((pattern) => eb('response_body', 'like', pattern))),
    )
    .execute();
  for (const row of candidates as { workspace_id: string; principal: string; key: string; response_body: string }[]) {
    let body: unknown;
    try {
      body = JSON.parse(row.response_body);
    } catch {
      continue;
    }
    const scrubbed = isObject(body) ? withoutSecrets(body) : null;
    if (!scrubbed) continue;
    await db
      .updateTable('idempotency_keys')
      // JSON.stringify drops the `undefined` left where a nested secret was.
      .set({ response_body: JSON.stringify(scrubbed) })
      .where('workspace_id', '=', row.workspace_id)
      .where('principal', '=', row.principal)
      .where('key', '=', row.key)
      .execute();
  }
}
