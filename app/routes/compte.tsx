import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Input } from "~/ui/champs-dsfr";
import { Button } from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { accountOverview, changePassword, endOtherSessions, updateProfile } from "~/auth/accounts.server";
import { csrfToken, requireValidForm } from "~/auth/csrf.server";
import { intentInconnue } from "~/auth/forms.server";
import { NAMED_LIST_LABELS, ORGANISATION_TYPE_LABELS, ROLE_LABELS } from "~/auth/labels";
import { PASSWORD_MIN_LENGTH } from "~/auth/password.server";
import { canSeeContacts, gereDesComptes, lisLeJournalDesAcces, lisLesListesDuTerritoire, namedListsOf, requireUser } from "~/auth/policy.server";
import { NO_STORE } from "~/auth/responses.server";
import { AuthErrorBoundary, CsrfInput, FormAlert, MentionObligatoire, PasswordField, fieldState, formatDateTime } from "~/auth/ui";
import { titrePage } from "~/ui/erreur";
import { useTitreEnErreur } from "~/ui/titre";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Mon compte", error) }];
export const headers = () => NO_STORE;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request, context.database);
  const [account, { token }] = await Promise.all([accountOverview(context.database, viewer), csrfToken(request, context.database)]);
  return {
    csrf: token,
    account,
    droits: {
      listes: namedListsOf(viewer).map((l) => NAMED_LIST_LABELS[l]),
      contacts: canSeeContacts(viewer, { kind: "scope" }),
      gereUtilisateurs: gereDesComptes(viewer),
      journal: lisLeJournalDesAcces(viewer),
      listesDuTerritoire: lisLesListesDuTerritoire(viewer),
    },
    bienvenue: new URL(request.url).searchParams.has("bienvenue"),
    minLength: PASSWORD_MIN_LENGTH,
  };
}

/** The forms of the page. */
const INTENTS = ["mot-de-passe", "profil", "sessions"];

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireUser(request, context.database);
  const formData = await requireValidForm(request, context.database);
  const intent = String(formData.get("intent") ?? "");
  // A form the page never sends (an unknown intent): a 400, nothing done.
  const malforme = intentInconnue(intent, INTENTS);
  const result = malforme
    ? malforme
    : intent === "mot-de-passe"
      ? await changePassword(context.database, viewer, formData)
      : intent === "profil"
        ? await updateProfile(context.database, viewer, formData)
        : await endOtherSessions(context.database, viewer);
  const body = { intent, ...result };
  // Typed as the plain value (like withHeaders): Remix's single fetch unwraps it.
  return (malforme ? data(body, { status: 400 }) : body) as typeof body;
}

