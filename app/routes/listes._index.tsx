/** /listes — the named lists of the viewer's territory: how many young people each holds today, and the way in. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { NO_STORE } from "~/auth/responses.server";
import { LISTES } from "~/listes/listes";
import { requireLecteurDeListes, resumeListes } from "~/listes/listes.server";
import { todayIso } from "~/statut/annee-scolaire";
import { formatDate, formatNombre } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = () => [{ title: "Jeunes à accompagner - Tableau de bord de l'apprentissage" }];
export const headers = () => NO_STORE;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireLecteurDeListes(request, context.database);
  return { listes: await resumeListes(context.database, viewer), today: todayIso() };
}

export default function Listes() {
  const { listes, today } = useLoaderData<typeof loader>();
  return (
    <div className="fr-container fr-my-4w">
      <h1>Jeunes à accompagner</h1>
      <p>
        Les apprenants de votre territoire qui ont besoin d'un contact, au {formatDate(today)}, d'après les données transmises par les CFA. Ces
        listes sont nominatives : chaque consultation et chaque export sont enregistrés dans le journal des accès.
      </p>
      <div className="fr-grid-row fr-grid-row--gutters" data-testid="listes">
        {listes.map(({ slug, nombre }) => (
          <div key={slug} className="fr-col-12 fr-col-md-4">
            <div className="fr-tile fr-enlarge-link">
              <div className="fr-tile__body">
                <h2 className="fr-tile__title">
                  <Link to={`/listes/${slug}`}>{LISTES[slug].titre}</Link>
                </h2>
                <p className="fr-tile__desc fr-h3 fr-mb-1w" data-testid={`nombre-${slug}`}>
                  {formatNombre(nombre)}
                </p>
                <p className="fr-text--sm fr-mb-0">{LISTES[slug].description}</p>
              </div>
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}
