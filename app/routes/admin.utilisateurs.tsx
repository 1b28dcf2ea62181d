import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { Input } from "~/ui/champs-dsfr";
import { Select } from "~/ui/champs-dsfr";
import { Button } from "@codegouvfr/react-dsfr/Button";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { adminFormMalforme, adminUsersPage, parseRechercheComptes, setUserDisabled, setUserRole } from "~/auth/admin.server";
import { csrfToken, requireValidForm } from "~/auth/csrf.server";
import { inviteUser, revokeInvitation } from "~/auth/invitations.server";
import { ORGANISATION_TYPE_LABELS, ROLE_LABELS, SCOPE_FIELD_OF_TYPE } from "~/auth/labels";
import { publicBaseUrl } from "~/auth/mail.server";
import { requireUserAdmin } from "~/auth/policy.server";
import { NO_STORE } from "~/auth/responses.server";
import { refuseSignupRequest, validateSignupRequest } from "~/auth/signup.server";
import { AuthErrorBoundary, CsrfInput, FormAlert, MentionObligatoire, fieldState, formatDateTime } from "~/auth/ui";
import { ErrorsAlert, Pagination } from "~/referentiel/components";
import { titrePage } from "~/ui/erreur";
import { libelleDepartement } from "~/referentiel/labels";
import { formatNombre } from "~/ui/format";
import { titreEnErreur, useTitreEnErreur } from "~/ui/titre";

// « Erreur : » when the search's values are refused (the loader's), or a form (the action's: useTitreEnErreur)
export const meta: MetaFunction<typeof loader> = ({ data, error }) => [{ title: titrePage(titreEnErreur("Utilisateurs", Boolean(data?.errors?.length)), error) }];
export const headers = () => NO_STORE;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireUserAdmin(request, context.database);
  const { recherche, errors } = parseRechercheComptes(new URL(request.url).searchParams);
  const [page, { token }] = await Promise.all([adminUsersPage(context.database, viewer, recherche), csrfToken(request, context.database)]);
  return { csrf: token, page, moi: viewer.userId, errors };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireUserAdmin(request, context.database);
  const formData = await requireValidForm(request, context.database);
  const database = context.database;
  const intent = String(formData.get("intent") ?? "");
  // A form the page never sends (unknown intent, an id that is not one): a 400, nothing done.
  const malforme = adminFormMalforme(intent, formData);
  const result = malforme
    ? malforme
    : intent === "inviter"
      ? await inviteUser(database, viewer, publicBaseUrl(request), formData)
      : intent === "annuler-invitation"
        ? await revokeInvitation(database, viewer, formData)
        : intent === "valider-demande"
          ? await validateSignupRequest(database, viewer, publicBaseUrl(request), formData)
          : intent === "refuser-demande"
            ? await refuseSignupRequest(database, viewer, formData)
            : intent === "changer-role"
              ? await setUserRole(database, viewer, formData)
              : await setUserDisabled(database, viewer, formData, intent === "desactiver");
  // the request a refusal was about: its motif field shows the error (the page has one refusal form per request)
  const body = { intent, demandeId: String(formData.get("demandeId") ?? ""), ...result };
  // Typed as the plain value (like withHeaders): Remix's single fetch unwraps it.
  return (malforme ? data(body, { status: 400 }) : body) as typeof body;
}

type TypeKey = keyof typeof ORGANISATION_TYPE_LABELS;
const typeLabel = (t: string) => ORGANISATION_TYPE_LABELS[t as TypeKey] ?? t;

/** The hint of a scope field of the invitation: the types that need it ("Obligatoire pour le type DREETS, DRAAF…"). */
function obligatoirePour(champ: (typeof SCOPE_FIELD_OF_TYPE)[keyof typeof SCOPE_FIELD_OF_TYPE]): string {
  const types = Object.entries(SCOPE_FIELD_OF_TYPE)
    .filter(([, c]) => c === champ)
    .map(([t]) => typeLabel(t));
  return `Obligatoire pour le type ${types.join(", ")} ; laissez vide pour un autre type.`;
}

/**
 * A DSFR select of [value, label] options, none chosen at first (`empty` is the blank choice's label); `state`: its
 * error, as `fieldState` gives it.
 */
