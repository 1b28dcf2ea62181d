/**
 * Demo data of the CFA space (the demo seed creates no `transmissions` rows):
 *
 * - a transmission history for every organisme that transmits (`last_transmission_at` set): over the six weeks
 *   before its last transmission, one API transmission a night (a few nights skipped), or one file a week for CFAs
 *   that upload files; the last one at `last_transmission_at` exactly. Some transmissions of the last 30 days
 *   reject a few dossiers, with per-item errors produced by the ingestion pipeline itself (`checkDossiers` on real
 *   learners of the organisme, each with one realistic mistake), so they are stored in its exact format; older
 *   ones keep their counts only (their detail would have been purged after 30 days). Organismes that transmit by
 *   API get an active API key (a random one, never shown), last used at their last transmission.
 * - a few duplicate learners in the space of the demo CFA account (cfa@demo.test: the responsable with the most
 *   formateurs, preferably in région 84 — the rule of app/auth/demo-accounts.server.ts), sent again under another
 *   ERP id with their name typed differently, so that the duplicates page has something to show.
 *
 * Deterministic (PRNG seeded by organisme id) and idempotent: organismes that already have transmissions are
 * left alone, and the duplicates are only inserted once (fixed ERP ids, `on conflict do nothing`). Does nothing
 * on a database without the demo dataset (no effectif of source DEMO).
 * Call after the seed: `await ensureDemoTransmissions(database, today)`.
 */
import { sql } from "drizzle-orm";
import { arrayParam, execRows, type Database, type Executor } from "../../db/client.server";
import { mulberry32 } from "../demo/generator";
import { generateApiKey, hashApiKey } from "../ingestion/api-keys.server";
import { checkDossiers } from "../ingestion/pipeline.server";
import { jsonParam } from "../ingestion/sql.server";
import { luhnCompletion, uaiCheckLetter } from "../referentiel/codes";
import { refreshStatutStorage } from "../statut/storage.server";
import { anneeScolaireOf } from "../statut/annee-scolaire";
import { demoCfa } from "../auth/demo-accounts.server";
import { effectifsDeLEspace, organismesDeLEspace } from "./acces.server";

const JOURS_HISTORIQUE = 42;
const RETENTION_JOURS = 30;
const DAY_MS = 86_400_000;
/** Suffix of the demo duplicates' ERP ids. */
export const SUFFIXE_DOUBLON = "-B";

export interface DemoTransmissionsResult {
  organismes: number;
  transmissions: number;
  avecErreurs: number;
  doublons: number;
}

interface OrganismeDemo {
  id: number;
  siret: string;
  uai: string | null;
  mode_transmission: "API" | "FICHIER" | null;
  erp: string | null;
  first_transmission_at: unknown;
  last_transmission_at: unknown;
  effectifs: number;
}

interface ApprenantDemo {
  organisme_id: number;
  id_erp_apprenant: string;
  nom: string;
  prenom: string;
  date_de_naissance: string;
  annee_scolaire: string;
  date_inscription_formation: string;
  date_entree_formation: string;
  date_fin_formation: string;
  formation_cfd: string | null;
  sexe: string | null;
  code_commune_insee: string | null;
  f_uai: string | null;
  f_siret: string;
  r_uai: string | null;
  r_siret: string;
  contrat_date_debut: string | null;
  contrat_date_fin: string | null;
}

type Rng = () => number;

