import { describe, expect, expectTypeOf, it } from "vitest";

import {
  DOSSIER_V3_FIELDS,
  MESSAGES,
  dossierV3InputSchema,
  dossiersOpenApiDocument,
  integerRangePattern,
  parseValidDossier,
  validateDossier,
  validateWithSchema,
  type ContratV3,
  type DossierV3,
  type ValidationError,
} from "../../app/ingestion/dossier-schema.server";
import { isValidSiret, isValidUai, luhnValid } from "../../app/referentiel/codes";
import { inFileTerms } from "../../app/ingestion/upload.server";
import { looksLikeNir } from "../../app/ingestion/mapping";

// Valid identifiers (UAI check letter and SIRET Luhn key verified below).
const UAI_A = "0751234J";
const UAI_B = "0931234L";
const UAI_C = "0330012J";
const SIRET_A = "13002456000018";
const SIRET_B = "44123456789013";
const SIRET_C = "78298832500018";
const SIRET_LA_POSTE = "35600000049837"; // digit sum 45, fails Luhn

const REQUIRED_FIELDS = [
  "nom_apprenant",
  "prenom_apprenant",
  "date_de_naissance_apprenant",
  "annee_scolaire",
  "id_erp_apprenant",
  "date_inscription_formation",
  "date_entree_formation",
  "date_fin_formation",
  "etablissement_responsable_uai",
  "etablissement_responsable_siret",
  "etablissement_formateur_uai",
  "etablissement_formateur_siret",
] as const;

const NULLABLE_FIELDS = ["statut_apprenant", "date_metier_mise_a_jour_statut", "tel_apprenant", "formation_cfd"];

const CONTRAT_SUFFIXES = ["", "_2", "_3", "_4"] as const;
const CONTRAT_FIELDS = CONTRAT_SUFFIXES.flatMap((s) => [
  `contrat_date_debut${s}`,
  `contrat_date_fin${s}`,
  `contrat_date_rupture${s}`,
  `cause_rupture_contrat${s}`,
  `siret_employeur${s}`,
]);

const OPTIONAL_FIELDS = [
  "ine_apprenant",
  "email_contact",
  "adresse_apprenant",
  "code_postal_apprenant",
  "code_postal_de_naissance_apprenant",
  "code_commune_insee_apprenant",
  "code_commune_insee_de_naissance_apprenant",
  "sexe_apprenant",
  "rqth_apprenant",
  "date_rqth_apprenant",
  "responsable_apprenant_mail1",
  "responsable_apprenant_mail2",
  "custom_statut_apprenant",
  "libelle_court_formation",
  "annee_formation",
  "formation_rncp",
  "obtention_diplome_formation",
  "date_obtention_diplome_formation",
  "date_exclusion_formation",
  "cause_exclusion_formation",
  "nom_referent_handicap_formation",
  "prenom_referent_handicap_formation",
  "email_referent_handicap_formation",
  "formation_presentielle",
  "duree_theorique_formation",
  "duree_theorique_formation_mois",
  ...CONTRAT_FIELDS,
  "etablissement_lieu_de_formation_uai",
  "etablissement_lieu_de_formation_siret",
  "etablissement_lieu_de_formation_adresse",
  "etablissement_lieu_de_formation_code_postal",
  "derniere_situation",
  "dernier_organisme_uai",
  "type_cfa",
  "nir_apprenant",
];

const ALL_FIELDS = [...REQUIRED_FIELDS, ...NULLABLE_FIELDS, ...OPTIONAL_FIELDS];

const MINIMAL = {
  nom_apprenant: "Lenôtre",
  prenom_apprenant: "Gaston",
  date_de_naissance_apprenant: "2006-03-28",
  annee_scolaire: "2024-2025",
  id_erp_apprenant: "APP-42",
  date_inscription_formation: "2024-06-15",
  date_entree_formation: "2024-09-02",
  date_fin_formation: "2026-06-30",
  etablissement_responsable_uai: UAI_A,
  etablissement_responsable_siret: SIRET_A,
  etablissement_formateur_uai: UAI_B,
  etablissement_formateur_siret: SIRET_B,
};

const NIR = "1060375112042";

const FULL = {
  ...MINIMAL,
  statut_apprenant: 3,
  date_metier_mise_a_jour_statut: "2024-09-02T10:15:00+02:00",
  tel_apprenant: "06 12 34 56 78",
  formation_cfd: "50022141",
  ine_apprenant: "1234567890a",
  email_contact: "gaston.lenotre@exemple.fr",
  adresse_apprenant: "12 rue des Lilas",
  code_postal_apprenant: "75012",
  code_postal_de_naissance_apprenant: 1000,
  code_commune_insee_apprenant: "75112",
  code_commune_insee_de_naissance_apprenant: "2a004",
  sexe_apprenant: "H",
  rqth_apprenant: "non",
  date_rqth_apprenant: "2020-05-10",
  responsable_apprenant_mail1: "parent1@exemple.fr",
  responsable_apprenant_mail2: "parent2@exemple.fr",
  custom_statut_apprenant: 17,
  libelle_court_formation: "CAP PATISSIER",
  annee_formation: "1",
  formation_rncp: "35316",
  obtention_diplome_formation: false,
  date_obtention_diplome_formation: "2026-07-04",
  date_exclusion_formation: "2026-06-01",
  cause_exclusion_formation: "absences répétées",
  nom_referent_handicap_formation: "Martin",
  prenom_referent_handicap_formation: "Claire",
  email_referent_handicap_formation: "referent@exemple.fr",
  formation_presentielle: 1,
  duree_theorique_formation: 2,
  duree_theorique_formation_mois: "24",
  contrat_date_debut: "2024-09-02",
  contrat_date_fin: "2026-08-31",
  contrat_date_rupture: "2025-01-15",
  cause_rupture_contrat: "démission",
  siret_employeur: SIRET_C,
  contrat_date_debut_2: "2025-02-01",
  contrat_date_fin_2: "2026-08-31",
  contrat_date_rupture_2: null,
  cause_rupture_contrat_2: "",
  siret_employeur_2: "782 988 325 00018",
  contrat_date_debut_3: null,
  contrat_date_fin_3: null,
  contrat_date_rupture_3: null,
  cause_rupture_contrat_3: null,
  siret_employeur_3: null,
  contrat_date_debut_4: "2025-09-01",
  contrat_date_fin_4: "",
  contrat_date_rupture_4: "",
  cause_rupture_contrat_4: "",
  siret_employeur_4: SIRET_LA_POSTE,
  etablissement_lieu_de_formation_uai: UAI_C,
  etablissement_lieu_de_formation_siret: SIRET_A,
  etablissement_lieu_de_formation_adresse: "3 avenue de la Gare",
  etablissement_lieu_de_formation_code_postal: "33000",
  derniere_situation: "1003",
  dernier_organisme_uai: "44",
  type_cfa: 1,
  nir_apprenant: NIR,
};

function ok(item: unknown): DossierV3 {
  const result = validateDossier(item);
  if (!result.ok) throw new Error(`attendu valide : ${JSON.stringify(result.errors)}`);
  return result.dossier;
}

function errorsOf(item: unknown): ValidationError[] {
  const result = validateDossier(item);
  if (result.ok) throw new Error("attendu invalide");
  return result.errors;
}

/** Normalised value of one field once set on the minimal dossier. */
function normalised(field: string, value: unknown): unknown {
  return (ok({ ...MINIMAL, [field]: value }) as Record<string, unknown>)[field];
}

describe("test data", () => {
  it("uses valid identifiers", () => {
    expect([SIRET_A, SIRET_B, SIRET_C, SIRET_LA_POSTE].every(isValidSiret)).toBe(true);
    expect(luhnValid(SIRET_LA_POSTE)).toBe(false);
  });
});

