import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { getViewer, importeLeReferentiel, viewerOfRepertoire } from "~/auth/policy.server";
import { organismesQuerySchema, parseQueryLenient } from "~/referentiel/filtres.server";
import { filtresDuRepertoire, listOrganismes } from "~/referentiel/repertoire.server";
import { pageOrLast } from "~/shared/pagination";
import { DepartementSelect, EmptyState, ErrorsAlert, FraicheurBadge, Pagination, RegionSelect, ResultCount, SearchButtons, SearchField, SelectField, SortHeader } from "~/referentiel/components";
import { ETAT_LABELS, FRAICHEUR_LABELS, NATURE_LABELS } from "~/referentiel/labels";
import { formatDate, formatNombre } from "~/ui/format";
import { refusSiInvalide } from "~/auth/responses.server";
import { listeFiltree, titreDeListe } from "~/ui/titre";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = ({ data, error, location }) => [
  {
    title: titreDeListe(
      "Répertoire des organismes",
      data && { recherche: data.query.q, filtree: listeFiltree(location.search), erreurs: data.errors.length, ...data.page.pagination },
      error,
    ),
  },
];

/** The labels of the form's fields: the messages about a value name the field to correct, not the parameter. */
const LIBELLES = {
  q: "Rechercher",
  region: "Région",
  departement: "Département",
  academie: "Académie",
  nature: "Nature",
  reseau: "Réseau",
  qualiopi: "Qualiopi",
  transmet: "Transmission",
  fraicheur: "Fraîcheur des données",
  etat: "État",
  perimetre: "Périmètre",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signe = await getViewer(request, context.database);
  const { value: query, errors } = parseQueryLenient(organismesQuerySchema, new URL(request.url).searchParams, LIBELLES);
  const viewer = viewerOfRepertoire(signe, query.perimetre);
  const [page, { reseaux, territoires }] = await Promise.all([
    pageOrLast(query.page, (p) => listOrganismes(context.database, viewer, { ...query, page: p })),
    filtresDuRepertoire(context.database, viewer),
  ]);
  // an unknown code or a bad value: reported, left out, and answered as a 400
  return refusSiInvalide({ query, errors, page, reseaux, territoires, scope: signe.userId === null ? null : signe.scope.kind, importeur: importeLeReferentiel(signe) }, errors);
}

