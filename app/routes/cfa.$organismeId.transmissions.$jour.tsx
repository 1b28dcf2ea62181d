/**
 * One day of a CFA's transmissions: each rejected dossier with, per error, the problem in one statement (field,
 * value received, what is wrong) and, apart, how to fix it in the ERP or the file (app/cfa/erreurs.ts); each request
 * refused as a whole (nothing read) with the API's answer and what to do.
 *
 * A whole nightly batch may be refused (an ERP set with a wrong UAI): the day's counts and its recurring errors cover
 * all its dossiers, but the dossiers are read and shown a page at a time (`page`, 50 per page), filtered by field in
 * error (`champ`) or searched by name or ERP id (`q`); the transmissions too (`page_transmissions`).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { notFound } from "~/auth/policy.server";
import { requireEspaceCfa } from "~/cfa/acces.server";
import { consulterJourDeTransmissions } from "~/cfa/consultations.server";
import { parseJour, type SuiviRefus } from "~/cfa/transmissions.server";
import { formatHeure, libelleMode, TableErreursRecurrentes, titreEspace, type HandleFilAriane } from "~/cfa/ui";
import { NO_STORE } from "~/auth/responses.server";
import { Pagination, SearchButtons, SelectField } from "~/referentiel/components";
import { pageNumber } from "~/shared/pagination";
import { formatDate, formatNombre, majuscule, pluriel } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => [
  { title: titreEspace(`Transmissions du ${data ? formatDate(data.jour) : "jour"}`, matches) },
];
export const headers = () => NO_STORE;
export const handle: HandleFilAriane = { filAriane: (data) => ((data as { jour?: string } | undefined)?.jour ? `Transmissions du ${formatDate((data as { jour: string }).jour)}` : null) };

/** A field in error as the filter names it (a v3 field name), or undefined. */
function champFiltre(value: string | null): string | undefined {
  return value && /^[a-z0-9_]{1,80}$/.test(value) ? value : undefined;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const jour = parseJour(params.jour);
  if (!jour) throw notFound("Ce jour n'existe pas : attendu une date au format AAAA-MM-JJ.");
  const url = new URL(request.url);
  const filtres = { champ: champFiltre(url.searchParams.get("champ")), q: url.searchParams.get("q")?.trim().slice(0, 100) || undefined };
  const detail = await consulterJourDeTransmissions(context.database, espace, jour, {
    page: pageNumber(url.searchParams.get("page")),
    pageTransmissions: pageNumber(url.searchParams.get("page_transmissions")),
    filtres,
  });
  return { organismeId: espace.organismeId, ...detail };
}

