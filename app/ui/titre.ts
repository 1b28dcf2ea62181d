/**
 * The <title> of a page that lists (browser-safe): what it shows of its list — search, filters, an error, the page.
 * The site's name and an error boundary's title come from titrePage (erreur.ts).
 */
import { titrePage } from "./erreur";

/**
 * The <title> of a list that can be searched, filtered and paged (RGAA 8.6: the title says what the page shows):
 * « Erreur : » when a value of the form is refused, the search typed, the list, the page among the pages —
 * "Recherche « lyon » - Répertoire des organismes - page 2 sur 7 - Tableau de bord de l'apprentissage".
 */
export function titreDeListe(titre: string, liste: EtatDeListe | undefined, error?: unknown): string {
  return titrePage(liste ? nomDeListe(titre, liste) : titre, error);
}

/** What a list's title says of its state (titreDeListe); the CFA space's pages add their organisme (titreEspace). */
export interface EtatDeListe {
  recherche?: string | null;
  filtree?: boolean;
  erreurs?: number;
  page?: number;
  pages?: number;
}

/** "Erreur : Recherche « lyon » - Répertoire des organismes - page 2 sur 7", without the site's name. */
export function nomDeListe(titre: string, liste: EtatDeListe): string {
  const parties = [
    liste.recherche ? `Recherche « ${liste.recherche} »` : liste.filtree ? "Résultats filtrés" : null,
    titre,
    liste.page && liste.pages && liste.pages > 1 ? `page ${liste.page} sur ${liste.pages}` : null,
  ].filter(Boolean);
  return `${liste.erreurs ? "Erreur : " : ""}${parties.join(" - ")}`;
}

/** Whether a list's address filters it (a search or a filter), not only pages or sorts it. */
export function listeFiltree(search: string): boolean {
  return [...new URLSearchParams(search).keys()].some((k) => !["page", "tri", "ordre", "limit"].includes(k));
}
