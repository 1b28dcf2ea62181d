import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { canSeeNonTransmetteurs, ecarterTerritoiresHorsPerimetre, forbidden, requireUser } from "~/auth/policy.server";
import { erreursNommees, parseQueryLenient } from "~/referentiel/filtres.server";
import { STATUT_TRANSMISSION_LABELS, STATUTS_TRANSMISSION } from "~/referentiel/labels";
import { listNonTransmetteurs } from "~/referentiel/non-transmetteurs.server";
import { nonTransmetteursQuerySchema } from "~/referentiel/non-transmetteurs-query.server";
import { reseauxConnus, territoiresOptions } from "~/referentiel/repertoire.server";
import { DepartementSelect, EmptyState, ErrorsAlert, Pagination, RegionSelect, ResultCount, SelectField, withParams } from "~/referentiel/components";
import { NATURE_LABELS } from "~/referentiel/labels";
import { CONSEIL_XLSX, formatDate, formatNombre } from "~/ui/format";
import { pageOrLast } from "~/shared/pagination";
import { refusSiInvalide } from "~/auth/responses.server";
import { ariaErreur, MessageErreur } from "~/ui/champ-en-erreur";
import { titrePage } from "~/ui/erreur";
import { titreEnErreur } from "~/ui/titre";
export { pageSansFormulaire as action } from "~/shared/methode.server";

// « Erreur : » when a filter of the address is refused, as the other lists say it
export const meta: MetaFunction<typeof loader> = ({ data, error }) => [
  { title: titrePage(titreEnErreur("Organismes qui ne transmettent pas", Boolean(data?.errors?.length)), error) },
];

/** The labels of the form's fields: the messages about a value name the field to correct, not the parameter. */
const LIBELLES = {
  statut: "Statut",
  region: "Région",
  departement: "Département",
  academie: "Académie",
  nature: "Nature",
  reseau: "Réseau",
  jours: "Sans transmission depuis (jours)",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request, context.database);
  if (!canSeeNonTransmetteurs(viewer)) throw forbidden("Cette liste est réservée aux services de l'État, des régions et aux têtes de réseau.");
  const { value: query, errors: lues } = parseQueryLenient(nonTransmetteursQuerySchema, new URL(request.url).searchParams);
  // a territory outside the viewer's: said and left out (the list of its whole scope is shown), answered as a 403
  const horsPerimetre = ecarterTerritoiresHorsPerimetre(viewer, query, lues);
  const { errors, parChamp } = erreursNommees(lues, LIBELLES);
  const [result, territoires, reseaux] = await Promise.all([
    pageOrLast(query.page, (page) => listNonTransmetteurs(context.database, viewer, { ...query, page, joursArret: query.jours, limit: 50 })),
    territoiresOptions(context.database, viewer.scope),
    reseauxConnus(context.database, viewer),
  ]);
  // an unknown code or a bad value: reported, left out, and answered as a 400
  const value = { query, errors, erreurJours: parChamp.jours ?? null, result, territoires, reseaux, national: viewer.scope.kind === "national" };
  return horsPerimetre ? (data(value, { status: 403 }) as unknown as typeof value) : refusSiInvalide(value, errors);
}