describe("valid dossiers", () => {
  it("accepts a minimal dossier, every optional field null", () => {
    const d = ok(MINIMAL);
    expect(d).toMatchObject(MINIMAL);
    expect(d.contrats).toEqual([]);
    expect(d.nir_fourni).toBe(false);
    for (const f of [...NULLABLE_FIELDS, ...OPTIONAL_FIELDS].filter((f) => !CONTRAT_FIELDS.includes(f) && f !== "nir_apprenant")) {
      expect((d as Record<string, unknown>)[f], f).toBeNull();
    }
  });

  it("accepts a full dossier and normalises it", () => {
    const d = ok(FULL);
    expect(d).toEqual({
      ...MINIMAL,
      statut_apprenant: 3,
      date_metier_mise_a_jour_statut: "2024-09-02",
      tel_apprenant: "0612345678",
      formation_cfd: "50022141",
      ine_apprenant: "1234567890A",
      email_contact: "gaston.lenotre@exemple.fr",
      adresse_apprenant: "12 rue des Lilas",
      code_postal_apprenant: "75012",
      code_postal_de_naissance_apprenant: "01000",
      code_commune_insee_apprenant: "75112",
      code_commune_insee_de_naissance_apprenant: "2A004",
      sexe_apprenant: "M",
      rqth_apprenant: false,
      date_rqth_apprenant: "2020-05-10",
      responsable_apprenant_mail1: "parent1@exemple.fr",
      responsable_apprenant_mail2: "parent2@exemple.fr",
      custom_statut_apprenant: "17",
      libelle_court_formation: "CAP PATISSIER",
      annee_formation: 1,
      formation_rncp: "RNCP35316",
      obtention_diplome_formation: false,
      date_obtention_diplome_formation: "2026-07-04",
      date_exclusion_formation: "2026-06-01",
      cause_exclusion_formation: "absences répétées",
      nom_referent_handicap_formation: "Martin",
      prenom_referent_handicap_formation: "Claire",
      email_referent_handicap_formation: "referent@exemple.fr",
      formation_presentielle: true,
      duree_theorique_formation: 2,
      duree_theorique_formation_mois: 24,
      etablissement_lieu_de_formation_uai: UAI_C,
      etablissement_lieu_de_formation_siret: SIRET_A,
      etablissement_lieu_de_formation_adresse: "3 avenue de la Gare",
      etablissement_lieu_de_formation_code_postal: "33000",
      derniere_situation: 1003,
      dernier_organisme_uai: "44",
      type_cfa: "01",
      contrats: [
        {
          date_debut: "2024-09-02",
          date_fin: "2026-08-31",
          date_rupture: "2025-01-15",
          cause_rupture: "démission",
          siret_employeur: SIRET_C,
        },
        { date_debut: "2025-02-01", date_fin: "2026-08-31", date_rupture: null, cause_rupture: null, siret_employeur: SIRET_C },
        { date_debut: "2025-09-01", date_fin: null, date_rupture: null, cause_rupture: null, siret_employeur: SIRET_LA_POSTE },
      ],
      nir_fourni: true,
    });
  });

  it("ignores unknown fields", () => {
    const d = ok({ ...MINIMAL, champ_inconnu: { tres: ["imbriqué"] }, autre: 12, nom_etablissement: "x" });
    expect(d).not.toHaveProperty("champ_inconnu");
    expect(d).not.toHaveProperty("autre");
    expect(d).not.toHaveProperty("nom_etablissement");
  });

  it("has exactly the expected output keys", () => {
    const keys = Object.keys(ok(FULL)).sort();
    const expected = [...ALL_FIELDS.filter((f) => !CONTRAT_FIELDS.includes(f) && f !== "nir_apprenant"), "contrats", "nir_fourni"].sort();
    expect(keys).toEqual(expected);
  });

  it("exposes the DossierV3 type with snake_case names", () => {
    expectTypeOf<DossierV3["nom_apprenant"]>().toEqualTypeOf<string>();
    expectTypeOf<DossierV3["statut_apprenant"]>().toEqualTypeOf<0 | 2 | 3 | null>();
    expectTypeOf<DossierV3["sexe_apprenant"]>().toEqualTypeOf<"M" | "F" | null>();
    expectTypeOf<DossierV3["rqth_apprenant"]>().toEqualTypeOf<boolean | null>();
    expectTypeOf<DossierV3["annee_formation"]>().toEqualTypeOf<number | null>();
    expectTypeOf<DossierV3["contrats"]>().toEqualTypeOf<ContratV3[]>();
    expectTypeOf<DossierV3["nir_fourni"]>().toEqualTypeOf<boolean>();
    expectTypeOf<DossierV3>().not.toHaveProperty("nir_apprenant");
    expectTypeOf<DossierV3>().not.toHaveProperty("contrat_date_debut");
  });
});

describe("required fields", () => {
  it.each(REQUIRED_FIELDS)("%s: absent, null, empty or blank is an error", (field) => {
    for (const value of [undefined, null, "", "   "]) {
      const item: Record<string, unknown> = { ...MINIMAL, [field]: value };
      if (value === undefined) delete item[field];
      const errors = errorsOf(item);
      expect(errors).toHaveLength(1);
      expect(errors[0].path).toEqual([field]);
      expect(errors[0].message.startsWith(`${field} : ${MESSAGES.obligatoire}`)).toBe(true);
    }
  });

  it("a missing field's message has no received value", () => {
    const { nom_apprenant: _, ...item } = MINIMAL;
    expect(errorsOf(item)[0].message).toBe("nom_apprenant : champ obligatoire, vide ici");
  });

  it("a required text left empty is said required, nothing more; its length limit is said to a value too long", () => {
    // not « champ obligatoire : texte de 255 caractères au plus attendu » to someone who left it empty
    for (const nom of [undefined, null, "", "   "]) {
      const [e] = errorsOf({ ...MINIMAL, nom_apprenant: nom });
      expect(e.message).toMatch(/^nom_apprenant : champ obligatoire, vide ici( \(reçu « .* »\))?$/);
      expect(e.message).not.toMatch(/caractères/);
    }
    expect(errorsOf({ ...MINIMAL, prenom_apprenant: "" })[0].message).toBe("prenom_apprenant : champ obligatoire, vide ici (reçu «  »)");
    expect(errorsOf({ ...MINIMAL, nom_apprenant: "x".repeat(256) })[0].message).toMatch(
      /^nom_apprenant : texte de 255 caractères au plus attendu \(reçu « x+… »\)$/,
    );
    // in an upload's terms: the column's name, then the same words
    expect(inFileTerms(errorsOf({ ...MINIMAL, nom_apprenant: undefined })[0].message, new Map([["nom_apprenant", "NOM"]]))).toBe(
      "NOM : champ obligatoire, vide ici",
    );
  });

  it("a missing field's message says the format expected, the field kind's own", () => {
    const result = validateDossier({});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byField = Object.fromEntries(result.errors.map((e) => [e.path[0], e.message]));
    // a date: its format, literally, and the field's own example (an upload says both as the file writes them)
    expect(byField.date_de_naissance_apprenant).toBe(
      "date_de_naissance_apprenant : champ obligatoire : date attendue au format AAAA-MM-JJ (ex. 2006-03-28)",
    );
    expect(byField.date_fin_formation).toBe("date_fin_formation : champ obligatoire : date attendue au format AAAA-MM-JJ (ex. 2026-06-30)");
    expect(byField.annee_scolaire).toBe(`annee_scolaire : ${MESSAGES.obligatoireFormat(MESSAGES.anneeScolaire)}`);
    expect(byField.id_erp_apprenant).toBe("id_erp_apprenant : champ obligatoire, vide ici");
    expect(byField.etablissement_responsable_uai).toBe(`etablissement_responsable_uai : champ obligatoire : ${MESSAGES.uai}`);
    expect(byField.etablissement_formateur_siret).toBe(`etablissement_formateur_siret : champ obligatoire : ${MESSAGES.siret}`);
    // null and blank alike (blank: with the value received)
    expect(errorsOf({ ...MINIMAL, etablissement_formateur_siret: null })[0].message).toBe(`${byField.etablissement_formateur_siret} (reçu « null »)`);
    // in an upload's terms (its columns, dates as JJ/MM/AAAA), a missing date never says the API's AAAA-MM-JJ
    const names = new Map([["date_de_naissance_apprenant", "Né le"]]);
    expect(inFileTerms(byField.date_de_naissance_apprenant, names)).toBe(
      "Né le : champ obligatoire : date attendue au format JJ/MM/AAAA (ex. 28/03/2006)",
    );
    expect(errorsOf({ ...MINIMAL, date_de_naissance_apprenant: " " })[0].message).toBe(
      "date_de_naissance_apprenant : champ obligatoire : date attendue au format AAAA-MM-JJ (ex. 2006-03-28) (reçu «   »)",
    );
  });

  it("lists all twelve required fields for an empty object", () => {
    const result = validateDossier({});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => e.path[0])).toEqual([...REQUIRED_FIELDS]);
      expect(result.id_erp_apprenant).toBeNull();
    }
  });
});

describe("optional and nullable fields", () => {
  it.each([...NULLABLE_FIELDS, ...OPTIONAL_FIELDS.filter((f) => !CONTRAT_FIELDS.includes(f) && f !== "nir_apprenant")])(
    "%s: absent, null, empty or blank gives null",
    (field) => {
      for (const value of [undefined, null, "", "  "]) {
        expect(normalised(field, value), String(value)).toBeNull();
      }
    },
  );
});

