/**
 * Duplicates of a CFA's learners (issue 7, item 5): finding them (rules in doublons.ts), merging two of them or
 * deleting one. Every merge or deletion archives the removed effectif (effectifs_archives: its data, the reason,
 * who, when) and goes through `refreshStatutStorage` in the same transaction, so that the parcours, the periods
 * and the indicator aggregates stay exact.
 *
 * Callers have checked access with `requireEspaceCfa`; these functions check again that every effectif touched
 * belongs to the space (an id typed in a form must not reach another CFA's learner).
 */
import { sql } from "drizzle-orm";
import type { AuthenticatedViewer } from "../auth/policy.server";
import { arrayParam, execRows, type Database, type Executor } from "../../db/client.server";
import { refreshStatutStorage } from "../statut/storage.server";
import { formatDate, pluriel } from "../ui/format";
import { archivesDeLEspace, effectifsDeLEspace, parseId, type EspaceCfa } from "./acces.server";
import { CHAMPS_FUSIONNABLES, LIBELLES_CHAMPS, cleDoublon, fusion, groupesDoublons, validerMotif, type EffectifDoublon, type GroupeDoublons } from "./doublons";

export type Espace = Pick<EspaceCfa, "organismeId" | "organismeIds">;

/** Columns counted for completeness (the fields a merge may fill, plus contacts). */
const COMPLETUDE = CHAMPS_FUSIONNABLES.map((c) => `(e.${c} is not null)::int`).join(" + ");

export interface EffectifDoublonAffiche extends EffectifDoublon {
  /** The formation's name as the other pages show it: the catalogue's, else the one the ERP sent. */
  intituleFormation: string | null;
  organismeFormateur: string;
  dateEntreeFormation: string;
  dateFinFormation: string;
  statutActuel: string | null;
  source: string;
}

export interface GroupeDoublonsAffiche extends Omit<GroupeDoublons, "effectifs"> {
  effectifs: EffectifDoublonAffiche[];
}

/** The groups of duplicates of the space. */
export async function listerDoublons(database: Database, espace: Espace, today = new Date().toISOString().slice(0, 10)): Promise<GroupeDoublonsAffiche[]> {
  const rows = await database.rows<{
    id: number;
    organisme_formateur_id: number;
    organisme_formateur: string;
    annee_scolaire: string;
    id_erp_apprenant: string;
    nom: string;
    prenom: string;
    date_de_naissance: string;
    formation_cfd: string | null;
    formation_rncp: string | null;
    formation_id: number | null;
    libelle_court_formation: string | null;
    intitule_formation: string | null;
    updated_at: unknown;
    nb_contrats: number;
    nb_champs: number;
    date_entree_formation: string;
    date_fin_formation: string;
    statut: string | null;
    source: string;
  }>(sql`
    select e.id, e.organisme_formateur_id, coalesce(o.enseigne, o.raison_sociale) as organisme_formateur, e.annee_scolaire,
           e.id_erp_apprenant, e.nom, e.prenom, e.date_de_naissance::text as date_de_naissance, e.formation_cfd, e.formation_rncp,
           e.formation_id, e.libelle_court_formation, e.updated_at,
           coalesce((select f.intitule_long from formations f where f.id = e.formation_id), e.libelle_court_formation) as intitule_formation,
           (select count(*)::int from contrats c where c.effectif_id = e.id) as nb_contrats,
           (${sql.raw(COMPLETUDE)})::int as nb_champs,
           e.date_entree_formation::text as date_entree_formation, e.date_fin_formation::text as date_fin_formation,
           (select s->>'statut' from jsonb_array_elements(e.parcours) s where s->>'date' <= ${today} order by s->>'date' desc limit 1) as statut,
           e.source
    from effectifs e join organismes o on o.id = e.organisme_formateur_id
    where ${effectifsDeLEspace(espace)}
      and (e.organisme_formateur_id, e.annee_scolaire, e.date_de_naissance) in (
        select e2.organisme_formateur_id, e2.annee_scolaire, e2.date_de_naissance from effectifs e2
        where ${effectifsDeLEspace(espace, "e2")}
        group by 1, 2, 3 having count(*) > 1)`);
  const effectifs: EffectifDoublonAffiche[] = rows.map((r) => ({
    id: r.id,
    organismeFormateurId: r.organisme_formateur_id,
    organismeFormateur: r.organisme_formateur,
    anneeScolaire: r.annee_scolaire,
    idErpApprenant: r.id_erp_apprenant,
    nom: r.nom,
    prenom: r.prenom,
    dateDeNaissance: r.date_de_naissance,
    formationCfd: r.formation_cfd,
    formationRncp: r.formation_rncp,
    formationId: r.formation_id,
    libelleCourtFormation: r.libelle_court_formation,
    intituleFormation: r.intitule_formation,
    updatedAt: new Date(r.updated_at as string).toISOString(),
    nbContrats: r.nb_contrats,
    nbChampsRenseignes: r.nb_champs,
    dateEntreeFormation: r.date_entree_formation,
    dateFinFormation: r.date_fin_formation,
    statutActuel: r.statut,
    source: r.source,
  }));
  return groupesDoublons(effectifs) as GroupeDoublonsAffiche[];
}

