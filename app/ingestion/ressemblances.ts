/**
 * Learners of a file that would be created although they look like a learner already transmitted (QA): in a file
 * without id column, the id is formed of the nom, prénom and date de naissance, so that a typo fixed in a name, or a
 * birth date whose day and month were swapped, creates a second learner instead of updating the first. The preview
 * warns of such rows. Pure: the caller reads the existing learners (one query for the file) and gives them here.
 *
 * A row « looks like » a stored learner of the same établissement formateur and année scolaire, of another id, when
 * - same nom, prénom and date de naissance: the learner was sent with its own id (by an ERP, or a file with an id
 *   column), and this row, of an id formed from its names, would count it twice (QA); or
 * - same prénom and same date de naissance (the nom differs: a typo in the nom), or
 * - same nom and prénom, the date de naissance's day and month swapped (03/02 for 02/03).
 * Names are compared as ids are formed (`idNamePart`: accents, case, punctuation ignored). A row whose key is already
 * stored updates that learner: no warning.
 */
import { idNamePart } from "./mapping";

export interface ApprenantCompare {
  formateurId: number;
  anneeScolaire: string;
  id: string;
  nom: string;
  prenom: string;
  /** AAAA-MM-JJ. */
  dateDeNaissance: string;
}

/** The date with its day and month swapped (AAAA-MM-JJ), or null when they are equal or the swap is no date. */
export function jourEtMoisInverses(iso: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m || m[2] === m[3] || Number(m[3]) > 12) return null;
  const swapped = `${m[1]}-${m[3]}-${m[2]}`;
  const d = new Date(`${swapped}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === swapped ? swapped : null;
}

/** The birth dates to read the stored learners by: the rows' and their swapped ones. */
export function datesARechercher(lignes: readonly ApprenantCompare[]): string[] {
  const dates = new Set<string>();
  for (const l of lignes) {
    dates.add(l.dateDeNaissance);
    const inv = jourEtMoisInverses(l.dateDeNaissance);
    if (inv) dates.add(inv);
  }
  return [...dates];
}

/** For each row (by its index in `lignes`) that would create a learner looking like a stored one: that stored learner. */
export function ressemblances(lignes: readonly ApprenantCompare[], existants: readonly ApprenantCompare[]): Map<number, ApprenantCompare> {
  const cle = (a: ApprenantCompare) => `${a.formateurId}\u0000${a.anneeScolaire}`;
  const parGroupe = new Map<string, ApprenantCompare[]>();
  for (const e of existants) parGroupe.set(cle(e), [...(parGroupe.get(cle(e)) ?? []), e]);
  const out = new Map<number, ApprenantCompare>();
  lignes.forEach((l, index) => {
    const groupe = parGroupe.get(cle(l)) ?? [];
    if (groupe.some((e) => e.id === l.id)) return; // updates a stored learner
    const nom = idNamePart(l.nom);
    const prenom = idNamePart(l.prenom);
    const inverse = jourEtMoisInverses(l.dateDeNaissance);
    const memePersonne = (e: ApprenantCompare) => idNamePart(e.nom) === nom && idNamePart(e.prenom) === prenom && e.dateDeNaissance === l.dateDeNaissance;
    const proche =
      groupe.find(memePersonne) ??
      groupe.find(
        (e) =>
          (idNamePart(e.prenom) === prenom && e.dateDeNaissance === l.dateDeNaissance && idNamePart(e.nom) !== nom) ||
          (inverse !== null && e.dateDeNaissance === inverse && idNamePart(e.nom) === nom && idNamePart(e.prenom) === prenom),
      );
    if (proche) out.set(index, proche);
  });
  return out;
}

/** What the preview says of row `l` looking like stored learner `e`. */
export function messageRessemblance(l: ApprenantCompare, e: ApprenantCompare): string {
  const [y, m, d] = e.dateDeNaissance.split("-");
  if (idNamePart(l.nom) === idNamePart(e.nom) && idNamePart(l.prenom) === idNamePart(e.prenom) && l.dateDeNaissance === e.dateDeNaissance) {
    return (
      `Même nom, même prénom et même date de naissance que l'apprenant ${e.prenom} ${e.nom}, déjà transmis sous l'identifiant « ${e.id} » : ` +
      "indiquez cet identifiant dans une colonne « Identifiant de l'apprenant », sinon un second apprenant sera créé."
    );
  }
  return (
    `Ressemble à l'apprenant ${e.prenom} ${e.nom}, né(e) le ${d}/${m}/${y}, déjà transmis : vérifiez le nom ou la date de naissance, ` +
    "sinon un second apprenant sera créé."
  );
}
