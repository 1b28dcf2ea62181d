/**
 * The learners of a CFA's space (issue 7, item 4): the paginated, searchable, filterable, sortable list, and one
 * learner's record (identity, formation, contracts, parcours, ERP statut history). Both are named lists: the space's
 * pages read them through consultations.server.ts, which logs each view (list "tous").
 *
 * Statut at the date: the stored parcours (rule 7: last change on or before the date), for any année scolaire; with
 * the année `ANNEES_COMPTEES`, only the années scolaires counted at the date (the home's counters).
 * Dropout signals at the date: the état period covering the date (statut_periodes, app/indicateurs/etats.ts), so
 * exactly the learners the counters count (the effectifs of the date's school year).
 */
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import { escapeLike, foldSql, foldText, frenchSortKeys } from "../referentiel/repertoire.server";
import { seuilsAge, ageAt, estSansContrat, rqthALaDate } from "../indicateurs/etats";
import { dropoutAt, parcoursToPeriodes, type DropoutMeasures, type ParcoursStep, type Periode, type Statut } from "../statut/engine";
import { effectifsDeLEspace, type EspaceCfa } from "./acces.server";
import { anneesScolairesComptees } from "../statut/annee-scolaire";
import { ANNEES_COMPTEES, SIGNAUX, STATUTS_APPRENANT, libelleSignal, type FiltresApprenants } from "./apprenants";

type Espace = Pick<EspaceCfa, "organismeId" | "organismeIds">;

/**
 * Whose learners a list shows: a CFA's space, or a condition over the effectifs (alias e) and the état period at the
 * date (alias p): the named lists of a territory (app/listes).
 */
export type Perimetre = Espace | { condition: SQL };

function perimetreSql(perimetre: Perimetre): SQL {
  return "condition" in perimetre ? perimetre.condition : effectifsDeLEspace(perimetre);
}

const STATUT_A = (date: string) =>
  sql`(select s->>'statut' from jsonb_array_elements(e.parcours) s where s->>'date' <= ${date} order by s->>'date' desc limit 1)`;

/** The lateral join of the état period covering the date (alias p). */
const PERIODE_A = (date: string) => sql`left join lateral (
    select p.etat, p.debut_sans_contrat, p.rqth from statut_periodes p
    where p.effectif_id = e.id and ${date}::date between p.debut and p.fin limit 1) p on true`;

/** WHERE conditions of the filters (alias e = effectifs, p = période at the date, f = formation). */
export function conditionsApprenants(perimetre: Perimetre, f: FiltresApprenants): SQL {
  const where: SQL[] = [perimetreSql(perimetre)];
  if (f.q) {
    const folded = `%${escapeLike(foldText(f.q).replace(/\s+/g, " "))}%`;
    const raw = `%${escapeLike(f.q)}%`;
    where.push(sql`(${foldSql(sql`e.nom || ' ' || e.prenom`)} like ${folded}
      or ${foldSql(sql`e.prenom || ' ' || e.nom`)} like ${folded}
      or e.id_erp_apprenant ilike ${raw}
      or e.formation_cfd ilike ${raw} or e.formation_rncp ilike ${raw}
      or ${foldSql(sql`coalesce(e.libelle_court_formation, '')`)} like ${folded}
      or ${foldSql(sql`coalesce(f.intitule_long, '')`)} like ${folded})`);
  }
  if (f.statut) where.push(sql`${STATUT_A(f.date)} = ${f.statut}`);
  if (f.signal) {
    const etats = arrayParam(SIGNAUX[f.signal].etats);
    where.push(sql`p.etat = any(${etats}::int[])`);
    // the period's RQTH is the RQTH at the date (periods are cut at its recognition date)
    if (f.signal === "a_risque") where.push(sql`(e.date_de_naissance > ${seuilsAge(f.date).ans18}::date or p.rqth)`);
  }
  if (f.formation === "aucun") where.push(sql`e.formation_cfd is null and e.formation_rncp is null`);
  else if (f.formation) where.push(sql`coalesce(e.formation_cfd, e.formation_rncp) = ${f.formation}`);
  // the counters' rule (domain.md): the années scolaires counted at the date, so the list holds the counted learners
  if (f.anneeScolaire === ANNEES_COMPTEES) where.push(sql`e.annee_scolaire = any(${arrayParam(anneesScolairesComptees(f.date))}::text[])`);
  else if (f.anneeScolaire) where.push(sql`e.annee_scolaire = ${f.anneeScolaire}`);
  if (f.anneeFormation !== undefined) where.push(sql`e.annee_formation = ${f.anneeFormation}`);
  if (f.formateur) where.push(sql`e.organisme_formateur_id = ${f.formateur}`);
  return sql.join(where, sql` and `);
}