/** Number of duplicate groups of the space (home page alert). */
export async function compterDoublons(database: Database, espace: Espace): Promise<number> {
  return (await listerDoublons(database, espace)).length;
}

// ---------------------------------------------------------------------------------------------- archive

export class OperationRefusee extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

interface LigneEffectif extends Record<string, unknown> {
  id: number;
  organisme_formateur_id: number;
  organisme_responsable_id: number;
  annee_scolaire: string;
  id_erp_apprenant: string;
  nom: string;
  prenom: string;
  date_de_naissance: string;
}

/** The effectif rows (every column, dates as text), locked, if they belong to the space. */
async function lireEffectifs(tx: Executor, espace: Espace, ids: number[]): Promise<Map<number, LigneEffectif>> {
  const rows = await execRows<{ row: LigneEffectif | string }>(
    tx,
    sql`select to_jsonb(e) as row from effectifs e
        where e.id = any(${arrayParam(ids)}::int[]) and ${effectifsDeLEspace(espace)}
        order by e.id for update`,
  );
  const map = new Map<number, LigneEffectif>();
  for (const r of rows) {
    const row = (typeof r.row === "string" ? JSON.parse(r.row) : r.row) as LigneEffectif;
    map.set(Number(row.id), row);
  }
  return map;
}

async function archiver(
  tx: Executor,
  viewer: AuthenticatedViewer,
  espace: Espace,
  effectif: LigneEffectif,
  operation: { type: "suppression" | "fusion"; motif: string; conserveId?: number; champsRepris?: string[] },
): Promise<number> {
  const [contrats, statuts] = await Promise.all([
    execRows<{ rows: unknown }>(tx, sql`select coalesce(jsonb_agg(to_jsonb(c) order by c.rang), '[]'::jsonb) as rows from contrats c where c.effectif_id = ${effectif.id}`),
    execRows<{ rows: unknown }>(
      tx,
      sql`select coalesce(jsonb_agg(to_jsonb(s) order by s.id), '[]'::jsonb) as rows from effectif_statuts_erp s where s.effectif_id = ${effectif.id}`,
    ),
  ]);
  const parse = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
  const donnees = { effectif, contrats: parse(contrats[0]?.rows) ?? [], statutsErp: parse(statuts[0]?.rows) ?? [] };
  const champs = operation.champsRepris ?? [];
  const [row] = await execRows<{ id: number }>(
    tx,
    sql`insert into effectifs_archives (operation, effectif_id, organisme_id, organisme_formateur_id, organisme_responsable_id,
          annee_scolaire, id_erp_apprenant, nom, prenom, date_de_naissance, donnees, motif, effectif_conserve_id, champs_repris,
          user_id, user_email)
        values (${operation.type}, ${effectif.id}, ${espace.organismeId}, ${effectif.organisme_formateur_id}, ${effectif.organisme_responsable_id},
          ${effectif.annee_scolaire}, ${effectif.id_erp_apprenant}, ${effectif.nom}, ${effectif.prenom}, ${String(effectif.date_de_naissance).slice(0, 10)}::date,
          ${JSON.stringify(donnees)}::jsonb, ${operation.motif}, ${operation.conserveId ?? null},
          ${arrayParam(champs)}::text[], ${viewer.userId}, ${viewer.user.email})
        returning id`,
  );
  return row.id;
}

