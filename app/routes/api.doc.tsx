/** GET /api/doc: the OpenAPI document as a readable DSFR page (endpoints, then the fields of a dossier). */
import type { MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { openApiForDisplay } from "~/ingestion/openapi.server";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = () => [{ title: "Documentation de l'API - Tableau de bord de l'apprentissage" }];

export async function loader() {
  return openApiForDisplay();
}

const METHOD_BADGE: Record<string, string> = { GET: "fr-badge--info", POST: "fr-badge--success" };

export default function ApiDoc() {
  const doc = useLoaderData<typeof loader>();
  return (
    <div className="fr-container fr-my-5w">
      <h1>Documentation de l'API</h1>
      <p className="fr-text--lead">{doc.title}</p>
      <p>{doc.description}</p>
      <p>
        Version {doc.version}. Description OpenAPI 3.1 téléchargeable : <a href="/api/openapi.json">/api/openapi.json</a>.
      </p>

      <h2 className="fr-mt-5w">Points d'accès</h2>
      {doc.operations.map((op) => (
        <section key={`${op.method} ${op.path}`} className="fr-mb-5w" id={`${op.method}-${op.path}`.replace(/[^a-zA-Z0-9-]/g, "-")}>
          <h3 className="fr-h5">
            <span className={`fr-badge ${METHOD_BADGE[op.method] ?? ""} fr-mr-1w`}>{op.method}</span>
            <code>{op.path}</code> — {op.summary}
          </h3>
          <p>{op.description}</p>
          {op.parameters.length > 0 && (
            <div className="fr-table fr-table--no-caption">
              <table tabIndex={0}>
                <caption>Paramètres de {op.method} {op.path}</caption>
                <thead>
                  <tr>
                    <th scope="col">Paramètre</th>
                    <th scope="col">Où</th>
                    <th scope="col">Description</th>
                  </tr>
                </thead>
                <tbody>
                  {op.parameters.map((p) => (
                    <tr key={p.name}>
                      <td>
                        <code>{p.name}</code>
                      </td>
                      <td>{p.in === "header" ? "en-tête" : p.in === "query" ? "paramètre d'URL" : p.in}</td>
                      <td>{p.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="fr-table fr-table--no-caption">
            <table tabIndex={0}>
              <caption>Réponses de {op.method} {op.path}</caption>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Signification</th>
                </tr>
              </thead>
              <tbody>
                {op.responses.map((r) => (
                  <tr key={r.status}>
                    <td>
                      <code>{r.status}</code>
                    </td>
                    <td>{r.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {op.requestExample && (
            <details className="fr-mb-2w">
              <summary>Exemple de requête</summary>
              <pre className="fr-p-2w" style={{ background: "var(--background-alt-grey)", overflowX: "auto" }} tabIndex={0} aria-label={`Exemple de requête ${op.method} ${op.path}`}>
                {op.requestExample}
              </pre>
            </details>
          )}
          {op.responseExample && (
            <details>
              <summary>Exemple de réponse</summary>
              <pre className="fr-p-2w" style={{ background: "var(--background-alt-grey)", overflowX: "auto" }} tabIndex={0} aria-label={`Exemple de réponse ${op.method} ${op.path}`}>
                {op.responseExample}
              </pre>
            </details>
          )}
        </section>
      ))}

      <h2 className="fr-mt-5w" id="champs">
        {doc.itemTitle} : les champs
      </h2>
      <p>{doc.itemDescription}</p>
      <div className="fr-table fr-table--bordered">
        <table tabIndex={0}>
          <caption>Champs d'un dossier apprenant ({doc.fields.length})</caption>
          <thead>
            <tr>
              <th scope="col">Champ</th>
              <th scope="col">Libellé</th>
              <th scope="col">Type</th>
              <th scope="col">Obligatoire</th>
              <th scope="col">Format et description</th>
              <th scope="col">Exemples</th>
            </tr>
          </thead>
          <tbody>
            {doc.fields.map((f) => (
              <tr key={f.name} id={`champ-${f.name}`}>
                <td>
                  <code>{f.name}</code>
                </td>
                <td>{f.label}</td>
                <td>{f.type}</td>
                <td>{f.required ? <strong>oui</strong> : "non"}</td>
                <td>{f.description}</td>
                <td>
                  {f.examples.map((e) => (
                    <code key={e} className="fr-mr-1w">
                      {e}
                    </code>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
