/**
 * The CFA space (issue 7): the space's header (layout), its home page (identity, transmission, headline counters,
 * alerts), the choice of a space (/cfa), the API key page and the formateurs of a responsable.
 * Callers have checked access with `requireEspaceCfa` (acces.server.ts).
 */
import { sql } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import { organismesTransmis, transmetDesEffectifs, type AuthenticatedViewer } from "../auth/policy.server";
import { getOrganisation } from "../auth/organisations.server";
import { frenchSortKeys, orderBy } from "../referentiel/repertoire.server";
import { issueApiKey, listApiKeys, revokeApiKey } from "../ingestion/api-keys.server";
import { indicateurs, type Compteurs } from "../indicateurs/indicateurs.server";
import { foldSql, foldText, fraicheurOf, getOrganisme, type OrganismeDetail } from "../referentiel/repertoire.server";
import type { Fraicheur } from "../referentiel/filtres.server";
import { anneeScolaireOf, anneesScolairesComptees, todayIso } from "../statut/annee-scolaire";
import { scopeDeLEspace, type EspaceCfa } from "./acces.server";
import { compterDoublons } from "./doublons.server";
import { normaliserErp } from "./erp";
import { NIVEAUX_QUALITE } from "./qualite";
import { qualiteCfa } from "./qualite.server";
import { refusesACorrigerSql, refusesRecents } from "./transmissions.server";
import { pluriel } from "../ui/format";

// ---------------------------------------------------------------------------------------------- layout

export interface EnteteEspace {
  id: number;
  nom: string;
  raisonSociale: string;
  siret: string;
  uai: string | null;
  nature: string;
  nbFormateurs: number;
  /** The viewer may open other spaces (national admin, or a responsable's user on a formateur's space). */
  autresEspaces: boolean;
  /** The responsable's space this formateur's space was reached from (for the viewer), if any. */
  responsable: { id: number; nom: string } | null;
}

export async function enteteEspace(database: Database, espace: EspaceCfa): Promise<EnteteEspace> {
  const [o] = await database.rows<{ id: number; raison_sociale: string; enseigne: string | null; siret: string; uai: string | null; nature: string }>(
    sql`select id, raison_sociale, enseigne, siret, uai, nature from organismes where id = ${espace.organismeId}`,
  );
  const viewerIds = organismesTransmis(espace.viewer);
  const responsables = await database.rows<{ id: number; nom: string }>(sql`
    select o.id, coalesce(o.enseigne, o.raison_sociale) as nom from organisme_relations r join organismes o on o.id = r.responsable_id
    where r.formateur_id = ${espace.organismeId} order by o.id`);
  const responsable = responsables.find((r) => viewerIds === null || viewerIds.includes(r.id)) ?? null;
  return {
    id: o.id,
    nom: o.enseigne ?? o.raison_sociale,
    raisonSociale: o.raison_sociale,
    siret: o.siret,
    uai: o.uai,
    nature: o.nature,
    nbFormateurs: espace.organismeIds.length - 1,
    autresEspaces: viewerIds === null || viewerIds.length > 1,
    responsable,
  };
}

// ---------------------------------------------------------------------------------------------- /cfa

export interface EspaceProposable {
  id: number;
  raisonSociale: string;
  enseigne: string | null;
  siret: string;
  uai: string | null;
  nature: string;
  commune: string | null;
  fraicheur: Fraicheur;
}

export type ChoixEspace =
  | { kind: "redirection"; organismeId: number }
  | { kind: "liste"; organismes: EspaceProposable[]; recherche: string | null; admin: boolean; total: number }
  | { kind: "aucun" }
  | { kind: "interdit" };

function proposable(r: Record<string, unknown>, now: Date): EspaceProposable {
  return {
    id: Number(r.id),
    raisonSociale: String(r.raison_sociale),
    enseigne: (r.enseigne as string | null) ?? null,
    siret: String(r.siret),
    uai: (r.uai as string | null) ?? null,
    nature: String(r.nature),
    commune: (r.commune as string | null) ?? null,
    fraicheur: fraicheurOf(r.last_transmission_at as string | null, now),
  };
}

