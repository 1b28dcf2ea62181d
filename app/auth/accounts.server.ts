/**
 * Users: creation (CLI, invitations, demo), login with throttling, logout, password change and reset, profile.
 * Passwords are only ever hashed and compared, never logged nor returned.
 */
import { z } from "zod";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { organisations, users, type UserRole } from "../../db/schema";
import { failure, formFields, invalid, emailField, nameField, type FormResult } from "./forms.server";
import { findOrCreateOrganisation, describeScope, getOrganisation, type OrganisationInput, OrganisationError } from "./organisations.server";
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from "./password.server";
import { erreursNouveauMotDePasse, refusDuFormulaire } from "./nouveau-mot-de-passe.server";
import { countActiveSessions, createSession, destroySession, destroyUserSessions } from "./session.server";
import { attemptSucceeded, checkThrottle, formatDelay, recordAttempt, reserveAttempt } from "./throttle.server";
import { closeInvitations, consumeToken, createToken, inspectToken, revokeTokens, TOKEN_STATE_MESSAGES } from "./tokens.server";
import { publicBaseUrl, sendMailInBackground } from "./mail.server";
import { journaliserErreur } from "../shared/erreurs-base.server";
import type { AuthenticatedViewer } from "./policy.server";
import { containsWords } from "../referentiel/repertoire.server";
import { totalOf } from "../shared/pagination";

export type User = typeof users.$inferSelect;

export class AccountError extends Error {}

export async function findUserByEmail(database: Database, email: string): Promise<User | null> {
  const [user] = await database.db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  return user ?? null;
}

export interface NewUser {
  email: string;
  password: string;
  nom?: string;
  prenom?: string;
  role?: UserRole;
  organisation: OrganisationInput | { id: number };
}

/** Creates an account (CLI, demo). Throws AccountError / OrganisationError with a French message. */
export async function createUser(database: Database, input: NewUser): Promise<{ user: User; organisation: typeof organisations.$inferSelect }> {
  const email = emailField.safeParse(input.email);
  if (!email.success) throw new AccountError(email.error.issues[0].message);
  const problem = passwordProblem(input.password, email.data);
  if (problem) throw new AccountError(problem);
  if (await findUserByEmail(database, email.data)) throw new AccountError(`Un compte existe déjà pour l'adresse ${email.data}.`);
  const organisation =
    "id" in input.organisation ? await getOrganisation(database, input.organisation.id) : await findOrCreateOrganisation(database, input.organisation);
  if (!organisation) throw new OrganisationError("Cette organisation n'existe pas.");
  const [user] = await database.db
    .insert(users)
    .values({
      email: email.data,
      passwordHash: await hashPassword(input.password),
      nom: input.nom?.trim() ?? "",
      prenom: input.prenom?.trim() ?? "",
      role: input.role ?? "member",
      organisationId: organisation.id,
    })
    .returning();
  // the account exists: no pending invitation of its address can be accepted any more
  await closeInvitations(database.db, user.email);
  return { user, organisation };
}

// ------------------------------------------------------------------------------------------------ login

export const LOGIN_ERROR = "Adresse e-mail ou mot de passe incorrect.";

const loginSchema = z.object({
  email: emailField,
  password: z.string().min(1, "Indiquez votre mot de passe.").max(1000, "Mot de passe trop long."),
});

/**
 * Checks e-mail + password (throttled) and opens a new session. On success, `setCookie` carries the new
 * session cookie (a fresh id: the request's session, if any, is deleted).
 */
export async function login(
  database: Database,
  request: Request,
  formData: FormData,
  ip: string | null,
): Promise<FormResult<{ setCookie: string; userId: number }>> {
  const parsed = loginSchema.safeParse(formFields(formData, ["email", "password"]));
  if (!parsed.success) return invalid(parsed.error);
  const { email, password } = parsed.data;
  const throttle = await reserveAttempt(database, "connexion", email, ip);
  if (!throttle.allowed) {
    return failure(
      `Trop de tentatives de connexion échouées pour cette adresse. Par sécurité, réessayez dans ${formatDelay(throttle.retryAfterSeconds)} ou réinitialisez votre mot de passe.`,
    );
  }
  const user = await findUserByEmail(database, email);
  const ok = user ? await verifyPassword(password, user.passwordHash) : (await burnPasswordCheck(password), false);
  if (ok) await attemptSucceeded(database, throttle.attemptId);
  if (!user || !ok) return failure(LOGIN_ERROR);
  if (user.disabledAt) return failure("Ce compte a été désactivé. Contactez l'administrateur de votre organisation.");
  const setCookie = await createSession(database, user.id, request);
  return { ok: true, setCookie, userId: user.id };
}

/** Ends the request's session; returns the Set-Cookie header that clears the cookie. */
export function logout(database: Database, request: Request): Promise<string> {
  return destroySession(database, request);
}