/**
 * The ORDER BY of the list. Names and formations in French reading order, whatever the database's locale: folded
 * (case and accents ignored: « Guérin » before « Guillot », « Lévêque » before « Louis »), the exact text only to
 * order what folding makes equal (frenchSortKeys), then the id, so that pages never overlap.
 */
function ordre(f: FiltresApprenants): SQL {
  const dir = sql.raw(f.ordre === "desc" ? "desc" : "asc");
  const nulls = sql.raw(f.ordre === "desc" ? "nulls last" : "nulls last");
  const [nomPlie, nomExact] = frenchSortKeys(sql`e.nom`);
  const [prenomPlie, prenomExact] = frenchSortKeys(sql`e.prenom`);
  const nom = sql`${nomPlie} ${dir}, ${prenomPlie} ${dir}, ${nomExact} ${dir}, ${prenomExact} ${dir}, e.id ${dir}`;
  switch (f.tri) {
    case "nom":
      return nom;
    case "naissance":
      return sql`e.date_de_naissance ${dir}, ${nom}`;
    case "formation":
      return sql`${sql.join(
        frenchSortKeys(sql`coalesce(f.intitule_long, e.libelle_court_formation, '')`).map((k) => sql`${k} ${dir}`),
        sql`, `,
      )}, ${nom}`;
    case "annee":
      return sql`e.annee_scolaire ${dir}, e.annee_formation ${dir} ${nulls}, ${nom}`;
    case "statut":
      // the order of the list's statut filter (apprenti → fin de formation), not the alphabet
      return sql`array_position(${arrayParam(STATUTS_APPRENANT)}::text[], ${STATUT_A(f.date)}) ${dir} ${nulls}, ${nom}`;
    case "entree":
      return sql`e.date_entree_formation ${dir}, ${nom}`;
    case "maj":
      return sql`e.updated_at ${dir}, ${nom}`;
  }
}

export interface LigneApprenant {
  id: number;
  nom: string;
  prenom: string;
  dateDeNaissance: string;
  idErpApprenant: string;
  anneeScolaire: string;
  anneeFormation: number | null;
  formation: string | null;
  formationCfd: string | null;
  formationRncp: string | null;
  organismeFormateurId: number;
  organismeFormateur: string;
  dateEntreeFormation: string;
  dateFinFormation: string;
  statut: Statut | null;
  etat: number | null;
  joursSansContrat: number | null;
  aRisque: boolean;
  signal: string | null;
  /** RQTH at the date (rqth and date_rqth ≤ date, decision 016). */
  rqth: boolean;
  mineur: boolean;
  updatedAt: string;
  /** Contact fields: only when the viewer may see them. */
  email?: string | null;
  telephone?: string | null;
}

interface LigneSql {
  id: number;
  nom: string;
  prenom: string;
  date_de_naissance: string;
  id_erp_apprenant: string;
  annee_scolaire: string;
  annee_formation: number | null;
  formation: string | null;
  formation_cfd: string | null;
  formation_rncp: string | null;
  organisme_formateur_id: number;
  organisme_formateur: string;
  date_entree_formation: string;
  date_fin_formation: string;
  statut: Statut | null;
  etat: number | null;
  jours: number | null;
  rqth: boolean | null;
  date_rqth: string | null;
  updated_at: unknown;
  email: string | null;
  telephone: string | null;
}

function selectApprenants(f: FiltresApprenants): SQL {
  return sql`
    select e.id, e.nom, e.prenom, e.date_de_naissance::text as date_de_naissance, e.id_erp_apprenant, e.annee_scolaire,
           e.annee_formation, coalesce(f.intitule_long, e.libelle_court_formation) as formation, e.formation_cfd, e.formation_rncp,
           e.organisme_formateur_id, coalesce(o.enseigne, o.raison_sociale) as organisme_formateur,
           e.date_entree_formation::text as date_entree_formation, e.date_fin_formation::text as date_fin_formation,
           ${STATUT_A(f.date)} as statut, p.etat::int as etat,
           case when p.debut_sans_contrat is null then null
                else (least(${f.date}::date, e.date_fin_formation) - p.debut_sans_contrat + 1)::int end as jours,
           e.rqth, e.date_rqth::text as date_rqth, e.updated_at, e.email, e.telephone
    from effectifs e
    join organismes o on o.id = e.organisme_formateur_id
    left join formations f on f.id = e.formation_id
    ${PERIODE_A(f.date)}`;
}