export default function NonTransmetteurs() {
  const { query, errors, erreurJours, result, territoires, reseaux, national } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const exportSearch = withParams(search, { page: undefined });
  return (
    <div className="fr-container fr-my-5w">
      <h1>Organismes qui ne transmettent pas</h1>
      <p className="fr-text--lead">
        Organismes actifs du référentiel (hors lieux de formation) qui n'ont jamais transmis leurs effectifs, ou dont la dernière transmission date de
        plus de {query.jours} jours{national ? "" : ", dans votre périmètre"}.
      </p>
      <ErrorsAlert errors={errors} />
      <div className="fr-grid-row fr-grid-row--gutters fr-mb-3w">
        {STATUTS_TRANSMISSION.map((s) => (
          <div key={s} className="fr-col-12 fr-col-md-6">
            <div className="fr-tile fr-enlarge-link">
              <div className="fr-tile__body">
                <h2 className="fr-tile__title">
                  <Link to={withParams(search, { statut: s, page: undefined })}>{STATUT_TRANSMISSION_LABELS[s]}</Link>
                </h2>
                <p className="fr-tile__desc fr-h3 fr-mb-0" data-testid={`compte-${s}`}>
                  {formatNombre(result.counts[s])}
                </p>
              </div>
            </div>
          </div>
        ))}
      </div>
      {/* noValidate: the server checks the number of days and says what is expected in French, under the field */}
      <Form method="get" className="fr-mb-3w" aria-label="Filtrer les organismes" noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-6 fr-col-md-3">
            <SelectField id="statut" name="statut" label="Statut" value={query.statut} options={STATUTS_TRANSMISSION.map((s) => ({ value: s, label: STATUT_TRANSMISSION_LABELS[s] }))} />
          </div>
          {national ? (
            <div className="fr-col-6 fr-col-md-3">
              <RegionSelect regions={territoires.regions} value={query.region} />
            </div>
          ) : null}
          <div className="fr-col-6 fr-col-md-3">
            <DepartementSelect departements={territoires.departements} region={query.region} value={query.departement} />
          </div>
          <div className="fr-col-6 fr-col-md-3">
            <SelectField id="nature" name="nature" label="Nature" value={query.nature} empty="Toutes" options={Object.entries(NATURE_LABELS).filter(([v]) => v !== "lieu").map(([value, label]) => ({ value, label }))} />
          </div>
          <div className="fr-col-6 fr-col-md-3">
            <SelectField id="reseau" name="reseau" label="Réseau" value={query.reseau} options={reseaux.map((r) => ({ value: r, label: r }))} />
          </div>
          <div className="fr-col-6 fr-col-md-3">
            <div className={`fr-input-group${erreurJours ? " fr-input-group--error" : ""}`}>
              <label className="fr-label" htmlFor="jours">
                Sans transmission depuis (jours)
                <span className="fr-hint-text">De 7 à 730 jours</span>
              </label>
              <input
                className={`fr-input${erreurJours ? " fr-input--error" : ""}`}
                type="number"
                min={7}
                max={730}
                id="jours"
                name="jours"
                defaultValue={query.jours}
                {...ariaErreur("jours", erreurJours)}
              />
              <MessageErreur id="jours" erreur={erreurJours} />
            </div>
          </div>
        </div>
        <button className="fr-btn fr-mt-2w" type="submit">
          Filtrer
        </button>
      </Form>
      <div className="fr-grid-row fr-grid-row--middle fr-mb-1w">
        <div className="fr-col">
          <ResultCount total={result.pagination.total} singular="organisme" plural="organismes" />
        </div>
        <div className="fr-col-auto">
          <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-btns-group--icon-left">
            <li>
              <a className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left" href={`/referentiel/non-transmetteurs.csv${exportSearch}`} download>
                Télécharger (CSV)
              </a>
            </li>
            <li>
              <a className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left" href={`/referentiel/non-transmetteurs.xlsx${exportSearch}`} download>
                Télécharger (Excel)
              </a>
            </li>
          </ul>
          <p className="fr-text--xs fr-mb-0" data-testid="conseil-xlsx">
            {CONSEIL_XLSX}
          </p>
        </div>
      </div>
      {result.data.length === 0 ? (
        <EmptyState title="Aucun organisme">
          <p>Tous les organismes de ce périmètre transmettent leurs effectifs.</p>
        </EmptyState>
      ) : (
        <div className="fr-table" data-testid="non-transmetteurs">
          <table tabIndex={0} id="non-transmetteurs-liste">
            <caption>Organismes qui ne transmettent pas</caption>
            <thead>
              <tr>
                <th scope="col">Organisme</th>
                <th scope="col">SIRET</th>
                <th scope="col">UAI</th>
                <th scope="col">Nature</th>
                <th scope="col">Commune (département)</th>
                <th scope="col">Dernière transmission</th>
              </tr>
            </thead>
            <tbody>
              {result.data.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/organismes/${o.id}`}>{o.enseigne ?? o.raison_sociale}</Link>
                  </td>
                  <td>{o.siret}</td>
                  <td>{o.uai ?? "–"}</td>
                  <td>{NATURE_LABELS[o.nature]}</td>
                  <td>{o.commune ? `${o.commune} (${o.departement_code})` : (o.departement_code ?? "–")}</td>
                  <td>{o.last_transmission_at ? formatDate(o.last_transmission_at) : "Jamais"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={result.pagination.page} pages={result.pagination.pages} search={search} cible="non-transmetteurs-liste" />
    </div>
  );
}
