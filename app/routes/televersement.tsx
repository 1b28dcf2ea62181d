/**
 * /televersement: a CFA sends its effectifs as a CSV or XLSX file. Steps: file → mapping and preview (?id=…) →
 * import (same pipeline as the API, source FICHIER) → result. Logic in app/ingestion/televersement-page.server.ts.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { televersementAction, televersementLoader, type UploadActionData, type UploadPageData } from "~/ingestion/televersement-page.server";
import { NO_STORE } from "~/auth/responses.server";
import { FilAriane } from "~/referentiel/components";
import { apercuValeur, CONSEIL_XLSX, formatNombre, pluriel } from "~/ui/format";
import type { EtatFocus } from "~/ui/focus-navigation";
import { useTitreEnErreur } from "~/ui/titre";

/** The step is in the title: the page keeps its address's path through the three steps, the title says where one is. */
export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const step = (data as UploadPageData | undefined)?.step;
  return [{ title: `${step ? `${STEPS[step]} - ` : ""}Téléverser des effectifs - Tableau de bord de l'apprentissage` }];
};
export const headers = () => NO_STORE;

export async function loader({ request, context }: LoaderFunctionArgs) {
  return televersementLoader(request, context.database);
}

export async function action({ request, context }: ActionFunctionArgs) {
  return televersementAction(request, context.database);
}

export default function Televersement() {
  const data = useLoaderData<typeof loader>() as UploadPageData;
  const actionData = useActionData<typeof action>() as UploadActionData | undefined;
  useTitreEnErreur(Boolean(actionData?.error));
  return (
    <div className="fr-container fr-my-5w">
      <FilAriane liens={[{ libelle: "Accueil", href: "/" }]} courant="Téléverser des effectifs" />
      <h1>Téléverser des effectifs</h1>
      <Stepper step={data.step} />
      {actionData?.error ? <Alert as="h2" className="fr-mb-3w" severity="error" title="Impossible de continuer" description={actionData.error} /> : null}
      {data.step === "fichier" ? <EtapeFichier data={data} champEnErreur={actionData?.champ ? { champ: actionData.champ, message: actionData.error } : undefined} /> : null}
      {data.step === "apercu" ? <EtapeApercu data={data} /> : null}
      {data.step === "resultat" ? <EtapeResultat data={data} /> : null}
    </div>
  );
}

const STEPS = { fichier: "Choix du fichier", apercu: "Correspondance des colonnes et aperçu", resultat: "Résultat de l'import" } as const;

function Stepper({ step }: { step: keyof typeof STEPS }) {
  const keys = Object.keys(STEPS) as (keyof typeof STEPS)[];
  const index = keys.indexOf(step);
  return (
    <div className="fr-stepper">
      <h2 className="fr-stepper__title">
        {STEPS[step]}
        <span className="fr-stepper__state">
          Étape {index + 1} sur {keys.length}
        </span>
      </h2>
      <div className="fr-stepper__steps" data-fr-current-step={index + 1} data-fr-steps={keys.length} />
      {index + 1 < keys.length ? (
        <p className="fr-stepper__details">
          <span className="fr-text--bold">Étape suivante :</span> {STEPS[keys[index + 1]]}
        </p>
      ) : null}
    </div>
  );
}

/** The attributes of a field the last refusal was about: marked invalid, its message read with it (DSFR markup). */
function erreurDuChamp(champ: string, enErreur: ChampEnErreur | undefined) {
  if (enErreur?.champ !== champ) return { classe: (base: string) => base, attributs: {}, message: null };
  const id = `${champ}-erreur`;
  return {
    classe: (base: string) => `${base} ${base}--error`,
    attributs: { "aria-invalid": true, "aria-describedby": id },
    message: (
      <p className="fr-error-text" id={id}>
        {enErreur.message}
      </p>
    ),
  };
}

type ChampEnErreur = { champ: NonNullable<UploadActionData["champ"]>; message: string };

