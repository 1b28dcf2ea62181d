import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { getViewer, importeLeReferentiel } from "~/auth/policy.server";
import { listFormations } from "~/referentiel/catalogue.server";
import { formationsQuerySchema, parseQueryLenient } from "~/referentiel/filtres.server";
import { territoiresOptions } from "~/referentiel/repertoire.server";
import { pageOrLast } from "~/shared/pagination";
import { EmptyState, ErrorsAlert, Pagination, RegionSelect, ResultCount, SearchButtons, SearchField, SelectField, SortHeader } from "~/referentiel/components";
import { NIVEAU_LABELS } from "~/referentiel/labels";
import { formatDate, formatNombre } from "~/ui/format";
import { refusSiInvalide } from "~/auth/responses.server";
import { listeFiltree, titreDeListe } from "~/ui/titre";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = ({ data, error, location }) => [
  {
    title: titreDeListe(
      "Catalogue des formations",
      data && { recherche: data.query.q, filtree: listeFiltree(location.search), erreurs: data.errors.length, ...data.page.pagination },
      error,
    ),
  },
];

/** The labels of the form's fields: the messages about a value name the field to correct, not the parameter. */
const LIBELLES = { q: "Rechercher", niveau: "Niveau", region: "Région", ouverte: "Statut" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  // The catalogue is public and national: the same list for every viewer (national administrators are also shown
  // where to import it when it is empty).
  const viewer = await getViewer(request, context.database);
  const { value: query, errors } = parseQueryLenient(formationsQuerySchema, new URL(request.url).searchParams, LIBELLES);
  const [page, territoires] = await Promise.all([
    pageOrLast(query.page, (p) => listFormations(context.database, { ...query, page: p })),
    territoiresOptions(context.database),
  ]);
  // an unknown code or a bad value: reported, left out, and answered as a 400
  return refusSiInvalide({ query, errors, page, territoires, importeur: importeLeReferentiel(viewer) }, errors);
}

export default function Catalogue() {
  const { query, errors, page, territoires, importeur } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const filtered = listeFiltree(search);
  return (
    <div className="fr-container fr-my-5w">
      <h1>Catalogue des formations</h1>
      <p className="fr-text--lead">Les diplômes et titres préparés en apprentissage : code formation diplôme (CFD), code RNCP, niveau et intitulé.</p>
      <ErrorsAlert errors={errors} />
      <Form method="get" className="fr-mb-3w" aria-label="Rechercher et filtrer les formations">
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <SearchField id="q" label="Rechercher" hint="CFD, code RNCP ou mots de l'intitulé" value={query.q} />
          </div>
          <div className="fr-col-6 fr-col-md-2">
            <SelectField id="niveau" name="niveau" label="Niveau" value={query.niveau?.toString()} options={Object.entries(NIVEAU_LABELS).map(([value, label]) => ({ value, label }))} />
          </div>
          <div className="fr-col-6 fr-col-md-2">
            <RegionSelect regions={territoires.regions} value={query.region} />
          </div>
          <div className="fr-col-6 fr-col-md-2">
            <SelectField
              id="ouverte"
              name="ouverte"
              label="Statut"
              value={query.ouverte === undefined ? undefined : query.ouverte ? "oui" : "non"}
              options={[
                { value: "oui", label: "Ouvertes" },
                { value: "non", label: "Fermées" },
              ]}
            />
          </div>
        </div>
        <p className="fr-hint-text">Le filtre par territoire garde les formations proposées au catalogue dans ce territoire (par son lieu de formation ou, à défaut de lieu, par son organisme formateur) ou suivies par des apprenants de ses organismes.</p>
        <SearchButtons filtered={filtered} resetTo="/formations" />
      </Form>
      <ResultCount total={page.pagination.total} singular="formation" plural="formations" />
      {page.data.length === 0 ? (
        <EmptyState title={filtered ? "Aucune formation ne correspond à ces critères" : "Le catalogue est vide"}>
          {filtered ? (
            <p>Modifiez la recherche ou retirez des filtres.</p>
          ) : importeur ? (
            <p>
              Les formations apparaîtront une fois le catalogue importé : <Link to="/admin/imports">importer un fichier de formations</Link>.
            </p>
          ) : (
            <p>Le catalogue des formations n'a pas encore été chargé. Revenez plus tard.</p>
          )}
        </EmptyState>
      ) : (
        <div className="fr-table fr-table--no-caption" data-testid="catalogue">
          <table tabIndex={0} id="catalogue-liste">
            <caption>Formations, page {formatNombre(page.pagination.page)} sur {formatNombre(page.pagination.pages)}</caption>
            <thead>
              <tr>
                <SortHeader label="Intitulé" column="intitule" tri={query.tri} ordre={query.ordre} search={search} />
                <SortHeader label="CFD" column="cfd" tri={query.tri} ordre={query.ordre} search={search} />
                <SortHeader label="RNCP" column="rncp" tri={query.tri} ordre={query.ordre} search={search} />
                <SortHeader label="Niveau" column="niveau" tri={query.tri} ordre={query.ordre} search={search} />
                <th scope="col">Fermeture</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((f) => (
                <tr key={f.id}>
                  <td>
                    <Link to={`/formations/${f.id}`}>{f.intitule_long}</Link>
                  </td>
                  <td>{f.cfd ?? "–"}</td>
                  <td>{f.rncp ?? "–"}</td>
                  <td>{f.niveau ?? "–"}</td>
                  <td>{f.date_fermeture ? formatDate(f.date_fermeture) : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page.pagination.page} pages={page.pagination.pages} search={search} cible="catalogue-liste" label="Pages du catalogue" />
      <p className="fr-text--sm fr-mt-3w">
        Ces données sont aussi disponibles au format JSON : <a href={`/api/v1/formations${search}`}>/api/v1/formations</a>.
      </p>
    </div>
  );
}