describe("dates", () => {
  const DATE_FIELDS = [
    "date_de_naissance_apprenant",
    "date_inscription_formation",
    "date_metier_mise_a_jour_statut",
    "date_rqth_apprenant",
    "date_obtention_diplome_formation",
    "date_exclusion_formation",
  ];

  it.each([
    ["2005-02-28", "2005-02-28"],
    ["  2005-02-28 ", "2005-02-28"],
    ["2024-02-29", "2024-02-29"],
    ["2000-02-29", "2000-02-29"],
    ["1900-01-01", "1900-01-01"],
    ["2100-12-31", "2100-12-31"],
    ["2005-02-28T00:00:00Z", "2005-02-28"],
    ["2005-02-28T00:00:00.000Z", "2005-02-28"],
    ["2005-02-28T23:59:59+02:00", "2005-02-28"],
    ["2005-02-28 10:30", "2005-02-28"],
    ["2005-02-28T10:30:00.123456+0100", "2005-02-28"],
    ["2005-02-28T22:00:00.000Z", "2005-02-28"],
  ])("accepts %j → %s", (input, expected) => {
    // a birth date must precede the entry in formation (MINIMAL's: 2024-09-02)
    for (const f of DATE_FIELDS) if (f !== "date_de_naissance_apprenant" || expected < MINIMAL.date_entree_formation) expect(normalised(f, input), f).toBe(expected);
  });

  it.each([
    ["31/02/2005", MESSAGES.date],
    ["28/02/2005", MESSAGES.date],
    ["2005-2-28", MESSAGES.date],
    ["20050228", MESSAGES.date],
    ["2005-02-28T25:00:00", MESSAGES.date],
    ["2005-02-28Tgarbage", MESSAGES.date],
    ["hier", MESSAGES.date],
    [20050228, MESSAGES.date],
    [true, MESSAGES.date],
    [{ $date: "2005-02-28" }, MESSAGES.date],
    ["2024-02-30", MESSAGES.dateInexistante],
    ["2023-02-29", MESSAGES.dateInexistante],
    ["1900-02-29", MESSAGES.dateInexistante],
    ["2100-02-29", MESSAGES.dateInexistante],
    ["2005-06-31", MESSAGES.dateInexistante],
    ["2005-12-32", MESSAGES.dateInexistante],
    ["2005-13-01", MESSAGES.dateInexistante],
    ["2005-00-10", MESSAGES.dateInexistante],
    ["2005-04-31", MESSAGES.dateInexistante],
    ["2005-04-00", MESSAGES.dateInexistante],
    ["0205-04-10", MESSAGES.dateHorsPlage],
    ["1899-12-31", MESSAGES.dateHorsPlage],
    ["2101-01-01", MESSAGES.dateHorsPlage],
    ["2205-04-10", MESSAGES.dateHorsPlage],
  ])("rejects %j", (input, message) => {
    for (const f of [...DATE_FIELDS, "date_entree_formation", "date_fin_formation", "contrat_date_debut_3"]) {
      const errors = errorsOf({ ...MINIMAL, [f]: input });
      expect(errors, f).toHaveLength(1);
      expect(errors[0].path).toEqual([f]);
      expect(errors[0].message.startsWith(`${f} : ${message}`)).toBe(true);
    }
  });

  it("every date field's messages name the format literally: AAAA-MM-JJ in the API, JJ/MM/AAAA in an upload's terms", () => {
    const dates = DOSSIER_V3_FIELDS.filter((f) => /(^|_)date(_|$)/.test(f.field));
    expect(dates.length).toBe(20);
    const manquants = validateDossier({});
    const obligatoires = new Map(manquants.ok ? [] : manquants.errors.map((e) => [String(e.path[0]), e.message]));
    for (const { field, required } of dates) {
      const messages = ["hier", "2024-02-30", "1850-01-01"].map((v) => errorsOf({ ...MINIMAL, [field]: v }).find((e) => e.path[0] === field)!.message);
      if (required) {
        const example = /\(ex\. (\d{4})-(\d{2})-(\d{2})\)$/.exec(obligatoires.get(field)!);
        expect(obligatoires.get(field), field).toMatch(/^[a-z_]+ : champ obligatoire : date attendue au format AAAA-MM-JJ \(ex\. \d{4}-\d{2}-\d{2}\)$/);
        messages.push(obligatoires.get(field)!);
        // in an upload, the same message in the file's terms: JJ/MM/AAAA, literally and by the example
        expect(inFileTerms(obligatoires.get(field)!, new Map([[field, "Colonne"]])), field).toBe(
          `Colonne : champ obligatoire : date attendue au format JJ/MM/AAAA (ex. ${example![3]}/${example![2]}/${example![1]})`,
        );
      }
      for (const message of messages) {
        expect(message, field).toMatch(/au format AAAA-MM-JJ/);
        const enFichier = inFileTerms(message, new Map([[field, "Colonne"]]));
        expect(enFichier, field).toMatch(/au format JJ\/MM\/AAAA/);
        expect(enFichier, field).not.toMatch(/AAAA-MM-JJ/);
      }
    }
  });

  it("writes the message of the brief", () => {
    expect(errorsOf({ ...MINIMAL, date_de_naissance_apprenant: "31/02/2005" })).toEqual([
      {
        path: ["date_de_naissance_apprenant"],
        message: "date_de_naissance_apprenant : date attendue au format AAAA-MM-JJ (reçu « 31/02/2005 »)",
      },
    ]);
  });
});

describe("annee_scolaire", () => {
  it.each([
    ["2024-2025", "2024-2025"],
    ["2024/2025", "2024-2025"],
    [" 2024 / 2025 ", "2024-2025"],
    ["2025-2025", "2025-2025"],
    ["2025/2025", "2025-2025"],
  ])("accepts %j → %s", (input, expected) => expect(normalised("annee_scolaire", input)).toBe(expected));

  it.each(["2024-2026", "2025-2024", "2024", "24-25", "2024_2025", "2024-2025-2026", 2024])("rejects %j", (input) => {
    const [e] = errorsOf({ ...MINIMAL, annee_scolaire: input });
    expect(e.message.startsWith(`annee_scolaire : ${MESSAGES.anneeScolaire}`)).toBe(true);
  });

  it.each(["0000-0001", "1899-1900", "2100-2101", "9999-9999"])("rejects %j, out of 1900–2100 like the dates", (input) => {
    const [e] = errorsOf({ ...MINIMAL, annee_scolaire: input });
    expect(e.message).toBe(`annee_scolaire : ${MESSAGES.anneeScolaireHorsPlage} (reçu « ${input} »)`);
  });
});

describe("UAI", () => {
  const UAI_FIELDS = ["etablissement_responsable_uai", "etablissement_formateur_uai", "etablissement_lieu_de_formation_uai"];
  it.each([
    ["0751234J", "0751234J"],
    [" 0751234j ", "0751234J"],
    ["0931234l", "0931234L"],
  ])("accepts %j → %s", (input, expected) => {
    for (const f of UAI_FIELDS) expect(normalised(f, input), f).toBe(expected);
  });

  it.each(["0751234A", "075123J", "07512345J", "ABCDEFGH", "0751234", 751234, "0751 234J"])("rejects %j", (input) => {
    for (const f of UAI_FIELDS) {
      const errors = errorsOf({ ...MINIMAL, [f]: input });
      expect(errors.map((e) => e.path)).toEqual([[f]]);
      expect(errors[0].message.startsWith(`${f} : ${MESSAGES.uai}`)).toBe(true);
    }
  });
});

describe("SIRET", () => {
  const SIRET_FIELDS = [
    "etablissement_responsable_siret",
    "etablissement_formateur_siret",
    "etablissement_lieu_de_formation_siret",
    "siret_employeur",
  ];
  it.each([
    [SIRET_A, SIRET_A],
    ["130 024 560 00018", SIRET_A],
    ["130.024.560.00018", SIRET_A],
    ["130-024-560-00018", SIRET_A],
    [" 13002456000018 ", SIRET_A],
    [13002456000018, SIRET_A],
    [SIRET_LA_POSTE, SIRET_LA_POSTE],
  ])("accepts %j → %s", (input, expected) => {
    for (const f of SIRET_FIELDS) {
      const d = ok({ ...MINIMAL, contrat_date_debut: "2024-09-02", [f]: input });
      const value = f === "siret_employeur" ? d.contrats[0].siret_employeur : (d as Record<string, unknown>)[f];
      expect(value, f).toBe(expected);
    }
  });

  it.each(["13002456000019", "1300245600001", "130024560000181", "1300245600001A", "35600000049838", 12])("rejects %j", (input) => {
    for (const f of SIRET_FIELDS) {
      const errors = errorsOf({ ...MINIMAL, [f]: input });
      expect(errors.map((e) => e.path)).toEqual([[f]]);
      // La Poste's SIRETs: its rule, not the Luhn key
      expect(errors[0].message.startsWith(`${f} : ${input === "35600000049838" ? MESSAGES.siretLaPoste : MESSAGES.siret}`)).toBe(true);
    }
    expect(MESSAGES.siretLaPoste).toBe("SIRET attendu : la somme des chiffres d'un SIRET de La Poste (SIREN 356000000) doit être un multiple de 5");
  });
});

