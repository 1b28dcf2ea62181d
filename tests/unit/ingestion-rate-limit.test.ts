import { describe, expect, it } from "vitest";
import { generateApiKey, hashApiKey } from "../../app/ingestion/api-keys.server";
import { normalizeErpName } from "../../app/ingestion/pipeline.server";

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