export interface ResultatSuppression {
  archiveId: number;
  effectifId: number;
  nom: string;
  prenom: string;
}

/** Deletes one effectif of the space, archived with its reason. */
export async function supprimerEffectif(
  database: Database,
  viewer: AuthenticatedViewer,
  espace: Espace,
  effectifId: number,
  motif: string,
): Promise<ResultatSuppression> {
  return database.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Executor;
    const effectif = (await lireEffectifs(tx, espace, [effectifId])).get(effectifId);
    if (!effectif) throw new OperationRefusee("Cet apprenant n'existe pas ou a déjà été supprimé.", 404);
    const archiveId = await archiver(tx, viewer, espace, effectif, { type: "suppression", motif });
    await tx.execute(sql`delete from effectifs where id = ${effectifId}`);
    await refreshStatutStorage(tx, [effectifId]);
    return { archiveId, effectifId, nom: effectif.nom, prenom: effectif.prenom };
  });
}

export interface ResultatRetablissement {
  effectifId: number;
  nom: string;
  prenom: string;
}

/** Columns whose archived value may point to a row that has gone since: they come back null then. */
const REFERENCES_FACULTATIVES: Record<string, string> = {
  last_transmission_id: "transmissions",
  formation_id: "formations",
  organisme_lieu_id: "organismes",
};

/**
 * Undoes a suppression of the space: the archived effectif comes back under its id with its contracts and its ERP
 * statut history, its parcours, periods and aggregates refreshed in the same transaction; the archive entry keeps
 * when, who and why, and the ERP's resends of this learner are accepted again (and written: no fingerprint). A
 * merge is not undone: its fields and contracts went to the kept effectif.
 */
export async function retablirEffectif(
  database: Database,
  viewer: AuthenticatedViewer,
  espace: Espace,
  archiveId: number,
  motif: string,
): Promise<ResultatRetablissement> {
  return database.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Executor;
    const [a] = await execRows<{
      operation: "suppression" | "fusion";
      effectif_id: number;
      organisme_formateur_id: number;
      annee_scolaire: string;
      id_erp_apprenant: string;
      nom: string;
      prenom: string;
      donnees: unknown;
      retabli_at: Date | string | null;
    }>(
      tx,
      sql`select a.operation, a.effectif_id, a.organisme_formateur_id, a.annee_scolaire, a.id_erp_apprenant, a.nom, a.prenom,
                 a.donnees, a.retabli_at
          from effectifs_archives a
          where a.id = ${archiveId} and ${archivesDeLEspace(espace)}
          for update`,
    );
    if (!a) throw new OperationRefusee("Cette fiche archivée n'existe pas dans l'espace de cet organisme.", 404);
    if (a.operation !== "suppression") {
      throw new OperationRefusee(
        "Une fusion ne peut pas être annulée : les informations de la fiche archivée ont été reprises par la fiche conservée.",
        409,
      );
    }
    if (a.retabli_at) throw new OperationRefusee(`${a.nom} ${a.prenom} a déjà été rétabli le ${formatDate(a.retabli_at)}.`, 409);
    const [existant] = await execRows<{ id: number }>(
      tx,
      sql`select id from effectifs where organisme_formateur_id = ${a.organisme_formateur_id} and annee_scolaire = ${a.annee_scolaire}
          and id_erp_apprenant = ${a.id_erp_apprenant}`,
    );
    if (existant) {
      throw new OperationRefusee(
        `Un apprenant de même identifiant ERP (${a.id_erp_apprenant}) existe déjà pour ${a.annee_scolaire} dans cet établissement : ` +
          "la fiche archivée ne peut pas être rétablie à côté de lui.",
        409,
      );
    }
    const donnees = (typeof a.donnees === "string" ? JSON.parse(a.donnees) : a.donnees) as {
      effectif: Record<string, unknown>;
      contrats: unknown[];
      statutsErp: unknown[];
    };
    // the archived row's columns that the table still has (a column added since comes back with its default)
    const colonnes = (
      await execRows<{ column_name: string }>(
        tx,
        sql`select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'effectifs'
            order by ordinal_position`,
      )
    )
      .map((c) => c.column_name)
      .filter((c) => c !== "empreinte" && c !== "updated_at" && Object.hasOwn(donnees.effectif, c));
    const valeurs = colonnes.map((c) =>
      REFERENCES_FACULTATIVES[c]
        ? sql.raw(`(select r.id from ${REFERENCES_FACULTATIVES[c]} r where r.id = x."${c}")`)
        : sql.raw(`x."${c}"`),
    );
    await tx.execute(sql`
      insert into effectifs (${sql.raw(colonnes.map((c) => `"${c}"`).join(", "))}, updated_at)
      select ${sql.join(valeurs, sql`, `)}, now() from jsonb_populate_record(null::effectifs, ${JSON.stringify(donnees.effectif)}::jsonb) x`);
    await tx.execute(sql`
      insert into contrats (effectif_id, rang, siret_employeur, date_debut, date_fin, date_rupture, cause_rupture)
      select ${a.effectif_id}, x.rang, x.siret_employeur, x.date_debut, x.date_fin, x.date_rupture, x.cause_rupture
      from jsonb_populate_recordset(null::contrats, ${JSON.stringify(donnees.contrats ?? [])}::jsonb) x order by x.rang`);
    await tx.execute(sql`
      insert into effectif_statuts_erp (effectif_id, statut_apprenant, date_metier_mise_a_jour_statut, received_at)
      select ${a.effectif_id}, x.statut_apprenant, x.date_metier_mise_a_jour_statut, x.received_at
      from jsonb_populate_recordset(null::effectif_statuts_erp, ${JSON.stringify(donnees.statutsErp ?? [])}::jsonb) x order by x.id`);
    await tx.execute(sql`
      update effectifs_archives set retabli_at = now(), retabli_par = ${viewer.user.email}, motif_retablissement = ${motif}
      where id = ${archiveId}`);
    await refreshStatutStorage(tx, [a.effectif_id]);
    return { effectifId: a.effectif_id, nom: a.nom, prenom: a.prenom };
  });
}

