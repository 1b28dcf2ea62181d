import { describe, expect, it } from "vitest";
import { DOSSIER_V3_FIELDS } from "../../app/ingestion/dossier-schema.server";
import {
  autoMap,
  convertCell,
  convertDateCell,
  deriveIdErp,
  excelSerialToIso,
  normalizeHeader,
  rowToItem,
  sanitizeMapping,
} from "../../app/ingestion/mapping";

const FIELDS = DOSSIER_V3_FIELDS.map((f) => ({ field: f.field, label: f.label, required: f.required }));

describe("normalizeHeader", () => {
  it("ignores case, accents, punctuation and small words", () => {
    expect(normalizeHeader("  Date de Début du Contrat  ")).toBe("date debut contrat");
    expect(normalizeHeader("PRÉNOM")).toBe("prenom");
    expect(normalizeHeader("date_de_naissance_apprenant")).toBe("date naissance apprenant");
    expect(normalizeHeader("Date de début du contrat (2e contrat)")).toBe("date debut contrat 2 contrat");
    expect(normalizeHeader("N° apprenant")).toBe("apprenant");
  });
});

describe("autoMap", () => {
  it("maps the words people write", () => {
    const headers = [
      "Nom",
      "Prénom",
      "Date de naissance",
      "Code diplôme",
      "Date de début de contrat",
      "Date de fin de contrat",
      "Date de rupture",
      "SIRET employeur",
      "Téléphone",
      "Courriel",
      "Sexe",
      "Année scolaire",
      "Date d'entrée en formation",
      "Date de fin de formation",
      "Date d'inscription",
      "UAI",
      "SIRET",
      "UAI responsable",
      "SIRET responsable",
      "Code RNCP",
      "Identifiant",
      "RQTH",
      "Code postal",
      "Colonne inconnue",
    ];
    expect(autoMap(headers, FIELDS)).toEqual([
      "nom_apprenant",
      "prenom_apprenant",
      "date_de_naissance_apprenant",
      "formation_cfd",
      "contrat_date_debut",
      "contrat_date_fin",
      "contrat_date_rupture",
      "siret_employeur",
      "tel_apprenant",
      "email_contact",
      "sexe_apprenant",
      "annee_scolaire",
      "date_entree_formation",
      "date_fin_formation",
      "date_inscription_formation",
      "etablissement_formateur_uai",
      "etablissement_formateur_siret",
      "etablissement_responsable_uai",
      "etablissement_responsable_siret",
      "formation_rncp",
      "id_erp_apprenant",
      "rqth_apprenant",
      "code_postal_apprenant",
      null,
    ]);
  });

  it("is insensitive to case and accents, and reads technical names", () => {
    expect(autoMap(["NOM", "prenom", "DATE DE NAISSANCE", "date_de_naissance_apprenant", "Etablissement_Formateur_UAI"], FIELDS)).toEqual([
      "nom_apprenant",
      "prenom_apprenant",
      "date_de_naissance_apprenant",
      null, // already taken by the previous column
      "etablissement_formateur_uai",
    ]);
  });

  it("recognises every field's technical name and French label", () => {
    expect(autoMap(FIELDS.map((f) => f.field), FIELDS)).toEqual(FIELDS.map((f) => f.field));
    expect(autoMap(FIELDS.map((f) => f.label), FIELDS)).toEqual(FIELDS.map((f) => f.field));
  });

  it("reads contract ranks", () => {
    expect(
      autoMap(
        [
          "Date de début de contrat 2",
          "Date de début du 3e contrat",
          "date fin contrat 2",
          "Date de rupture du contrat n°4",
          "SIRET employeur 2",
          "Motif de rupture 3",
          "Date de début du 1er contrat",
        ],
        FIELDS,
      ),
    ).toEqual([
      "contrat_date_debut_2",
      "contrat_date_debut_3",
      "contrat_date_fin_2",
      "contrat_date_rupture_4",
      "siret_employeur_2",
      "cause_rupture_contrat_3",
      "contrat_date_debut",
    ]);
  });

  it("sanitizeMapping drops unknown fields and duplicates", () => {
    expect(sanitizeMapping(["nom_apprenant", "xyz", "nom_apprenant", "", null], FIELDS)).toEqual(["nom_apprenant", null, null, null, null]);
  });
});

