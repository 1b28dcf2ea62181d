/**
 * Pure parts of the dashboards: URLs of the pages and drill-down links, filters intersection, French formats,
 * the charts' CSV, the SVG cache, the streamed XLSX (read back) and the export parameters.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { avecParametres, cheminVue, rechercheTransmise, vueEnParametre } from "../../app/tableaux/vues";
import { lienFormation, lienOrganisme, lienTerritoire } from "../../app/tableaux/liens";
import { moisCourt, nombre, pourcentageCellule, valeurGraphique, variation } from "../../app/tableaux/format";
import { combinerFiltres, vueDeParametre } from "../../app/tableaux/page.server";
import { chartCsv } from "../../app/components/Chart";
import { chartRows, chartXlsx } from "../../app/components/chart-xlsx";
import { cachedSvg } from "../../app/components/svg-cache.server";
import { xlsxEnFlux } from "../../app/exports/xlsx-flux.server";
import { lireExport, urlExport } from "../../app/exports/export.server";
import { readXlsx } from "../../app/shared/xlsx.server";
import { parseCsv } from "../../app/shared/csv";
import type { InfoVue } from "../../app/tableaux/types";
import { enCache } from "../../app/tableaux/cache.server";
import type { Database } from "../../db/client.server";

const info = (vue: InfoVue["vue"], filtre: InfoVue["filtre"] = {}): InfoVue => ({ vue, chemin: cheminVue(vue), surtitre: "", titre: "", sousTitre: null, filAriane: [], perimetre: null, filtre });

describe("pages and links", () => {
  it("gives each page its URL and resource parameter", () => {
    expect(cheminVue({ kind: "national" })).toBe("/");
    expect(cheminVue({ kind: "region", code: "84" })).toBe("/regions/84");
    expect(cheminVue({ kind: "departement", code: "2A" })).toBe("/departements/2A");
    expect(cheminVue({ kind: "academie", code: "10" })).toBe("/academies/10");
    expect(cheminVue({ kind: "organisme", id: 12 })).toBe("/organismes/12/tableau-de-bord");
    expect(cheminVue({ kind: "formation", id: 7 })).toBe("/formations/7/tableau-de-bord");
    expect(vueEnParametre({ kind: "region", code: "84" })).toBe("region:84");
    expect(vueDeParametre("organisme:12")).toEqual({ kind: "organisme", id: 12 });
    expect(vueDeParametre(null)).toEqual({ kind: "national" });
    expect(() => vueDeParametre("planete:3")).toThrow();
  });

  it("keeps the month and filters, never the tables' state, when drilling down", () => {
    const recherche = "?mois=2025-10&niveau=5&region=84&tri_o=libelle&page_f=3";
    expect(rechercheTransmise(recherche)).toBe("?mois=2025-10&niveau=5&region=84");
    expect(avecParametres("?a=1&b=2", { a: undefined, c: 3 })).toBe("?b=2&c=3");
    const national = { liens: "page" as const, recherche, info: info({ kind: "national" }) };
    expect(lienTerritoire(national, "departement", "69")).toBe("/departements/69?mois=2025-10&niveau=5");
    expect(lienTerritoire({ ...national, liens: "filtre" }, "departement", "69")).toBe("/?mois=2025-10&niveau=5&departement=69");
    expect(lienTerritoire({ ...national, liens: "aucun" }, "region", "84")).toBeNull();
    // every filter of the page but the target's own (organisme): the figure clicked is the figure of the page reached
    expect(lienOrganisme(national, 4)).toBe("/organismes/4/tableau-de-bord?mois=2025-10&niveau=5&region=84");
    expect(lienFormation({ recherche: "?mois=2025-10&cfd=50022141", info: info({ kind: "region", code: "84" }, { region: "84" }) }, 9)).toBe(
      "/formations/9/tableau-de-bord?mois=2025-10&region=84",
    );
  });

  it("intersects the page's, the user's and the scope's filters", () => {
    expect(combinerFiltres({ region: ["84"] }, {}, { niveau: [4], region: ["84", "11"] })).toEqual({ region: ["84"], niveau: [4] });
    expect(combinerFiltres({ region: ["84"] }, { region: ["11"] })).toBeNull();
    expect(combinerFiltres({ rqth: true }, { rqth: false })).toBeNull();
    expect(combinerFiltres({ cfd: ["50022141"] }, { departement: ["69"] })).toEqual({ cfd: ["50022141"], departement: ["69"] });
  });
});

describe("French formats", () => {
  it("writes counts, masked counts, changes and months in French", () => {
    expect(nombre(12345)).toBe("12\u202f345");
    expect(nombre("< 5")).toBe("< 5");
    expect(valeurGraphique("< 5")).toBeNull();
    expect(variation(1234, 0.1023)).toBe("+1\u202f234 (+10,2\u00a0%)");
    expect(variation(-5, null)).toBe("\u22125");
    expect(variation(null, null)).toBeNull();
    expect(pourcentageCellule(0.12345)).toBe(12.3);
    expect(moisCourt("2025-09")).toBe("sept. 2025");
  });

  it("gives a chart's CSV exactly its table: link texts, raw numbers, masked counts", () => {
    const csv = chartCsv({
      fileName: "x",
      columns: ["Code", "Territoire", "Apprenants"],
      rows: [
        ["84", { text: "Auvergne-Rhône-Alpes", href: "/regions/84" }, 1234],
        ["11", "Île-de-France; Paris", "< 5"],
      ],
    });
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(parseCsv(csv).records.map((r) => r.fields)).toEqual([
      ["84", "Auvergne-Rhône-Alpes", "1234"],
      ["11", "Île-de-France; Paris", "< 5"],
    ]);
  });

  it("gives a chart's XLSX its table too: codes as text, days as dates, link texts, masked counts", () => {
    const data = {
      fileName: "x",
      columns: ["Code", "Département", "Date", "Apprenants"],
      rows: [
        ["01", { text: "Ain", href: "/departements/01" }, "31/01/2025", 1234],
        ["2A", "Corse-du-Sud", "31/02/2025", "< 5"],
      ],
    };
    expect(chartRows(data)[1]).toEqual(["01", "Ain", { date: "2025-01-31" }, 1234]);
    const [feuille] = readXlsx(chartXlsx("Apprenants par département : carte [1/2]", data));
    // its forbidden characters as spaces, shortened at a word (Excel: 31 characters at most), never mid-word
    expect(feuille.name).toBe("Apprenants par département");
    expect(feuille.rows).toEqual([
      ["Code", "Département", "Date", "Apprenants"],
      ["01", "Ain", "31/01/2025", "1234"],
      // not a day: written as the text it is
      ["2A", "Corse-du-Sud", "31/02/2025", "< 5"],
    ]);
  });

  it("caches the server SVG of a chart by option", () => {
    const option = { xAxis: { type: "category", data: ["a", "b"] }, yAxis: { type: "value" }, series: [{ type: "bar", data: [1, 2] }] };
    const a = cachedSvg(option, 400, 200);
    expect(a).toMatch(/^<svg/);
    expect(cachedSvg(JSON.parse(JSON.stringify(option)), 400, 200)).toBe(a);
  });
});

async function lire(gen: AsyncGenerator<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of gen) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}

async function* rows<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

describe("streamed XLSX", () => {
  it("writes sheets readable back, with inline strings, numbers and escaped text", async () => {
    const bytes = await lire(
      xlsxEnFlux([
        { nom: "Paramètres", lignes: rows([["Paramètre", "Valeur"], ["Filtres", "région <84> & niveau"]]) },
        { nom: "Par région", lignes: rows([["Code", "Apprenants"], ["84", 1234], ["11", 0.5]]) },
      ]),
    );
    const sheets = readXlsx(bytes);
    expect(sheets.map((s) => s.name)).toEqual(["Paramètres", "Par région"]);
    expect(sheets[0].rows).toEqual([["Paramètre", "Valeur"], ["Filtres", "région <84> & niveau"]]);
    expect(sheets[1].rows).toEqual([["Code", "Apprenants"], ["84", "1234"], ["11", "0.5"]]);
  });

  it("continues a sheet past the row limit in a new one, header repeated", async () => {
    const data = [["n"], ...Array.from({ length: 7 }, (_, i) => [i])];
    const sheets = readXlsx(await lire(xlsxEnFlux([{ nom: "Par formation", lignes: rows(data) }], { lignesMax: 3 })));
    expect(sheets.map((s) => s.name)).toEqual(["Par formation", "Par formation (2)", "Par formation (3)", "Par formation (4)"]);
    expect(sheets.flatMap((s) => s.rows.slice(1).map((r) => Number(r[0])))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sheets.every((s) => s.rows[0][0] === "n")).toBe(true);
  });

  it("streams a large sheet in many chunks without building it first", async () => {
    let chunks = 0;
    let size = 0;
    async function* beaucoup() {
      yield ["Libellé", "Valeur"];
      for (let i = 0; i < 60_000; i++) yield [`Ligne ${i} avec un libellé un peu long`, i];
    }
    for await (const c of xlsxEnFlux([{ nom: "Gros", lignes: beaucoup() }])) {
      chunks++;
      size += c.length;
    }
    expect(chunks).toBeGreaterThan(10);
    expect(size).toBeGreaterThan(100_000);
  });
});

describe("export parameters", () => {
  const today = "2026-11-23";
  it("reads breakdowns, a range of months and filters", () => {
    const { valeur, erreurs } = lireExport(new URLSearchParams("repartition=region&repartition=niveau&periode=mois&debut=2026-09&fin=2026-11&format=xlsx&niveau=5"), today);
    expect(erreurs).toEqual([]);
    expect(valeur!.repartitions).toEqual(["region", "niveau"]);
    expect(valeur!.dates).toEqual([
      { mois: "2026-09", date: "2026-09-30" },
      { mois: "2026-10", date: "2026-10-31" },
      { mois: "2026-11", date: "2026-11-23" },
    ]);
    expect(valeur!.filters).toEqual({ niveau: [5] });
    expect(urlExport(valeur!)).toBe("/exports/telechargement?repartition=region&repartition=niveau&periode=mois&debut=2026-09&fin=2026-11&format=xlsx&niveau=5");
  });

  it("explains every bad value in French, naming the form's fields, dates JJ/MM/AAAA and months in words", () => {
    const { valeur, erreurs } = lireExport(new URLSearchParams("repartition=pays&periode=mois&debut=2026-12&fin=2026-01&format=pdf&niveau=9&region=99"), today);
    expect(valeur).toBeNull();
    expect(erreurs).toEqual([
      expect.stringContaining("Répartitions : répartition inconnue « pays »"),
      expect.stringContaining("Format : « csv » ou « xlsx » attendu"),
      "Du mois : décembre 2026 est dans le futur (mois en cours : novembre 2026)",
      expect.stringMatching(/^Région : code région inconnu « 99 »/),
      expect.stringMatching(/^Niveau : niveau invalide « 9 »/),
    ]);
    expect(lireExport(new URLSearchParams("repartition=total&periode=mois&debut=2026-05&fin=2025-01"), today).erreurs).toEqual([
      "Du mois : mai 2026 est après le mois de fin (Au mois : janvier 2025)",
    ]);
    expect(lireExport(new URLSearchParams("repartition=total&periode=mois&debut=2020-01&fin=2026-11"), today).erreurs).toEqual([
      "Du mois, Au mois : 60 mois au plus par export, 83 demandés (de janvier 2020 à novembre 2026)",
    ]);
    expect(lireExport(new URLSearchParams("repartition=total&periode=mois&debut=2021-12&fin=2026-11"), today).erreurs).toEqual([]);
    expect(lireExport(new URLSearchParams("repartition=total&periode=mois&debut=2026-13&fin=1999-12"), today).erreurs).toEqual([
      "Du mois : « 2026-13 » n'est pas un mois (AAAA-MM attendu, par exemple 2026-11)",
      "Au mois : décembre 1999 est trop ancien (janvier 2000 au plus tôt)",
    ]);
    expect(lireExport(new URLSearchParams("periode=date&date=2026-02-30"), today).erreurs).toEqual([
      "Répartitions : choisissez au moins une répartition (ou « Total »)",
      "Date : « 2026-02-30 » n'est pas une date (jour, mois et année existants attendus, JJ/MM/AAAA, par exemple 23/11/2026)",
    ]);
    expect(lireExport(new URLSearchParams("repartition=total&periode=date&date=2030-01-01"), today).erreurs).toEqual([
      "Date : le 01/01/2030 est dans le futur (aujourd'hui : 23/11/2026)",
    ]);
    expect(lireExport(new URLSearchParams("repartition=total&periode=date&date=31/02/2026"), today).erreurs).toEqual([
      expect.stringMatching(/^Date : « 31\/02\/2026 » n'est pas une date/),
    ]);
    // a parameter no field sends is named as such
    expect(lireExport(new URLSearchParams("repartition=total&periode=date&date=2026-01-15&annee_formation=9"), today).erreurs).toEqual([
      expect.stringMatching(/^annee_formation : /),
    ]);
  });

  it("reads the date as its hint writes it (JJ/MM/AAAA) and a month MM/AAAA, giving them back as the fields read them", () => {
    const jour = lireExport(new URLSearchParams("repartition=total&periode=date&date=15/01/2025"), today);
    expect(jour.erreurs).toEqual([]);
    expect(jour.valeur!.dates).toEqual([{ mois: "2025-01", date: "2025-01-15" }]);
    expect(jour.saisie.date).toBe("2025-01-15");
    expect(urlExport(jour.valeur!)).toBe("/exports/telechargement?repartition=total&periode=date&date=2025-01-15&format=csv");
    const mois = lireExport(new URLSearchParams("repartition=total&periode=mois&debut=09/2026&fin=2026-10"), today);
    expect(mois.erreurs).toEqual([]);
    expect(mois.saisie.debut).toBe("2026-09");
    expect(mois.valeur!.dates.map((d) => d.mois)).toEqual(["2026-09", "2026-10"]);
  });

  it("accepts the form's preview switch, and no other parameter it does not read", () => {
    expect(lireExport(new URLSearchParams("apercu=1&repartition=total&periode=date&date=2026-01-15"), today).erreurs).toEqual([]);
    expect(lireExport(new URLSearchParams("apercu=1&repartition=total&periode=date&date=2026-01-15&apercus=1"), today).erreurs).toEqual([
      expect.stringMatching(/^apercus : paramètre inconnu/),
    ]);
  });
});

/** A database that only listens: `notifier()` plays the "figures changed" notification. */
function fauxDb() {
  let ecouteur: (() => void) | undefined;
  const db = {
    listen: async (_canal: string, f: () => void) => {
      ecouteur = f;
      return async () => {};
    },
  } as unknown as Database;
  return { db, notifier: () => ecouteur?.() };
}

