/**
 * /listes/:liste — a named list of the territory (sans contrat, rupturants, abandons) for the territorial services
 * and the national team: search, territory (région, académie, département within the viewer's), dropout signal, date,
 * sorting, pages, export. Every view is written to the audit log; contacts only for the organisations that may see
 * them. A value the list cannot take is said on the page, which then answers a 400 (its exports refuse it).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { NO_STORE, refusSiInvalide } from "~/auth/responses.server";
import { SIGNAUX } from "~/cfa/apprenants";
import { ChampRechercheApprenants, ChampTaillePage, LiensExport, TriConserve, codesFormation } from "~/cfa/ui";
import { LISTES, parametresDuTerritoire } from "~/listes/listes";
import { pageListe, resoudreListe } from "~/listes/listes.server";
import { ErrorsAlert, Pagination, SearchButtons, SelectField, SortHeader, withParams } from "~/referentiel/components";
import { formatDate, pluriel } from "~/ui/format";
import { ChampDate } from "~/ui/champ-en-erreur";
import { listeFiltree, titreDeListe } from "~/ui/titre";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = ({ data, error, location }) => [
  {
    title: titreDeListe(
      `${data ? LISTES[data.slug].titre : "Listes nominatives"} - Jeunes à accompagner`,
      data && { recherche: data.filtres.q, filtree: listeFiltree(location.search), erreurs: data.erreurs.length, page: data.page, pages: data.pages },
      error,
    ),
  },
];
export const headers = () => NO_STORE;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const liste = await resoudreListe(request, context.database, params.liste);
  const page = await pageListe(context.database, liste);
  const { slug, filtres, dateMax, erreurs, erreurDate, territoire, choix, listes, contacts } = liste;
  // a value the list could not take (outside the territory, unknown, a date to come…): the page says it and shows the
  // list without it, answered as a 400 like its exports, which refuse it
  return refusSiInvalide({ slug, filtres, dateMax, erreurs, erreurDate, territoire, choix, listes, contacts, ...page }, erreurs);
}

export default function ListeNominative() {
  const { slug, filtres: f, dateMax, erreurs, erreurDate, territoire, choix, listes, contacts, lignes, total, page, pages } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const definition = LISTES[slug];
  const base = `/listes/${slug}`;
  const exportSearch = withParams(search, { page: undefined, limit: undefined });
  const exportQuery = exportSearch === "?" ? "" : exportSearch;
  const sort = { tri: f.tri, ordre: f.ordre, search };
  const filtrant = Boolean(f.q || f.signal || territoire.region || territoire.academie || territoire.departement);
  const duTerritoire = new URLSearchParams(parametresDuTerritoire(territoire)).toString();
  return (
    <div className="fr-container fr-my-4w">
      <h1>Jeunes à accompagner</h1>
      <nav className="fr-mb-3w" aria-label="Listes nominatives">
        <ul className="fr-tags-group">
          {listes.map((s) => (
            <li key={s}>
              <Link className="fr-tag" to={`/listes/${s}${duTerritoire ? `?${duTerritoire}` : ""}`} aria-current={s === slug ? "page" : undefined}>
                {LISTES[s].titre}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <h2 className="fr-h3">{definition.titre}</h2>
      <p className="fr-text--sm">
        {definition.description} Liste nominative de votre territoire, selon le département de l'organisme formateur : chaque consultation et chaque
        export sont enregistrés dans le journal des accès.
      </p>
      <ErrorsAlert errors={erreurs} />
      {/* noValidate: the server checks the date and says what is expected in French, under its field (a browser's
          bubble for the date's max may be in English) */}
      <Form method="get" className="fr-mb-3w" aria-label={`Rechercher et filtrer la liste ${definition.titre}`} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-8">
            <ChampRechercheApprenants q={f.q} />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <ChampDate id="date" label="Situation au" hint="JJ/MM/AAAA, pas de date future ; aujourd'hui si vide" max={dateMax} defaultValue={f.date} erreur={erreurDate} />
          </div>
          {/* keyed by their value: a select keeps what it showed when another address (« Effacer les filtres », a tag)
              changes its value, the DSFR select being uncontrolled */}
          {choix.regions.length ? (
            <div className="fr-col-12 fr-col-md-4">
              <SelectField key={territoire.region ?? ""} id="region" name="region" label="Région" value={territoire.region} empty="Toutes" options={choix.regions} />
            </div>
          ) : null}
          {choix.academies.length ? (
            <div className="fr-col-12 fr-col-md-4">
              <SelectField key={territoire.academie ?? ""} id="academie" name="academie" label="Académie" value={territoire.academie} empty="Toutes" options={choix.academies} />
            </div>
          ) : null}
          {choix.departements.length ? (
            <div className="fr-col-12 fr-col-md-4">
              <SelectField key={territoire.departement ?? ""} id="departement" name="departement" label="Département" value={territoire.departement} empty="Tous" options={choix.departements} />
            </div>
          ) : null}
          {definition.signaux.length ? (
            <div className="fr-col-12 fr-col-md-4">
              <SelectField
                id="signal"
                name="signal"
                label="Signal de décrochage"
                value={f.signal}
                empty="Tous"
                options={definition.signaux.map((s) => ({ value: s, label: SIGNAUX[s].libelle }))}
              />
            </div>
          ) : null}
          <div className="fr-col-12 fr-col-md-4">
            <ChampTaillePage label="Apprenants par page" limit={f.limit} />
          </div>
        </div>
        <TriConserve f={f} />
        <SearchButtons filtered={filtrant} resetTo={base} />
      </Form>

      <div className="fr-grid-row fr-grid-row--middle fr-mb-1w">
        <p className="fr-col fr-mb-0" role="status" aria-live="polite" data-testid="nombre-jeunes">
          <strong>{pluriel(total, "apprenant")}</strong> au {formatDate(f.date)}
        </p>
        {total > 0 ? (
          <LiensExport href={base} query={exportQuery} />
        ) : null}
      </div>

      {total === 0 ? (
        <div className="fr-alert fr-alert--info fr-my-3w">
          <h3 className="fr-alert__title">{filtrant ? "Aucun apprenant ne correspond à ces critères" : `Personne dans la liste « ${definition.titre} »`}</h3>
          <p>
            {filtrant ? (
              <>
                Modifiez la recherche ou <Link to={base}>effacez les filtres</Link>.
              </>
            ) : (
              `Aucun apprenant de votre territoire n'est dans cette situation au ${formatDate(f.date)}, d'après les données transmises par les CFA.`
            )}
          </p>
        </div>
      ) : (
        <div className="fr-table fr-table--no-caption" data-testid="liste-jeunes">
          <table tabIndex={0} id="liste-jeunes-table">
            <caption>{definition.titre}</caption>
            <thead>
              <tr>
                <SortHeader label="Nom" column="nom" {...sort} />
                <SortHeader label="Naissance" column="naissance" {...sort} />
                <th scope="col">Organisme formateur</th>
                <SortHeader label="Formation" column="formation" {...sort} />
                <th scope="col">Situation</th>
                {contacts ? <th scope="col">Contact</th> : null}
              </tr>
            </thead>
            <tbody>
              {lignes.map((l) => (
                <tr key={l.id}>
                  <td>
                    {l.nom} {l.prenom}
                  </td>
                  <td>
                    {formatDate(l.dateDeNaissance)}
                    {l.mineur ? (
                      <>
                        <br />
                        <span className="fr-text--xs">mineur</span>
                      </>
                    ) : null}
                  </td>
                  <td className="fr-text--sm">
                    <Link to={`/organismes/${l.organismeFormateurId}`}>{l.organismeFormateur}</Link>
                  </td>
                  <td className="fr-text--sm">
                    {l.formation ?? "Formation non renseignée"}
                    <br />
                    <span className="fr-text--xs">{codesFormation(l.formationCfd, l.formationRncp) || "sans code"}</span>
                  </td>
                  <td className="fr-text--sm">{l.signal ?? "–"}</td>
                  {contacts ? (
                    <td className="fr-text--sm">
                      {l.email ?? ""}
                      {l.email && l.telephone ? <br /> : null}
                      {l.telephone ?? ""}
                      {!l.email && !l.telephone ? "non renseigné" : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page} pages={pages} search={search} cible="liste-jeunes-table" label={`Pages de la liste ${definition.titre}`} />
    </div>
  );
}
