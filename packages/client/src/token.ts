/** A token this close to its `exp` is replaced before use, so a request never races the expiry. */
export const REFRESH_MARGIN_MS = 60_000;

export interface TokenOptions {
  /** A fixed credential: an agent JWT, or a workspace API key (`bk_…`) for server-side use. */
  token?: string;
  /** Mints a fresh agent token (usually by calling the host backend). */
  tokenProvider?: () => Promise<string>;
  /** Milliseconds since the epoch; injectable so expiry can be tested without waiting. */
  now?: () => number;
  /**
   * One credential shared by several clients (a page's REST client and socket): a token either
   * got serves the other until it nears expiry, so the host mints one, not one each. When given,
   * `token`, `tokenProvider` and `now` are its own, not these options'.
   */
  tokens?: TokenSource;
}

/**
 * Reads `exp` (seconds) from a JWT without verifying it: the client only needs to know when to
 * ask for a new one; the server does the verifying. Anything that is not a JWT has no expiry.
 */
export function tokenExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const claims = JSON.parse(atob(base64)) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp : null;
  } catch {
    return null;
  }
}

/**
 * The current credential. Calls the provider when there is no token or the token is within
 * {@link REFRESH_MARGIN_MS} of expiry; concurrent callers share one provider call.
 */
export class TokenSource {
  private current: string | undefined;
  private pending: Promise<string> | null = null;
  private readonly provider: (() => Promise<string>) | undefined;
  private readonly now: () => number;

  constructor(options: TokenOptions) {
    this.current = options.token;
    this.provider = options.tokenProvider;
    this.now = options.now ?? (() => Date.now());
  }

  /** Whether a rejected token can be replaced (there is a provider). */
  get refreshable(): boolean {
    return this.provider !== undefined;
  }

  async get(): Promise<string | undefined> {
    if (this.provider && (this.current === undefined || this.nearExpiry(this.current))) return this.fetch();
    return this.current;
  }

  /**
   * A fresh token after `rejected` was refused. If another caller already replaced it, that
   * replacement is returned instead of asking the provider again.
   */
  async refresh(rejected?: string): Promise<string | undefined> {
    if (!this.provider) return this.current;
    if (rejected !== undefined && this.current !== undefined && this.current !== rejected && !this.nearExpiry(this.current)) return this.current;
    return this.fetch();
  }

  private nearExpiry(token: string): boolean {
    const exp = tokenExpiry(token);
    return exp !== null && exp * 1000 - this.now() <= REFRESH_MARGIN_MS;
  }

  private fetch(): Promise<string> {
    this.pending ??= this.provider!()
      .then((token) => {
        this.current = token;
        return token;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
