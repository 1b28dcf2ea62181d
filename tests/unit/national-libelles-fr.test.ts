/**
 * What the national team's pages say, in French: the counts of an import's summary and of the list of recent
 * imports (narrow no-break spaces, "1,3 s"), the kind of an import as the form names it, the page numbers of the
 * lists' pagination, and the UAI example of the sign-up form (a UAI that the form accepts).
 */
import fs from "node:fs";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { describe, expect, it, vi } from "vitest";
import { formatDecimal } from "../../app/ui/format";
import { dureeImport, libelleImport, resultatImport, resumeImport } from "../../app/referentiel/import-libelles";
import { Pagination } from "../../app/referentiel/components";
import { isValidUai } from "../../app/referentiel/codes";

const NNBSP = "\u202f";

describe("decimals in French", () => {
  it("writes a decimal comma and groups thousands with a narrow no-break space", () => {
    expect(formatDecimal(1.3)).toBe("1,3");
    expect(formatDecimal(0.44)).toBe("0,4");
    expect(formatDecimal(2)).toBe("2,0");
    expect(formatDecimal(12345.67, 2)).toBe(`12${NNBSP}345,67`);
  });
});

describe("an import's summary (/admin/imports)", () => {
  it("formats every count and the duration in French", () => {
    const s = { lines: 20_000, durationMs: 5_480, created: 0, updated: 20_000, unchanged: 0, skipped: 0 };
    expect(resumeImport(s, 0)).toBe(`20${NNBSP}000 lignes lues en 5,5 s — 0 créé, 20${NNBSP}000 mis à jour, 0 inchangé, 0 ligne rejetée.`);
    expect(resumeImport({ ...s, lines: 3, durationMs: 1_300, created: 2, updated: 0, unchanged: 1, skipped: 1_500, lineUnit: "élément" }, 1)).toBe(
      `3 éléments lus en 1,3 s — 2 créés, 0 mis à jour, 1 inchangé, 1${NNBSP}500 ignorés, 1 élément rejeté.`,
    );
    expect(dureeImport(400)).toBe("0,4 s");
    expect(dureeImport(1_234_500)).toBe(`1${NNBSP}234,5 s`);
  });

  it("the list of recent imports: the result's counts formatted, the kind as the form names it", () => {
    expect(resultatImport({ created: 0, updated: 20_000, rejected: 0 })).toBe(`0 créé, 20${NNBSP}000 mis à jour, 0 rejet`);
    expect(resultatImport({ created: 12_345, updated: null, rejected: 2 })).toBe(`12${NNBSP}345 créés, 0 mis à jour, 2 rejets`);
    expect(libelleImport("organismes")).toBe("Organismes");
    expect(libelleImport("formations")).toBe("Formations");
    expect(libelleImport("bassins")).toBe("Bassins d'emploi");
    expect(libelleImport("autre")).toBe("autre");
  });
});

describe("pagination of the lists (/organismes, /referentiel/anomalies…)", () => {
  it("writes page numbers in French, in the links and their titles", () => {
    // react-router's links warn that their layout effect does not run on the server: said once per link, nothing else
    const erreur = vi.spyOn(console, "error").mockImplementation((message: unknown) => {
      if (!String(message).includes("useLayoutEffect does nothing on the server")) throw new Error(String(message));
    });
    let html: string;
    try {
      html = renderToStaticMarkup(createElement(MemoryRouter, null, createElement(Pagination, { page: 1, pages: 1011, search: "?q=cfa", cible: "liste" })));
    } finally {
      erreur.mockRestore();
    }
    expect(html).toContain(`>1${NNBSP}011</a>`);
    expect(html).toContain(`title="Page 1${NNBSP}011"`);
    // the fragment scrolls to the list's table when the page is loaded without JavaScript
    expect(html).toContain('href="/?q=cfa&amp;page=1011#liste"');
    expect(html).not.toMatch(/>1011</);
  });
});

describe("the sign-up form's UAI example", () => {
  it("is a UAI the form accepts (its check letter right)", () => {
    const source = fs.readFileSync("app/routes/inscription.tsx", "utf8");
    const exemples = [...source.matchAll(/par exemple ([0-9]{7}[A-Z])/g)].map((m) => m[1]);
    expect(exemples).not.toEqual([]);
    for (const uai of exemples) expect(isValidUai(uai), uai).toBe(true);
  });
});
