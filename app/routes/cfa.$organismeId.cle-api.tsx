/**
 * API key of a CFA: generate (shown once), rotate, revoke; choose the ERP; per-ERP connection instructions. Replacing
 * the active key stops it at once, as revoking does: both ask for a confirmation box, checked by the server too.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState, useRef } from "react";
import { requireValidForm, csrfToken } from "~/auth/csrf.server";
import { NO_STORE, withHeaders } from "~/auth/responses.server";
import { CsrfInput } from "~/auth/ui";
import { requireEspaceCfa, requireEspaceCfaEnEcriture } from "~/cfa/acces.server";
import { AUTRE_ERP, ERPS, SANS_ERP, instructionsErp } from "~/cfa/erp";
import { actionCleApi, pageCleApi, type ActionCleApi } from "~/cfa/espace.server";
import { formatDateHeure, titreEspace } from "~/cfa/ui";
import { ariaErreur, MessageErreur } from "~/ui/champ-en-erreur";
import { useTitreEnErreur } from "~/ui/titre";

export const meta: MetaFunction = ({ matches }) => [{ title: titreEspace("Clé d'API et ERP", matches) }];
export const headers = () => NO_STORE;

const RAISONS: Record<string, string> = {
  remplacee: "remplacée par une nouvelle clé",
  revoquee: "révoquée",
  inutilisee: "inutilisée depuis 12 mois",
};

function adresseApi(request: Request): string {
  return `${new URL(request.url).origin}/api/v3/dossiers-apprenants`;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const [page, { token, headers }] = await Promise.all([pageCleApi(context.database, espace.organismeId), csrfToken(request, context.database)]);
  const url = new URL(request.url);
  const erpAffiche = url.searchParams.get("erp") || page.erp;
  return withHeaders(
    {
      organismeId: espace.organismeId,
      csrf: token,
      ...page,
      adresseApi: adresseApi(request),
      instructions: instructionsErp(erpAffiche, adresseApi(request)),
      erps: [...ERPS, AUTRE_ERP, SANS_ERP] as string[],
    },
    headers,
  );
}

export async function action({ request, params, context }: ActionFunctionArgs): Promise<ActionCleApi> {
  const espace = await requireEspaceCfaEnEcriture(request, context.database, params.organismeId);
  const form = await requireValidForm(request, context.database);
  return actionCleApi(context.database, espace.organismeId, form);
}

/** What the copy's status message says: the key copied, or how to copy it by hand. */
const COPIE = {
  faite: "Clé copiée dans le presse-papiers.",
  impossible:
    "La copie automatique n'est pas possible dans ce navigateur (presse-papiers indisponible, par exemple sur une page sans HTTPS) : la clé est sélectionnée dans le champ ci-dessus, copiez-la avec Ctrl+C (Cmd+C sur Mac).",
} as const;

/**
 * The new key, in a field to select, and "Copier la clé" (JavaScript only). The copy is said by a status message
 * (present, empty, before it is filled: a region added with its message is not read), not by the button's text, which
 * a screen reader does not read again while the button keeps the focus. The clipboard API exists only in a secure
 * context (HTTPS, localhost) and may be refused: then the key is selected in its field, which takes the focus, and
 * the message, which also describes the field, tells to copy it by hand.
 */
function CleGeneree({ cle }: { cle: string }) {
  const [copie, setCopie] = useState<keyof typeof COPIE | null>(null);
  const [js, setJs] = useState(false);
  const champ = useRef<HTMLInputElement>(null);
  useEffect(() => setJs(true), []);
  // a new key: the message was about the previous one
  useEffect(() => setCopie(null), [cle]);
  const copier = async () => {
    try {
      if (!navigator.clipboard) throw new Error("presse-papiers indisponible");
      await navigator.clipboard.writeText(cle);
      setCopie("faite");
    } catch {
      champ.current?.focus();
      champ.current?.select();
      setCopie("impossible");
    }
  };
  return (
    <div className="fr-input-group fr-mt-2w">
      <label className="fr-label" htmlFor="cle-generee">
        Votre nouvelle clé d'API (affichée une seule fois)
      </label>
      <input
        ref={champ}
        className="fr-input"
        id="cle-generee"
        readOnly
        value={cle}
        data-testid="cle-generee"
        onFocus={(e) => e.currentTarget.select()}
        aria-describedby={copie === "impossible" ? "cle-generee-copie" : undefined}
      />
      {js ? (
        <>
          <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w" onClick={copier}>
            Copier la clé
          </button>
          <div className="fr-messages-group" id="cle-generee-copie" role="status" data-testid="copie-cle">
            {copie ? <p className={`fr-message fr-message--${copie === "faite" ? "valid" : "warning"}`}>{COPIE[copie]}</p> : null}
          </div>
        </>
      ) : null}
    </div>
  );
}

