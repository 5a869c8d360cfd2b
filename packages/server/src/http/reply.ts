import { routes, withoutSecrets, type RouteName, type RouteResponse } from '@baton/protocol';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { RenderedReply } from '../services/idempotent-reply.js';
import type { AppEnv } from './env.js';

/**
 * Answers a write: runs `command`, renders its result with `render` as the route's response (the
 * status and schema come from the protocol's route table) and sends it.
 *
 * With an `Idempotency-Key` the response is stored for retries, by the command's own unit of work
 * when it has one (services/idempotent-reply.ts), so the change and the stored response commit
 * together. What is stored never has the fields the route's response schema marks secret (API
 * keys, signing and webhook secrets, agent tokens): a replay has the same status and ids without
 * them. Every successful keyed write goes through here; http/idempotency.ts stores no other
 * success, since only this knows the route's secret fields.
 *
 * `render` must depend on the result alone: a unit of work may call it before the route sees the
 * result, and the same rendering is what the route sends.
 */
export async function reply<N extends RouteName, T>(
  c: Context<AppEnv>,
  route: N,
  command: () => Promise<T>,
  render: (result: T) => RouteResponse<N>,
): Promise<Response> {
  const spec = routes[route];
  const rendered = (result: T): RenderedReply => {
    const body = render(result);
    return { body, stored: { status: spec.status, body: JSON.stringify(withoutSecrets(spec.response, body)) } };
  };
  const keyed = c.get('deps').reply;
  // Without an Idempotency-Key nothing is stored, so the stored form (a second serialization) is not made.
  if (!keyed) return c.json(render(await command()), spec.status as ContentfulStatusCode);
  keyed.expect(rendered as (result: unknown) => RenderedReply);
  const result = await command();
  let response = keyed.committedReplyFor(result);
  if (!response) {
    response = rendered(result);
    keyed.storeAfterwards(response.stored);
  }
  return c.json(response.body, spec.status as ContentfulStatusCode);
}