/**
 * Where /cfa leads: a CFA user to its organisme's space (a choice when its SIRET carries several UAIs), a
 * national admin to a search among all organismes, anyone else nowhere (403).
 */
export async function choixEspace(database: Database, viewer: AuthenticatedViewer, recherche: string | null, now = new Date()): Promise<ChoixEspace> {
  const ids = organismesTransmis(viewer);
  const select = sql`select o.id, o.raison_sociale, o.enseigne, o.siret, o.uai, o.nature, c.nom as commune, o.last_transmission_at
    from organismes o left join communes c on c.code = o.code_commune`;
  if (ids === null) {
    const q = recherche?.trim() ?? "";
    if (!q) return { kind: "liste", organismes: [], recherche: null, admin: true, total: 0 };
    const digits = q.replace(/[\s.]/g, "");
    const folded = `%${foldText(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = sql`(o.siret like ${`${digits}%`} or upper(coalesce(o.uai, '')) = ${q.toUpperCase()}
      or ${foldSql(sql`o.raison_sociale || ' ' || coalesce(o.enseigne, '')`)} like ${folded})
      and o.nature <> 'lieu'`;
    const rows = await database.rows<Record<string, unknown>>(sql`${select} where ${where} order by ${orderBy(frenchSortKeys(sql`o.raison_sociale`), "asc", [sql`o.id`])} limit 50`);
    const [{ n }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from organismes o where ${where}`);
    return { kind: "liste", organismes: rows.map((r) => proposable(r, now)), recherche: q, admin: true, total: n };
  }
  if (!transmetDesEffectifs(viewer)) return { kind: "interdit" };
  if (ids.length === 0) return { kind: "aucun" };
  const organisation = await getOrganisation(database, viewer.user.organisationId);
  const rows = await database.rows<Record<string, unknown>>(
    sql`${select} where o.id = any(${arrayParam(ids)}::int[]) order by ${orderBy(frenchSortKeys(sql`o.raison_sociale`), "asc", [sql`o.id`])}`,
  );
  const propres = rows.filter((r) => r.siret === organisation?.siret && (!organisation?.uai || r.uai === organisation.uai));
  if (propres.length === 1) return { kind: "redirection", organismeId: Number(propres[0].id) };
  return { kind: "liste", organismes: (propres.length ? propres : rows).map((r) => proposable(r, now)), recherche: null, admin: false, total: rows.length };
}

// ---------------------------------------------------------------------------------------------- home

export type Alerte = {
  niveau: "error" | "warning" | "info";
  titre: string;
  description: string;
  lien?: { texte: string; href: string };
};

export interface AccueilCfa {
  organisme: OrganismeDetail;
  date: string;
  anneeScolaire: string;
  compteurs: Compteurs;
  cleActive: { prefix: string; createdAt: string; lastUsedAt: string | null } | null;
  qualite: { score: number; niveau: string; libelle: string; badge: string; total: number };
  doublons: number;
  refuses7j: number;
  alertes: Alerte[];
  /**
   * The latest transmission that counts for the organisme (sent by it, or for it by its responsable: decision 022),
   * whatever its channel: the mode and ERP above say the usual channel, this one what came last.
   */
  derniereTransmission: DerniereTransmission | null;
}

export interface DerniereTransmission {
  receivedAt: string;
  source: "API" | "FICHIER";
  erp: string | null;
  fileName: string | null;
  /** The sender when it is not the organisme (its responsable). */
  expediteur: string | null;
}

/** The latest transmission that counts for the organisme (`transmission_organismes`), or null. */
export async function derniereTransmission(database: Database, organismeId: number): Promise<DerniereTransmission | null> {
  const [r] = await database.rows<{ received_at: unknown; source: "API" | "FICHIER"; erp: string | null; file_name: string | null; expediteur: string | null }>(sql`
    select t.received_at, t.source, t.erp, t.file_name,
           case when t.organisme_id <> ${organismeId} then coalesce(o.enseigne, o.raison_sociale) end as expediteur
    from transmission_organismes l
    join transmissions t on t.id = l.transmission_id
    join organismes o on o.id = t.organisme_id
    where l.organisme_id = ${organismeId}
    order by l.received_at desc, t.id desc
    limit 1`);
  if (!r) return null;
  return {
    receivedAt: new Date(r.received_at as string).toISOString(),
    source: r.source,
    erp: r.erp,
    fileName: r.file_name,
    expediteur: r.expediteur,
  };
}

