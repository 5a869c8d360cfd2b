import type { Principal } from '../auth/principal.js';
import type { Deps } from '../deps.js';

/** Hono's per-request variables for every Baton route. */
export interface AppEnv {
  Variables: {
    deps: Deps;
    /** Null when the request carried no credential; a bad credential never gets this far (401). */
    principal: Principal | null;
    /** This request's id (http/observe.ts): the caller's `X-Request-Id` when it sent a plain one. */
    requestId: string;
  };
}