function ligne(r: LigneSql, f: FiltresApprenants, contacts: boolean): LigneApprenant {
  const mineur = ageAt(r.date_de_naissance, f.date) < 18;
  // the RQTH at the date (decision 016), as the counters and the period's own RQTH say it
  const rqth = rqthALaDate(r.rqth, r.date_rqth, f.date);
  const aRisque = estSansContrat(r.etat) && (mineur || rqth);
  return {
    id: r.id,
    nom: r.nom,
    prenom: r.prenom,
    dateDeNaissance: r.date_de_naissance,
    idErpApprenant: r.id_erp_apprenant,
    anneeScolaire: r.annee_scolaire,
    anneeFormation: r.annee_formation,
    formation: r.formation,
    formationCfd: r.formation_cfd,
    formationRncp: r.formation_rncp,
    organismeFormateurId: r.organisme_formateur_id,
    organismeFormateur: r.organisme_formateur,
    dateEntreeFormation: r.date_entree_formation,
    dateFinFormation: r.date_fin_formation,
    statut: r.statut,
    etat: r.etat,
    joursSansContrat: r.jours,
    aRisque,
    signal: libelleSignal(r.etat, r.jours, aRisque),
    rqth,
    mineur,
    updatedAt: new Date(r.updated_at as string).toISOString(),
    ...(contacts ? { email: r.email, telephone: r.telephone } : {}),
  };
}

export interface PageApprenants {
  lignes: LigneApprenant[];
  total: number;
  page: number;
  pages: number;
}

export async function listerApprenants(database: Database, perimetre: Perimetre, f: FiltresApprenants, contacts: boolean): Promise<PageApprenants> {
  const where = conditionsApprenants(perimetre, f);
  const [{ n }] = await database.rows<{ n: number }>(sql`
    select count(*)::int as n from effectifs e left join formations f on f.id = e.formation_id ${PERIODE_A(f.date)} where ${where}`);
  const pages = Math.max(1, Math.ceil(n / f.limit));
  const page = Math.min(f.page, pages);
  const rows = await database.rows<LigneSql>(sql`
    ${selectApprenants(f)} where ${where} order by ${ordre(f)} limit ${f.limit} offset ${(page - 1) * f.limit}`);
  return { lignes: rows.map((r) => ligne(r, f, contacts)), total: n, page, pages };
}

/** Every row of the filtered list (export), in pages of `taille`, in the list's order. */
export async function* parcourirApprenants(
  database: Database,
  perimetre: Perimetre,
  f: FiltresApprenants,
  contacts: boolean,
  taille = 1000,
): AsyncGenerator<LigneApprenant[]> {
  const where = conditionsApprenants(perimetre, f);
  for (let offset = 0; ; offset += taille) {
    const rows = await database.rows<LigneSql>(sql`${selectApprenants(f)} where ${where} order by ${ordre(f)} limit ${taille} offset ${offset}`);
    if (rows.length) yield rows.map((r) => ligne(r, f, contacts));
    if (rows.length < taille) return;
  }
}

export async function compterApprenants(database: Database, perimetre: Perimetre, f: FiltresApprenants): Promise<number> {
  const [{ n }] = await database.rows<{ n: number }>(sql`
    select count(*)::int as n from effectifs e left join formations f on f.id = e.formation_id ${PERIODE_A(f.date)}
    where ${conditionsApprenants(perimetre, f)}`);
  return n;
}

export interface OptionsFiltres {
  formations: { value: string; label: string }[];
  annees: string[];
  formateurs: { value: string; label: string }[];
}

/** The values the filters offer (those present in the space). */
export async function optionsFiltres(database: Database, espace: Espace): Promise<OptionsFiltres> {
  const [formations, annees, formateurs] = await Promise.all([
    database.rows<{ code: string | null; libelle: string | null; n: number }>(sql`
      select coalesce(e.formation_cfd, e.formation_rncp) as code, max(coalesce(f.intitule_long, e.libelle_court_formation)) as libelle, count(*)::int as n
      from effectifs e left join formations f on f.id = e.formation_id
      where ${effectifsDeLEspace(espace)} group by 1 order by 2 nulls last, 1 limit 500`),
    database.rows<{ annee: string }>(sql`select distinct e.annee_scolaire as annee from effectifs e where ${effectifsDeLEspace(espace)} order by 1 desc`),
    database.rows<{ id: number; nom: string; uai: string | null }>(sql`
      select o.id, coalesce(o.enseigne, o.raison_sociale) as nom, o.uai from organismes o
      where o.id = any(${arrayParam(espace.organismeIds)}::int[]) order by 2, 1`),
  ]);
  return {
    formations: formations.map((r) =>
      r.code === null
        ? { value: "aucun", label: `Sans code de formation (${r.n})` }
        : { value: r.code, label: `${r.libelle ?? "Formation"} — ${r.code} (${r.n})` },
    ),
    annees: annees.map((r) => r.annee),
    formateurs: formateurs.length > 1 ? formateurs.map((r) => ({ value: String(r.id), label: `${r.nom}${r.uai ? ` (${r.uai})` : ""}` })) : [],
  };
}