export async function accueilCfa(database: Database, espace: EspaceCfa, now = new Date()): Promise<AccueilCfa> {
  const base = `/cfa/${espace.organismeId}`;
  const date = todayIso(now);
  const organisme = (await getOrganisme(database, espace.organismeId, now))!;
  const [resultat, cles, qualite, doublons, recents, derniere] = await Promise.all([
    // the space's counters count its learners' list: within the viewer's scope (decision 017)
    indicateurs(database, { date, scope: scopeDeLEspace(espace), today: date }),
    listApiKeys(database, espace.organismeId),
    qualiteCfa(database, espace, { today: date, parPage: 1 }),
    compterDoublons(database, espace),
    refusesRecents(database, [espace.organismeId], { jours: 7, now }),
    derniereTransmission(database, espace.organismeId),
  ]);
  const active = cles.find((k) => k.revoked_at === null);
  const alertes: Alerte[] = [];
  if (organisme.fraicheur === "jamais") {
    alertes.push({
      niveau: "warning",
      titre: "Aucune transmission reçue",
      description:
        "Vos effectifs n'ont encore jamais été transmis : connectez votre ERP avec une clé d'API, ou téléversez un fichier de vos apprenants.",
      lien: { texte: "Connecter mon ERP", href: `${base}/cle-api` },
    });
  } else if (organisme.fraicheur === "ancienne") {
    alertes.push({
      niveau: "error",
      titre: "Données anciennes",
      description: `Votre dernière transmission date de plus de trois mois : vos effectifs ne sont plus à jour dans le tableau de bord. Vérifiez la connexion de votre ERP ou téléversez un fichier récent.`,
      lien: { texte: "Voir les transmissions", href: `${base}/transmissions` },
    });
  } else if (organisme.fraicheur === "vieillissante") {
    alertes.push({
      niveau: "warning",
      titre: "Données à actualiser",
      description: "Votre dernière transmission date de plus d'une semaine : vos effectifs sont habituellement transmis chaque nuit par votre ERP.",
      lien: { texte: "Voir les transmissions", href: `${base}/transmissions` },
    });
  }
  if (recents.refuses > 0) {
    alertes.push({
      niveau: "error",
      titre: `${pluriel(recents.refuses, "dossier refusé", "dossiers refusés")} à corriger (7 derniers jours)`,
      description: `Le dernier dossier transmis de ces apprenants a été refusé (${pluriel(recents.avec_refus, "transmission", "transmissions")}) et n'a pas été accepté depuis : ils ne sont pas à jour. Chaque erreur est expliquée avec la façon de la corriger, dans votre ERP ou dans votre fichier ; un dossier corrigé et renvoyé sort de ce décompte.`,
      lien: { texte: "Corriger les erreurs", href: `${base}/transmissions` },
    });
  }
  if (doublons > 0) {
    alertes.push({
      niveau: "warning",
      titre: `${pluriel(doublons, "doublon probable", "doublons probables")}`,
      description: "Des apprenants semblent avoir été transmis deux fois sous des identifiants différents : ils sont comptés deux fois.",
      lien: { texte: "Traiter les doublons", href: `${base}/doublons` },
    });
  }
  if (qualite.total > 0 && (qualite.niveau === "a_ameliorer" || qualite.niveau === "insuffisante")) {
    alertes.push({
      niveau: "warning",
      titre: "Qualité des données à améliorer",
      description: `${pluriel(qualite.avecAnomalie, "dossier d'apprenant a", "dossiers d'apprenants ont")} des informations manquantes ou douteuses (sexe, commune, dates de contrat, code de formation).`,
      lien: { texte: "Voir la qualité des données", href: `${base}/qualite` },
    });
  }
  if (!active && organisme.mode_transmission !== "FICHIER" && organisme.fraicheur !== "jamais") {
    alertes.push({
      niveau: "info",
      titre: "Aucune clé d'API active",
      description: "Votre organisme n'a pas de clé d'API active : votre ERP ne peut pas transmettre automatiquement.",
      lien: { texte: "Générer une clé", href: `${base}/cle-api` },
    });
  }
  const niveau = NIVEAUX_QUALITE[qualite.niveau];
  return {
    organisme,
    date,
    anneeScolaire: anneeScolaireOf(date),
    compteurs: resultat.compteurs,
    cleActive: active ? { prefix: active.prefix, createdAt: active.created_at, lastUsedAt: active.last_used_at } : null,
    qualite: { score: qualite.score, niveau: qualite.niveau, libelle: niveau.libelle, badge: niveau.badge, total: qualite.total },
    doublons,
    refuses7j: recents.refuses,
    alertes,
    derniereTransmission: derniere,
  };
}

