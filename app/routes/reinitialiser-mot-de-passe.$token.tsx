import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Button } from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { resetPassword, resetTokenState } from "~/auth/accounts.server";
import { csrfToken, requireValidForm } from "~/auth/csrf.server";
import { PASSWORD_MIN_LENGTH } from "~/auth/password.server";
import { NO_STORE, withHeaders } from "~/auth/responses.server";
import { AuthErrorBoundary, CsrfInput, FormAlert, AccountPage, MentionObligatoire, NewPasswordFields } from "~/auth/ui";
import { titrePage } from "~/ui/erreur";
import { useTitreEnErreur } from "~/ui/titre";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Nouveau mot de passe", error) }, { name: "referrer", content: "no-referrer" }];
export const headers = () => ({ ...NO_STORE, "Referrer-Policy": "no-referrer" });

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const state = await resetTokenState(context.database, params.token ?? "");
  const { token, headers } = await csrfToken(request, context.database);
  return withHeaders({ csrf: token, state, minLength: PASSWORD_MIN_LENGTH }, headers);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const formData = await requireValidForm(request, context.database);
  const result = await resetPassword(context.database, params.token ?? "", formData);
  if (!result.ok) return result;
  throw redirect("/connexion?reinitialise");
}

export default function ReinitialiserMotDePasse() {
  const { csrf, state, minLength } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useTitreEnErreur(result?.ok === false);
  const busy = useNavigation().state === "submitting";
  return (
    <AccountPage title="Choisir un nouveau mot de passe">
      {!state.valid ? (
        <>
          <Alert as="h2" severity="error" title="Lien inutilisable" description={`${state.message} Demandez un nouveau lien.`} className="fr-mb-3w" />
          <Link className="fr-btn" to="/mot-de-passe-oublie">
            Demander un nouveau lien
          </Link>
        </>
      ) : (
        <>
          <p>Compte : {state.email}</p>
          <FormAlert result={result} />
          <Form method="post" noValidate>
            <MentionObligatoire />
            <CsrfInput token={csrf} />
            <NewPasswordFields label="Nouveau mot de passe" minLength={minLength} result={result} />
            <Button type="submit" className="fr-mt-2w" disabled={busy}>
              Enregistrer le mot de passe
            </Button>
          </Form>
        </>
      )}
    </AccountPage>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
