/** Transmissions of a CFA: day-by-day history (received / accepted / rejected) and the recurring errors. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { requireEspaceCfa } from "~/cfa/acces.server";
import { FENETRES } from "~/cfa/erreurs";
import { erreursRecurrentes, historiqueTransmissions } from "~/cfa/transmissions.server";
import { derniereTransmission } from "~/cfa/espace.server";
import { ERRORS_RETENTION_DAYS } from "~/ingestion/jobs.server";
import { annoncePeriode, formatDateHeure, libelleMode, libellePeriode, TableErreursRecurrentes, titreEspace } from "~/cfa/ui";
import { NO_STORE } from "~/auth/responses.server";
import { Chart } from "~/components/Chart";
import { Pagination } from "~/referentiel/components";
import { addDays, diffDays } from "~/statut/days";
import { formatDate, formatNombre } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = ({ matches }) => [{ title: titreEspace("Transmissions", matches) }];
export const headers = () => NO_STORE;

const PAR_PAGE = 31;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const url = new URL(request.url);
  const jours = FENETRES.find((f) => String(f) === url.searchParams.get("jours")) ?? 30;
  const page = Math.max(1, Number(url.searchParams.get("page")) || 1);
  const [historique, recurrentes, derniere] = await Promise.all([
    historiqueTransmissions(context.database, espace.organismeId, { jours }),
    erreursRecurrentes(context.database, espace.organismeId, { jours }),
    derniereTransmission(context.database, espace.organismeId),
  ]);
  // the latest transmission that counts for this organisme, when its responsable sent it (decision 022)
  const parLeResponsable = derniere?.expediteur ? { expediteur: derniere.expediteur, receivedAt: derniere.receivedAt } : null;
  return { organismeId: espace.organismeId, jours, page, historique, recurrentes, parLeResponsable, retentionJours: ERRORS_RETENTION_DAYS };
}

/**
 * The period's tags (a GET form). The tag pressed keeps the focus while the counters, the chart and the table change
 * below it: a status message says what is now shown (role="status", on the page before it is filled: a region added
 * with its message is not read), as the dashboards' filters do (FilterPanel's annonce-filtres). Said after the form
 * only: a page of the history followed by its link moves the focus to the table, which says itself what it shows.
 */
