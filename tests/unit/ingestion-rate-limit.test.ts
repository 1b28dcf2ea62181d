import { describe, expect, it } from "vitest";
import { generateApiKey, hashApiKey } from "../../app/ingestion/api-keys.server";
import { normaliserErp } from "../../app/cfa/erp";

describe("API keys", () => {
  it("are high-entropy, prefixed and hashed with SHA-256", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(/^tdba_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(a)).toBe(hashApiKey(a));
  });

  it("ERP names are trimmed, bounded, never blank, and a known ERP has one spelling whoever gives it", () => {
    expect(normaliserErp("  Ypareo ")).toBe("Ypareo");
    expect(normaliserErp("ypareo")).toBe("Ypareo");
    expect(normaliserErp("SC FORM\u0007")).toBe("SC Form");
    expect(normaliserErp("   ")).toBeNull();
    expect(normaliserErp(null)).toBeNull();
    expect(normaliserErp("x".repeat(300))).toHaveLength(100);
    expect(normaliserErp("Mon ERP maison")).toBe("Mon ERP maison");
  });
});
