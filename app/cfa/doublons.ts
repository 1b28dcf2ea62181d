/**
 * Duplicates of a CFA's learners (issue 7, item 5): the same learner sent twice under different ERP ids. Pure
 * rules, browser-safe (no I/O).
 *
 * Two effectifs are duplicates when they have, after normalisation, the same nom, prénom, date de naissance,
 * formation and année scolaire, and the same organisme formateur (the identity key of the feed is
 * (formateur, année scolaire, id_erp_apprenant): two rows of one group necessarily differ by their ERP id).
 * - Names: lowercase, accents removed, every character that is not a letter dropped ("Le Gall", "LE-GALL",
 *   "legall" are one name); "Œ"/"Æ" spelled out.
 * - Formation: the CFD when sent, else the RNCP code, else the catalogue formation, else the short label
 *   (normalised like names). Without any of them the effectif is never a duplicate (nothing to compare).
 * Merge (see `fusion`): the kept effectif takes from the other one every field it lacks (as the feed's "an empty
 * value never erases a stored one"), and its contracts when it has none.
 */

export interface EffectifDoublon {
  id: number;
  organismeFormateurId: number;
  anneeScolaire: string;
  idErpApprenant: string;
  nom: string;
  prenom: string;
  /** "YYYY-MM-DD" */
  dateDeNaissance: string;
  formationCfd: string | null;
  formationRncp: string | null;
  formationId: number | null;
  libelleCourtFormation: string | null;
  /** ISO instant of the last write (to suggest the most recent one). */
  updatedAt: string;
  nbContrats: number;
  /** Number of filled fields (completeness, to suggest which one to keep). */
  nbChampsRenseignes: number;
}

export interface GroupeDoublons {
  /** The normalised key shared by the group. */
  cle: string;
  effectifs: EffectifDoublon[];
  /** The effectif suggested to keep (most recent, then most contracts, then most complete, then smallest id). */
  suggestionConserveId: number;
}

/** Lowercase, accents removed, letters and digits only (« Testeur1 » and « Testeur11 » are two names). */
export function normaliserNom(value: string): string {
  return value
    .toLowerCase()
    .replace(/œ/g, "oe")
    .replace(/æ/g, "ae")
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]/g, "");
}

/** The formation part of the key, or null when the effectif names no formation. */
export function cleFormation(e: Pick<EffectifDoublon, "formationCfd" | "formationRncp" | "formationId" | "libelleCourtFormation">): string | null {
  if (e.formationCfd) return `cfd:${e.formationCfd.toUpperCase()}`;
  if (e.formationRncp) return `rncp:${e.formationRncp.toUpperCase().replace(/^(RNCP)?/, "RNCP")}`;
  if (e.formationId !== null) return `f:${e.formationId}`;
  const libelle = e.libelleCourtFormation ? normaliserNom(e.libelleCourtFormation) : "";
  return libelle ? `l:${libelle}` : null;
}

/** The duplicate key of an effectif, or null when it cannot have duplicates. */
export function cleDoublon(e: EffectifDoublon): string | null {
  const nom = normaliserNom(e.nom);
  const prenom = normaliserNom(e.prenom);
  const formation = cleFormation(e);
  if (!nom || !prenom || !formation || !/^\d{4}-\d{2}-\d{2}/.test(e.dateDeNaissance)) return null;
  return [e.organismeFormateurId, e.anneeScolaire, nom, prenom, e.dateDeNaissance.slice(0, 10), formation].join("|");
}

/**
 * Which one to keep: the most recently written (its identifier is the one the ERP or the file sends today: the
 * others' next sends are refused once merged, so keeping an old identifier would refuse the current one), then most
 * contracts, then most complete, then the oldest id. The merge fills what the kept one lacks from the others.
 */
export function comparerPourConserver(a: EffectifDoublon, b: EffectifDoublon): number {
  return (
    (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0) ||
    b.nbContrats - a.nbContrats ||
    b.nbChampsRenseignes - a.nbChampsRenseignes ||
    a.id - b.id
  );
}

/** The groups of duplicates (2 effectifs or more), largest first then by name. */
export function groupesDoublons(effectifs: readonly EffectifDoublon[]): GroupeDoublons[] {
  const parCle = new Map<string, EffectifDoublon[]>();
  for (const e of effectifs) {
    const cle = cleDoublon(e);
    if (cle === null) continue;
    const groupe = parCle.get(cle);
    if (groupe) groupe.push(e);
    else parCle.set(cle, [e]);
  }
  const groupes: GroupeDoublons[] = [];
  for (const [cle, membres] of parCle) {
    if (membres.length < 2) continue;
    const tries = [...membres].sort(comparerPourConserver);
    groupes.push({ cle, effectifs: tries, suggestionConserveId: tries[0].id });
  }
  return groupes.sort(
    (a, b) =>
      b.effectifs.length - a.effectifs.length ||
      a.effectifs[0].nom.localeCompare(b.effectifs[0].nom, "fr") ||
      a.effectifs[0].prenom.localeCompare(b.effectifs[0].prenom, "fr") ||
      a.cle.localeCompare(b.cle),
  );
}

