/**
 * In-memory rate limits of the API (one server process; behind several processes each keeps its own counts).
 *
 * - Per API key: a token bucket, `API_RATE_PER_SECOND` requests per second sustained (default 20, i.e. 40,000
 *   dossiers/s in batches of 2,000) with a burst of `API_RATE_BURST` (default 40).
 * - Per IP, failed authentications: after `API_AUTH_FAILURES_MAX` failures (default 20) within
 *   `API_AUTH_FAILURES_WINDOW_SECONDS` (default 600), further failures from that IP are answered 429 until the
 *   window has passed. A valid key is never blocked by its IP's failures (the IP may be a shared proxy).
 */

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

const MAX_ENTRIES = 50_000;

export class TokenBucketLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
  ) {}

  take(key: string, now = Date.now()): RateDecision {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_ENTRIES) this.sweep(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSecond);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond)) };
  }

  private sweep(now: number) {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.ratePerSecond >= this.burst) this.buckets.delete(key);
    }
  }
}

export class FailureLimiter {
  private windows = new Map<string, { count: number; start: number }>();

  constructor(
    readonly maxFailures: number,
    readonly windowMs: number,
  ) {}

  /** When the key has used up its failures: seconds until the window ends. */
  blocked(key: string, now = Date.now()): RateDecision {
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) return { ok: true };
    if (w.count < this.maxFailures) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) };
  }

  recordFailure(key: string, now = Date.now()): void {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size >= MAX_ENTRIES) this.sweep(now);
      w = { count: 0, start: now };
      this.windows.set(key, w);
    }
    w.count++;
  }

  private sweep(now: number) {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

let limiters: { perKey: TokenBucketLimiter; authFailures: FailureLimiter } | undefined;

/** The process-wide limiters (configured from the environment on first use). */
export function apiLimiters() {
  limiters ??= {
    perKey: new TokenBucketLimiter(envNumber("API_RATE_PER_SECOND", 20), envNumber("API_RATE_BURST", 40)),
    authFailures: new FailureLimiter(
      envNumber("API_AUTH_FAILURES_MAX", 20),
      envNumber("API_AUTH_FAILURES_WINDOW_SECONDS", 600) * 1000,
    ),
  };
  return limiters;
}