describe("codes", () => {
  it.each([
    ["code_postal_apprenant", "75012", "75012"],
    ["code_postal_apprenant", "1000", "01000"],
    ["code_postal_apprenant", 1000, "01000"],
    ["code_postal_apprenant", 75012, "75012"],
    ["code_postal_de_naissance_apprenant", "6000", "06000"],
    ["etablissement_lieu_de_formation_code_postal", " 33 000 ", "33000"],
    ["code_commune_insee_apprenant", "75112", "75112"],
    ["code_commune_insee_apprenant", "2a004", "2A004"],
    ["code_commune_insee_apprenant", "2B033", "2B033"],
    ["code_commune_insee_apprenant", 1053, "01053"],
    ["code_commune_insee_de_naissance_apprenant", "97411", "97411"],
    ["formation_cfd", "50022141", "50022141"],
    ["formation_cfd", " 4003100a ", "4003100A"],
    ["formation_cfd", 50022141, "50022141"],
    ["formation_rncp", "RNCP35316", "RNCP35316"],
    ["formation_rncp", "35316", "RNCP35316"],
    ["formation_rncp", 35316, "RNCP35316"],
    ["formation_rncp", "rncp 123", "RNCP123"],
    ["ine_apprenant", "1234567890a", "1234567890A"],
    ["ine_apprenant", "1234A12345B", "1234A12345B"],
    ["dernier_organisme_uai", "0751234j", "0751234J"],
    ["dernier_organisme_uai", "44", "44"],
    ["dernier_organisme_uai", "044", "044"],
    ["dernier_organisme_uai", "2B", "2B"],
    ["dernier_organisme_uai", "974", "974"],
    ["dernier_organisme_uai", 44, "44"],
    ["dernier_organisme_uai", 1, "01"],
  ])("%s: %j → %s", (field, input, expected) => expect(normalised(field, input)).toBe(expected));

  it.each([
    ["code_postal_apprenant", "750", MESSAGES.codePostal],
    ["code_postal_apprenant", "750123", MESSAGES.codePostal],
    ["code_postal_apprenant", "75O12", MESSAGES.codePostal],
    ["code_postal_de_naissance_apprenant", "abc", MESSAGES.codePostal],
    ["etablissement_lieu_de_formation_code_postal", true, MESSAGES.codePostal],
    ["code_commune_insee_apprenant", "2C004", MESSAGES.codeCommune],
    ["code_commune_insee_apprenant", "751120", MESSAGES.codeCommune],
    ["code_commune_insee_apprenant", "Paris", MESSAGES.codeCommune],
    ["code_commune_insee_de_naissance_apprenant", "123", MESSAGES.codeCommune],
    ["formation_cfd", "5002214", MESSAGES.cfd],
    ["formation_cfd", "500-2214", MESSAGES.cfd],
    ["formation_cfd", "500221411", MESSAGES.cfd],
    ["formation_rncp", "RNCP1", MESSAGES.rncp],
    ["formation_rncp", "RNCP123456", MESSAGES.rncp],
    ["formation_rncp", "RS1234", MESSAGES.rncp],
    ["ine_apprenant", "123", MESSAGES.ine],
    ["ine_apprenant", "1234567890-A", MESSAGES.ine],
    ["ine_apprenant", 12345678901, MESSAGES.ine],
    ["dernier_organisme_uai", "0751234A", MESSAGES.dernierOrganismeUai],
    ["dernier_organisme_uai", "123", MESSAGES.dernierOrganismeUai],
    ["dernier_organisme_uai", "9865", MESSAGES.dernierOrganismeUai],
    ["dernier_organisme_uai", "97Z", MESSAGES.dernierOrganismeUai],
    ["dernier_organisme_uai", "00", MESSAGES.dernierOrganismeUai],
    ["dernier_organisme_uai", "20", MESSAGES.dernierOrganismeUai],
    ["dernier_organisme_uai", 20, MESSAGES.dernierOrganismeUai],
    ["dernier_organisme_uai", "020", MESSAGES.dernierOrganismeUai],
  ])("%s rejects %j", (field, input, message) => {
    const errors = errorsOf({ ...MINIMAL, [field]: input });
    expect(errors.map((e) => e.path)).toEqual([[field]]);
    expect(errors[0].message.startsWith(`${field} : ${message}`)).toBe(true);
  });
});

describe("enumerations and numbers", () => {
  it.each([
    ["sexe_apprenant", "M", "M"],
    ["sexe_apprenant", "F", "F"],
    ["sexe_apprenant", "H", "M"],
    ["sexe_apprenant", "h", "M"],
    ["sexe_apprenant", "f", "F"],
    ["sexe_apprenant", "1", "M"],
    ["sexe_apprenant", 1, "M"],
    ["sexe_apprenant", "2", "F"],
    ["sexe_apprenant", 2, "F"],
    ["statut_apprenant", 0, 0],
    ["statut_apprenant", 2, 2],
    ["statut_apprenant", 3, 3],
    ["statut_apprenant", "0", 0],
    ["statut_apprenant", " 3 ", 3],
    ["annee_formation", 0, 0],
    ["annee_formation", 5, 5],
    ["annee_formation", "2", 2],
    ["duree_theorique_formation", 1, 1],
    ["duree_theorique_formation", "4", 4],
    ["duree_theorique_formation_mois", 1, 1],
    ["duree_theorique_formation_mois", 48, 48],
    ["duree_theorique_formation_mois", "36", 36],
    ["type_cfa", "01", "01"],
    ["type_cfa", "10", "10"],
    ["type_cfa", "7", "07"],
    ["type_cfa", 7, "07"],
    ["type_cfa", 10, "10"],
    ["derniere_situation", 1003, 1003],
    ["derniere_situation", "2001", 2001],
    ["custom_statut_apprenant", 12, "12"],
    ["custom_statut_apprenant", " Apprenti ", "Apprenti"],
  ])("%s: %j → %j", (field, input, expected) => expect(normalised(field, input)).toBe(expected));

  it.each([
    ["sexe_apprenant", "X", MESSAGES.sexe],
    ["sexe_apprenant", 3, MESSAGES.sexe],
    ["sexe_apprenant", "Homme", MESSAGES.sexe],
    ["sexe_apprenant", true, MESSAGES.sexe],
    ["statut_apprenant", 1, MESSAGES.statut],
    ["statut_apprenant", 4, MESSAGES.statut],
    ["statut_apprenant", "apprenti", MESSAGES.statut],
    ["statut_apprenant", 2.5, MESSAGES.statut],
    ["statut_apprenant", false, MESSAGES.statut],
    ["annee_formation", 6, MESSAGES.entier(0, 5)],
    ["annee_formation", -1, MESSAGES.entier(0, 5)],
    ["annee_formation", 1.5, MESSAGES.entier(0, 5)],
    ["annee_formation", "1ère", MESSAGES.entier(0, 5)],
    ["duree_theorique_formation", 0, MESSAGES.entier(1, 4)],
    ["duree_theorique_formation", 5, MESSAGES.entier(1, 4)],
    ["duree_theorique_formation", "deux", MESSAGES.entier(1, 4)],
    ["duree_theorique_formation_mois", 0, MESSAGES.entier(1, 48)],
    ["duree_theorique_formation_mois", 49, MESSAGES.entier(1, 48)],
    ["duree_theorique_formation_mois", "0x10", MESSAGES.entier(1, 48)],
    ["type_cfa", "00", MESSAGES.typeCfa],
    ["type_cfa", "11", MESSAGES.typeCfa],
    ["type_cfa", 11, MESSAGES.typeCfa],
    ["type_cfa", "A", MESSAGES.typeCfa],
    ["derniere_situation", 12, MESSAGES.derniereSituation],
    ["derniere_situation", "abcd", MESSAGES.derniereSituation],
    ["derniere_situation", 10030, MESSAGES.derniereSituation],
    ["custom_statut_apprenant", true, MESSAGES.texteOuNombre],
  ])("%s rejects %j", (field, input, message) => {
    const errors = errorsOf({ ...MINIMAL, [field]: input });
    expect(errors.map((e) => e.path)).toEqual([[field]]);
    expect(errors[0].message.startsWith(`${field} : ${message}`)).toBe(true);
  });
});

describe("booleans", () => {
  const BOOL_FIELDS = ["rqth_apprenant", "obtention_diplome_formation", "formation_presentielle"];
  it.each([
    [true, true],
    [false, false],
    ["true", true],
    ["false", false],
    ["TRUE", true],
    ["oui", true],
    ["Oui", true],
    ["non", false],
    [1, true],
    [0, false],
    ["1", true],
    ["0", false],
  ])("accepts %j → %j", (input, expected) => {
    for (const f of BOOL_FIELDS) expect(normalised(f, input), f).toBe(expected);
  });

  it.each(["peut-être", 2, -1, "vrai", "yes", [true], { value: true }])("rejects %j", (input) => {
    for (const f of BOOL_FIELDS) {
      const errors = errorsOf({ ...MINIMAL, [f]: input });
      expect(errors.map((e) => e.path)).toEqual([[f]]);
      expect(errors[0].message.startsWith(`${f} : ${MESSAGES.booleen}`)).toBe(true);
    }
  });
});

