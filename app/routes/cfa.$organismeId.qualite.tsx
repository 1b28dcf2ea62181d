/** Data quality of a CFA: a score, the count per anomaly, the list of what to fix and how, codes unknown to the catalogue. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { NO_STORE } from "~/auth/responses.server";
import { requireEspaceCfa } from "~/cfa/acces.server";
import { libelleChamp } from "~/cfa/erreurs";
import { ANOMALIES_QUALITE, NIVEAUX_QUALITE, REGLES_QUALITE } from "~/cfa/qualite";
import { consulterQualite } from "~/cfa/consultations.server";
import { titreEspace } from "~/cfa/ui";
import { CodesInconnusTable, Pagination, SelectField, withParams } from "~/referentiel/components";
import { formatNombre, formatPourcentage, majuscule, pluriel } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = ({ matches }) => [{ title: titreEspace("Qualité des données", matches) }];
export const headers = () => NO_STORE;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const url = new URL(request.url);
  // an unknown anomaly is no filter
  const anomalie = ANOMALIES_QUALITE.find((a) => a === url.searchParams.get("anomalie")) ?? null;
  const qualite = await consulterQualite(context.database, espace, {
    anneeScolaire: url.searchParams.get("annee") ?? undefined,
    anomalie: anomalie ?? undefined,
    page: Math.max(1, Number(url.searchParams.get("page")) || 1),
  });
  return { organismeId: espace.organismeId, anomalie, ...qualite };
}

export default function Qualite() {
  const q = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const base = `/cfa/${q.organismeId}`;
  const niveau = NIVEAUX_QUALITE[q.niveau];
  return (
    <>
      <h1 className="fr-h2">Qualité des données</h1>
      <p className="fr-text--lead">
        Les informations manquantes ou douteuses qui faussent vos indicateurs : sexe, commune de résidence, dates de contrat, codes de
        formation. Corrigez-les dans votre ERP : elles seront à jour à la prochaine transmission.
      </p>
      <Form method="get" className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-2w">
        <div className="fr-col-12 fr-col-md-4">
          <SelectField id="annee" name="annee" label="Année scolaire" value={q.anneeScolaire} empty="Année en cours" options={q.annees.map((a) => ({ value: a, label: a }))} />
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <SelectField
            id="anomalie"
            name="anomalie"
            label="Anomalie"
            value={q.anomalie ?? undefined}
            empty="Toutes"
            options={ANOMALIES_QUALITE.map((a) => ({ value: a, label: REGLES_QUALITE[a].libelle }))}
          />
        </div>
        <div className="fr-col-12 fr-col-md-3 fr-mb-3w">
          <button className="fr-btn fr-btn--secondary" type="submit">
            Afficher
          </button>
        </div>
      </Form>

      {q.total === 0 ? (
        <div className="fr-alert fr-alert--info">
          <h2 className="fr-alert__title">Aucun dossier d'apprenant pour l'année scolaire {q.anneeScolaire}</h2>
          <p>
            La qualité des données se mesure sur les apprenants transmis. <Link to={`${base}/cle-api`}>Connectez votre ERP</Link> ou{" "}
            <Link to={`/televersement?organisme=${q.organismeId}`}>téléversez un fichier</Link>.
          </p>
        </div>
      ) : (
        <>
          <div className="fr-grid-row fr-grid-row--gutters fr-mb-3w">
            <div className="fr-col-12 fr-col-md-4">
              <div className="fr-tile stat-card" data-testid="score-qualite">
                <div className="fr-tile__body">
                  <p className="fr-tile__title fr-h2 fr-mb-0">{formatPourcentage(q.score)}</p>
                  <p className="fr-tile__desc">des dossiers d'apprenants sans anomalie</p>
                  <p className={`fr-badge fr-badge--no-icon ${niveau.badge} fr-mt-1w`}>{niveau.libelle}</p>
                </div>
              </div>
            </div>
            <div className="fr-col-12 fr-col-md-8">
              <p>
                Année scolaire {q.anneeScolaire} : {pluriel(q.total, "dossier d'apprenant", "dossiers d'apprenants")}, dont{" "}
                {pluriel(q.avecAnomalie, "a au moins une anomalie", "ont au moins une anomalie")}.
              </p>
            </div>
          </div>
          <div className="fr-table" data-testid="anomalies">
            <table tabIndex={0}>
              <caption>Anomalies par type</caption>
              <thead>
                <tr>
                  <th scope="col">Anomalie</th>
                  <th scope="col">Champs (nom dans le flux de l'ERP)</th>
                  <th scope="col">Dossiers</th>
                  <th scope="col">Comment corriger</th>
                </tr>
              </thead>
              <tbody>
                {q.parAnomalie.map((a) => (
                  <tr key={a.type}>
                    <td>
                      {a.effectifs ? <Link to={withParams(search, { anomalie: a.type, page: undefined })}>{REGLES_QUALITE[a.type].libelle}</Link> : REGLES_QUALITE[a.type].libelle}
                    </td>
                    <td className="fr-text--xs">
                      {REGLES_QUALITE[a.type].champs.map((champ) => (
                        <div key={champ}>
                          {majuscule(libelleChamp(champ))} : <code>{champ}</code>
                        </div>
                      ))}
                    </td>
                    <td>{formatNombre(a.effectifs)}</td>
                    <td className="fr-text--sm">{REGLES_QUALITE[a.type].correction}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <section aria-labelledby="titre-a-corriger" className="fr-mt-4w">
            <h2 id="titre-a-corriger" className="fr-h4">
              À corriger{q.anomalie ? ` : ${REGLES_QUALITE[q.anomalie].libelle.toLowerCase()}` : ""} ({formatNombre(q.totalACorriger)})
            </h2>
            {q.totalACorriger === 0 ? (
              <p>Rien à corriger{q.anomalie ? " pour cette anomalie" : ""}.</p>
            ) : (
              <>
                <div className="fr-table" data-testid="a-corriger">
                  <table tabIndex={0} id="a-corriger-liste">
                    <caption className="fr-sr-only">Apprenants à corriger</caption>
                    <thead>
                      <tr>
                        <th scope="col">Apprenant</th>
                        <th scope="col">Formation</th>
                        <th scope="col">À corriger</th>
                      </tr>
                    </thead>
                    <tbody>
                      {q.aCorriger.map((e) => (
                        <tr key={e.id}>
                          <td>
                            <Link to={`${base}/apprenants/${e.id}`}>
                              {e.nom} {e.prenom}
                            </Link>
                            <br />
                            <span className="fr-text--xs">ERP {e.idErpApprenant}</span>
                          </td>
                          <td className="fr-text--sm">{e.formation ?? "–"}</td>
                          <td>
                            <ul className="fr-text--sm fr-mb-0">
                              {e.anomalies.map((a) => (
                                <li key={a.type}>
                                  {REGLES_QUALITE[a.type].libelle}
                                  {a.detail ? ` (${a.detail})` : ""}
                                </li>
                              ))}
                            </ul>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pagination page={q.page} pages={q.pages} search={search} cible="a-corriger-liste" label="Pages des apprenants à corriger" />
              </>
            )}
          </section>

          {q.codesInconnus.length ? (
            <section aria-labelledby="titre-codes" className="fr-mt-4w">
              <h2 id="titre-codes" className="fr-h4">
                Codes de formation inconnus du catalogue
              </h2>
              <CodesInconnusTable
                codes={q.codesInconnus}
                caption="Codes de formation inconnus du catalogue"
                captionHidden
                effectifsLabel="Dossiers"
                testId="codes-inconnus"
              />
            </section>
          ) : null}
        </>
      )}
    </>
  );
}