// ---------------------------------------------------------------------------------------------- one learner

export interface ContratFiche {
  rang: number;
  siretEmployeur: string | null;
  dateDebut: string;
  dateFin: string | null;
  dateRupture: string | null;
  causeRupture: string | null;
}

export interface StatutErpFiche {
  statut: number;
  libelle: string;
  dateMiseAJour: string | null;
  recuLe: string;
}

export interface FicheApprenant {
  id: number;
  identite: {
    nom: string;
    prenom: string;
    dateDeNaissance: string;
    age: number;
    sexe: string | null;
    ine: string | null;
    rqth: boolean | null;
    dateRqth: string | null;
    codeCommuneInsee: string | null;
    commune: string | null;
    idErpApprenant: string;
    nirFourni: boolean;
  };
  /** Only when the viewer may see contact fields. */
  contacts: {
    email: string | null;
    telephone: string | null;
    adresse: string | null;
    codePostal: string | null;
    responsableMail1: string | null;
    responsableMail2: string | null;
  } | null;
  formation: {
    intitule: string | null;
    libelleErp: string | null;
    cfd: string | null;
    rncp: string | null;
    niveau: number | null;
    connueDuCatalogue: boolean;
    formationId: number | null;
    anneeScolaire: string;
    anneeFormation: number | null;
    dureeTheoriqueMois: number | null;
    dateInscription: string;
    dateEntree: string;
    dateFin: string;
    dateExclusion: string | null;
    causeExclusion: string | null;
    obtentionDiplome: boolean | null;
  };
  organismes: {
    formateur: { id: number; nom: string; uai: string | null; siret: string };
    responsable: { id: number; nom: string; uai: string | null; siret: string };
    lieu: string | null;
  };
  contrats: ContratFiche[];
  parcours: ParcoursStep[];
  periodes: Periode[];
  aujourdhui: DropoutMeasures & { aRisque: boolean };
  statutsErp: StatutErpFiche[];
  source: string;
  /** The last transmission that changed the learner (an identical resend writes nothing: decision 009). */
  derniereTransmission: string | null;
  createdAt: string;
  updatedAt: string;
}

const STATUTS_ERP: Record<number, string> = { 0: "Abandon (0)", 2: "Inscrit (2)", 3: "Apprenti (3)" };

