import { BatonApiError, type OriginRefusalDetails } from '@baton/client';

const CANT_REACH = "Can't reach Baton right now. Check your connection and try again.";
const SIGNED_OUT = "You're signed out of Baton or not allowed to do this. Reload the page to sign in again.";

/**
 * What went wrong, in words an agent can act on. The SDK's messages name routes and attempts
 * ("POST /v1/…: no response after 3 attempts") or the socket's words ("websocket error"); those
 * are for logs, not for the person. The SDK gives both kinds a status and code to read here.
 */
export function plainError(e: unknown): string {
  if (e instanceof BatonApiError) {
    if (e.code === 'rate_limited') return 'Baton is getting too much from this account right now. Wait a moment and try again.';
    if (e.code === 'network_error' || e.status >= 500 || e.status === 0) return CANT_REACH;
    const refused = e.details as Partial<OriginRefusalDetails> | undefined;
    if (refused?.reason === 'origin_not_allowed') {
      // Only a host's setup causes it, and only its setup fixes it: say what to change, not "sign in".
      return `Baton doesn't accept connections from this page (${refused.origin ?? 'its address'}). Whoever set up Baton needs to add it to the workspace's allowed origins.`;
    }
    if (e.status === 401 || e.status === 403) return SIGNED_OUT;
    if (e.code === 'version_conflict') return 'Someone changed this conversation first. Have a look and try again.';
    if (e.status === 404) return 'This conversation is no longer available.';
    return e.message;
  }
  if (e instanceof TypeError) return CANT_REACH;
  return e instanceof Error ? e.message : String(e);
}