export interface ResultatFusion {
  archiveId: number;
  conserveId: number;
  supprimeId: number;
  /** French labels of the fields the kept effectif took. */
  champsRepris: string[];
  contratsRepris: boolean;
}

/**
 * Merges `supprimeId` into `conserveId` (two duplicates of one group): the kept effectif takes the fields it
 * lacks and, when it has none, the other's contracts; the ERP statut history of both is kept on it; the other is
 * archived (operation "fusion") and deleted.
 */
export async function fusionnerEffectifs(
  database: Database,
  viewer: AuthenticatedViewer,
  espace: Espace,
  conserveId: number,
  supprimeId: number,
  motif: string,
): Promise<ResultatFusion> {
  return database.db.transaction((transaction) => fusionnerDans(transaction as unknown as Executor, viewer, espace, conserveId, supprimeId, motif));
}

export interface ResultatFusionGroupe {
  /** Effectifs merged into the kept one. */
  nbFusionnes: number;
  /** French labels of the fields the kept effectif took, "contrats" when it took the others' contracts. */
  repris: string[];
}

/**
 * Merges every other effectif of a group into `conserveId`, all or nothing: one transaction, so that a refusal on
 * the second (already merged in another tab, not a duplicate) leaves the first unmerged too, as the page says.
 */
export async function fusionnerGroupe(
  database: Database,
  viewer: AuthenticatedViewer,
  espace: Espace,
  conserveId: number,
  autres: readonly number[],
  motif: string,
): Promise<ResultatFusionGroupe> {
  const ids = [...new Set(autres)].filter((id) => id !== conserveId);
  if (ids.length === 0) throw new OperationRefusee("Choisissez l'apprenant à conserver.");
  return database.db.transaction(async (transaction) => {
    const champs = new Set<string>();
    let contrats = false;
    for (const autre of ids) {
      const r = await fusionnerDans(transaction as unknown as Executor, viewer, espace, conserveId, autre, motif);
      r.champsRepris.forEach((c) => champs.add(c));
      contrats ||= r.contratsRepris;
    }
    return { nbFusionnes: ids.length, repris: [...champs, ...(contrats ? ["contrats"] : [])] };
  });
}

