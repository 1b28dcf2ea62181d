/**
 * One day of a CFA's transmissions: each rejected dossier with, per error, the problem in one statement (field,
 * value received, what is wrong) and, apart, how to fix it in the ERP or the file (app/cfa/erreurs.ts); each request
 * refused as a whole (nothing read) with the API's answer and what to do.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound } from "~/auth/policy.server";
import { espaceComplet, journaliserConsultation, requireEspaceCfa } from "~/cfa/acces.server";
import { parseJour, transmissionsDuJour } from "~/cfa/transmissions.server";
import { formatHeure, libelleMode, titreEspace, type HandleFilAriane } from "~/cfa/ui";
import { NO_STORE } from "~/auth/responses.server";
import { formatDate, formatNombre, majuscule, pluriel } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => [
  { title: titreEspace(`Transmissions du ${data ? formatDate(data.jour) : "jour"}`, matches) },
];
export const headers = () => NO_STORE;
export const handle: HandleFilAriane = { filAriane: (data) => ((data as { jour?: string } | undefined)?.jour ? `Transmissions du ${formatDate((data as { jour: string }).jour)}` : null) };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const jour = parseJour(params.jour);
  if (!jour) throw notFound("Ce jour n'existe pas : attendu une date au format AAAA-MM-JJ.");
  const detail = await transmissionsDuJour(context.database, espace.organismeId, jour, { nominatif: espaceComplet(espace) });
  if (detail.refuses.length) {
    await journaliserConsultation(context.database, espace, { page: "transmissions", jour }, detail.refuses.length);
  }
  return { organismeId: espace.organismeId, ...detail };
}

export default function TransmissionsDuJour() {
  const { organismeId, jour, transmissions, refuses, refusesNonNommes, resume, conseilRefuses, retentionJours } = useLoaderData<typeof loader>();
  const base = `/cfa/${organismeId}`;
  const purge = transmissions.some((t) => t.detailPurge);
  const envoisRefuses = transmissions.filter((t) => t.refus);
  return (
    <>
      <p className="fr-mb-1w">
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to={`${base}/transmissions`}>
          Toutes les transmissions
        </Link>
      </p>
      <h1 className="fr-h2">Transmissions du {formatDate(jour)}</h1>
      {transmissions.length === 0 ? (
        <div className="fr-alert fr-alert--info">
          <h2 className="fr-alert__title">Aucune transmission ce jour-là</h2>
          <p>Votre organisme n'a rien transmis le {formatDate(jour)}.</p>
        </div>
      ) : (
        <div className="fr-table">
          <table tabIndex={0}>
            <caption>Transmissions reçues</caption>
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
          </table>
        </div>
      )}
      {envoisRefuses.length ? (
        <section aria-labelledby="titre-envois-refuses" className="fr-mt-4w" data-testid="envois-refuses">
          <h2 id="titre-envois-refuses" className="fr-h4">
            {envoisRefuses.length > 1 ? `${envoisRefuses.length} envois refusés en entier` : "1 envoi refusé en entier"}
          </h2>
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
      {purge ? (
        <div className="fr-alert fr-alert--info fr-mb-3w">
          <p>
            Le détail des dossiers refusés n'est conservé que {retentionJours} jours : pour cette transmission, seuls les nombres restent. Les
            erreurs qui se répètent apparaissent dans les transmissions plus récentes.
          </p>
        </div>
      ) : null}

      {resume.length ? (
        <section aria-labelledby="titre-resume" className="fr-mt-4w">
          <h2 id="titre-resume" className="fr-h4">
            Résumé des erreurs
          </h2>
          <ul>
            {resume.map((r) => (
              <li key={r.categorie}>
                <strong>{r.libelle}</strong> : {pluriel(r.dossiers, "dossier")} ({r.champs.slice(0, 3).join(", ")})
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {refuses.length ? (
        <section aria-labelledby="titre-refuses" className="fr-mt-4w">
          <h2 id="titre-refuses" className="fr-h4">
            {pluriel(refuses.length, "dossier refusé", "dossiers refusés")}
          </h2>
          <p className="fr-text--sm" data-testid="conseil-refuses">
            {conseilRefuses}
          </p>
          <div className="fr-table" data-testid="dossiers-refuses">
            <table tabIndex={0}>
              <caption className="fr-sr-only">Dossiers refusés et comment les corriger</caption>
              <thead>
                <tr>
                  <th scope="col">Apprenant</th>
                  <th scope="col">Problème</th>
                  <th scope="col">Comment corriger</th>
                </tr>
              </thead>
              <tbody>
                {refuses.flatMap((d) =>
                  d.erreurs.map((e, i) => (
                    <tr key={`${d.transmissionId}-${d.numero}-${i}`} data-categorie={e.categorie}>
                      {i === 0 ? (
                        <td rowSpan={d.erreurs.length}>
                          <strong>{[d.nom, d.prenom].filter(Boolean).join(" ") || "Apprenant sans nom"}</strong>
                          <br />
                          <span className="fr-text--xs">
                            {d.idErpApprenant ? `Identifiant ERP ${d.idErpApprenant}` : "Identifiant ERP absent"}
                            {d.ligne ? ` · ligne ${d.ligne} du fichier` : ` · dossier n° ${d.numero} de l'envoi`}
                          </span>
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
        </section>
      ) : refusesNonNommes ? (
        <p className="fr-mt-3w" data-testid="refuses-non-nommes">
          {pluriel(refusesNonNommes, "dossier refusé", "dossiers refusés")} ce jour-là. Leur détail, nominatif, est réservé aux utilisateurs de
          l'organisme : un dossier refusé n'est pas enregistré et peut concerner un apprenant hors de votre périmètre.
        </p>
      ) : transmissions.length && !purge ? (
        <p className="fr-mt-3w">{envoisRefuses.length ? "Aucun autre dossier refusé ce jour-là." : "Aucun dossier refusé ce jour-là."}</p>
      ) : null}
    </>
  );
}