function ChoixDePeriode({ jours, annonce }: { jours: number; annonce: string }) {
  const { key } = useLocation();
  const envoi = useRef(false);
  const [message, setMessage] = useState("");
  useEffect(() => {
    setMessage(envoi.current ? annonce : "");
    envoi.current = false;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return (
    <>
      <p className="fr-sr-only" role="status" data-testid="annonce-periode">
        {message}
      </p>
      <Form method="get" className="fr-mb-2w" aria-label="Période affichée" onSubmit={() => {
          envoi.current = true;
        }}
      >
        <ul className="fr-tags-group">
          {FENETRES.map((f) => (
            <li key={f}>
              <button className="fr-tag" type="submit" name="jours" value={f} aria-pressed={f === jours}>
                {f === 365 ? "12 derniers mois" : `${f} derniers jours`}
              </button>
            </li>
          ))}
        </ul>
      </Form>
    </>
  );
}

export default function Transmissions() {
  const { organismeId, jours, page, historique: h, recurrentes, parLeResponsable, retentionJours } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const base = `/cfa/${organismeId}`;
  const responsable = parLeResponsable ? (
    <div className="fr-alert fr-alert--info fr-alert--sm fr-mb-3w" data-testid="transmis-par-le-responsable">
      <p>
        Vos effectifs sont transmis par {parLeResponsable.expediteur}, votre responsable : dernière transmission le{" "}
        {formatDateHeure(parLeResponsable.receivedAt)}. Ses envois, avec leurs dossiers refusés et la façon de les corriger, sont suivis
        dans son espace ; cette page ne présente que ce que votre organisme transmet lui-même.
      </p>
    </div>
  ) : null;
  if (h.aucune) {
    return (
      <>
        <h1 className="fr-h2">Transmissions</h1>
        {responsable}
        <div className="fr-alert fr-alert--info" data-testid="aucune-transmission">
          <h2 className="fr-alert__title">
            {parLeResponsable ? "Votre organisme n'a rien transmis lui-même" : "Aucune transmission reçue"} : voici comment connecter votre ERP
          </h2>
          <ol>
            <li>
              Générez une clé d'API et choisissez votre ERP sur la page <Link to={`${base}/cle-api`}>Clé d'API et ERP</Link> : les
              instructions de connexion propres à votre logiciel s'y affichent.
            </li>
            <li>Collez la clé dans le paramétrage de votre ERP (ou transmettez-la à son éditeur) et lancez une première transmission.</li>
            <li>Elle apparaîtra ici, jour par jour, avec les dossiers refusés et la façon de les corriger.</li>
          </ol>
          <p>
            Sans ERP connecté, vous pouvez aussi <Link to={`/televersement?organisme=${organismeId}`}>téléverser un fichier</Link> Excel ou CSV de vos apprenants.
          </p>
        </div>
      </>
    );
  }
  const periode = libellePeriode(jours);
  // the detail of refusals is kept retentionJours days: the recurring errors cover no more, whatever the history shows
  const periodeErreurs = libellePeriode(Math.min(jours, retentionJours));
  const tousLesJours = Array.from({ length: diffDays(h.debut, h.fin) + 1 }, (_, i) => addDays(h.debut, i));
  const parJour = new Map(h.jours.map((j) => [j.jour, j]));
  const pages = Math.max(1, Math.ceil(h.jours.length / PAR_PAGE));
  const courante = Math.min(page, pages);
  const visibles = h.jours.slice((courante - 1) * PAR_PAGE, courante * PAR_PAGE);
  return (
    <>
      <h1 className="fr-h2">Transmissions</h1>
      <p className="fr-text--lead">
        Ce que votre ERP (ou vos fichiers) a transmis, jour par jour : dossiers reçus, acceptés et refusés. Dernière transmission le{" "}
        {formatDateHeure(h.derniere)}.
      </p>
      {h.total.envoisRefuses ? (
        <div className="fr-alert fr-alert--error fr-mb-3w" data-testid="alerte-envois-refuses">
          <h2 className="fr-alert__title">
            {h.total.envoisRefuses > 1
              ? `${formatNombre(h.total.envoisRefuses)} envois de votre ERP refusés en entier au cours ${periode}`
              : `1 envoi de votre ERP refusé en entier au cours ${periode}`}
          </h2>
          <p>
            L'API n'a pu lire aucun dossier de {h.total.envoisRefuses > 1 ? "ces envois" : "cet envoi"} (contenu illisible, trop de dossiers ou
            trop volumineux) : rien n'en a été enregistré. Le détail du jour indiqué dans l'historique ci-dessous dit pourquoi et que faire.
          </p>
        </div>
      ) : null}
      <ChoixDePeriode jours={jours} annonce={annoncePeriode(jours, h.total)} />
      <div className="fr-grid-row fr-grid-row--gutters fr-mb-2w" data-testid="compteurs-periode">
        {[
          ["Transmissions", h.total.transmissions],
          ["Dossiers reçus", h.total.recus],
          ["Acceptés", h.total.acceptes],
          ["Refusés", h.total.refuses],
        ].map(([label, value]) => (
          <div key={label} className="fr-col-6 fr-col-md-3">
            <p className="fr-mb-0">
              <span className="fr-h4">{formatNombre(value as number)}</span>
              <br />
              <span className="fr-text--sm">{label}</span>
            </p>
          </div>
        ))}
      </div>
      {h.jours.length === 0 ? (
        <div className="fr-alert fr-alert--warning fr-mb-4w">
          <h2 className="fr-alert__title">Aucune transmission sur cette période</h2>
          <p>
            Votre dernière transmission date du {formatDate(h.derniere)}. Vérifiez que votre ERP transmet toujours (clé d'API valide, tâche
            planifiée active) ou <Link to={`/televersement?organisme=${organismeId}`}>téléversez un fichier</Link>.
          </p>
        </div>
      ) : (
        <>
          <Chart
            heading="h2"
            title="Dossiers acceptés et refusés par jour"
            description={`Du ${formatDate(h.debut)} au ${formatDate(h.fin)} : nombre de dossiers apprenants acceptés et refusés chaque jour de transmission.`}
            height={260}
            option={{
              tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
              legend: { top: 0 },
              grid: { left: 56, right: 16, top: 36, bottom: 48 },
              xAxis: { type: "category", data: tousLesJours.map((j) => formatDate(j).slice(0, 5)) },
              yAxis: { type: "value" },
              series: [
                { name: "Acceptés", type: "bar", stack: "dossiers", data: tousLesJours.map((j) => parJour.get(j)?.acceptes ?? 0), itemStyle: { color: "#18753c" } },
                { name: "Refusés", type: "bar", stack: "dossiers", data: tousLesJours.map((j) => parJour.get(j)?.refuses ?? 0), itemStyle: { color: "#ce0500" } },
              ],
            }}
            data={{
              fileName: `transmissions-${organismeId}-${h.debut}-${h.fin}`,
              feuille: "Dossiers par jour",
              columns: ["Jour", "Transmissions", "Reçus", "Acceptés", "dont inchangés", "Refusés"],
              rows: h.jours.map((j) => [formatDate(j.jour), j.transmissions, j.recus, j.acceptes, j.inchanges ?? "", j.refuses]),
            }}
          />
          <div className="fr-table" data-testid="historique">
            <table tabIndex={0} id="historique-liste">
              <caption>Historique jour par jour</caption>
              <thead>
                <tr>
                  <th scope="col">Jour</th>
                  <th scope="col">Transmissions</th>
                  <th scope="col">Dossiers reçus</th>
                  <th scope="col">Acceptés</th>
                  <th scope="col">dont inchangés</th>
                  <th scope="col">Refusés</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Détail</th>
                </tr>
              </thead>
              <tbody>
                {visibles.map((j) => (
                  <tr key={j.jour} data-jour={j.jour}>
                    <td>{formatDate(j.jour)}</td>
                    <td>{formatNombre(j.transmissions)}</td>
                    <td>{formatNombre(j.recus)}</td>
                    <td>{formatNombre(j.acceptes)}</td>
                    <td>{j.inchanges === null ? "–" : formatNombre(j.inchanges)}</td>
                    <td>
                      {j.refuses ? <strong className="fr-text-default--error">{formatNombre(j.refuses)}</strong> : "0"}
                      {j.envoisRefuses ? (
                        <>
                          <br />
                          <strong className="fr-text-default--error fr-text--sm">
                            {j.envoisRefuses > 1 ? `${j.envoisRefuses} envois refusés en entier` : "1 envoi refusé en entier"}
                          </strong>
                        </>
                      ) : null}
                    </td>
                    <td>
                      {j.sources.map((s) => libelleMode(s)).join(", ")}
                      {j.erps.length ? ` (${j.erps.join(", ")})` : ""}
                    </td>
                    <td>
                      <Link to={`${base}/transmissions/${j.jour}`}>
                        {j.refuses || j.envoisRefuses ? (j.detailDisponible ? "Voir les erreurs" : "Voir le détail") : "Voir le détail"}
                        <span className="fr-sr-only"> du {formatDate(j.jour)}</span>
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={courante} pages={pages} search={search} cible="historique-liste" label="Pages de l'historique" />
        </>
      )}

      <section aria-labelledby="titre-recurrentes" className="fr-mt-5w">
        <h2 id="titre-recurrentes" className="fr-h4">
          Erreurs récurrentes {periodeErreurs}
        </h2>
        {jours > retentionJours && (recurrentes.length > 0 || h.total.refuses > 0) ? (
          <p className="fr-text--sm" data-testid="retention-erreurs">
            Le détail des dossiers refusés n'est conservé que {retentionJours} jours : pour les transmissions plus anciennes, seuls les
            nombres de dossiers refusés restent (historique ci-dessus).
          </p>
        ) : null}
        {recurrentes.length === 0 ? (
          <p>
            {h.total.refuses === 0
              ? `Aucun dossier refusé ${periode}.`
              : `Aucun dossier refusé ces ${retentionJours} derniers jours ; le détail des refus plus anciens n'est plus conservé.`}
          </p>
        ) : (
          <TableErreursRecurrentes lignes={recurrentes} caption={`Erreurs récurrentes ${periodeErreurs}`} testId="erreurs-recurrentes" />
        )}
      </section>
    </>
  );
}
