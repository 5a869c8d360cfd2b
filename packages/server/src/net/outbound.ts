import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { DestinationRefusedError, guardedLookup, literalHostRefusal, refusedMessage, systemResolver, type DestinationPolicy, type HostResolver } from './destinations.js';

export interface OutboundRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: Uint8Array | string;
  /** Aborts the request (the caller's timeout, or the server stopping). */
  signal: AbortSignal;
  /** Bytes of the response body to read at most; past them the connection is closed unread. */
  maxBodyBytes: number;
}

export interface OutboundResponse {
  status: number;
  /** At most `maxBodyBytes` of the body. */
  body: Buffer;
  /** The body went on past what was read. */
  truncated: boolean;
}

/**
 * Requests Baton sends on a tenant's behalf (webhooks, Web Push): only to allowed destinations
 * (net/destinations.ts), reading at most a few KB of what comes back, and aborted by the caller's
 * signal. Built on node's http(s).request rather than fetch because the socket's `lookup` is
 * where the destination check lives, and because a response body can be cut off after N bytes
 * without buffering the rest. One connection per request, so a checked connection is never
 * reused for something else and a receiver that never answers holds nothing afterwards.
 */
export class OutboundClient {
  private readonly lookup: LookupFunction;

  constructor(
    private readonly policy: DestinationPolicy,
    resolve: HostResolver = systemResolver,
  ) {
    this.lookup = guardedLookup(policy, resolve);
  }

  /** Rejects with DestinationRefusedError before connecting anywhere it must not. */
  send(request: OutboundRequest): Promise<OutboundResponse> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.reject(new DestinationRefusedError(`${request.url} is not a URL`));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new DestinationRefusedError(refusedMessage(url.href, `${url.protocol} is not http or https`)));
    // A literal address is connected to without a lookup, so it is checked here.
    const refused = literalHostRefusal(this.policy, url);
    if (refused) return Promise.reject(new DestinationRefusedError(refused));
    if (request.signal.aborted) return Promise.reject(request.signal.reason);

    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    return new Promise<OutboundResponse>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        fn();
      };
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method: request.method,
        headers: { ...request.headers, 'content-length': String(body.byteLength) },
        lookup: this.lookup,
        agent: false,
        signal: request.signal,
      });
      req.on('error', (error) => settle(() => reject(error)));
      req.on('response', (res) => {
        res.on('error', (error) => settle(() => reject(error)));
        const status = res.statusCode ?? 0;
        if (request.maxBodyBytes <= 0) {
          res.destroy();
          settle(() => resolve({ status, body: Buffer.alloc(0), truncated: !res.complete }));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          const room = request.maxBodyBytes - size;
          if (chunk.length < room) {
            chunks.push(chunk);
            size += chunk.length;
            return;
          }
          chunks.push(chunk.subarray(0, room));
          // Enough: close the connection rather than drain a body of any size.
          res.destroy();
          settle(() => resolve({ status, body: Buffer.concat(chunks), truncated: chunk.length > room || !res.complete }));
        });
        res.on('end', () => settle(() => resolve({ status, body: Buffer.concat(chunks), truncated: false })));
      });
      req.end(body);
    });
  }
}

/** For the delivery log: node's network errors say what happened in `code` (ECONNREFUSED, ECONNRESET, ENOTFOUND). */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