describe("emails and telephone", () => {
  const EMAIL_FIELDS = [
    "email_contact",
    "responsable_apprenant_mail1",
    "responsable_apprenant_mail2",
    "email_referent_handicap_formation",
  ];
  it.each(["a@b.fr", " prenom.nom+tag@sous.domaine.fr ", "Jean-Éric.Dupont@exemple.com"])("email accepts %j", (input) => {
    for (const f of EMAIL_FIELDS) expect(normalised(f, input), f).toBe(input.trim());
  });
  it.each(["pas-un-email", "a@b", "a b@c.fr", "@exemple.fr", "a@.fr", "a@b.", 42])("email rejects %j", (input) => {
    for (const f of EMAIL_FIELDS) {
      const errors = errorsOf({ ...MINIMAL, [f]: input });
      expect(errors.map((e) => e.path)).toEqual([[f]]);
      expect(errors[0].message.startsWith(`${f} : ${MESSAGES.email}`)).toBe(true);
    }
  });

  it.each([
    ["0612345678", "0612345678"],
    ["06 12 34 56 78", "0612345678"],
    ["06.12.34.56.78", "0612345678"],
    ["+33 6 12 34 56 78", "+33612345678"],
    ["+33 (0)6 12 34 56 78", "+33612345678"],
    ["0033 (0)6 12 34 56 78", "+33612345678"],
    ["(06) 12 34 56 78", "0612345678"],
    ["0033612345678", "+33612345678"],
    [612345678, "0612345678"],
    ["612345678", "0612345678"],
    ["6 12 34 56 78", "0612345678"],
    [262123456, "0262123456"],
  ])("tel_apprenant: %j → %s", (input, expected) => expect(normalised("tel_apprenant", input)).toBe(expected));

  it.each(["pas de téléphone", "12345", "06-12-AB-56-78", true])("tel_apprenant rejects %j", (input) => {
    const [e] = errorsOf({ ...MINIMAL, tel_apprenant: input });
    expect(e.message.startsWith(`tel_apprenant : ${MESSAGES.telephone}`)).toBe(true);
  });
});

describe("texts", () => {
  const TEXT_FIELDS = [
    "nom_apprenant",
    "prenom_apprenant",
    "adresse_apprenant",
    "libelle_court_formation",
    "cause_exclusion_formation",
    "nom_referent_handicap_formation",
    "prenom_referent_handicap_formation",
    "etablissement_lieu_de_formation_adresse",
  ];
  it.each(TEXT_FIELDS)("%s is trimmed", (f) => expect(normalised(f, "  Dupont  Durand \n")).toBe("Dupont  Durand"));

  it.each(TEXT_FIELDS)("%s rejects numbers, booleans and objects", (f) => {
    for (const input of [42, true, { a: 1 }, ["x"]]) {
      const errors = errorsOf({ ...MINIMAL, [f]: input });
      expect(errors.map((e) => e.path)).toEqual([[f]]);
      expect(errors[0].message.startsWith(`${f} : ${MESSAGES.texte}`)).toBe(true);
    }
  });

  it("limits lengths (255, 1000 for addresses and causes)", () => {
    expect(normalised("nom_apprenant", "a".repeat(255))).toHaveLength(255);
    expect(errorsOf({ ...MINIMAL, nom_apprenant: "a".repeat(256) })[0].message).toMatch(
      /^nom_apprenant : texte de 255 caractères au plus attendu \(reçu « a{60}… »\)$/,
    );
    expect(normalised("adresse_apprenant", "a".repeat(1000))).toHaveLength(1000);
    expect(errorsOf({ ...MINIMAL, adresse_apprenant: "a".repeat(1001) })[0].message).toContain(MESSAGES.texteTropLong(1000));
  });

  it("id_erp_apprenant accepts numbers and trims strings", () => {
    expect(normalised("id_erp_apprenant", 123456)).toBe("123456");
    expect(normalised("id_erp_apprenant", "  A-1 ")).toBe("A-1");
    expect(errorsOf({ ...MINIMAL, id_erp_apprenant: { id: 1 } })[0].message).toBe(
      `id_erp_apprenant : ${MESSAGES.texteOuNombre} (reçu « {"id":1} »)`,
    );
  });
});

describe("contracts", () => {
  it("gathers contracts with a start date, in rank order (not sorted by date)", () => {
    const d = ok({
      ...MINIMAL,
      contrat_date_debut_3: "2024-09-02",
      siret_employeur_3: SIRET_C,
      contrat_date_debut: "2025-03-01",
      contrat_date_rupture: "2025-04-01",
      cause_rupture_contrat: "  démission ",
      cause_rupture_contrat_2: "ignorée : pas de date de début",
      siret_employeur_4: SIRET_A,
    });
    expect(d.contrats).toEqual([
      { date_debut: "2025-03-01", date_fin: null, date_rupture: "2025-04-01", cause_rupture: "démission", siret_employeur: null },
      { date_debut: "2024-09-02", date_fin: null, date_rupture: null, cause_rupture: null, siret_employeur: SIRET_C },
    ]);
  });

  it.each(CONTRAT_SUFFIXES)("contract%s: an end or a rupture without a start is an error on the suffixed field", (s) => {
    const errors = errorsOf({ ...MINIMAL, [`contrat_date_fin${s}`]: "2025-08-31", [`contrat_date_rupture${s}`]: "2025-01-01" });
    expect(errors.map((e) => e.path)).toEqual([[`contrat_date_fin${s}`], [`contrat_date_rupture${s}`]]);
    expect(errors[0].message).toBe(
      `contrat_date_fin${s} : ${MESSAGES.contratSansDebut(`contrat_date_debut${s}`)} (reçu « 2025-08-31 »)`,
    );
    expect(errors[1].message).toContain(`contrat_date_debut${s}`);
  });

  it("an empty start counts as no start", () => {
    const errors = errorsOf({ ...MINIMAL, contrat_date_debut_2: "", contrat_date_fin_2: "2025-08-31" });
    expect(errors.map((e) => e.path)).toEqual([["contrat_date_fin_2"]]);
  });

  it("an invalid start is reported once, without a 'no start' error", () => {
    const errors = errorsOf({ ...MINIMAL, contrat_date_debut_2: "01/09/2024", contrat_date_fin_2: "2025-08-31" });
    expect(errors.map((e) => e.path)).toEqual([["contrat_date_debut_2"]]);
  });

  it("an invalid end without a start gets both errors", () => {
    const errors = errorsOf({ ...MINIMAL, contrat_date_fin_4: "31/08/2025" });
    expect(errors.map((e) => e.path)).toEqual([["contrat_date_fin_4"], ["contrat_date_fin_4"]]);
    expect(errors[0].message).toContain(MESSAGES.date);
    expect(errors[1].message).toContain("contrat_date_debut_4");
  });

  it("accepts a rupture (or an end) before the contract start: the statut engine handles it", () => {
    const d = ok({ ...MINIMAL, contrat_date_debut: "2025-01-10", contrat_date_rupture: "2024-12-01", contrat_date_fin: "2024-12-31" });
    expect(d.contrats[0]).toMatchObject({ date_debut: "2025-01-10", date_rupture: "2024-12-01", date_fin: "2024-12-31" });
  });

  it("accepts a cause or an employer without a start, and ignores them", () => {
    const d = ok({ ...MINIMAL, cause_rupture_contrat_2: "démission", siret_employeur_2: SIRET_C });
    expect(d.contrats).toEqual([]);
  });
});

describe("date_de_naissance_apprenant and date_entree_formation", () => {
  it("rejects a birth date on or after the entry in formation (a mistyped year), and lists the other problems too", () => {
    expect(errorsOf({ ...MINIMAL, date_de_naissance_apprenant: "2030-01-01", date_entree_formation: "2026-09-01", date_fin_formation: "2026-08-01" })).toEqual([
      { path: ["date_fin_formation"], message: `date_fin_formation : ${MESSAGES.finAvantEntree("2026-09-01")} (reçu « 2026-08-01 »)` },
      {
        path: ["date_de_naissance_apprenant"],
        message: `date_de_naissance_apprenant : ${MESSAGES.naissanceApresEntree("2026-09-01")} (reçu « 2030-01-01 »)`,
      },
    ]);
    expect(errorsOf({ ...MINIMAL, date_de_naissance_apprenant: "2024-09-02T10:00:00", date_entree_formation: "2024-09-02" }).map((e) => e.path)).toEqual([
      ["date_de_naissance_apprenant"],
    ]);
    expect(MESSAGES.naissanceApresEntree("2026-09-01")).toMatch(/^la date de naissance doit être antérieure à date_entree_formation \(2026-09-01\)/);
  });

  it("accepts a birth the day before the entry (a doubtful age is a quality anomaly of the CFA space, not an error)", () => {
    expect(ok({ ...MINIMAL, date_de_naissance_apprenant: "2024-09-01", date_entree_formation: "2024-09-02" }).date_de_naissance_apprenant).toBe("2024-09-01");
  });

  it("does not compare when one of the dates is itself invalid", () => {
    expect(errorsOf({ ...MINIMAL, date_de_naissance_apprenant: "2030-02-30", date_entree_formation: "2024-09-02" }).map((e) => e.path)).toEqual([
      ["date_de_naissance_apprenant"],
    ]);
  });
});

