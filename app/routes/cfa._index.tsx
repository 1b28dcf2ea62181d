/**
 * /cfa: a CFA user goes straight to its organisme's space (a choice when its SIRET carries several UAIs); a
 * national admin searches the organisme whose space to open; other users get a 403.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { forbidden, requireUser } from "~/auth/policy.server";
import { NO_STORE } from "~/auth/responses.server";
import { AuthErrorBoundary } from "~/auth/ui";
import { choixEspace } from "~/cfa/espace.server";
import { FraicheurBadge } from "~/referentiel/components";
import { NATURE_LABELS } from "~/referentiel/labels";
import { formatNombre } from "~/ui/format";
import { titrePage } from "~/ui/erreur";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Espace CFA", error) }];
export const headers = () => NO_STORE;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request, context.database);
  const q = new URL(request.url).searchParams.get("q");
  const choix = await choixEspace(context.database, viewer, q);
  if (choix.kind === "redirection") throw redirect(`/cfa/${choix.organismeId}`);
  if (choix.kind === "interdit") {
    throw forbidden("L'espace CFA est réservé aux organismes de formation et aux administrateurs nationaux.");
  }
  return choix;
}

export default function ChoixEspace() {
  const choix = useLoaderData<typeof loader>();
  return (
    <div className="fr-container fr-my-5w">
      <h1>Espace CFA</h1>
      {choix.kind === "aucun" ? (
        <div className="fr-alert fr-alert--warning">
          <h2 className="fr-alert__title">Aucun organisme rattaché à votre compte</h2>
          <p>
            Le SIRET de votre organisation ne correspond à aucun organisme du référentiel. Vérifiez-le dans{" "}
            <Link to="/compte">Mon compte</Link> ou contactez l'équipe du tableau de bord.
          </p>
        </div>
      ) : choix.kind === "liste" ? (
        <>
          {choix.admin ? (
            <>
              <p className="fr-text--lead">Ouvrez l'espace d'un organisme de formation : ses transmissions, ses apprenants, la qualité de ses données.</p>
              <Form method="get" role="search" className="fr-mb-4w">
                <div className="fr-search-bar" id="recherche-organisme">
                  <label className="fr-label" htmlFor="q">
                    Rechercher un organisme (SIRET, UAI ou nom)
                  </label>
                  <input className="fr-input" type="search" id="q" name="q" defaultValue={choix.recherche ?? ""} placeholder="SIRET, UAI ou nom" />
                  <button className="fr-btn" type="submit" title="Rechercher">
                    Rechercher
                  </button>
                </div>
              </Form>
            </>
          ) : (
            <p className="fr-text--lead">Votre compte donne accès à plusieurs organismes : choisissez l'espace à ouvrir.</p>
          )}
          {choix.recherche && choix.organismes.length === 0 ? (
            <p role="status">Aucun organisme ne correspond à « {choix.recherche} ».</p>
          ) : null}
          {choix.organismes.length ? (
            <>
              {choix.admin ? (
                <p role="status">
                  {formatNombre(choix.total)} organisme{choix.total > 1 ? "s" : ""} trouvé{choix.total > 1 ? "s" : ""}
                  {choix.total > choix.organismes.length ? ` (les ${choix.organismes.length} premiers affichés)` : ""}.
                </p>
              ) : null}
              <div className="fr-table">
                <table tabIndex={0}>
                  <caption>Organismes</caption>
                  <thead>
                    <tr>
                      <th scope="col">Organisme</th>
                      <th scope="col">SIRET</th>
                      <th scope="col">UAI</th>
                      <th scope="col">Nature</th>
                      <th scope="col">Commune</th>
                      <th scope="col">Données</th>
                    </tr>
                  </thead>
                  <tbody>
                    {choix.organismes.map((o) => (
                      <tr key={o.id}>
                        <td>
                          <Link to={`/cfa/${o.id}`}>{o.enseigne ?? o.raisonSociale}</Link>
                        </td>
                        <td>{o.siret}</td>
                        <td>{o.uai ?? "–"}</td>
                        <td>{NATURE_LABELS[o.nature] ?? o.nature}</td>
                        <td>{o.commune ?? "–"}</td>
                        <td>
                          <FraicheurBadge fraicheur={o.fraicheur} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
