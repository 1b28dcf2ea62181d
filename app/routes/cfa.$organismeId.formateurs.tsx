/**
 * A responsable's formateurs, each with its transmission status and a link to its space: those in the viewer's
 * space (a responsable's user in its formateur F's space does not see F's own formateurs, decision 017). Each one's
 * dossiers are those of the années scolaires the home's counters count today (the school year and "Y-Y" of the
 * calendar year), linked to the list of exactly them (annee=comptees).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { NO_STORE } from "~/auth/responses.server";
import { requireEspaceCfa } from "~/cfa/acces.server";
import { voitToutLEspace } from "~/auth/policy.server";
import { ANNEES_COMPTEES } from "~/cfa/apprenants";
import { formateursDuResponsable } from "~/cfa/espace.server";
import { formatDateHeure, libelleMode, titreEspace } from "~/cfa/ui";
import { FraicheurBadge } from "~/referentiel/components";
import { anneesScolairesComptees, todayIso } from "~/statut/annee-scolaire";
import { formatNombre, pluriel } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = ({ matches }) => [{ title: titreEspace("Organismes formateurs", matches) }];
export const headers = () => NO_STORE;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const now = new Date();
  return {
    organismeId: espace.organismeId,
    formateurs: await formateursDuResponsable(context.database, espace, now),
    annees: anneesScolairesComptees(todayIso(now)),
    complet: voitToutLEspace(espace),
  };
}

export default function Formateurs() {
  const { organismeId, formateurs, annees, complet } = useLoaderData<typeof loader>();
  // the list of the dossiers counted: the space's learners at this formateur, of the années counted today
  const dossiers = (formateur: number) => `/cfa/${organismeId}/apprenants?${new URLSearchParams({ formateur: String(formateur), annee: ANNEES_COMPTEES })}`;
  const sansTransmission = formateurs.filter((f) => f.fraicheur === "jamais" || f.fraicheur === "ancienne").length;
  const avecRefus = formateurs.filter((f) => f.refuses7j > 0).length;
  return (
    <>
      <h1 className="fr-h2">Organismes formateurs</h1>
      {formateurs.length === 0 && !complet ? (
        <div className="fr-alert fr-alert--info">
          <h2 className="fr-alert__title">Aucun organisme formateur dans votre périmètre</h2>
          <p>Aucun organisme formateur rattaché à cet organisme n'entre dans le périmètre de votre compte.</p>
        </div>
      ) : formateurs.length === 0 ? (
        <div className="fr-alert fr-alert--info">
          <h2 className="fr-alert__title">Aucun organisme formateur rattaché</h2>
          <p>
            Le référentiel ne connaît aucun organisme formateur rattaché à votre organisme. Si certains de vos sites de formation y manquent,
            demandez la mise à jour des liens formateur → responsable.
          </p>
        </div>
      ) : (
        <>
          <p className="fr-text--lead">
            {pluriel(formateurs.length, "organisme formateur rattaché", "organismes formateurs rattachés")}{" "}
            {complet ? "à votre organisme" : "à cet organisme dans votre périmètre"}
            {sansTransmission ? `, dont ${pluriel(sansTransmission, "sans transmission récente", "sans transmission récente")}` : ""}
            {avecRefus ? ` ; ${pluriel(avecRefus, "a", "ont")} des dossiers refusés à corriger (7 derniers jours)` : ""}.
          </p>
          <div className="fr-table" data-testid="formateurs">
            <table tabIndex={0}>
              <caption className="fr-sr-only">Organismes formateurs et état de leurs transmissions</caption>
              <thead>
                <tr>
                  <th scope="col">Organisme formateur</th>
                  <th scope="col">Données</th>
                  <th scope="col">Dernière transmission</th>
                  <th scope="col">Transmissions (30 j)</th>
                  <th scope="col">Refusés à corriger (7 j)</th>
                  <th scope="col">Dossiers d'apprenants {annees.join(" et ")}</th>
                  <th scope="col">Mode</th>
                </tr>
              </thead>
              <tbody>
                {formateurs.map((f) => (
                  <tr key={f.id}>
                    <td>
                      <Link to={`/cfa/${f.id}`}>{f.enseigne ?? f.raisonSociale}</Link>
                      <br />
                      <span className="fr-text--xs">
                        {f.uai ? `UAI ${f.uai} · ` : ""}SIRET {f.siret}
                        {f.commune ? ` · ${f.commune}` : ""}
                      </span>
                    </td>
                    <td>
                      <FraicheurBadge fraicheur={f.fraicheur} />
                    </td>
                    <td>{f.derniereTransmission ? formatDateHeure(f.derniereTransmission) : "Jamais"}</td>
                    <td>{formatNombre(f.transmissions30j)}</td>
                    <td>
                      {f.refuses7j ? (
                        <Link to={`/cfa/${f.id}/transmissions`}>{formatNombre(f.refuses7j)}</Link>
                      ) : (
                        "0"
                      )}
                    </td>
                    <td>{f.effectifsAnnee ? <Link to={dossiers(f.id)}>{formatNombre(f.effectifsAnnee)}</Link> : "0"}</td>
                    <td className="fr-text--sm">
                      {libelleMode(f.modeTransmission)}
                      {f.erp ? ` (${f.erp})` : ""}
                      {f.modeTransmission === "API" && !f.cleActive ? (
                        <>
                          <br />
                          <span className="fr-text--xs">aucune clé active</span>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="fr-text--sm">
            Dossiers d'apprenants : ceux de l'année scolaire {annees[0]} et, pour les formations suivies dans l'année civile, ceux de {annees[1]},
            comme les chiffres de l'accueil. Chaque nombre mène à la liste de ces dossiers.
          </p>
        </>
      )}
    </>
  );
}
