/**
 * The dashboards' filter panel as its messages name it: the field of each URL parameter (its id in FilterPanel) and
 * its label. A bad value of the address is reported by the loader naming its parameter (`niveau : …`, as the CSV and
 * JSON downloads say it); the page says it with the label of the field to correct (`Niveau de formation : …`) and
 * marks that field in error. Pure, browser-safe.
 */

interface Champ {
  id: string;
  libelle: string;
}

const MOIS: Champ = { id: "filtre-mois", libelle: "Mois" };
const TERRITOIRE: Champ = { id: "filtre-territoire", libelle: "Territoire" };
const CFA: Champ = { id: "filtre-cfa", libelle: "CFA" };
const FORMATION: Champ = { id: "filtre-formation", libelle: "Formation" };

/** By URL parameter. Parameters without a field of their own (nature, bassin, annee_formation) keep their name. */
export const CHAMPS_DU_PANNEAU: Readonly<Record<string, Champ>> = {
  mois: MOIS,
  date: MOIS,
  territoire: TERRITOIRE,
  perimetre: TERRITOIRE,
  region: TERRITOIRE,
  departement: TERRITOIRE,
  academie: TERRITOIRE,
  reseau: { id: "filtre-reseau", libelle: "Réseau" },
  niveau: { id: "filtre-niveau", libelle: "Niveau de formation" },
  formation: FORMATION,
  cfd: FORMATION,
  rncp: FORMATION,
  cfa: CFA,
  organisme: CFA,
  age: { id: "filtre-age", libelle: "Âge à la date" },
  sexe: { id: "filtre-sexe", libelle: "Sexe" },
  rqth: { id: "filtre-rqth", libelle: "RQTH" },
};

export interface ErreurDuPanneau {
  /** The message, starting with the field's label. */
  texte: string;
  /** The id of the field to correct, null when no field holds the parameter. */
  champ: string | null;
}

/**
 * A loader's message as the page says it. `date=` (a day: the dashboards read a month) is told in the terms of the
 * form, not of the address.
 */
export function erreurDuPanneau(message: string): ErreurDuPanneau {
  const m = /^([a-z_]+) : /.exec(message);
  const champ = m ? CHAMPS_DU_PANNEAU[m[1]] : undefined;
  if (!m || !champ) return { texte: message, champ: null };
  if (m[1] === "date")
    return { texte: "Mois : les tableaux de bord se lisent par mois, pas à un jour ; choisissez le mois (un mois passé est compté à son dernier jour, le mois en cours à aujourd'hui).", champ: champ.id };
  return { texte: `${champ.libelle} : ${message.slice(m[0].length)}`, champ: champ.id };
}

/** The messages of each field (by id), to show under it. */
export function erreursParChamp(messages: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of messages.map(erreurDuPanneau)) if (e.champ) out[e.champ] = out[e.champ] ? `${out[e.champ]} ${e.texte}` : e.texte;
  return out;
}