/** Only same-site paths: "/x" but not "//x" nor "/\x". */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  // Browsers drop tabs and newlines from a URL and read "\" as "/": "/\t/evil.example" would leave the site.
  if (typeof to !== "string" || !to.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(to)) return fallback;
  const base = "http://meme-site.invalid";
  const url = new URL(to, base);
  if (url.origin !== base) return fallback;
  // the normalised path is what the browser gets: "/.//evil.example" resolves to "//evil.example", another site
  const chemin = `${url.pathname}${url.search}${url.hash}`;
  return chemin.startsWith("//") ? fallback : chemin;
}

// ------------------------------------------------------------------------------------- account page

export interface AccountOverview {
  email: string;
  nom: string;
  prenom: string;
  role: UserRole;
  organisation: { id: number; nom: string; type: string; perimetre: string };
  activeSessions: number;
  lastLoginAt: string | null;
}

export async function accountOverview(database: Database, viewer: AuthenticatedViewer): Promise<AccountOverview> {
  const [user] = await database.db.select().from(users).where(eq(users.id, viewer.userId));
  const organisation = (await getOrganisation(database, user.organisationId))!;
  return {
    email: user.email,
    nom: user.nom,
    prenom: user.prenom,
    role: user.role,
    organisation: { id: organisation.id, nom: organisation.nom, type: organisation.type, perimetre: await describeScope(database, organisation) },
    activeSessions: await countActiveSessions(database, user.id),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}

/** The new password of a form, or every problem of its fields at once (nouveau-mot-de-passe.server.ts). */
function checkNewPassword(formData: FormData, email: string): FormResult<{ password: string }> {
  const erreurs = erreursNouveauMotDePasse(formData, email);
  if (Object.keys(erreurs).length) return refusDuFormulaire(erreurs);
  return { ok: true, password: formData.get("password") as string };
}

/** Change of password from the account page: checks the current one, ends the other sessions. */
export async function changePassword(database: Database, viewer: AuthenticatedViewer, formData: FormData): Promise<FormResult<{ message: string }>> {
  const [user] = await database.db.select().from(users).where(eq(users.id, viewer.userId));
  const current = formData.get("current");
  // every problem of the form at once (a field left empty, the new password's), before the current one is checked
  const erreurs = {
    ...(typeof current !== "string" || !current ? { current: "Indiquez votre mot de passe actuel." } : {}),
    ...erreursNouveauMotDePasse(formData, user.email),
  };
  if (typeof current !== "string" || Object.keys(erreurs).length) return refusDuFormulaire(erreurs);
  // throttled like a login (same counter): a stolen session must not give a way to try passwords
  const throttle = await reserveAttempt(database, "connexion", user.email, null);
  if (!throttle.allowed) {
    const message = `Trop de tentatives échouées. Par sécurité, réessayez dans ${formatDelay(throttle.retryAfterSeconds)}.`;
    return failure(message, { current: message });
  }
  if (!(await verifyPassword(current, user.passwordHash))) {
    return failure("Le mot de passe actuel est incorrect.", { current: "Le mot de passe actuel est incorrect." });
  }
  await attemptSucceeded(database, throttle.attemptId);
  const next = checkNewPassword(formData, user.email);
  if (!next.ok) return next;
  if (next.password.normalize("NFC") === current.normalize("NFC")) {
    const message = "Le nouveau mot de passe doit être différent du mot de passe actuel.";
    return failure(message, { password: message });
  }
  await database.db.update(users).set({ passwordHash: await hashPassword(next.password), passwordChangedAt: new Date() }).where(eq(users.id, user.id));
  const ended = await destroyUserSessions(database, user.id, viewer.sessionId);
  return { ok: true, message: `Mot de passe modifié.${ended ? ` ${ended} autre(s) session(s) ont été fermées.` : ""}` };
}

const profileSchema = z.object({ nom: nameField("nom"), prenom: nameField("prénom") });

export async function updateProfile(database: Database, viewer: AuthenticatedViewer, formData: FormData): Promise<FormResult<{ message: string }>> {
  const parsed = profileSchema.safeParse(formFields(formData, ["nom", "prenom"]));
  if (!parsed.success) return invalid(parsed.error);
  await database.db.update(users).set(parsed.data).where(eq(users.id, viewer.userId));
  return { ok: true, message: "Vos nom et prénom ont été enregistrés." };
}

export async function endOtherSessions(database: Database, viewer: AuthenticatedViewer): Promise<FormResult<{ message: string }>> {
  const ended = await destroyUserSessions(database, viewer.userId, viewer.sessionId);
  return { ok: true, message: ended ? `${ended} autre(s) session(s) fermée(s).` : "Aucune autre session n'était ouverte." };
}

// -------------------------------------------------------------------------------------- password reset

export const RESET_REQUESTED =
  "Si un compte existe pour cette adresse, un e-mail vient de lui être envoyé avec un lien valable 1 heure pour choisir un nouveau mot de passe.";

/** Replaces the account's reset link by a new one (1 hour, single use) and e-mails it. */
async function envoyerLienDeReinitialisation(database: Database, baseUrl: string, email: string, userId: number): Promise<void> {
  await revokeTokens(database, "reinitialisation", email);
  const token = await createToken(database, { kind: "reinitialisation", email, userId });
  sendMailInBackground({
    to: email,
    subject: "Réinitialisation de votre mot de passe",
    text: [
      "Bonjour,",
      "",
      "Vous avez demandé à réinitialiser votre mot de passe du Tableau de bord de l'apprentissage.",
      "Choisissez un nouveau mot de passe en suivant ce lien, valable 1 heure et une seule fois :",
      `${baseUrl}/reinitialiser-mot-de-passe/${token}`,
      "",
      "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : votre mot de passe reste inchangé.",
    ].join("\n"),
  });
}

/** Sends a single-use reset link (1 hour) when the account exists; always the same answer. Throttled per e-mail. */
export async function requestPasswordReset(
  database: Database,
  request: Request,
  formData: FormData,
  ip: string | null,
): Promise<FormResult<{ message: string }>> {
  const parsed = z.object({ email: emailField }).safeParse(formFields(formData, ["email"]));
  if (!parsed.success) return invalid(parsed.error);
  const { email } = parsed.data;
  const throttle = await checkThrottle(database, "reinitialisation", email, ip);
  if (!throttle.allowed) return { ok: true, message: RESET_REQUESTED };
  await recordAttempt(database, "reinitialisation", email, ip, true);
  const user = await findUserByEmail(database, email);
  if (user && !user.disabledAt) {
    // in the background, the link's two writes as its e-mail: the answer's time must not say whether the account exists
    envoyerLienDeReinitialisation(database, publicBaseUrl(request), email, user.id).catch((error) =>
      journaliserErreur("lien de réinitialisation du mot de passe", error),
    );
  }
  return { ok: true, message: RESET_REQUESTED };
}

export async function resetTokenState(database: Database, token: string): Promise<{ valid: true; email: string } | { valid: false; message: string }> {
  const state = await inspectToken(database, "reinitialisation", token);
  return state.status === "valid" ? { valid: true, email: state.token.email } : { valid: false, message: TOKEN_STATE_MESSAGES[state.status] };
}

/** Sets the new password, consumes the token, ends every session of the account. */
export async function resetPassword(database: Database, token: string, formData: FormData): Promise<FormResult> {
  const state = await inspectToken(database, "reinitialisation", token);
  if (state.status !== "valid") return failure(TOKEN_STATE_MESSAGES[state.status]);
  const next = checkNewPassword(formData, state.token.email);
  if (!next.ok) return next;
  const hash = await hashPassword(next.password);
  const done = await database.db.transaction(async (tx) => {
    const consumed = await consumeToken(tx, "reinitialisation", token);
    if (!consumed?.userId) return false;
    await tx.update(users).set({ passwordHash: hash, passwordChangedAt: new Date() }).where(eq(users.id, consumed.userId));
    return consumed.userId;
  });
  if (!done) return failure(TOKEN_STATE_MESSAGES.used);
  await destroyUserSessions(database, done);
  // Proving control of the mailbox lifts a login lock: earlier failures stop counting.
  await recordAttempt(database, "connexion", state.token.email, null, true);
  return { ok: true };
}

// ------------------------------------------------------------------------------------------ listing

export interface UserRow {
  id: number;
  email: string;
  nom: string;
  prenom: string;
  role: UserRole;
  disabled: boolean;
  lastLoginAt: string | null;
  createdAt: string;
  organisationId: number;
  organisationNom: string;
  organisationType: string;
}

/** Users, all or those of one organisation. */
export async function listUsers(database: Database, organisationId?: number): Promise<UserRow[]> {
  return (await searchUsers(database, { organisationId })).rows;
}

/**
 * Accounts (of one organisation, or all), by organisation then e-mail; `q` keeps those whose e-mail, name or
 * organisation contains each of its words (case and accents ignored); `limit`/`offset` page them. `total`: all matches.
 */
export async function searchUsers(
  database: Database,
  options: { organisationId?: number; q?: string; limit?: number; offset?: number },
): Promise<{ rows: UserRow[]; total: number }> {
  const conditions: SQL[] = [];
  if (options.organisationId !== undefined) conditions.push(eq(users.organisationId, options.organisationId));
  conditions.push(
    ...containsWords(sql`${users.email} || ' ' || coalesce(${users.prenom}, '') || ' ' || coalesce(${users.nom}, '') || ' ' || ${organisations.nom}`, options.q ?? ""),
  );
  const where = conditions.length ? and(...conditions) : undefined;
  const query = database.db
    .select({ user: users, organisation: organisations, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(where)
    .orderBy(organisations.type, organisations.nom, users.email);
  const rows = options.limit === undefined ? await query : await query.limit(options.limit).offset(options.offset ?? 0);
  const total = await totalOf(rows, options.offset ?? 0, async () => {
    const [{ n }] = await database.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(users)
      .innerJoin(organisations, eq(organisations.id, users.organisationId))
      .where(where);
    return n;
  });
  return { total, rows: rows.map(({ user, organisation }) => ({
    id: user.id,
    email: user.email,
    nom: user.nom,
    prenom: user.prenom,
    role: user.role,
    disabled: !!user.disabledAt,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
    organisationId: organisation.id,
    organisationNom: organisation.nom,
    organisationType: organisation.type,
  })) };
}
