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
