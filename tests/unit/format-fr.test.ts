import { describe, expect, it } from "vitest";
import { apercuValeur, de, formatDate, formatMois } from "../../app/ui/format";

describe("dates (formatDate)", () => {
  it("a date as written; an instant on its day in Paris, whatever the machine's time zone", () => {
    expect(formatDate("2024-02-29")).toBe("29/02/2024");
    expect(formatDate("2025-09-01T00:00:00")).toBe("01/09/2025");
    // 23:30 UTC is 00:30 the next day in Paris (winter), 22:30 UTC is 00:30 the next day in summer
    expect(formatDate("2026-12-06T23:30:00.000Z")).toBe("07/12/2026");
    expect(formatDate("2026-12-06 23:30:00+00")).toBe("07/12/2026");
    expect(formatDate(new Date("2026-07-06T22:30:00Z"))).toBe("07/07/2026");
    expect(formatDate("2026-12-06T21:30:00Z")).toBe("06/12/2026");
    expect(formatDate(null)).toBe("–");
  });
});

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

describe("a file's cell in a preview (apercuValeur)", () => {
  it("keeps a value up to 80 characters, cuts a longer one and gives its length", () => {
    expect(apercuValeur("")).toBe("");
    expect(apercuValeur("é".repeat(80))).toBe("é".repeat(80));
    expect(apercuValeur("a".repeat(81))).toBe(`${"a".repeat(80)}… (81 caractères)`);
    expect(apercuValeur("x".repeat(12_345))).toBe(`${"x".repeat(80)}… (12\u202f345 caractères)`);
    // counted in characters: an emoji is not cut in half
    expect(apercuValeur("😀".repeat(81))).toBe(`${"😀".repeat(80)}… (81 caractères)`);
  });
});
