import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Input } from "~/ui/champs-dsfr";
import { Button } from "@codegouvfr/react-dsfr/Button";
import { requestPasswordReset } from "~/auth/accounts.server";
import { csrfToken, requireValidForm } from "~/auth/csrf.server";
import { withHeaders } from "~/auth/responses.server";
import { clientIp } from "~/auth/throttle.server";
import { AuthErrorBoundary, CsrfInput, FormAlert, fieldState, AccountPage } from "~/auth/ui";
import { titrePage } from "~/ui/erreur";
import { useTitreEnErreur } from "~/ui/titre";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Mot de passe oublié", error) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token, headers } = await csrfToken(request, context.database);
  return withHeaders({ csrf: token }, headers);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await requireValidForm(request, context.database);
  return requestPasswordReset(context.database, request, formData, clientIp(request, context));
}

export default function MotDePasseOublie() {
  const { csrf } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useTitreEnErreur(result?.ok === false);
  const busy = useNavigation().state === "submitting";
  return (
    <AccountPage title="Mot de passe oublié">
      <p>Indiquez l'adresse e-mail de votre compte : vous recevrez un lien, valable 1 heure, pour choisir un nouveau mot de passe.</p>
      <FormAlert result={result} />
      {result?.ok ? (
        <Link className="fr-link" to="/connexion">
          Retour à la connexion
        </Link>
      ) : (
        <Form method="post" noValidate>
          <CsrfInput token={csrf} />
          <Input
            label="Adresse e-mail"
            hintText="Format attendu : nom@domaine.fr"
            nativeInputProps={{ name: "email", type: "email", autoComplete: "email", required: true }}
            {...fieldState(result, "email")}
          />
          <Button type="submit" disabled={busy}>
            Recevoir le lien
          </Button>
        </Form>
      )}
    </AccountPage>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