/**
 * The confirmation box of a form that stops the active key; `erreur`: its refusal (DSFR error state). The server
 * checks the box (noValidate: no browser bubble, in the browser's language).
 */
function Confirmation({ id, children, erreur }: { id: string; children: string; erreur?: string }) {
  return (
    <div className={`fr-checkbox-group fr-checkbox-group--sm fr-mb-2w${erreur ? " fr-checkbox-group--error" : ""}`}>
      <input type="checkbox" id={id} name="confirmer" value="oui" {...ariaErreur(id, erreur)} />
      <label className="fr-label" htmlFor={id}>
        {children}
      </label>
      <MessageErreur id={id} erreur={erreur} />
    </div>
  );
}

export default function CleApi() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useTitreEnErreur(result?.ok === false);
  const busy = useNavigation().state === "submitting";
  const erpConnu = !data.erp || data.erps.includes(data.erp);
  const erreurConfirmation = (intent: string) => (result && !result.ok && result.champ === "confirmer" && result.intent === intent ? result.message : undefined);
  // each answer unticks the confirmations (they are drawn anew): a box left ticked after a replacement would let the
  // next click kill the key just shown, before it is copied
  const reponses = useRef({ derniere: result, nombre: 0 });
  if (reponses.current.derniere !== result) reponses.current = { derniere: result, nombre: reponses.current.nombre + 1 };
  return (
    <>
      <h1 className="fr-h2">Clé d'API et ERP</h1>
      <p className="fr-text--lead">
        Votre logiciel de gestion (ERP) transmet vos effectifs avec une clé d'API propre à votre organisme. Une seule clé est active à la
        fois.
      </p>
      {result ? (
        <div className={`fr-alert fr-alert--${result.ok ? "success" : "error"} fr-mb-3w`} role={result.ok ? "status" : "alert"}>
          <p>{result.message}</p>
          {result.cle ? <CleGeneree cle={result.cle} /> : null}
        </div>
      ) : null}

      <section aria-labelledby="titre-cle" className="fr-mb-5w">
        <h2 id="titre-cle" className="fr-h4">
          Clé d'API
        </h2>
        {data.active ? (
          <p data-testid="cle-active">
            Clé active <code>{data.active.prefix}…</code> créée le {formatDateHeure(data.active.createdAt)}, dernière utilisation :{" "}
            {data.active.lastUsedAt ? formatDateHeure(data.active.lastUsedAt) : "jamais"}.
          </p>
        ) : (
          <p data-testid="cle-active">Aucune clé active : votre ERP ne peut pas transmettre.</p>
        )}
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <Form method="post" noValidate>
              <CsrfInput token={data.csrf} />
              <input type="hidden" name="intent" value="generer" />
              <p className="fr-text--sm">
                {data.active
                  ? "Remplacer la clé (rotation) : la clé actuelle cesse de fonctionner immédiatement ; installez aussitôt la nouvelle dans votre ERP."
                  : "Générez une clé, puis installez-la dans votre ERP."}
              </p>
              {data.active ? (
                <Confirmation key={`remplacement-${reponses.current.nombre}`} id="confirmer-remplacement" erreur={erreurConfirmation("generer")}>
                  Je confirme : la clé actuelle doit cesser de fonctionner dès maintenant, je vais installer la nouvelle dans notre ERP.
                </Confirmation>
              ) : null}
              <button className="fr-btn fr-icon-lock-line fr-btn--icon-left" type="submit" disabled={busy}>
                {data.active ? "Remplacer la clé" : "Générer une clé"}
              </button>
            </Form>
          </div>
          {data.active ? (
            <div className="fr-col-12 fr-col-md-6">
              <Form method="post" noValidate>
                <CsrfInput token={data.csrf} />
                <input type="hidden" name="intent" value="revoquer" />
                <Confirmation key={`revocation-${reponses.current.nombre}`} id="confirmer" erreur={erreurConfirmation("revoquer")}>
                  Je confirme : la clé ne doit plus permettre de transmettre (clé divulguée, changement d'ERP…).
                </Confirmation>
                <button className="fr-btn fr-btn--secondary" type="submit" disabled={busy}>
                  Révoquer la clé
                </button>
              </Form>
            </div>
          ) : null}
        </div>
        {data.historique.some((k) => k.revokedAt) ? (
          <details className="fr-mt-3w">
            <summary>Clés précédentes</summary>
            <ul>
              {data.historique
                .filter((k) => k.revokedAt)
                .map((k) => (
                  <li key={k.prefix + k.createdAt}>
                    <code>{k.prefix}…</code> créée le {formatDateHeure(k.createdAt)}, {RAISONS[k.revokedReason ?? ""] ?? "révoquée"} le{" "}
                    {formatDateHeure(k.revokedAt)}
                  </li>
                ))}
            </ul>
          </details>
        ) : null}
      </section>

      <section aria-labelledby="titre-erp" className="fr-mb-5w">
        <h2 id="titre-erp" className="fr-h4">
          Votre ERP
        </h2>
        <Form method="post" className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <CsrfInput token={data.csrf} />
          <input type="hidden" name="intent" value="erp" />
          <div className="fr-col-12 fr-col-md-8">
            <div className="fr-select-group">
              <label className="fr-label" htmlFor="erp">
                Logiciel de gestion utilisé par votre CFA
              </label>
              <select className="fr-select" id="erp" name="erp" defaultValue={data.erp ?? ""}>
                <option value="">Non renseigné</option>
                {!erpConnu && data.erp ? <option value={data.erp}>{data.erp}</option> : null}
                {data.erps.map((e) => (
                  <option key={e} value={e}>
                    {e}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="fr-col-12 fr-col-md-4 fr-mb-3w">
            <button className="fr-btn fr-btn--secondary" type="submit" disabled={busy}>
              Enregistrer l'ERP
            </button>
          </div>
        </Form>
      </section>

      <section aria-labelledby="titre-instructions" data-testid="instructions">
        <h2 id="titre-instructions" className="fr-h4">
          {data.instructions.erp ? `Connecter ${data.instructions.erp}` : "Connecter votre ERP"}
        </h2>
        <ol>
          {data.instructions.etapes.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ol>
        {data.instructions.mode === "fichier" ? (
          <p>
            <Link className="fr-btn" to={`/televersement?organisme=${data.organismeId}`}>
              Téléverser un fichier
            </Link>
          </p>
        ) : (
          <>
            <p className="fr-text--sm">
              Adresse d'envoi : <code>{data.adresseApi}</code> — documentation complète : <Link to="/api/doc">documentation de l'API</Link>.
            </p>
            {/* Named by its visible caption (a <pre> is generic: aria-label is not allowed on it). No tab stop: the block
                wraps its lines, it never scrolls, there is nothing to reach with the keyboard. */}
            <figure className="fr-m-0" data-testid="exemple-requete">
              <figcaption className="fr-text--sm fr-mb-1w">Exemple de requête (curl) :</figcaption>
              <pre className="fr-text--xs" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
                {`curl -X POST "${data.adresseApi}" \\\n  -H "Authorization: Bearer <votre clé>" \\\n  -H "Content-Type: application/json" \\\n  -d '[{ "nom_apprenant": "…", "prenom_apprenant": "…", … }]'`}
              </pre>
            </figure>
          </>
        )}
      </section>
    </>
  );
}