describe("date_fin_formation and date_entree_formation", () => {
  it("rejects an end before the entry", () => {
    expect(errorsOf({ ...MINIMAL, date_entree_formation: "2024-09-02", date_fin_formation: "2024-09-01" })).toEqual([
      {
        path: ["date_fin_formation"],
        message: `date_fin_formation : ${MESSAGES.finAvantEntree("2024-09-02")} (reçu « 2024-09-01 »)`,
      },
    ]);
  });

  it("compares normalised dates (time parts ignored)", () => {
    expect(errorsOf({ ...MINIMAL, date_entree_formation: "2024-09-02T08:00:00", date_fin_formation: "2024-09-01T23:00:00" })).toHaveLength(1);
    expect(ok({ ...MINIMAL, date_entree_formation: "2024-09-02T18:00:00", date_fin_formation: "2024-09-02T08:00:00" }).date_fin_formation).toBe(
      "2024-09-02",
    );
  });

  it("accepts an end equal to the entry", () => {
    expect(ok({ ...MINIMAL, date_entree_formation: "2024-09-02", date_fin_formation: "2024-09-02" }).date_fin_formation).toBe("2024-09-02");
  });

  it("does not compare when one of the dates is itself invalid", () => {
    const errors = errorsOf({ ...MINIMAL, date_entree_formation: "2024-02-30", date_fin_formation: "2024-01-01" });
    expect(errors.map((e) => e.path)).toEqual([["date_entree_formation"]]);
  });

  it("still checks the dates when other fields are wrong", () => {
    const errors = errorsOf({ ...MINIMAL, nom_apprenant: null, date_fin_formation: "2020-01-01" });
    expect(errors.map((e) => e.path)).toEqual([["nom_apprenant"], ["date_fin_formation"]]);
  });
});

describe("every problem is listed", () => {
  it("an item with 5 problems gets 5 errors, each with its path", () => {
    const result = validateDossier({
      ...MINIMAL,
      date_de_naissance_apprenant: "31/02/2005",
      etablissement_formateur_uai: "0751234A",
      etablissement_responsable_siret: "123",
      sexe_apprenant: "X",
      contrat_date_rupture_3: "2025-01-01",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.id_erp_apprenant).toBe("APP-42");
    expect(result.errors.map((e) => e.path)).toEqual([
      ["date_de_naissance_apprenant"],
      ["etablissement_responsable_siret"],
      ["etablissement_formateur_uai"],
      ["sexe_apprenant"],
      ["contrat_date_rupture_3"],
    ]);
    for (const e of result.errors) expect(e.message.startsWith(`${e.path[0]} : `)).toBe(true);
    expect(result.errors[1].message).toBe(`etablissement_responsable_siret : ${MESSAGES.siret} (reçu « 123 »)`);
  });

  it("lists every field of a dossier where everything is wrong", () => {
    const item: Record<string, unknown> = {};
    for (const f of ALL_FIELDS) item[f] = { wrong: true };
    const errors = errorsOf(item);
    const paths = new Set(errors.map((e) => e.path[0]));
    for (const f of ALL_FIELDS) expect(paths.has(f), f).toBe(true);
  });

  it("gives the dossier id even when it is invalid elsewhere, null when unreadable", () => {
    const r1 = validateDossier({ ...MINIMAL, id_erp_apprenant: 77, nom_apprenant: "" });
    expect(r1.ok === false && r1.id_erp_apprenant).toBe("77");
    const r2 = validateDossier({ ...MINIMAL, id_erp_apprenant: ["x"] });
    expect(r2.ok === false && r2.id_erp_apprenant).toBeNull();
    const r3 = validateDossier({ ...MINIMAL, id_erp_apprenant: "x".repeat(300) });
    expect(r3.ok === false && r3.id_erp_apprenant).toBeNull();
  });
});

describe("never throws", () => {
  const weird: unknown[] = [
    null,
    undefined,
    [],
    [MINIMAL],
    "x",
    "",
    42,
    0,
    true,
    false,
    NaN,
    {},
    { nom_apprenant: { nested: { deeper: [1, 2, { x: null }] } } },
    Object.fromEntries(ALL_FIELDS.map((f) => [f, [[[]]]])),
    Object.fromEntries(ALL_FIELDS.map((f) => [f, "é".repeat(100_000)])),
    Object.fromEntries(ALL_FIELDS.map((f) => [f, Number.MAX_SAFE_INTEGER])),
    Object.fromEntries(ALL_FIELDS.map((f) => [f, -0.5])),
    Object.fromEntries(ALL_FIELDS.map((f) => [f, false])),
    JSON.parse('{"__proto__": {"nom_apprenant": "x"}, "constructor": 1}'),
    { ...MINIMAL, toString: "x", hasOwnProperty: 1 },
    Object.create(null),
  ];

  it.each(weird.map((w, i) => [i, w]))("input #%i", (_i, input) => {
    expect(() => validateDossier(input)).not.toThrow();
    const result = validateDossier(input);
    expect(typeof result.ok).toBe("boolean");
    if (!result.ok) {
      expect(result.errors.length).toBeGreaterThan(0);
      for (const e of result.errors) {
        expect(Array.isArray(e.path)).toBe(true);
        expect(e.message).toMatch(/^[a-z_0-9.]+ : /);
        expect(e.message).not.toMatch(/Invalid input|expected|received/);
        expect(e.message.length).toBeLessThan(400);
      }
    }
  });

  it.each([null, [], "x", 42])("a non-object item gets one error on the dossier itself: %j", (input) => {
    expect(validateDossier(input)).toEqual({
      ok: false,
      id_erp_apprenant: null,
      errors: [{ path: [], message: `dossier : ${MESSAGES.dossierObjet} (reçu « ${input === null ? "null" : JSON.stringify(input).replace(/^"|"$/g, "")} »)` }],
    });
  });

  it("an item nested too deep to be copied into the message is said in French", () => {
    let profond: unknown = [];
    for (let i = 0; i < 100_000; i++) profond = [profond];
    expect(validateDossier(profond)).toEqual({
      ok: false,
      id_erp_apprenant: null,
      errors: [{ path: [], message: `dossier : ${MESSAGES.dossierObjet} (reçu « un tableau trop imbriqué pour être recopié »)` }],
    });
  });

  it("a very long string is truncated in the message", () => {
    const [e] = errorsOf({ ...MINIMAL, date_de_naissance_apprenant: "9".repeat(1_000_000) });
    expect(e.message.length).toBeLessThan(200);
    expect(e.message).toContain("…");
  });

  it("does not modify its input", () => {
    const item = structuredClone(FULL);
    validateDossier(item);
    expect(item).toEqual(FULL);
  });
});

describe("NIR", () => {
  it("is never in the output", () => {
    const d = ok({ ...MINIMAL, nir_apprenant: NIR });
    expect(d.nir_fourni).toBe(true);
    expect(d).not.toHaveProperty("nir_apprenant");
    expect(JSON.stringify(d)).not.toContain(NIR);
  });

  it.each([
    [NIR, true],
    [1060375112042, true],
    ["1 06 03 75 112 042 35", true],
    ["", false],
    ["  ", false],
    [null, false],
    [undefined, false],
  ])("nir_apprenant %j → nir_fourni %j", (nir, fourni) => {
    expect(ok({ ...MINIMAL, nir_apprenant: nir }).nir_fourni).toBe(fourni);
  });

  it("is never echoed in an error", () => {
    const result = validateDossier({ ...MINIMAL, nom_apprenant: null, nir_apprenant: NIR });
    expect(JSON.stringify(result)).not.toContain(NIR);
    const [e] = errorsOf({ ...MINIMAL, nir_apprenant: { nir: NIR } });
    expect(e.path).toEqual(["nir_apprenant"]);
    expect(e.message).toBe(`nir_apprenant : ${MESSAGES.texteOuNombre}`);
  });

  it.each([NIR, "2 85 05 78 006 084 36", 1060375112042, "185052A00608436"])(
    "an id_erp_apprenant shaped like a NIR (%j) is refused, and neither echoed nor given back as the item's id",
    (id) => {
      const result = validateDossier({ ...MINIMAL, id_erp_apprenant: id });
      expect(result).toEqual({
        ok: false,
        id_erp_apprenant: null,
        errors: [{ path: ["id_erp_apprenant"], message: `id_erp_apprenant : ${MESSAGES.identifiantNir}` }],
      });
      expect(JSON.stringify(result)).not.toMatch(/\d{13}/);
    },
  );

  it("an id that merely has digits is kept", () => {
    for (const id of ["APP-1060375112042", "123456789012", "9060375112042", "1061375112042", 42]) {
      expect(ok({ ...MINIMAL, id_erp_apprenant: id }).id_erp_apprenant, String(id)).toBe(String(id));
    }
  });

  it.each([
    ["tel_apprenant", "2 07 05 69 123 456 78"],
    ["tel_apprenant", 207056912345678],
    ["adresse_apprenant", "1060375112042"],
    ["custom_statut_apprenant", 1060375112042],
  ])("a NIR-shaped value in %s is refused, and not echoed", (field, value) => {
    const result = validateDossier({ ...MINIMAL, [field]: value });
    expect(result).toMatchObject({ ok: false, errors: [{ path: [field], message: `${field} : ${MESSAGES.valeurNir}` }] });
    expect(JSON.stringify(result)).not.toMatch(/\d{13}|\d \d{2} \d{2}/);
  });

  it("a value that holds a NIR among other words is not echoed either", () => {
    const [e] = errorsOf({ ...MINIMAL, date_de_naissance_apprenant: "voir NIR 2 07 05 69 123 456 78" });
    expect(e.path).toEqual(["date_de_naissance_apprenant"]);
    expect(e.message).not.toMatch(/123 456|NIR 2/);
    expect(e.message).toContain("(valeur reçue en forme de NIR, non reproduite)");
  });

  it("a NIR-shaped value that the field refuses anyway gets the field's own message, without the value", () => {
    const [e] = errorsOf({ ...MINIMAL, ine_apprenant: "285057800608436" });
    expect(e.message).toBe(`ine_apprenant : ${MESSAGES.ine} (valeur reçue en forme de NIR, non reproduite)`);
    const [siret] = errorsOf({ ...MINIMAL, etablissement_formateur_siret: "1300245600001" });
    expect(siret.message).toBe(`etablissement_formateur_siret : ${MESSAGES.siret} (valeur reçue en forme de NIR, non reproduite)`);
  });

  it("a value of another shape is said as received: 16 digits, a SIRET, a phone number", () => {
    const [tel] = errorsOf({ ...MINIMAL, tel_apprenant: "2850578006084361" });
    expect(tel.message).toContain("2850578006084361");
    expect(ok({ ...MINIMAL, tel_apprenant: "+33 6 12 34 56 78" }).tel_apprenant).toBe("+33612345678");
    expect(ok({ ...MINIMAL, siret_employeur: "13002456000018", contrat_date_debut: "2024-09-02" }).contrats[0].siret_employeur).toBe("13002456000018");
  });
});

describe("DOSSIER_V3_FIELDS", () => {
  it("lists every raw field once, with a French label and the required flag", () => {
    expect(DOSSIER_V3_FIELDS.map((f) => f.field).sort()).toEqual([...ALL_FIELDS].sort());
    expect(DOSSIER_V3_FIELDS).toHaveLength(70);
    expect(DOSSIER_V3_FIELDS[0]).toEqual({ field: "nom_apprenant", label: "Nom", required: true, description: expect.any(String) });
    for (const f of DOSSIER_V3_FIELDS) {
      expect(f.label, f.field).not.toBe(f.field);
      expect(f.label.length, f.field).toBeGreaterThan(1);
      expect(f.description.length, f.field).toBeGreaterThan(5);
      expect(f.required, f.field).toBe((REQUIRED_FIELDS as readonly string[]).includes(f.field));
    }
    expect(new Set(DOSSIER_V3_FIELDS.map((f) => f.label)).size).toBe(70);
  });
});

describe("OpenAPI document", () => {
  const doc = dossiersOpenApiDocument() as Record<string, any>;
  const item = doc.components.schemas.DossierApprenantV3;

  it("is valid JSON and an OpenAPI 3.1 document with French info", () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toContain("apprentissage");
    expect(doc.info.description).toContain("dossiers");
    expect(doc.info.version).toBeTruthy();
  });

  it("contains the generated item schema with every field and description", () => {
    expect(item.type).toBe("object");
    expect(Object.keys(item.properties).sort()).toEqual([...ALL_FIELDS].sort());
    expect([...item.required].sort()).toEqual([...REQUIRED_FIELDS].sort());
    for (const [field, schema] of Object.entries<any>(item.properties)) {
      expect(schema.description, field).toMatch(/[a-zé]/);
      expect(schema.title, field).toBeTruthy();
    }
    expect(item).not.toHaveProperty("additionalProperties");
    expect(item).not.toHaveProperty("$schema");
    // input types, not output ones
    const types = (p: any) => (p.anyOf ?? [p]).map((a: any) => a.type);
    expect(types(item.properties.sexe_apprenant)).toEqual(["string", "number", "null"]);
    expect(types(item.properties.rqth_apprenant)).toEqual(["string", "number", "boolean", "null"]);
    expect(item.properties.date_de_naissance_apprenant.type).toBe("string");
    expect(types(item.properties.id_erp_apprenant)).toEqual(["string", "number"]);
  });

  it("is generated from dossierV3InputSchema", () => {
    expect(Object.keys(dossierV3InputSchema.shape).sort()).toEqual(Object.keys(item.properties).sort());
  });

  it("whose example dossier is valid", () => {
    for (const example of item.examples) expect(validateDossier(example).ok).toBe(true);
    const body = doc.paths["/api/v3/dossiers-apprenants"].post.requestBody.content["application/json"];
    for (const example of body.example) expect(validateDossier(example).ok).toBe(true);
  });

  it("describes POST /api/v3/dossiers-apprenants (bearer, ≤ 2000 items, responses)", () => {
    const post = doc.paths["/api/v3/dossiers-apprenants"].post;
    const body = post.requestBody.content["application/json"].schema;
    expect(body).toMatchObject({ type: "array", maxItems: 2000, items: { $ref: "#/components/schemas/DossierApprenantV3" } });
    expect(Object.keys(post.responses).sort()).toEqual(["200", "400", "401", "403", "413", "429"]);
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const result = doc.components.schemas.ResultatDossier;
    expect(Object.keys(result.properties).sort()).toEqual(["id_erp_apprenant", "status", "validation_errors"]);
    expect(result.properties.status.enum).toEqual(["ok", "error"]);
  });

  it("describes GET /api/v3/dossiers-apprenants/test", () => {
    const get = doc.paths["/api/v3/dossiers-apprenants/test"].get;
    expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(["200", "401"]));
  });

  it("has only resolvable $refs", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const path = ref.slice(8, -1).replace(/^#\//, "").split("/");
      let node: any = doc;
      for (const p of path) node = node?.[p];
      expect(node, ref).toBeTruthy();
    }
  });
});

