/**
 * Learners of a CFA: paginated list with search, filters (statut at a date, formation, année, dropout signal),
 * sorting. A named list of minors: every view is written to the audit log. Export (CSV/XLSX) of the same list.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { NO_STORE, refusSiInvalide } from "~/auth/responses.server";
import { requireEspaceCfa } from "~/cfa/acces.server";
import {
  ANNEES_COMPTEES,
  DATE_STATUT_MAX,
  DATE_STATUT_MIN,
  LIBELLES_STATUT,
  SIGNAUX,
  SIGNAL_KEYS,
  STATUTS_APPRENANT,
  anneesCompteesEnMots,
  libelleAnneesComptees,
  parseFiltresApprenants,
} from "~/cfa/apprenants";
import { consulterApprenants } from "~/cfa/consultations.server";
import { ChampRechercheApprenants, ChampTaillePage, LiensExport, StatutBadge, TriConserve, codesFormation, libelleAnneeFormation, titreEspace } from "~/cfa/ui";
import { ErrorsAlert, Pagination, SearchButtons, SelectField, SortHeader, withParams } from "~/referentiel/components";
import { todayIso } from "~/statut/annee-scolaire";
import { formatDate, pluriel } from "~/ui/format";
import { ChampDate } from "~/ui/champ-en-erreur";
import { listeFiltree, nomDeListe } from "~/ui/titre";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches, location }) => [
  {
    title: titreEspace(
      data ? nomDeListe("Apprenants", { recherche: data.filtres.q, filtree: listeFiltree(location.search), erreurs: data.erreurs.length, page: data.page, pages: data.pages }) : "Apprenants",
      matches,
    ),
  },
];
export const headers = () => NO_STORE;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const today = todayIso();
  const url = new URL(request.url);
  const { filtres, erreurs, erreurDate } = parseFiltresApprenants(url.searchParams, today);
  const { page, options } = await consulterApprenants(context.database, espace, filtres);
  // a value the page could not take is said in its banner, with the status its exports answer (400)
  return refusSiInvalide({ organismeId: espace.organismeId, today, filtres, erreurs, erreurDate, options, ...page, contacts: espace.contacts }, erreurs);
}

export default function Apprenants() {
  const { organismeId, today, filtres: f, erreurs, erreurDate, options, lignes, total, page, pages, contacts } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const base = `/cfa/${organismeId}`;
  const exportSearch = withParams(search, { page: undefined, limit: undefined });
  const exportQuery = exportSearch === "?" ? "" : exportSearch;
  const sort = { tri: f.tri, ordre: f.ordre, search };
  const filtrant = Boolean(f.q || f.statut || f.signal || f.formation || f.anneeScolaire || f.anneeFormation !== undefined || f.formateur);
  // the years the space holds, the counted years at the date (the home's counters lead here), and the chosen year
  const annees = [
    { value: ANNEES_COMPTEES, label: libelleAnneesComptees(f.date) },
    ...[...new Set([...options.annees, ...(f.anneeScolaire && f.anneeScolaire !== ANNEES_COMPTEES ? [f.anneeScolaire] : [])])]
      .sort((a, b) => b.localeCompare(a))
      .map((a) => ({ value: a, label: a })),
  ];
  const libelleAnnee =
    f.anneeScolaire === ANNEES_COMPTEES
      ? ` — années scolaires comptées au ${formatDate(f.date)} : ${anneesCompteesEnMots(f.date)}`
      : f.anneeScolaire
        ? ` (année scolaire ${f.anneeScolaire})`
        : " (toutes années scolaires)";
  return (
    <>
      <h1 className="fr-h2">Apprenants</h1>
      <p className="fr-text--sm">
        Liste nominative de vos apprenants et de ceux de vos organismes formateurs : un dossier par apprenant, formation et année
        scolaire, quel que soit son statut. Chaque consultation est enregistrée dans le journal des accès.
      </p>
      <ErrorsAlert errors={erreurs} />
      {/* noValidate: the server checks the date and says what is expected in French, under its field */}
      <Form method="get" className="fr-mb-3w" aria-label="Rechercher et filtrer les apprenants" noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-8">
            <ChampRechercheApprenants q={f.q} />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <ChampDate
              id="date"
              label="Statut au"
              hint="Date de calcul du statut et des signaux, JJ/MM/AAAA ; aujourd'hui si vide"
              min={DATE_STATUT_MIN}
              max={DATE_STATUT_MAX}
              defaultValue={f.date === today ? "" : f.date}
              erreur={erreurDate}
            />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <SelectField
              id="statut"
              name="statut"
              label="Statut"
              hint="Le statut de l'apprenant à la date, quelle que soit son année scolaire"
              value={f.statut}
              options={STATUTS_APPRENANT.map((s) => ({ value: s, label: LIBELLES_STATUT[s] }))}
            />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <SelectField
              id="signal"
              name="signal"
              label="Signal de décrochage"
              hint="Parmi les apprenants comptés à la date (ses années scolaires), comme les compteurs"
              value={f.signal}
              options={SIGNAL_KEYS.map((s) => ({ value: s, label: SIGNAUX[s].libelle }))}
            />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <SelectField id="annee" name="annee" label="Année scolaire" value={f.anneeScolaire} empty="Toutes" options={annees} />
          </div>
          <div className="fr-col-12 fr-col-md-8">
            <SelectField id="formation" name="formation" label="Formation" value={f.formation} empty="Toutes" options={options.formations} />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <SelectField
              id="annee_formation"
              name="annee_formation"
              label="Année de formation"
              value={f.anneeFormation === undefined ? undefined : String(f.anneeFormation)}
              empty="Toutes"
              options={[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: libelleAnneeFormation(n) }))}
            />
          </div>
          {options.formateurs.length ? (
            <div className="fr-col-12 fr-col-md-8">
              <SelectField
                id="formateur"
                name="formateur"
                label="Organisme formateur"
                value={f.formateur ? String(f.formateur) : undefined}
                options={options.formateurs}
              />
            </div>
          ) : null}
          <div className="fr-col-12 fr-col-md-4">
            <ChampTaillePage label="Dossiers par page" limit={f.limit} />
          </div>
        </div>
        <TriConserve f={f} />
        <SearchButtons filtered={filtrant} resetTo={base + "/apprenants"} />
      </Form>

      <div className="fr-grid-row fr-grid-row--middle fr-mb-1w">
        <p className="fr-col fr-mb-0" role="status" aria-live="polite" data-testid="nombre-apprenants">
          <strong>{pluriel(total, "dossier d'apprenant", "dossiers d'apprenants")}</strong>
          {libelleAnnee}
          {f.date !== today ? ` — statut au ${formatDate(f.date)}` : ""}
        </p>
        {total > 0 ? (
          <LiensExport href={`${base}/export`} query={exportQuery} />
        ) : null}
      </div>

      {total === 0 ? (
        <div className="fr-alert fr-alert--info fr-my-3w">
          <h2 className="fr-alert__title">{filtrant ? "Aucun apprenant ne correspond à ces critères" : "Aucun apprenant transmis"}</h2>
          <p>
            {filtrant ? (
              <>
                Modifiez la recherche ou <Link to={base + "/apprenants"}>effacez les filtres</Link>.
              </>
            ) : (
              <>
                Vos apprenants apparaîtront ici après la première transmission de votre ERP (<Link to={`${base}/cle-api`}>connecter mon ERP</Link>)
                ou le <Link to={`/televersement?organisme=${organismeId}`}>téléversement d'un fichier</Link>.
              </>
            )}
          </p>
        </div>
      ) : (
        <div className="fr-table fr-table--no-caption" data-testid="liste-apprenants">
          <table tabIndex={0} id="apprenants-liste">
            <caption>Apprenants</caption>
            <thead>
              <tr>
                <SortHeader label="Nom" column="nom" {...sort} />
                <SortHeader label="Naissance" column="naissance" {...sort} />
                <SortHeader label="Formation" column="formation" {...sort} />
                <SortHeader label="Année" column="annee" {...sort} />
                <SortHeader label="Statut" column="statut" {...sort} />
                <SortHeader label="Mise à jour" column="maj" {...sort} />
              </tr>
            </thead>
            <tbody>
              {lignes.map((l) => (
                <tr key={l.id}>
                  <td>
                    <Link to={`${base}/apprenants/${l.id}`}>
                      {l.nom} {l.prenom}
                    </Link>
                    <br />
                    <span className="fr-text--xs">ERP {l.idErpApprenant}</span>
                    {contacts && l.email ? (
                      <>
                        <br />
                        <span className="fr-text--xs">{l.email}</span>
                      </>
                    ) : null}
                  </td>
                  <td>{formatDate(l.dateDeNaissance)}</td>
                  <td className="fr-text--sm">
                    {l.formation ?? "Formation non renseignée"}
                    <br />
                    <span className="fr-text--xs">
                      {codesFormation(l.formationCfd, l.formationRncp) || "sans code"}
                      {options.formateurs.length && l.organismeFormateurId !== organismeId ? ` · ${l.organismeFormateur}` : ""}
                    </span>
                  </td>
                  <td>
                    <span style={{ whiteSpace: "nowrap" }}>{l.anneeScolaire}</span>
                    {l.anneeFormation ? (
                      <>
                        <br />
                        <span className="fr-text--xs">{libelleAnneeFormation(l.anneeFormation)}</span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <StatutBadge statut={l.statut} />
                    {l.signal ? <span className="fr-text--xs">{l.signal}</span> : null}
                  </td>
                  <td>{formatDate(l.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page} pages={pages} search={search} cible="apprenants-liste" label="Pages de la liste des apprenants" />
    </>
  );
}
