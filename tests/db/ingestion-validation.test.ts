/**
 * Every validation rule and normalisation of domain.md, field by field, through the endpoint: what an ERP sends,
 * what it gets back, what is stored. (The schema itself is tested in tests/unit/dossier-schema.test.ts.)
 * Needs `npm run -s build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { dossier, insertOrganisme, keyFor, post, type TestOrganisme } from "./ingestion-fixtures";

process.env.API_RATE_PER_SECOND = "10000";
process.env.API_RATE_BURST = "10000";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let cfa: TestOrganisme;
let key: string;

beforeAll(async () => {
  t = await createTestDatabase({ territories: false });
  app = await serveApp(t.database);
  cfa = await insertOrganisme(t.database, 7);
  key = await keyFor(t.database, cfa);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const REQUIRED = [
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
];

/** [field, value sent, expected message] — one item each, all in one batch. */
const INVALID: [string, unknown, RegExp][] = [
  ...REQUIRED.flatMap((f): [string, unknown, RegExp][] => {
    // a date names its format literally, with the field's example
    const attendu = f.startsWith("date_") ? /champ obligatoire : date attendue au format AAAA-MM-JJ \(ex\. \d{4}-\d{2}-\d{2}\)/ : /champ obligatoire/;
    return [
      [f, undefined, attendu],
      [f, "   ", attendu],
    ];
  }),
  ["date_de_naissance_apprenant", "28/03/2006", /date attendue au format AAAA-MM-JJ/],
  ["date_de_naissance_apprenant", "2006-02-30", /date inexistante/],
  ["date_de_naissance_apprenant", "1850-01-01", /entre 1900 et 2100/],
  ["date_inscription_formation", 20240615, /date attendue au format AAAA-MM-JJ/],
  ["date_entree_formation", "2024-13-01", /date inexistante/],
  ["date_metier_mise_a_jour_statut", "hier", /date attendue au format AAAA-MM-JJ/],
  ["date_rqth_apprenant", "2020/05/10", /date attendue au format AAAA-MM-JJ/],
  ["date_exclusion_formation", "01-02-2025", /date attendue au format AAAA-MM-JJ/],
  ["date_obtention_diplome_formation", "2026-06-31", /date inexistante/],
  ["annee_scolaire", "2024-2026", /année scolaire attendue au format AAAA-AAAA/],
  ["annee_scolaire", "2024", /année scolaire attendue/],
  ["id_erp_apprenant", { a: 1 }, /texte ou nombre attendu/],
  ["nom_apprenant", 12, /texte attendu/],
  ["nom_apprenant", "x".repeat(256), /255 caractères au plus/],
  ["etablissement_responsable_uai", "0751234A", /UAI attendu/],
  ["etablissement_formateur_uai", "751234J", /UAI attendu/],
  ["etablissement_responsable_siret", "13002456000019", /SIRET attendu/],
  ["etablissement_formateur_siret", "1300245600001", /SIRET attendu/],
  ["siret_employeur", "12345678901234", /SIRET attendu/],
  ["etablissement_lieu_de_formation_siret", "abc", /SIRET attendu/],
  ["etablissement_lieu_de_formation_uai", "ABCDEFGH", /UAI attendu/],
  ["code_postal_apprenant", "750", /code postal attendu/],
  ["code_postal_de_naissance_apprenant", "75 0011", /code postal attendu/],
  ["etablissement_lieu_de_formation_code_postal", "ABCDE", /code postal attendu/],
  ["code_commune_insee_apprenant", "7500A", /code commune INSEE attendu/],
  ["code_commune_insee_de_naissance_apprenant", "2C004", /code commune INSEE attendu/],
  ["formation_cfd", "5002214", /code CFD attendu/],
  ["formation_rncp", "RNCP1", /code RNCP attendu/],
  ["ine_apprenant", "123", /INE attendu/],
  ["email_contact", "pas-un-mail", /adresse e-mail attendue/],
  ["responsable_apprenant_mail1", "a@b", /adresse e-mail attendue/],
  ["responsable_apprenant_mail2", "a b@c.fr", /adresse e-mail attendue/],
  ["email_referent_handicap_formation", "@x.fr", /adresse e-mail attendue/],
  ["tel_apprenant", "12", /numéro de téléphone attendu/],
  ["sexe_apprenant", "X", /sexe attendu : M ou F/],
  ["rqth_apprenant", "peut-être", /booléen attendu/],
  ["obtention_diplome_formation", 2, /booléen attendu/],
  ["formation_presentielle", "vrai", /booléen attendu/],
  ["statut_apprenant", 1, /statut attendu : 0 \(abandon\), 2 \(inscrit\), 3 \(apprenti\)/],
  ["annee_formation", 6, /nombre entier attendu entre 0 et 5/],
  ["duree_theorique_formation", 5, /nombre entier attendu entre 1 et 4/],
  ["duree_theorique_formation_mois", 49, /nombre entier attendu entre 1 et 48/],
  ["type_cfa", "11", /type de CFA attendu/],
  ["derniere_situation", "12", /code de dernière situation SIFA attendu/],
  ["dernier_organisme_uai", "XYZ", /UAI .* ou numéro de département/],
  ["cause_exclusion_formation", "x".repeat(1001), /1000 caractères au plus/],
];