function ChoiceSelect({
  label,
  name,
  options,
  empty = "—",
  hint,
  state = {},
}: {
  label: string;
  name: string;
  options: [string, string][];
  empty?: string;
  hint?: string;
  state?: ReturnType<typeof fieldState>;
}) {
  return (
    <Select label={label} hint={hint} nativeSelectProps={{ name, defaultValue: "" }} {...state}>
      <option value="">{empty}</option>
      {options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </Select>
  );
}

export default function AdminUtilisateurs() {
  const { csrf, page, moi, errors } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const result = useActionData<typeof action>();
  useTitreEnErreur(result?.ok === false);
  const busy = useNavigation().state === "submitting";
  // the invitation's organisation fields: the one a refusal is about is marked in error, with its message
  const invitation = (name: string) => (result?.intent === "inviter" ? fieldState(result, name) : {});
  return (
    <div className="fr-container fr-my-7w">
      <h1>Utilisateurs</h1>
      <p className="fr-text--lead">{page.national ? "Tous les comptes, organisations et demandes de compte." : `Les comptes de l'organisation « ${page.organisationNom} ».`}</p>
      <FormAlert result={result} />
      <ErrorsAlert title="La recherche est invalide" errors={errors} />

      {page.national ? (
        <section className="fr-mb-6w">
          <h2 className="fr-h4">Demandes de compte en attente ({formatNombre(page.demandesTotal)})</h2>
          {page.demandesPagination.pages > 1 ? (
            <p>
              Les plus récentes d'abord, par pages de {formatNombre(page.demandesPagination.parPage)} : page {formatNombre(page.demandesPagination.page)} sur{" "}
              {formatNombre(page.demandesPagination.pages)}.
            </p>
          ) : null}
          {page.demandes.length === 0 ? (
            <p>Aucune demande en attente.</p>
          ) : (
            <div className="fr-table fr-table--no-caption">
              <table tabIndex={0} id="demandes-liste">
                <caption>Demandes de compte en attente</caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Demandeur</th>
                    <th scope="col">Organisation</th>
                    <th scope="col">Message</th>
                    <th scope="col">Décision</th>
                  </tr>
                </thead>
                <tbody>
                  {page.demandes.map((d) => (
                    <tr key={d.id}>
                      <td>{formatDateTime(d.createdAt)}</td>
                      <td>
                        {d.prenom} {d.nom}
                        <br />
                        {d.email}
                        {d.fonction ? (
                          <>
                            <br />
                            {d.fonction}
                          </>
                        ) : null}
                      </td>
                      <td>
                        {typeLabel(d.organisationType)}
                        <br />
                        {d.perimetre}
                      </td>
                      <td>{d.message ?? "—"}</td>
                      <td>
                        <Form method="post" className="fr-mb-1w">
                          <CsrfInput token={csrf} />
                          <input type="hidden" name="intent" value="valider-demande" />
                          <input type="hidden" name="demandeId" value={d.id} />
                          <Button type="submit" size="small" disabled={busy}>
                            Valider et inviter<span className="fr-sr-only"> {d.prenom} {d.nom}</span>
                          </Button>
                        </Form>
                        {/* checked by the server (« Indiquez le motif du refus. », under the field): no browser bubble */}
                        <Form method="post" noValidate>
                          <CsrfInput token={csrf} />
                          <input type="hidden" name="intent" value="refuser-demande" />
                          <input type="hidden" name="demandeId" value={d.id} />
                          <Input
                            label={
                              <>
                                Motif du refus<span className="fr-sr-only"> de la demande de {d.prenom} {d.nom}</span>
                              </>
                            }
                            nativeInputProps={{ name: "motif", required: true }}
                            {...(result?.intent === "refuser-demande" && result.demandeId === String(d.id) ? fieldState(result, "motif") : {})}
                          />
                          <Button type="submit" size="small" priority="secondary" disabled={busy}>
                            Refuser<span className="fr-sr-only"> la demande de {d.prenom} {d.nom}</span>
                          </Button>
                        </Form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pagination
            page={page.demandesPagination.page}
            pages={page.demandesPagination.pages}
            search={search}
            param="demandes"
            cible="demandes-liste"
            label="Pages des demandes de compte"
          />
        </section>
      ) : null}

      <section className="fr-mb-6w">
        <h2 className="fr-h4">Inviter un utilisateur</h2>
        <p>L'invité reçoit un lien valable 7 jours, utilisable une fois, pour créer son mot de passe.</p>
        <Form method="post" noValidate>
          <MentionObligatoire />
          <CsrfInput token={csrf} />
          <input type="hidden" name="intent" value="inviter" />
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-6">
              <Input
                label="Adresse e-mail"
                nativeInputProps={{ name: "email", type: "email", required: true }}
                {...invitation("email")}
              />
            </div>
            <div className="fr-col-12 fr-col-md-6">
              <Select label="Rôle" nativeSelectProps={{ name: "role", defaultValue: "member" }}>
                <option value="member">{ROLE_LABELS.member}</option>
                <option value="admin">{ROLE_LABELS.admin}</option>
              </Select>
            </div>
          </div>
          {page.national && page.territories ? (
            <fieldset className="fr-fieldset">
              <legend className="fr-fieldset__legend">
                Organisation : une existante, ou un type et son périmètre
                <span className="fr-hint-text">
                  La liste donne les organisations publiques et les réseaux. Pour un CFA, choisissez le type « Organisme de formation (CFA) » et
                  son SIRET : son organisation est retrouvée, ou créée.
                </span>
              </legend>
              <div className="fr-fieldset__element">
                <ChoiceSelect
                  label="Organisation existante (facultatif)"
                  hint="Sinon, choisissez un type et remplissez le champ de périmètre que ce type demande."
                  name="organisationId"
                  empty="— Nouvelle organisation (type et périmètre ci-dessous) —"
                  options={page.organisations.map((o) => [String(o.id), `${o.nom} (${typeLabel(o.type)})`])}
                />
              </div>
              <div className="fr-fieldset__element">
                <ChoiceSelect
                  label="Type"
                  hint="Obligatoire sans organisation existante."
                  name="type"
                  empty="Choisissez…"
                  options={Object.entries(ORGANISATION_TYPE_LABELS).filter(([k]) => k !== "PUBLIC")}
                  state={invitation("type")}
                />
              </div>
              <div className="fr-fieldset__element fr-fieldset__element--inline">
                <ChoiceSelect
                  label="Région"
                  hint={obligatoirePour("region")}
                  name="regionCode"
                  options={page.territories.regions.map((r) => [r.code, r.nom])}
                  state={invitation("regionCode")}
                />
              </div>
              <div className="fr-fieldset__element fr-fieldset__element--inline">
                <ChoiceSelect
                  label="Académie"
                  hint={obligatoirePour("academie")}
                  name="academieCode"
                  options={page.territories.academies.map((a) => [a.code, a.nom])}
                  state={invitation("academieCode")}
                />
              </div>
              <div className="fr-fieldset__element fr-fieldset__element--inline">
                <ChoiceSelect
                  label="Département"
                  hint={obligatoirePour("departement")}
                  name="departementCode"
                  options={page.territories.departements.map((d) => [d.code, libelleDepartement(d.code, d.nom)])}
                  state={invitation("departementCode")}
                />
              </div>
              <div className="fr-fieldset__element fr-fieldset__element--inline">
                <Input label="Réseau" hintText={obligatoirePour("reseau")} nativeInputProps={{ name: "reseau" }} {...invitation("reseau")} />
              </div>
              <div className="fr-fieldset__element fr-fieldset__element--inline">
                <Input
                  label="SIRET"
                  hintText={`${obligatoirePour("siret").replace(" ;", ", ou l'UAI ;")} 14 chiffres.`}
                  nativeInputProps={{ name: "siret", inputMode: "numeric" }}
                  {...invitation("siret")}
                />
              </div>
              <div className="fr-fieldset__element fr-fieldset__element--inline">
                <Input label="UAI" hintText="Pour un organisme de formation (CFA), à défaut du SIRET." nativeInputProps={{ name: "uai" }} {...invitation("uai")} />
              </div>
            </fieldset>
          ) : (
            <p>Organisation : {page.organisationNom}</p>
          )}
          <Button type="submit" disabled={busy}>
            Envoyer l'invitation
          </Button>
        </Form>
      </section>

      <section className="fr-mb-6w">
        <h2 className="fr-h4">Invitations en attente ({formatNombre(page.invitations.length)})</h2>
        {page.invitations.length === 0 ? (
          <p>Aucune invitation en attente.</p>
        ) : (
          <div className="fr-table fr-table--no-caption">
            <table tabIndex={0}>
              <caption>Invitations en attente</caption>
              <thead>
                <tr>
                  <th scope="col">E-mail</th>
                  <th scope="col">Organisation</th>
                  <th scope="col">Rôle</th>
                  <th scope="col">Expire le</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {page.invitations.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email}</td>
                    <td>{i.organisationNom}</td>
                    <td>{ROLE_LABELS[i.role]}</td>
                    <td>{formatDateTime(i.expiresAt)}</td>
                    <td>
                      <Form method="post">
                        <CsrfInput token={csrf} />
                        <input type="hidden" name="intent" value="annuler-invitation" />
                        <input type="hidden" name="invitationId" value={i.id} />
                        <Button type="submit" size="small" priority="tertiary" disabled={busy}>
                          Annuler<span className="fr-sr-only"> l'invitation de {i.email}</span>
                        </Button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section>
        <h2 className="fr-h4">Comptes ({formatNombre(page.recherche.total)})</h2>
        <Form method="get" role="search" className="fr-mb-2w" aria-label="Rechercher un compte">
          <div className="fr-search-bar">
            <label className="fr-label" htmlFor="recherche-comptes">
              Rechercher un compte
            </label>
            <input className="fr-input" type="search" id="recherche-comptes" name="q" defaultValue={page.recherche.q} placeholder="E-mail, nom ou organisation" />
            <button className="fr-btn" type="submit" title="Rechercher">
              Rechercher
            </button>
          </div>
        </Form>
        {page.users.length === 0 ? (
          <p>{page.recherche.q ? `Aucun compte ne correspond à « ${page.recherche.q} ».` : "Aucun compte."}</p>
        ) : (
          <div className="fr-table fr-table--no-caption">
            <table tabIndex={0} id="comptes-liste">
              <caption>Comptes</caption>
              <thead>
                <tr>
                  <th scope="col">E-mail</th>
                  <th scope="col">Nom</th>
                  <th scope="col">Organisation</th>
                  <th scope="col">Rôle</th>
                  <th scope="col">Dernière connexion</th>
                  <th scope="col">État</th>
                </tr>
              </thead>
              <tbody>
                {page.users.map((u) => (
                  <tr key={u.id}>
                    <td>{u.email}</td>
                    <td>
                      {u.prenom} {u.nom}
                    </td>
                    <td>
                      {u.organisationNom}
                      <br />
                      <span className="fr-text--xs">{typeLabel(u.organisationType)}</span>
                    </td>
                    <td>
                      {ROLE_LABELS[u.role]}
                      {u.id === moi ? null : (
                        <Form method="post" className="fr-mt-1w">
                          <CsrfInput token={csrf} />
                          <input type="hidden" name="intent" value="changer-role" />
                          <input type="hidden" name="userId" value={u.id} />
                          <input type="hidden" name="role" value={u.role === "admin" ? "member" : "admin"} />
                          <Button type="submit" size="small" priority="tertiary" disabled={busy}>
                            Changer le rôle
                            <span className="fr-sr-only"> de {u.email}</span> : {u.role === "admin" ? "passer en membre" : "passer en administrateur"}
                          </Button>
                        </Form>
                      )}
                    </td>
                    <td>{formatDateTime(u.lastLoginAt)}</td>
                    <td>
                      {u.disabled ? <Badge severity="error" small>Désactivé</Badge> : <Badge severity="success" small>Actif</Badge>}
                      {u.id === moi ? (
                        <p className="fr-text--xs fr-mt-1w fr-mb-0">Votre compte</p>
                      ) : (
                        <Form method="post" className="fr-mt-1w">
                          <CsrfInput token={csrf} />
                          <input type="hidden" name="intent" value={u.disabled ? "reactiver" : "desactiver"} />
                          <input type="hidden" name="userId" value={u.id} />
                          <Button type="submit" size="small" priority="tertiary" disabled={busy}>
                            {u.disabled ? "Réactiver" : "Désactiver"}
                            <span className="fr-sr-only"> le compte {u.email}</span>
                          </Button>
                        </Form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pagination page={page.recherche.page} pages={page.recherche.pages} search={search} cible="comptes-liste" label="Pages des comptes" />
      </section>
    </div>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