describe("the published JSON Schema of an item against the validation", () => {
  const item = dossiersOpenApiDocument().components && (dossiersOpenApiDocument() as Record<string, any>).components.schemas.DossierApprenantV3;
  const properties = item.properties as Record<string, any>;
  const requiredFields = new Set<string>(item.required);

  /** The JSON type of a value, "integer" for a number without fractional part (JSON Schema's). */
  function jsonType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
  }

  /**
   * A JSON Schema check for the subset the item schema uses: anyOf, type, enum, pattern (ECMA-262 with the u flag,
   * as JSON Schema validators read it), minimum, maximum, maxLength. Anything else in a schema fails the test.
   */
  function matches(schema: Record<string, any>, value: unknown): boolean {
    const known = new Set(["anyOf", "type", "enum", "pattern", "minimum", "maximum", "maxLength", "title", "description", "examples"]);
    for (const key of Object.keys(schema)) if (!known.has(key)) throw new Error(`mot-clé non vérifié : ${key}`);
    if (schema.anyOf && !schema.anyOf.some((s: Record<string, any>) => matches(s, value))) return false;
    if (schema.type !== undefined) {
      const t = jsonType(value);
      const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((ty) => ty === t || (ty === "number" && t === "integer"))) return false;
    }
    if (schema.enum && !schema.enum.some((e: unknown) => e === value)) return false;
    if (typeof value === "string") {
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) return false;
      if (schema.maxLength !== undefined && [...value].length > schema.maxLength) return false;
    }
    if (typeof value === "number") {
      if (schema.minimum !== undefined && value < schema.minimum) return false;
      if (schema.maximum !== undefined && value > schema.maximum) return false;
    }
    return true;
  }

  /** Whether the API accepts this value in this field (its own checks: the rules between fields are kept satisfied). */
  function apiAccepts(field: string, value: unknown): boolean {
    const base: Record<string, unknown> = { ...MINIMAL };
    const rang = /^contrat_date_(?:fin|rupture)(_\d)?$/.exec(field);
    if (rang) base[`contrat_date_debut${rang[1] ?? ""}`] = "2024-09-02";
    if (field === "date_fin_formation") base.date_entree_formation = "1900-01-01";
    if (field === "date_entree_formation") Object.assign(base, { date_fin_formation: "2100-12-31", date_de_naissance_apprenant: "1900-01-01" });
    if (field === "date_de_naissance_apprenant") Object.assign(base, { date_entree_formation: "2100-12-31", date_fin_formation: "2100-12-31" });
    base[field] = value;
    if (value === undefined) delete base[field];
    const result = validateWithSchema(base);
    return result.ok || !result.errors.some((e) => e.path[0] === field);
  }

  const VALUES: unknown[] = [
    ...Object.values(FULL),
    undefined, null, "", "   ", " x ", "hello", 0, -0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 48, 49, 99, -1, 1.5, 2.0, 99999, 100000, 1e15, 1e16,
    true, false, {}, [], [1], { a: 1 },
    "0", "-0", "+3", "003", "0000003", "-3", "7", "2.5", "1.0", "04", "10", " 5 ", "+5", "99", "1003", "001003", "999", "10000",
    "2024-09-02", " 2024-09-02 ", "2024-09-02T10:15:00+02:00", "2024-09-02t10:15z", "2024-09-02 10:00", "2024-09-02T25:00",
    "2024-02-30", "2024-13-01", "1899-12-31", "2101-01-01", "1900-01-01", "2100-12-31", "2024-9-2", "02/09/2024", "20a4-01-01",
    "0024-02-29", "2023-02-29", "2024-04-31", "2024-00-10",
    "2024-2025", "2024/2025", "2024 - 2025", "2025-2025", "2024-2026", "2025-2024", "1899-1900", "2100-2101", "2024", "24-25",
    "0751234J", " 0751234j ", "0751234A", "0751234I", "075123J", "44", "2A", "2b", "976", "96", "00",
    "13002456000018", "13002456000019", 13002456000018, 13002456000019, "130 024 560 000 18", "130.024.560-00018", "1300245600001",
    "75001", "7501", "75 012", "750", 75001, 7501, 750, "75112", "2A004", "2b004", "20004", "97411",
    "50022141", "5002214", "5002214A", 50022141, "RNCP35316", "rncp 35316", "35316", "RNCP1", "RNCP123456", 35316, 1,
    "1060375112042", 1060375112042, "1 06 03 75 112 042 35", "185052A00608436",
    "1234567890A", "1234 5678 90a", "1234567890", "a@b.c", " a@b.fr ", "a@b", "a b@c.fr", `${"a".repeat(320)}@b.fr`,
    "0612345678", "06 12 34 56 78", "+33612345678", "+33 (0)6 12 34 56 78", "0033612345678", "(0)612345678", "0612", "06-12-34-56-78-x",
    612345678, 12345, "M", "m", "F", "H", "1", "2", "X", "oui", "NON", "True", "faux", "yes",
    "x".repeat(255), ` ${"x".repeat(255)} `, "x".repeat(256), "x".repeat(1000), "x".repeat(1001), "x\u0000",
  ];

  /**
   * Whether the API alone refuses this value, by what no pattern says: a UAI's check letter, a SIRET's key, a day
   * that the calendar does not have, years that do not follow each other.
   */
  function apiOnly(field: string, value: unknown): boolean {
    if (typeof value !== "string" && typeof value !== "number") return false;
    const text = String(value).trim();
    if (/_uai$/.test(field)) return /^\d{7}[A-Z]$/.test(text.toUpperCase()) && !isValidUai(text);
    if (/siret/.test(field)) {
      const digits = typeof value === "number" ? String(value).padStart(14, "0") : text.replace(/[\s.\-]/g, "");
      return /^\d{14}$/.test(digits) && !isValidSiret(digits);
    }
    // a NIR-shaped value, in every field but the NIR's own (decision 025)
    if (field !== "nir_apprenant" && looksLikeNir(text) && !/_uai$|siret/.test(field)) return true;
    if (field === "annee_scolaire") {
      const m = /^(\d{4})-(\d{4})$/.exec(text.replace(/\s+/g, "").replace("/", "-"));
      return m !== null && Number(m[2]) !== Number(m[1]) && Number(m[2]) !== Number(m[1]) + 1;
    }
    const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
    // born before the entry in formation: the bounds 1900 and 2100 leave no room for the other date (apiAccepts)
    if (date && field === "date_de_naissance_apprenant" && date[0] === "2100-12-31") return true;
    if (date && field === "date_entree_formation" && date[0] === "1900-01-01") return true;
    if (date && /date/.test(field)) {
      const [y, mo, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
      return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && d > new Date(Date.UTC(y, mo, 0)).getUTCDate();
    }
    return false;
  }

  it("publishes a pattern, enum or bounds for every field (not only JSON types)", () => {
    for (const [field, p] of Object.entries(properties)) {
      const constrained = (s: Record<string, any>): boolean =>
        s.pattern !== undefined || s.enum !== undefined || s.minimum !== undefined || s.type === "null" || s.type === "boolean";
      const alternatives = p.anyOf ?? [p];
      if (field === "nir_apprenant") continue; // any text or number: never validated nor kept
      for (const a of alternatives) expect(constrained(a) || a.type === "number", `${field} ${JSON.stringify(a)}`).toBe(true);
      expect(alternatives.some((a: Record<string, any>) => a.pattern !== undefined), field).toBe(true);
    }
    // what the audit found accepted by the published schema and refused by the API
    expect(matches(properties.statut_apprenant, 7)).toBe(false);
    expect(matches(properties.date_de_naissance_apprenant, "hello")).toBe(false);
    expect(matches(properties.annee_formation, 99)).toBe(false);
  });

  it("accepts every value the API accepts and refuses every value it refuses, but for the API's checksum and calendar checks", () => {
    let accepted = 0;
    let refused = 0;
    for (const field of ALL_FIELDS) {
      for (const value of VALUES) {
        const api = apiAccepts(field, value);
        const schema = value === undefined ? !requiredFields.has(field) : matches(properties[field], value);
        const label = `${field} = ${JSON.stringify(value)?.slice(0, 40)}`;
        if (api) {
          expect(schema, `${label} : accepté par l'API, refusé par le schéma publié`).toBe(true);
          accepted++;
        } else {
          if (schema) expect(apiOnly(field, value), `${label} : refusé par l'API, accepté par le schéma publié`).toBe(true);
          refused++;
        }
      }
    }
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });

  it("each field's examples, and the example dossier, are valid for the published schema", () => {
    for (const [field, p] of Object.entries(properties)) {
      for (const example of p.examples ?? []) expect(matches(p, example), `${field} ${JSON.stringify(example)}`).toBe(true);
    }
    for (const example of item.examples) {
      for (const [field, value] of Object.entries(example as Record<string, unknown>)) expect(matches(properties[field], value), field).toBe(true);
    }
  });

  it("integerRangePattern matches exactly the integers of its range", () => {
    for (const [min, max] of [[0, 5], [1, 4], [1, 48], [1000, 9999], [1900, 2100], [7, 1234], [0, 0], [10, 99]]) {
      const re = new RegExp(`^(?:${integerRangePattern(min, max)})$`);
      for (let n = 0; n <= 12_000; n++) expect(re.test(String(n)), `${min}..${max} : ${n}`).toBe(n >= min && n <= max);
      expect(re.test(`0${min}`)).toBe(false);
    }
  });
});

