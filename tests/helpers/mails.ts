/**
 * The e-mails the app sends in the background (forgotten password: the answer's time must not say whether the account
 * exists): the last one to `to` whose text matches `motif`, waited for up to 10 s.
 */
import { mailOutbox, type Mail } from "../../app/auth/mail.server";

export async function attendreMail(to: string, motif: RegExp): Promise<Mail> {
  const trouver = () => mailOutbox().filter((m) => m.to === to && motif.test(m.text)).at(-1);
  for (let essai = 0; essai < 100 && !trouver(); essai++) await new Promise((r) => setTimeout(r, 100));
  const mail = trouver();
  if (!mail) throw new Error(`aucun e-mail à ${to} ne correspond à ${motif}`);
  return mail;
}