export default function TransmissionsDuJour() {
  const d = useLoaderData<typeof loader>();
  const { organismeId, jour, totaux, transmissions, pageTransmissions, envoisRefuses, detailPurge, refuses, pageRefuses, filtres, resume, conseilRefuses } = d;
  const { search } = useLocation();
  const base = `/cfa/${organismeId}`;
  const filtrant = Boolean(filtres.champ || filtres.q);
  const premier = (pageRefuses.page - 1) * pageRefuses.parPage + 1;
  return (
    <>
      <p className="fr-mb-1w">
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to={`${base}/transmissions`}>
          Toutes les transmissions
        </Link>
      </p>
      <h1 className="fr-h2">Transmissions du {formatDate(jour)}</h1>
      {totaux.transmissions === 0 ? (
        <div className="fr-alert fr-alert--info">
          <h2 className="fr-alert__title">Aucune transmission ce jour-là</h2>
          <p>Votre organisme n'a rien transmis le {formatDate(jour)}.</p>
        </div>
      ) : (
        <>
          <div className="fr-table" data-testid="transmissions-du-jour">
            <table tabIndex={0} id="transmissions-liste">
              <caption>
                Transmissions reçues
                {totaux.transmissions > 1 ? ` (${formatNombre(totaux.transmissions)})` : ""}
                {pageTransmissions.pages > 1 ? `, page ${formatNombre(pageTransmissions.page)} sur ${formatNombre(pageTransmissions.pages)}` : ""}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Heure</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Dossiers reçus</th>
                  <th scope="col">Acceptés</th>
                  <th scope="col">dont inchangés</th>
                  <th scope="col">Refusés</th>
                </tr>
              </thead>
              <tbody>
                {transmissions.map((t) => (
                  <tr key={t.id}>
                    <td>{formatHeure(t.receivedAt)}</td>
                    <td>
                      {libelleMode(t.source)}
                      {t.source === "API" ? (t.erp ? ` (${t.erp})` : "") : t.fileName ? ` « ${t.fileName} »` : ""}
                    </td>
                    {t.refus ? (
                      <td colSpan={4}>
                        <strong className="fr-text-default--error">Envoi refusé en entier</strong> : aucun dossier lu
                      </td>
                    ) : (
                      <>
                        <td>{formatNombre(t.nbItems)}</td>
                        <td>{formatNombre(t.nbAccepted)}</td>
                        <td>{t.nbUnchanged === null ? <span title="Non compté pour cette transmission">–</span> : formatNombre(t.nbUnchanged)}</td>
                        <td>{formatNombre(t.nbRejected)}</td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
              {totaux.transmissions > 1 ? (
                <tfoot>
                  <tr data-testid="totaux-du-jour">
                    <th scope="row" colSpan={2}>
                      Total du jour
                    </th>
                    <td>{formatNombre(totaux.recus)}</td>
                    <td>{formatNombre(totaux.acceptes)}</td>
                    <td>{formatNombre(totaux.inchanges)}</td>
                    <td>{formatNombre(totaux.refuses)}</td>
                  </tr>
                </tfoot>
              ) : null}
            </table>
          </div>
          <Pagination
            page={pageTransmissions.page}
            pages={pageTransmissions.pages}
            search={search}
            param="page_transmissions"
            cible="transmissions-liste"
            label="Pages des transmissions du jour"
            className="fr-mt-1w"
          />
        </>
      )}
      {totaux.envoisRefuses ? (
        <section aria-labelledby="titre-envois-refuses" className="fr-mt-4w" data-testid="envois-refuses">
          <h2 id="titre-envois-refuses" className="fr-h4">
            {totaux.envoisRefuses > 1 ? `${formatNombre(totaux.envoisRefuses)} envois refusés en entier` : "1 envoi refusé en entier"}
          </h2>
          {totaux.envoisRefuses > envoisRefuses.length ? (
            <p className="fr-text--sm" data-testid="envois-refuses-plus-recents">
              Voici les {formatNombre(envoisRefuses.length)} plus récents ; les autres figurent dans le tableau des transmissions.
            </p>
          ) : null}
          {envoisRefuses.map((t) => (
            <div key={t.id} className="fr-alert fr-alert--error fr-mb-2w">
              <h3 className="fr-alert__title">
                Envoi de {formatHeure(t.receivedAt)}
                {t.erp ? ` (${t.erp})` : ""} refusé
              </h3>
              <p data-testid="refus-message">{t.refus!.message}</p>
              <p className="fr-text--sm">{t.refus!.explication}</p>
            </div>
          ))}
        </section>
      ) : null}
      {detailPurge ? (
        <div className="fr-alert fr-alert--info fr-mb-3w">
          <p>
            Le détail des dossiers refusés n'est conservé que {d.retentionJours} jours : pour cette transmission, seuls les nombres restent. Les
            erreurs qui se répètent apparaissent dans les transmissions plus récentes.
          </p>
        </div>
      ) : null}

      {resume.length ? (
        <section aria-labelledby="titre-resume" className="fr-mt-4w">
          <h2 id="titre-resume" className="fr-h4">
            Erreurs récurrentes du jour
          </h2>
          <p className="fr-text--sm">
            Sur les {pluriel(d.dossiersRefuses, "dossier refusé", "dossiers refusés")} du jour, les erreurs les plus fréquentes d'abord : en les
            corrigeant, vous corrigez le plus de dossiers.
          </p>
          <TableErreursRecurrentes lignes={resume} caption={`Erreurs récurrentes du ${formatDate(jour)}`} testId="erreurs-du-jour" />
        </section>
      ) : null}

      {d.dossiersRefuses && !d.refusesNonNommes ? (
        <section aria-labelledby="titre-refuses" className="fr-mt-4w">
          <h2 id="titre-refuses" className="fr-h4">
            {pluriel(d.dossiersRefuses, "dossier refusé", "dossiers refusés")}
          </h2>
          <p className="fr-text--sm" data-testid="conseil-refuses">
            {conseilRefuses}
          </p>
          <Form method="get" className="fr-mb-2w" aria-label="Filtrer les dossiers refusés">
            <div className="fr-grid-row fr-grid-row--gutters">
              <div className="fr-col-12 fr-col-md-6">
                <SelectField
                  id="champ"
                  name="champ"
                  label="Champ en erreur"
                  value={filtres.champ}
                  empty="Tous les champs"
                  options={d.champs.map((c) => ({ value: c.champ, label: `${majuscule(c.libelle)} (${pluriel(c.dossiers, "dossier")})` }))}
                />
              </div>
              <div className="fr-col-12 fr-col-md-6">
                <div className="fr-input-group">
                  <label className="fr-label" htmlFor="q">
                    Rechercher un apprenant
                    <span className="fr-hint-text">Nom, prénom ou identifiant ERP</span>
                  </label>
                  <input className="fr-input" type="search" id="q" name="q" maxLength={100} defaultValue={filtres.q ?? ""} />
                </div>
              </div>
            </div>
            <SearchButtons filtered={filtrant} resetTo={`${base}/transmissions/${jour}`} />
          </Form>
          {pageRefuses.total === 0 ? (
            <div className="fr-alert fr-alert--info" data-testid="aucun-dossier-filtre">
              <h3 className="fr-alert__title">Aucun dossier refusé ne correspond à ces filtres</h3>
              <p>
                <Link to={`${base}/transmissions/${jour}`}>Voir les {pluriel(d.dossiersRefuses, "dossier refusé", "dossiers refusés")} du jour</Link>
              </p>
            </div>
          ) : (
            <>
              <p className="fr-mb-1w" role="status" data-testid="compte-refuses">
                {filtrant ? (
                  <>
                    <strong>{pluriel(pageRefuses.total, "dossier refusé correspond", "dossiers refusés correspondent")}</strong> aux filtres.{" "}
                  </>
                ) : null}
                {pageRefuses.pages > 1
                  ? `Page ${formatNombre(pageRefuses.page)} sur ${formatNombre(pageRefuses.pages)} : dossiers ${formatNombre(premier)} à ${formatNombre(premier + refuses.length - 1)} sur ${formatNombre(pageRefuses.total)}.`
                  : null}
              </p>
              <div className="fr-table" data-testid="dossiers-refuses">
                <table tabIndex={0} id="dossiers-refuses-liste">
                  <caption className="fr-sr-only">Dossiers refusés et comment les corriger</caption>
                  <thead>
                    <tr>
                      <th scope="col">Apprenant</th>
                      <th scope="col">Problème</th>
                      <th scope="col">Comment corriger</th>
                    </tr>
                  </thead>
                  <tbody>
                    {refuses.flatMap((r) =>
                      r.erreurs.map((e, i) => (
                        <tr key={`${r.transmissionId}-${r.numero}-${i}`} data-categorie={e.categorie}>
                          {i === 0 ? (
                            <td rowSpan={r.erreurs.length}>
                              <strong>{[r.nom, r.prenom].filter(Boolean).join(" ") || "Apprenant sans nom"}</strong>
                              <br />
                              <span className="fr-text--xs">
                                {r.idErpApprenant ? `Identifiant ERP ${r.idErpApprenant}` : "Identifiant ERP absent"}
                                {r.ligne ? ` · ligne ${formatNombre(r.ligne)} du fichier` : ` · dossier n° ${formatNombre(r.numero)} de l'envoi`}
                                {` de ${formatHeure(r.receivedAt)}`}
                              </span>
                              <br />
                              <SuiviBadge suivi={r.suivi} />
                            </td>
                          ) : null}
                          <td className="fr-text--sm" data-testid="probleme">
                            <strong>{majuscule(e.libelleChamp)}</strong> : {e.constat}
                          </td>
                          <td className="fr-text--sm" data-testid="explication">
                            {e.explication}
                          </td>
                        </tr>
                      )),
                    )}
                  </tbody>
                </table>
              </div>
              <Pagination page={pageRefuses.page} pages={pageRefuses.pages} search={search} cible="dossiers-refuses-liste" label="Pages des dossiers refusés" />
            </>
          )}
        </section>
      ) : d.refusesNonNommes ? (
        <p className="fr-mt-3w" data-testid="refuses-non-nommes">
          {pluriel(d.refusesNonNommes, "dossier refusé", "dossiers refusés")} ce jour-là. Leur détail, nominatif, est réservé aux utilisateurs de
          l'organisme : un dossier refusé n'est pas enregistré et peut concerner un apprenant hors de votre périmètre.
        </p>
      ) : totaux.transmissions && !detailPurge ? (
        <p className="fr-mt-3w">{totaux.envoisRefuses ? "Aucun autre dossier refusé ce jour-là." : "Aucun dossier refusé ce jour-là."}</p>
      ) : null}
    </>
  );
}

/** Where a refused dossier stands now (decision 033): fixed since, refused again later, or still to fix. */
function SuiviBadge({ suivi }: { suivi: SuiviRefus }) {
  const [classe, texte] =
    suivi === "corrige"
      ? ["fr-badge--success", "Corrigé depuis"]
      : suivi === "refuse_depuis"
        ? ["fr-badge--warning", "Refusé à nouveau depuis"]
        : ["fr-badge--error", "À corriger"];
  return (
    <span className={`fr-badge fr-badge--sm fr-badge--no-icon ${classe} fr-mt-1v`} data-testid="suivi-refus">
      {texte}
    </span>
  );
}