async function fusionnerDans(
  tx: Executor,
  viewer: AuthenticatedViewer,
  espace: Espace,
  conserveId: number,
  supprimeId: number,
  motif: string,
): Promise<ResultatFusion> {
  if (conserveId === supprimeId) throw new OperationRefusee("Choisissez deux apprenants différents à fusionner.");
  const rows = await lireEffectifs(tx, espace, [conserveId, supprimeId]);
  const conserve = rows.get(conserveId);
  const autre = rows.get(supprimeId);
  if (!conserve || !autre) throw new OperationRefusee("L'un de ces apprenants n'existe pas ou a déjà été supprimé : rechargez la page.", 404);
  const counts = await execRows<{ effectif_id: number; n: number }>(
    tx,
    sql`select effectif_id, count(*)::int as n from contrats where effectif_id in (${conserveId}, ${supprimeId}) group by 1`,
  );
  const n = (id: number) => counts.find((c) => Number(c.effectif_id) === id)?.n ?? 0;
  const cle = (e: LigneEffectif) =>
    cleDoublon({
      id: e.id,
      organismeFormateurId: e.organisme_formateur_id,
      anneeScolaire: e.annee_scolaire,
      idErpApprenant: e.id_erp_apprenant,
      nom: e.nom,
      prenom: e.prenom,
      dateDeNaissance: String(e.date_de_naissance),
      formationCfd: (e.formation_cfd as string | null) ?? null,
      formationRncp: (e.formation_rncp as string | null) ?? null,
      formationId: (e.formation_id as number | null) ?? null,
      libelleCourtFormation: (e.libelle_court_formation as string | null) ?? null,
      updatedAt: "",
      nbContrats: 0,
      nbChampsRenseignes: 0,
    });
  const k = cle(conserve);
  if (k === null || k !== cle(autre)) {
    throw new OperationRefusee(
      "Ces deux apprenants ne sont pas des doublons (nom, prénom, date de naissance, formation et année scolaire différents) : ils ne peuvent pas être fusionnés.",
      409,
    );
  }
  const f = fusion(conserve, autre, { conserve: n(conserveId), autre: n(supprimeId) });
  const champs = Object.keys(f.champs);
  const archiveId = await archiver(tx, viewer, espace, autre, {
    type: "fusion",
    motif,
    conserveId,
    champsRepris: [...champs, ...(f.reprendContrats ? ["contrats"] : [])],
  });
  if (champs.length) {
    await tx.execute(sql`
      update effectifs e set ${sql.join(
        champs.map((c) => sql`${sql.raw(c)} = x.${sql.raw(c)}`),
        sql`, `,
      )}, updated_at = now()
      from jsonb_populate_record(null::effectifs, ${JSON.stringify(f.champs)}::jsonb) as x
      where e.id = ${conserveId}`);
  }
  if (f.reprendContrats) {
    await tx.execute(sql`update contrats set effectif_id = ${conserveId} where effectif_id = ${supprimeId}`);
  }
  // the kept learner no longer is what its ERP last sent: its next resend is written again (decision 009)
  await tx.execute(sql`update effectifs set empreinte = null where id = ${conserveId}`);
  // the ERP statut history of both learners stays, on the kept one (without exact repeats)
  await tx.execute(sql`
    update effectif_statuts_erp s set effectif_id = ${conserveId}
    where s.effectif_id = ${supprimeId} and not exists (
      select 1 from effectif_statuts_erp k where k.effectif_id = ${conserveId} and k.statut_apprenant = s.statut_apprenant
        and k.date_metier_mise_a_jour_statut is not distinct from s.date_metier_mise_a_jour_statut)`);
  await tx.execute(sql`delete from effectifs where id = ${supprimeId}`);
  await refreshStatutStorage(tx, [conserveId, supprimeId]);
  return {
    archiveId,
    conserveId,
    supprimeId,
    champsRepris: champs.map((c) => LIBELLES_CHAMPS[c as keyof typeof LIBELLES_CHAMPS] ?? c),
    contratsRepris: f.reprendContrats,
  };
}

