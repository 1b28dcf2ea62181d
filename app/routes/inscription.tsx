import { useEffect, useState } from "react";
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Input } from "~/ui/champs-dsfr";
import { Select } from "~/ui/champs-dsfr";
import { Button } from "@codegouvfr/react-dsfr/Button";
import { csrfToken, requireValidForm } from "~/auth/csrf.server";
import { ORGANISATION_TYPE_LABELS, SCOPE_FIELD_OF_TYPE } from "~/auth/labels";
import { knownReseaux, territoryOptions } from "~/auth/organisations.server";
import { publicBaseUrl } from "~/auth/mail.server";
import { withHeaders } from "~/auth/responses.server";
import { createSignupRequest, SIGNUP_TYPES } from "~/auth/signup.server";
import { clientIp } from "~/auth/throttle.server";
import { AuthErrorBoundary, CsrfInput, FormAlert, MentionObligatoire, fieldState } from "~/auth/ui";
import { titrePage } from "~/ui/erreur";
import { useTitreEnErreur } from "~/ui/titre";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Demander un compte", error) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token, headers } = await csrfToken(request, context.database);
  const [territories, reseaux] = await Promise.all([territoryOptions(context.database), knownReseaux(context.database)]);
  return withHeaders({ csrf: token, territories, reseaux, types: SIGNUP_TYPES }, headers);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await requireValidForm(request, context.database);
  return createSignupRequest(context.database, formData, clientIp(request, context), publicBaseUrl(request));
}

type ScopeField = (typeof SCOPE_FIELD_OF_TYPE)[keyof typeof SCOPE_FIELD_OF_TYPE];