describe("cache of the indicator results", () => {
  afterEach(() => {
    vi.useRealTimers();
    delete process.env.TABLEAUX_CACHE_SECONDES;
  });

  it("serves a fresh entry, serves a stale one while recomputing it, recomputes an expired one", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-23T10:00:00Z"));
    const { db } = fauxDb();
    let n = 0;
    const calcul = async () => ++n;
    expect(await enCache(db, ["k"], calcul)).toBe(1);
    expect(await enCache(db, ["k"], calcul)).toBe(1);
    expect(n).toBe(1);
    vi.setSystemTime(new Date("2026-11-23T10:01:30Z")); // stale: the old value, a recomputation behind
    expect(await enCache(db, ["k"], calcul)).toBe(1);
    expect(n).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(await enCache(db, ["k"], calcul)).toBe(2);
    vi.setSystemTime(new Date("2026-11-23T11:00:00Z")); // expired: computed again before answering
    expect(await enCache(db, ["k"], calcul)).toBe(3);
    expect(await enCache(db, ["autre"], calcul)).toBe(4);
  });

  it("empties itself on the database's notification, and keeps nothing computed before it", async () => {
    const { db, notifier } = fauxDb();
    let n = 0;
    expect(await enCache(db, ["k"], async () => ++n)).toBe(1);
    expect(await enCache(db, ["k"], async () => ++n)).toBe(1);
    notifier();
    expect(await enCache(db, ["k"], async () => ++n)).toBe(2);
    // a computation in flight when the notification arrives is not kept for the next request
    let fin!: (v: number) => void;
    const enCours = enCache(db, ["lent"], () => new Promise<number>((r) => (fin = r)));
    await new Promise((r) => setImmediate(r));
    notifier();
    fin(10);
    expect(await enCours).toBe(10);
    expect(await enCache(db, ["lent"], async () => 11)).toBe(11);
  });

  it("stays off when the database cannot listen", async () => {
    const db = { listen: async () => Promise.reject(new Error("LISTEN refusé")) } as unknown as Database;
    let n = 0;
    expect(await enCache(db, ["k"], async () => ++n)).toBe(1);
    expect(await enCache(db, ["k"], async () => ++n)).toBe(2);
  });

  it("is off with TABLEAUX_CACHE_SECONDES=0 and never keeps a failure", async () => {
    const { db } = fauxDb();
    let n = 0;
    await expect(enCache(db, ["e"], async () => Promise.reject(new Error("panne")))).rejects.toThrow("panne");
    await new Promise((r) => setImmediate(r));
    expect(await enCache(db, ["e"], async () => ++n)).toBe(1);
    process.env.TABLEAUX_CACHE_SECONDES = "0";
    expect(await enCache(db, ["e"], async () => ++n)).toBe(2);
    expect(await enCache(db, ["e"], async () => ++n)).toBe(3);
  });
});
