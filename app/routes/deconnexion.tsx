import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Button } from "@codegouvfr/react-dsfr/Button";
import { logout } from "~/auth/accounts.server";
import { csrfToken, requireValidForm } from "~/auth/csrf.server";
import { getViewer } from "~/auth/policy.server";
import { AuthErrorBoundary, CsrfInput } from "~/auth/ui";
import { titrePage } from "~/ui/erreur";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Déconnexion", error) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await getViewer(request, context.database);
  if (!viewer.user) throw redirect("/connexion");
  const { token } = await csrfToken(request, context.database);
  return { csrf: token, email: viewer.user.email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireValidForm(request, context.database);
  const setCookie = await logout(context.database, request);
  throw redirect("/connexion?deconnecte", { headers: { "Set-Cookie": setCookie } });
}

export default function Deconnexion() {
  const { csrf, email } = useLoaderData<typeof loader>();
  return (
    <div className="fr-container fr-my-7w">
      <h1>Se déconnecter</h1>
      <p>Vous êtes connecté·e en tant que {email}.</p>
      <Form method="post">
        <CsrfInput token={csrf} />
        <Button type="submit" iconId="fr-icon-logout-box-r-line">
          Se déconnecter
        </Button>
      </Form>
    </div>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
