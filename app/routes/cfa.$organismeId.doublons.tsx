/**
 * Duplicates of a CFA: learners sent twice under different ERP ids (same normalised name, birth date, formation
 * and année scolaire), with merge and delete actions; each removed learner is archived with its reason, who and
 * when (the log below the list), and a deleted one can be restored from that log.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { csrfToken, requireValidForm } from "~/auth/csrf.server";
import { NO_STORE, withHeaders } from "~/auth/responses.server";
import { CsrfInput } from "~/auth/ui";
import { requireEspaceCfa, requireEspaceCfaEnEcriture } from "~/cfa/acces.server";
import { consulterDoublons } from "~/cfa/consultations.server";
import { LIBELLES_STATUT } from "~/cfa/apprenants";
import { actionDoublons, type ActionDoublons, type ChampDoublons } from "~/cfa/doublons.server";
import { codesFormation, formatDateHeure, titreEspace } from "~/cfa/ui";
import { Pagination } from "~/referentiel/components";
import type { Statut } from "~/statut/engine";
import { todayIso } from "~/statut/annee-scolaire";
import { formatDate, pluriel } from "~/ui/format";
import { ariaErreur, MessageErreur } from "~/ui/champ-en-erreur";
import { useTitreEnErreur } from "~/ui/titre";

export const meta: MetaFunction = ({ matches }) => [{ title: titreEspace("Doublons", matches) }];
export const headers = () => NO_STORE;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const page = Number(new URL(request.url).searchParams.get("page_archives")) || 1;
  const [{ groupes, journal }, { token, headers }] = await Promise.all([
    consulterDoublons(context.database, espace, page, todayIso()),
    csrfToken(request, context.database),
  ]);
  return withHeaders({ organismeId: espace.organismeId, csrf: token, groupes, journal }, headers);
}

export async function action({ request, params, context }: ActionFunctionArgs): Promise<ActionDoublons> {
  const espace = await requireEspaceCfaEnEcriture(request, context.database, params.organismeId);
  const form = await requireValidForm(request, context.database);
  return actionDoublons(context.database, espace, form);
}

/** A text field of a form of the page, its refusal shown under it (DSFR error state, the message read with it). */
function ChampMotif({ id, label, defaultValue, erreur }: { id: string; label: ReactNode; defaultValue?: string; erreur?: string }) {
  return (
    <div className={`fr-input-group${erreur ? " fr-input-group--error" : ""}`}>
      <label className="fr-label" htmlFor={id}>
        {label}
        <span className="fr-hint-text">Obligatoire, de 3 à 500 caractères</span>
      </label>
      <input
        className={`fr-input${erreur ? " fr-input--error" : ""}`}
        id={id}
        name="motif"
        required
        aria-required="true"
        maxLength={500}
        defaultValue={defaultValue}
        {...ariaErreur(id, erreur)}
      />
      <MessageErreur id={id} erreur={erreur} />
    </div>
  );
}