describe("fast path (parseValidDossier) against the zod schema", () => {
  /** Values of every shape an ERP or a spreadsheet sends: valid ones of each kind, blanks, wrong types, near misses. */
  const POOL: unknown[] = [
    ...Object.values(FULL),
    undefined, null, "", "   ", " x ", 0, 1, 2, 3, 5, -1, 1.5, 99999, 1e15, true, false, {}, [], [1], { a: 1 },
    "2024-02-30", "2024-13-01", "1899-12-31", "2101-01-01", "2024-09-02T25:00", "2024-09-02 10:00", " 2024-09-02 ",
    "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2100-02-29", "2024-04-31", "2024-06-30", "2024-00-10",
    "2024-01-00", "2024-01-32", "1900-01-01", "2100-12-31", "20a4-01-01", "2024-0a-01", "2024+01-01", "0024-02-29",
    "02/09/2024", "2024-9-2", "2023-2024", "2024/2025", "2024-2026", "0751234A", " 0751234j ", "13002456000019",
    13002456000018, "1300 2456 0000 18", "7501", "75 012", "2A004", "2b004", "97411", "RNCP35316", "RNCP1",
    "1234567890A", "1234567890", "a@b.c", "a@b", "+33612345678", "0612", 612345678, "M", "f", "H", "2", "X",
    "oui", "NON", "1", "0", "2.5", "04", "10", "11", "1003", "999", "2A", "976", "0751234J\u0000", "x".repeat(256),
    "x".repeat(1001),
  ];

  /** Deterministic pseudo-random numbers (mulberry32): the same items on every run. */
  function random(seed: number) {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function sameAnswer(item: Record<string, unknown>): boolean {
    const reference = validateWithSchema(item);
    const fast = parseValidDossier(item);
    if (reference.ok) expect(fast, JSON.stringify(item)).toEqual(reference.dossier);
    else expect(fast, JSON.stringify(item)).toBeNull();
    return reference.ok;
  }

  it("gives zod's answer for every value of the pool in every field, alone on a minimal and a full dossier", () => {
    let valid = 0;
    let checked = 0;
    for (const base of [MINIMAL, FULL]) {
      for (const field of ALL_FIELDS) {
        for (const value of POOL) {
          const item: Record<string, unknown> = { ...base, [field]: value };
          if (value === undefined) delete item[field];
          if (sameAnswer(item)) valid++;
          checked++;
        }
      }
    }
    expect(valid).toBeGreaterThan(checked / 10);
    expect(valid).toBeLessThan(checked - checked / 10);
  });

  it("gives zod's answer on 10 000 dossiers with several mutations: the same dossier when valid, nothing when invalid", () => {
    const next = random(20261123);
    let valid = 0;
    for (let i = 0; i < 10_000; i++) {
      const item: Record<string, unknown> = { ...(next() < 0.5 ? MINIMAL : FULL) };
      const mutations = 2 + Math.floor(next() * 2);
      for (let m = 0; m < mutations; m++) {
        const field = ALL_FIELDS[Math.floor(next() * ALL_FIELDS.length)];
        const value = POOL[Math.floor(next() * POOL.length)];
        if (value === undefined) delete item[field];
        else item[field] = value;
      }
      if (sameAnswer(item)) valid++;
    }
    // both answers are exercised
    expect(valid).toBeGreaterThan(200);
    expect(valid).toBeLessThan(9_000);
  });

  it("is what validateDossier answers for a valid dossier", () => {
    expect(validateDossier(FULL)).toEqual({ ok: true, dossier: parseValidDossier(FULL) });
    expect(validateDossier(FULL)).toEqual(validateWithSchema(FULL));
  });
});
