/** The error boundary of the dashboard routes: the policy's French message (403, 404), never a figure. */
import { Link, useLocation, useRouteError } from "@remix-run/react";
import { describeRouteError } from "~/ui/erreur";

export function ErreurTableau() {
  const location = useLocation();
  const { status, title, message } = describeRouteError(useRouteError(), { forbidden: "Vous n'avez pas accès à ces données." });
  const connexion = status === 403 && /connectez-vous/i.test(message);
  return (
    <div className="fr-container fr-my-7w">
      <h1>{title}</h1>
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