export default function Compte() {
  const { csrf, account, droits, bienvenue, minLength } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useTitreEnErreur(result?.ok === false);
  const busy = useNavigation().state === "submitting";
  const resultFor = (intent: string) => (result?.intent === intent ? result : undefined);
  // the answer to a form the page does not have (a tampered one): shown at the top
  const autre = result && !INTENTS.includes(result.intent) ? result : undefined;
  return (
    <div className="fr-container fr-my-7w">
      <h1>Mon compte</h1>
      <FormAlert result={autre} />
      {bienvenue ? <Alert className="fr-mb-3w" severity="success" small description="Votre compte est créé : bienvenue !" /> : null}
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <h2 className="fr-h4">Votre accès</h2>
          <dl className="compte-fiche">
            <dt className="fr-text--bold">Adresse e-mail</dt>
            <dd>{account.email}</dd>
            <dt className="fr-text--bold">Organisation</dt>
            <dd>
              {account.organisation.nom} ({ORGANISATION_TYPE_LABELS[account.organisation.type as keyof typeof ORGANISATION_TYPE_LABELS]})
            </dd>
            <dt className="fr-text--bold">Périmètre</dt>
            <dd>{account.organisation.perimetre}</dd>
            <dt className="fr-text--bold">Rôle</dt>
            <dd>{ROLE_LABELS[account.role]}</dd>
            <dt className="fr-text--bold">Listes nominatives</dt>
            <dd>
              {droits.listes.length ? droits.listes.join(", ") : "Aucune (chiffres agrégés seulement)"}
              {droits.listes.length ? (droits.contacts ? ", avec les coordonnées des apprenants" : ", sans les coordonnées des apprenants") : ""}
              {droits.listesDuTerritoire ? (
                <>
                  {" — "}
                  <Link to="/listes">voir les jeunes à accompagner</Link>
                </>
              ) : null}
            </dd>
            <dt className="fr-text--bold">Dernière connexion</dt>
            <dd>{formatDateTime(account.lastLoginAt)}</dd>
          </dl>
          {droits.gereUtilisateurs || droits.journal ? (
            <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
              {droits.gereUtilisateurs ? (
                <li>
                  <Link className="fr-btn fr-btn--secondary" to="/admin/utilisateurs">
                    Gérer les utilisateurs
                  </Link>
                </li>
              ) : null}
              {droits.journal ? (
                <li>
                  <Link className="fr-btn fr-btn--secondary" to="/admin/journal">
                    Journal des accès aux listes nominatives
                  </Link>
                </li>
              ) : null}
            </ul>
          ) : null}
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <h2 className="fr-h4">Vos nom et prénom</h2>
          <FormAlert result={resultFor("profil")} />
          <Form method="post" noValidate>
            <MentionObligatoire />
            <CsrfInput token={csrf} />
            <input type="hidden" name="intent" value="profil" />
            <Input
              label="Prénom"
              nativeInputProps={{ name: "prenom", defaultValue: account.prenom, autoComplete: "given-name", required: true }}
              {...fieldState(resultFor("profil"), "prenom")}
            />
            <Input label="Nom" nativeInputProps={{ name: "nom", defaultValue: account.nom, autoComplete: "family-name", required: true }} {...fieldState(resultFor("profil"), "nom")} />
            <Button type="submit" priority="secondary" disabled={busy}>
              Enregistrer
            </Button>
          </Form>
        </div>
      </div>

      <div className="fr-grid-row fr-grid-row--gutters fr-mt-5w">
        <div className="fr-col-12 fr-col-md-6">
          <h2 className="fr-h4">Changer de mot de passe</h2>
          <FormAlert result={resultFor("mot-de-passe")} />
          <Form method="post" noValidate>
            <MentionObligatoire />
            <CsrfInput token={csrf} />
            <input type="hidden" name="intent" value="mot-de-passe" />
            <input type="text" name="username" autoComplete="username" value={account.email} readOnly hidden />
            <PasswordField label="Mot de passe actuel" name="current" autoComplete="current-password" result={resultFor("mot-de-passe")} />
            <PasswordField label="Nouveau mot de passe" name="password" autoComplete="new-password" hint={`Au moins ${minLength} caractères.`} result={resultFor("mot-de-passe")} />
            <PasswordField
              label="Confirmation du nouveau mot de passe"
              name="confirmation"
              autoComplete="new-password"
              result={resultFor("mot-de-passe")}
              afficher="Afficher la confirmation du nouveau mot de passe"
            />
            <Button type="submit" className="fr-mt-2w" disabled={busy}>
              Changer le mot de passe
            </Button>
          </Form>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <h2 className="fr-h4">Sessions</h2>
          <p>
            {account.activeSessions} session{account.activeSessions > 1 ? "s" : ""} ouverte{account.activeSessions > 1 ? "s" : ""} (celle-ci comprise). Une
            session se ferme après 2 heures d'inactivité et au plus tard 12 heures après la connexion.
          </p>
          <FormAlert result={resultFor("sessions")} />
          <Form method="post">
            <CsrfInput token={csrf} />
            <input type="hidden" name="intent" value="sessions" />
            <Button type="submit" priority="secondary" disabled={busy}>
              Fermer mes autres sessions
            </Button>
          </Form>
          <p className="fr-mt-3w">
            <Link className="fr-btn fr-btn--tertiary fr-icon-logout-box-r-line fr-btn--icon-left" to="/deconnexion">
              Se déconnecter
            </Link>
          </p>
        </div>
      </div>
    </div>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
