import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { canSeeAggregates, canSeeAnomaliesOfOrganisme, getViewer, notFound, resolveOrganismeTarget, viewerOfOrganismePage } from "~/auth/policy.server";
import { anomaliesOfOrganisme } from "~/referentiel/anomalies.server";
import { pageOffres } from "~/referentiel/catalogue.server";
import { getOrganisme, qualiteFormations, type OrganismeLien } from "~/referentiel/repertoire.server";
import { pageNumber } from "~/shared/pagination";
import { BoutonTableauDeBord, CodesInconnusTable, FilAriane, FraicheurBadge, OffresTable, TableauFiche } from "~/referentiel/components";
import { ETAT_LABELS, NATURE_LABELS } from "~/referentiel/labels";
import { formatDate, formatNombre } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.organisme.raison_sociale ?? "Organisme"} - Répertoire des organismes - Tableau de bord de l'apprentissage` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await getViewer(request, context.database);
  const id = Number(params.id);
  if (!/^[0-9]{1,9}$/.test(params.id ?? "")) throw notFound("Cet organisme n'existe pas dans le référentiel.");
  const [organisme, target] = await Promise.all([getOrganisme(context.database, id), resolveOrganismeTarget(context.database, id)]);
  if (!organisme || !target) throw notFound("Cet organisme n'existe pas dans le référentiel.");
  // public page: out of the viewer's scope, what the public sees
  const vue = viewerOfOrganismePage(viewer, target);
  const [anomalies, qualite, offres] = await Promise.all([
    canSeeAnomaliesOfOrganisme(vue) ? anomaliesOfOrganisme(context.database, organisme) : Promise.resolve(null),
    canSeeAggregates(vue, target) ? qualiteFormations(context.database, organisme.id) : Promise.resolve(null),
    pageOffres(context.database, { organisme: organisme.id, page: pageNumber(new URL(request.url).searchParams.get("offres")) }),
  ]);
  return { organisme, anomalies, qualite, offres, tableauDeBord: canSeeAggregates(vue, target), connecte: viewer.userId !== null };
}