function EtapeFichier({ data, champEnErreur }: { data: Extract<UploadPageData, { step: "fichier" }>; champEnErreur?: ChampEnErreur }) {
  const busy = useNavigation().state === "submitting";
  const erreurOrganisme = erreurDuChamp("organisme", champEnErreur);
  const erreurFichier = erreurDuChamp("fichier", champEnErreur);
  return (
    <>
      <p>
        Envoyez la liste de vos apprenants dans un fichier <strong>CSV</strong> (séparateur « ; », « , » ou tabulation,
        encodage UTF-8, Latin-1 ou UTF-16, comme le « Texte Unicode » d'Excel) ou <strong>Excel (.xlsx)</strong>, une ligne par apprenant et par formation, avec les noms des colonnes sur la
        première ligne. Les colonnes sont reconnues automatiquement (« Nom », « Prénom », « Date de naissance », « Code
        diplôme », « Date de début de contrat »…) et vous pourrez ajuster la correspondance. Rien n'est enregistré avant
        votre confirmation, après l'aperçu des erreurs. Au plus {formatNombre(data.maxRows)} lignes et {data.maxMo} Mo par fichier.
      </p>
      <p>
        Modèle de fichier :{" "}
        <a className="fr-link fr-icon-download-line fr-link--icon-left" href="/televersement/modele.xlsx" download>
          modèle Excel (.xlsx)
        </a>{" "}
        ou{" "}
        <a className="fr-link fr-icon-download-line fr-link--icon-left" href="/televersement/modele.csv" download>
          modèle CSV
        </a>
        . Votre ERP peut aussi transmettre directement par l'<Link to="/api/doc">API</Link>.
      </p>
      <p className="fr-text--xs" data-testid="conseil-xlsx">
        {CONSEIL_XLSX}
      </p>
      {/* noValidate: the server checks the organisme and the file and says what is expected in French, under the field
          (a browser's bubble for a required file is in the browser's language) */}
      <Form method="post" encType="multipart/form-data" className="fr-mt-4w" noValidate>
        <p className="fr-text--sm">Sauf mention contraire, tous les champs sont obligatoires.</p>
        <input type="hidden" name="csrf" value={data.csrf} />
        <input type="hidden" name="intent" value="televerser" />
        {data.organismes ? (
          data.organismes.length === 0 ? (
            <Alert
              severity="error"
              small
              description="Aucun organisme du référentiel n'est rattaché à votre organisation : contactez l'équipe du tableau de bord."
            />
          ) : (
            <div className={erreurOrganisme.classe("fr-select-group")}>
              <label className="fr-label" htmlFor="organisme">
                Organisme
              </label>
              <select
                className={erreurOrganisme.classe("fr-select")}
                id="organisme"
                name="organisme"
                required
                {...erreurOrganisme.attributs}
                defaultValue={String(data.organismePropose?.id ?? data.organismes[0].id)}
              >
                {data.organismes.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.label}
                  </option>
                ))}
              </select>
              {erreurOrganisme.message}
            </div>
          )
        ) : (
          <div className={erreurOrganisme.classe("fr-input-group")}>
            <label className="fr-label" htmlFor="organisme">
              Organisme
              <span className="fr-hint-text">SIRET et/ou UAI de l'organisme, tels qu'ils figurent au référentiel (ex. 13002456000018 0751234J)</span>
            </label>
            <input
              className={erreurOrganisme.classe("fr-input")}
              id="organisme"
              name="organisme"
              required
              autoComplete="off"
              defaultValue={data.organismePropose?.saisie}
              {...erreurOrganisme.attributs}
            />
            {erreurOrganisme.message}
          </div>
        )}
        <div className="fr-input-group">
          <label className="fr-label" htmlFor="erp">
            Logiciel de gestion (facultatif)
            <span className="fr-hint-text">Le logiciel dont est extrait le fichier (ex. Ypareo, Gesti, tableur)</span>
          </label>
          <input className="fr-input" id="erp" name="erp" maxLength={100} />
        </div>
        <div className={`${erreurFichier.classe("fr-upload-group")} fr-mb-3w`}>
          <label className="fr-label" htmlFor="fichier">
            Fichier des effectifs
            <span className="fr-hint-text">Un fichier .csv (ou .txt, .tsv) ou .xlsx, {data.maxMo} Mo au plus</span>
          </label>
          <input className="fr-upload" type="file" id="fichier" name="fichier" accept=".csv,.txt,.tsv,.xlsx,text/csv" required {...erreurFichier.attributs} />
          {erreurFichier.message}
        </div>
        <button className="fr-btn" type="submit" disabled={busy}>
          {busy ? "Lecture du fichier…" : "Vérifier le fichier"}
        </button>
        <TravailEnCours texte={busy ? "Envoi et vérification du fichier en cours : gardez cette page ouverte, l'aperçu s'affichera ici." : null} />
      </Form>
    </>
  );
}

