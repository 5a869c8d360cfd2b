import { z } from 'zod';
import { ErrorBody } from './errors.js';
import { routes, type RouteSpec } from './routes.js';

const SECURITY: Record<string, string> = {
  serverAdmin: 'serverAdminToken',
  apiKey: 'workspaceApiKey',
  agent: 'agentToken',
  admin: 'agentToken',
};

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
    if (spec.method !== 'get') params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 }, description: 'A retry with the same key returns the first response and changes nothing' });
    const security = spec.callers.filter((c) => c in SECURITY).map((c) => ({ [SECURITY[c]!]: [] }));
    const errorResponse = { description: 'Error', content: { 'application/json': { schema: jsonSchema(ErrorBody, 'output') } } };
    (paths[openApiPath] ??= {})[spec.method] = {
      operationId,
      summary: spec.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(security.length ? { security } : {}),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
      responses: {
        [String(spec.status)]: { description: 'OK', content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } },
        '4XX': errorResponse,
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