/** One learner of the space, or null (unknown, or another CFA's learner). */
export async function ficheApprenant(
  database: Database,
  espace: Espace,
  effectifId: number,
  contacts: boolean,
  today = new Date().toISOString().slice(0, 10),
): Promise<FicheApprenant | null> {
  const [r] = await database.rows<Record<string, unknown>>(sql`
    select e.*, e.date_de_naissance::text as ddn, e.date_rqth::text as drqth, e.date_inscription_formation::text as dinsc,
           e.date_entree_formation::text as dentree, e.date_fin_formation::text as dfin, e.date_exclusion_formation::text as dexcl,
           c.nom as commune, f.intitule_long as f_intitule, f.niveau as f_niveau, f.cfd as f_cfd, f.rncp as f_rncp,
           fo.siret as fo_siret, fo.uai as fo_uai, coalesce(fo.enseigne, fo.raison_sociale) as fo_nom,
           ro.siret as ro_siret, ro.uai as ro_uai, coalesce(ro.enseigne, ro.raison_sociale) as ro_nom,
           coalesce(lo.enseigne, lo.raison_sociale) as lo_nom, t.received_at as derniere_transmission
    from effectifs e
    join organismes fo on fo.id = e.organisme_formateur_id
    join organismes ro on ro.id = e.organisme_responsable_id
    left join organismes lo on lo.id = e.organisme_lieu_id
    left join communes c on c.code = e.code_commune_insee
    left join formations f on f.id = e.formation_id
    left join transmissions t on t.id = e.last_transmission_id
    where e.id = ${effectifId} and ${effectifsDeLEspace(espace)}`);
  if (!r) return null;
  const [contrats, statuts] = await Promise.all([
    database.rows<{ rang: number; siret_employeur: string | null; date_debut: string; date_fin: string | null; date_rupture: string | null; cause_rupture: string | null }>(sql`
      select rang, siret_employeur, date_debut::text as date_debut, date_fin::text as date_fin, date_rupture::text as date_rupture, cause_rupture
      from contrats where effectif_id = ${effectifId} order by rang`),
    database.rows<{ statut_apprenant: number; date_metier_mise_a_jour_statut: unknown; received_at: unknown }>(sql`
      select statut_apprenant, date_metier_mise_a_jour_statut, received_at from effectif_statuts_erp
      where effectif_id = ${effectifId} order by coalesce(date_metier_mise_a_jour_statut, received_at), id`),
  ]);
  const s = (k: string) => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  const n = (k: string) => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  const parcours = (typeof r.parcours === "string" ? JSON.parse(r.parcours) : r.parcours) as ParcoursStep[];
  const dateDeNaissance = s("ddn")!;
  const mesures = dropoutAt(
    {
      date_entree_formation: s("dentree")!,
      date_fin_formation: s("dfin")!,
      date_exclusion_formation: s("dexcl"),
      contrats: contrats.map((c) => ({ date_debut: c.date_debut, date_fin: c.date_fin, date_rupture: c.date_rupture })),
    },
    today,
  );
  const mineur = ageAt(dateDeNaissance, today) < 18;
  return {
    id: effectifId,
    identite: {
      nom: s("nom")!,
      prenom: s("prenom")!,
      dateDeNaissance,
      age: ageAt(dateDeNaissance, today),
      sexe: s("sexe"),
      ine: s("ine"),
      rqth: r.rqth === null ? null : Boolean(r.rqth),
      dateRqth: s("drqth"),
      codeCommuneInsee: s("code_commune_insee"),
      commune: s("commune"),
      idErpApprenant: s("id_erp_apprenant")!,
      nirFourni: Boolean(r.nir_fourni),
    },
    contacts: contacts
      ? {
          email: s("email"),
          telephone: s("telephone"),
          adresse: s("adresse"),
          codePostal: s("code_postal"),
          responsableMail1: s("responsable_mail1"),
          responsableMail2: s("responsable_mail2"),
        }
      : null,
    formation: {
      intitule: s("f_intitule"),
      libelleErp: s("libelle_court_formation"),
      cfd: s("formation_cfd") ?? s("f_cfd"),
      rncp: s("formation_rncp") ?? s("f_rncp"),
      niveau: n("f_niveau"),
      connueDuCatalogue: r.formation_id !== null,
      formationId: n("formation_id"),
      anneeScolaire: s("annee_scolaire")!,
      anneeFormation: n("annee_formation"),
      dureeTheoriqueMois: n("duree_theorique_mois"),
      dateInscription: s("dinsc")!,
      dateEntree: s("dentree")!,
      dateFin: s("dfin")!,
      dateExclusion: s("dexcl"),
      causeExclusion: s("cause_exclusion_formation"),
      obtentionDiplome: r.obtention_diplome === null ? null : Boolean(r.obtention_diplome),
    },
    organismes: {
      formateur: { id: Number(r.organisme_formateur_id), nom: s("fo_nom")!, uai: s("fo_uai"), siret: s("fo_siret")! },
      responsable: { id: Number(r.organisme_responsable_id), nom: s("ro_nom")!, uai: s("ro_uai"), siret: s("ro_siret")! },
      lieu: s("lo_nom") ?? s("lieu_adresse"),
    },
    contrats: contrats.map((c) => ({
      rang: c.rang,
      siretEmployeur: c.siret_employeur,
      dateDebut: c.date_debut,
      dateFin: c.date_fin,
      dateRupture: c.date_rupture,
      causeRupture: c.cause_rupture,
    })),
    parcours,
    periodes: parcoursToPeriodes(parcours),
    aujourdhui: {
      ...mesures,
      aRisque: (mesures.statut === "INSCRIT" || mesures.statut === "RUPTURANT") && (mineur || rqthALaDate(r.rqth === true, s("drqth"), today)),
    },
    statutsErp: statuts.map((x) => ({
      statut: Number(x.statut_apprenant),
      libelle: STATUTS_ERP[Number(x.statut_apprenant)] ?? String(x.statut_apprenant),
      dateMiseAJour: iso(x.date_metier_mise_a_jour_statut),
      recuLe: iso(x.received_at)!,
    })),
    source: s("source")!,
    derniereTransmission: iso(r.derniere_transmission),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}
