/** What the auth actions answer a form with, and the zod helpers they share. Messages are French. */
import { domainToASCII } from "node:url";
import { z } from "zod";

export type FormFailure = { ok: false; message: string; fieldErrors: Record<string, string> };
export type FormResult<T extends object = object> = ({ ok: true } & T) | FormFailure;

export function failure(message: string, fieldErrors: Record<string, string> = {}): FormFailure {
  return { ok: false, message, fieldErrors };
}

/** The first message of each field; never the submitted values. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_";
    errors[key] ??= issue.message;
  }
  return errors;
}

export function invalid(error: z.ZodError): FormFailure {
  const fieldErrors = fieldErrorsOf(error);
  const count = Object.keys(fieldErrors).length;
  return failure(count > 1 ? `Le formulaire contient ${count} erreurs : corrigez les champs signalés.` : Object.values(fieldErrors)[0], fieldErrors);
}

/** The string fields of a form (files and missing fields become ""). */
export function formFields(formData: FormData, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, typeof formData.get(n) === "string" ? (formData.get(n) as string) : ""]));
}

/** Letters outside ASCII (accents…). */
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * An address with accents: a domain with accents (académie.fr) is written as the mail system writes it (punycode,
 * node:url domainToASCII); accents before the @ are refused, saying so (most mail servers refuse them).
 */
function adresseSansAccent(value: string, ctx: z.RefinementCtx): string {
  const at = value.lastIndexOf("@");
  if (at < 0 || !NON_ASCII.test(value)) return value;
  const local = value.slice(0, at);
  const domaine = value.slice(at + 1);
  if (NON_ASCII.test(local)) {
    ctx.addIssue({
      code: "custom",
      message: `Adresse e-mail invalide : la partie avant le @ (« ${local.slice(0, 64)} ») ne doit contenir ni accent ni lettre hors de l'alphabet latin de base ; écrivez-la comme votre messagerie l'affiche (par exemple « elodie » pour « élodie »).`,
    });
    return z.NEVER;
  }
  const ascii = domainToASCII(domaine);
  if (!ascii) {
    ctx.addIssue({ code: "custom", message: `Adresse e-mail invalide : « ${domaine.slice(0, 64)} » n'est pas un nom de domaine.` });
    return z.NEVER;
  }
  return `${local}@${ascii}`;
}

/** An e-mail field, trimmed and lowercased; `vide`: the message of an empty field. */
function champEmail(vide: string) {
  return z
    .string()
    .trim()
    .min(1, vide)
    .max(254, "L'adresse e-mail est trop longue (254 caractères au plus).")
    .toLowerCase()
    .transform(adresseSansAccent)
    .pipe(z.email("Adresse e-mail invalide : elle doit être de la forme nom@domaine.fr."));
}

/** The user's own e-mail (sign-in, sign-up, password reset). */
export const emailField = champEmail("Indiquez votre adresse e-mail.");

/** Someone else's e-mail: the person an admin invites. */
export const emailInviteField = champEmail("Indiquez l'adresse e-mail de la personne à inviter.");

export const nameField = (label: string) =>
  z.string().trim().min(1, `Indiquez votre ${label}.`).max(100, `Le champ « ${label} » ne doit pas dépasser 100 caractères.`);

/** French names of the fields of the account forms (messages about a field the page does not label itself). */
const NOMS_CHAMPS: Record<string, string> = {
  email: "Adresse e-mail",
  nom: "Nom",
  prenom: "Prénom",
  fonction: "Fonction",
  message: "Message",
  type: "Type d'organisation",
  role: "Rôle",
  organisationId: "Organisation",
  regionCode: "Région",
  departementCode: "Département",
  academieCode: "Académie",
  reseau: "Réseau",
  siret: "SIRET",
  uai: "UAI",
  motif: "Motif du refus",
  current: "Mot de passe actuel",
  password: "Mot de passe",
  confirmation: "Confirmation du mot de passe",
};

/**
 * A text field holding the character U+0000, which no one types and the database cannot store (a tampered form):
 * the French message naming the first such field, or null. `requireValidForm` (csrf.server) answers it with a 400
 * before any action runs.
 */
export function champAvecCaractereNul(formData: FormData): string | null {
  for (const [champ, valeur] of formData) {
    if (typeof valeur === "string" && valeur.includes("\u0000")) {
      return `${NOMS_CHAMPS[champ] ?? `Champ « ${champ.slice(0, 40)} »`} : la valeur contient un caractère nul (U+0000), qui n'est pas accepté. Saisissez-la à nouveau.`;
    }
  }
  return null;
}

/**
 * An intent that none of the page's forms sends (a tampered form, a page left open across a release): the French
 * failure its action answers with a 400, nothing done; null for one of `connues`.
 */
export function intentInconnue(intent: string, connues: readonly string[]): FormFailure | null {
  return connues.includes(intent) ? null : failure(`Action inconnue « ${intent.slice(0, 40)} » : rechargez la page et utilisez l'un de ses formulaires.`);
}