// ---------------------------------------------------------------------------------------------- API key

export interface CleApi {
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
}

export interface PageCleApi {
  erp: string | null;
  modeTransmission: string | null;
  active: CleApi | null;
  historique: CleApi[];
}

function iso(v: string | null): string | null {
  return v === null ? null : new Date(v).toISOString();
}

export async function pageCleApi(database: Database, organismeId: number): Promise<PageCleApi> {
  const [o] = await database.rows<{ erp: string | null; mode_transmission: string | null }>(
    sql`select erp, mode_transmission from organismes where id = ${organismeId}`,
  );
  const cles = (await listApiKeys(database, organismeId)).map((k) => ({
    prefix: k.prefix,
    createdAt: iso(k.created_at)!,
    lastUsedAt: iso(k.last_used_at),
    revokedAt: iso(k.revoked_at),
    revokedReason: k.revoked_reason,
  }));
  return { erp: o?.erp ?? null, modeTransmission: o?.mode_transmission ?? null, active: cles.find((k) => k.revokedAt === null) ?? null, historique: cles.slice(0, 10) };
}

/** Issues (or rotates) the organisme's key: the key is returned once, never stored in clear. */
export async function genererCle(database: Database, organismeId: number): Promise<{ key: string; prefix: string }> {
  return issueApiKey(database, organismeId);
}

export async function revoquerCle(database: Database, organismeId: number): Promise<number> {
  return revokeApiKey(database, organismeId);
}

/** Records the ERP the CFA declares (null: unset). */
export async function choisirErp(database: Database, organismeId: number, erp: string | null): Promise<string | null> {
  const value = normaliserErp(erp);
  await database.db.execute(sql`update organismes set erp = ${value}, updated_at = now() where id = ${organismeId}`);
  return value;
}

// ---------------------------------------------------------------------------------------------- formateurs

export interface FormateurStatut {
  id: number;
  raisonSociale: string;
  enseigne: string | null;
  siret: string;
  uai: string | null;
  commune: string | null;
  erp: string | null;
  modeTransmission: string | null;
  derniereTransmission: string | null;
  fraicheur: Fraicheur;
  transmissions30j: number;
  refuses7j: number;
  /** Its dossiers of the années scolaires counted today (the home's counters, the list's « annee=comptees »). */
  effectifsAnnee: number;
  cleActive: boolean;
}

/**
 * The formateurs of a space's organisme with their transmission status (issue 7, item 9): those the viewer's space
 * covers (`organismeIds`, decision 017), not a formateur of the organisme outside the viewer's scope.
 */
