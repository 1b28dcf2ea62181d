import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Input } from "~/ui/champs-dsfr";
import { Button } from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { login, safeRedirect } from "~/auth/accounts.server";
import { csrfToken, requireValidForm } from "~/auth/csrf.server";
import { getViewer } from "~/auth/policy.server";
import { withHeaders } from "~/auth/responses.server";
import { clientIp } from "~/auth/throttle.server";
import { AuthErrorBoundary, CsrfInput, FormAlert, MentionObligatoire, PasswordField, fieldState, AccountPage } from "~/auth/ui";
import { titrePage } from "~/ui/erreur";
import { useTitreEnErreur } from "~/ui/titre";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Connexion", error) }];

const NOTICES: Record<string, string> = {
  reinitialise: "Votre mot de passe a été modifié : connectez-vous avec le nouveau.",
  deconnecte: "Vous êtes déconnecté·e.",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirect(url.searchParams.get("redirectTo"), "/");
  const viewer = await getViewer(request, context.database);
  if (viewer.user) throw redirect(redirectTo);
  const { token, headers } = await csrfToken(request, context.database);
  const notice = [...url.searchParams.keys()].map((k) => NOTICES[k]).find(Boolean) ?? null;
  return withHeaders({ csrf: token, redirectTo, notice }, headers);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await requireValidForm(request, context.database);
  const result = await login(context.database, request, formData, clientIp(request, context));
  if (!result.ok) return result;
  throw redirect(safeRedirect(formData.get("redirectTo"), "/"), { headers: { "Set-Cookie": result.setCookie } });
}

export default function Connexion() {
  const { csrf, redirectTo, notice } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useTitreEnErreur(result?.ok === false);
  const busy = useNavigation().state === "submitting";
  return (
    <AccountPage title="Connexion">
      <p>Accès réservé aux CFA et aux services publics de l'apprentissage. Les chiffres agrégés nationaux et régionaux restent publics.</p>
      {notice ? <Alert className="fr-mb-3w" severity="success" small description={notice} /> : null}
      <FormAlert result={result} />
      <Form method="post" noValidate>
        <MentionObligatoire />
        <CsrfInput token={csrf} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Input
          label="Adresse e-mail"
          hintText="Format attendu : nom@domaine.fr"
          nativeInputProps={{ name: "email", type: "email", autoComplete: "username", required: true }}
          {...fieldState(result, "email")}
        />
        <PasswordField label="Mot de passe" name="password" autoComplete="current-password" result={result} />
        <p className="fr-mt-1w">
          <Link to="/mot-de-passe-oublie" className="fr-link">
            Mot de passe oublié ?
          </Link>
        </p>
        <Button type="submit" disabled={busy}>
          Se connecter
        </Button>
      </Form>
      <hr className="fr-mt-5w" />
      <h2 className="fr-h5">Vous n'avez pas de compte ?</h2>
      <p>
        Votre CFA ou votre service n'a pas encore d'accès : <Link to="/inscription">demandez un compte</Link>. Si un collègue administre déjà le
        compte de votre organisation, demandez-lui une invitation.
      </p>
    </AccountPage>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
