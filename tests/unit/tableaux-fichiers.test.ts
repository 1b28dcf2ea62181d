/**
 * What a dashboard's downloads say of their figures (app/tableaux/fichiers.ts): their file name names the territory
 * or subject actually counted (the viewer's scope on « / »), the filters and the month; their « Filtres » column and
 * the charts' « Paramètres » sheet say it in French (QA: a DREETS's files were named « national » and said nothing).
 */
import { describe, expect, it } from "vitest";
import { fichiersDeLaPage, type PageDesFichiers } from "../../app/tableaux/fichiers";
import { chartCsv } from "../../app/components/Chart";
import { chartXlsx } from "../../app/components/chart-xlsx";
import { parseCsv } from "../../app/shared/csv";
import { readXlsx } from "../../app/shared/xlsx.server";
import { libelleNiveau } from "../../app/tableaux/options";

const NIVEAU_5 = { nom: "Niveau", valeur: libelleNiveau("5") };
const base: PageDesFichiers = {
  vue: { kind: "national" },
  titre: "L'apprentissage en France",
  filtre: {},
  perimetre: null,
  filtres: {},
  libellesFiltres: [],
  mois: "2026-03",
  date: "2026-03-31",
};
const DREETS = { kind: "region", code: "84", libelle: "Auvergne-Rhône-Alpes" } as const;

describe("the names of a dashboard's downloads", () => {
  it("names the national figures « national », a scope's figures by their territory, with the filters and the month", () => {
    expect(fichiersDeLaPage(base).nom).toBe("national-2026-03");
    // QA: a DREETS on /?mois=2026-03&niveau=5 got « national-2026-03-serie-24-mois.xlsx »
    const dreets = fichiersDeLaPage({ ...base, titre: "L'apprentissage dans votre périmètre", perimetre: DREETS, filtres: { niveau: [5] }, libellesFiltres: [NIVEAU_5] });
    expect(dreets.nom).toBe("region-84-niveau-5-2026-03");
    expect(fichiersDeLaPage({ ...base, perimetre: { kind: "departement", code: "2A", libelle: "Corse-du-Sud (2A)" } }).nom).toBe("departement-2A-2026-03");
    expect(fichiersDeLaPage({ ...base, perimetre: { kind: "reseau", code: "Compagnons du Devoir", libelle: "Réseau Compagnons du Devoir" } }).nom).toBe(
      "perimetre-Reseau_Compagnons_du_Devoir-2026-03",
    );
    expect(fichiersDeLaPage({ ...base, filtres: { region: ["84", "11"], sexe: ["F"] } }).nom).toBe("national-region-84+11-sexe-F-2026-03");
  });

  it("names a territory's page by its territory, an organisme's or a formation's by its public code, never a database id", () => {
    expect(fichiersDeLaPage({ ...base, vue: { kind: "region", code: "84" }, titre: "Auvergne-Rhône-Alpes", perimetre: DREETS }).nom).toBe("region-84-2026-03");
    const organisme = { ...base, vue: { kind: "organisme", id: 123 } as const, titre: "CFA du Rhône", filtre: { organisme: "13002526500013" } };
    expect(fichiersDeLaPage(organisme).nom).toBe("organisme-13002526500013-2026-03");
    expect(fichiersDeLaPage({ ...organisme, perimetre: { kind: "reseau", code: "X", libelle: "Réseau X" } }).nom).toBe("organisme-13002526500013-perimetre-Reseau_X-2026-03");
    const formation = { ...base, vue: { kind: "formation", id: 7 } as const, titre: "CAP Boulanger", filtre: { cfd: "50022141" } };
    expect(fichiersDeLaPage(formation).nom).toBe("formation-50022141-2026-03");
    expect(fichiersDeLaPage({ ...formation, perimetre: DREETS }).nom).toBe("formation-50022141-region-84-2026-03");
  });
});

describe("what a dashboard's downloads say of their figures", () => {
  it("says the scope, the day and the filters, as the page's tags name them", () => {
    expect(fichiersDeLaPage(base).parametres).toEqual([
      { nom: "Périmètre", valeur: "France entière" },
      { nom: "Date", valeur: "31/03/2026" },
    ]);
    expect(fichiersDeLaPage({ ...base, perimetre: DREETS, filtres: { niveau: [5] }, libellesFiltres: [NIVEAU_5] }).parametres).toEqual([
      { nom: "Périmètre", valeur: "Auvergne-Rhône-Alpes" },
      { nom: "Date", valeur: "31/03/2026" },
      NIVEAU_5,
    ]);
    expect(fichiersDeLaPage({ ...base, vue: { kind: "departement", code: "69" }, titre: "Rhône (69)", perimetre: DREETS }).parametres[0]).toEqual({
      nom: "Département",
      valeur: "Rhône (69)",
    });
    const formation = fichiersDeLaPage({ ...base, vue: { kind: "formation", id: 7 }, titre: "CAP Boulanger", filtre: { cfd: "50022141" }, perimetre: DREETS });
    expect(formation.parametres.slice(0, 2)).toEqual([
      { nom: "Formation", valeur: "CAP Boulanger (50022141)" },
      { nom: "Périmètre", valeur: "Auvergne-Rhône-Alpes" },
    ]);
  });

  it("writes them in a « Filtres » column of a chart's CSV and XLSX, and in its XLSX's « Paramètres » sheet; its table is unchanged", () => {
    const { parametres } = fichiersDeLaPage({ ...base, perimetre: DREETS, filtres: { niveau: [5] }, libellesFiltres: [NIVEAU_5] });
    const data = { fileName: "x", columns: ["Mois", "Apprentis"], rows: [["mars 2026", 12]], parametres };
    const texte = `Périmètre : Auvergne-Rhône-Alpes · Date : 31/03/2026 · Niveau : ${libelleNiveau("5")}`;
    const csv = parseCsv(chartCsv(data));
    expect(csv.header).toEqual(["Mois", "Apprentis", "Filtres"]);
    expect(csv.records.map((r) => r.fields)).toEqual([["mars 2026", "12", texte]]);
    const [feuille, parametresXlsx] = readXlsx(chartXlsx("Apprenants par mois, sur 24 mois", data));
    expect(feuille).toMatchObject({ name: "Apprenants par mois", rows: [["Mois", "Apprentis", "Filtres"], ["mars 2026", "12", texte]] });
    expect(parametresXlsx).toMatchObject({
      name: "Paramètres",
      rows: [
        ["Paramètre", "Valeur"],
        ["Graphique", "Apprenants par mois, sur 24 mois"],
        ["Périmètre", "Auvergne-Rhône-Alpes"],
        ["Date", "31/03/2026"],
        ["Niveau", libelleNiveau("5")],
      ],
    });
    // a chart that says nothing of its figures (the CFA's): exactly its table
    expect(parseCsv(chartCsv({ ...data, parametres: undefined })).header).toEqual(["Mois", "Apprentis"]);
    expect(readXlsx(chartXlsx("Parcours", { ...data, parametres: undefined })).map((s) => s.name)).toEqual(["Parcours"]);
  });
});
