import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Input } from "~/ui/champs-dsfr";
import { Button } from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { csrfToken, requireValidForm } from "~/auth/csrf.server";
import { acceptInvitation, invitationState } from "~/auth/invitations.server";
import { ROLE_LABELS } from "~/auth/labels";
import { PASSWORD_MIN_LENGTH } from "~/auth/password.server";
import { NO_STORE, withHeaders } from "~/auth/responses.server";
import { AuthErrorBoundary, CsrfInput, FormAlert, MentionObligatoire, fieldState, formatDateTime, AccountPage, NewPasswordFields } from "~/auth/ui";
import { titrePage } from "~/ui/erreur";
import { useTitreEnErreur } from "~/ui/titre";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Invitation", error) }, { name: "referrer", content: "no-referrer" }];
export const headers = () => ({ ...NO_STORE, "Referrer-Policy": "no-referrer" });

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const state = await invitationState(context.database, params.token ?? "");
  const { token, headers } = await csrfToken(request, context.database);
  return withHeaders({ csrf: token, state, minLength: PASSWORD_MIN_LENGTH }, headers);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const formData = await requireValidForm(request, context.database);
  const result = await acceptInvitation(context.database, request, params.token ?? "", formData);
  if (!result.ok) return result;
  throw redirect("/compte?bienvenue", { headers: { "Set-Cookie": result.setCookie } });
}

export default function Invitation() {
  const { csrf, state, minLength } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useTitreEnErreur(result?.ok === false);
  const busy = useNavigation().state === "submitting";
  return (
    <AccountPage title="Créer votre compte">
      {!state.valid ? (
        <>
          <Alert
            as="h2"
            severity="error"
            title="Invitation inutilisable"
            description={state.compteExistant ? state.message : `${state.message} Demandez une nouvelle invitation à l'administrateur de votre organisation.`}
            className="fr-mb-3w"
          />
          <Link className="fr-link" to="/connexion">
            Aller à la connexion
          </Link>
        </>
      ) : (
        <>
          <p>
            Vous êtes invité·e à rejoindre <strong>{state.invitation.organisationNom}</strong> ({state.invitation.organisationType}) en tant que{" "}
            {ROLE_LABELS[state.invitation.role].toLowerCase()}. Invitation valable jusqu'au {formatDateTime(state.invitation.expiresAt)}.
          </p>
          <FormAlert result={result} />
          <Form method="post" noValidate>
            <MentionObligatoire />
            <CsrfInput token={csrf} />
            <Input label="Adresse e-mail" disabled nativeInputProps={{ value: state.invitation.email, readOnly: true, autoComplete: "username" }} />
            <Input
              label="Prénom"
              nativeInputProps={{ name: "prenom", defaultValue: state.invitation.prenom, autoComplete: "given-name", required: true }}
              {...fieldState(result, "prenom")}
            />
            <Input
              label="Nom"
              nativeInputProps={{ name: "nom", defaultValue: state.invitation.nom, autoComplete: "family-name", required: true }}
              {...fieldState(result, "nom")}
            />
            <NewPasswordFields label="Mot de passe" minLength={minLength} result={result} />
            <Button type="submit" className="fr-mt-2w" disabled={busy}>
              Créer mon compte
            </Button>
          </Form>
        </>
      )}
    </AccountPage>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
