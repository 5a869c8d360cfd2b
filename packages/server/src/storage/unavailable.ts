/**
 * When the database cannot be used right now, as opposed to refusing what was asked of it: the API
 * answers 503 `unavailable` with `Retry-After` (http/app.ts), and clients retry; every write they
 * send carries an `Idempotency-Key`, so a retry never applies a change twice.
 */

/** A write refused because this node may not write now (serving-lock.ts says why). */
export class StorageUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'StorageUnavailable';
  }
}

/** The socket's own failures to reach the database server or to keep a connection to it. */
const SOCKET_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * Whether `error` says the database could not be reached, or the connection to it was lost (the
 * server restarting, a network cut, connections switched off for maintenance), rather than that a
 * statement failed: worth the same request again a moment later.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_FAILURES.has(code)) return true;
    // PostgreSQL's class 08 (connection exception) and 57P01–57P03 (shutting down, crashed, starting up).
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
    // `ALTER DATABASE … ALLOW_CONNECTIONS false`: its code (55000) is shared with statement errors, its words are not.
    if (code === '55000' && /is not currently accepting connections/.test(error.message)) return true;
  }
  // `pg`'s words for a connection that closed under a query, for a query sent to a client whose
  // connection was already lost (the rollback after a unit failed on a reset), and for a connection
  // the pool could not open in time.
  return /^Connection terminated|^Client (has encountered a connection error|was closed) and is not queryable|^timeout exceeded when trying to connect/.test(error.message);
}

/**
 * PostgreSQL refuses to run a prepared statement whose result columns changed since it was prepared
 * (a `select *` after a column was added by a migration in another process, or by hand): SQLSTATE
 * 0A000 with these words. The statement stays unusable on that connection until it is prepared anew
 * (pg-statements.ts stops naming its text).
 */
export function isStalePlan(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '0A000' && /cached plan must not change result type/.test(error.message);
}

/**
 * What to tell a caller when `error` means the database cannot be used right now (a refused write,
 * or a connection that could not be had), or null for any other error. One answer for every entry
 * point: REST's 503 and the socket handshake's `unavailable`.
 */
export function whyUnavailable(error: unknown): string | null {
  if (error instanceof StorageUnavailable) return error.message;
  // A table changed under a prepared statement: its text runs unnamed from now on, so the same
  // request again succeeds (pg-statements.ts).
  if (isStalePlan(error)) return 'the database schema changed while this request ran; try again';
  return isConnectionFailure(error) ? 'the database cannot be reached right now; try again in a moment' : null;
}
