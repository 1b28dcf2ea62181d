import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { canSeeReferentielAnomalies, ecarterTerritoiresHorsPerimetre, forbidden, requireUser } from "~/auth/policy.server";
import { ANOMALIE_LABELS, ANOMALIE_TYPES } from "~/referentiel/anomalies";
import { listAnomalies } from "~/referentiel/anomalies.server";
import { anomaliesQuerySchema, erreursNommees, parseQueryLenient } from "~/referentiel/filtres.server";
import { territoiresOptions } from "~/referentiel/repertoire.server";
import { DepartementSelect, EmptyState, ErrorsAlert, Pagination, RegionSelect, ResultCount, SelectField } from "~/referentiel/components";
import { NATURE_LABELS } from "~/referentiel/labels";
import { pageOrLast } from "~/shared/pagination";
import { refusSiInvalide } from "~/auth/responses.server";
import { formatNombre } from "~/ui/format";
import { titrePage } from "~/ui/erreur";
import { titreEnErreur } from "~/ui/titre";
export { pageSansFormulaire as action } from "~/shared/methode.server";

// « Erreur : » when a filter of the address is refused, as the other lists say it
export const meta: MetaFunction<typeof loader> = ({ data, error }) => [{ title: titrePage(titreEnErreur("Anomalies du référentiel", Boolean(data?.errors?.length)), error) }];

/** The labels of the form's fields: the messages about a value name the field to correct, not the parameter. */
const LIBELLES = { type: "Type d'anomalie", region: "Région", departement: "Département", academie: "Académie" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request, context.database);
  if (!canSeeReferentielAnomalies(viewer)) throw forbidden("Les anomalies du référentiel sont réservées aux administrateurs nationaux et aux services territoriaux.");
  const { value: query, errors: lues } = parseQueryLenient(anomaliesQuerySchema, new URL(request.url).searchParams);
  // a territory outside the viewer's: said and left out (the anomalies of its whole scope are shown), answered as a 403
  const horsPerimetre = ecarterTerritoiresHorsPerimetre(viewer, query, lues);
  const { errors } = erreursNommees(lues, LIBELLES);
  const [result, territoires] = await Promise.all([
    pageOrLast(query.page, (page) => listAnomalies(context.database, viewer, { ...query, page, limit: 50 })),
    territoiresOptions(context.database, viewer.scope),
  ]);
  // an unknown code or a bad value: reported, left out, and answered as a 400
  const value = { query, errors, result, territoires, national: viewer.scope.kind === "national" };
  return horsPerimetre ? (data(value, { status: 403 }) as unknown as typeof value) : refusSiInvalide(value, errors);
}

export default function Anomalies() {
  const { query, errors, result, territoires, national } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  return (
    <div className="fr-container fr-my-5w">
      <h1>Anomalies du référentiel</h1>
      <p className="fr-text--lead">
        Organismes dont les données d'identification sont à corriger{national ? "" : " dans votre territoire"} : UAI ou SIRET invalide, SIRET fermé,
        nature inconnue, UAI porté par plusieurs SIRET, formateur sans responsable.
      </p>
      <ErrorsAlert errors={errors} />
      <ul className="fr-tags-group fr-mb-2w" aria-label="Nombre d'organismes par type d'anomalie">
        {ANOMALIE_TYPES.map((t) => (
          <li key={t}>
            <Link className="fr-tag" to={`?${new URLSearchParams({ ...(query.region ? { region: query.region } : {}), ...(query.departement ? { departement: query.departement } : {}), type: t })}`} aria-current={query.type === t ? "page" : undefined}>
              {ANOMALIE_LABELS[t]} : {formatNombre(result.counts[t])}
            </Link>
          </li>
        ))}
      </ul>
      <Form method="get" className="fr-mb-3w" aria-label="Filtrer les anomalies">
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-4">
            <SelectField id="type" name="type" label="Type d'anomalie" value={query.type} options={ANOMALIE_TYPES.map((t) => ({ value: t, label: ANOMALIE_LABELS[t] }))} />
          </div>
          {national ? (
            <div className="fr-col-6 fr-col-md-4">
              <RegionSelect regions={territoires.regions} value={query.region} />
            </div>
          ) : null}
          <div className="fr-col-6 fr-col-md-4">
            <DepartementSelect departements={territoires.departements} region={query.region} value={query.departement} />
          </div>
        </div>
        <button className="fr-btn fr-mt-2w" type="submit">
          Filtrer
        </button>
      </Form>
      <ResultCount total={result.pagination.total} singular="organisme concerné" plural="organismes concernés" />
      {result.data.length === 0 ? (
        <EmptyState title="Aucune anomalie">
          <p>Aucun organisme ne présente d'anomalie {query.type ? `de ce type ` : ""}dans ce périmètre.</p>
        </EmptyState>
      ) : (
        <div className="fr-table" data-testid="anomalies">
          <table tabIndex={0} id="anomalies-liste">
            <caption>Organismes présentant des anomalies</caption>
            <thead>
              <tr>
                <th scope="col">Organisme</th>
                <th scope="col">SIRET</th>
                <th scope="col">UAI</th>
                <th scope="col">Nature</th>
                <th scope="col">Département</th>
                <th scope="col">Anomalies</th>
              </tr>
            </thead>
            <tbody>
              {result.data.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/organismes/${o.id}`}>{o.raison_sociale}</Link>
                  </td>
                  <td>{o.siret}</td>
                  <td>{o.uai ?? "–"}</td>
                  <td>{NATURE_LABELS[o.nature]}</td>
                  <td>{o.departement_code ?? "–"}</td>
                  <td>
                    <ul className="fr-mb-0">
                      {o.anomalies.map((a) => (
                        <li key={a.type}>{a.message}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={result.pagination.page} pages={result.pagination.pages} search={search} cible="anomalies-liste" />
    </div>
  );
}
