/**
 * Référentiel imports: what several lines of one file mean together, and what a guess must not overwrite.
 * - organismes: a line without UAI and a line with a UAI for the same SIRET (the UAI line completes the organisme
 *   without UAI), lines designating the same organisme (applied in file order, the summary says which line won),
 *   idempotent on every re-import (no value alternating from one run to the next);
 * - LPOF / code postal: a territory guessed from the postal code never replaces a more precise known commune;
 * - catalogue: a line with only an RNCP code completes the formation (with a CFD) that carries it, no duplicate;
 * - bassins: INSEE title rows above a CSV header, skipped lines create no bassin;
 * - the summary names the format actually read (XLSX).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { importOrganismes } from "../../app/referentiel/import-organismes.server";
import { importFormations } from "../../app/referentiel/import-formations.server";
import { importBassins } from "../../app/referentiel/import-bassins.server";
import { ImportFileError } from "../../app/referentiel/import-common.server";
import { luhnCompletion, uaiCheckLetter } from "../../app/referentiel/codes";
import { formations, organismes } from "../../db/schema";
import { listAnomalies } from "../../app/referentiel/anomalies.server";
import type { Viewer } from "../../app/auth/policy.server";
import { writeXlsx } from "../../app/shared/xlsx.server";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const utf8 = (s: string) => Buffer.from(s, "utf8");
const siret = (p13: string) => p13 + luhnCompletion(p13);
const uai = (d7: string) => d7 + uaiCheckLetter(d7);

async function orgsOf(s: string) {
  return t.database.rows<{ uai: string | null; raison_sociale: string; enseigne: string | null; code_commune: string | null; departement_code: string | null; bassin_emploi_code: string | null }>(
    sql`select uai, raison_sociale, enseigne, code_commune, departement_code, bassin_emploi_code from organismes where siret = ${s} order by uai nulls first`,
  );
}

describe("organismes: lines of one file that designate the same organisme", () => {
  const EPSILON = siret("1300000100005");
  const UAI_EPSILON = uai("0694444");
  const o8 = [
    "siret;uai;nature;raison_sociale;code_commune_insee",
    `${EPSILON};;responsable;CFA Epsilon (siège);69123`,
    `${EPSILON};${UAI_EPSILON};responsable;CFA Epsilon;69381`,
  ].join("\n");

  it("the UAI line completes the organisme the line without UAI creates; re-imports change nothing", async () => {
    const first = await importOrganismes(t.database, utf8(o8));
    expect(first).toMatchObject({ created: 1, updated: 0, unchanged: 0 });
    expect(await orgsOf(EPSILON)).toEqual([
      { uai: UAI_EPSILON, raison_sociale: "CFA Epsilon", enseigne: null, code_commune: "69381", departement_code: "69", bassin_emploi_code: null },
    ]);
    // the summary says which line won, naming both
    expect(first.warnings).toContainEqual({
      line: 3,
      message: `désigne le même organisme (SIRET ${EPSILON}, UAI ${UAI_EPSILON}) que la ligne 2 : la ligne 3 l'emporte (raison sociale, commune)`,
    });
    for (let run = 0; run < 3; run++) {
      const again = await importOrganismes(t.database, utf8(o8));
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
      expect((await orgsOf(EPSILON))[0]).toMatchObject({ raison_sociale: "CFA Epsilon", code_commune: "69381" });
    }
  });

  it("with an organisme without UAI and one with the UAI already stored, values no longer alternate", async () => {
    const ZETA = siret("1300000100013");
    const UAI_ZETA = uai("0694445");
    // the state the previous importer left: two organismes for one SIRET
    await t.database.db.insert(organismes).values([
      { siret: ZETA, uai: null, nature: "responsable", raisonSociale: "CFA Zeta (siège)", codeCommune: "69123", departementCode: "69", regionCode: "84", academieCode: "10" },
      { siret: ZETA, uai: UAI_ZETA, nature: "responsable", raisonSociale: "CFA Zeta (siège)", codeCommune: "69123", departementCode: "69", regionCode: "84", academieCode: "10" },
    ]);
    const file = o8.replaceAll(EPSILON, ZETA).replaceAll(UAI_EPSILON, UAI_ZETA).replaceAll("Epsilon", "Zeta");
    const first = await importOrganismes(t.database, utf8(file));
    expect(first).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    const expected = [
      { uai: null, raison_sociale: "CFA Zeta (siège)", code_commune: "69123" },
      { uai: UAI_ZETA, raison_sociale: "CFA Zeta", code_commune: "69381" },
    ];
    expect((await orgsOf(ZETA)).map(({ uai, raison_sociale, code_commune }) => ({ uai, raison_sociale, code_commune }))).toEqual(expected);
    for (let run = 0; run < 3; run++) {
      const again = await importOrganismes(t.database, utf8(file));
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
      expect((await orgsOf(ZETA)).map(({ uai, raison_sociale, code_commune }) => ({ uai, raison_sociale, code_commune }))).toEqual(expected);
    }
  });

  it("a line without UAI after the UAI line wins for every organisme of its SIRET, deterministically", async () => {
    const ETA = siret("1300000100021");
    const UAI_ETA = uai("0694446");
    const file = [
      "siret;uai;raison_sociale;code_commune_insee",
      `${ETA};${UAI_ETA};CFA Eta;69381`,
      `${ETA};;CFA Eta (siège);69123`,
    ].join("\n");
    const first = await importOrganismes(t.database, utf8(file));
    expect(first).toMatchObject({ created: 1, updated: 0 });
    expect(first.warnings).toContainEqual({
      line: 3,
      message: `désigne le même organisme (SIRET ${ETA}, UAI ${UAI_ETA}) que la ligne 2 : la ligne 3 l'emporte (raison sociale, commune)`,
    });
    expect(await orgsOf(ETA)).toMatchObject([{ uai: UAI_ETA, raison_sociale: "CFA Eta (siège)", code_commune: "69123" }]);
    expect(await importOrganismes(t.database, utf8(file))).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
  });

  it("a line without UAI applies to the organismes its SIRET gets later in the file: the second import changes nothing", async () => {
    const THETA = siret("1300000100039");
    const file = [
      "siret;uai;raison_sociale;enseigne",
      `${THETA};;CFA Theta;Theta`,
      `${THETA};${uai("0694447")};CFA Theta Lyon;`,
      `${THETA};${uai("0694448")};CFA Theta Villeurbanne;`,
    ].join("\n");
    expect(await importOrganismes(t.database, utf8(file))).toMatchObject({ created: 2 });
    expect((await orgsOf(THETA)).map((o) => [o.raison_sociale, o.enseigne])).toEqual([
      ["CFA Theta Lyon", "Theta"],
      ["CFA Theta Villeurbanne", "Theta"],
    ]);
    expect(await importOrganismes(t.database, utf8(file))).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it("the same pair twice: the last line wins, named in the summary, and a re-import is unchanged", async () => {
    const IOTA = siret("1300000100047");
    const file = ["siret;uai;raison_sociale;enseigne", `${IOTA};;CFA Iota;Iota`, `${IOTA};;CFA Iota bis;`].join("\n");
    const first = await importOrganismes(t.database, utf8(file));
    expect(first.created).toBe(1);
    expect(first.warnings).toContainEqual({ line: 3, message: `même SIRET ${IOTA} qu'à la ligne 2 : la dernière l'emporte (raison sociale)` });
    expect(await orgsOf(IOTA)).toMatchObject([{ raison_sociale: "CFA Iota bis", enseigne: "Iota" }]);
    expect(await importOrganismes(t.database, utf8(file))).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
  });

  it("an XLSX file is labelled as XLSX in the summary", async () => {
    const xlsx = writeXlsx([{ name: "Organismes", rows: [["siret", "raison_sociale"], [siret("1300000100054"), "CFA Kappa"]] }]);
    const summary = await importOrganismes(t.database, xlsx, { fileName: "organismes.xlsx" });
    expect(summary.created).toBe(1);
    expect(summary.format).toBe("organismes (XLSX documenté, feuille « Organismes »)");
    expect((await importOrganismes(t.database, utf8(`siret;raison_sociale\n${siret("1300000100054")};CFA Kappa\n`))).format).toBe("organismes (CSV documenté)");
    const catalogue = writeXlsx([{ name: "Catalogue", rows: [["cfd", "intitule"], ["50099977", "CAP XLSX"]] }]);
    expect((await importFormations(t.database, catalogue)).format).toBe("catalogue des formations (XLSX, feuille « Catalogue »)");
  });
});

describe("a territory guessed from the postal code never replaces a more precise known commune", () => {
  const LAMBDA = siret("1300000100062");
  const MU = siret("1300000100070");
  const NU = siret("1300000100088");
  const lpofHeader =
    "numeroDeclarationActivite;denomination;siren;siretEtablissementDeclarant;adressePhysiqueOrganismeFormation.voie;adressePhysiqueOrganismeFormation.codePostal;adressePhysiqueOrganismeFormation.ville;adressePhysiqueOrganismeFormation.codeRegion;certifications.actionsDeFormationParApprentissage";

  it("keeps the arrondissement the postal code covers, takes the guess when the postal code contradicts it", async () => {
    await importOrganismes(
      t.database,
      utf8(["siret;uai;raison_sociale;code_commune_insee", `${LAMBDA};;CFA Lambda;69381`, `${MU};;CFA Mu;69381`, `${NU};;CFA Nu;69381`].join("\n")),
    );
    const lpof = [
      lpofHeader,
      // Lyon 1er: 69001 covers Lyon (69123) and its 1st arrondissement (69381): 69381 is kept
      `84690000001;CFA LAMBDA (LPOF);${LAMBDA.slice(0, 9)};${LAMBDA};1 RUE X;69001;LYON;84;true`,
      // moved to Lyon 2e: the postal code contradicts 69381, the guess (Lyon) is taken
      `84690000002;CFA MU (LPOF);${MU.slice(0, 9)};${MU};1 RUE Y;69002;LYON;84;true`,
    ].join("\n");
    const summary = await importOrganismes(t.database, utf8(lpof));
    expect(summary).toMatchObject({ created: 0, updated: 2 });
    expect(await orgsOf(LAMBDA)).toMatchObject([{ raison_sociale: "CFA LAMBDA (LPOF)", code_commune: "69381", departement_code: "69" }]);
    expect(await orgsOf(MU)).toMatchObject([{ raison_sociale: "CFA MU (LPOF)", code_commune: "69123", departement_code: "69" }]);
    expect(await importOrganismes(t.database, utf8(lpof))).toMatchObject({ created: 0, updated: 0, unchanged: 2 });

    // the documented CSV without code commune: the same rule; only a département guessed (CEDEX) keeps the commune too
    const csv = ["siret;raison_sociale;code_postal;commune", `${LAMBDA};CFA LAMBDA (LPOF);69001;Lyon`, `${NU};CFA Nu;69998;Lyon Cedex`].join("\n");
    expect(await importOrganismes(t.database, utf8(csv))).toMatchObject({ updated: 1, unchanged: 1 }); // NU's postal code is new
    expect((await orgsOf(LAMBDA))[0].code_commune).toBe("69381");
    expect((await orgsOf(NU))[0]).toMatchObject({ code_commune: "69381", departement_code: "69" });

    // an explicit code commune is not a guess: it is taken
    await importOrganismes(t.database, utf8(`siret;raison_sociale;code_commune_insee\n${LAMBDA};CFA LAMBDA (LPOF);69123\n`));
    expect((await orgsOf(LAMBDA))[0].code_commune).toBe("69123");
  });
});

describe("catalogue: a line with only an RNCP code", () => {
  const formationsOf = (rncp: string) =>
    t.database.rows<{ cfd: string | null; intitule_long: string; duree_annees: number | null }>(
      sql`select cfd, intitule_long, duree_annees from formations where rncp = ${rncp} order by id`,
    );

  it("completes the formation (with a CFD) of the same file that carries it: one formation, both offers on it", async () => {
    const FORMATEUR = siret("1300000100096");
    const AUTRE = siret("1300000100104");
    await importOrganismes(t.database, utf8(`siret;uai;raison_sociale\n${FORMATEUR};${uai("0691239")};CFA Boulangerie\n${AUTRE};;Antenne Boulangerie\n`));
    const f1 = [
      "cfd;rncp;niveau;intitule;duree;date_ouverture;date_fermeture;siret_formateur;uai_formateur;code_commune_lieu",
      `50022141;RNCP37861;3;CAP Boulanger;2;01/09/2021;;${FORMATEUR};${uai("0691239")};69381`,
      `;RNCP37861;;;;;;${AUTRE};;69382`,
    ].join("\n");
    const summary = await importFormations(t.database, utf8(f1));
    expect(summary.rejected).toEqual([]);
    expect(summary.created).toBe(1);
    expect(summary.details["lignes sans CFD rattachées par leur code RNCP à une formation qui a un CFD"]).toBe(1);
    expect(await formationsOf("RNCP37861")).toEqual([{ cfd: "50022141", intitule_long: "CAP Boulanger", duree_annees: 2 }]);
    const offres = await t.database.rows<{ cfd: string; lieu: string }>(sql`
      select f.cfd, o.code_commune_lieu lieu from offres_formation o join formations f on f.id = o.formation_id where f.rncp = 'RNCP37861' order by 2`);
    expect(offres).toEqual([
      { cfd: "50022141", lieu: "69381" },
      { cfd: "50022141", lieu: "69382" },
    ]);
    expect(await importFormations(t.database, utf8(f1))).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
  });

  it("completes the stored formation with a CFD that carries it, in a later file", async () => {
    await importFormations(t.database, utf8("cfd;rncp;niveau;intitule\n40099955;RNCP38001;4;BAC PRO TEST\n"));
    const later = await importFormations(t.database, utf8("rncp;intitule;duree\nRNCP38001;;3\n"));
    expect(later).toMatchObject({ created: 0, updated: 1 });
    expect(await formationsOf("RNCP38001")).toEqual([{ cfd: "40099955", intitule_long: "BAC PRO TEST", duree_annees: 3 }]);
    expect(await importFormations(t.database, utf8("rncp;intitule;duree\nRNCP38001;;3\n"))).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
  });

  it("left by the previous importer beside a formation with a CFD: the line updates the one without CFD and says so", async () => {
    await t.database.db.insert(formations).values([
      { cfd: "40099958", rncp: "RNCP38003", intituleLong: "BAC PRO AVEC CFD" },
      { cfd: null, rncp: "RNCP38003", intituleLong: "BAC PRO SANS CFD" },
    ]);
    const summary = await importFormations(t.database, utf8("rncp;intitule;duree\nRNCP38003;;2\n"));
    expect(summary).toMatchObject({ created: 0, updated: 1 });
    expect(summary.warnings).toEqual([
      { line: 2, column: "rncp", message: "code RNCP RNCP38003 porté par une formation sans CFD et par la formation de CFD 40099958 : la formation sans CFD est mise à jour (doublon à résorber)" },
    ]);
    expect(await formationsOf("RNCP38003")).toEqual([
      { cfd: "40099958", intitule_long: "BAC PRO AVEC CFD", duree_annees: null },
      { cfd: null, intitule_long: "BAC PRO SANS CFD", duree_annees: 2 },
    ]);
  });

  it("is rejected, naming the formations, when several formations with a CFD carry it", async () => {
    await importFormations(t.database, utf8("cfd;rncp;intitule\n40099956;RNCP38002;BAC PRO A\n40099957;RNCP38002;BAC PRO B\n"));
    const summary = await importFormations(t.database, utf8("rncp;intitule\nRNCP38002;Titre par RNCP\n"));
    expect(summary.created).toBe(0);
    expect(summary.rejected).toEqual([
      { line: 2, column: "rncp", message: "code RNCP RNCP38002 porté par plusieurs formations (CFD 40099956, 40099957) : indiquez le CFD" },
    ]);
    expect((await formationsOf("RNCP38002")).map((f) => f.cfd)).toEqual(["40099956", "40099957"]);
  });
});

describe("bassins: INSEE title rows above a CSV header, skipped lines", () => {
  const b1 = "Zones d emploi 2020\n\nCODGEO;LIBGEO;ZE2020;LIBZE2020\n69123;Lyon;8426;Lyon\n69266;Villeurbanne;8426;Lyon\n1001;L Abergement;8405;Bourg-en-Bresse\n99999;Nowhere;1;X\n20001;Bad;2A01;Ajaccio\n";

  it("skips the title rows as for XLSX, with the file's line numbers, and a skipped line creates no bassin", async () => {
    const summary = await importBassins(t.database, utf8(b1), { fileName: "b1.csv" });
    expect(summary.lines).toBe(5);
    expect(summary.delimiter).toBe(";");
    expect(summary.skipped).toBe(2);
    expect(summary.created).toBe(3);
    expect(summary.warnings).toEqual([
      { line: 7, column: "CODGEO", message: "commune 99999 absente du référentiel des communes : ignorée" },
      { line: 8, column: "CODGEO", message: "commune 20001 absente du référentiel des communes : ignorée" },
    ]);
    expect(summary.details["bassins d'emploi créés"]).toBe(2);
    const bassins = await t.database.rows<{ code: string }>(sql`select code from bassins_emploi order by code`);
    expect(bassins.map((b) => b.code)).toEqual(["8405", "8426"]);
    expect(await importBassins(t.database, utf8(b1))).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });

  it("a skipped line creates no bassin in an XLSX either", async () => {
    const xlsx = writeXlsx([{ name: "ZE", rows: [["Titre"], [], ["CODGEO", "LIBGEO", "ZE2020", "LIBZE2020"], ["99999", "Nowhere", "9999", "Nulle part"]] }], { header: false });
    const summary = await importBassins(t.database, xlsx);
    expect(summary.skipped).toBe(1);
    expect(summary.details["bassins d'emploi créés"]).toBe(0);
    expect(await t.database.rows(sql`select 1 from bassins_emploi where code = '9999'`)).toEqual([]);
  });

  it("a CSV without the header anywhere is still refused, naming the first line read", async () => {
    await expect(importBassins(t.database, utf8("Zones d emploi 2020\ncode;zone\n1;2\n"))).rejects.toThrow(ImportFileError);
    await expect(importBassins(t.database, utf8("Zones d emploi 2020\ncode;zone\n1;2\n"))).rejects.toThrow(/En-tête lu : « Zones d emploi 2020 »/);
  });
});

describe("an import's report: a rejected line's remarks, extra cells, values as the file wrote them", () => {
  it("lists a rejected line's remarks with its rejection, never among the warnings of what was imported", async () => {
    const REJETE = siret("1300000700001");
    const IMPORTE = siret("1300000700002");
    const mauvaiseCle = `0697777${uaiCheckLetter("0697777") === "A" ? "B" : "A"}`;
    const csv = [
      "siret;uai;nature;raison_sociale;code_commune_insee",
      `${REJETE};${mauvaiseCle};apprenti;CFA Rejeté;69999`,
      `${IMPORTE};;formateur;CFA Importé;69999`,
    ].join("\n");
    const summary = await importOrganismes(t.database, utf8(csv));
    expect(summary.created).toBe(1);
    expect(summary.rejected).toEqual([
      { line: 2, column: "nature", message: "nature inconnue (« apprenti ») : valeurs acceptées responsable, formateur, responsable_formateur, lieu, inconnue" },
      { line: 2, column: "uai", message: `à vérifier aussi : UAI ${mauvaiseCle} : la lettre de contrôle est fausse` },
      { line: 2, column: "code_commune_insee", message: "à vérifier aussi : code commune 69999 absent du référentiel des communes : ignoré, seul le département 69 est déduit" },
    ]);
    expect(summary.warnings).toEqual([
      { line: 3, column: "code_commune_insee", message: "code commune 69999 absent du référentiel des communes : ignoré, seul le département 69 est déduit" },
    ]);

    // formations: the BCN table and the catalogue alike
    const bcn = ["FORMATION_DIPLOME;LIBELLE_LONG_200;DATE_OUVERTURE;DATE_FERMETURE", "ABC;Code faux;01/09/2022;01/09/2020"].join("\n");
    const b = await importFormations(t.database, utf8(bcn));
    expect(b.warnings).toEqual([]);
    expect(b.rejected).toEqual([
      { line: 2, column: "FORMATION_DIPLOME", message: "CFD invalide (« ABC ») : 8 chiffres ou lettres majuscules attendus" },
      { line: 2, column: "DATE_FERMETURE", message: "à vérifier aussi : date de fermeture antérieure à la date d'ouverture" },
    ]);
    const catalogue = await importFormations(t.database, utf8("cfd;niveau;intitule;uai_formateur\n50099971;9;Niveau faux;XYZ\n"));
    expect(catalogue.warnings).toEqual([]);
    expect(catalogue.rejected).toEqual([
      { line: 2, column: "niveau", message: "niveau invalide (« 9 ») : un niveau européen de 3 à 8 est attendu" },
      { line: 2, column: "uai_formateur", message: "à vérifier aussi : UAI invalide (« XYZ ») : ignoré" },
    ]);
  });

  it("warns of a line with more cells than the header has columns (the extra cells are ignored)", async () => {
    const S = siret("1300000700003");
    const T = siret("1300000700004");
    const csv = ["siret;raison_sociale;enseigne", `${S};CFA du Rhône; Lyon;CFA RL`, `${T};CFA Vide;;`, ""].join("\n");
    const summary = await importOrganismes(t.database, utf8(csv));
    expect(summary.created).toBe(2);
    expect(summary.warnings).toEqual([
      {
        line: 2,
        message: "4 cellules pour 3 colonnes : la cellule en trop est ignorée (une valeur qui contient le séparateur « ; » doit être entre guillemets)",
      },
    ]);
    const bassins = await importBassins(t.database, utf8("CODGEO;ZE2020;LIBZE2020\n69123;8426;Lyon;x;y\n"));
    expect(bassins.warnings).toContainEqual({
      line: 2,
      message: "5 cellules pour 3 colonnes : les 2 cellules en trop sont ignorées (une valeur qui contient le séparateur « ; » doit être entre guillemets)",
    });
  });

  it("JSON: a SIRET written as a number is reported as written, not padded", async () => {
    const R = siret("1300000700005");
    const summary = await importOrganismes(t.database, utf8(JSON.stringify([{ siret: 1, raison_sociale: "Nombre" }, { siret: R, raison_sociale: "CFA", siret_responsable: 43 }])));
    expect(summary.lineUnit).toBe("élément");
    expect(summary.rejected).toEqual([
      { line: 1, column: "siret", message: "SIRET invalide (« 1 ») : 14 chiffres attendus" },
      { line: 2, column: "siret_responsable", message: "SIRET invalide (« 43 ») : 14 chiffres attendus" },
    ]);
    // a SIRET whose leading zero a number lost is still read, and the summary says how
    const zero = siret("0130000070000");
    const lu = await importOrganismes(t.database, utf8(`[{"siret": ${Number(zero)}, "raison_sociale": "CFA Zéro"}]`));
    expect(lu).toMatchObject({ created: 1, rejected: [] });
    expect(lu.warnings).toEqual([
      { line: 1, column: "siret", message: `SIRET écrit comme un nombre (« ${Number(zero)} ») : lu ${zero}, zéros de tête rétablis (écrivez-le entre guillemets)` },
    ]);
    expect(await orgsOf(zero)).toHaveLength(1);
  });
});

describe("controls of the référentiel imports (QA review)", () => {
  const admin: Viewer = { userId: 1, organisationType: "ADMINISTRATEUR", scope: { kind: "national" } };
  const CP = "91000006000012";
  const INCONNU = siret("1300000800001");
  const CORSE = siret("1300000800002");
  const AVEC_CP = siret("1300000800003");
  const header = "siret;uai;nature;raison_sociale;enseigne;adresse;code_postal;commune;code_commune_insee;reseaux;qualiopi;etat_administratif;siret_responsable;uai_responsable";

  it("a postal code of another département than its commune's: imported, said on the line and in the anomalies", async () => {
    const summary = await importOrganismes(t.database, utf8(`${header}\n${CP};;lieu;QA CP incoherent;;;13001;Marseille;69383;;;;;\n`));
    expect(summary).toMatchObject({ created: 1, rejected: [] });
    expect(summary.warnings).toEqual([
      {
        line: 2,
        column: "code_postal",
        message:
          "code postal 13001 (département 13) et code commune INSEE 69383 (Lyon 3e Arrondissement, département 69) se contredisent : " +
          "l'organisme compte dans le département 69, celui de la commune ; corrigez l'un ou l'autre (importé, signalé dans les anomalies)",
      },
    ]);
    expect(await orgsOf(CP)).toMatchObject([{ code_commune: "69383", departement_code: "69" }]);
    const page = await listAnomalies(t.database, admin, { type: "code_postal_incoherent", page: 1, limit: 50 });
    expect(page.data.map((o) => [o.siret, o.anomalies])).toEqual([
      [
        CP,
        [
          {
            type: "code_postal_incoherent",
            message: "Code postal 13001 (département 13) et commune 69383 (département 69) : l'un des deux est faux ; l'organisme compte dans le département 69",
          },
        ],
      ],
    ]);
    expect(page.counts.code_postal_incoherent).toBe(1);
    // a postal code its commune lists, a CEDEX of its département, Corsica, Monaco: nothing said
    const sains = [
      `${siret("1300000800010")};;lieu;Lyon 3e;;;69003;;69383;;;;;`,
      `${siret("1300000800011")};;lieu;Lyon CEDEX;;;69441;;69383;;;;;`,
      `${siret("1300000800012")};;lieu;Ajaccio;;;20090;;2A004;;;;;`,
      `${siret("1300000800013")};;lieu;Claret;;;05110;;04058;;;;;`,
      `${siret("1300000800014")};;lieu;Monaco;;;98000;;06088;;;;;`,
    ];
    const ok = await importOrganismes(t.database, utf8([header, ...sains].join("\n")));
    expect(ok).toMatchObject({ created: 5, rejected: [], warnings: [] });
    expect((await listAnomalies(t.database, admin, { type: "code_postal_incoherent", page: 1, limit: 50 })).counts.code_postal_incoherent).toBe(1);
  });

  it("an unknown commune code is not stored (decision 036): the territory comes from the postal code, the rest of the line is imported", async () => {
    const csv = [
      header,
      `${INCONNU};;lieu;QA commune inconnue;;;;;99999;;;;;`,
      `${CORSE};;lieu;QA ancien code corse;;;;;20004;;;;;`,
      `${AVEC_CP};;lieu;QA commune inconnue avec CP;;;69003;;99999;;;;;`,
    ].join("\n");
    const summary = await importOrganismes(t.database, utf8(csv));
    expect(summary).toMatchObject({ created: 3, rejected: [] });
    expect(summary.warnings).toEqual([
      { line: 2, column: "code_commune_insee", message: "code commune 99999 absent du référentiel des communes : ignoré, aucun territoire déduit (ni département, ni région, ni académie)" },
      {
        line: 3,
        column: "code_commune_insee",
        message:
          "code commune 20004 absent du référentiel des communes : ignoré, aucun territoire déduit (ni département, ni région, ni académie) ; " +
          "les codes des communes de Corse commencent par 2A ou 2B : 2A004 (Ajaccio) ?",
      },
      { line: 4, column: "code_commune_insee", message: "code commune 99999 absent du référentiel des communes : ignoré, territoire cherché d'après le code postal 69003" },
    ]);
    expect(await orgsOf(INCONNU)).toMatchObject([{ code_commune: null, departement_code: null }]);
    expect(await orgsOf(CORSE)).toMatchObject([{ code_commune: null, departement_code: null }]);
    expect(await orgsOf(AVEC_CP)).toMatchObject([{ code_commune: "69123", departement_code: "69" }]);
    // a commune already known is kept: an unknown code erases nothing
    await importOrganismes(t.database, utf8(`siret;raison_sociale;code_commune_insee\n${INCONNU};QA commune inconnue;69381\n`));
    const again = await importOrganismes(t.database, utf8(`siret;raison_sociale;code_commune_insee\n${INCONNU};QA commune inconnue;99999\n`));
    expect(again).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await orgsOf(INCONNU)).toMatchObject([{ code_commune: "69381", departement_code: "69" }]);
    // nor does an unknown code that gives its département: the known commune of that département is more precise
    const memeDepartement = await importOrganismes(t.database, utf8(`siret;raison_sociale;code_commune_insee\n${INCONNU};QA commune inconnue;69999\n`));
    expect(memeDepartement).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await orgsOf(INCONNU)).toMatchObject([{ code_commune: "69381", departement_code: "69" }]);
    // an unknown code of another département moves the organisme there, without a commune
    const autreDepartement = await importOrganismes(t.database, utf8(`siret;raison_sociale;code_commune_insee\n${INCONNU};QA commune inconnue;38999\n`));
    expect(autreDepartement).toMatchObject({ updated: 1 });
    expect(await orgsOf(INCONNU)).toMatchObject([{ code_commune: null, departement_code: "38" }]);
  });

  it("a SIRET of La Poste is refused by La Poste's rule, not by the Luhn key", async () => {
    const summary = await importOrganismes(t.database, utf8("siret;raison_sociale\n35600000010013;Bureau de poste\n35600000000010;Bureau valide\n"));
    expect(summary.created).toBe(1);
    expect(summary.rejected).toEqual([
      { line: 2, column: "siret", message: "SIRET invalide (« 35600000010013 ») : la somme des chiffres d'un SIRET de La Poste (SIREN 356000000) doit être un multiple de 5" },
    ]);
  });

  it("says a responsable not chosen among several, a responsable that is the organisme itself, a UAI of another SIRET, a line without UAI for several organismes", async () => {
    const RESP = siret("1300000800020");
    const [U1, U2] = [uai("0698801"), uai("0698802")];
    const FORM = siret("1300000800021");
    const SELF = siret("1300000800022");
    const U_SELF = uai("0698803");
    const AUTRE = siret("1300000800023");
    const csv = [
      header,
      `${RESP};${U1};responsable;QA Resp 1;;;;;;;;;;`,
      `${RESP};${U2};lieu;QA Resp 2;;;;;;;;;;`,
      `${FORM};;formateur;QA Formateur;;;;;;;;;${RESP};`,
      `${SELF};${U_SELF};responsable_formateur;QA Lui-même;;;;;;;;;${SELF};${U_SELF}`,
      `${AUTRE};${U1};formateur;QA UAI d'un autre SIRET;;;;;;;;;;`,
      `${RESP};;;QA Resp (siège);;;;;;;;;;`,
    ].join("\n");
    const summary = await importOrganismes(t.database, utf8(csv));
    expect(summary).toMatchObject({ created: 5, rejected: [] });
    expect(summary.details["relations formateur → responsable créées"]).toBe(0);
    // in file order, though the relations are checked after the organismes are written
    expect(summary.warnings).toEqual([
      {
        line: 4,
        column: "siret_responsable",
        message: `SIRET ${RESP} porté par 2 organismes (UAI ${U1}, UAI ${U2}) : relation non créée, précisez l'UAI du responsable (uai_responsable)`,
      },
      { line: 5, column: "siret_responsable", message: `le responsable désigné (SIRET ${SELF}, UAI ${U_SELF}) est l'organisme lui-même : relation non créée` },
      { line: 6, column: "uai", message: `UAI ${U1} déjà porté par le SIRET ${RESP} : vérifiez le SIRET ou l'UAI (importé, signalé dans les anomalies)` },
      { line: 7, message: `sans UAI : s'applique aux 2 organismes du SIRET ${RESP} (UAI ${U1}, UAI ${U2}) ; indiquez l'UAI pour n'en modifier qu'un` },
      { line: 7, message: `désigne le même organisme (SIRET ${RESP}, UAI ${U1}) que la ligne 2 : la ligne 7 l'emporte (raison sociale)` },
      { line: 7, message: `désigne le même organisme (SIRET ${RESP}, UAI ${U2}) que la ligne 3 : la ligne 7 l'emporte (raison sociale)` },
    ]);
    const [rel] = await t.database.rows<{ n: number }>(sql`
      select count(*)::int n from organisme_relations r join organismes f on f.id = r.formateur_id where f.siret in (${FORM}, ${SELF})`);
    expect(rel.n).toBe(0);
    // with the responsable's UAI, the relation is created
    const precise = await importOrganismes(t.database, utf8(`${header}\n${FORM};;formateur;QA Formateur;;;;;;;;;${RESP};${U1}\n`));
    expect(precise.details["relations formateur → responsable créées"]).toBe(1);
    expect(precise.warnings).toEqual([]);
  });

  it("a syntax error of a JSON file is said with its line and column, nothing written", async () => {
    const S = siret("1300000800030");
    const json = `[\n  {"siret": "${S}", "raison_sociale": "QA JSON"},\n]`;
    await expect(importOrganismes(t.database, utf8(json))).rejects.toThrow(
      new ImportFileError("Fichier illisible : JSON invalide : erreur de syntaxe ligne 3, colonne 1 : « ] » n'est pas attendu à cet endroit."),
    );
    expect(await orgsOf(S)).toEqual([]);
  });

  it("catalogue: an RNCP code another CFD carries is said with its consequence", async () => {
    await importFormations(t.database, utf8("cfd;rncp;niveau;intitule\n50034505;37640;3;CAP Cuisine\n"));
    const summary = await importFormations(t.database, utf8("cfd;rncp;niveau;intitule\n50099001;37640;3;CAP QA cuisine\n"));
    expect(summary).toMatchObject({ created: 1, rejected: [] });
    expect(summary.warnings).toEqual([
      {
        line: 2,
        column: "rncp",
        message:
          "code RNCP RNCP37640 déjà porté par la formation de CFD 50034505 : porté par plusieurs formations, il ne rattache plus au catalogue " +
          "les effectifs transmis avec ce seul code (sans CFD) ; vérifiez le code RNCP",
      },
    ]);
    // the same file again: the formation already carries it, nothing changes, nothing said
    expect((await importFormations(t.database, utf8("cfd;rncp;niveau;intitule\n50099001;37640;3;CAP QA cuisine\n"))).warnings).toEqual([]);
    // two CFDs of one file
    const deux = await importFormations(t.database, utf8("cfd;rncp;intitule\n50099002;RNCP37641;A\n50099003;RNCP37641;B\n"));
    expect(deux.warnings.map((w) => [w.line, w.message.split(" : ")[0]])).toEqual([
      [2, "code RNCP RNCP37641 déjà porté par la formation de CFD 50099003"],
      [3, "code RNCP RNCP37641 déjà porté par la formation de CFD 50099002"],
    ]);
  });

  it("catalogue: the rejections in file order; BCN: a level that cannot be deduced is said", async () => {
    const csv = [
      "cfd;rncp;niveau;intitule",
      "50099010;;3;Formation valide",
      "50099011;;3;",
      "50099012;;9;Niveau faux",
    ].join("\n");
    const summary = await importFormations(t.database, utf8(csv));
    expect(summary.rejected.map((r) => r.line)).toEqual([3, 4]);

    const bcn = [
      "FORMATION_DIPLOME;NIVEAU_FORMATION_DIPLOME;NIVEAU_QUALIFICATION_RNCP;LIBELLE_COURT;LIBELLE_LONG_200;DATE_OUVERTURE;DATE_FERMETURE;X;Y",
      "9A099005;;;;Formation QA code 9;01/09/2022;;;",
    ].join("\n");
    const b = await importFormations(t.database, utf8(bcn));
    expect(b).toMatchObject({ created: 1, rejected: [] });
    expect(b.warnings).toContainEqual({
      line: 2,
      column: "FORMATION_DIPLOME",
      message:
        "niveau non déduit : ni NIVEAU_QUALIFICATION_RNCP ni NIVEAU_FORMATION_DIPLOME, et le 1er caractère du CFD (« 9 ») n'est pas un ancien niveau de 1 à 5 ; " +
        "aucun niveau importé (un niveau déjà enregistré est gardé)",
    });
  });
});