export interface ArchiveAffichee {
  id: number;
  operation: "suppression" | "fusion";
  effectifId: number;
  nom: string;
  prenom: string;
  dateDeNaissance: string;
  idErpApprenant: string;
  anneeScolaire: string;
  motif: string;
  effectifConserveId: number | null;
  champsRepris: string[];
  userEmail: string;
  createdAt: string;
  /** A suppression undone: when, by whom, why. */
  retablissement: { at: string; par: string; motif: string } | null;
}

/**
 * Why an effectif of the space is gone, for a link to its record that no longer opens: its latest archive entry
 * (deletion not undone, or merge), in French; null when the space never archived it.
 */
export async function motifDisparition(database: Database, espace: Espace, effectifId: number): Promise<string | null> {
  const [a] = await database.rows<{ operation: "suppression" | "fusion"; nom: string; prenom: string; motif: string; user_email: string; created_at: unknown; effectif_conserve_id: number | null }>(sql`
    select a.operation, a.nom, a.prenom, a.motif, a.user_email, a.created_at, a.effectif_conserve_id from effectifs_archives a
    where a.effectif_id = ${effectifId} and a.retabli_at is null and ${archivesDeLEspace(espace)}
    order by a.created_at desc, a.id desc limit 1`);
  if (!a) return null;
  const quand = `le ${formatDate(new Date(a.created_at as string))} par ${a.user_email} (motif : ${a.motif})`;
  return a.operation === "fusion"
    ? `La fiche de ${a.nom} ${a.prenom} a été fusionnée ${quand} dans la fiche n° ${a.effectif_conserve_id}, qui reste consultable.`
    : `${a.nom} ${a.prenom} a été supprimé ${quand}. Vous pouvez rétablir sa fiche depuis la page Doublons de l'espace CFA.`;
}

export const ARCHIVES_PAR_PAGE = 20;

/** One page of the archived effectifs of the space, latest first (the log of merges and deletions). */
export async function archivesRecentes(
  database: Database,
  espace: Espace,
  page = 1,
): Promise<{ archives: ArchiveAffichee[]; total: number; page: number; pages: number }> {
  const where = archivesDeLEspace(espace);
  const [{ total }] = await database.rows<{ total: number }>(sql`select count(*)::int as total from effectifs_archives a where ${where}`);
  const pages = Math.max(1, Math.ceil(total / ARCHIVES_PAR_PAGE));
  const courante = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  const rows = await database.rows<{
    id: number;
    operation: "suppression" | "fusion";
    effectif_id: number;
    nom: string;
    prenom: string;
    date_de_naissance: string;
    id_erp_apprenant: string;
    annee_scolaire: string;
    motif: string;
    effectif_conserve_id: number | null;
    champs_repris: string[] | string;
    user_email: string;
    created_at: unknown;
    retabli_at: unknown;
    retabli_par: string | null;
    motif_retablissement: string | null;
  }>(sql`
    select a.id, a.operation, a.effectif_id, a.nom, a.prenom, a.date_de_naissance::text as date_de_naissance, a.id_erp_apprenant,
           a.annee_scolaire, a.motif, a.effectif_conserve_id, a.champs_repris, a.user_email, a.created_at,
           a.retabli_at, a.retabli_par, a.motif_retablissement
    from effectifs_archives a
    where ${where}
    order by a.created_at desc, a.id desc limit ${ARCHIVES_PAR_PAGE} offset ${(courante - 1) * ARCHIVES_PAR_PAGE}`);
  const archives = rows.map((r) => ({
    id: r.id,
    operation: r.operation,
    effectifId: r.effectif_id,
    nom: r.nom,
    prenom: r.prenom,
    dateDeNaissance: r.date_de_naissance,
    idErpApprenant: r.id_erp_apprenant,
    anneeScolaire: r.annee_scolaire,
    motif: r.motif,
    effectifConserveId: r.effectif_conserve_id,
    champsRepris: (Array.isArray(r.champs_repris) ? r.champs_repris : String(r.champs_repris).replace(/^\{|\}$/g, "").split(",").filter(Boolean)).map(
      (c) => (c === "contrats" ? "contrats" : (LIBELLES_CHAMPS[c as keyof typeof LIBELLES_CHAMPS] ?? c)),
    ),
    userEmail: r.user_email,
    createdAt: new Date(r.created_at as string).toISOString(),
    retablissement: r.retabli_at
      ? { at: new Date(r.retabli_at as string).toISOString(), par: r.retabli_par ?? "", motif: r.motif_retablissement ?? "" }
      : null,
  }));
  return { archives, total, page: courante, pages };
}