/** The mistakes CFAs make most, as dossier edits (each gives one pipeline error). */
const ERREURS: { poids: number; appliquer: (d: Record<string, unknown>, rng: Rng) => void }[] = [
  // unknown formateur: a valid UAI that is not the organisme's
  {
    poids: 5,
    appliquer: (d, rng) => {
      const base = String(Math.floor(rng() * 9_000_000) + 1_000_000);
      d.etablissement_formateur_uai = base + uaiCheckLetter(base);
    },
  },
  { poids: 4, appliquer: (d) => (d.date_de_naissance_apprenant = `${String(d.date_de_naissance_apprenant).slice(0, 4)}-02-30`) },
  {
    poids: 4,
    appliquer: (d) => {
      d.contrat_date_fin = d.contrat_date_fin ?? d.date_fin_formation;
      delete d.contrat_date_debut;
    },
  },
  {
    poids: 2,
    appliquer: (d) => {
      const [y, m, j] = String(d.date_de_naissance_apprenant).split("-");
      d.date_de_naissance_apprenant = `${j}/${m}/${y}`;
    },
  },
  {
    poids: 2,
    appliquer: (d) => {
      const entree = String(d.date_entree_formation);
      d.date_fin_formation = `${Number(entree.slice(0, 4)) - 1}${entree.slice(4)}`;
    },
  },
  { poids: 2, appliquer: (d) => (d.formation_cfd = String(d.formation_cfd ?? "5002214").slice(0, 7)) },
  { poids: 1, appliquer: (d) => (d.sexe_apprenant = "X") },
  { poids: 1, appliquer: (d) => (d.code_commune_insee_apprenant = `${String(d.code_commune_insee_apprenant ?? "69123")}0`) },
  { poids: 1, appliquer: (d) => (d.annee_scolaire = String(d.annee_scolaire).slice(0, 4)) },
  { poids: 1, appliquer: (d) => delete d.nom_apprenant },
  {
    poids: 1,
    appliquer: (d) => {
      const s = String(d.etablissement_responsable_siret);
      const base = s.slice(0, 13);
      const good = luhnCompletion(base);
      d.etablissement_responsable_siret = base + String((Number(good) + 3) % 10);
    },
  },
];

function choisir(rng: Rng, poids: number[]): number {
  const total = poids.reduce((a, b) => a + b, 0);
  let r = rng() * total;
  for (let i = 0; i < poids.length; i++) {
    r -= poids[i];
    if (r < 0) return i;
  }
  return poids.length - 1;
}

function dossierDe(a: ApprenantDemo): Record<string, unknown> {
  const d: Record<string, unknown> = {
    nom_apprenant: a.nom,
    prenom_apprenant: a.prenom,
    date_de_naissance_apprenant: a.date_de_naissance,
    annee_scolaire: a.annee_scolaire,
    id_erp_apprenant: a.id_erp_apprenant,
    date_inscription_formation: a.date_inscription_formation,
    date_entree_formation: a.date_entree_formation,
    date_fin_formation: a.date_fin_formation,
    etablissement_responsable_uai: a.r_uai,
    etablissement_responsable_siret: a.r_siret,
    etablissement_formateur_uai: a.f_uai,
    etablissement_formateur_siret: a.f_siret,
    statut_apprenant: a.contrat_date_debut ? 3 : 2,
    formation_cfd: a.formation_cfd,
    sexe_apprenant: a.sexe,
    code_commune_insee_apprenant: a.code_commune_insee,
  };
  if (a.contrat_date_debut) {
    d.contrat_date_debut = a.contrat_date_debut;
    d.contrat_date_fin = a.contrat_date_fin;
  }
  return d;
}

function timestampOf(value: unknown): number {
  return new Date(value as string).getTime();
}

