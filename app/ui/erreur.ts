/**
 * What an error boundary says (browser-safe): the French message a loader or action threw with (a 400, 403 or 404
 * of the policy), else a French sentence for the status. Remix's own error answers (a POST to a page that takes
 * none, an unknown URL) carry English internals: never shown.
 */
import { isRouteErrorResponse } from "@remix-run/react";

export interface ErreurAffichee {
  status: number;
  title: string;
  message: string;
}

export function describeRouteError(error: unknown, defaults: { forbidden?: string; unexpected?: string } = {}): ErreurAffichee {
  const response = isRouteErrorResponse(error) ? error : null;
  const status = response?.status ?? 500;
  const own = response && !(response as unknown as { internal?: boolean }).internal && typeof response.data === "string" && response.data ? response.data : null;
  const message =
    own ??
    (status === 404
      ? "La page demandée n'existe pas."
      : status === 403
        ? (defaults.forbidden ?? "Vous n'avez pas accès à cette page.")
        : status === 405
          ? "Cette page ne reçoit pas de formulaire : ouvrez-la depuis son lien ou depuis le menu."
          : (defaults.unexpected ?? "Une erreur inattendue est survenue. Réessayez dans un instant ; si elle se répète, signalez-la à l'équipe du tableau de bord."));
  const title = status === 404 ? "Page non trouvée" : status === 403 ? "Accès refusé" : status === 405 ? "Méthode non permise" : "Erreur";
  return { status, title, message };
}

/**
 * A page's <title>: "page - Tableau de bord de l'apprentissage", or, when the route's error boundary shows instead
 * (a 403, a 404…), the error's title, so that the title says what the page says (`meta` receives the error).
 */
export function titrePage(page: string, error?: unknown): string {
  return `${error ? describeRouteError(error).title : page} - Tableau de bord de l'apprentissage`;
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
  return `${liste.erreurs ? "Erreur : " : ""}${parties.join(" - ")}`;
}

/** Whether a list's address filters it (a search or a filter), not only pages or sorts it. */
export function listeFiltree(search: string): boolean {
  return [...new URLSearchParams(search).keys()].some((k) => !["page", "tri", "ordre", "limit"].includes(k));
}
