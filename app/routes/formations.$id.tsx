import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { canSeeDashboardsOfListedOrganismes, getViewer, notFound } from "~/auth/policy.server";
import { getFormation } from "~/referentiel/catalogue.server";
import { pageNumber } from "~/shared/pagination";
import { BoutonTableauDeBord, FilAriane, OffresTable, Pagination, ResumePage, TableauFiche } from "~/referentiel/components";
import { NIVEAU_LABELS } from "~/referentiel/labels";
import { formatDate, formatNombre } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.formation.intitule_long ?? "Formation"} - Catalogue des formations - Tableau de bord de l'apprentissage` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await getViewer(request, context.database);
  if (!/^[0-9]{1,9}$/.test(params.id ?? "")) throw notFound("Cette formation n'existe pas dans le catalogue.");
  const search = new URL(request.url).searchParams;
  const formation = await getFormation(context.database, viewer, Number(params.id), {
    offres: pageNumber(search.get("offres")),
    organismes: pageNumber(search.get("organismes")),
  });
  if (!formation) throw notFound("Cette formation n'existe pas dans le catalogue.");
  return { formation, scope: viewer.scope.kind, tableauxDeBord: canSeeDashboardsOfListedOrganismes(viewer) };
}

export default function FormationDetail() {
  const { formation: f, scope, tableauxDeBord } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const count = (n: number | string) => (typeof n === "number" ? formatNombre(n) : n);
  return (
    <div className="fr-container fr-my-5w">
      <FilAriane liens={[{ libelle: "Catalogue des formations", href: "/formations" }]} courant={f.cfd ?? f.rncp} />
      <h1>{f.intitule_long}</h1>
      {f.fermee ? <p className="fr-badge fr-badge--error fr-mb-2w">Fermée (dernier jour : {formatDate(f.date_fermeture)})</p> : null}
      {/* a formation's figures are public (national and regional): every visitor has its dashboard */}
      <BoutonTableauDeBord href={`/formations/${f.id}/tableau-de-bord`} />
      <TableauFiche
        caption="Fiche de la formation"
        lignes={[
          ["Code formation diplôme (CFD)", f.cfd ?? "–"],
          ["Code RNCP", f.rncp ?? "–"],
          ["Niveau", f.niveau ? NIVEAU_LABELS[f.niveau] : "–"],
          ["Intitulé court", f.intitule_court ?? "–"],
          ["Durée", f.duree_annees ? `${f.duree_annees} an${f.duree_annees > 1 ? "s" : ""}` : f.duree_mois ? `${f.duree_mois} mois` : "–"],
          ["Ouverture", formatDate(f.date_ouverture)],
          ["Fermeture", formatDate(f.date_fermeture)],
          [scope === "national" ? "Effectifs (toutes années)" : "Effectifs de votre périmètre (toutes années)", count(f.effectifs)],
        ]}
      />
      <h2 className="fr-h4">Offre au catalogue</h2>
      {f.offres.pagination.total === 0 ? (
        <p>
          Le catalogue ne cite aucun organisme pour cette formation. Les offres (organisme formateur, responsable, lieu)
          viennent de l'import d'un catalogue des formations au format CSV.
        </p>
      ) : (
        <OffresTable offres={f.offres} par="organisme" caption="Organismes et lieux qui proposent cette formation" />
      )}
      <h2 className="fr-h4">Organismes qui la dispensent</h2>
      {f.organismes === null ? (
        <p>
          La liste des organismes d'après les effectifs transmis est réservée aux utilisateurs connectés : l'offre au catalogue
          ci-dessus est publique. <Link to={`/connexion?redirectTo=${encodeURIComponent(`/formations/${f.id}`)}`}>Se connecter</Link>
        </p>
      ) : (
        <p className="fr-text--sm">D'après les effectifs transmis{scope !== "national" ? ", dans le périmètre de votre organisation" : ""}.</p>
      )}
      {f.organismes === null ? null : f.organismes.pagination.total === 0 ? (
        <p>Aucun organisme n'a transmis d'effectif pour cette formation.</p>
      ) : (
        <div className="fr-table" data-testid="organismes-formation">
          <ResumePage page={f.organismes} nom={["organisme", "organismes", "Aucun organisme"]} />
          <table tabIndex={0} id="organismes-formation-liste">
            <caption>Organismes formateurs</caption>
            <thead>
              <tr>
                <th scope="col">Organisme</th>
                <th scope="col">SIRET</th>
                <th scope="col">UAI</th>
                <th scope="col">Département</th>
                <th scope="col">Effectifs</th>
                {tableauxDeBord ? <th scope="col">Tableau de bord</th> : null}
              </tr>
            </thead>
            <tbody>
              {f.organismes.data.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/organismes/${o.id}`}>{o.raison_sociale}</Link>
                  </td>
                  <td>{o.siret}</td>
                  <td>{o.uai ?? "–"}</td>
                  <td>{o.departement_code ?? "–"}</td>
                  <td>{count(o.effectifs)}</td>
                  {tableauxDeBord ? (
                    <td>
                      <Link to={`/organismes/${o.id}/tableau-de-bord`}>
                        Voir<span className="fr-sr-only"> le tableau de bord de {o.raison_sociale}</span>
                      </Link>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination
            page={f.organismes.pagination.page}
            pages={f.organismes.pagination.pages}
            search={search}
            cible="organismes-formation-liste"
            param="organismes"
            label="Pages des organismes"
          />
        </div>
      )}
    </div>
  );
}
