/** Small UI pieces shared by the account pages (browser-safe). */
import { Link, useRouteError } from "@remix-run/react";
import { describeRouteError } from "../ui/erreur";
import { Alert } from "@codegouvfr/react-dsfr/Alert";

/** The CSRF token every form carries. */
export function CsrfInput({ token }: { token: string }) {
  return <input type="hidden" name="csrf" value={token} />;
}

export interface FormFeedback {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string>;
}

/** The summary alert of a form answer. */
export function FormAlert({ result }: { result: FormFeedback | undefined | null }) {
  if (!result?.message) return null;
  return (
    <Alert
      className="fr-mb-3w"
      severity={result.ok ? "success" : "error"}
      small
      description={result.message}
      role={result.ok ? "status" : "alert"}
    />
  );
}

/** The state props of a DSFR input for a field. */
export function fieldState(result: FormFeedback | undefined | null, name: string): { state?: "error"; stateRelatedMessage?: string } {
  const message = result && !result.ok ? result.fieldErrors?.[name] : undefined;
  return message ? { state: "error", stateRelatedMessage: message } : {};
}

/** Said at the top of a form whose fields are all required but those marked « (facultatif) » (DSFR). */
export function MentionObligatoire() {
  return <p className="fr-hint-text fr-mb-2w">Sauf mention contraire, tous les champs sont obligatoires.</p>;
}

/**
 * A DSFR password input (the component's markup, DSFR's script shows and hides the password) with its error message.
 * Its "Afficher" box is named after the field it shows (`afficher`, by default "Afficher le " and the label): a page
 * with three password fields has three boxes a screen reader tells apart (react-dsfr's PasswordInput names all of
 * them "Afficher le mot de passe", without a way to change it).
 */
export function PasswordField(props: {
  label: string;
  name: string;
  autoComplete: "current-password" | "new-password";
  hint?: string;
  result?: FormFeedback | null;
  /** The accessible name of the "Afficher" box ("Afficher la confirmation du mot de passe"). */
  afficher?: string;
}) {
  const error = fieldState(props.result, props.name).stateRelatedMessage;
  const id = `mot-de-passe-${props.name}`;
  // the message is the field's description: read with it, as DSFR inputs do
  const errorId = `${props.name}-erreur`;
  return (
    <div className={`fr-password${error ? " fr-input-group--error" : ""}`} id={`${id}-groupe`}>
      <label className="fr-label" htmlFor={id}>
        {props.label}
        {props.hint ? <span className="fr-hint-text">{props.hint}</span> : null}
      </label>
      <div className="fr-input-wrap">
        <input
          className={`fr-password__input fr-input${error ? " fr-input--error" : ""}`}
          id={id}
          type="password"
          name={props.name}
          autoComplete={props.autoComplete}
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
        />
      </div>
      {error ? (
        <p id={errorId} className="fr-error-text">
          {error}
        </p>
      ) : null}
      <div className="fr-password__checkbox fr-checkbox-group fr-checkbox-group--sm">
        <input aria-label={props.afficher ?? `Afficher le ${props.label.charAt(0).toLowerCase()}${props.label.slice(1)}`} id={`${id}-afficher`} type="checkbox" />
        <label className="fr-password__checkbox fr-label" htmlFor={`${id}-afficher`}>
          Afficher
        </label>
      </div>
    </div>
  );
}

/** The narrow centred column of the account pages (sign-in, invitation, password), under its title. */
export function AccountPage({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="fr-container fr-my-7w">
      <div className="fr-grid-row fr-grid-row--center">
        <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
          <h1>{title}</h1>
          {children}
        </div>
      </div>
    </div>
  );
}

/** A new password and its confirmation (invitation, password reset). */
export function NewPasswordFields({ label, minLength, result }: { label: string; minLength: number; result?: FormFeedback | null }) {
  return (
    <>
      <PasswordField label={label} name="password" autoComplete="new-password" hint={`Au moins ${minLength} caractères.`} result={result} />
      <PasswordField label="Confirmation du mot de passe" name="confirmation" autoComplete="new-password" result={result} afficher="Afficher la confirmation du mot de passe" />
    </>
  );
}

/** Error boundary of the account pages: shows the precise French message of a 403/404/400. */
export function AuthErrorBoundary() {
  const { status, title, message } = describeRouteError(useRouteError(), { unexpected: "Une erreur inattendue est survenue." });
  return (
    <div className="fr-container fr-my-7w">
      <h1>{title}</h1>
      <p className="fr-text--lead">{message}</p>
      <p>Erreur {status}</p>
      <Link className="fr-btn" to="/">
        Retour à l'accueil
      </Link>
    </div>
  );
}

export function formatDateTime(iso: string | null): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeStyle: "short", timeZone: "Europe/Paris" }).format(new Date(iso));
}
