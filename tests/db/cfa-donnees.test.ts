/**
 * Data layer of the CFA space (app/cfa/*.server.ts) on the demo dataset: demo transmissions (pipeline format,
 * idempotent), history by day and explained errors, learners' list (search, filters, sort, pagination), learner
 * record, duplicates (merge / delete archived, statut storage kept exact), data quality, export (logged).
 * PGlite by default, the PostgreSQL server when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { arrayParam } from "../../db/client.server";
import { seedDemo } from "../../app/demo/seed.server";
import { ensureDemoAccounts } from "../../app/auth/demo-accounts.server";
import { findUserByEmail } from "../../app/auth/accounts.server";
import { createSession } from "../../app/auth/session.server";
import { getViewer, type AuthenticatedViewer } from "../../app/auth/policy.server";
import { ensureDemoTransmissions, SUFFIXE_DOUBLON } from "../../app/cfa/demo-transmissions.server";
import { organismesDeLEspace, type EspaceCfa } from "../../app/cfa/acces.server";
import { historiqueTransmissions, transmissionsDuJour, erreursRecurrentes, REFUSES_PAR_PAGE } from "../../app/cfa/transmissions.server";
import { listerApprenants, ficheApprenant } from "../../app/cfa/apprenants.server";
import { parseFiltresApprenants, STATUTS_APPRENANT } from "../../app/cfa/apprenants";
import { listerDoublons, fusionnerEffectifs, fusionnerGroupe, supprimerEffectif, retablirEffectif, archivesRecentes, OperationRefusee } from "../../app/cfa/doublons.server";
import { qualiteCfa } from "../../app/cfa/qualite.server";
import { cibleEspace, exporterApprenants } from "../../app/cfa/export.server";
import { accueilCfa, formateursDuResponsable } from "../../app/cfa/espace.server";
import { recordRefusedRequest } from "../../app/ingestion/transmissions.server";
import { indicateurs } from "../../app/indicateurs/indicateurs.server";
import { couverture } from "../../app/indicateurs/couverture.server";
import { NATIONAL } from "../../app/auth/policy.server";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { expliquerErreur } from "../../app/cfa/erreurs";
import { readXlsx } from "../../app/shared/xlsx.server";
import { foldText } from "../../app/referentiel/repertoire.server";
import { parseCsv } from "../../app/shared/csv";
import { anneesScolairesComptees } from "../../app/statut/annee-scolaire";

const TODAY = new Date().toISOString().slice(0, 10);

let t: TestDatabase;
let viewer: AuthenticatedViewer;
let espace: EspaceCfa;

async function espaceDe(organismeId: number): Promise<EspaceCfa> {
  return { viewer, target: null as never, organismeId, organismeIds: await organismesDeLEspace(t.database, organismeId), contacts: true };
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: 3000, seed: 7, today: TODAY });
  await ensureDemoAccounts(t.database);
  const user = await findUserByEmail(t.database, "cfa@demo.test");
  const cookie = await createSession(t.database, user!.id, new Request("http://localhost/"));
  viewer = (await getViewer(new Request("http://localhost/", { headers: { cookie: cookie.split(";")[0] } }), t.database)) as AuthenticatedViewer;
  expect(viewer.organisationType).toBe("ORGANISME_FORMATION");
}, 240_000);
afterAll(async () => t?.drop());

describe("demo transmissions", () => {
  it("creates a history in the pipeline's error format, and is idempotent", async () => {
    const first = await ensureDemoTransmissions(t.database, TODAY);
    expect(first.transmissions).toBeGreaterThan(100);
    expect(first.avecErreurs).toBeGreaterThan(5);
    expect(first.doublons).toBe(3);
    const second = await ensureDemoTransmissions(t.database, TODAY);
    expect(second).toEqual({ organismes: 0, transmissions: 0, avecErreurs: 0, doublons: 0 });

    const rows = await t.database.rows<{ errors: unknown; nb_rejected: number; received_at: unknown }>(
      sql`select errors, nb_rejected, received_at from transmissions where errors is not null`,
    );
    expect(rows.length).toBe(first.avecErreurs);
    for (const r of rows) {
      const items = (typeof r.errors === "string" ? JSON.parse(r.errors) : r.errors) as Record<string, unknown>[];
      expect(items.length).toBe(r.nb_rejected);
      for (const item of items) {
        expect(Object.keys(item)).toEqual(expect.arrayContaining(["index", "id_erp_apprenant", "nom", "prenom", "errors"]));
        for (const e of item.errors as { path: (string | number)[]; message: string }[]) {
          expect(Array.isArray(e.path)).toBe(true);
          expect(expliquerErreur(e).categorie).not.toBe("autre");
        }
      }
      // errors are kept 30 days only
      expect(Date.now() - new Date(r.received_at as string).getTime()).toBeLessThanOrEqual(31 * 86_400_000);
    }
    // the last transmission of each organisme is its last_transmission_at
    const [mismatch] = await t.database.rows<{ n: number }>(sql`
      select count(*)::int n from organismes o
      where o.last_transmission_at is not null
        and o.last_transmission_at <> (select max(received_at) from transmissions t where t.organisme_id = o.id)`);
    expect(mismatch.n).toBe(0);
    // the history goes back to each organisme's first transmission: at a past month, the freshness of the organismes
    // that transmit today is that of a real history (under 7 days for most), not « more than 3 months »
    const [debuts] = await t.database.rows<{ n: number }>(sql`
      select count(*)::int n from organismes o
      where o.first_transmission_at is not null
        and o.first_transmission_at <> (select min(received_at) from transmissions t where t.organisme_id = o.id)`);
    expect(debuts.n).toBe(0);
    const ilYA6Mois = new Date(Date.now() - 183 * 86_400_000).toISOString().slice(0, 10);
    const passe = await couverture(t.database, { date: ilYA6Mois, scope: NATIONAL });
    expect(passe.fraicheur.recente).toBeGreaterThan(2 * (passe.fraicheur.vieillissante + passe.fraicheur.ancienne));
    // organismes that transmit by API have an active key, used at their last transmission
    const [keys] = await t.database.rows<{ sans_cle: number; avec_cle: number }>(sql`
      select count(*) filter (where k.id is null)::int as sans_cle, count(k.id)::int as avec_cle
      from organismes o left join organisme_api_keys k on k.organisme_id = o.id and k.revoked_at is null
      where o.last_transmission_at is not null and o.mode_transmission = 'API'`);
    expect(keys.sans_cle).toBe(0);
    expect(keys.avec_cle).toBeGreaterThan(0);
  });
});

describe("CFA space of the demo account", () => {
  beforeAll(async () => {
    if (viewer.scope.kind !== "organisme") throw new Error("scope");
    const [own] = await t.database.rows<{ id: number }>(sql`
      select o.id from organismes o join organisations g on g.siret = o.siret where g.id = ${viewer.user.organisationId} limit 1`);
    espace = await espaceDe(own.id);
    expect(espace.organismeIds.length).toBeGreaterThan(1);
  });

  it("history by Paris day and the explained errors of a day", async () => {
    const h = await historiqueTransmissions(t.database, espace.organismeId, { jours: 30 });
    expect(h.aucune).toBe(false);
    expect(h.jours.length).toBeGreaterThan(3);
    expect(h.total.recus).toBe(h.total.acceptes + h.total.refuses);
    const avecRefus = h.jours.find((j) => j.refuses > 0 && j.detailDisponible);
    expect(avecRefus).toBeDefined();
    const detail = await transmissionsDuJour(t.database, espace.organismeId, avecRefus!.jour);
    // the day's unchanged dossiers are the sum of its transmissions' (null only when none counted them)
    for (const j of h.jours) {
      const jour = await transmissionsDuJour(t.database, espace.organismeId, j.jour);
      const comptes = jour.transmissions.map((x) => x.nbUnchanged).filter((n): n is number => n !== null);
      expect(j.inchanges, j.jour).toBe(comptes.length ? comptes.reduce((a, b) => a + b, 0) : null);
      expect(j.inchanges ?? 0).toBeLessThanOrEqual(j.acceptes);
    }
    expect(h.jours.some((j) => (j.inchanges ?? 0) > 0)).toBe(true);
    // the day's dossiers counted, one page of them listed
    expect(detail.dossiersRefuses).toBe(avecRefus!.refuses);
    expect(detail.refuses.length).toBe(Math.min(avecRefus!.refuses, REFUSES_PAR_PAGE));
    for (const d of detail.refuses) {
      expect(d.erreurs.length).toBeGreaterThan(0);
      for (const e of d.erreurs) expect(e.explication.length).toBeGreaterThan(40);
    }
    expect(detail.resume.length).toBeGreaterThan(0);
    const recurrentes = await erreursRecurrentes(t.database, espace.organismeId);
    expect(recurrentes[0].dossiers).toBeGreaterThan(0);
  });

  it("lists, searches, filters, sorts and pages the learners", async () => {
    const f = (q: string) => parseFiltresApprenants(new URLSearchParams(q), TODAY).filtres;
    // the biggest space of the dataset, to have several pages
    const [gros] = await t.database.rows<{ id: number }>(sql`
      select organisme_responsable_id as id from effectifs group by 1 order by count(*) desc limit 1`);
    const grand = await espaceDe(gros.id);
    const all = await listerApprenants(t.database, grand, f("limit=25"), true);
    expect(all.total).toBeGreaterThan(25);
    expect(all.lignes).toHaveLength(25);
    expect(all.pages).toBe(Math.ceil(all.total / 25));
    // by the name as read in French (accents and case ignored): folded, the names are in order
    const noms = all.lignes.map((l) => foldText(l.nom));
    expect([...noms].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(noms);

    const cible = all.lignes[3];
    const found = await listerApprenants(t.database, grand, f(`q=${encodeURIComponent(cible.prenom.toUpperCase() + " " + cible.nom)}`), true);
    expect(found.lignes.map((l) => l.id)).toContain(cible.id);
    const page2 = await listerApprenants(t.database, grand, f("limit=25&page=2"), true);
    expect(page2.lignes[0].id).not.toBe(all.lignes[0].id);
    const byErp = await listerApprenants(t.database, grand, f(`q=${encodeURIComponent(cible.idErpApprenant)}`), true);
    expect(byErp.lignes.map((l) => l.id)).toContain(cible.id);

    const apprentis = await listerApprenants(t.database, espace, f("statut=APPRENTI&limit=100"), true);
    expect(apprentis.lignes.every((l) => l.statut === "APPRENTI")).toBe(true);
    const rupturants = await listerApprenants(t.database, espace, f("signal=rupturant_moins_45j&limit=100"), true);
    expect(rupturants.lignes.every((l) => l.etat === 5 && (l.joursSansContrat ?? 0) < 45)).toBe(true);

    // the counters of the home page count exactly the learners the list gives at the date
    const compteurs = (await indicateurs(t.database, { date: TODAY, scope: { kind: "organisme", organismeIds: [espace.organismeId] }, exact: true })).compteurs;
    const courant = TODAY.slice(5) >= "08-01" ? `${TODAY.slice(0, 4)}-${Number(TODAY.slice(0, 4)) + 1}` : `${Number(TODAY.slice(0, 4)) - 1}-${TODAY.slice(0, 4)}`;
    const apprentisAnnee = await listerApprenants(t.database, espace, f(`statut=APPRENTI&annee=${courant}`), true);
    expect(apprentisAnnee.total).toBe(compteurs.apprentis);

    const parStatut = await listerApprenants(t.database, grand, f("tri=statut&limit=100"), true);
    const rang = parStatut.lignes.map((l) => (l.statut ? STATUTS_APPRENANT.indexOf(l.statut) : 99));
    expect([...rang].sort((a, b) => a - b)).toEqual(rang);
    for (const tri of ["formation", "annee", "entree", "maj"]) {
      expect((await listerApprenants(t.database, grand, f(`tri=${tri}&ordre=desc`), true)).lignes).toHaveLength(25);
    }
    const desc = await listerApprenants(t.database, grand, f("tri=naissance&ordre=desc"), true);
    const dates = desc.lignes.map((l) => l.dateDeNaissance);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it("gives a learner's record, and nothing for another CFA's learner", async () => {
    const [mine] = await t.database.rows<{ id: number }>(sql`
      select e.id from effectifs e where e.organisme_formateur_id = any(${`{${espace.organismeIds.join(",")}}`}::int[])
        and exists (select 1 from contrats c where c.effectif_id = e.id) order by e.id limit 1`);
    const fiche = await ficheApprenant(t.database, espace, mine.id, true, TODAY);
    expect(fiche).not.toBeNull();
    expect(fiche!.contrats.length).toBeGreaterThan(0);
    expect(fiche!.periodes.length).toBeGreaterThan(0);
    expect(fiche!.contacts).not.toBeNull();
    expect((await ficheApprenant(t.database, espace, mine.id, false, TODAY))!.contacts).toBeNull();
    const [other] = await t.database.rows<{ id: number }>(sql`
      select e.id from effectifs e where not (e.organisme_formateur_id = any(${`{${espace.organismeIds.join(",")}}`}::int[])
        or e.organisme_responsable_id = ${espace.organismeId}) limit 1`);
    expect(await ficheApprenant(t.database, espace, other.id, true, TODAY)).toBeNull();
  });

  it("finds the demo duplicates, merges and deletes them with an archive, and keeps the counters exact", async () => {
    const groupes = await listerDoublons(t.database, espace, TODAY);
    expect(groupes.length).toBeGreaterThanOrEqual(3);
    const demo = groupes.filter((g) => g.effectifs.some((e) => e.idErpApprenant.endsWith(SUFFIXE_DOUBLON)));
    expect(demo).toHaveLength(3);
    // the formation named as on the other pages: the catalogue's name when the effectif is linked to it
    const [rattache] = await t.database.rows<{ id: number; intitule: string }>(sql`
      select e.id, f.intitule_long as intitule from effectifs e join formations f on f.id = e.formation_id
      where e.id = any(${`{${demo.flatMap((g) => g.effectifs.map((e) => e.id)).join(",")}}`}::int[]) limit 1`);
    expect(rattache).toBeDefined();
    expect(demo.flatMap((g) => g.effectifs).find((e) => e.id === rattache.id)!.intituleFormation).toBe(rattache.intitule);

    // merge: the group whose copy lacks the commune
    const sansCommune = demo[1];
    const copie = sansCommune.effectifs.find((e) => e.idErpApprenant.endsWith(SUFFIXE_DOUBLON))!;
    const original = sansCommune.effectifs.find((e) => e !== copie)!;
    await t.database.db.execute(sql`update effectifs set email = null where id = ${original.id}`);
    const [copieEmail] = await t.database.rows<{ n: number }>(sql`select count(*)::int n from effectifs where id = ${copie.id}`);
    expect(copieEmail.n).toBe(1);
    await t.database.db.execute(sql`update effectifs set email = 'copie@example.fr' where id = ${copie.id}`);
    const fusion = await fusionnerEffectifs(t.database, viewer, espace, original.id, copie.id, "Doublon de test");
    expect(fusion.champsRepris).toContain("e-mail");
    const [kept] = await t.database.rows<{ email: string }>(sql`select email from effectifs where id = ${original.id}`);
    expect(kept.email).toBe("copie@example.fr");
    expect(await t.database.rows(sql`select 1 from effectifs where id = ${copie.id}`)).toHaveLength(0);
    expect(await t.database.rows(sql`select 1 from statut_periodes where effectif_id = ${copie.id}`)).toHaveLength(0);

    // delete
    const autre = demo[2].effectifs.find((e) => e.idErpApprenant.endsWith(SUFFIXE_DOUBLON))!;
    await supprimerEffectif(t.database, viewer, espace, autre.id, "Saisie en double");
    const { archives, total } = await archivesRecentes(t.database, espace);
    expect(total).toBe(2);
    expect(archives.map((a) => [a.operation, a.effectifId, a.motif, a.userEmail])).toEqual([
      ["suppression", autre.id, "Saisie en double", "cfa@demo.test"],
      ["fusion", copie.id, "Doublon de test", "cfa@demo.test"],
    ]);
    const [archive] = await t.database.rows<{ donnees: unknown }>(sql`select donnees from effectifs_archives where effectif_id = ${autre.id}`);
    const donnees = (typeof archive.donnees === "string" ? JSON.parse(archive.donnees) : archive.donnees) as { effectif: { id: number } };
    expect(donnees.effectif.id).toBe(autre.id);

    // counters from the aggregates equal the exact count after the writes
    const scope = { kind: "organisme" as const, organismeIds: [espace.organismeId] };
    const agg = await indicateurs(t.database, { date: TODAY, scope });
    const exact = await indicateurs(t.database, { date: TODAY, scope, exact: true });
    expect(agg.compteurs).toEqual(exact.compteurs);

    // refused: another CFA's learner, two non-duplicates, a deleted one
    const [etranger] = await t.database.rows<{ id: number }>(sql`
      select e.id from effectifs e where not (e.organisme_formateur_id = any(${`{${espace.organismeIds.join(",")}}`}::int[])
        or e.organisme_responsable_id = ${espace.organismeId}) limit 1`);
    await expect(supprimerEffectif(t.database, viewer, espace, etranger.id, "Essai")).rejects.toBeInstanceOf(OperationRefusee);
    const deux = await listerApprenants(t.database, espace, parseFiltresApprenants(new URLSearchParams("limit=25"), TODAY).filtres, true);
    await expect(fusionnerEffectifs(t.database, viewer, espace, deux.lignes[0].id, deux.lignes[1].id, "Essai")).rejects.toThrow(/pas des doublons/);
    // a group merged all or nothing: its second learner refused (already deleted), the first is not merged either
    const groupe = demo[0].effectifs;
    const archivesAvant = (await archivesRecentes(t.database, espace)).total;
    await expect(fusionnerGroupe(t.database, viewer, espace, groupe[0].id, [groupe[1].id, autre.id], "Groupe")).rejects.toThrow(/déjà été supprimé/);
    expect(await t.database.rows(sql`select 1 from effectifs where id = ${groupe[1].id}`)).toHaveLength(1);
    expect((await archivesRecentes(t.database, espace)).total).toBe(archivesAvant);
    await expect(supprimerEffectif(t.database, viewer, espace, autre.id, "Encore")).rejects.toThrow(/déjà été supprimé/);
    expect(await t.database.rows(sql`select 1 from effectifs where id = ${etranger.id}`)).toHaveLength(1);

    // the ERP sending the merged and the deleted learners again does not bring them back; the kept one is accepted
    const renvoi = await t.database.rows<Record<string, string>>(sql`
      select x.id_erp_apprenant, x.annee_scolaire, x.nom, x.prenom, x.date_de_naissance::text as naissance,
             x.date_inscription_formation::text as inscription, x.date_entree_formation::text as entree,
             x.date_fin_formation::text as fin, f.siret as f_siret, f.uai as f_uai, r.siret as r_siret, r.uai as r_uai
      from (select a.id_erp_apprenant, a.annee_scolaire, a.nom, a.prenom, a.date_de_naissance, a.organisme_formateur_id,
                   a.organisme_responsable_id, (a.donnees->'effectif'->>'date_inscription_formation')::date as date_inscription_formation,
                   (a.donnees->'effectif'->>'date_entree_formation')::date as date_entree_formation,
                   (a.donnees->'effectif'->>'date_fin_formation')::date as date_fin_formation, a.created_at as tri
            from effectifs_archives a where a.effectif_id in (${copie.id}, ${autre.id})
            union all
            select e.id_erp_apprenant, e.annee_scolaire, e.nom, e.prenom, e.date_de_naissance, e.organisme_formateur_id,
                   e.organisme_responsable_id, e.date_inscription_formation, e.date_entree_formation, e.date_fin_formation, now() + interval '1 day'
            from effectifs e where e.id = ${original.id}) x
      join organismes f on f.id = x.organisme_formateur_id join organismes r on r.id = x.organisme_responsable_id
      order by x.tri`);
    const renvoye = await ingestDossiers(
      t.database,
      renvoi.map((r) => ({
        id_erp_apprenant: r.id_erp_apprenant,
        annee_scolaire: r.annee_scolaire,
        nom_apprenant: r.nom,
        prenom_apprenant: r.prenom,
        date_de_naissance_apprenant: r.naissance,
        date_inscription_formation: r.inscription,
        date_entree_formation: r.entree,
        date_fin_formation: r.fin,
        etablissement_formateur_siret: r.f_siret,
        etablissement_formateur_uai: r.f_uai,
        etablissement_responsable_siret: r.r_siret,
        etablissement_responsable_uai: r.r_uai,
      })),
      { organismeId: espace.organismeId, source: "API" },
    );
    expect(renvoye.results.map((r) => r.status)).toEqual(["error", "error", "ok"]);
    expect(renvoye.results[0].validation_errors[0].message).toMatch(
      new RegExp(`^id_erp_apprenant : ce dossier a été fusionné le \\d{2}/\\d{2}/\\d{4} avec le dossier « ${original.idErpApprenant} »`),
    );
    expect(renvoye.results[1].validation_errors[0].message).toMatch(/^id_erp_apprenant : ce dossier a été supprimé le \d{2}\/\d{2}\/\d{4} dans l'espace CFA/);
    expect(await t.database.rows(sql`select 1 from effectifs where id_erp_apprenant in (${copie.idErpApprenant}, ${autre.idErpApprenant})`)).toHaveLength(0);
  });

  it("restores a deleted learner: row, contracts, ERP statuts, periods and aggregates; its ERP is heard again", async () => {
    const [archive] = await t.database.rows<{ id: number; effectif_id: number; donnees: unknown }>(
      sql`select id, effectif_id, donnees from effectifs_archives where operation = 'suppression' order by id desc limit 1`,
    );
    const donnees = (typeof archive.donnees === "string" ? JSON.parse(archive.donnees) : archive.donnees) as {
      effectif: Record<string, unknown>;
      contrats: unknown[];
      statutsErp: unknown[];
    };
    const id = archive.effectif_id;
    expect(donnees.contrats.length, "the deleted demo duplicate has contracts to restore").toBeGreaterThan(0);
    const ailleurs = await espaceDe(
      (await t.database.rows<{ id: number }>(sql`
        select id from organismes where id <> all(${`{${espace.organismeIds.join(",")}}`}::int[]) and nature <> 'lieu' order by id limit 1`))[0].id,
    );
    await expect(retablirEffectif(t.database, viewer, ailleurs, archive.id, "Essai")).rejects.toThrow(/n'existe pas dans l'espace/);

    const r = await retablirEffectif(t.database, viewer, espace, archive.id, "Supprimé par erreur");
    expect(r.effectifId).toBe(id);
    const [row] = await t.database.rows<{ nom: string; id_erp_apprenant: string; date_de_naissance: string; empreinte: string | null; parcours: unknown }>(
      sql`select nom, id_erp_apprenant, date_de_naissance::text as date_de_naissance, empreinte, parcours from effectifs where id = ${id}`,
    );
    expect(row).toMatchObject({
      nom: donnees.effectif.nom,
      id_erp_apprenant: donnees.effectif.id_erp_apprenant,
      date_de_naissance: String(donnees.effectif.date_de_naissance).slice(0, 10),
      empreinte: null,
    });
    const [n] = await t.database.rows<{ contrats: number; statuts: number; periodes: number }>(sql`
      select (select count(*)::int from contrats where effectif_id = ${id}) as contrats,
             (select count(*)::int from effectif_statuts_erp where effectif_id = ${id}) as statuts,
             (select count(*)::int from statut_periodes where effectif_id = ${id}) as periodes`);
    expect(n.contrats).toBe(donnees.contrats.length);
    expect(n.statuts).toBe(donnees.statutsErp.length);
    expect(n.periodes).toBeGreaterThan(0);
    const scope = { kind: "organisme" as const, organismeIds: [espace.organismeId] };
    const agg = await indicateurs(t.database, { date: TODAY, scope });
    const exact = await indicateurs(t.database, { date: TODAY, scope, exact: true });
    expect(agg.compteurs).toEqual(exact.compteurs);
    const [journal] = (await archivesRecentes(t.database, espace)).archives.filter((a) => a.id === archive.id);
    expect(journal.retablissement).toMatchObject({ par: "cfa@demo.test", motif: "Supprimé par erreur" });
    await expect(retablirEffectif(t.database, viewer, espace, archive.id, "Encore")).rejects.toThrow(/déjà été rétabli/);

    // the ERP's resend is accepted again, and written (no fingerprint yet)
    const [d] = await t.database.rows<Record<string, string>>(sql`
      select e.id_erp_apprenant, e.annee_scolaire, e.nom, e.prenom, e.date_de_naissance::text as naissance,
             e.date_inscription_formation::text as inscription, e.date_entree_formation::text as entree,
             e.date_fin_formation::text as fin, f.siret as f_siret, f.uai as f_uai, r.siret as r_siret, r.uai as r_uai
      from effectifs e join organismes f on f.id = e.organisme_formateur_id join organismes r on r.id = e.organisme_responsable_id
      where e.id = ${id}`);
    const dossier = {
      id_erp_apprenant: d.id_erp_apprenant,
      annee_scolaire: d.annee_scolaire,
      nom_apprenant: d.nom,
      prenom_apprenant: "Rétabli",
      date_de_naissance_apprenant: d.naissance,
      date_inscription_formation: d.inscription,
      date_entree_formation: d.entree,
      date_fin_formation: d.fin,
      etablissement_formateur_siret: d.f_siret,
      etablissement_formateur_uai: d.f_uai,
      etablissement_responsable_siret: d.r_siret,
      etablissement_responsable_uai: d.r_uai,
    };
    const renvoi = await ingestDossiers(t.database, [dossier], { organismeId: espace.organismeId, source: "API" });
    expect(renvoi.results[0].status).toBe("ok");
    expect(renvoi.nbInchanges).toBe(0);
    expect((await t.database.rows<{ prenom: string }>(sql`select prenom from effectifs where id = ${id}`))[0].prenom).toBe("Rétabli");

    // deleted again with an ERP statut now in its history: restored with it
    await ingestDossiers(t.database, [{ ...dossier, statut_apprenant: 3, date_metier_mise_a_jour_statut: d.entree }], {
      organismeId: espace.organismeId,
      source: "API",
    });
    await supprimerEffectif(t.database, viewer, espace, id, "Seconde suppression");
    const archiveId = async () =>
      (await t.database.rows<{ id: number }>(sql`select id from effectifs_archives where effectif_id = ${id} and retabli_at is null`))[0].id;
    await retablirEffectif(t.database, viewer, espace, await archiveId(), "Encore une erreur");
    const statuts = await t.database.rows<{ statut_apprenant: number }>(sql`select statut_apprenant from effectif_statuts_erp where effectif_id = ${id}`);
    expect(statuts.map((x) => x.statut_apprenant)).toEqual([...donnees.statutsErp.map(() => expect.any(Number)), 3]);

    // deleted a third time, it cannot come back beside another learner that has taken its ERP id meanwhile
    await supprimerEffectif(t.database, viewer, espace, id, "Troisième suppression");
    const seconde = { id: await archiveId() };
    const [voisin] = await t.database.rows<{ id: number }>(sql`
      select id from effectifs where organisme_formateur_id = ${donnees.effectif.organisme_formateur_id as number}
        and annee_scolaire = ${d.annee_scolaire} and id <> ${id} order by id limit 1`);
    await t.database.db.execute(sql`update effectifs set id_erp_apprenant = ${d.id_erp_apprenant} where id = ${voisin.id}`);
    await expect(retablirEffectif(t.database, viewer, espace, seconde.id, "Essai")).rejects.toThrow(/existe déjà/);
    expect(await t.database.rows(sql`select 1 from effectifs where id = ${id}`)).toHaveLength(0);
    // a merge is not undone
    const [fusion] = await t.database.rows<{ id: number }>(sql`select id from effectifs_archives where operation = 'fusion' limit 1`);
    await expect(retablirEffectif(t.database, viewer, espace, fusion.id, "Essai")).rejects.toThrow(/fusion ne peut pas être annulée/);

    // the log is paged, latest first (20 older copies of the merge added)
    const avant = await archivesRecentes(t.database, espace);
    await t.database.db.execute(sql`
      insert into effectifs_archives (operation, effectif_id, organisme_id, organisme_formateur_id, organisme_responsable_id, annee_scolaire,
        id_erp_apprenant, nom, prenom, date_de_naissance, donnees, motif, effectif_conserve_id, champs_repris, user_id, user_email, created_at)
      select operation, effectif_id, organisme_id, organisme_formateur_id, organisme_responsable_id, annee_scolaire, id_erp_apprenant, nom,
        prenom, date_de_naissance, donnees, motif, effectif_conserve_id, champs_repris, user_id, user_email, created_at - make_interval(days => g)
      from effectifs_archives, generate_series(1, 20) g where id = ${fusion.id}`);
    const p1 = await archivesRecentes(t.database, espace);
    const p2 = await archivesRecentes(t.database, espace, 2);
    expect([p1.total, p1.pages, p1.archives.length, p2.page, p2.archives.length]).toEqual([avant.total + 20, 2, 20, 2, avant.total]);
    expect(p1.archives.slice(0, avant.total).map((a) => a.id)).toEqual(avant.archives.map((a) => a.id));
    expect((await archivesRecentes(t.database, espace, 99)).page).toBe(2);
  });

  it("scores the data quality", async () => {
    const q = await qualiteCfa(t.database, espace, { today: TODAY });
    expect(q.total).toBeGreaterThan(0);
    expect(q.score).toBeGreaterThanOrEqual(0);
    expect(q.score).toBeLessThanOrEqual(1);
    expect(q.avecAnomalie).toBe(q.totalACorriger);
    // the demo duplicate without sex is to fix
    expect(q.parAnomalie.find((a) => a.type === "sexe_manquant")!.effectifs).toBeGreaterThanOrEqual(0);
  });

  it("exports the list as CSV (BOM, ;) and XLSX, each download logged", async () => {
    const f = parseFiltresApprenants(new URLSearchParams("statut=APPRENTI"), TODAY).filtres;
    const before = await t.database.rows<{ n: number }>(sql`select count(*)::int n from named_list_access_log where action = 'download'`);
    const csv = await exporterApprenants(t.database, viewer, cibleEspace(espace, f, []), f, "csv");
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toContain("Nom;Prénom;Date de naissance");
    expect(lines[0]).toContain("E-mail");
    const page = await listerApprenants(t.database, espace, f, true);
    expect(lines.length - 1).toBe(page.total);
    expect(lines[1]).toMatch(/;Apprenti;/);
    const xlsx = await exporterApprenants(t.database, viewer, cibleEspace({ ...espace, contacts: false }, f, []), f, "xlsx");
    const sheets = readXlsx(new Uint8Array(await xlsx.arrayBuffer()));
    expect(sheets[0].rows.length - 1).toBe(page.total);
    expect(sheets[0].rows[0]).not.toContain("E-mail");
    const after = await t.database.rows<{ n: number; rows: number }>(
      sql`select count(*)::int n, max(row_count)::int as rows from named_list_access_log where action = 'download'`,
    );
    expect(after[0].n).toBe(before[0].n + 2);
    expect(after[0].rows).toBe(page.total);
  });

  it("the export's RQTH is the RQTH at the date; a learner not counted at the date has no counters' cells, not « non »", async () => {
    const veille = new Date(Date.parse(`${TODAY}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const [o] = await t.database.rows<Record<string, string>>(sql`
      select f.siret as f_siret, f.uai as f_uai, r.siret as r_siret, r.uai as r_uai
      from organismes f, organismes r where f.id = ${espace.organismeId} and r.id = ${espace.organismeId}`);
    const decale = (jours: number) => new Date(Date.parse(`${veille}T00:00:00Z`) + jours * 86_400_000).toISOString().slice(0, 10);
    const base = {
      date_de_naissance_apprenant: "2000-01-01",
      etablissement_formateur_siret: o.f_siret,
      etablissement_formateur_uai: o.f_uai,
      etablissement_responsable_siret: o.r_siret,
      etablissement_responsable_uai: o.r_uai,
    };
    const annee = Number(veille.slice(0, 4));
    const recue = await ingestDossiers(
      t.database,
      [
        // counted the day before, without a contract; RQTH recognised only today
        {
          ...base,
          id_erp_apprenant: "rqth-futur",
          annee_scolaire: anneesScolairesComptees(veille)[0],
          nom_apprenant: "Exportrqth",
          prenom_apprenant: "Rqth",
          date_inscription_formation: decale(-30),
          date_entree_formation: decale(-30),
          date_fin_formation: decale(300),
          rqth_apprenant: true,
          date_rqth_apprenant: TODAY,
        },
        // an année scolaire of three years before: not counted the day before, whatever its statut
        {
          ...base,
          id_erp_apprenant: "hors-annee",
          annee_scolaire: `${annee - 3}-${annee - 2}`,
          nom_apprenant: "Exportrqth",
          prenom_apprenant: "Ancien",
          date_inscription_formation: `${annee - 3}-09-01`,
          date_entree_formation: `${annee - 3}-09-01`,
          date_fin_formation: `${annee + 1}-06-30`,
        },
      ],
      { organismeId: espace.organismeId, source: "API" },
    );
    expect(recue.results.map((r) => r.status)).toEqual(["ok", "ok"]);
    const f = parseFiltresApprenants(new URLSearchParams(`q=exportrqth&date=${veille}&annee=`), TODAY).filtres;
    const csv = parseCsv(new Uint8Array(await (await exporterApprenants(t.database, viewer, cibleEspace(espace, f, []), f, "csv")).arrayBuffer()));
    const col = (r: { fields: string[] }, nom: string) => r.fields[csv.header.indexOf(nom)];
    const ligne = (prenom: string) => csv.records.find((r) => col(r, "Prénom") === prenom)!;
    const futur = ligne("Rqth");
    expect(col(futur, "Statut à la date")).toBe("Inscrit sans contrat");
    expect(col(futur, "Compté à la date")).toBe("oui");
    expect(col(futur, "Sans contrat")).toBe("oui");
    // recognised after the date: not RQTH at the date, hence not at risk (an adult)
    expect(col(futur, "RQTH à la date")).toBe("non");
    expect(col(futur, "À risque")).toBe("non");
    const ancien = ligne("Ancien");
    expect(col(ancien, "Statut à la date")).not.toBe("");
    expect(col(ancien, "Compté à la date")).toBe("non");
    for (const nom of ["Jours sans contrat", "Rupturant", "Sans contrat", "Abandon", "À risque"]) expect(col(ancien, nom), nom).toBe("");
    // the day of its recognition, the RQTH is at the date
    const ceJour = parseFiltresApprenants(new URLSearchParams(`q=exportrqth&annee=`), TODAY).filtres;
    const aujourdhui = parseCsv(new Uint8Array(await (await exporterApprenants(t.database, viewer, cibleEspace(espace, ceJour, []), ceJour, "csv")).arrayBuffer()));
    const rqth = aujourdhui.records.find((r) => r.fields[aujourdhui.header.indexOf("Prénom")] === "Rqth")!;
    expect(rqth.fields[aujourdhui.header.indexOf("RQTH à la date")]).toBe("oui");
    expect(rqth.fields[aujourdhui.header.indexOf("À risque")]).toBe("oui");
  });

  it("sorts names as a French reader does, in the list and in the export: accents and case ignored, then the exact name, then the id", async () => {
    const lignes = await t.database.rows<{ id: number; nom: string; prenom: string }>(sql`
      select e.id, e.nom, e.prenom from effectifs e
      where e.organisme_formateur_id = any(${arrayParam(espace.organismeIds)}::int[])
      order by e.id limit 9`);
    expect(lignes).toHaveLength(9);
    const noms: [string, string][] = [
      ["Roger", "Triaccent"],
      ["Guillot", "Triaccent"],
      ["Rémy", "Triaccent"],
      ["Louis", "Triaccent"],
      ["Lévêque", "Triaccent"],
      ["Guérin", "Triaccent"],
      ["Leveque", "Triaccent"],
      ["Lévêque", "Élise Triaccent"],
      ["Lévêque", "Triaccent"],
    ];
    try {
      for (const [i, [nom, prenom]] of noms.entries()) {
        await t.database.db.execute(sql`update effectifs set nom = ${nom}, prenom = ${prenom} where id = ${lignes[i].id}`);
      }
      // « Élise » among the E; two « Lévêque Triaccent » by their id (stable pages)
      const attendu = [
        ["Guérin", "Triaccent", lignes[5].id],
        ["Guillot", "Triaccent", lignes[1].id],
        ["Lévêque", "Élise Triaccent", lignes[7].id],
        ["Leveque", "Triaccent", lignes[6].id],
        ["Lévêque", "Triaccent", lignes[4].id],
        ["Lévêque", "Triaccent", lignes[8].id],
        ["Louis", "Triaccent", lignes[3].id],
        ["Rémy", "Triaccent", lignes[2].id],
        ["Roger", "Triaccent", lignes[0].id],
      ];
      const f = (q: string) => parseFiltresApprenants(new URLSearchParams(q), TODAY).filtres;
      const liste = await listerApprenants(t.database, espace, f("q=triaccent&tri=nom&ordre=asc"), true);
      expect(liste.lignes.map((l) => [l.nom, l.prenom, l.id])).toEqual(attendu);
      const desc = await listerApprenants(t.database, espace, f("q=triaccent&tri=nom&ordre=desc"), true);
      expect(desc.lignes.map((l) => [l.nom, l.prenom, l.id])).toEqual([...attendu].reverse());
      const filtres = f("q=triaccent&tri=nom");
      const csv = await exporterApprenants(t.database, viewer, cibleEspace(espace, filtres, []), filtres, "csv");
      const lignesCsv = (await csv.text()).replace(/^\uFEFF/, "").trim().split("\r\n").slice(1);
      expect(lignesCsv.map((l) => l.split(";").slice(0, 2))).toEqual(attendu.map(([nom, prenom]) => [nom, prenom]));
    } finally {
      for (const l of lignes) await t.database.db.execute(sql`update effectifs set nom = ${l.nom}, prenom = ${l.prenom} where id = ${l.id}`);
    }
  });

  it("home page and formateurs", async () => {
    const accueil = await accueilCfa(t.database, espace);
    expect(accueil.organisme.id).toBe(espace.organismeId);
    expect(accueil.compteurs.total).toBeGreaterThan(0);
    expect(accueil.alertes.some((a) => /refusé/.test(a.titre))).toBe(true);
    const formateurs = await formateursDuResponsable(t.database, espace);
    expect(formateurs.length).toBe(espace.organismeIds.length - 1);
    expect(formateurs.some((f) => f.transmissions30j > 0)).toBe(true);
    // a request refused as a whole (nothing read) is not a transmission of effectifs: neither the last one nor counted
    const f = formateurs[0];
    await recordRefusedRequest(t.database, { organismeId: f.id, source: "API", erp: null, statutHttp: 400, message: "JSON invalide", now: new Date(Date.now() + 60_000) });
    const apres = (await formateursDuResponsable(t.database, espace)).find((x) => x.id === f.id)!;
    expect(apres.derniereTransmission).toBe(f.derniereTransmission);
    expect(apres.transmissions30j).toBe(f.transmissions30j);
  });
});
