/**
 * The CFA space's pages that show learners by name, each read and written to the audit log in one call (named list
 * "tous", the organisme first in the filters): a route of the space cannot show a name without its view being
 * logged. The readers under them (apprenants, transmissions, qualite, doublons) do not log: the territories' named
 * lists (app/listes) and the exports reuse them with their own entry, the space's home with counts only.
 */
import type { Database } from "../../db/client.server";
import { logNamedListAccess } from "../auth/policy.server";
import { refusesNominatifs, type EspaceCfa } from "./acces.server";
import { filtresPourJournal, type FiltresApprenants } from "./apprenants";
import { ficheApprenant, listerApprenants, optionsFiltres, type FicheApprenant } from "./apprenants.server";
import { archivesRecentes, listerDoublons, motifDisparition } from "./doublons.server";
import { qualiteCfa, type QualiteOptions } from "./qualite.server";
import { transmissionsDuJour, type FiltresRefuses } from "./transmissions.server";

function journaliser(database: Database, espace: EspaceCfa, filtres: Record<string, unknown>, rowCount: number): Promise<void> {
  return logNamedListAccess(database, espace.viewer, {
    list: "tous",
    action: "view",
    filters: { organisme: espace.organismeId, ...filtres },
    rowCount,
  });
}

/** A page of the space's learners and the values its filters offer; logged with the filters and the page. */
export async function consulterApprenants(database: Database, espace: EspaceCfa, filtres: FiltresApprenants) {
  const [page, options] = await Promise.all([listerApprenants(database, espace, filtres, espace.contacts), optionsFiltres(database, espace)]);
  await journaliser(database, espace, { ...filtresPourJournal(filtres), page: page.page }, page.lignes.length);
  return { page, options };
}

/**
 * One learner's record; logged. Not in the space: `fiche` null, with why when it was merged or deleted here (the
 * archive names the learner, so that answer is logged too).
 */
export async function consulterFiche(
  database: Database,
  espace: EspaceCfa,
  effectifId: number,
  today: string,
): Promise<{ fiche: FicheApprenant; motif: null } | { fiche: null; motif: string | null }> {
  const fiche = await ficheApprenant(database, espace, effectifId, espace.contacts, today);
  if (fiche) {
    await journaliser(database, espace, { effectif: effectifId }, 1);
    return { fiche, motif: null };
  }
  const motif = await motifDisparition(database, espace, effectifId);
  if (motif) await journaliser(database, espace, { effectif: effectifId, archive: true }, 1);
  return { fiche: null, motif };
}

/** One Paris day of transmissions; logged when it lists rejected items (by name: refusesNominatifs). */
export async function consulterJourDeTransmissions(
  database: Database,
  espace: EspaceCfa,
  jour: string,
  options: { page?: number; pageTransmissions?: number; filtres?: FiltresRefuses },
) {
  const detail = await transmissionsDuJour(database, espace.organismeId, jour, { ...options, nominatif: await refusesNominatifs(database, espace) });
  if (detail.refuses.length) {
    await journaliser(database, espace, { page: "transmissions", jour, ...detail.filtres, numeroPage: detail.pageRefuses.page }, detail.refuses.length);
  }
  return detail;
}

/** The data quality of the space; logged when it lists learners to correct. */
export async function consulterQualite(database: Database, espace: EspaceCfa, options: QualiteOptions) {
  const qualite = await qualiteCfa(database, espace, options);
  if (qualite.aCorriger.length) {
    await journaliser(database, espace, { page: "qualite", annee: qualite.anneeScolaire, anomalie: options.anomalie ?? null }, qualite.aCorriger.length);
  }
  return qualite;
}

/** The space's groups of duplicates and a page of its merge / delete archive; logged when either lists a learner. */
export async function consulterDoublons(database: Database, espace: EspaceCfa, pageArchives: number, today: string) {
  const [groupes, journal] = await Promise.all([listerDoublons(database, espace, today), archivesRecentes(database, espace, pageArchives)]);
  const lignes = groupes.reduce((n, g) => n + g.effectifs.length, 0) + journal.archives.length;
  if (lignes > 0) await journaliser(database, espace, { page: "doublons", pageArchives: journal.page }, lignes);
  return { groupes, journal };
}
