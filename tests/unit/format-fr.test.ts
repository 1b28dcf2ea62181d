import { describe, expect, it } from "vitest";
import { de, formatMois } from "../../app/ui/format";

describe("French elision of « de »", () => {
  it("elides before a vowel, not before a consonant or an h", () => {
    expect(de(formatMois("2026-10"))).toBe("d'octobre 2026");
    expect(de(formatMois("2026-04"))).toBe("d'avril 2026");
    expect(de(formatMois("2026-08"))).toBe("d'août 2026");
    expect(de(formatMois("2026-11"))).toBe("de novembre 2026");
    expect(de("Île-de-France")).toBe("d'Île-de-France");
    expect(de("Hauts-de-France")).toBe("de Hauts-de-France"); // h often aspirated: never elided
    expect(de("Bretagne")).toBe("de Bretagne");
  });
});