/** Cross-field rules: [overrides, field at fault, expected message]. */
const CROSS: [Record<string, unknown>, string, RegExp][] = [
  [{ contrat_date_debut: null, contrat_date_fin: "2025-01-01" }, "contrat_date_fin", /sans contrat_date_debut/],
  [{ contrat_date_debut: null, contrat_date_fin: null, contrat_date_rupture: "2025-01-01" }, "contrat_date_rupture", /sans contrat_date_debut/],
  [{ contrat_date_fin_2: "2025-01-01" }, "contrat_date_fin_2", /sans contrat_date_debut_2/],
  [{ contrat_date_rupture_3: "2025-01-01" }, "contrat_date_rupture_3", /sans contrat_date_debut_3/],
  [{ contrat_date_fin_4: "2025-01-01" }, "contrat_date_fin_4", /sans contrat_date_debut_4/],
  [{ date_entree_formation: "2024-09-02", date_fin_formation: "2024-09-01" }, "date_fin_formation", /postérieure à date_entree_formation/],
];

describe("every validation rule, through the endpoint", () => {
  it("answers each invalid field with its path and a French message naming the expected format", async () => {
    const items = [
      ...INVALID.map(([field, value], i) => {
        const item = dossier(cfa, cfa, { id_erp_apprenant: `I${i}` });
        if (value === undefined) delete item[field];
        else item[field] = value;
        return item;
      }),
      ...CROSS.map(([overrides], i) => dossier(cfa, cfa, { id_erp_apprenant: `C${i}`, ...overrides })),
    ];
    const res = await post(app.baseUrl, key, items);
    expect(res.status).toBe(200);
    const accepted = res.body.data.map((d: any, i: number) => [i, d.status]).filter(([, s]: [number, string]) => s === "ok");
    expect(accepted).toEqual([]);
    expect(res.body.nb_erreurs).toBe(items.length);
    const cases = [...INVALID.map(([f, , m]) => [f, m] as const), ...CROSS.map(([, f, m]) => [f, m] as const)];
    cases.forEach(([field, message], i) => {
      const result = res.body.data[i];
      expect(result.status, `${field} (#${i})`).toBe("error");
      const errors = result.validation_errors as { path: string[]; message: string }[];
      const error = errors.find((e) => e.path[0] === field);
      expect(error, `${field} (#${i}): ${JSON.stringify(errors)}`).toBeDefined();
      expect(error!.message.startsWith(`${field} : `), error!.message).toBe(true);
      expect(error!.message).toMatch(message);
    });
    const [{ n }] = await t.database.rows<{ n: number }>(sql`select count(*)::int n from effectifs`);
    expect(n).toBe(0);
  });

  it("lists every problem of one item, not only the first", async () => {
    const item = dossier(cfa, cfa, {
      id_erp_apprenant: "all",
      nom_apprenant: null,
      date_de_naissance_apprenant: "2006-02-30",
      annee_scolaire: "24-25",
      etablissement_formateur_uai: "0751234A",
      code_postal_apprenant: "x",
      sexe_apprenant: "X",
      statut_apprenant: 9,
      contrat_date_debut: null,
      date_fin_formation: "2020-01-01",
    });
    const res = await post(app.baseUrl, key, [item]);
    const paths = res.body.data[0].validation_errors.map((e: { path: string[] }) => e.path[0]).sort();
    expect(paths).toEqual(
      [
        "annee_scolaire",
        "code_postal_apprenant",
        "contrat_date_fin",
        "date_de_naissance_apprenant",
        "date_fin_formation",
        "etablissement_formateur_uai",
        "nom_apprenant",
        "sexe_apprenant",
        "statut_apprenant",
      ].sort(),
    );
  });
});

