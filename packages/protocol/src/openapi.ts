import { z } from 'zod';
import { ErrorBody } from './errors.js';
import { routes, type RouteSpec } from './routes.js';
import { secretPaths } from './secrets.js';

const SECURITY: Record<string, string> = {
  serverAdmin: 'serverAdminToken',
  apiKey: 'workspaceApiKey',
  agent: 'agentToken',
  admin: 'agentToken',
};

const IDEMPOTENCY_KEY_NOTE =
  'A retry with the same key (same caller, method, path, If-Match and body; kept 24 hours) returns the first response, status included, and changes nothing. The same key with a different request is 422 idempotency_key_reused; while the first request still runs, 409 idempotency_request_in_progress.';
const REPLAYED_NOTE = '`true` when this is the stored response of an earlier request with the same Idempotency-Key.';
const SECRETS_NOT_REPLAYED =
  'Secrets are never stored, so a replay of this request has the same status and ids but not the secret fields (each says so in its description); a caller that lost the first response asks again with a new key.';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: z.ZodType) {
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

/** Every answer names its request, for a support ticket or the server's log (the server's http/observe.ts). */
const REQUEST_ID = {
  'X-Request-Id': {
    description: "This request's id: the caller's own `X-Request-Id` when it sent a plain one (up to 128 of A–Z a–z 0–9 . _ : -), else a new UUID",
    schema: { type: 'string' },
  },
};

/** OpenAPI 3.1 document generated from the route table; served at `/v1/openapi.json`. */
export function buildOpenApiDocument(info: { version: string; serverUrl?: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [operationId, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    const openApiPath = spec.path.replace(/:(\w+)/g, '{$1}');
    const params: unknown[] = [...spec.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1], in: 'path', required: true, schema: { type: 'string' },
    }));
    if (spec.query) params.push(...queryParameters(spec.query));
    if (spec.ifMatch) params.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'Expected conversation version; a stale one gets 409 with the current conversation' });
    const write = spec.method !== 'get';
    const secrets = secretPaths(spec.response);
    if (write) params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 }, description: IDEMPOTENCY_KEY_NOTE + (secrets.length ? ` ${SECRETS_NOT_REPLAYED}` : '') });
    const security = spec.callers.filter((c) => c in SECURITY).map((c) => ({ [SECURITY[c]!]: [] }));
    const errorBody = { 'application/json': { schema: jsonSchema(ErrorBody, 'output') } };
    const errorResponse = { description: 'Error', headers: REQUEST_ID, content: errorBody };
    (paths[openApiPath] ??= {})[spec.method] = {
      operationId,
      summary: spec.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(security.length ? { security } : {}),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
      responses: {
        [String(spec.status)]: {
          description: 'OK',
          headers: {
            ...REQUEST_ID,
            ...(write ? { 'Idempotent-Replayed': { description: secrets.length ? `${REPLAYED_NOTE} ${SECRETS_NOT_REPLAYED}` : REPLAYED_NOTE, schema: { type: 'string', enum: ['true'] } } } : {}),
          },
          content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } },
        },
        ...(spec.body ? { '413': { description: 'The body is larger than the server accepts (256 KiB unless its operator changed it): `payload_too_large`', headers: REQUEST_ID, content: errorBody } } : {}),
        '4XX': errorResponse,
        '503': {
          description: 'The database cannot be used right now (unreachable, or the node is reconnecting to it): retry after Retry-After seconds',
          headers: { ...REQUEST_ID, 'Retry-After': { schema: { type: 'string' } } },
          content: { 'application/json': { schema: jsonSchema(spec.unavailable ?? ErrorBody, 'output') } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Baton API', version: info.version, description: 'Shared team inbox: assignment, notes, views and realtime.' },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    components: {
      securitySchemes: {
        serverAdminToken: { type: 'http', scheme: 'bearer', description: 'BATON_ADMIN_TOKEN' },
        workspaceApiKey: { type: 'http', scheme: 'bearer', description: 'Workspace API key (bk_…), server to server' },
        agentToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'HS256 agent token signed with a workspace signing key' },
      },
    },
    paths,
  };
}