// --------------------------------------------------------------------------------------------- the page's form

/**
 * `erreurs`: the fields a refusal is about (all of them at once), in the form `formulaire` (the id of its motif field:
 * the page has one form per group and per archive), each marked in error under its field.
 */
export type ChampDoublons = "motif" | "effectif";
export type ActionDoublons = { ok: boolean; message: string; erreurs?: Partial<Record<ChampDoublons, string>>; formulaire?: string };

/** A refusal naming every field to correct: the alert says them all, each field shows its own. */
function refus(formulaire: string, erreurs: Partial<Record<ChampDoublons, string>>): ActionDoublons {
  const messages = Object.values(erreurs);
  const message = messages.length === 1 ? messages[0]! : `${messages.length} champs à corriger : ${messages.join(" ")}`;
  return { ok: false, message, erreurs, formulaire };
}

/**
 * The doublons page's form (intent fusionner, supprimer or retablir, with its motif): done, or refused with the
 * fields to correct (all at once) or the reason the operation was refused (OperationRefusee).
 */
export async function actionDoublons(database: Database, espace: EspaceCfa, form: FormData): Promise<ActionDoublons> {
  const formulaire = String(form.get("formulaire") ?? "");
  const motif = validerMotif(form.get("motif"));
  const intent = form.get("intent");
  // the sheet to delete is checked with the motif: both refusals are said at once
  const effectif = intent === "supprimer" ? parseId(String(form.get("effectif") ?? "")) : null;
  const erreurs: Partial<Record<ChampDoublons, string>> = {};
  if (intent === "supprimer" && effectif === null) erreurs.effectif = "Choisissez la fiche à supprimer.";
  if (!motif.ok) erreurs.motif = motif.message;
  if (!motif.ok || erreurs.effectif) return refus(formulaire, erreurs);
  try {
    if (intent === "fusionner") {
      const conserve = parseId(String(form.get("conserve") ?? ""));
      const autres = String(form.get("groupe") ?? "")
        .split(",")
        .map((s) => parseId(s.trim()))
        .filter((id): id is number => id !== null && id !== conserve);
      if (conserve === null || autres.length === 0) return { ok: false, message: "Choisissez l'apprenant à conserver." };
      const { nbFusionnes, repris } = await fusionnerGroupe(database, espace.viewer, espace, conserve, autres, motif.motif);
      return {
        ok: true,
        message:
          `${pluriel(nbFusionnes, "doublon fusionné", "doublons fusionnés")} et archivé${nbFusionnes > 1 ? "s" : ""}` +
          (repris.length ? ` ; informations reprises : ${repris.join(", ")}.` : " ; aucune information à reprendre.") +
          " Les prochains envois des dossiers fusionnés seront refusés, avec l'identifiant à utiliser : retirez-les aussi de votre ERP ou de vos fichiers.",
      };
    }
    if (intent === "supprimer" && effectif !== null) {
      const r = await supprimerEffectif(database, espace.viewer, espace, effectif, motif.motif);
      return {
        ok: true,
        message: `${r.nom} ${r.prenom} a été supprimé et archivé avec le motif indiqué. Ses prochains envois seront refusés : retirez-la aussi de votre ERP ou de vos fichiers.`,
      };
    }
    if (intent === "retablir") {
      const id = parseId(String(form.get("archive") ?? ""));
      if (id === null) return { ok: false, message: "Choisissez la fiche à rétablir." };
      const r = await retablirEffectif(database, espace.viewer, espace, id, motif.motif);
      return {
        ok: true,
        message: `${r.nom} ${r.prenom} a été rétabli avec ses contrats ; les prochains envois de votre ERP pour cet apprenant seront de nouveau acceptés.`,
      };
    }
  } catch (error) {
    if (error instanceof OperationRefusee) return { ok: false, message: error.message };
    throw error;
  }
  return { ok: false, message: "Action inconnue." };
}