/** [field, value sent, stored column, stored value] — one item each. */
const NORMALISED: [string, unknown, string, unknown][] = [
  ["annee_scolaire", "2024/2025", "annee_scolaire", "2024-2025"],
  ["annee_scolaire", "2025-2025", "annee_scolaire", "2025-2025"],
  ["nom_apprenant", "  Dupont  ", "nom", "Dupont"],
  ["date_de_naissance_apprenant", "2006-03-28T10:20:00+02:00", "date_de_naissance", "2006-03-28"],
  ["date_de_naissance_apprenant", "2006-03-28 10:20", "date_de_naissance", "2006-03-28"],
  ["date_exclusion_formation", "2025-02-01T00:00:00.000Z", "date_exclusion_formation", "2025-02-01"],
  ["etablissement_lieu_de_formation_uai", " 0330012j ", "lieu_uai", "0330012J"],
  ["etablissement_lieu_de_formation_siret", "782 988 325.000-18", "lieu_siret", "78298832500018"],
  ["code_postal_apprenant", "1000", "code_postal", "01000"],
  ["code_postal_apprenant", 1000, "code_postal", "01000"],
  ["code_postal_de_naissance_apprenant", "75 001", "code_postal_naissance", "75001"],
  ["etablissement_lieu_de_formation_code_postal", "6000", "lieu_code_postal", "06000"],
  ["code_commune_insee_apprenant", "2b033", "code_commune_insee", "2B033"],
  ["code_commune_insee_de_naissance_apprenant", 1004, "code_commune_insee_naissance", "01004"],
  ["formation_rncp", "35316", "formation_rncp", "RNCP35316"],
  ["formation_rncp", "rncp 35316", "formation_rncp", "RNCP35316"],
  ["formation_cfd", "32x2210a", "formation_cfd", "32X2210A"],
  ["sexe_apprenant", "H", "sexe", "M"],
  ["sexe_apprenant", 1, "sexe", "M"],
  ["sexe_apprenant", "2", "sexe", "F"],
  ["sexe_apprenant", "f", "sexe", "F"],
  ["tel_apprenant", "06.12.34.56.78", "telephone", "0612345678"],
  ["tel_apprenant", 612345678, "telephone", "0612345678"],
  ["tel_apprenant", "+33 6 12 34 56 78", "telephone", "+33612345678"],
  ["tel_apprenant", "0033 6 12 34 56 78", "telephone", "+33612345678"],
  ["tel_apprenant", "612345678", "telephone", "0612345678"],
  ["ine_apprenant", "1234567890a", "ine", "1234567890A"],
  ["rqth_apprenant", "non", "rqth", false],
  ["rqth_apprenant", 1, "rqth", true],
  ["formation_presentielle", "false", "formation_presentielle", false],
  ["obtention_diplome_formation", true, "obtention_diplome", true],
  ["statut_apprenant", "2", "statut_apprenant", 2],
  ["annee_formation", "0", "annee_formation", 0],
  ["duree_theorique_formation", "3", "duree_theorique_mois", 36],
  ["duree_theorique_formation_mois", 18, "duree_theorique_mois", 18],
  ["type_cfa", "3", "type_cfa", "03"],
  ["derniere_situation", 2001, "derniere_situation", "2001"],
  ["dernier_organisme_uai", "0751234j", "dernier_organisme_uai", "0751234J"],
  ["dernier_organisme_uai", "2a", "dernier_organisme_uai", "2A"],
  ["id_erp_apprenant", 123456, "id_erp_apprenant", "123456"],
  ["custom_statut_apprenant", 7, "custom_statut_apprenant", "7"],
  ["email_contact", " a.b@exemple.fr ", "email", "a.b@exemple.fr"],
  ["responsable_apprenant_mail1", "p1@exemple.fr", "responsable_mail1", "p1@exemple.fr"],
  ["nom_referent_handicap_formation", "Martin", "referent_handicap_nom", "Martin"],
  ["email_referent_handicap_formation", "rh@exemple.fr", "referent_handicap_email", "rh@exemple.fr"],
  ["adresse_apprenant", " 12 rue des Lilas ", "adresse", "12 rue des Lilas"],
  ["nir_apprenant", "1 06 03 75 112 042", "nir_fourni", true],
  ["nir_apprenant", 1060375112042, "nir_fourni", true],
  ["nir_apprenant", "", "nir_fourni", false],
];

