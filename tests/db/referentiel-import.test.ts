/**
 * Référentiel importers on files written here in their real formats: the documented organismes CSV / JSON, the
 * LPOF CSV, the BCN N_FORMATION_DIPLOME in Latin-1 with `;` and with `|`, a catalogue CSV, INSEE's zones d'emploi
 * as an XLSX built here (title rows above the header, numeric cells). Importing twice changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { importOrganismes } from "../../app/referentiel/import-organismes.server";
import { importFormations } from "../../app/referentiel/import-formations.server";
import { importBassins } from "../../app/referentiel/import-bassins.server";
import { formationConditions, listOffres } from "../../app/referentiel/catalogue.server";
import { ImportFileError, MAX_IMPORT_LINES, MAX_ISSUES_KEPT, type ImportProgress } from "../../app/referentiel/import-common.server";
import { summaryText } from "../../cli/import-referentiel";
import { startImport, waitForImport } from "../../app/referentiel/import-jobs.server";
import { writeXlsx } from "../../app/shared/xlsx.server";
import { luhnCompletion, uaiCheckLetter } from "../../app/referentiel/codes";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { indicateurs } from "../../app/indicateurs/indicateurs.server";
import type { IndicateursFilters } from "../../app/indicateurs/filters";
import { todayIso } from "../../app/statut/annee-scolaire";
import { NATIONAL } from "../../app/auth/policy.server";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const latin1 = (s: string) => Buffer.from(s, "latin1");
const utf8 = (s: string) => Buffer.from(s, "utf8");
/** A valid SIRET from 13 digits. */
const siret = (p13: string) => p13 + luhnCompletion(p13);
/** A valid UAI from 7 digits. */
const uai = (d7: string) => d7 + uaiCheckLetter(d7);

const RESP = siret("1300000000001");
const FORM = siret("1300000000002");
const LIEU = siret("1300000000003");
const OTHER = siret("1300000000004");
const BADKEY = siret("1300000000006");
const UAI_RESP = uai("0691234");
const UAI_FORM = uai("0691235");

async function orgs() {
  return t.database.rows<{ siret: string; uai: string | null; nature: string; raison_sociale: string; code_commune: string | null; departement_code: string | null; region_code: string | null; academie_code: string | null; qualiopi: boolean; reseaux: string[]; etat_administratif: string }>(
    sql`select siret, uai, nature, raison_sociale, code_commune, departement_code, region_code, academie_code, qualiopi, reseaux, etat_administratif from organismes order by siret, uai`,
  );
}

describe("import:organismes (documented CSV)", () => {
  const csv = [
    "siret;uai;nature;raison_sociale;enseigne;adresse;code_postal;code_commune_insee;reseaux;qualiopi;etat_administratif;siret_responsable",
    `${RESP};${UAI_RESP};responsable;CFA Lyon Métropole;CFA LM;1 rue de la Paix;69001;69381;CCI|CMA;oui;actif;`,
    `${FORM};${UAI_FORM};formateur;"Lycée ""Saint-Exupéry""";;"2 place Bellecour; bât. B";69002;69382;;non;actif;${RESP}`,
    `${LIEU};;lieu;Site de Villeurbanne;;;69100;69266;;;;`,
    `12345678901234;${uai("0690001")};formateur;SIRET faux;;;;;;;;`,
    `${OTHER};069001A;formateur;UAI mal formé;;;;;;;;`,
    `${BADKEY};0690001A;formateur;Clé UAI fausse;;;;;;;;`,
    `${OTHER};;apprenti;Nature inconnue;;;;;;peut-être;;`,
    "",
  ].join("\r\n");

  it("creates organismes with their territory, rejects bad lines naming line and column", async () => {
    const progress: ImportProgress[] = [];
    const summary = await importOrganismes(t.database, latin1(csv), { fileName: "organismes.csv", onProgress: (p) => progress.push(p) });
    expect(summary.format).toContain("CSV");
    expect(summary.encoding).toBe("windows-1252");
    expect(summary.lines).toBe(7);
    expect(summary.created).toBe(4);
    expect(summary.rejected).toEqual([
      { line: 5, column: "siret", message: "SIRET invalide (« 12345678901234 ») : la clé de contrôle (Luhn) est fausse" },
      { line: 6, column: "uai", message: "UAI invalide (« 069001A ») : 7 chiffres suivis d'une lettre attendus" },
      { line: 8, column: "nature", message: "nature inconnue (« apprenti ») : valeurs acceptées responsable, formateur, responsable_formateur, lieu, inconnue" },
      { line: 8, column: "qualiopi", message: "valeur invalide (« peut-être ») : oui ou non attendu" },
    ]);
    expect(summary.warnings).toContainEqual({ line: 7, column: "uai", message: "UAI 0690001A : la lettre de contrôle est fausse (importé, signalé dans les anomalies)" });
    expect(summary.details["relations formateur → responsable créées"]).toBe(1);
    expect(progress.at(-1)?.phase).toBe("terminé");

    const rows = await orgs();
    expect(rows).toHaveLength(4);
    const resp = rows.find((r) => r.siret === RESP)!;
    expect(resp).toMatchObject({
      uai: UAI_RESP,
      nature: "responsable",
      raison_sociale: "CFA Lyon Métropole",
      code_commune: "69381",
      departement_code: "69",
      region_code: "84",
      academie_code: "10",
      qualiopi: true,
      reseaux: ["CCI", "CMA"],
    });
    expect(rows.find((r) => r.siret === FORM)!.raison_sociale).toBe('Lycée "Saint-Exupéry"');
    const [rel] = await t.database.rows<{ n: number }>(sql`
      select count(*)::int n from organisme_relations r join organismes f on f.id = r.formateur_id join organismes re on re.id = r.responsable_id
      where f.siret = ${FORM} and re.siret = ${RESP}`);
    expect(rel.n).toBe(1);
  });

  it("is idempotent: importing the same file again creates and updates nothing", async () => {
    const summary = await importOrganismes(t.database, latin1(csv));
    expect(summary.created).toBe(0);
    expect(summary.updated).toBe(0);
    expect(summary.unchanged).toBe(4);
    expect(summary.details["relations formateur → responsable créées"]).toBe(0);
    expect(await orgs()).toHaveLength(4);
  });

  it("updates only what a new file says, never erasing with empty cells", async () => {
    const update = ["siret,uai,raison_sociale,enseigne,etat_administratif", `${RESP},${UAI_RESP},CFA Lyon Métropole,,fermé`].join("\n");
    const summary = await importOrganismes(t.database, utf8(update));
    expect(summary).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const resp = (await orgs()).find((r) => r.siret === RESP)!;
    expect(resp.etat_administratif).toBe("ferme");
    expect(resp.qualiopi).toBe(true);
    expect(resp.reseaux).toEqual(["CCI", "CMA"]);
  });

  it("refuses a file it cannot read without changing anything", async () => {
    const before = await orgs();
    await expect(importOrganismes(t.database, utf8("name;town\nA;B\n"))).rejects.toThrow(ImportFileError);
    await expect(importOrganismes(t.database, utf8("name;town\nA;B\n"))).rejects.toThrow(/colonne\(s\) obligatoire\(s\) absente\(s\) : « siret », « raison_sociale »/);
    await expect(importOrganismes(t.database, utf8('siret;raison_sociale\n"abc;def\n'))).rejects.toThrow(/Ligne 2 : guillemet ouvert jamais refermé/);
    await expect(importOrganismes(t.database, utf8("[{"))).rejects.toThrow(/JSON invalide/);
    expect(await orgs()).toEqual(before);
  });
});