describe("cells", () => {
  it("converts dates: dd/MM/yyyy, d/M/yyyy, dd-MM-yyyy, dd.MM.yyyy, dd/MM/yy, yyyyMMdd, Excel serials", () => {
    expect(convertDateCell("02/09/2024")).toBe("2024-09-02");
    expect(convertDateCell("2/9/2024")).toBe("2024-09-02");
    expect(convertDateCell("02-09-2024")).toBe("2024-09-02");
    expect(convertDateCell("02.09.2024")).toBe("2024-09-02");
    expect(convertDateCell("02/09/2024 08:30")).toBe("2024-09-02");
    expect(convertDateCell("02/09/24", new Date("2025-01-01"))).toBe("2024-09-02");
    expect(convertDateCell("28/03/06", new Date("2025-01-01"))).toBe("2006-03-28");
    expect(convertDateCell("12/05/98", new Date("2025-01-01"))).toBe("1998-05-12");
    expect(convertDateCell("20240902")).toBe("2024-09-02");
    expect(convertDateCell("45537")).toBe("2024-09-02");
    expect(convertDateCell("45537.75")).toBe("2024-09-02");
    expect(convertDateCell("2024-09-02")).toBe("2024-09-02");
    expect(convertDateCell("n'importe quoi")).toBe("n'importe quoi");
    expect(excelSerialToIso(1)).toBe("1899-12-31");
    expect(excelSerialToIso(61)).toBe("1900-03-01");
    expect(excelSerialToIso(38804)).toBe("2006-03-28");
  });

  it("converts what spreadsheets write for sexe, booleans, phone numbers, integers", () => {
    expect(convertCell("sexe_apprenant", "Masculin")).toBe("M");
    expect(convertCell("sexe_apprenant", "Féminin")).toBe("F");
    expect(convertCell("sexe_apprenant", "Mme")).toBe("F");
    expect(convertCell("sexe_apprenant", "F")).toBe("F");
    expect(convertCell("rqth_apprenant", "VRAI")).toBe("true");
    expect(convertCell("rqth_apprenant", "Faux")).toBe("false");
    expect(convertCell("rqth_apprenant", "Oui")).toBe("Oui");
    expect(convertCell("tel_apprenant", "612345678")).toBe("0612345678");
    expect(convertCell("annee_formation", "2.0")).toBe("2");
    expect(convertCell("nom_apprenant", "  ")).toBeNull();
    expect(convertCell("date_de_naissance_apprenant", "28/03/2006")).toBe("2006-03-28");
    expect(convertCell("contrat_date_debut_2", "45537")).toBe("2024-09-02");
  });
});

describe("rowToItem", () => {
  it("builds the item from the mapped columns and derives the id without an id column", () => {
    const mapping = ["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant", null, "contrat_date_debut"];
    const item = rowToItem(["Lenôtre", "Jean-Gaston", "28/03/2006", "ignored", ""], mapping, {
      annee_scolaire: "2024-2025",
      etablissement_formateur_uai: "0751234J",
    });
    expect(item).toEqual({
      nom_apprenant: "Lenôtre",
      prenom_apprenant: "Jean-Gaston",
      date_de_naissance_apprenant: "2006-03-28",
      annee_scolaire: "2024-2025",
      etablissement_formateur_uai: "0751234J",
      id_erp_apprenant: "lenotre-jeangaston-2006-03-28",
    });
  });

  it("keeps the file's id and values over the defaults", () => {
    const item = rowToItem(["A1", "2025-2026"], ["id_erp_apprenant", "annee_scolaire"], { annee_scolaire: "2024-2025" });
    expect(item).toEqual({ id_erp_apprenant: "A1", annee_scolaire: "2025-2026" });
  });

  it("derives the same id whatever the case, accents and spacing", () => {
    expect(deriveIdErp("LENÔTRE", "jean gaston", "2006-03-28")).toBe(deriveIdErp("Lenotre", "Jean-Gaston", "2006-03-28"));
  });
});
