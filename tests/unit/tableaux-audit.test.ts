/**
 * The UI audit of the dashboards and exports, its pure parts: a bad URL value is ignored and the valid filters
 * kept; French months and dates in the charts' tables and in the exports' preview; one label per training level;
 * decimal commas in the charts' `;` CSV; the minus sign U+2212 in changes; French order of labels.
 */
import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { parseFilters, parseFiltersLenient } from "../../app/indicateurs/filters";
import { lireParametres } from "../../app/tableaux/page.server";
import { variation } from "../../app/tableaux/format";
import { OPTIONS_NIVEAU, libelleNiveau } from "../../app/tableaux/options";
import { chartCsv, nombreCsv } from "../../app/components/Chart";
import { SerieMensuelle } from "../../app/tableaux/components/SerieMensuelle";
import { RepartitionNiveau } from "../../app/tableaux/components/RepartitionNiveau";
import { celluleApercu } from "../../app/exports/libelles";
import { NIVEAU_LABELS } from "../../app/referentiel/labels";
import { dateValue, parseCsv } from "../../app/shared/csv";

const TODAY = "2026-11-15";

describe("a bad URL value is reported and ignored, the valid filters kept", () => {
  it("a month given twice: the first one, said, and the page's links keep it alone", () => {
    const p = lireParametres(new URLSearchParams("mois=2025-03&mois=2025-04&niveau=3"), TODAY);
    expect(p.mois).toBe("2025-03");
    expect(p.erreurs).toEqual(["mois : un seul mois à la fois ; le tableau de bord est celui du premier indiqué (2025-03)"]);
    expect(new URLSearchParams(p.recherche).getAll("mois")).toEqual(["2025-03"]);
    // the same month twice is no contradiction
    expect(lireParametres(new URLSearchParams("mois=2025-03&mois=2025-03"), TODAY).erreurs).toEqual([]);
  });

  it("keeps niveau and sexe when the month is invalid", () => {
    const p = lireParametres(new URLSearchParams("niveau=3&sexe=F&mois=2026-13"), TODAY);
    expect(p.erreurs).toEqual(["mois : mois invalide « 2026-13 » (AAAA-MM attendu)"]);
    expect(p.filters).toEqual({ niveau: [3], sexe: ["F"] });
    expect(p.mois).toBe("2026-11");
    expect(p.date).toBe(TODAY);
    // the page's links start from the URL without its bad value
    expect(p.recherche.toString()).toBe("niveau=3&sexe=F");
  });

  it("keeps the valid values of a filter, the other filters and the month", () => {
    const p = lireParametres(new URLSearchParams("mois=2025-02&niveau=3,9&region=84&rqth=peut-etre&tri_o=libelle&formation=zzzz"), TODAY);
    expect(p.erreurs).toEqual(["niveau : niveau invalide « 9 » (3 à 8 attendu)", "rqth : « oui » ou « non » attendu, reçu « peut-etre »"]);
    expect(p.filters).toEqual({ niveau: [3], region: ["84"] });
    expect(p.mois).toBe("2025-02");
    expect(p.date).toBe("2025-02-28");
    expect(p.recherche.toString()).toBe("mois=2025-02&niveau=3&region=84&tri_o=libelle");
  });

  it("falls back to the current month for a month too old or in the future", () => {
    expect(lireParametres(new URLSearchParams("mois=1999-12&sexe=M"), TODAY)).toMatchObject({
      mois: "2026-11",
      filters: { sexe: ["M"] },
      erreurs: ["mois : « 1999-12 » est trop ancien (janvier 2000 au plus tôt)"],
    });
    expect(lireParametres(new URLSearchParams("mois=2027-01"), TODAY).mois).toBe("2026-11");
  });

  it("reports date= (a dashboard counts by month: mois=AAAA-MM), keeps the month and the filters", () => {
    const p = lireParametres(new URLSearchParams("date=2026-03-15&mois=2026-04&niveau=3"), TODAY);
    expect(p.erreurs).toEqual([
      "date : les tableaux de bord se lisent par mois, pas à un jour : utilisez mois=AAAA-MM (par exemple mois=2026-03) ; " +
        "un mois passé est compté à son dernier jour, le mois en cours à aujourd'hui",
    ]);
    expect(p.mois).toBe("2026-04");
    expect(p.date).toBe("2026-04-30");
    expect(p.recherche.toString()).toBe("mois=2026-04&niveau=3");
    // a date that is not one, or in the future: the example is the current month
    expect(lireParametres(new URLSearchParams("date=demain"), TODAY).erreurs[0]).toContain("(par exemple mois=2026-11)");
    expect(lireParametres(new URLSearchParams("date=2027-01-01"), TODAY).erreurs[0]).toContain("(par exemple mois=2026-11)");
  });

  it("parses leniently, parseFilters staying strict", () => {
    const q = new URLSearchParams("niveau=9&sexe=F&age=vieux,moins_18");
    expect(parseFiltersLenient(q)).toEqual({
      filters: { sexe: ["F"], trancheAge: ["moins_18"] },
      errors: ["niveau : niveau invalide « 9 » (3 à 8 attendu)", expect.stringMatching(/^age : tranche d'âge inconnue « vieux »/)],
      invalidParams: ["niveau", "age"],
    });
    expect(parseFilters(q).ok).toBe(false);
  });
});

describe("French months, dates and labels", () => {
  const serie = [
    { mois: "2025-01", date: "2025-01-31", apprentis: 1200, inscritsSansContrat: 30, rupturants: "< 5" as const },
    { mois: "2025-02", date: "2025-02-28", apprentis: 1250, inscritsSansContrat: 25, rupturants: 5 },
  ];

  it("writes the 24-month table with month names and dd/MM/yyyy, and its CSV alike", () => {
    const html = renderToString(createElement(SerieMensuelle, { serie, fileName: "x" }));
    const table = html.slice(html.indexOf('data-role="donnees"'));
    expect(table).toContain("janvier 2025");
    expect(table).toContain("31/01/2025");
    expect(table).not.toMatch(/2025-01/);
    const csv = decodeURIComponent(/href="data:text\/csv;charset=utf-8,([^"]*)"/.exec(html)![1]);
    expect(parseCsv(csv).records[0].fields).toEqual(["janvier 2025", "31/01/2025", "1200", "30", "< 5"]);
  });

  it("shows the exports' preview in French, the files keeping their machine formats", () => {
    const ligne = ["2026-11", "2026-11-15", "Région", "84", "Auvergne-Rhône-Alpes", null, null, null, null, 12345];
    expect(ligne.map(celluleApercu)).toEqual(["novembre 2026", "15/11/2026", "Région", "84", "Auvergne-Rhône-Alpes", "", "", "", "", "12\u202f345"]);
    // the export's date is a date cell (JJ/MM/AAAA in the CSV, a real date in the XLSX): the preview shows it in French
    expect(celluleApercu(dateValue("2026-11-15"), 1)).toBe("15/11/2026");
  });

  it("gives a training level one label: the filter's, the chart's, its table's and CSV's", () => {
    expect(OPTIONS_NIVEAU.map((o) => o.label)).toEqual([3, 4, 5, 6, 7, 8].map(libelleNiveau));
    expect(libelleNiveau("5")).toBe(NIVEAU_LABELS[5]);
    const lignes = [
      { code: "5", libelle: libelleNiveau("5"), apprentis: 10, inscritsSansContrat: 2, rupturants: 1 },
      { code: null, libelle: "Non renseigné", apprentis: 1, inscritsSansContrat: 0, rupturants: 0 },
    ];
    const html = renderToString(createElement(RepartitionNiveau, { lignes, fileName: "x" }));
    expect(html).toContain(NIVEAU_LABELS[5]);
    expect(html).not.toMatch(/bac \+ 2/);
  });
});

describe("numbers in French", () => {
  it("writes rates with a decimal comma in the charts' `;` CSV, integers as they are", () => {
    expect(nombreCsv(6.7)).toBe("6,7");
    expect(nombreCsv(1234)).toBe("1234");
    const csv = chartCsv({ fileName: "x", columns: ["Code", "Taux de rupture (%)", "Rupturants"], rows: [["84", 6.7, 12], ["11", "Non diffusé", "< 5"]] });
    expect(csv).toContain("84;6,7;12\r\n");
    expect(parseCsv(csv).records.map((r) => r.fields)).toEqual([
      ["84", "6,7", "12"],
      ["11", "Non diffusé", "< 5"],
    ]);
  });

  it("writes a decrease with the minus sign U+2212, never a hyphen", () => {
    expect(variation(-10, -0.007)).toBe("\u221210 (\u22120,7\u00a0%)");
    expect(variation(-1234, null)).toBe("\u22121\u202f234");
    expect(variation(10, 0.007)).toBe("+10 (+0,7\u00a0%)");
    expect(variation(0, 0)).toBe("0 (0\u00a0%)");
  });
});
