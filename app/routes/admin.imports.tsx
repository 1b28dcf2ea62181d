import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { requireNationalAdmin } from "~/auth/policy.server";
import { csrfToken } from "~/auth/csrf.server";
import { CsrfInput } from "~/auth/ui";
import { getImportJob, recentImportJobs, type ImportJob } from "~/referentiel/import-jobs.server";
import { actionImports, type ImportsActionData } from "~/referentiel/imports-admin.server";
import { formatNombre, pluriel } from "~/ui/format";
import { IMPORT_KINDS, MAX_IMPORT_BYTES, libelleImport, nonImportees, resultatImport, resumeImport } from "~/referentiel/import-libelles";
import { ariaErreur, MessageErreur } from "~/ui/champ-en-erreur";
import { useTitreEnErreur } from "~/ui/titre";

export const meta: MetaFunction = () => [{ title: "Imports du référentiel - Administration - Tableau de bord de l'apprentissage" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireNationalAdmin(request, context.database);
  const { token, headers } = await csrfToken(request, context.database);
  const id = new URL(request.url).searchParams.get("import");
  const [job, recent] = await Promise.all([id ? getImportJob(context.database, id) : undefined, recentImportJobs(context.database)]);
  return Response.json(
    {
      csrf: token,
      job: job ?? null,
      jobMissing: Boolean(id && !job),
      recent: recent.map((j) => ({ id: j.id, kind: j.kind, fileName: j.fileName, startedAt: j.startedAt, finishedAt: j.finishedAt, startedBy: j.startedBy, error: j.error !== null, created: j.summary?.created ?? null, updated: j.summary?.updated ?? null, rejected: j.rejectedLines })),
    },
    { headers },
  );
}

export function action({ request, context }: ActionFunctionArgs) {
  return actionImports(request, context.database);
}

function ImportProgressView({ job }: { job: ImportJob }) {
  const revalidator = useRevalidator();
  const running = !job.finishedAt;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [running, revalidator]);
  if (running) {
    const { phase, done, total } = job.progress;
    const percent = total ? Math.floor((100 * done) / total) : 0;
    return (
      <section className="fr-mb-4w" aria-live="polite" data-testid="import-en-cours">
        <noscript>
          <meta httpEquiv="refresh" content="2" />
        </noscript>
        <h2>Import en cours : {job.fileName}</h2>
        <p>
          Étape : {phase}
          {total ? ` — ${formatNombre(done)} / ${formatNombre(total)} (${percent} %)` : "…"}
        </p>
        <progress max={100} value={percent} style={{ width: "100%" }} aria-label="Avancement de l'import" />
      </section>
    );
  }
  if (job.error) {
    return (
      <div className="fr-alert fr-alert--error fr-mb-4w" role="alert" data-testid="import-erreur">
        <h2 className="fr-alert__title">Le fichier {job.fileName} n'a pas été importé</h2>
        <p>{job.error}</p>
      </div>
    );
  }
  const s = job.summary!;
  const unit = s.lineUnit ?? "ligne";
  const rejectedLines = job.rejectedLines ?? 0;
  return (
    <section className="fr-mb-4w" data-testid="import-resume">
      <div className={`fr-alert ${rejectedLines ? "fr-alert--warning" : "fr-alert--success"} fr-mb-3w`} role="status">
        <h2 className="fr-alert__title">
          Import terminé : {s.fileName} ({s.format})
        </h2>
        <p>{resumeImport(s, rejectedLines)}</p>
      </div>
      {Object.keys(s.details).length ? (
        <ul>
          {Object.entries(s.details).map(([k, v]) => (
            <li key={k}>
              {k[0].toUpperCase() + k.slice(1)} : {formatNombre(v)}
            </li>
          ))}
        </ul>
      ) : null}
      {s.rejected.length ? (
        <div className="fr-table fr-table--sm">
          <table tabIndex={0}>
            <caption>
              Rejets ({pluriel(s.rejected.length, "message")}
              {s.rejected.length >= 500 ? ", les 500 premiers" : ""}) : {nonImportees(rejectedLines, unit)}
            </caption>
            <thead>
              <tr>
                <th scope="col">{unit === "ligne" ? "Ligne" : "Élément"}</th>
                <th scope="col">Colonne</th>
                <th scope="col">Motif</th>
              </tr>
            </thead>
            <tbody>
              {s.rejected.map((r, i) => (
                <tr key={i}>
                  <td>{r.line || ""}</td>
                  <td>{r.column ?? ""}</td>
                  <td>{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {s.warnings.length ? (
        <details className="fr-mt-2w">
          <summary>
            Avertissements ({formatNombre(s.warnings.length)}
            {s.warnings.length >= 200 ? ", les 200 premiers" : ""}) : importé malgré tout
          </summary>
          <ul>
            {s.warnings.map((w, i) => (
              <li key={i}>{issueText(w, unit === "ligne" ? "Ligne" : "Élément")}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

/** "Ligne 3, colonne « cfd » : message", or the message alone for a remark on the whole file (line 0). */
function issueText(w: { line: number; column?: string; message: string }, unit: string): string {
  const where = [w.line ? `${unit} ${w.line}` : "", w.column ? `colonne « ${w.column} »` : ""].filter(Boolean).join(", ");
  return where ? `${where} : ${w.message}` : w.message;
}

export default function AdminImports() {
  const { csrf, job, jobMissing, recent } = useLoaderData<{ csrf: string; job: ImportJob | null; jobMissing: boolean; recent: { id: string; kind: string; fileName: string; startedAt: string; finishedAt: string | null; startedBy: string; error: boolean; created: number | null; updated: number | null; rejected: number | null }[] }>();
  const actionData = useActionData<ImportsActionData>();
  useTitreEnErreur(Object.keys(actionData?.errors ?? {}).length > 0);
  const navigation = useNavigation();
  const errors = actionData?.errors ?? {};
  return (
    <div className="fr-container fr-my-5w">
      <h1>Imports du référentiel</h1>
      <p className="fr-text--lead">
        Mettre à jour les organismes, le catalogue des formations et les bassins d'emploi. Un import peut être relancé sans risque : il ne crée pas
        de doublon, une cellule vide n'efface rien, une ligne rejetée n'empêche pas l'import des autres.
      </p>
      {jobMissing ? (
        <div className="fr-alert fr-alert--info fr-mb-3w">
          <p>Aucun import ne porte cet identifiant : vérifiez le lien, ou choisissez un import dans la liste des derniers imports.</p>
        </div>
      ) : null}
      {job ? <ImportProgressView job={job} /> : null}
      {/* checked by the server (noValidate: its French message, not the browser's bubble), `required` announces the field */}
      <Form method="post" encType="multipart/form-data" className="fr-mb-5w" aria-labelledby="nouvel-import" noValidate>
        <h2 id="nouvel-import">Nouvel import</h2>
        <CsrfInput token={csrf} />
        <fieldset className={`fr-fieldset ${errors.type ? "fr-fieldset--error" : ""}`} aria-describedby={errors.type ? "type-erreur" : undefined}>
          <legend className="fr-fieldset__legend">Type de fichier</legend>
          {IMPORT_KINDS.map((k) => (
            <div key={k.value} className="fr-fieldset__element">
              <div className="fr-radio-group">
                <input type="radio" id={`type-${k.value}`} name="type" value={k.value} defaultChecked={k.value === "organismes"} />
                <label className="fr-label" htmlFor={`type-${k.value}`}>
                  {k.label}
                  <span className="fr-hint-text">{k.hint}</span>
                </label>
              </div>
            </div>
          ))}
          <MessageErreur id="type" erreur={errors.type} />
        </fieldset>
        <div className={`fr-select-group ${errors.format ? "fr-select-group--error" : ""}`}>
          <label className="fr-label" htmlFor="format">
            Format
            <span className="fr-hint-text">Détecté automatiquement d'après l'en-tête ; à préciser seulement en cas de doute.</span>
          </label>
          <select
            className={`fr-select ${errors.format ? "fr-select--error" : ""}`}
            id="format"
            name="format"
            defaultValue=""
            {...ariaErreur("format", errors.format)}
          >
            <option value="">Détection automatique</option>
            {IMPORT_KINDS.flatMap((k) =>
              k.formats.map((f) => (
                <option key={`${k.value}-${f.value}`} value={f.value}>
                  {k.label} : {f.label}
                </option>
              )),
            )}
          </select>
          <MessageErreur id="format" erreur={errors.format} />
        </div>
        <div className={`fr-checkbox-group fr-mb-3w ${errors.offreComplete ? "fr-checkbox-group--error" : ""}`}>
          <input
            type="checkbox"
            id="offreComplete"
            name="offreComplete"
            value="oui"
            {...ariaErreur("offreComplete", errors.offreComplete)}
          />
          <label className="fr-label" htmlFor="offreComplete">
            Catalogue : ce fichier donne toute l'offre des organismes formateurs qu'il cite
            <span className="fr-hint-text">
              Les offres de ces organismes que le fichier ne cite plus sont retirées ; celles des autres organismes sont gardées. Rien n'est retiré
              si une ligne est rejetée.
            </span>
          </label>
          <MessageErreur id="offreComplete" erreur={errors.offreComplete} />
        </div>
        {/* DSFR's upload error state; aria-invalid lets the focus go to the field after a refusal (focus-navigation.ts) */}
        <div className={`fr-upload-group ${errors.fichier ? "fr-upload-group--error" : ""}`}>
          <label className="fr-label" htmlFor="fichier">
            Fichier (obligatoire)
            <span className="fr-hint-text">CSV (séparateur « ; », « , », « | » ou tabulation ; UTF-8 ou ISO-8859-1), JSON ou XLSX. {MAX_IMPORT_BYTES / 1024 / 1024} Mo au plus.</span>
          </label>
          <input
            className="fr-upload"
            type="file"
            id="fichier"
            name="fichier"
            required
            aria-required="true"
            accept=".csv,.txt,.json,.xlsx,text/csv,application/json"
            {...ariaErreur("fichier", errors.fichier)}
          />
          <MessageErreur id="fichier" erreur={errors.fichier} />
        </div>
        <button className="fr-btn fr-mt-3w" type="submit" disabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? "Envoi du fichier…" : "Importer"}
        </button>
      </Form>
      <h2>Imports récents</h2>
      {recent.length === 0 ? (
        <p>Aucun import lancé depuis cette page pour le moment.</p>
      ) : (
        <div className="fr-table fr-table--sm">
          <table tabIndex={0}>
            <caption>Les 20 derniers imports lancés depuis cette page</caption>
            <thead>
              <tr>
                <th scope="col">Début</th>
                <th scope="col">Type</th>
                <th scope="col">Fichier</th>
                <th scope="col">Par</th>
                <th scope="col">Résultat</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((j) => (
                <tr key={j.id}>
                  <td>{new Date(j.startedAt).toLocaleString("fr-FR", { timeZone: "Europe/Paris" })}</td>
                  <td>{libelleImport(j.kind)}</td>
                  <td>
                    <Link to={`?import=${j.id}`}>{j.fileName}</Link>
                  </td>
                  <td>{j.startedBy}</td>
                  <td>{!j.finishedAt ? "En cours" : j.error ? "Échec (rien n'a été modifié)" : resultatImport(j)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="fr-text--sm">
        En ligne de commande : <code>npm run cli -- import:organismes FICHIER</code>, <code>import:formations FICHIER</code>, <code>import:bassins FICHIER</code>.
      </p>
    </div>
  );
}
