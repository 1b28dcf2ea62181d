/** Small UI pieces shared by the account pages (browser-safe). */
import { Link, useRouteError } from "@remix-run/react";
import { describeRouteError } from "../ui/erreur";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { PasswordInput } from "@codegouvfr/react-dsfr/blocks/PasswordInput";

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

/** A DSFR password input with its error message. */
export function PasswordField(props: {
  label: string;
  name: string;
  autoComplete: "current-password" | "new-password";
  hint?: string;
  result?: FormFeedback | null;
}) {
  const error = fieldState(props.result, props.name).stateRelatedMessage;
  // the message is the field's description: read with it, as DSFR inputs do
  const errorId = `${props.name}-erreur`;
  return (
    <div className={error ? "fr-input-group fr-input-group--error" : undefined}>
      <PasswordInput
        label={props.label}
        hintText={props.hint}
        messagesHint=""
        nativeInputProps={{
          name: props.name,
          autoComplete: props.autoComplete,
          required: true,
          "aria-invalid": error ? true : undefined,
          "aria-describedby": error ? errorId : undefined,
        }}
      />
      {error ? (
        <p id={errorId} className="fr-error-text fr-mt-n2w fr-mb-3w">
          {error}
        </p>
      ) : null}
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
      <PasswordField label="Confirmation du mot de passe" name="confirmation" autoComplete="new-password" result={result} />
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