/**
 * While a long step runs (a file sent and read, thousands of lines imported): what is happening and how long it may
 * take, with an indeterminate progress bar. The status region is on the page before it is filled, so that screen
 * readers say its message.
 */
function TravailEnCours({ texte }: { texte: string | null }) {
  return (
    <div role="status" className="fr-mt-2w" data-testid="travail-en-cours">
      {texte ? (
        <>
          <p className="fr-text--sm fr-mb-1w">{texte}</p>
          <progress aria-label="Avancement" style={{ width: "100%", maxWidth: "32rem" }} />
        </>
      ) : null}
    </div>
  );
}

function fieldLabel(fields: { field: string; label: string }[], field: string | null) {
  return field ? (fields.find((f) => f.field === field)?.label ?? field) : null;
}

function EtapeApercu({ data }: { data: Extract<UploadPageData, { step: "apercu" }> }) {
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  // a file of thousands of lines takes seconds to import: the button says so meanwhile
  const importEnCours = navigation.state === "submitting" && navigation.formData?.get("intent") === "importer";
  const { preview } = data;
  const shownColumns = data.headers.map((_, i) => i).filter((i) => data.mapping[i]);
  // The selects show the mapping applied, never a choice left in the page: a select keeps what was picked in it over a
  // new defaultValue (a choice the server set aside, a Back to the automatic mapping); each page's own key remounts them.
  const { key: pageKey } = useLocation();
  // One list of options for every column's select (a file has up to 500 columns): each option's text in one piece, so
  // that the server's HTML does not separate its parts with <!-- --> (a fifth of the page for the template's columns).
  const optionsDesChamps = data.fields.map((f) => (
    <option key={f.field} value={f.field}>
      {`${f.label}${f.required ? " *" : ""} (${f.field})`}
    </option>
  ));
  return (
    <>
      {data.importInterrompu ? (
        <Alert className="fr-mb-3w" severity="warning" title="Import précédent interrompu" description={data.importInterrompu} />
      ) : null}
      <p>
        Fichier <strong>{data.fileName}</strong> pour <strong>{data.organisme}</strong> : {pluriel(preview.nbRows, "ligne")},{" "}
        <strong>{pluriel(preview.nbValid, "ligne valide", "lignes valides")}</strong>,{" "}
        <strong>{pluriel(preview.nbErrors, "ligne en erreur", "lignes en erreur")}</strong>.
      </p>
      {preview.nbAvertissements ? (
        <Alert
          className="fr-mb-3w"
          severity="warning"
          small
          description={`${pluriel(preview.nbAvertissements, "ligne valide ressemble", "lignes valides ressemblent")} à un apprenant déjà transmis (même prénom et même date de naissance, ou date de naissance au jour et au mois inversés) : vérifiez-les dans l'aperçu, sinon un second apprenant sera créé.`}
        />
      ) : null}

      <h2 className="fr-h4 fr-mt-4w">1. Correspondance des colonnes</h2>
      {data.correspondance.reconnues === 0 ? (
        <Alert className="fr-mb-2w" severity="warning" small description={data.correspondance.texte} />
      ) : (
        <p>{data.correspondance.texte}</p>
      )}
      {data.missingRequired.length ? (
        <Alert
          className="fr-mb-2w"
          severity="warning"
          small
          description={`Champs obligatoires sans colonne : ${data.missingRequired.map((f) => f.label).join(", ")}. Associez-leur une colonne, sinon toutes les lignes seront refusées.`}
        />
      ) : null}
      {data.notes.length ? (
        <div className="fr-callout fr-mb-2w">
          <ul className="fr-callout__text fr-text--sm">
            {data.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {/* the new preview takes the focus once it is shown (an error on the page keeps it: focus-navigation.ts) */}
      <Form method="get" id="correspondance" state={{ focus: "apercu" } satisfies EtatFocus}>
        <input type="hidden" name="id" value={data.id} />
        <div className="fr-table fr-table--no-caption fr-table--bordered">
          <table tabIndex={0}>
            <caption>Correspondance des colonnes du fichier</caption>
            <thead>
              <tr>
                <th scope="col">Colonne du fichier</th>
                <th scope="col">Exemple (1re ligne)</th>
                <th scope="col">Champ</th>
                <th scope="col">Lignes en erreur</th>
              </tr>
            </thead>
            <tbody>
              {data.headers.map((h, i) => (
                <tr key={i}>
                  <td>
                    <label htmlFor={`col_${i}`}>{h ? apercuValeur(h) : <em>(sans nom)</em>}</label>
                  </td>
                  <td className="fr-text--sm">{data.firstRow[i]}</td>
                  <td>
                    <select className="fr-select" key={pageKey} id={`col_${i}`} name={`col_${i}`} defaultValue={data.mapping[i] ?? ""}>
                      <option value="">— ignorer cette colonne —</option>
                      {optionsDesChamps}
                    </select>
                  </td>
                  <td>{preview.errorsByColumn[i] ? formatNombre(preview.errorsByColumn[i]) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {data.anneeScolaireNeeded ? (
          <div className="fr-select-group">
            <label className="fr-label" htmlFor="annee_scolaire">
              Année scolaire des effectifs du fichier
              <span className="fr-hint-text">Le fichier n'a pas de colonne d'année scolaire.</span>
            </label>
            <select className="fr-select" key={pageKey} id="annee_scolaire" name="annee_scolaire" defaultValue={data.anneeScolaire}>
              {data.annees.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <button className="fr-btn fr-btn--secondary" type="submit" disabled={busy}>
          Mettre à jour l'aperçu
        </button>
      </Form>

      <h2 className="fr-h4 fr-mt-5w" id="apercu">
        2. Aperçu des erreurs
      </h2>
      {preview.nbErrors === 0 ? (
        <Alert severity="success" small className="fr-mb-2w" description="Aucune erreur : toutes les lignes peuvent être importées." />
      ) : (
        <p>
          Les lignes en erreur ne seront pas importées ; les autres le seront. Corrigez le fichier et téléversez-le à nouveau
          pour importer les lignes refusées.{" "}
          {preview.rows.length < preview.nbRows ? `Aperçu limité à ${pluriel(preview.rows.length, "ligne")}, les lignes en erreur d'abord.` : ""}
        </p>
      )}
      <p className="fr-text--sm">Les dates sont affichées comme elles seront enregistrées (JJ/MM/AAAA).</p>
      <div className="fr-table fr-table--bordered fr-table--no-caption televersement-apercu" style={{ overflowX: "auto" }}>
        <table tabIndex={0}>
          <caption>Aperçu des lignes du fichier</caption>
          <thead>
            <tr>
              <th scope="col">Ligne</th>
              <th scope="col">État</th>
              {shownColumns.map((i) => (
                <th scope="col" key={i}>
                  {apercuValeur(data.headers[i])}
                  <br />
                  <span className="fr-text--xs">{fieldLabel(data.fields, data.mapping[i])}</span>
                </th>
              ))}
              <th scope="col">Autres erreurs</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => (
              <tr key={row.ligne} data-ligne={row.ligne} data-etat={row.ok ? "ok" : "erreur"}>
                <td>{row.ligne}</td>
                <td>
                  {row.ok ? (
                    <p className="fr-badge fr-badge--success fr-badge--sm">valide</p>
                  ) : (
                    <p className="fr-badge fr-badge--error fr-badge--sm">erreur</p>
                  )}
                </td>
                {shownColumns.map((i) => {
                  const cell = row.cells[i];
                  return (
                    <td
                      key={i}
                      data-colonne={i}
                      className={cell.errors.length ? "cellule-erreur" : undefined}
                      style={cell.errors.length ? { background: "var(--background-contrast-error)" } : undefined}
                    >
                      {cell.value}
                      {cell.asTyped ? (
                        // a date read from a number (or AAAAMMJJ, a two-digit year): the cell as typed, beside the day stored
                        <span className="fr-text--xs" style={{ display: "block" }} data-role="saisie">
                          « {cell.asTyped} » dans le fichier
                        </span>
                      ) : null}
                      {cell.errors.map((e) => (
                        <p key={e} className="fr-error-text fr-text--xs fr-mt-1v fr-mb-0">
                          {e}
                        </p>
                      ))}
                    </td>
                  );
                })}
                <td>
                  {row.otherErrors.map((e) => (
                    <p key={e} className="fr-error-text fr-text--xs fr-mt-0 fr-mb-1v">
                      {e}
                    </p>
                  ))}
                  {row.avertissements.map((e) => (
                    <p key={e} className="fr-text--xs fr-mt-0 fr-mb-1v" data-role="avertissement" style={{ color: "var(--text-default-warning)" }}>
                      {e}
                    </p>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 className="fr-h4 fr-mt-5w">3. Import</h2>
      <Form method="post">
        <input type="hidden" name="csrf" value={data.csrf} />
        <input type="hidden" name="intent" value="importer" />
        <input type="hidden" name="id" value={data.id} />
        <input type="hidden" name="annee_scolaire" value={data.anneeScolaire} />
        {data.mapping.map((f, i) => (
          <input key={i} type="hidden" name={`col_${i}`} value={f ?? ""} />
        ))}
        <p className="fr-text--sm">L'import utilise la correspondance de l'aperçu ci-dessus.</p>
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <button className="fr-btn" type="submit" disabled={busy || preview.nbValid === 0}>
              {importEnCours ? "Import en cours…" : `Importer ${pluriel(preview.nbValid, "ligne valide", "lignes valides")}`}
            </button>
          </li>
          <li>
            <Link className="fr-btn fr-btn--tertiary" to="/televersement">
              Choisir un autre fichier
            </Link>
          </li>
        </ul>
        <TravailEnCours
          texte={
            importEnCours
              ? `Import de ${pluriel(preview.nbValid, "ligne", "lignes")} en cours : un fichier de plusieurs milliers de lignes peut demander jusqu'à une minute. Gardez cette page ouverte, le résultat s'affichera ici.`
              : null
          }
        />
      </Form>
    </>
  );
}

function EtapeResultat({ data }: { data: Extract<UploadPageData, { step: "resultat" }> }) {
  const s = data.summary;
  return (
    <>
      {s ? (
        <Alert
          className="fr-mb-3w"
          severity={s.nbRejected ? "warning" : "success"}
          title="Import terminé"
          description={`${data.fileName} (${data.organisme}) : ${data.resultat}`}
        />
      ) : data.enCours ? (
        <Alert
          className="fr-mb-3w"
          severity="info"
          title="Import en cours"
          description={`${data.fileName} (${data.organisme}) est en cours d'import : rechargez la page dans quelques instants pour voir le résultat.`}
        />
      ) : (
        <Alert className="fr-mb-3w" severity="success" title="Import terminé" description={data.fileName} />
      )}
      {s && s.errors.length ? (
        <div className="fr-table fr-table--bordered">
          <table tabIndex={0}>
            <caption>Lignes refusées</caption>
            <thead>
              <tr>
                <th scope="col">Ligne</th>
                <th scope="col">Apprenant</th>
                <th scope="col">Erreurs</th>
              </tr>
            </thead>
            <tbody>
              {s.errors.map((e, i) => (
                <tr key={i}>
                  <td>{e.ligne ?? ""}</td>
                  <td>{[e.nom, e.prenom].filter(Boolean).join(" ") || e.id_erp_apprenant || ""}</td>
                  <td>
                    {e.messages.map((m) => (
                      <p key={m} className="fr-text--sm fr-mb-1v">
                        {m}
                      </p>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Link className="fr-btn fr-mt-3w" to="/televersement">
        Téléverser un autre fichier
      </Link>
    </>
  );
}