export default function Repertoire() {
  const { query, errors, page, reseaux, territoires, scope, importeur } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const filtered = listeFiltree(search);
  return (
    <div className="fr-container fr-my-5w">
      <h1>Répertoire des organismes</h1>
      <p className="fr-text--lead">
        Les organismes de formation en apprentissage : SIRET, UAI, nature, territoire, réseaux, certification Qualiopi et fraîcheur des données
        transmises.
      </p>
      <ErrorsAlert errors={errors} />
      <Form method="get" className="fr-mb-3w" aria-label="Rechercher et filtrer les organismes">
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <SearchField id="q" label="Rechercher" hint="Raison sociale, enseigne, SIRET, UAI, commune ou code postal" value={query.q} />
          </div>
          {territoires.regions.length > 1 ? (
            <div className="fr-col-6 fr-col-md-3">
              <RegionSelect regions={territoires.regions} value={query.region} />
            </div>
          ) : null}
          {territoires.departements.length > 1 ? (
            <div className="fr-col-6 fr-col-md-3">
              <DepartementSelect departements={territoires.departements} region={query.region} value={query.departement} />
            </div>
          ) : null}
          <div className="fr-col-6 fr-col-md-3">
            <SelectField id="nature" name="nature" label="Nature" value={query.nature} empty="Toutes" options={Object.entries(NATURE_LABELS).map(([value, label]) => ({ value, label }))} />
          </div>
          <div className="fr-col-6 fr-col-md-3">
            <SelectField id="reseau" name="reseau" label="Réseau" value={query.reseau} options={reseaux.map((r) => ({ value: r, label: r }))} />
          </div>
          <div className="fr-col-6 fr-col-md-2">
            <SelectField
              id="qualiopi"
              name="qualiopi"
              label="Qualiopi"
              value={query.qualiopi === undefined ? undefined : query.qualiopi ? "oui" : "non"}
              options={[
                { value: "oui", label: "Certifié" },
                { value: "non", label: "Non certifié" },
              ]}
            />
          </div>
          <div className="fr-col-6 fr-col-md-2">
            <SelectField
              id="transmet"
              name="transmet"
              label="Transmission"
              value={query.transmet === undefined ? undefined : query.transmet ? "oui" : "non"}
              empty="Toutes"
              options={[
                { value: "oui", label: "A déjà transmis" },
                { value: "non", label: "N'a jamais transmis" },
              ]}
            />
          </div>
          <div className="fr-col-6 fr-col-md-3">
            <SelectField id="fraicheur" name="fraicheur" label="Fraîcheur des données" value={query.fraicheur} empty="Toutes" options={Object.entries(FRAICHEUR_LABELS).map(([value, label]) => ({ value, label }))} />
          </div>
          <div className="fr-col-6 fr-col-md-2">
            <SelectField id="etat" name="etat" label="État" value={query.etat} options={Object.entries(ETAT_LABELS).map(([value, label]) => ({ value, label }))} />
          </div>
          {scope !== null && scope !== "national" ? (
            <div className="fr-col-6 fr-col-md-3">
              <SelectField
                id="perimetre"
                name="perimetre"
                label="Périmètre"
                value={query.perimetre}
                empty="Tout le répertoire"
                options={[{ value: "mien", label: "Le périmètre de mon organisation" }]}
              />
            </div>
          ) : null}
        </div>
        <SearchButtons filtered={filtered} resetTo="/organismes" />
      </Form>

      <ResultCount total={page.pagination.total} singular="organisme" plural="organismes" />
      {page.data.length === 0 ? (
        <EmptyState title={filtered ? "Aucun organisme ne correspond à ces critères" : "Le répertoire est vide"}>
          {filtered ? (
            <p>
              Modifiez la recherche ou retirez des filtres
              {query.perimetre === "mien" ? " : la liste est restreinte au périmètre de votre organisation (filtre « Périmètre »)" : ""}.
            </p>
          ) : importeur ? (
            <p>
              Les organismes apparaîtront une fois le référentiel importé : <Link to="/admin/imports">importer un fichier d'organismes</Link>.
            </p>
          ) : (
            <p>Le référentiel des organismes n'a pas encore été chargé. Revenez plus tard.</p>
          )}
        </EmptyState>
      ) : (
        <div className="fr-table fr-table--no-caption" data-testid="repertoire">
          <table tabIndex={0} id="repertoire-liste">
            <caption>Organismes, page {formatNombre(page.pagination.page)} sur {formatNombre(page.pagination.pages)}</caption>
            <thead>
              <tr>
                <SortHeader label="Raison sociale" column="raison_sociale" tri={query.tri} ordre={query.ordre} search={search} />
                <SortHeader label="SIRET" column="siret" tri={query.tri} ordre={query.ordre} search={search} />
                <SortHeader label="UAI" column="uai" tri={query.tri} ordre={query.ordre} search={search} />
                <th scope="col">Nature</th>
                <SortHeader label="Commune (département)" column="departement" tri={query.tri} ordre={query.ordre} search={search} />
                <th scope="col">Qualiopi</th>
                <SortHeader label="Dernière transmission" column="derniere_transmission" tri={query.tri} ordre={query.ordre} search={search} />
              </tr>
            </thead>
            <tbody>
              {page.data.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/organismes/${o.id}`}>{o.enseigne ? `${o.enseigne} (${o.raison_sociale})` : o.raison_sociale}</Link>
                    {o.etat_administratif === "ferme" ? <p className="fr-badge fr-badge--sm fr-badge--error fr-ml-1w">Fermé</p> : null}
                  </td>
                  <td>{o.siret}</td>
                  <td>{o.uai ?? "–"}</td>
                  <td>{NATURE_LABELS[o.nature]}</td>
                  <td>{o.commune ? `${o.commune} (${o.departement_code})` : (o.departement_code ?? "–")}</td>
                  <td>{o.qualiopi ? "Oui" : "Non"}</td>
                  <td>
                    {o.last_transmission_at ? <span className="fr-mr-1w">{formatDate(o.last_transmission_at)}</span> : null}
                    <FraicheurBadge fraicheur={o.fraicheur} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page.pagination.page} pages={page.pagination.pages} search={search} cible="repertoire-liste" label="Pages du répertoire" />
      <p className="fr-text--sm fr-mt-3w">
        Ces données sont aussi disponibles au format JSON : <a href={`/api/v1/organismes${search}`}>/api/v1/organismes</a> (voir la documentation de l'API).
      </p>
    </div>
  );
}
