import { describe, expect, it } from "vitest";
import { FailureLimiter, TokenBucketLimiter } from "../../app/ingestion/rate-limit.server";
import { generateApiKey, hashApiKey } from "../../app/ingestion/api-keys.server";
import { normalizeErpName } from "../../app/ingestion/pipeline.server";

describe("TokenBucketLimiter", () => {
  it("lets a burst through, then answers with the seconds to wait", () => {
    const limiter = new TokenBucketLimiter(2, 3);
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take("k", t0).ok)).toEqual([true, true, true]);
    const refused = limiter.take("k", t0);
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take("other", t0).ok).toBe(true);
    expect(limiter.take("k", t0 + 500).ok).toBe(true); // 0.5 s × 2/s = 1 token
    expect(limiter.take("k", t0 + 500).ok).toBe(false);
  });
});

describe("FailureLimiter", () => {
  it("blocks after the maximum of failures until the window ends", () => {
    const limiter = new FailureLimiter(3, 60_000);
    const t0 = 5_000_000;
    for (let i = 0; i < 3; i++) {
      expect(limiter.blocked("ip", t0).ok).toBe(true);
      limiter.recordFailure("ip", t0);
    }
    expect(limiter.blocked("ip", t0 + 1000)).toEqual({ ok: false, retryAfterSeconds: 59 });
    expect(limiter.blocked("other-ip", t0).ok).toBe(true);
    expect(limiter.blocked("ip", t0 + 60_000).ok).toBe(true);
  });
});

describe("API keys", () => {
  it("are high-entropy, prefixed and hashed with SHA-256", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(/^tdba_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(a)).toBe(hashApiKey(a));
  });

  it("ERP names are trimmed, bounded and never blank", () => {
    expect(normalizeErpName("  Ypareo ")).toBe("Ypareo");
    expect(normalizeErpName("   ")).toBeNull();
    expect(normalizeErpName(null)).toBeNull();
    expect(normalizeErpName("x".repeat(300))).toHaveLength(100);
  });
});
