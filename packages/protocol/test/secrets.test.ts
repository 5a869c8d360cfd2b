import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { routes, secretPaths, secretSchemas, withoutSecrets, type RouteName } from '../src/index.js';
import { buildOpenApiDocument } from '../src/openapi.js';
import { secret } from '../src/secrets.js';

// Taken before any test below marks a schema of its own.
const DECLARED = secretSchemas();

describe('secret response fields', () => {
  it('are exactly the credentials the API hands out', () => {
    const withSecrets = Object.fromEntries(
      (Object.keys(routes) as RouteName[]).map((name) => [name, secretPaths(routes[name].response)]).filter(([, paths]) => paths!.length > 0),
    );
    assert.equal(DECLARED.length, 6);
    assert.deepEqual(withSecrets, {
      createWorkspace: [['apiKey'], ['signingKeys', '*', 'secret']],
      createWorkspaceApiKey: [['key']],
      createToken: [['token']],
      createApiKey: [['key']],
      createSigningKey: [['secret']],
      createWebhook: [['secret']],
    });
  });

  it('each marked schema is found under some route, so none hides where it would be stored', () => {
    const reachable = new Set<z.ZodType>();
    const collect = (schema: z.ZodType, path: string[]) => {
      let node: z.ZodType = schema;
      for (const step of path) {
        while (node instanceof z.ZodOptional || node instanceof z.ZodNullable) node = node.unwrap() as z.ZodType;
        node = step === '*' ? ((node as z.ZodArray).element as z.ZodType) : ((node as z.ZodObject).shape[step] as z.ZodType);
      }
      reachable.add(node);
    };
    for (const spec of Object.values(routes)) for (const path of secretPaths(spec.response)) collect(spec.response, path);
    for (const schema of DECLARED) assert.ok(reachable.has(schema), `a secret field no route response reaches: ${JSON.stringify(z.toJSONSchema(schema))}`);
  });

  it('are dropped from a copy, wherever they sit, and the original keeps them', () => {
    const body = {
      workspace: { id: 'ws_1', name: 'Acme' },
      apiKey: 'bk_abc',
      signingKeys: [
        { kid: 'kid_1', secret: 's1' },
        { kid: 'kid_2', secret: 's2' },
      ],
    };
    const copy = withoutSecrets(routes.createWorkspace.response, body);
    assert.deepEqual(copy, { workspace: { id: 'ws_1', name: 'Acme' }, signingKeys: [{ kid: 'kid_1' }, { kid: 'kid_2' }] });
    assert.equal(body.apiKey, 'bk_abc');
    assert.equal(body.signingKeys[0]!.secret, 's1');
  });

  it('inside optional and nullable fields too', () => {
    const Schema = z.object({ outer: z.object({ inner: secret(z.string()).optional(), id: z.string() }).nullable() });
    assert.deepEqual(secretPaths(Schema), [['outer', 'inner']]);
    assert.deepEqual(withoutSecrets(Schema, { outer: { inner: 'x', id: 'a' } }), { outer: { id: 'a' } });
    assert.deepEqual(withoutSecrets(Schema, { outer: null }), { outer: null });
  });

  it('leave a response without secrets as the same object', () => {
    const body = { conversation: { id: 'conv_1' } };
    assert.equal(withoutSecrets(routes.createConversation.response, body), body);
  });

  it('are described in the OpenAPI document, with the replay note on the response', () => {
    const doc = buildOpenApiDocument({ version: '0.0.0' }) as any;
    const created = doc.paths['/v1/webhooks'].post.responses['201'];
    assert.match(created.content['application/json'].schema.properties.secret.description, /replay .* omits it/);
    assert.match(created.headers['Idempotent-Replayed'].description, /without the secret fields|not the secret fields/);
    const plain = doc.paths['/v1/conversations'].post.responses['201'];
    assert.doesNotMatch(plain.headers['Idempotent-Replayed'].description, /secret/);
  });
});