export async function ensureDemoTransmissions(database: Database, today: string): Promise<DemoTransmissionsResult> {
  const result: DemoTransmissionsResult = { organismes: 0, transmissions: 0, avecErreurs: 0, doublons: 0 };
  // Only on the demo dataset: never invent transmissions for real organismes.
  const [demo] = await database.rows<{ present: boolean }>(sql`select exists (select 1 from effectifs where source = 'DEMO') as present`);
  if (!demo?.present) return result;
  const annee = anneeScolaireOf(today);
  const compteCfa = (await demoCfa(database))?.id ?? null;
  const organismes = await database.rows<OrganismeDemo>(sql`
    select o.id, o.siret, o.uai, o.mode_transmission, o.erp, o.first_transmission_at, o.last_transmission_at,
           (select count(*)::int from effectifs e where (e.organisme_formateur_id = o.id or e.organisme_responsable_id = o.id)
              and e.annee_scolaire = ${annee}) as effectifs
    from organismes o
    where o.last_transmission_at is not null
      and not exists (select 1 from transmissions t where t.organisme_id = o.id)
    order by o.id`);
  const todayMs = Date.parse(`${today}T23:59:59Z`);

  // Learners of the organismes (a few each) to build the rejected dossiers from.
  const apprenants = new Map<number, ApprenantDemo[]>();
  if (organismes.length) {
    const rows = await database.rows<ApprenantDemo>(sql`
      select x.* from (
        select o.id as organisme_id, e.id_erp_apprenant, e.nom, e.prenom, e.date_de_naissance::text as date_de_naissance, e.annee_scolaire,
               e.date_inscription_formation::text as date_inscription_formation, e.date_entree_formation::text as date_entree_formation,
               e.date_fin_formation::text as date_fin_formation, e.formation_cfd, e.sexe, e.code_commune_insee,
               fo.uai as f_uai, fo.siret as f_siret, ro.uai as r_uai, ro.siret as r_siret,
               c.date_debut::text as contrat_date_debut, c.date_fin::text as contrat_date_fin,
               row_number() over (partition by o.id order by e.id) as rang
        from organismes o
        join effectifs e on e.organisme_formateur_id = o.id or e.organisme_responsable_id = o.id
        join organismes fo on fo.id = e.organisme_formateur_id
        join organismes ro on ro.id = e.organisme_responsable_id
        left join contrats c on c.effectif_id = e.id and c.rang = 1
        where o.last_transmission_at is not null and e.annee_scolaire = ${annee}
          and not exists (select 1 from transmissions t where t.organisme_id = o.id)
      ) x where x.rang <= 12`);
    for (const r of rows) {
      const list = apprenants.get(r.organisme_id) ?? [];
      list.push(r);
      apprenants.set(r.organisme_id, list);
    }
  }

  const lignes: Record<string, unknown>[] = [];
  const cles: Record<string, unknown>[] = [];
  for (const o of organismes) {
    const rng = mulberry32(0x5eed ^ (o.id * 2654435761));
    const last = timestampOf(o.last_transmission_at);
    const first = timestampOf(o.first_transmission_at ?? o.last_transmission_at);
    const fichier = o.mode_transmission === "FICHIER";
    // every night (an ERP) or week (a file) over the last JOURS_HISTORIQUE days; before, back to the first
    // transmission, a week's for a file and one every 6 days for an ERP (fewer rows, the same freshness: under 7
    // days), so that the freshness of the dashboards at a past month is the one a real history gives
    const pasAuJour = (k: number) => (fichier ? 7 : k >= JOURS_HISTORIQUE ? 6 : 1);
    const nbItems = Math.max(1, o.effectifs);
    const candidats = apprenants.get(o.id) ?? [];
    // 1 or 2 mistakes this CFA keeps making, plus occasional others
    const recurrentes = [choisir(rng, ERREURS.map((e) => e.poids)), choisir(rng, ERREURS.map((e) => e.poids))];
    const jours: { at: number; erreurs: number[]; recent: boolean }[] = [];
    for (let k = 0; ; k += pasAuJour(k)) {
      const at = last - k * DAY_MS - (k === 0 ? 0 : Math.floor(rng() * 3 * 3_600_000) - 90 * 60_000);
      if (at < first - DAY_MS / 2) break;
      if (k > 0 && k < JOURS_HISTORIQUE && !fichier && rng() < 0.08) continue; // a night without transmission
      const recent = todayMs - at <= RETENTION_JOURS * DAY_MS;
      const forcer = o.id === compteCfa && k < 3 * pasAuJour(0);
      const erreurs: number[] = [];
      if (candidats.length && (forcer || rng() < (fichier ? 0.35 : 0.18))) {
        const n = 1 + Math.floor(rng() * Math.min(4, candidats.length));
        for (let i = 0; i < n; i++) erreurs.push(rng() < 0.7 ? recurrentes[i % 2] : choisir(rng, ERREURS.map((e) => e.poids)));
      }
      jours.push({ at, erreurs: recent ? erreurs : erreurs.map(() => -1), recent });
    }
    // the oldest transmission is the first one (first_transmission_at): the nearest step, or one more
    const oldest = jours[jours.length - 1];
    if (oldest && oldest.at !== first) {
      // (the latest one stays at last_transmission_at)
      if (jours.length > 1 && Math.abs(oldest.at - first) <= DAY_MS / 2) oldest.at = first;
      else jours.push({ at: first, erreurs: [], recent: todayMs - first <= RETENTION_JOURS * DAY_MS });
    }
    // The rejected dossiers of this organisme, checked by the pipeline in one call.
    const items: Record<string, unknown>[] = [];
    const owners: number[] = [];
    jours.forEach((j, jIndex) =>
      j.erreurs.forEach((e) => {
        if (e < 0) return;
        const d = dossierDe(candidats[Math.floor(rng() * candidats.length)]);
        ERREURS[e].appliquer(d, rng);
        items.push(d);
        owners.push(jIndex);
      }),
    );
    const checked = items.length ? await checkDossiers(database.db as unknown as Executor, items, o.id) : [];
    const stored = new Map<number, unknown[]>();
    checked.forEach((c, i) => {
      if (!c.errors.length) return;
      const d = items[i];
      const list = stored.get(owners[i]) ?? [];
      list.push({
        index: 0,
        ...(fichier ? { ligne: 0 } : {}),
        id_erp_apprenant: c.id_erp_apprenant,
        nom: typeof d.nom_apprenant === "string" ? d.nom_apprenant : null,
        prenom: typeof d.prenom_apprenant === "string" ? d.prenom_apprenant : null,
        errors: c.errors.map(({ path, message }) => ({ path, message })),
      });
      stored.set(owners[i], list);
    });
    jours.forEach((j, jIndex) => {
      const errors = stored.get(jIndex) ?? [];
      const rejected = j.recent ? errors.length : j.erreurs.length;
      const total = nbItems + rejected;
      // positions of the rejected items in the request, spread over it, in increasing order
      const positions = errors.map(() => Math.floor(rng() * total)).sort((a, b) => a - b);
      errors.forEach((e, i) => {
        const item = e as { index: number; ligne?: number };
        item.index = positions[i];
        if (fichier) item.ligne = positions[i] + 2;
      });
      lignes.push({
        organisme_id: o.id,
        source: fichier ? "FICHIER" : "API",
        erp: o.erp,
        file_name: fichier ? `effectifs-${new Date(j.at).toISOString().slice(0, 10)}.xlsx` : null,
        received_at: new Date(j.at).toISOString(),
        nb_items: total,
        nb_accepted: total - rejected,
        // the first transmission writes every learner; a nightly resend changes a few (new contract, rupture, arrival)
        nb_unchanged: jIndex === jours.length - 1 ? 0 : Math.max(0, total - rejected - Math.ceil((total - rejected) * 0.04) - (jIndex % 5)),
        nb_rejected: rejected,
        errors: errors.length ? errors : null,
      });
      if (errors.length) result.avecErreurs++;
    });
    // API transmitters have a key (never shown: a random one), used at their last transmission
    if (!fichier) {
      const key = generateApiKey();
      cles.push({
        organisme_id: o.id,
        key_hash: hashApiKey(key),
        prefix: key.slice(0, 12),
        created_at: new Date(Math.min(...jours.map((j) => j.at)) - DAY_MS).toISOString(),
        last_used_at: new Date(last).toISOString(),
      });
    }
    result.organismes++;
  }
  for (let i = 0; i < lignes.length; i += 2000) {
    await database.db.execute(sql`
      with t as (
        insert into transmissions (organisme_id, source, erp, file_name, received_at, nb_items, nb_accepted, nb_unchanged, nb_rejected, errors)
        select r.organisme_id, r.source, r.erp, r.file_name, r.received_at, r.nb_items, r.nb_accepted, r.nb_unchanged, r.nb_rejected, r.errors
        from jsonb_to_recordset(${jsonParam(lignes.slice(i, i + 2000))}::jsonb)
          as r(organisme_id int, source text, erp text, file_name text, received_at timestamptz, nb_items int, nb_accepted int, nb_unchanged int,
               nb_rejected int, errors jsonb)
        returning id, organisme_id, received_at)
      insert into transmission_organismes (organisme_id, transmission_id, received_at) select organisme_id, id, received_at from t`);
  }
  if (organismes.length) {
    // every demo transmission sends all the organisme's learners: a refused one was accepted by the next transmission,
    // unless refused again; only the refusals of each organisme's last transmission are still to fix (decision 033)
    await database.db.execute(sql`
      insert into dossiers_refuses (organisme_id, id_erp_apprenant, transmission_id, received_at)
      select distinct t.organisme_id, d.item->>'id_erp_apprenant', t.id, t.received_at
      from transmissions t cross join lateral jsonb_array_elements(case when jsonb_typeof(t.errors) = 'array' then t.errors else '[]'::jsonb end) as d(item)
      where t.organisme_id = any(${arrayParam(organismes.map((o) => o.id))}::int[])
        and t.received_at = (select max(x.received_at) from transmissions x where x.organisme_id = t.organisme_id)
        and coalesce(d.item->>'id_erp_apprenant', '') <> ''
      on conflict (organisme_id, id_erp_apprenant) do nothing`);
  }
  for (let i = 0; i < cles.length; i += 2000) {
    await database.db.execute(sql`
      insert into organisme_api_keys (organisme_id, key_hash, prefix, created_at, last_used_at)
      select r.organisme_id, r.key_hash, r.prefix, r.created_at, r.last_used_at
      from jsonb_to_recordset(${jsonParam(cles.slice(i, i + 2000))}::jsonb)
        as r(organisme_id int, key_hash text, prefix text, created_at timestamptz, last_used_at timestamptz)
      where not exists (select 1 from organisme_api_keys k where k.organisme_id = r.organisme_id and k.revoked_at is null)`);
  }
  result.transmissions = lignes.length;
  if (compteCfa !== null) result.doublons = await ensureDemoDoublons(database, compteCfa, annee);
  return result;
}

