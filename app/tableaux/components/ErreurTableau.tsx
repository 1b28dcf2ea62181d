/** The error boundary of the dashboard routes: the policy's French message (403, 404), never a figure. */
import { Link, isRouteErrorResponse, useLocation, useRouteError } from "@remix-run/react";

export function ErreurTableau() {
  const error = useRouteError();
  const location = useLocation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message =
    isRouteErrorResponse(error) && typeof error.data === "string" && error.data
      ? error.data
      : status === 404
        ? "La page demandée n'existe pas."
        : status === 403
          ? "Vous n'avez pas accès à ces données."
          : "Une erreur inattendue est survenue. L'équipe en a été informée.";
  const connexion = status === 403 && /connectez-vous/i.test(message);
  return (
    <div className="fr-container fr-my-7w">
      <h1>{status === 404 ? "Page non trouvée" : status === 403 ? "Accès refusé" : "Erreur"}</h1>
      <p className="fr-text--lead" data-testid="message-erreur">
        {message}
      </p>
      <p>Erreur {status}</p>
      <ul className="fr-btns-group fr-btns-group--inline-md">
        {connexion ? (
          <li>
            <Link className="fr-btn" to={`/connexion?redirectTo=${encodeURIComponent(location.pathname + location.search)}`}>
              Se connecter
            </Link>
          </li>
        ) : null}
        <li>
          <Link className={connexion ? "fr-btn fr-btn--secondary" : "fr-btn"} to="/">
            Retour au tableau de bord
          </Link>
        </li>
      </ul>
    </div>
  );
}