export default function Inscription() {
  const { csrf, territories, reseaux, types } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useTitreEnErreur(result?.ok === false);
  const busy = useNavigation().state === "submitting";
  const [type, setType] = useState<string>("");
  // Without JavaScript every scope field shows; with it, only the one the chosen type needs.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const field: ScopeField | null = type ? SCOPE_FIELD_OF_TYPE[type as keyof typeof SCOPE_FIELD_OF_TYPE] : null;
  const shows = (f: ScopeField) => !hydrated || field === f;

  if (result?.ok) {
    return (
      <div className="fr-container fr-my-7w">
        <h1>Demande envoyée</h1>
        <FormAlert result={result} />
        <Link className="fr-link" to="/">
          Retour à l'accueil
        </Link>
      </div>
    );
  }
  return (
    <div className="fr-container fr-my-7w">
      <div className="fr-grid-row fr-grid-row--center">
        <div className="fr-col-12 fr-col-md-10 fr-col-lg-8">
          <h1>Demander un compte</h1>
          <p>
            Pour les CFA (organismes de formation) et les agents publics de l'apprentissage. Votre demande est vérifiée par l'équipe nationale ; vous
            recevrez ensuite un e-mail pour créer votre mot de passe. Déjà un compte ? <Link to="/connexion">Connectez-vous</Link>.
          </p>
          <FormAlert result={result} />
          <Form method="post" noValidate>
            <MentionObligatoire />
            <CsrfInput token={csrf} />
            <fieldset className="fr-fieldset">
              <legend className="fr-fieldset__legend">Vous</legend>
              <div className="fr-fieldset__element">
                <Input label="Prénom" nativeInputProps={{ name: "prenom", autoComplete: "given-name", required: true }} {...fieldState(result, "prenom")} />
              </div>
              <div className="fr-fieldset__element">
                <Input label="Nom" nativeInputProps={{ name: "nom", autoComplete: "family-name", required: true }} {...fieldState(result, "nom")} />
              </div>
              <div className="fr-fieldset__element">
                <Input
                  label="Adresse e-mail professionnelle"
                  hintText="Format attendu : nom@domaine.fr"
                  nativeInputProps={{ name: "email", type: "email", autoComplete: "email", required: true }}
                  {...fieldState(result, "email")}
                />
              </div>
              <div className="fr-fieldset__element">
                <Input label="Fonction (facultatif)" nativeInputProps={{ name: "fonction", autoComplete: "organization-title" }} {...fieldState(result, "fonction")} />
              </div>
            </fieldset>
            <fieldset className="fr-fieldset">
              <legend className="fr-fieldset__legend">
                Votre organisation
                <span className="fr-hint-text">
                  Le type choisi dit quel champ remplir : la région, l'académie, le département, le réseau, ou le SIRET (à défaut l'UAI) d'un CFA.
                </span>
              </legend>
              <div className="fr-fieldset__element">
                <Select
                  label="Type d'organisation"
                  nativeSelectProps={{ name: "type", value: type, onChange: (e) => setType(e.target.value), required: true }}
                  {...fieldState(result, "type")}
                >
                  <option value="">Choisissez…</option>
                  {types.map((t) => (
                    <option key={t} value={t}>
                      {ORGANISATION_TYPE_LABELS[t]}
                    </option>
                  ))}
                </Select>
              </div>
              {shows("siret") ? (
                <>
                  <div className="fr-fieldset__element">
                    <Input
                      label="SIRET de l'organisme (CFA)"
                      hintText="Pour un CFA : 14 chiffres. Ou, à défaut, l'UAI ci-dessous (l'un des deux est obligatoire)."
                      nativeInputProps={{ name: "siret", inputMode: "numeric", autoComplete: "off" }}
                      {...fieldState(result, "siret")}
                    />
                  </div>
                  <div className="fr-fieldset__element">
                    <Input label="UAI de l'organisme (CFA)" hintText="Facultatif si le SIRET est indiqué, sauf quand plusieurs organismes ont ce SIRET. 7 chiffres et une lettre de contrôle, par exemple 0693456G." nativeInputProps={{ name: "uai", autoComplete: "off" }} {...fieldState(result, "uai")} />
                  </div>
                </>
              ) : null}
              {shows("region") ? (
                <div className="fr-fieldset__element">
                  <Select label="Région (DREETS, DRAAF, Conseil régional, CARIF-OREF)" nativeSelectProps={{ name: "regionCode", defaultValue: "" }} {...fieldState(result, "regionCode")}>
                    <option value="">Choisissez…</option>
                    {territories.regions.map((r) => (
                      <option key={r.code} value={r.code}>
                        {r.nom} ({r.code})
                      </option>
                    ))}
                  </Select>
                </div>
              ) : null}
              {shows("academie") ? (
                <div className="fr-fieldset__element">
                  <Select label="Académie (rectorat)" nativeSelectProps={{ name: "academieCode", defaultValue: "" }} {...fieldState(result, "academieCode")}>
                    <option value="">Choisissez…</option>
                    {territories.academies.map((a) => (
                      <option key={a.code} value={a.code}>
                        {a.nom} ({a.code})
                      </option>
                    ))}
                  </Select>
                </div>
              ) : null}
              {shows("departement") ? (
                <div className="fr-fieldset__element">
                  <Select label="Département (DDETS)" nativeSelectProps={{ name: "departementCode", defaultValue: "" }} {...fieldState(result, "departementCode")}>
                    <option value="">Choisissez…</option>
                    {territories.departements.map((d) => (
                      <option key={d.code} value={d.code}>
                        {d.code} – {d.nom}
                      </option>
                    ))}
                  </Select>
                </div>
              ) : null}
              {shows("reseau") ? (
                <div className="fr-fieldset__element">
                  <Input
                    label="Réseau (tête de réseau)"
                    nativeInputProps={{ name: "reseau", list: "reseaux-connus", autoComplete: "off" }}
                    {...fieldState(result, "reseau")}
                  />
                  <datalist id="reseaux-connus">
                    {reseaux.map((r) => (
                      <option key={r} value={r} />
                    ))}
                  </datalist>
                </div>
              ) : null}
              <div className="fr-fieldset__element">
                <Input
                  textArea
                  label="Message (facultatif)"
                  hintText="Tout ce qui aide à vérifier votre demande."
                  nativeTextAreaProps={{ name: "message", rows: 3 }}
                  {...fieldState(result, "message")}
                />
              </div>
            </fieldset>
            <Button type="submit" disabled={busy}>
              Envoyer la demande
            </Button>
          </Form>
        </div>
      </div>
    </div>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
