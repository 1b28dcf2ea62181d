/**
 * The <title> of a page that lists (browser-safe): what it shows of its list — search, filters, an error, the page;
 * « Erreur : » before the title of a page whose form was refused. The site's name and an error boundary's title come
 * from titrePage (erreur.ts).
 */
import { useEffect } from "react";
import { titrePage } from "./erreur";

/** What a title starts with when the page says that what was sent is refused (RGAA 8.6, WCAG 3.3.1). */
export const PREFIXE_ERREUR = "Erreur : ";

/** `titre`, after « Erreur : » when `enErreur` (a page whose loader refused its address's values: its meta). */
export function titreEnErreur(titre: string, enErreur: boolean): string {
  return enErreur && !titre.startsWith(PREFIXE_ERREUR) ? `${PREFIXE_ERREUR}${titre}` : titre;
}

/**
 * « Erreur : » before the page's title while `refuse`: the answer of its form's action is a refusal (fields in error,
 * a sign-in refused…), as the title of a list or a dashboard says that its address is refused. A route's meta cannot
 * do it: it receives its loader's data, never its action's (Remix 2.17, MetaArgs). So the page changes the title once
 * it is rendered, after a form sent from the browser and after a page loaded with the answer (once hydrated).
 *
 * Run after each rendering: Remix's <Meta> leaves the title alone while its value is the same (the page's data read
 * again after the action), but writes it anew when it changes (another step, another page), over the prefix. The
 * title set here is taken back when the answer is no longer a refusal (a form sent again and accepted), and only if
 * it is still the page's: another page's title, written before this page's effects are cleaned up, is left alone.
 */
export function useTitreEnErreur(refuse: boolean): void {
  useEffect(() => {
    if (!refuse) return;
    const titre = document.title;
    const enErreur = titreEnErreur(titre, true);
    if (enErreur === titre) return;
    document.title = enErreur;
    return () => {
      if (document.title === enErreur) document.title = titre;
    };
  });
}

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
  return titreEnErreur(parties.join(" - "), Boolean(liste.erreurs));
}

/** Whether a list's address filters it (a search or a filter), not only pages or sorts it. */
export function listeFiltree(search: string): boolean {
  return [...new URLSearchParams(search).keys()].some((k) => !["page", "tri", "ordre", "limit"].includes(k));
}