describe("every normalisation, as stored", () => {
  it("stores each field normalised", async () => {
    const items = NORMALISED.map(([field, value], i) => {
      const overrides: Record<string, unknown> = { [field]: value };
      if (field !== "id_erp_apprenant") overrides.id_erp_apprenant = `N${i}`;
      if (field === "annee_scolaire") overrides.id_erp_apprenant = `N${i}`;
      return dossier(cfa, cfa, overrides);
    });
    // the siret of the formateur and responsable as a number, with spaces, lowercase UAI: still resolved
    items.push(
      dossier(cfa, cfa, {
        id_erp_apprenant: "org",
        etablissement_formateur_siret: Number(cfa.siret),
        etablissement_formateur_uai: cfa.uai.toLowerCase(),
        etablissement_responsable_siret: cfa.siret.replace(/(\d{3})/g, "$1 "),
        etablissement_responsable_uai: ` ${cfa.uai} `,
      }),
    );
    const res = await post(app.baseUrl, key, items);
    expect(res.body.data.filter((d: any) => d.status !== "ok")).toEqual([]);
    const rows = await t.database.rows<{ j: Record<string, unknown> }>(sql`select to_jsonb(e) j from effectifs e`);
    const byId = new Map(rows.map((r) => [r.j.id_erp_apprenant as string, r.j]));
    NORMALISED.forEach(([field, value, column, expected], i) => {
      const id = field === "id_erp_apprenant" ? String(value) : `N${i}`;
      const row = byId.get(id);
      expect(row, `${field} ${JSON.stringify(value)}`).toBeDefined();
      expect(row![column], `${field} ${JSON.stringify(value)} → ${column}`).toEqual(expected);
    });
    expect(byId.get("org")).toMatchObject({ organisme_formateur_id: cfa.id, organisme_responsable_id: cfa.id });
    // the NIR itself is stored nowhere
    const dump = await t.database.rows<{ j: string }>(
      sql`select (select coalesce(jsonb_agg(to_jsonb(e)), '[]')::text from effectifs e) ||
                 (select coalesce(jsonb_agg(to_jsonb(x)), '[]')::text from transmissions x) j`,
    );
    expect(dump[0].j).not.toContain("1060375112042");
    expect(dump[0].j).not.toContain("112 042");
  });

  it("a refused dossier whose name is, or holds, a NIR: its errors are kept without that name", async () => {
    const items = [
      dossier(cfa, cfa, { id_erp_apprenant: "nir-nom", nom_apprenant: "1 06 03 75 112 042 15" }),
      dossier(cfa, cfa, { id_erp_apprenant: "nir-prenom", prenom_apprenant: "2060375112042" }),
      dossier(cfa, cfa, { id_erp_apprenant: "nir-dans-le-nom", nom_apprenant: "Durand 2 07 05 69 123 456 78", date_de_naissance_apprenant: "pas une date" }),
      dossier(cfa, cfa, { id_erp_apprenant: "nom-garde", nom_apprenant: "Durand", date_de_naissance_apprenant: "pas une date" }),
    ];
    const res = await post(app.baseUrl, key, items);
    expect(res.body.data.map((d: any) => d.status)).toEqual(["error", "error", "error", "error"]);
    const [tr] = await t.database.rows<{ errors: { id_erp_apprenant: string; nom: string | null; prenom: string | null }[] }>(
      sql`select errors from transmissions order by id desc limit 1`,
    );
    const byId = new Map(tr.errors.map((e) => [e.id_erp_apprenant, e]));
    expect(byId.get("nir-nom")!.nom).toBeNull();
    expect(byId.get("nir-prenom")!.prenom).toBeNull();
    expect(byId.get("nir-dans-le-nom")!.nom).toBeNull();
    expect(byId.get("nom-garde")!.nom).toBe("Durand");
    expect(JSON.stringify(tr.errors)).not.toMatch(/112 042|2060375112042|123 456 78/);
  });

  it("contract fields of the four ranks are stored, SIRET employeur normalised", async () => {
    const item = dossier(cfa, cfa, {
      id_erp_apprenant: "contrats",
      siret_employeur: "782 988 325 00018",
      contrat_date_debut_2: "2025-01-01",
      contrat_date_fin_2: "2025-06-30T00:00:00Z",
      siret_employeur_2: 78298832500018,
      contrat_date_debut_3: "2025-07-01",
      contrat_date_rupture_3: "2025-08-01",
      cause_rupture_contrat_3: "  résiliation  ",
      contrat_date_debut_4: "2025-09-01",
    });
    const res = await post(app.baseUrl, key, [item]);
    expect(res.body.nb_ok).toBe(1);
    const rows = await t.database.rows(sql`
      select c.rang, c.siret_employeur, c.date_debut::text d, c.date_fin::text f, c.date_rupture::text r, c.cause_rupture
      from contrats c join effectifs e on e.id = c.effectif_id where e.id_erp_apprenant = 'contrats' order by rang`);
    expect(rows).toEqual([
      { rang: 1, siret_employeur: "78298832500018", d: "2024-09-02", f: "2026-08-31", r: null, cause_rupture: null },
      { rang: 2, siret_employeur: "78298832500018", d: "2025-01-01", f: "2025-06-30", r: null, cause_rupture: null },
      { rang: 3, siret_employeur: null, d: "2025-07-01", f: null, r: "2025-08-01", cause_rupture: "résiliation" },
      { rang: 4, siret_employeur: null, d: "2025-09-01", f: null, r: null, cause_rupture: null },
    ]);
  });
});
