/**
 * The checks of a form that sets a new password (the account page, the reset link): every problem at once, by
 * field — an empty or too weak password and a confirmation that differs are both said, so that the user corrects
 * them in one go rather than discovering them one submission at a time.
 */
import { failure, type FormFailure } from "./forms.server";
import { passwordProblem } from "./password.server";

const PASSWORD_MAX_FORM = 1000;

/** The problems of the fields `password` and `confirmation` (French, by field; none: the password can be set). */
export function erreursNouveauMotDePasse(formData: FormData, email: string): Record<string, string> {
  const valeur = (nom: string) => (typeof formData.get(nom) === "string" ? (formData.get(nom) as string) : "");
  const password = valeur("password");
  const confirmation = valeur("confirmation");
  const erreurs: Record<string, string> = {};
  const probleme = !password ? "Choisissez un mot de passe." : password.length > PASSWORD_MAX_FORM ? "Mot de passe trop long." : passwordProblem(password, email);
  if (probleme) erreurs.password = probleme;
  if (!confirmation) erreurs.confirmation = password ? "Confirmez le mot de passe en le saisissant une seconde fois." : "Saisissez une seconde fois le mot de passe choisi.";
  else if (confirmation !== password) erreurs.confirmation = "Les deux mots de passe ne sont pas identiques.";
  return erreurs;
}

/** A form refused for these problems: the one message when it is alone, else how many, each under its field. */
export function refusDuFormulaire(erreurs: Record<string, string>): FormFailure {
  const messages = Object.values(erreurs);
  return failure(messages.length > 1 ? `Le formulaire contient ${messages.length} erreurs : corrigez les champs signalés.` : messages[0], erreurs);
}