function Liens({ title, items, empty }: { title: string; items: OrganismeLien[]; empty: string }) {
  return (
    <section className="fr-mb-4w">
      <h2 className="fr-h5">{title}</h2>
      {items.length === 0 ? (
        <p className="fr-text--sm">{empty}</p>
      ) : (
        <ul>
          {items.map((o) => (
            <li key={o.id}>
              <Link to={`/organismes/${o.id}`}>{o.raison_sociale}</Link> — SIRET {o.siret}
              {o.uai ? `, UAI ${o.uai}` : ""} ({NATURE_LABELS[o.nature].toLowerCase()}
              {o.departement_code ? `, ${o.departement_code}` : ""})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function OrganismeDetail() {
  const { organisme: o, anomalies, qualite, offres, tableauDeBord, connecte } = useLoaderData<typeof loader>();
  const rows: [string, React.ReactNode][] = [
    ["SIRET", o.siret],
    ["UAI", o.uai ?? "Non renseigné"],
    ["Nature", NATURE_LABELS[o.nature]],
    ["État administratif", ETAT_LABELS[o.etat_administratif]],
    ["Enseigne", o.enseigne ?? "–"],
    ["Adresse", [o.adresse, [o.code_postal, o.commune].filter(Boolean).join(" ")].filter(Boolean).join(", ") || "–"],
    ["Code commune INSEE", o.code_commune ?? "–"],
    ["Département", o.departement_code ? `${o.departement} (${o.departement_code})` : "–"],
    ["Région", o.region ?? "–"],
    ["Académie", o.academie ?? "–"],
    ["Bassin d'emploi", o.bassin_emploi ? `${o.bassin_emploi} (${o.bassin_emploi_code})` : "–"],
    ["Réseaux", o.reseaux.length ? o.reseaux.join(", ") : "Aucun"],
    ["Certification Qualiopi", o.qualiopi ? "Oui" : "Non"],
  ];
  return (
    <div className="fr-container fr-my-5w">
      <FilAriane liens={[{ libelle: "Répertoire des organismes", href: "/organismes" }]} courant={o.raison_sociale} />
      <h1>{o.enseigne ?? o.raison_sociale}</h1>
      {o.etat_administratif === "ferme" ? <p className="fr-badge fr-badge--error fr-mb-2w">Fermé</p> : null}
      {o.enseigne ? <p className="fr-text--lead">{o.raison_sociale}</p> : null}
      {tableauDeBord ? (
        <BoutonTableauDeBord href={`/organismes/${o.id}/tableau-de-bord`} />
      ) : connecte ? (
        <p className="fr-text--sm fr-mb-4w">Le tableau de bord de cet organisme est hors du périmètre de votre organisation.</p>
      ) : (
        <p className="fr-text--sm fr-mb-4w">
          Le tableau de bord d'un organisme est réservé aux utilisateurs connectés de son territoire :{" "}
          <Link to={`/connexion?redirectTo=${encodeURIComponent(`/organismes/${o.id}/tableau-de-bord`)}`}>se connecter</Link>.
        </p>
      )}

      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-7">
          <h2 className="fr-h4">Identité et territoire</h2>
          <TableauFiche caption="Identité de l'organisme" lignes={rows} />
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <h2 className="fr-h4">Transmission des effectifs</h2>
          <div className="fr-mb-2w">
            <FraicheurBadge fraicheur={o.fraicheur} />
          </div>
          <ul>
            <li>Première transmission : {formatDate(o.first_transmission_at)}</li>
            <li>Dernière transmission : {formatDate(o.last_transmission_at)}</li>
            <li>ERP : {o.erp ?? "non renseigné"}</li>
            <li>Mode : {o.mode_transmission === "API" ? "API (ERP)" : o.mode_transmission === "FICHIER" ? "Téléversement de fichier" : "–"}</li>
          </ul>
          {anomalies === null ? null : (
            <>
              <h2 className="fr-h4 fr-mt-3w">Anomalies du référentiel</h2>
              {anomalies.length === 0 ? (
                <p className="fr-text--sm">Aucune anomalie détectée.</p>
              ) : (
                <ul data-testid="anomalies">
                  {anomalies.map((a) => (
                    <li key={a.type}>{a.message}</li>
                  ))}
                </ul>
              )}
            </>
          )}
        </div>
      </div>

      <Liens title="Organismes responsables" items={o.responsables} empty="Aucun organisme responsable connu." />
      <Liens title="Organismes formateurs" items={o.formateurs} empty="Aucun organisme formateur rattaché." />
      {o.memeSiret.length ? <Liens title="Autres UAI du même SIRET" items={o.memeSiret} empty="" /> : null}
      {o.memeUai.length ? <Liens title="Autres SIRET portant le même UAI" items={o.memeUai} empty="" /> : null}

      <section className="fr-mb-4w">
        <h2 className="fr-h4">Formations au catalogue</h2>
        {offres.pagination.total === 0 ? (
          <p className="fr-text--sm">Le catalogue des formations ne cite pas cet organisme.</p>
        ) : (
          <>
            {o.etat_administratif === "ferme" ? (
              <p className="fr-text--sm" data-testid="offres-organisme-ferme">
                Cet organisme est fermé : le catalogue lui attribue encore ces formations, qui ne sont sans doute plus proposées.
              </p>
            ) : null}
            <OffresTable offres={offres} par="formation" caption="Formations que le catalogue attribue à cet organisme (formateur ou responsable)" />
          </>
        )}
      </section>

      {qualite ? (
        <section className="fr-mb-4w" data-testid="qualite-formations">
          <h2 className="fr-h4">Qualité des données : formations</h2>
          <p className="fr-text--sm">Effectifs transmis dont cet organisme est l'organisme formateur ou l'organisme responsable.</p>
          {qualite.effectifs === 0 ? (
            <p>Aucun effectif transmis.</p>
          ) : (
            <>
              <p>
                {formatNombre(qualite.rattaches)} effectif{qualite.rattaches > 1 ? "s" : ""} sur {formatNombre(qualite.effectifs)} rattaché
                {qualite.rattaches > 1 ? "s" : ""} à une formation du catalogue
                {qualite.sansCode ? `, ${formatNombre(qualite.sansCode)} sans code formation (ni CFD ni RNCP)` : ""}.
              </p>
              {qualite.codesInconnus.length ? (
                <CodesInconnusTable codes={qualite.codesInconnus} caption="Codes formation absents du catalogue" effectifsLabel="Effectifs" />
              ) : (
                <p>Tous les codes formation transmis sont connus du catalogue.</p>
              )}
            </>
          )}
        </section>
      ) : null}
      <p className="fr-text--sm">Fiche mise à jour le {formatDate(o.updated_at)}.</p>
    </div>
  );
}