export async function formateursDuResponsable(
  database: Database,
  espace: Pick<EspaceCfa, "organismeId" | "organismeIds">,
  now = new Date(),
): Promise<FormateurStatut[]> {
  // the années the home's counters count today (domain.md): the school year and "Y-Y" of the calendar year
  const annees = anneesScolairesComptees(todayIso(now));
  const at = now.toISOString();
  const rows = await database.rows<{
    id: number;
    raison_sociale: string;
    enseigne: string | null;
    siret: string;
    uai: string | null;
    commune: string | null;
    erp: string | null;
    mode_transmission: string | null;
    derniere: unknown;
    transmissions_30j: number;
    refuses_7j: number;
    effectifs: number;
    cle: boolean;
  }>(sql`
    select o.id, o.raison_sociale, o.enseigne, o.siret, o.uai, c.nom as commune, o.erp, o.mode_transmission,
           greatest(o.last_transmission_at, (select max(t.received_at) from transmissions t where t.organisme_id = o.id and t.nb_items > 0)) as derniere,
           (select count(*)::int from transmissions t where t.organisme_id = o.id and t.nb_items > 0
              and t.received_at >= ${at}::timestamptz - interval '30 days') as transmissions_30j,
           (select count(*)::int from ${refusesACorrigerSql(sql`array[o.id]`, sql`${at}::timestamptz - interval '7 days'`)} as a) as refuses_7j,
           (select count(*)::int from effectifs e where e.organisme_formateur_id = o.id and e.annee_scolaire = any(${arrayParam(annees)}::text[])) as effectifs,
           exists (select 1 from organisme_api_keys k where k.organisme_id = o.id and k.revoked_at is null) as cle
    from organisme_relations r
    join organismes o on o.id = r.formateur_id
    left join communes c on c.code = o.code_commune
    where r.responsable_id = ${espace.organismeId} and r.formateur_id = any(${arrayParam(espace.organismeIds)}::int[])
    order by ${orderBy(frenchSortKeys(sql`coalesce(o.enseigne, o.raison_sociale)`), "asc", [sql`o.id`])}`);
  return rows.map((r) => {
    const derniere = r.derniere === null || r.derniere === undefined ? null : new Date(r.derniere as string).toISOString();
    return {
      id: r.id,
      raisonSociale: r.raison_sociale,
      enseigne: r.enseigne,
      siret: r.siret,
      uai: r.uai,
      commune: r.commune,
      erp: r.erp,
      modeTransmission: r.mode_transmission,
      derniereTransmission: derniere,
      fraicheur: fraicheurOf(derniere, now),
      transmissions30j: r.transmissions_30j,
      refuses7j: r.refuses_7j,
      effectifsAnnee: r.effectifs,
      cleActive: r.cle,
    };
  });
}

/** `intent` and `champ`: the form and the field a refusal is about (its confirmation box, marked in error). */
export type ActionCleApi = { ok: boolean; message: string; cle?: string; intent?: string; champ?: "confirmer" };

/**
 * The API key page's form: generate a key (replacing an active one needs the confirmation box: it stops working at
 * once), revoke it (confirmed), or set the ERP.
 */
export async function actionCleApi(database: Database, organismeId: number, form: FormData): Promise<ActionCleApi> {
  switch (form.get("intent")) {
    case "generer": {
      // a key in use stops working as soon as it is replaced: the ERP's transmissions fail until the new one is installed
      if ((await pageCleApi(database, organismeId)).active && form.get("confirmer") !== "oui")
        return {
          ok: false,
          intent: "generer",
          champ: "confirmer",
          message: "Cochez la case de confirmation pour remplacer la clé : la clé actuelle cessera aussitôt de fonctionner.",
        };
      const { key } = await genererCle(database, organismeId);
      return {
        ok: true,
        cle: key,
        message:
          "Nouvelle clé générée. Copiez-la maintenant : elle ne sera plus jamais affichée. Toute clé précédente a cessé de fonctionner : remplacez-la dans votre ERP.",
      };
    }
    case "revoquer": {
      if (form.get("confirmer") !== "oui") return { ok: false, intent: "revoquer", champ: "confirmer", message: "Cochez la case de confirmation pour révoquer la clé." };
      const n = await revoquerCle(database, organismeId);
      return n
        ? { ok: true, message: "Clé révoquée : votre ERP ne peut plus transmettre tant qu'une nouvelle clé n'a pas été générée et installée." }
        : { ok: false, message: "Aucune clé active à révoquer." };
    }
    case "erp": {
      const erp = String(form.get("erp") ?? "").trim();
      const value = await choisirErp(database, organismeId, erp || null);
      return { ok: true, message: value ? `ERP enregistré : ${value}.` : "ERP retiré." };
    }
    default:
      return { ok: false, message: "Action inconnue." };
  }
}