describe("import:organismes (JSON)", () => {
  it("reads an array of objects, naming the element in messages", async () => {
    const json = JSON.stringify([
      { siret: OTHER, uai: uai("0750001"), nature: "responsable_formateur", raison_sociale: "CFA Paris", code_commune_insee: "75056", reseaux: ["CCI"], qualiopi: true },
      { siret: "123", raison_sociale: "Faux" },
    ]);
    const summary = await importOrganismes(t.database, utf8(json));
    expect(summary.lineUnit).toBe("élément");
    expect(summary.created).toBe(1);
    expect(summary.rejected).toEqual([{ line: 2, column: "siret", message: "SIRET invalide (« 123 ») : 14 chiffres attendus" }]);
    const row = (await orgs()).find((r) => r.siret === OTHER)!;
    expect(row).toMatchObject({ nature: "responsable_formateur", region_code: "11", academie_code: "01", reseaux: ["CCI"], qualiopi: true });
  });
});

describe("import:organismes (liste publique des organismes de formation)", () => {
  const header =
    "numeroDeclarationActivite;numerosDeclarationActivitePrecedent;denomination;siren;siretEtablissementDeclarant;adressePhysiqueOrganismeFormation.voie;adressePhysiqueOrganismeFormation.codePostal;adressePhysiqueOrganismeFormation.ville;adressePhysiqueOrganismeFormation.codeRegion;certifications.actionsDeFormation;certifications.bilansDeCompetences;certifications.VAE;certifications.actionsDeFormationParApprentissage;organismeEtrangerRepresente.denomination;informationsDeclarees.dateDerniereDeclaration;informationsDeclarees.nbStagiaires";
  const NEW = siret("4400000000001");
  const NOT_CFA = siret("4400000000002");
  const lpof = [
    header,
    `52440000144;;CFA DES PAYS DE LA LOIRE;${NEW.slice(0, 9)};${NEW};12 RUE DE NANTES;44000;NANTES;52;true;false;false;true;;2024-03-01;120`,
    `52440000145;;ORGANISME SANS APPRENTISSAGE;${NOT_CFA.slice(0, 9)};${NOT_CFA};1 RUE X;44000;NANTES;52;true;false;false;false;;2024-03-01;10`,
    `11750000001;;CFA PARIS (MAJ LPOF);${OTHER.slice(0, 9)};${OTHER};5 RUE DE RIVOLI;75001;PARIS;11;true;false;false;true;;2024-03-01;300`,
    `11750000002;;SIRET ERRONE;123456789;12345678900000;;75001;PARIS;11;true;false;false;true;;2024-03-01;3`,
  ].join("\n");

  it("creates apprenticeship organismes, updates known ones, skips the others", async () => {
    const summary = await importOrganismes(t.database, utf8(lpof));
    expect(summary.format).toContain("LPOF");
    expect(summary.created).toBe(1);
    expect(summary.updated).toBe(1);
    expect(summary.skipped).toBe(1);
    expect(summary.rejected).toEqual([
      { line: 5, column: "siretEtablissementDeclarant", message: "SIRET invalide (« 12345678900000 ») : la clé de contrôle (Luhn) est fausse" },
    ]);
    const rows = await orgs();
    expect(rows.find((r) => r.siret === NEW)).toMatchObject({ uai: null, nature: "inconnue", raison_sociale: "CFA DES PAYS DE LA LOIRE", departement_code: "44", region_code: "52", qualiopi: true });
    expect(rows.find((r) => r.siret === NOT_CFA)).toBeUndefined();
    // known organisme: name updated, its UAI and nature kept
    expect(rows.find((r) => r.siret === OTHER)).toMatchObject({ uai: uai("0750001"), nature: "responsable_formateur", raison_sociale: "CFA PARIS (MAJ LPOF)" });
    const again = await importOrganismes(t.database, utf8(lpof));
    expect(again).toMatchObject({ created: 0, updated: 0 });
  });
});