/** Accents off and upper case: how a second ERP record often spells the same learner. */
function autreGraphie(value: string, majuscules: boolean): string {
  const sansAccents = value.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  return majuscules ? sansAccents.toUpperCase() : sansAccents;
}

/**
 * Three learners of the responsable's space sent a second time under another ERP id (the first with its contract,
 * the others without), spelled differently. Returns how many were inserted (0 when already there).
 */
async function ensureDemoDoublons(database: Database, responsableId: number, annee: string): Promise<number> {
  const espace = { organismeId: responsableId, organismeIds: await organismesDeLEspace(database, responsableId) };
  return database.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Executor;
    const sources = await execRows<{ id: number }>(
      tx,
      sql`select e.id from effectifs e
          where ${effectifsDeLEspace(espace)}
            and e.annee_scolaire = ${annee} and e.formation_cfd is not null and e.id_erp_apprenant not like ${`%${SUFFIXE_DOUBLON}`}
          order by e.id limit 3`,
    );
    const inserted: number[] = [];
    for (const [i, s] of sources.entries()) {
      const [row] = await execRows<{ id: number }>(
        tx,
        sql`insert into effectifs (
              organisme_formateur_id, organisme_responsable_id, organisme_lieu_id, formation_id, annee_scolaire, id_erp_apprenant,
              nom, prenom, date_de_naissance, sexe, code_postal, code_commune_insee, formation_cfd, formation_rncp, libelle_court_formation,
              annee_formation, duree_theorique_mois, date_inscription_formation, date_entree_formation, date_fin_formation,
              statut_apprenant, date_metier_mise_a_jour_statut, source, created_at, updated_at)
            select organisme_formateur_id, organisme_responsable_id, organisme_lieu_id, formation_id, annee_scolaire,
              id_erp_apprenant || ${SUFFIXE_DOUBLON}, nom, prenom, date_de_naissance, ${sql.raw(i === 2 ? "null" : "sexe")},
              code_postal, ${sql.raw(i === 1 ? "null" : "code_commune_insee")}, formation_cfd, formation_rncp, libelle_court_formation,
              annee_formation, duree_theorique_mois, date_inscription_formation, date_entree_formation, date_fin_formation,
              ${sql.raw(i === 0 ? "statut_apprenant" : "2")}, date_metier_mise_a_jour_statut, 'DEMO', now() - interval '3 days', now() - interval '3 days'
            from effectifs where id = ${s.id}
            on conflict (organisme_formateur_id, annee_scolaire, id_erp_apprenant) do nothing
            returning id`,
      );
      if (!row) continue;
      const [orig] = await execRows<{ nom: string; prenom: string }>(tx, sql`select nom, prenom from effectifs where id = ${s.id}`);
      await tx.execute(
        sql`update effectifs set nom = ${autreGraphie(orig.nom, true)}, prenom = ${autreGraphie(orig.prenom, i === 1)}, empreinte = null where id = ${row.id}`,
      );
      if (i === 0) {
        await tx.execute(sql`
          insert into contrats (effectif_id, rang, siret_employeur, date_debut, date_fin, date_rupture, cause_rupture)
          select ${row.id}, rang, siret_employeur, date_debut, date_fin, date_rupture, cause_rupture from contrats where effectif_id = ${s.id}`);
      }
      inserted.push(row.id);
    }
    if (inserted.length) await refreshStatutStorage(tx, inserted);
    return inserted.length;
  });
}
