import { describe, expect, it } from "vitest";
import { DOSSIER_V3_FIELDS } from "../../app/ingestion/dossier-schema.server";
import {
  CELLULE_FORMULE_SANS_VALEUR,
  CELLULE_NIR_MASQUEE,
  NIR_FOURNI,
  autoMap,
  autoMatch,
  celluleMarquee,
  champsEnDouble,
  colonnesCodesIgnorees,
  convertCell,
  convertDateCell,
  convertRow,
  dateDeLApercu,
  deriveIdErp,
  duplicateIdentityErrors,
  completeSiretParUai,
  etablissementDefaulted,
  uaisSansSiret,
  isNirHeader,
  contientNir,
  masquerNir,
  NIR_MASQUE,
  looksLikeNir,
  looksLikeNirColumn,
  normalizeHeader,
  rowToItem,
  sanitizeMapping,
  siretSansZero,
} from "../../app/ingestion/mapping";
import { excelSerialToIso } from "../../app/shared/excel-dates";

const FIELDS = DOSSIER_V3_FIELDS.map((f) => ({ field: f.field, label: f.label, required: f.required }));

describe("normalizeHeader", () => {
  it("ignores case, accents, punctuation and small words", () => {
    expect(normalizeHeader("  Date de Début du Contrat  ")).toBe("date debut contrat");
    expect(normalizeHeader("PRÉNOM")).toBe("prenom");
    // a required column marked as the page marks its fields
    expect(normalizeHeader("Prénom *")).toBe("prenom");
    expect(autoMap(["Nom *", "Prénom*", "Date de naissance *"], FIELDS)).toEqual(["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant"]);
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

  it("« UAI CFA » / « SIRET CFA » are the responsable's next to a site's (the formateur's) columns, the formateur's alone", () => {
    const F = ["etablissement_formateur_uai", "etablissement_formateur_siret"];
    const R = ["etablissement_responsable_uai", "etablissement_responsable_siret"];
    expect(autoMap(["UAI CFA", "SIRET CFA", "UAI site", "SIRET site"], FIELDS)).toEqual([...R, ...F]);
    // in any order, with small words, or the site « de formation »
    expect(autoMap(["UAI du site de formation", "SIRET du site de formation", "N° UAI du CFA", "SIRET du CFA"], FIELDS)).toEqual([...F, ...R]);
    expect(autoMap(["UAI CFA", "SIRET CFA", "UAI formateur", "SIRET formateur"], FIELDS)).toEqual([...R, ...F]);
    // alone, the CFA is the formateur, as always
    expect(autoMap(["UAI CFA", "SIRET CFA"], FIELDS)).toEqual(F);
    expect(autoMap(["UAI CFA", "SIRET CFA", "UAI responsable", "SIRET responsable"], FIELDS)).toEqual([...F, ...R]);
    // next to a lieu de formation (fields of its own), too
    expect(autoMap(["UAI CFA", "SIRET CFA", "UAI lieu de formation", "SIRET lieu de formation"], FIELDS)).toEqual([
      ...F,
      "etablissement_lieu_de_formation_uai",
      "etablissement_lieu_de_formation_siret",
    ]);
    // the responsable named too: the CFA's columns are left for the user to decide (the page says so)
    expect(autoMap(["UAI site", "SIRET site", "UAI responsable", "SIRET responsable", "UAI CFA", "SIRET CFA"], FIELDS)).toEqual([
      ...F,
      ...R,
      null,
      null,
    ]);
  });

  it("tells the UAI and SIRET columns left out, by their name or their values", () => {
    const headers = ["Nom", "UAI antenne", "SIRET site annexe", "Code", "Employeur", "Remarque"];
    const rows = [
      ["A", "", "", "0751234J", "13002456000018", "oui"],
      ["B", "", "", "0751234J", "13002456000018", "0751234J"],
      ["C", "", "", "", "", "non"],
    ];
    const mapping = ["nom_apprenant", null, null, null, null, null];
    expect([...colonnesCodesIgnorees(headers, rows, mapping)]).toEqual([
      [1, "UAI"],
      [2, "SIRET"],
      [3, "UAI"],
      [4, "SIRET"],
    ]);
    // mapped columns are not told
    expect([...colonnesCodesIgnorees(headers, rows, ["nom_apprenant", "etablissement_formateur_uai", null, "x", "siret_employeur", null])]).toEqual([
      [2, "SIRET"],
    ]);
  });

  it("does not read a « date de sortie » as an exclusion (it is often the normal end of training)", () => {
    expect(autoMap(["Date de sortie", "Date d'abandon"], FIELDS)).toEqual([null, "date_exclusion_formation"]);
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

describe("synonyms missing from the QA's files", () => {
  it("« Prénom 1 » is the prénom; « Année » the année scolaire, « Année de formation » still the année de formation", () => {
    expect(autoMap(["Nom", "Prénom 1", "Prénom 2"], FIELDS)).toEqual(["nom_apprenant", "prenom_apprenant", null]);
    expect(autoMap(["Année", "Année de formation"], FIELDS)).toEqual(["annee_scolaire", "annee_formation"]);
    expect(autoMap(["ANNEE"], FIELDS)).toEqual(["annee_scolaire"]);
  });

  it("« UAI établissement » and « SIRET établissement » are the formateur's, as a file of one établissement means", () => {
    expect(autoMap(["UAI établissement", "SIRET établissement"], FIELDS)).toEqual(["etablissement_formateur_uai", "etablissement_formateur_siret"]);
    expect(autoMap(["UAI de l'établissement", "Siret Etablissement"], FIELDS)).toEqual(["etablissement_formateur_uai", "etablissement_formateur_siret"]);
    // the responsable's own names are kept
    expect(autoMap(["UAI de l'établissement responsable", "SIRET établissement"], FIELDS)).toEqual([
      "etablissement_responsable_uai",
      "etablissement_formateur_siret",
    ]);
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
    // serial 1 is 01/01/1900 as Excel shows it (its fictitious 29/02/1900, serial 60, shifts the days before)
    expect(excelSerialToIso(1)).toBe("1900-01-01");
    expect(excelSerialToIso(61)).toBe("1900-03-01");
    expect(excelSerialToIso(38804)).toBe("2006-03-28");
  });

  it("shows a date cell in the preview as the day stored, with the cell as typed when it reads otherwise", () => {
    // an Excel serial without a date format (QA: « 39214 » shown, 12/05/2007 stored)
    expect(dateDeLApercu("39214")).toEqual({ jour: "12/05/2007", saisie: "39214" });
    expect(dateDeLApercu("39214.5")).toEqual({ jour: "12/05/2007", saisie: "39214.5" });
    // but not out of a CSV, where a number is no date: no day, the cell shown as typed with its error
    expect(dateDeLApercu("39214", { excelSerials: false })).toBeNull();
    expect(dateDeLApercu("20070512")).toEqual({ jour: "12/05/2007", saisie: "20070512" });
    expect(dateDeLApercu("12/05/07", {}, new Date("2026-01-01"))).toEqual({ jour: "12/05/2007", saisie: "12/05/07" });
    // a day that reads as stored: no second value
    for (const v of ["12/05/2007", "12-5-2007", "12.05.2007", " 12/05/2007 08:30", "2007-05-12"]) expect(dateDeLApercu(v), v).toEqual({ jour: "12/05/2007", saisie: null });
    // no day stored: nothing to show but the cell (empty, unreadable, non-existent, a year)
    for (const v of ["", "  ", "bientôt", "31/02/2007", "2006", "12/05/1850"]) expect(dateDeLApercu(v), v).toBeNull();
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
      etablissement_formateur_siret: "78298832500018",
    });
    expect(item).toEqual({
      nom_apprenant: "Lenôtre",
      prenom_apprenant: "Jean-Gaston",
      date_de_naissance_apprenant: "2006-03-28",
      annee_scolaire: "2024-2025",
      etablissement_formateur_uai: "0751234J",
      etablissement_formateur_siret: "78298832500018",
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

describe("ids derived from names in every script", () => {
  it("keeps the letters of every script, so that different learners do not share an id", () => {
    const li = deriveIdErp("李", "伟", "2005-02-01");
    const wang = deriveIdErp("王", "芳", "2005-02-01");
    expect(li).toBe("李-伟-2005-02-01");
    expect(wang).toBe("王-芳-2005-02-01");
    expect(deriveIdErp("Иванов", "Пётр", "2005-02-01")).toBe("иванов-петр-2005-02-01");
    expect(deriveIdErp("Ødegård", "Bjørn", "2005-02-01")).toBe("odegard-bjorn-2005-02-01");
    expect(deriveIdErp("Lœuillet", "Æsa", "2005-02-01")).toBe("loeuillet-aesa-2005-02-01");
    expect(deriveIdErp("Strauß", "Łukasz", "2005-02-01")).toBe("strauss-lukasz-2005-02-01");
    // ß and its spelling give the same id, as accents do
    expect(deriveIdErp("STRAUSS", "Lukasz", "2005-02-01")).toBe(deriveIdErp("Strauß", "Łukasz", "2005-02-01"));
  });

  it("gives plain Latin names the ids they always had", () => {
    expect(deriveIdErp("Lenôtre", "Gaston", "2006-03-28")).toBe("lenotre-gaston-2006-03-28");
    expect(deriveIdErp("N'Diaye-Dupont", "Jean Marie", "2006-03-28")).toBe("ndiayedupont-jeanmarie-2006-03-28");
    expect(deriveIdErp("  O’Connor  ", "Zoë", "2006-03-28")).toBe("oconnor-zoe-2006-03-28");
    expect(deriveIdErp("Éluard2", "Ça", "2006-03-28")).toBe("eluard2-ca-2006-03-28");
  });

  it("forms no id when the nom or the prénom has no letter nor digit", () => {
    expect(deriveIdErp("-", "Jean", "2005-02-01")).toBeNull();
    expect(deriveIdErp("Dupont", "?!", "2005-02-01")).toBeNull();
  });

  it("a row whose derived nom or prénom is empty gets an error naming its columns, and no id", () => {
    const mapping = ["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant"];
    const headers = ["Nom de famille", "Prénom usuel", "Né le"];
    const { item, errors } = convertRow(["—", "Jean", "01/02/2005"], mapping, {}, { headers });
    expect(item.id_erp_apprenant).toBeUndefined();
    expect(errors).toEqual([
      {
        path: ["id_erp_apprenant"],
        fields: ["nom_apprenant"],
        message: expect.stringMatching(/^id_erp_apprenant : identifiant impossible à former, le nom \(colonne « Nom de famille »\) ne contient ni lettre ni chiffre/),
      },
    ]);
    const both = convertRow(["…", "*", "01/02/2005"], mapping, {}, { headers });
    expect(both.errors[0].fields).toEqual(["nom_apprenant", "prenom_apprenant"]);
    expect(both.errors[0].message).toMatch(/le nom \(colonne « Nom de famille »\) et le prénom \(colonne « Prénom usuel »\) ne contiennent ni lettre ni chiffre/);
    // with an id column, nothing is derived nor refused here
    expect(convertRow(["—", "Jean", "A1"], ["nom_apprenant", "prenom_apprenant", "id_erp_apprenant"]).errors).toEqual([]);
    expect(convertRow(["李", "伟", "01/02/2005"], mapping).item.id_erp_apprenant).toBe("李-伟-2005-02-01");
  });
});

describe("Excel serials in date columns", () => {
  it("reads a number as a serial only from 1910 on: a year or a small number is left to the schema", () => {
    expect(convertDateCell("2024")).toBe("2024");
    expect(convertDateCell("1")).toBe("1");
    expect(convertDateCell("3653")).toBe("3653");
    expect(convertDateCell("3654")).toBe("1910-01-01");
    expect(convertCell("date_de_naissance_apprenant", "2024")).toBe("2024");
    expect(convertCell("date_de_naissance_apprenant", "38804")).toBe("2006-03-28");
  });

  it("reads no serial at all when the file cannot have any (CSV)", () => {
    expect(convertDateCell("45537", new Date(), { excelSerials: false })).toBe("45537");
    expect(convertCell("contrat_date_debut", "45537", { excelSerials: false })).toBe("45537");
    expect(convertCell("contrat_date_debut", "02/09/2024", { excelSerials: false })).toBe("2024-09-02");
    const mapping = ["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant"];
    expect(rowToItem(["A", "B", "38804"], mapping, {}, { excelSerials: false }).date_de_naissance_apprenant).toBe("38804");
    expect(rowToItem(["A", "B", "38804"], mapping, {}, { excelSerials: true }).date_de_naissance_apprenant).toBe("2006-03-28");
  });
});

describe("the organisme's UAI and SIRET, only as a pair", () => {
  const defaults = {
    etablissement_formateur_uai: "0751234J",
    etablissement_formateur_siret: "78298832500018",
    etablissement_responsable_uai: "0751234J",
    etablissement_responsable_siret: "78298832500018",
  };

  it("both columns missing: the organisme is the établissement", () => {
    expect(rowToItem(["A"], ["nom_apprenant"], defaults)).toEqual({ nom_apprenant: "A", ...defaults });
    expect(etablissementDefaulted("formateur", ["nom_apprenant"], defaults)).toBe(true);
  });

  it("a UAI column without a SIRET column (or the reverse): no SIRET (UAI) invented", () => {
    const uaiOnly = rowToItem(["0999999Z"], ["etablissement_formateur_uai"], defaults);
    expect(uaiOnly).toEqual({
      etablissement_formateur_uai: "0999999Z",
      etablissement_responsable_uai: "0751234J",
      etablissement_responsable_siret: "78298832500018",
    });
    const siretOnly = rowToItem(["11111111111111"], ["etablissement_responsable_siret"], defaults);
    expect(siretOnly).toEqual({
      etablissement_responsable_siret: "11111111111111",
      etablissement_formateur_uai: "0751234J",
      etablissement_formateur_siret: "78298832500018",
    });
    expect(etablissementDefaulted("formateur", ["etablissement_formateur_uai"], defaults)).toBe(false);
    // an organisme without UAI: no half pair either
    expect(rowToItem(["A"], ["nom_apprenant"], { ...defaults, etablissement_formateur_uai: null })).toEqual({
      nom_apprenant: "A",
      etablissement_responsable_uai: "0751234J",
      etablissement_responsable_siret: "78298832500018",
    });
  });
});

describe("a template filled in by a CFA: empty établissement and id cells (QA)", () => {
  const defaults = {
    etablissement_formateur_uai: "0751234J",
    etablissement_formateur_siret: "78298832500018",
    etablissement_responsable_uai: "0751234J",
    etablissement_responsable_siret: "78298832500018",
  };
  const mapping = [
    "nom_apprenant",
    "prenom_apprenant",
    "date_de_naissance_apprenant",
    "id_erp_apprenant",
    "etablissement_formateur_uai",
    "etablissement_formateur_siret",
    "etablissement_responsable_uai",
    "etablissement_responsable_siret",
  ];
  const headers = ["Nom", "Prénom", "Date de naissance", "Identifiant ERP de l'apprenant", "UAI formateur", "SIRET formateur", "UAI responsable", "SIRET responsable"];

  it("a row with both cells of an établissement empty gets the organisme, as a file without these columns", () => {
    const { item, errors } = convertRow(["Lenôtre", "Gaston", "28/03/2006", "A1", "", "", "", ""], mapping, defaults, { headers });
    expect(errors).toEqual([]);
    expect(item).toMatchObject(defaults);
    // the formateur given, the responsable empty: only the responsable is the organisme
    const mixte = convertRow(["Lenôtre", "Gaston", "28/03/2006", "A1", "0999999Z", "11111111111111", " ", ""], mapping, defaults, { headers }).item;
    expect(mixte).toMatchObject({
      etablissement_formateur_uai: "0999999Z",
      etablissement_formateur_siret: "11111111111111",
      etablissement_responsable_uai: "0751234J",
      etablissement_responsable_siret: "78298832500018",
    });
  });

  it("never half a pair: a UAI without its SIRET stays so (the SIRET is then missing)", () => {
    const { item } = convertRow(["Lenôtre", "Gaston", "28/03/2006", "A1", "0999999Z", "", "", ""], mapping, defaults, { headers });
    expect(item.etablissement_formateur_uai).toBe("0999999Z");
    expect(item.etablissement_formateur_siret).toBeUndefined();
  });

  it("an empty id cell: the id is formed from the nom, prénom and date de naissance, as without an id column", () => {
    const { item, errors } = convertRow(["Lenôtre", "Gaston", "28/03/2006", " ", "", "", "", ""], mapping, defaults, { headers });
    expect(errors).toEqual([]);
    expect(item.id_erp_apprenant).toBe("lenotre-gaston-2006-03-28");
    expect(convertRow(["Lenôtre", "Gaston", "28/03/2006", "A1"], mapping.slice(0, 4)).item.id_erp_apprenant).toBe("A1");
  });

  it("an empty id cell that cannot be replaced: the error says what is missing, and names the empty id cell", () => {
    const { item, errors } = convertRow(["Lenôtre", "", "28/03/2006", ""], mapping.slice(0, 4), {}, { headers });
    expect(item.id_erp_apprenant).toBeUndefined();
    expect(errors).toEqual([
      {
        path: ["id_erp_apprenant"],
        fields: ["prenom_apprenant"],
        message:
          "id_erp_apprenant : identifiant impossible à former, le prénom (colonne « Prénom ») est vide (la cellule « Identifiant ERP de l'apprenant » " +
          "est vide : l'identifiant est alors formé du nom, du prénom et de la date de naissance) : complétez la ligne ou saisissez l'identifiant de l'apprenant",
      },
    ]);
  });
});

describe("no id column and a missing nom, prénom or date de naissance: the id cannot be formed, said so (QA)", () => {
  it("an empty prénom: said, instead of the id's « champ obligatoire » of a column the file does not have", () => {
    const { errors } = convertRow(["Lenôtre", "", "28/03/2006"], ["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant"], {}, {
      headers: ["Nom", "Prénom", "Né le"],
    });
    expect(errors).toEqual([
      {
        path: ["id_erp_apprenant"],
        fields: ["prenom_apprenant"],
        message:
          "id_erp_apprenant : identifiant impossible à former, le prénom (colonne « Prénom ») est vide (sans colonne d'identifiant, l'identifiant " +
          "est formé du nom, du prénom et de la date de naissance) : corrigez la ligne ou ajoutez une colonne d'identifiant",
      },
    ]);
  });

  it("no prénom column, no date: both said", () => {
    const { errors } = convertRow(["Lenôtre"], ["nom_apprenant"], {}, { headers: ["Nom"] });
    expect(errors[0].fields).toEqual(["prenom_apprenant"]);
    expect(errors[0].message).toMatch(
      /^id_erp_apprenant : identifiant impossible à former, le prénom manque \(aucune colonne ne le donne\) et la date de naissance manque \(aucune colonne ne la donne\)/,
    );
    // an unreadable date: named, its own error says why
    const date = convertRow(["A", "B", "hier"], ["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant"], {}, { headers: ["Nom", "Prénom", "Né le"] });
    expect(date.errors.map((e) => e.path[0])).toEqual(["date_de_naissance_apprenant", "id_erp_apprenant"]);
    expect(date.errors[1].message).toMatch(/la date de naissance \(colonne « Né le »\) n'est pas une date valide/);
  });
});

describe("NIR", () => {
  it("the row only says that a NIR was given", () => {
    expect(rowToItem(["A"], ["nom_apprenant"], {}, { nirFourni: true })).toEqual({ nom_apprenant: "A", nir_apprenant: NIR_FOURNI });
    expect(rowToItem(["A"], ["nom_apprenant"], {}, { nirFourni: false })).toEqual({ nom_apprenant: "A" });
  });

  it("the words people write for the NIR map to it", () => {
    const headers = ["NIR", "N° sécu", "Numéro de sécurité sociale", "N° de sécurité sociale", "Num SS"];
    expect(headers.map((h) => autoMap([h], FIELDS)[0])).toEqual(headers.map(() => "nir_apprenant"));
  });
});

describe("dates the schema would refuse, said in the file's terms", () => {
  const mapping = ["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant", "contrat_date_debut"];
  const headers = ["Nom", "Prénom", "Date de naissance", "Début du contrat"];
  // with an id: the errors of the dates alone (without one, an id that cannot be formed is said too: see below)
  const errorsOf = (ddn: string, debut = "", options: { excelSerials?: boolean } = {}) =>
    convertRow(["A", "B", ddn, debut, "A1"], [...mapping, "id_erp_apprenant"], {}, { headers: [...headers, "Identifiant"], ...options }).errors;

  it("a non-existent date: the column, the cell as typed, the format people write and a real date close to it", () => {
    expect(errorsOf("31/02/2007")).toEqual([
      {
        path: ["date_de_naissance_apprenant"],
        fields: ["date_de_naissance_apprenant"],
        message: "Date de naissance : « 31/02/2007 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/2007)",
      },
    ]);
    expect(errorsOf("29/02/2008")).toEqual([]); // a leap year
    expect(errorsOf("29/02/07")[0].message).toBe("Date de naissance : « 29/02/07 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/2007)");
    // month and day swapped (05/13: the 13th of May, written month first)
    expect(errorsOf("05/13/2007")[0].message).toMatch(/« 05\/13\/2007 » n'existe pas : .*\(ex\. 13\/05\/2007\)$/);
    expect(errorsOf("00/05/2007")[0].message).toMatch(/\(ex\. 01\/05\/2007\)$/);
    expect(errorsOf("2006-02-30")[0].message).toBe("Date de naissance : « 2006-02-30 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/2006)");
    expect(errorsOf("02/09/2006", "32/09/2024")).toEqual([
      {
        path: ["contrat_date_debut"],
        fields: ["contrat_date_debut"],
        message: "Début du contrat : « 32/09/2024 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 30/09/2024)",
      },
    ]);
  });

  it("an unreadable date or a year out of the schema's range", () => {
    expect(errorsOf("hier")[0].message).toBe("Date de naissance : « hier » n'est pas une date lisible : date attendue au format JJ/MM/AAAA (ex. 02/09/2024)");
    // a year in a CSV is no Excel serial
    expect(errorsOf("2006", "", { excelSerials: false })[0].message).toMatch(/^Date de naissance : « 2006 » n'est pas une date lisible/);
    expect(errorsOf("01/01/1850")[0].message).toBe(
      "Date de naissance : l'année de « 01/01/1850 » est invraisemblable : année attendue entre 1900 et 2100, date au format JJ/MM/AAAA",
    );
  });

  it("valid dates, ISO dates with a time and empty cells give no error; a column without a name is named by its rank", () => {
    expect(errorsOf("28/03/2006", "2024-09-02")).toEqual([]);
    expect(errorsOf("2006-03-28T10:00:00", "45537")).toEqual([]);
    expect(errorsOf("", "  ")).toEqual([]);
    const noName = convertRow(["A", "B", "31/04/2006"], mapping.slice(0, 3), {}, { headers: ["Nom", "Prénom", " "] });
    expect(noName.errors[0].message).toBe("Colonne 3 : « 31/04/2006 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 30/04/2006)");
  });
});

describe("the NIR's column, by name and by values", () => {
  it("tells the NIR's names, tolerantly, but not a commune's INSEE code", () => {
    for (const h of [
      "NIR",
      "nir_apprenant",
      "Numéro de sécurité sociale (NIR)",
      "NIR (13 chiffres + clé)",
      "N° INSEE",
      "Numéro INSEE",
      "No INSEE",
      "N° sécu",
      "Sécurité sociale",
      "N° SS",
      "NSS apprenant",
    ]) {
      expect(isNirHeader(h), h).toBe(true);
    }
    for (const h of ["Code INSEE", "Code commune INSEE", "Commune INSEE", "Code INSEE de naissance", "Nom", "INE", "N° apprenant", "Devenir", "Matricule"]) {
      expect(isNirHeader(h), h).toBe(false);
    }
  });

  it("tells a NIR's value: 13 digits, an optional key, spaces allowed, 2A/2B; not a SIRET, phone, postal code, date", () => {
    for (const v of ["2060375112042 17", "2060375112042", "1 99 06 75 112 042", "2 06 03 2A 004 123 45", "1990699123456", "7 85 12 99 001 001 12"]) {
      expect(looksLikeNir(v), v).toBe(true);
    }
    for (const v of [
      "13002456000018", // SIRET
      "130 024 560 00018",
      "0612345678",
      "06 12 34 56 78",
      "+33 6 12 34 56 78",
      "33612345678",
      "75011",
      "02/09/2024",
      "20240902",
      "1234567890A", // INE
      "3060375112042", // sexe 3
      "2060075112042", // month 00
      "2061575112042", // month 15
      "2060300112042", // département 00
      "2060375000042", // commune 000
      "206037511204", // 12 digits
      "20603751120421", // 14 digits
    ]) {
      expect(looksLikeNir(v), v).toBe(false);
    }
  });

  it("tells a NIR among other words (a name, an address kept with a refused dossier), not other runs of digits", () => {
    for (const v of ["Jean 1 06 03 75 112 042 15", "NIR:2060375112042", "2 06 03 2A 004 123 45 (à vérifier)", "1060375112042"]) {
      expect(contientNir(v), v).toBe(true);
    }
    for (const v of ["Dupont", "12 rue de la Paix 75002 Paris", "SIRET 130 024 560 00018", "tél. 06 12 34 56 78", "20240902-123456", "1234567890A"]) {
      expect(contientNir(v), v).toBe(false);
    }
  });

  it("masks a NIR inside a free text, keeping the rest, and leaves other numbers alone", () => {
    expect(masquerNir("NIR 2 97 05 75 123 456 21, 3 rue X")).toBe(`NIR ${NIR_MASQUE}, 3 rue X`);
    expect(masquerNir("secu 297057512345621")).toBe(`secu ${NIR_MASQUE}`);
    // followed by a street number in the same run of digits: the NIR only
    expect(masquerNir("NIR 2 97 05 75 123 456 21 3 rue X")).toBe(`NIR ${NIR_MASQUE} 3 rue X`);
    expect(masquerNir("dossier n° 12 : 1 06 03 75 112 042 et 2 06 03 2A 004 123 45")).toBe(`dossier n° 12 : ${NIR_MASQUE} et ${NIR_MASQUE}`);
    // a run that a NIR with its key may be read in is masked whole: more digits masked, never a NIR kept
    expect(masquerNir("12 1 06 03 75 112 042")).toBe(NIR_MASQUE);
    for (const v of ["12 rue de la Paix 75002 Paris", "SIRET 130 024 560 00018", "tél. 06 12 34 56 78", "20240902-123456", "Dupont", ""]) {
      expect(masquerNir(v), v).toBe(v);
    }
    // contientNir says the same
    expect(contientNir("NIR 2 97 05 75 123 456 21 3 rue X")).toBe(true);
  });

  it("a column is the NIR's when at least half its non-empty values look like one", () => {
    expect(looksLikeNirColumn(["2060375112042 17", "", "1990675112042", "inconnu"])).toBe(true);
    expect(looksLikeNirColumn(["2060375112042 17", "x", "y"])).toBe(false);
    expect(looksLikeNirColumn(["", " "])).toBe(false);
    expect(looksLikeNirColumn(["13002456000018", "0612345678", "75011"])).toBe(false);
  });
});

describe("duplicateIdentityErrors", () => {
  const defaults = {
    annee_scolaire: "2024-2025",
    etablissement_formateur_uai: "0751234J",
    etablissement_formateur_siret: "13002456000018",
    etablissement_responsable_uai: "0751234J",
    etablissement_responsable_siret: "13002456000018",
  };
  const headers = ["Nom", "Prénom", "Date de naissance", "Code diplôme"];
  const mapping = autoMap(headers, FIELDS);
  const rows = [
    ["Garnier", "Hugo", "12/05/2005", "50022141"],
    ["Garnier", "Hugo", "12/05/2005", "40025214"],
    ["Garnier", "Hugo", "12/05/2005", "50022141"],
    ["Garnier", "Hugo", "13/05/2005", "50022141"],
  ];
  const items = rows.map((r) => convertRow(r, mapping, defaults, { headers }).item);

  it("flags the later rows with the earlier one's identity key, not the first", () => {
    const errors = duplicateIdentityErrors(items, [2, 3, 4, 5], rows, mapping, headers);
    expect([...errors.keys()]).toEqual([1, 2]);
    expect(errors.get(1)).toMatchObject({ path: ["id_erp_apprenant"], fields: ["nom_apprenant"] });
    expect(errors.get(1)!.message).toMatch(/^id_erp_apprenant : même apprenant que la ligne 2 \(même nom, même prénom, même date de naissance\)/);
    expect(errors.get(1)!.message).toMatch(/ajoutez une colonne « Identifiant de l'apprenant »/);
    expect(errors.get(2)!.message).toBe("id_erp_apprenant : ligne identique à la ligne 2 : elle n'est pas importée, supprimez-la du fichier");
  });

  it("another année scolaire or another établissement formateur is another effectif", () => {
    const other = [
      { ...items[0] },
      { ...items[1], annee_scolaire: "2025-2026" },
      { ...items[1], etablissement_formateur_uai: "0751235K" },
      { ...items[1], annee_scolaire: "2024/2025" },
    ];
    expect([...duplicateIdentityErrors(other, [2, 3, 4, 5], rows, mapping, headers).keys()]).toEqual([3]);
  });
});

describe("headers with a format hint, and the words people write", () => {
  it("a trailing hint in brackets is ignored (« (JJ/MM/AAAA) », « (H/F) », « (0/2/3) »); a bracket saying whose is not", () => {
    expect(
      autoMap(
        ["Date de naissance (JJ/MM/AAAA)", "Sexe (H/F)", "Statut (0/2/3)", "Tél. portable", "RQTH (oui/non)", "SIRET employeur (14 chiffres)", "Téléphone (responsable légal)"],
        FIELDS,
      ),
    ).toEqual(["date_de_naissance_apprenant", "sexe_apprenant", "statut_apprenant", "tel_apprenant", "rqth_apprenant", "siret_employeur", null]);
    // a rank in brackets is still read as a rank, not dropped as a hint
    expect(autoMap(["Date de début du contrat (2e contrat)"], FIELDS)).toEqual(["contrat_date_debut_2"]);
  });
});

describe("a field named by two columns", () => {
  it("autoMap keeps the first; champsEnDouble says which was kept and which left out", () => {
    const headers = ["Nom", "Prénom", "Date de naissance", "Nom d'usage"];
    expect(autoMap(headers, FIELDS)).toEqual(["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant", null]);
    expect(champsEnDouble(autoMatch(headers, FIELDS), FIELDS)).toEqual([{ field: "nom_apprenant", gardee: 0, ecartees: [3] }]);
    // a mapping sent by the page: the same rule, told the same way
    const sent = ["nom_apprenant", "prenom_apprenant", "", "nom_apprenant"];
    expect(sanitizeMapping(sent, FIELDS)).toEqual(["nom_apprenant", "prenom_apprenant", null, null]);
    expect(champsEnDouble(sent, FIELDS)).toEqual([{ field: "nom_apprenant", gardee: 0, ecartees: [3] }]);
    expect(champsEnDouble(["nom_apprenant", "inconnu", "inconnu"], FIELDS)).toEqual([]);
  });
});

describe("a SIRET that lost its leading zero", () => {
  it("gets it back in a SIRET field when it is then a valid SIRET; nowhere else", () => {
    expect(siretSansZero("1234567800010")).toBe("01234567800010");
    expect(siretSansZero("1234567800011")).toBeNull();
    expect(siretSansZero("1234567800010.0")).toBe("01234567800010");
    expect(convertCell("siret_employeur", "1234567800010")).toBe("01234567800010");
    expect(convertCell("siret_employeur_3", "1234567800010")).toBe("01234567800010");
    expect(convertCell("etablissement_formateur_siret", "1234567800010")).toBe("01234567800010");
    expect(convertCell("etablissement_lieu_de_formation_siret", "1234567800010")).toBe("01234567800010");
    // not a valid SIRET with its zero: left to the schema
    expect(convertCell("siret_employeur", "1234567800011")).toBe("1234567800011");
    expect(convertCell("id_erp_apprenant", "1234567800010")).toBe("1234567800010");
  });

  it("a SIRET written as a decimal by a program (« 78298832500018.0 ») is that SIRET, not a NIR with its key", () => {
    expect(looksLikeNir("78298832500018.0")).toBe(false);
    expect(looksLikeNirColumn(["78298832500018.0", "78298832500018"])).toBe(false);
    expect(masquerNir("78298832500018.0")).toBe("78298832500018.0");
    expect(masquerNir("SIRET 78298832500018.0")).toBe("SIRET 78298832500018.0");
    expect(convertCell("siret_employeur", "78298832500018.0")).toBe("78298832500018");
    // a NIR so written is still one, with or without its key
    expect(looksLikeNir("297057512345621.0")).toBe(true);
    expect(looksLikeNir("2970575123456.0")).toBe(true);
    expect(masquerNir("secu 2 97 05 75 123 456 21")).toBe(`secu ${NIR_MASQUE}`);
  });

  it("a column of such SIRETs is not the NIR's when its name gives it a field of its own", () => {
    const sirets = ["1234567800010", "1234567800028", "78298832500018"];
    expect(sirets.slice(0, 2).every(looksLikeNir)).toBe(true);
    expect(looksLikeNirColumn(sirets)).toBe(true);
    expect(looksLikeNirColumn(sirets, { siretsPossibles: true })).toBe(false);
    // real NIRs fail the SIRET test (nine times in ten): still the NIR's column under such a name
    expect(looksLikeNirColumn(["1060375112042", "2990575000123"], { siretsPossibles: true })).toBe(true);
  });
});

describe("marked cells: a masked NIR, a formula without value", () => {
  const headers = ["Identifiant", "Nom", "Prénom", "Date de naissance"];
  const mapping = autoMap(headers, FIELDS);

  it("the page is told what they are, never a value", () => {
    expect(celluleMarquee(CELLULE_NIR_MASQUEE)).toBe("valeur en forme de NIR, masquée");
    expect(celluleMarquee(CELLULE_FORMULE_SANS_VALEUR)).toBe("formule sans valeur calculée");
    expect(celluleMarquee("Dupont")).toBeNull();
  });

  it("a mapped marked cell is an error of its field, in the file's terms, and no value for the schema", () => {
    const nir = convertRow([CELLULE_NIR_MASQUEE, "Dupont", "Jean", "01/02/2006"], mapping, {}, { headers });
    expect(nir.item.id_erp_apprenant).toBeUndefined();
    expect(nir.errors).toEqual([
      {
        path: ["id_erp_apprenant"],
        fields: ["id_erp_apprenant"],
        message: expect.stringMatching(
          /^Identifiant : valeur en forme de NIR \(numéro de sécurité sociale\), masquée et non conservée : mettez dans cette cellule l'identifiant de l'apprenant dans votre logiciel, pas son NIR\./,
        ),
      },
    ]);
    const formule = convertRow(["A-1", CELLULE_FORMULE_SANS_VALEUR, "Jean", "01/02/2006"], mapping, {}, { headers });
    expect(formule.item.nom_apprenant).toBeUndefined();
    expect(formule.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Nom : formule sans valeur calculée : enregistrez le fichier dans Excel \(ou LibreOffice\) avant de le déposer/),
    ]);
    // an ignored column: nothing to say
    expect(convertRow([CELLULE_NIR_MASQUEE, "Dupont", "Jean", "01/02/2006"], [null, ...mapping.slice(1)], {}, { headers }).errors).toEqual([]);
    // in a SIRET column (a 13-digit value that is no SIRET without its zero): the SIRET is what is asked
    const avecSiret = [...headers, "SIRET de l'employeur"];
    const siret = convertRow(["A-2", "Dupont", "Jean", "01/02/2006", CELLULE_NIR_MASQUEE], autoMap(avecSiret, FIELDS), {}, { headers: avecSiret });
    expect(siret.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^SIRET de l'employeur : valeur en forme de NIR .* mettez dans cette cellule un SIRET \(14 chiffres\)\./)]);
  });
});

describe("the SIRET of an établissement given by its UAI alone (QA)", () => {
  const o = (siret: string, raison_sociale: string) => ({ uai: "0751234J", siret, raison_sociale });
  it("the only organisme of that UAI gives its SIRET; none or several: an error naming them", () => {
    const item: Record<string, unknown> = { etablissement_formateur_uai: "0751234j" };
    expect(uaisSansSiret([item, { etablissement_formateur_uai: "X", etablissement_formateur_siret: "1" }])).toEqual(["0751234J"]);
    expect(completeSiretParUai(item, new Map([["0751234J", [o("78298832500018", "CFA A")]]]))).toEqual([]);
    expect(item.etablissement_formateur_siret).toBe("78298832500018");
    const deux = completeSiretParUai({ etablissement_formateur_uai: "0751234J" }, new Map([["0751234J", [o("1", "CFA A"), o("2", "CFA B")]]]), ["UAI"], [
      "etablissement_formateur_uai",
    ]);
    expect(deux).toEqual([
      {
        path: ["etablissement_formateur_siret"],
        fields: ["etablissement_formateur_uai", "etablissement_formateur_siret"],
        message:
          "etablissement_formateur_uai : SIRET du formateur absent, et l'UAI « 0751234J » est celui de 2 organismes du référentiel " +
          "(CFA A : SIRET 1 ; CFA B : SIRET 2) : donnez le SIRET dans une colonne « SIRET du formateur »",
      },
    ]);
    expect(completeSiretParUai({ etablissement_responsable_uai: "0999999Z" }, new Map())[0].message).toMatch(
      /^etablissement_responsable_uai : SIRET du responsable absent, et aucun organisme du référentiel des organismes n'a l'UAI « 0999999Z »/,
    );
  });
});