export default function Doublons() {
  const { organismeId, csrf, groupes, journal } = useLoaderData<typeof loader>();
  const { archives } = journal;
  const search = useLocation().search;
  const result = useActionData<typeof action>();
  useTitreEnErreur(result?.ok === false);
  const busy = useNavigation().state === "submitting";
  const base = `/cfa/${organismeId}`;
  // The forms are checked by the server (noValidate: no browser bubble, in the browser's language): its message is
  // shown in the alert and under the field of the form sent.
  const erreur = (formulaire: string, champ: ChampDoublons) => (result && !result.ok && result.formulaire === formulaire ? result.erreurs?.[champ] : undefined);
  return (
    <>
      <h1 className="fr-h2">Doublons</h1>
      <p className="fr-text--lead">
        Apprenants transmis deux fois sous des identifiants ERP différents : même nom, prénom, date de naissance, formation et année
        scolaire. Ils sont comptés deux fois tant qu'ils ne sont pas fusionnés.
      </p>
      {result ? (
        <div className={`fr-alert fr-alert--${result.ok ? "success" : "error"} fr-mb-3w`} role={result.ok ? "status" : "alert"} data-testid="resultat">
          <p>{result.message}</p>
        </div>
      ) : null}
      {groupes.length === 0 ? (
        <div className="fr-alert fr-alert--success fr-mb-4w">
          <h2 className="fr-alert__title">Aucun doublon détecté</h2>
          <p>Aucun apprenant ne semble avoir été transmis deux fois.</p>
        </div>
      ) : (
        <p role="status">
          <strong>{pluriel(groupes.length, "doublon probable", "doublons probables")}</strong>. Fusionner garde l'apprenant choisi, le
          complète avec les informations qui lui manquent (et les contrats s'il n'en a aucun), puis archive l'autre fiche.
        </p>
      )}
      {groupes.map((g, gi) => {
        const noms = `${g.effectifs[0].nom} ${g.effectifs[0].prenom}`;
        // the group's learner, for whoever lists a page's buttons or fields (screen readers, voice control): each group
        // repeats the same legend, buttons and summary, as many alike as there are groups (RGAA 6.1, 11.9)
        const deQui = <span className="fr-sr-only"> : {noms}</span>;
        return (
          <section key={g.cle} className="fr-p-3w fr-mb-3w fr-background-alt--grey" aria-labelledby={`groupe-${gi}`} data-testid="groupe-doublons">
            <h2 id={`groupe-${gi}`} className="fr-h5">
              {noms} — né(e) le {formatDate(g.effectifs[0].dateDeNaissance)}, {g.effectifs[0].anneeScolaire}
            </h2>
            <Form method="post" noValidate>
              <CsrfInput token={csrf} />
              <input type="hidden" name="intent" value="fusionner" />
              <input type="hidden" name="formulaire" value={`motif-fusion-${gi}`} />
              <input type="hidden" name="groupe" value={g.effectifs.map((e) => e.id).join(",")} />
              {/* A fieldset keeps its content's width by default (min-inline-size: min-content), and so does a flex item:
                  both may shrink here, so that the table scrolls within its container on a narrow screen. */}
              <fieldset className="fr-fieldset" style={{ minWidth: 0 }}>
                <legend className="fr-fieldset__legend fr-text--regular">
                  Apprenant à conserver
                  {deQui}
                  <span className="fr-hint-text">
                    Suggéré : le dernier transmis, dont l'identifiant est celui que votre ERP ou vos fichiers envoient aujourd'hui. Ce qui lui manque est
                    repris des autres.
                  </span>
                </legend>
                <div className="fr-table fr-table--sm fr-table--no-caption fr-mb-0" style={{ minWidth: 0, maxWidth: "100%", flex: "1 1 100%" }}>
                  <table tabIndex={0}>
                    <caption>Fiches en double de {noms}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Choix</th>
                        <th scope="col">Nom et prénom transmis</th>
                        <th scope="col">Identifiant ERP</th>
                        <th scope="col">Formation</th>
                        <th scope="col">Contrats</th>
                        <th scope="col">Champs renseignés</th>
                        <th scope="col">Statut</th>
                        <th scope="col">Mise à jour</th>
                      </tr>
                    </thead>
                    <tbody>
                      {g.effectifs.map((e) => (
                        <tr key={e.id}>
                          <td>
                            <div className="fr-radio-group fr-radio-group--sm">
                              <input
                                type="radio"
                                id={`conserve-${e.id}`}
                                name="conserve"
                                value={e.id}
                                defaultChecked={e.id === g.suggestionConserveId}
                              />
                              <label className="fr-label" htmlFor={`conserve-${e.id}`}>
                                Conserver<span className="fr-sr-only"> la fiche {e.idErpApprenant}</span>
                                {e.id === g.suggestionConserveId ? <span className="fr-hint-text">suggéré</span> : null}
                              </label>
                            </div>
                          </td>
                          <td>
                            <Link to={`${base}/apprenants/${e.id}`}>
                              {e.nom} {e.prenom}
                            </Link>
                          </td>
                          <td>{e.idErpApprenant}</td>
                          <td>
                            {e.intituleFormation ?? "–"}
                            <br />
                            <span className="fr-text--xs">{codesFormation(e.formationCfd, e.formationRncp)}</span>
                          </td>
                          <td>{e.nbContrats}</td>
                          <td>{e.nbChampsRenseignes}</td>
                          <td>{e.statutActuel ? LIBELLES_STATUT[e.statutActuel as Statut] : "–"}</td>
                          <td>{formatDate(e.updatedAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </fieldset>
              <ChampMotif
                id={`motif-fusion-${gi}`}
                label={<>Motif (conservé avec l'archive){deQui}</>}
                defaultValue="Même apprenant transmis sous deux identifiants ERP"
                erreur={erreur(`motif-fusion-${gi}`, "motif")}
              />
              <button className="fr-btn" type="submit" disabled={busy}>
                Fusionner dans la fiche conservée
                {deQui}
              </button>
            </Form>
            <details className="fr-mt-2w">
              <summary>
                Supprimer une fiche sans fusionner
                {deQui}
              </summary>
              <Form method="post" className="fr-mt-2w" noValidate>
                <CsrfInput token={csrf} />
                <input type="hidden" name="intent" value="supprimer" />
                <input type="hidden" name="formulaire" value={`motif-suppression-${gi}`} />
                <div className={`fr-select-group${erreur(`motif-suppression-${gi}`, "effectif") ? " fr-select-group--error" : ""}`}>
                  <label className="fr-label" htmlFor={`supprimer-${gi}`}>
                    Fiche à supprimer
                    {deQui}
                  </label>
                  <select
                    className={`fr-select${erreur(`motif-suppression-${gi}`, "effectif") ? " fr-select--error" : ""}`}
                    id={`supprimer-${gi}`}
                    name="effectif"
                    defaultValue=""
                    required
                    aria-required="true"
                    // a long option (name, identifier, formation) sets a select's width: held to the screen's (375 px)
                    style={{ boxSizing: "border-box", width: "100%", maxWidth: "100%", textOverflow: "ellipsis" }}
                    {...ariaErreur(`supprimer-${gi}`, erreur(`motif-suppression-${gi}`, "effectif"))}
                  >
                    <option value="" disabled>
                      Choisir une fiche
                    </option>
                    {g.effectifs.map((e) => (
                      <option key={e.id} value={e.id}>
                        {e.nom} {e.prenom} — identifiant ERP {e.idErpApprenant}
                      </option>
                    ))}
                  </select>
                  <MessageErreur id={`supprimer-${gi}`} erreur={erreur(`motif-suppression-${gi}`, "effectif")} />
                </div>
                <ChampMotif
                  id={`motif-suppression-${gi}`}
                  label={<>Motif de la suppression (conservé avec l'archive){deQui}</>}
                  erreur={erreur(`motif-suppression-${gi}`, "motif")}
                />
                <button className="fr-btn fr-btn--secondary" type="submit" disabled={busy}>
                  Supprimer et archiver
                  {deQui}
                </button>
              </Form>
            </details>
          </section>
        );
      })}

      <section aria-labelledby="titre-archives" className="fr-mt-5w">
        <h2 id="titre-archives" className="fr-h4">
          Fiches fusionnées ou supprimées{journal.total > 0 ? ` (${journal.total})` : ""}
        </h2>
        {archives.length === 0 ? (
          <p>Aucune fiche fusionnée ou supprimée.</p>
        ) : (
          <div className="fr-table" data-testid="archives">
            <table tabIndex={0} id="archives-liste">
              <caption className="fr-sr-only">Journal des fusions et suppressions</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Opération</th>
                  <th scope="col">Apprenant</th>
                  <th scope="col">Motif</th>
                  <th scope="col">Par</th>
                  <th scope="col">Rétablissement</th>
                </tr>
              </thead>
              <tbody>
                {archives.map((a) => (
                  <tr key={a.id}>
                    <td>{formatDateHeure(a.createdAt)}</td>
                    <td>
                      {a.operation === "fusion" ? "Fusion" : "Suppression"}
                      {a.operation === "fusion" && a.champsRepris.length ? (
                        <>
                          <br />
                          <span className="fr-text--xs">repris : {a.champsRepris.join(", ")}</span>
                        </>
                      ) : null}
                    </td>
                    <td>
                      {a.nom} {a.prenom}
                      <br />
                      <span className="fr-text--xs">
                        ERP {a.idErpApprenant}, {a.anneeScolaire}
                        {a.effectifConserveId ? (
                          <>
                            {" "}
                            → <Link to={`${base}/apprenants/${a.effectifConserveId}`}>fiche conservée</Link>
                          </>
                        ) : null}
                      </span>
                    </td>
                    <td>{a.motif}</td>
                    <td>{a.userEmail}</td>
                    <td data-testid="retablissement">
                      {a.retablissement ? (
                        <>
                          Rétablie le {formatDateHeure(a.retablissement.at)} par {a.retablissement.par} : {a.retablissement.motif}
                          <br />
                          <Link to={`${base}/apprenants/${a.effectifId}`}>Voir la fiche</Link>
                        </>
                      ) : a.operation === "suppression" ? (
                        <details>
                          <summary>
                            Rétablir<span className="fr-sr-only"> : {`${a.nom} ${a.prenom}`}</span>
                          </summary>
                          <Form method="post" className="fr-mt-1w" noValidate>
                            <CsrfInput token={csrf} />
                            <input type="hidden" name="intent" value="retablir" />
                            <input type="hidden" name="archive" value={a.id} />
                            <input type="hidden" name="formulaire" value={`motif-retablissement-${a.id}`} />
                            <ChampMotif
                              id={`motif-retablissement-${a.id}`}
                              label={`Motif du rétablissement de ${a.nom} ${a.prenom}`}
                              erreur={erreur(`motif-retablissement-${a.id}`, "motif")}
                            />
                            <button className="fr-btn fr-btn--sm fr-btn--secondary" type="submit" disabled={busy}>
                              Rétablir la fiche
                              <span className="fr-sr-only"> : {`${a.nom} ${a.prenom}`}</span>
                            </button>
                          </Form>
                        </details>
                      ) : (
                        "–"
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pagination page={journal.page} pages={journal.pages} search={search} cible="archives-liste" param="page_archives" label="Pages du journal des fusions et suppressions" />
      </section>
    </>
  );
}