// ---------------------------------------------------------------------------------------------- merge

/**
 * Columns of `effectifs` a merge may fill on the kept effectif (snake_case, as in the database). Identity (nom,
 * prénom, date de naissance, ERP id, année, organismes) and dates of the formation stay those of the kept one.
 */
export const CHAMPS_FUSIONNABLES = [
  "ine",
  "email",
  "telephone",
  "adresse",
  "code_postal",
  "code_postal_naissance",
  "code_commune_insee",
  "code_commune_insee_naissance",
  "sexe",
  "rqth",
  "date_rqth",
  "responsable_mail1",
  "responsable_mail2",
  "derniere_situation",
  "dernier_organisme_uai",
  "type_cfa",
  "formation_cfd",
  "formation_rncp",
  "formation_id",
  "libelle_court_formation",
  "annee_formation",
  "duree_theorique_mois",
  "formation_presentielle",
  "date_exclusion_formation",
  "cause_exclusion_formation",
  "obtention_diplome",
  "date_obtention_diplome",
  "referent_handicap_nom",
  "referent_handicap_prenom",
  "referent_handicap_email",
  "lieu_uai",
  "lieu_siret",
  "lieu_adresse",
  "lieu_code_postal",
  "organisme_lieu_id",
] as const;

export type ChampFusionnable = (typeof CHAMPS_FUSIONNABLES)[number];

export interface Fusion {
  /** Values to set on the kept effectif (only the fields it lacks and the other one has). */
  champs: Partial<Record<ChampFusionnable, unknown>>;
  /** The kept effectif takes the other one's contracts (it had none). */
  reprendContrats: boolean;
}

function vide(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "string" && value.trim() === "");
}

/** What merging `autre` into `conserve` changes on `conserve` (rows keyed by database column names). */
export function fusion(
  conserve: Record<string, unknown>,
  autre: Record<string, unknown>,
  contrats: { conserve: number; autre: number },
): Fusion {
  const champs: Fusion["champs"] = {};
  for (const champ of CHAMPS_FUSIONNABLES) {
    if (vide(conserve[champ]) && !vide(autre[champ])) champs[champ] = autre[champ];
  }
  // the formation's codes and its catalogue link travel together
  if ("formation_id" in champs && !vide(conserve.formation_cfd)) delete champs.formation_id;
  return { champs, reprendContrats: contrats.conserve === 0 && contrats.autre > 0 };
}

/** French labels of the merged fields (for the confirmation message and the archive). */
export const LIBELLES_CHAMPS: Record<ChampFusionnable, string> = {
  ine: "INE",
  email: "e-mail",
  telephone: "téléphone",
  adresse: "adresse",
  code_postal: "code postal",
  code_postal_naissance: "code postal de naissance",
  code_commune_insee: "commune de résidence",
  code_commune_insee_naissance: "commune de naissance",
  sexe: "sexe",
  rqth: "RQTH",
  date_rqth: "date de RQTH",
  responsable_mail1: "e-mail du responsable légal",
  responsable_mail2: "e-mail du second responsable légal",
  derniere_situation: "dernière situation",
  dernier_organisme_uai: "dernier établissement",
  type_cfa: "type de CFA",
  formation_cfd: "code CFD",
  formation_rncp: "code RNCP",
  formation_id: "formation du catalogue",
  libelle_court_formation: "libellé de la formation",
  annee_formation: "année de formation",
  duree_theorique_mois: "durée théorique",
  formation_presentielle: "formation en présentiel",
  date_exclusion_formation: "date d'exclusion",
  cause_exclusion_formation: "cause d'exclusion",
  obtention_diplome: "obtention du diplôme",
  date_obtention_diplome: "date d'obtention du diplôme",
  referent_handicap_nom: "nom du référent handicap",
  referent_handicap_prenom: "prénom du référent handicap",
  referent_handicap_email: "e-mail du référent handicap",
  lieu_uai: "UAI du lieu de formation",
  lieu_siret: "SIRET du lieu de formation",
  lieu_adresse: "adresse du lieu de formation",
  lieu_code_postal: "code postal du lieu de formation",
  organisme_lieu_id: "lieu de formation",
};

/** A motive typed by the user: trimmed, 3 to 500 characters; an error message otherwise. */
export function validerMotif(value: unknown): { ok: true; motif: string } | { ok: false; message: string } {
  const motif = typeof value === "string" ? value.trim().replace(/\s+/g, " ") : "";
  if (motif.length < 3) return { ok: false, message: "Indiquez le motif (3 caractères au moins) : il est conservé avec l'archive." };
  if (motif.length > 500) return { ok: false, message: "Le motif ne doit pas dépasser 500 caractères." };
  return { ok: true, motif };
}