describe("import:formations", () => {
  const bcnHeader =
    "FORMATION_DIPLOME;NIVEAU_FORMATION_DIPLOME;GROUPE_SPECIALITE;LETTRE_SPECIALITE;ANCIEN_DIPLOME_1;NOUVEAU_DIPLOME_1;NIVEAU_QUALIFICATION_RNCP;LIBELLE_COURT;LIBELLE_STAT_33;LIBELLE_LONG_200;DATE_OUVERTURE;DATE_FERMETURE;DATE_PREMIERE_SESSION;DATE_DERNIERE_SESSION;N_COMMENTAIRE;DATE_INTERVENTION;SOURCE";
  const bcnRows = [
    "50022137;500;221;T;;;03;CAP;CUISINE;CUISINE;01/09/2016;;2018;;;12/05/2016;JO",
    "40025214;400;252;S;;;04;BAC PRO;MAINT VEHIC OPT A VOIT PARTICUL;MAINTENANCE DES VEHICULES OPTION A VOITURES PARTICULIERES;01/09/2014;31/08/2026;2016;2026;;;JO",
    "32031211;320;312;T;;;05;BTSA;TECHNICO-COMMERCIAL;TECHNICO-COMMERCIAL (BTSA) - ÉLEVAGE ET ÉQUITATION;01/09/2018;;;;;;",
    "ABC;500;;;;;03;CAP;FAUX;CFD FAUX;01/09/2016;;;;;;",
    "50033401;500;334;T;;;03;CAP;ACCUEIL;AGENT D'ACCUEIL;31/02/2020;;;;;;",
  ];

  it("imports the BCN table in Latin-1 with ';' (accents, dates, niveaux) and rejects bad lines", async () => {
    const summary = await importFormations(t.database, latin1([bcnHeader, ...bcnRows].join("\r\n") + "\r\n"), { fileName: "n_formation_diplome.csv" });
    expect(summary.format).toBe("BCN N_FORMATION_DIPLOME");
    expect(summary.encoding).toBe("windows-1252");
    expect(summary.delimiter).toBe(";");
    expect(summary.created).toBe(3);
    expect(summary.rejected).toEqual([
      { line: 5, column: "FORMATION_DIPLOME", message: "CFD invalide (« ABC ») : 8 chiffres ou lettres majuscules attendus" },
      { line: 6, column: "DATE_OUVERTURE", message: "date invalide (« 31/02/2020 ») : JJ/MM/AAAA attendu" },
    ]);
    const rows = await t.database.rows<{ cfd: string; niveau: number; intitule_long: string; date_ouverture: string; date_fermeture: string | null }>(
      sql`select cfd, niveau, intitule_long, date_ouverture::text, date_fermeture::text from formations order by cfd`,
    );
    expect(rows).toEqual([
      { cfd: "32031211", niveau: 5, intitule_long: "TECHNICO-COMMERCIAL (BTSA) - ÉLEVAGE ET ÉQUITATION", date_ouverture: "2018-09-01", date_fermeture: null },
      { cfd: "40025214", niveau: 4, intitule_long: "MAINTENANCE DES VEHICULES OPTION A VOITURES PARTICULIERES", date_ouverture: "2014-09-01", date_fermeture: "2026-08-31" },
      { cfd: "50022137", niveau: 3, intitule_long: "CUISINE", date_ouverture: "2016-09-01", date_fermeture: null },
    ]);
  });

  it("imports the same table with '|' idempotently, and updates what changed", async () => {
    const piped = [bcnHeader, ...bcnRows.slice(0, 3)].map((l) => l.replace(/;/g, "|")).join("\n");
    const again = await importFormations(t.database, latin1(piped));
    expect(again.delimiter).toBe("|");
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    const changed = piped.replace("01/09/2016||2018", "01/09/2016|31/08/2027|2018");
    const summary = await importFormations(t.database, latin1(changed));
    expect(summary).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    const [row] = await t.database.rows<{ d: string }>(sql`select date_fermeture::text d from formations where cfd = '50022137'`);
    expect(row.d).toBe("2027-08-31");
  });

  it("imports a catalogue CSV (RNCP, niveau, organismes) and links formateur → responsable", async () => {
    const NEW_FORM = siret("1300000000005");
    await importOrganismes(t.database, utf8(`siret;uai;nature;raison_sociale\n${NEW_FORM};${uai("0691299")};formateur;Antenne Givors\n`));
    const catalogue = [
      "cfd,rncp,niveau,intitule,uai_formateur,siret_formateur,uai_responsable,siret_responsable,code_commune_lieu",
      `50022137,RNCP37861,3,CUISINE,${uai("0691299")},${NEW_FORM},${UAI_RESP},${RESP},69091`,
      `,34566,6,Licence professionnelle métiers du numérique,,,,,`,
      `,RNCP12,9,Niveau faux,,,,,`,
      `1234,,,CFD trop court,,,,,`,
    ].join("\n");
    const summary = await importFormations(t.database, utf8(catalogue));
    expect(summary.format).toContain("catalogue");
    expect(summary).toMatchObject({ created: 1, updated: 1 });
    expect(summary.rejected).toEqual([
      { line: 4, column: "niveau", message: "niveau invalide (« 9 ») : un niveau européen de 3 à 8 est attendu" },
      { line: 5, column: "cfd", message: "CFD invalide (« 1234 ») : 8 chiffres ou lettres majuscules attendus" },
    ]);
    expect(summary.details["relations formateur → responsable créées"]).toBe(1);
    const rows = await t.database.rows<{ cfd: string | null; rncp: string | null; niveau: number }>(sql`select cfd, rncp, niveau from formations where rncp is not null order by rncp`);
    expect(rows).toEqual([
      { cfd: null, rncp: "RNCP34566", niveau: 6 },
      { cfd: "50022137", rncp: "RNCP37861", niveau: 3 },
    ]);
    const again = await importFormations(t.database, utf8(catalogue));
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it("keeps the offer of each catalogue line (formateur, responsable, lieu) once, lists it, and filters the catalogue by it", async () => {
    const catalogue = [
      "cfd;intitule;uai_formateur;siret_formateur;uai_responsable;siret_responsable;code_commune_lieu",
      // taught by FORM for RESP at Givors, and by FORM at Villeurbanne; the same line twice is one offer
      `50033610;BOULANGER;${UAI_FORM};${FORM};${UAI_RESP};${RESP};69091`,
      `50033610;BOULANGER;${UAI_FORM};${FORM};${UAI_RESP};${RESP};69091`,
      `50033610;BOULANGER;${UAI_FORM};${FORM};;;69266`,
      // a responsable alone teaches itself; no lieu
      `50033610;BOULANGER;;;${UAI_RESP};${RESP};`,
      // an organisme unknown to the référentiel: no offer, a warning
      `50033610;BOULANGER;${uai("0699999")};${siret("1399999999999")};;;69091`,
      // an invalid code commune is ignored: the offer has no lieu
      `50033611;PATISSIER;${UAI_FORM};${FORM};;;69-91`,
    ].join("\n");
    const summary = await importFormations(t.database, utf8(catalogue));
    expect(summary.rejected).toEqual([]);
    expect(summary.details["offres de formation créées"]).toBe(4);
    expect(summary.details["offres de formation déjà connues"]).toBe(0);
    expect(summary.warnings.map((w) => `${w.line} ${w.column}`)).toEqual(
      expect.arrayContaining(["6 siret_formateur", "7 code_commune_lieu"]),
    );
    const offres = await t.database.rows<{ cfd: string; formateur: string; responsable: string | null; lieu: string | null }>(sql`
      select f.cfd, fo.siret as formateur, re.siret as responsable, o.code_commune_lieu as lieu
      from offres_formation o join formations f on f.id = o.formation_id join organismes fo on fo.id = o.organisme_formateur_id
      left join organismes re on re.id = o.organisme_responsable_id
      where f.cfd in ('50033610', '50033611') order by f.cfd, fo.siret, o.code_commune_lieu nulls first`);
    expect(offres).toEqual([
      { cfd: "50033610", formateur: RESP, responsable: null, lieu: null },
      { cfd: "50033610", formateur: FORM, responsable: RESP, lieu: "69091" },
      { cfd: "50033610", formateur: FORM, responsable: null, lieu: "69266" },
      { cfd: "50033611", formateur: FORM, responsable: null, lieu: null },
    ]);

    // idempotent: the same file again refreshes the offers, creates none
    const again = await importFormations(t.database, utf8(catalogue));
    expect(again.details["offres de formation créées"]).toBe(0);
    expect(again.details["offres de formation déjà connues"]).toBe(4);
    const [{ n }] = await t.database.rows<{ n: number }>(sql`select count(*)::int as n from offres_formation o join formations f on f.id = o.formation_id where f.cfd in ('50033610', '50033611')`);
    expect(n).toBe(4);

    // the formation's offer, as its page lists it: commune names and départements
    const [{ id }] = await t.database.rows<{ id: number }>(sql`select id from formations where cfd = '50033610'`);
    const { offres: liste, total } = await listOffres(t.database, { formation: id });
    expect(total).toBe(3);
    expect(liste.map((o) => [o.formateur.siret, o.responsable?.raison_sociale ?? null, o.lieu?.nom ?? null, o.departement_code])).toEqual([
      [RESP, null, null, "69"],
      [FORM, "CFA Lyon Métropole", "Givors", "69"],
      [FORM, null, "Villeurbanne", "69"],
    ]);
    // and an organisme's: as formateur or as responsable
    const [{ id: respId }] = await t.database.rows<{ id: number }>(sql`select id from organismes where siret = ${RESP}`);
    const parOrganisme = await listOffres(t.database, { organisme: respId });
    expect(parOrganisme.offres.map((o) => [o.formation.cfd, o.formateur.siret, o.lieu?.code ?? null])).toEqual([
      ["50033610", RESP, null], // within a formation, by organisme formateur
      ["50033610", FORM, "69091"],
      ["50022137", siret("1300000000005"), "69091"], // the previous test's catalogue line
    ]);

    // the catalogue filtered by territory finds formations offered there, without any effectif
    const cfds = async (filters: Parameters<typeof formationConditions>[0]) =>
      (await t.database.rows<{ cfd: string }>(sql`select f.cfd from formations f where ${formationConditions(filters)} and f.cfd in ('50033610', '50033611') order by 1`)).map((r) => r.cfd);
    expect(await cfds({ departement: "69" })).toEqual(["50033610", "50033611"]);
    expect(await cfds({ region: "84" })).toEqual(["50033610", "50033611"]);
    expect(await cfds({ region: "11" })).toEqual([]);
  });

  it("with offreComplete, removes the offers that the file no longer cites for the organismes formateurs it cites, and only then", async () => {
    const offresDe = async (siretFormateur: string) =>
      (
        await t.database.rows<{ cfd: string; lieu: string | null }>(sql`
          select f.cfd, o.code_commune_lieu as lieu from offres_formation o join formations f on f.id = o.formation_id
          join organismes fo on fo.id = o.organisme_formateur_id where fo.siret = ${siretFormateur} order by 1, 2 nulls first`)
      ).map((r) => `${r.cfd} ${r.lieu ?? "-"}`);
    const avant = { form: await offresDe(FORM), resp: await offresDe(RESP) };
    expect(avant.form).toEqual(["50033610 69091", "50033610 69266", "50033611 -"]);
    expect(avant.resp.length).toBeGreaterThan(0);
    const header = "cfd;intitule;uai_formateur;siret_formateur;uai_responsable;siret_responsable;code_commune_lieu";
    const nouvelle = [header, `50033610;BOULANGER;${UAI_FORM};${FORM};;;69266`].join("\n");

    // without the option, nothing is removed
    const sans = await importFormations(t.database, utf8(nouvelle));
    expect(sans.details).not.toHaveProperty(["offres de formation retirées (plus citées pour leur organisme formateur)"]);
    expect(await offresDe(FORM)).toEqual(avant.form);

    // a rejected line: nothing is removed either, and the summary says why first
    const rejet = await importFormations(t.database, utf8(`${nouvelle}\n1234;FAUX;${UAI_FORM};${FORM};;;69266`), { offreComplete: true });
    expect(rejet.rejected).toHaveLength(1);
    expect(rejet.warnings[0]).toEqual({ line: 0, message: expect.stringMatching(/^Offre complète demandée, mais des lignes sont rejetées : aucune offre n'a été retirée/) });
    expect(await offresDe(FORM)).toEqual(avant.form);

    // the whole offer of FORM: its two other offers go, RESP (not cited) keeps its own
    const complete = await importFormations(t.database, utf8(nouvelle), { offreComplete: true });
    expect(complete.details["offres de formation retirées (plus citées pour leur organisme formateur)"]).toBe(2);
    expect(await offresDe(FORM)).toEqual(["50033610 69266"]);
    expect(await offresDe(RESP)).toEqual(avant.resp);
    // a BCN table has no offer: the option is said ignored, not silently
    const bcn = await importFormations(t.database, utf8("FORMATION_DIPLOME;LIBELLE_LONG_200\n50099981;CAP QA offre\n"), { offreComplete: true });
    expect(bcn.warnings).toContainEqual({
      line: 0,
      message: "offre complète ignorée : une table BCN N_FORMATION_DIPLOME ne décrit aucune offre (l'offre complète se donne avec le catalogue des formations)",
    });
  });
});

describe("import:bassins (INSEE XLSX)", () => {
  function inseeWorkbook(rows: (string | number)[][]) {
    return writeXlsx(
      [
        { name: "Lisez-moi", rows: [["Zonage en zones d'emploi 2020"], ["Source : Insee"]] },
        {
          name: "Composition_communale",
          rows: [
            ["Composition communale des zones d'emploi 2020"],
            ["Découpage au 1er janvier 2024"],
            ["Source : Insee"],
            [],
            ["CODGEO", "LIBGEO", "ZE2020", "LIBZE2020", "ZE2020_PARTIE_REG", "DEP", "REG"],
            ...rows,
          ],
        },
      ],
      { header: false },
    );
  }

  it("sets the bassin of communes (numeric cells padded, arrondissements following their commune) and of organismes", async () => {
    const xlsx = inseeWorkbook([
      [1001, "L'Abergement-Clémenciat", 8405, "Bourg-en-Bresse", 8405, "01", 84],
      ["69123", "Lyon", "8421", "Lyon", "8421", "69", "84"],
      ["69266", "Villeurbanne", "8421", "Lyon", "8421", "69", "84"],
      ["75056", "Paris", "1109", "Paris", "1109", "75", "11"],
      ["99999", "Commune inconnue", "1109", "Paris", "1109", "99", "11"],
      ["69091", "Givors", "ABCDE", "Faux", "", "69", "84"],
    ]);
    const summary = await importBassins(t.database, xlsx, { fileName: "ZE2020_au_01-01-2024.xlsx" });
    expect(summary.format).toContain("Composition_communale");
    expect(summary.lines).toBe(6);
    expect(summary.created).toBe(4);
    expect(summary.skipped).toBe(1);
    expect(summary.rejected).toEqual([{ line: 11, column: "ZE2020", message: "code de zone d'emploi invalide (« ABCDE ») : 4 caractères attendus" }]);
    expect(summary.details["bassins d'emploi créés"]).toBe(3);
    expect(summary.details["arrondissements municipaux rattachés"]).toBe(9 + 20);
    const communes = await t.database.rows<{ code: string; b: string | null }>(
      sql`select code, bassin_emploi_code b from communes where code in ('01001', '69123', '69381', '69266', '75056', '75101') order by code`,
    );
    expect(communes).toEqual([
      { code: "01001", b: "8405" },
      { code: "69123", b: "8421" },
      { code: "69266", b: "8421" },
      { code: "69381", b: "8421" },
      { code: "75056", b: "1109" },
      { code: "75101", b: "1109" },
    ]);
    const [resp] = await t.database.rows<{ b: string }>(sql`select bassin_emploi_code b from organismes where siret = ${RESP}`);
    expect(resp.b).toBe("8421");
    const again = await importBassins(t.database, xlsx);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    expect(again.details["organismes mis à jour"]).toBe(0);
  });

  it("reads the same table as CSV", async () => {
    const csv = "CODGEO;LIBGEO;ZE2020;LIBZE2020\n69266;Villeurbanne;8421;Lyon\n01001;L'Abergement-Clémenciat;8406;Bourg-en-Bresse (nouvelle)\n";
    const summary = await importBassins(t.database, latin1(csv));
    expect(summary).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect(summary.details["bassins d'emploi créés"]).toBe(1);
  });

  it("refuses a workbook without the CODGEO header", async () => {
    await expect(importBassins(t.database, writeXlsx([{ name: "x", rows: [["a", "b"]] }]))).rejects.toThrow(/aucune feuille du classeur n'a de ligne d'en-tête contenant « CODGEO »/);
  });
});

describe("sample files of docs/formats", () => {
  it("import without any rejection", async () => {
    const fs = await import("node:fs");
    for (const file of ["docs/formats/organismes.csv", "docs/formats/organismes.json"]) {
      const summary = await importOrganismes(t.database, fs.readFileSync(file));
      expect(summary.rejected, file).toEqual([]);
      expect(summary.warnings.filter((w) => w.column !== "siret_responsable"), file).toEqual([]);
    }
  });
});

describe("a référentiel change moves the learners' figures", () => {
  const MOVING = siret("1300000000020");
  const UAI_MOVING = uai("0691400");
  const TODAY = todayIso();
  const apprenants = async (filters: IndicateursFilters) =>
    (await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters })).compteurs.apprenants;

  it("moves them to the organisme's new département and to the formation's new niveau, in the aggregates too", async () => {
    await importOrganismes(t.database, utf8(`siret;uai;nature;raison_sociale;code_commune_insee\n${MOVING};${UAI_MOVING};responsable_formateur;CFA qui déménage;69381\n`));
    await importFormations(t.database, utf8("cfd,rncp,niveau,intitule\n50099901,RNCP99901,3,CAP DE TEST\n"));
    const [{ id }] = await t.database.rows<{ id: number }>(sql`select id from organismes where siret = ${MOVING}`);
    const year = Number(TODAY.slice(0, 4)) - (TODAY.slice(5) < "09-01" ? 1 : 0);
    const result = await ingestDossiers(
      t.database,
      [
        {
          nom_apprenant: "Durand",
          prenom_apprenant: "Lou",
          date_de_naissance_apprenant: "2006-03-28",
          annee_scolaire: `${year}-${year + 1}`,
          id_erp_apprenant: "MOVE-1",
          statut_apprenant: 3,
          date_metier_mise_a_jour_statut: `${year}-09-01`,
          date_inscription_formation: `${year}-06-15`,
          date_entree_formation: `${year}-09-01`,
          date_fin_formation: `${year + 2}-06-30`,
          formation_cfd: "50099901",
          etablissement_responsable_uai: UAI_MOVING,
          etablissement_responsable_siret: MOVING,
          etablissement_formateur_uai: UAI_MOVING,
          etablissement_formateur_siret: MOVING,
          contrat_date_debut: `${year}-09-01`,
          contrat_date_fin: `${year + 2}-08-31`,
          siret_employeur: "78298832500018",
        },
      ],
      { organismeId: id, source: "API" },
    );
    expect(result.nbAccepted).toBe(1);
    expect(await apprenants({ departement: ["69"], niveau: [3] })).toBe(1);

    const moved = await importOrganismes(t.database, utf8(`siret;uai;raison_sociale;code_commune_insee\n${MOVING};${UAI_MOVING};CFA qui déménage;75056\n`));
    expect(moved.details["effectifs rattachés à un autre département"]).toBe(1);
    expect(await apprenants({ departement: ["69"] })).toBe(0);
    expect(await apprenants({ departement: ["75"] })).toBe(1);
    expect(await apprenants({ region: ["11"] })).toBe(1);

    const renivelee = await importFormations(t.database, utf8("cfd,rncp,niveau,intitule\n50099901,RNCP99901,4,CAP DE TEST\n"));
    expect(renivelee.details["effectifs passés à un autre niveau"]).toBe(1);
    expect(await apprenants({ departement: ["75"], niveau: [3] })).toBe(0);
    expect(await apprenants({ departement: ["75"], niveau: [4] })).toBe(1);
  });
});

describe("a file with a header and no data is refused, nothing written", () => {
  const compte = async () =>
    (await t.database.rows<{ o: number; f: number; b: number }>(sql`select (select count(*) from organismes)::int o, (select count(*) from formations)::int f, (select count(*) from bassins_emploi)::int b`))[0];
  const LIGNES = "Rien à importer : le fichier ne contient aucune ligne de données (seulement l'en-tête).";
  const ELEMENTS = "Rien à importer : le fichier ne contient aucun élément (tableau JSON vide).";

  it.each([
    ["organismes CSV, header only", () => importOrganismes(t.database, utf8("siret;uai;raison_sociale\n")), LIGNES],
    ["organismes CSV, header and blank lines", () => importOrganismes(t.database, utf8("siret;uai;raison_sociale\r\n\r\n\r\n")), LIGNES],
    ["organismes JSON []", () => importOrganismes(t.database, utf8("[]")), ELEMENTS],
    ["organismes JSON { organismes: [] }", () => importOrganismes(t.database, utf8('{ "organismes": [] }')), ELEMENTS],
    ["LPOF, header only", () => importOrganismes(t.database, utf8("siretEtablissementDeclarant;denomination;certifications.actionsDeFormationParApprentissage\n")), LIGNES],
    ["BCN, header only", () => importFormations(t.database, latin1("FORMATION_DIPLOME;NIVEAU_FORMATION_DIPLOME;LIBELLE_LONG_200\r\n")), LIGNES],
    ["catalogue, header only", () => importFormations(t.database, utf8("cfd;rncp;niveau;intitule\n")), LIGNES],
    ["bassins CSV, header only", () => importBassins(t.database, utf8("CODGEO;LIBGEO;ZE2020;LIBZE2020\n")), LIGNES],
    ["bassins XLSX, header only", () => importBassins(t.database, writeXlsx([{ name: "Feuille", rows: [["CODGEO", "LIBGEO", "ZE2020", "LIBZE2020"]] }], { header: false })), LIGNES],
  ])("%s: « rien à importer », like an empty file", async (_cas, importer, message) => {
    const avant = await compte();
    const refus = await importer().catch((e: unknown) => e);
    expect(refus).toBeInstanceOf(ImportFileError);
    expect((refus as ImportFileError).message).toBe(message);
    expect(await compte()).toEqual(avant);
  });

  it("a wrong header is said first (its columns), even with no data", async () => {
    const refus = (await importOrganismes(t.database, utf8("numero;nom\n")).catch((e: unknown) => e)) as ImportFileError;
    expect(refus).toBeInstanceOf(ImportFileError);
    expect(refus.message).toMatch(/^Fichier illisible : colonne\(s\) obligatoire\(s\) absente\(s\)/);
  });

  it("from the admin page: the import fails with the message, « Aucune donnée n'a été modifiée », never « Import terminé »", async () => {
    const job = await startImport(t.database, { kind: "organismes", fileName: "entete.csv", bytes: utf8("siret;uai;raison_sociale\n"), startedBy: "admin@test.fr" });
    const fini = await waitForImport(t.database, job.id, 30_000);
    expect(fini).toMatchObject({ summary: null, error: `${LIGNES} Aucune donnée n'a été modifiée.` });
  });
});

describe("BCN: a NIVEAU_QUALIFICATION_RNCP that is not a level from 3 to 8 is said, never replaced silently", () => {
  it("warns, naming the value and the level derived instead (or none), and imports the line", async () => {
    const bcn = [
      "FORMATION_DIPLOME;NIVEAU_FORMATION_DIPLOME;LIBELLE_COURT;LIBELLE_STAT_33;LIBELLE_LONG_200;DATE_OUVERTURE;DATE_FERMETURE;NIVEAU_QUALIFICATION_RNCP",
      "50987601;500;CAP;CAP TEST;CAP Pâtissier de test;01/09/2020;31/08/2030;3",
      "50987603;500;CAP;X;Niveau invalide;01/09/2020;;9",
      "40987604;;BAC PRO;X;Niveau invalide sans ancien niveau;01/09/2020;;12",
      "90987605;;X;X;Niveau invalide, rien à déduire;01/09/2020;;9",
      "50987606;500;CAP;X;Niveau donné sur deux chiffres;01/09/2020;;04",
      "50987607;500;CAP;X;Niveau absent;01/09/2020;;",
      "90987608;900;X;X;Ancien niveau inconnu, rien d'autre;01/09/2020;;",
    ].join("\r\n");
    const summary = await importFormations(t.database, latin1(bcn), { fileName: "bcn.csv" });
    expect(summary.rejected).toEqual([]);
    expect(summary.created).toBe(7);
    expect(summary.warnings).toEqual([
      { line: 3, column: "NIVEAU_QUALIFICATION_RNCP", message: "niveau invalide (« 9 ») : un niveau européen de 3 à 8 est attendu ; niveau 3 déduit de NIVEAU_FORMATION_DIPLOME (« 500 »)" },
      { line: 4, column: "NIVEAU_QUALIFICATION_RNCP", message: "niveau invalide (« 12 ») : un niveau européen de 3 à 8 est attendu ; niveau 4 déduit du CFD (s'il n'en a pas déjà un)" },
      { line: 5, column: "NIVEAU_QUALIFICATION_RNCP", message: "niveau invalide (« 9 ») : un niveau européen de 3 à 8 est attendu ; aucun niveau importé" },
      { line: 8, column: "NIVEAU_FORMATION_DIPLOME", message: "niveau de formation inconnu (« 900 ») : un code commençant par 1 à 5 est attendu ; aucun niveau importé" },
    ]);
    const niveaux = await t.database.rows<{ cfd: string; niveau: number | null }>(sql`select cfd, niveau from formations where cfd like '_09876%' order by cfd`);
    expect(niveaux).toEqual([
      { cfd: "40987604", niveau: 4 },
      { cfd: "50987601", niveau: 3 },
      { cfd: "50987603", niveau: 3 },
      { cfd: "50987606", niveau: 4 },
      { cfd: "50987607", niveau: 3 },
      { cfd: "90987605", niveau: null },
      { cfd: "90987608", niveau: null },
    ]);
  });

  it("a level guessed from the CFD never replaces a stored one: BCN then catalogue without niveau, again and again, changes nothing", async () => {
    const bcn = [
      "FORMATION_DIPLOME;NIVEAU_FORMATION_DIPLOME;LIBELLE_COURT;LIBELLE_STAT_33;LIBELLE_LONG_200;DATE_OUVERTURE;DATE_FERMETURE;NIVEAU_QUALIFICATION_RNCP",
      "32087609;320;BTS;BTS TEST;BTS de test au niveau 6;01/09/2019;;06",
    ].join("\r\n");
    const catalogue = "cfd;rncp;niveau;intitule\n32087609;;;\n";
    const niveau = async () => (await t.database.rows<{ niveau: number | null }>(sql`select niveau from formations where cfd = '32087609'`))[0].niveau;
    await importFormations(t.database, latin1(bcn), { fileName: "bcn.csv" });
    expect(await niveau()).toBe(6);
    for (let tour = 0; tour < 2; tour++) {
      const apres = await importFormations(t.database, utf8(catalogue));
      expect(apres).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
      expect(await niveau()).toBe(6);
      expect((await importFormations(t.database, latin1(bcn), { fileName: "bcn.csv" })).updated).toBe(0);
    }
    // a formation without a level gets the one its CFD says
    await t.database.db.execute(sql`update formations set niveau = null where cfd = '32087609'`);
    expect(await importFormations(t.database, utf8(catalogue))).toMatchObject({ updated: 1 });
    expect(await niveau()).toBe(5);
  });
});

describe("memory of an import (decision 028): a file cannot fill the server's memory", () => {
  const compte = async () =>
    (await t.database.rows<{ o: number; f: number; b: number }>(sql`select (select count(*) from organismes)::int o, (select count(*) from formations)::int f, (select count(*) from bassins_emploi)::int b`))[0];
  const CELLULE = /la cellule de la colonne « raison_sociale » dépasse 32\u202f767 caractères, le maximum d'une cellule de tableur/;

  it("refuses a cell longer than a spreadsheet's at once, naming its line and column, nothing written", async () => {
    const avant = await compte();
    const csv = `siret;raison_sociale\n${siret("1400000000001")};Bon\n${siret("1400000000002")};${"a".repeat(40_000)}\n${siret("1400000000003")};Après\n`;
    const refus = (await importOrganismes(t.database, utf8(csv)).catch((e: unknown) => e)) as ImportFileError;
    expect(refus).toBeInstanceOf(ImportFileError);
    expect(refus.message).toMatch(/^Fichier illisible : Ligne 3 : /);
    expect(refus.message).toMatch(CELLULE);
    // a quote never closed, in a long file: said at the line of the quote, not at the end of the file
    const ouvert = `siret;raison_sociale\n${siret("1400000000001")};"Bon\n${`${siret("1400000000002")};Suite\n`.repeat(2000)}`;
    await expect(importOrganismes(t.database, utf8(ouvert))).rejects.toThrow(/^Fichier illisible : Ligne 2 : .*guillemet ouvert et jamais refermé/);
    expect(await compte()).toEqual(avant);
  });

  it("names the line of the file when title rows come before the header (INSEE), in every importer", async () => {
    const avant = await compte();
    const bassins = `Zones d'emploi 2020\n\nCODGEO;LIBGEO;ZE2020;LIBZE2020\n01001;L'Abergement;0801;${"b".repeat(40_000)}\n`;
    await expect(importBassins(t.database, utf8(bassins))).rejects.toThrow(/^Fichier illisible : Ligne 4 : la cellule de la colonne « LIBZE2020 » dépasse/);
    await expect(importFormations(t.database, utf8(`cfd;rncp;niveau;intitule\n50099901;;3;${"c".repeat(40_000)}\n`))).rejects.toThrow(
      /^Fichier illisible : Ligne 2 : la cellule de la colonne « intitule » dépasse/,
    );
    const job = await startImport(t.database, { kind: "organismes", fileName: "long.csv", bytes: utf8(`siret;raison_sociale\n1;${"a".repeat(40_000)}\n`), startedBy: "admin@test.fr" });
    const fini = await waitForImport(t.database, job.id, 30_000);
    expect(fini?.summary).toBeNull();
    expect(fini?.error).toMatch(/^Fichier illisible : Ligne 2 : la cellule de la colonne « raison_sociale » dépasse .* Aucune donnée n'a été modifiée\.$/);
    expect(await compte()).toEqual(avant);
  });

  it("keeps the first rejections in detail and counts all of them (lines, messages), the valid lines imported", async () => {
    const n = 2500;
    const lignes = [`siret;uai;raison_sociale`, `${siret("1400000000009")};;Le seul bon`];
    for (let k = 0; k < n; k++) lignes.push(`1400000${String(k).padStart(6, "0")}X;${uai("0691234").slice(0, 7)}Z;Mauvais ${k}`);
    const summary = await importOrganismes(t.database, utf8(lignes.join("\n")));
    expect(summary).toMatchObject({ lines: n + 1, created: 1, rejectedLines: n });
    // each line: its SIRET rejected and its UAI (wrong check letter) with it; only the first ones are detailed
    expect(summary.rejected.filter((r) => r.column === "siret")).toHaveLength(MAX_ISSUES_KEPT);
    expect(summary.rejected[0]).toMatchObject({ line: 3, column: "siret" });
    expect(summary.rejected.length + summary.omitted.rejected).toBeGreaterThanOrEqual(n);
    expect(summary.warnings.filter((w) => w.line > 2)).toEqual([]);
    expect(summaryText(summary, 20)).toMatch(/2\u202f500 lignes rejetées/);
    expect(summaryText(summary, 20)).toMatch(/… et [\d\u202f]+ autres \(--json pour voir les [\d\u202f]+ premiers\)/);
    const job = await startImport(t.database, { kind: "organismes", fileName: "rejets.csv", bytes: utf8(lignes.join("\n")), startedBy: "admin@test.fr" });
    const fini = await waitForImport(t.database, job.id, 60_000);
    expect(fini).toMatchObject({ error: null, rejectedLines: n });
    expect(fini?.summary?.rejected).toHaveLength(500);
  });

  it(`refuses a file of more than ${MAX_IMPORT_LINES} data lines when it reads the next one, nothing written`, async () => {
    const avant = await compte();
    const csv = `siret;raison_sociale\n${"1;a\n".repeat(MAX_IMPORT_LINES + 1)}`;
    await expect(importOrganismes(t.database, utf8(csv))).rejects.toThrow(
      `Fichier trop long : plus de 500\u202f000 lignes de données, le maximum d'un import (ligne ${MAX_IMPORT_LINES + 2} et suivantes). Découpez-le en plusieurs fichiers, importés l'un après l'autre.`,
    );
    const json = JSON.stringify(Array.from({ length: MAX_IMPORT_LINES + 1 }, () => ({})));
    await expect(importOrganismes(t.database, utf8(json))).rejects.toThrow(/^Fichier trop long : plus de 500\u202f000 éléments, le maximum d'un import \(élément 500001 et suivantes\)/);
    expect(await compte()).toEqual(avant);
  });
});
