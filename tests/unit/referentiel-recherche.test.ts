/**
 * Searches of the répertoire and the catalogue, as pure functions: the folding of a search word (case, accents,
 * ligatures, curly apostrophes), the reading of a code in the catalogue's search, the query parameters a database
 * cannot take, and the page shown past the end of a list. Their SQL side runs in tests/db/referentiel-recherche.test.ts.
 */
import { describe, expect, it } from "vitest";
import { PgDialect } from "drizzle-orm/pg-core";
import { foldText } from "../../app/referentiel/repertoire.server";
import { formationConditions } from "../../app/referentiel/catalogue.server";
import { pageOf, pageOrLast } from "../../app/shared/pagination";

describe("foldText", () => {
  it("ignores case and accents, French and others of the table", () => {
    expect(foldText("École Supérieure de Commerce")).toBe("ecole superieure de commerce");
    expect(foldText("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ àâäçéèêëîïôöùûüÿ ÁÍÓÚÑ")).toBe("aaaceeeeiioouuuy aaaceeeeiioouuuy aioun");
  });

  it("reads œ and æ as two letters (« vandoeuvre » finds Vandœuvre, « œuvre » does not find Couvreur)", () => {
    expect(foldText("Vandœuvre-lès-Nancy")).toBe("vandoeuvre-les-nancy");
    expect(foldText("ŒUVRE Cæcilia Æ")).toBe("oeuvre caecilia ae");
    expect(foldText("Couvreur").includes(foldText("œuvre"))).toBe(false);
    expect(foldText("Main-d'œuvre").includes(foldText("oeuvre"))).toBe(true);
  });

  it("reads a curly apostrophe (phones, word processors) as a straight one", () => {
    expect(foldText("Campus de l’alternance")).toBe("campus de l'alternance");
    expect(foldText("l‘ʼ")).toBe("l''");
  });

  it("composes an accent typed as a combining mark", () => {
    expect(foldText("E\u0301cole")).toBe("ecole");
  });

  it("leaves other characters as they are (the SQL fold does the same, whatever the database's locale)", () => {
    expect(foldText("Ωmega 42 – ß")).toBe("Ωmega 42 – ß");
  });
});

describe("the catalogue's search reads codes", () => {
  const dialect = new PgDialect();
  const condition = (q: string) => dialect.sqlToQuery(formationConditions({ q }));

  it.each([
    ["RNCP3938", "RNCP3938"],
    ["rncp 3938", "RNCP3938"],
    ["3938", "RNCP3938"],
    ["RNCP37861", "RNCP37861"],
    ["37861", "RNCP37861"],
  ])("« %s » is the RNCP code %s", (q, rncp) => {
    const { sql, params } = condition(q);
    expect(sql).toContain("f.rncp = $1");
    expect(params).toEqual([rncp]);
  });

  it.each([
    ["50022137", "50022137"],
    ["3203121a", "3203121A"],
  ])("« %s » is the CFD %s", (q, cfd) => {
    const { sql, params } = condition(q);
    expect(sql).toContain("f.cfd = $1");
    expect(params).toEqual([cfd]);
  });

  it("anything else is words of the intitulé", () => {
    expect(condition("CAPAGRIC").sql).toContain("like");
    expect(condition("cuisine").sql).toContain("like");
  });
});

describe("pageOrLast", () => {
  const rows = Array.from({ length: 45 }, (_, i) => i + 1);
  const calls: number[] = [];
  const load = async (page: number) => {
    calls.push(page);
    return pageOf(rows.slice((page - 1) * 20, page * 20), rows.length, page, 20);
  };

  it("reads the page asked for when it exists", async () => {
    calls.length = 0;
    const page = await pageOrLast(2, load);
    expect(page.pagination).toEqual({ page: 2, limit: 20, total: 45, pages: 3 });
    expect(calls).toEqual([2]);
  });

  it("past the end, shows the last page (its rows and its number), not an empty page contradicting the count", async () => {
    calls.length = 0;
    const page = await pageOrLast(99, load);
    expect(page.pagination).toEqual({ page: 3, limit: 20, total: 45, pages: 3 });
    expect(page.data).toEqual([41, 42, 43, 44, 45]);
    expect(calls).toEqual([99, 3]);
  });

  it("an empty list stays on page 1", async () => {
    const page = await pageOrLast(7, async (p) => pageOf([], 0, p, 20));
    expect(page.pagination).toEqual({ page: 1, limit: 20, total: 0, pages: 1 });
  });
});
