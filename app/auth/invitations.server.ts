/**
 * Invitations: an organisation's admin (or a national admin, into any organisation) invites an e-mail; the
 * invitee follows the single-use link (7 days), chooses a password and is signed in. An address has at most one
 * pending invitation per organisation: a new one replaces it (its link stops working). When the account is
 * created, every pending invitation of its address is closed (the account exists: none could be accepted).
 */
import { z } from "zod";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { authTokens, organisations, users, USER_ROLES, type UserRole } from "../../db/schema";
import { emailInviteField, failure, fieldErrorsOf, formFields, invalid, nameField, type FormFailure, type FormResult } from "./forms.server";
import { findOrCreateOrganisation, getOrganisation, OrganisationError, type Organisation } from "./organisations.server";
import { hashPassword } from "./password.server";
import { erreursNouveauMotDePasse, refusDuFormulaire } from "./nouveau-mot-de-passe.server";
import { createSession } from "./session.server";
import { closeInvitations, consumeToken, createToken, inspectToken, TOKEN_STATE_MESSAGES, TOKEN_TTL_SECONDS, type TokenState } from "./tokens.server";
import { sendMail } from "./mail.server";
import { gereLesComptesDe, isNationalAdmin, isOrganisationAdmin, type AuthenticatedViewer } from "./policy.server";
import { findUserByEmail } from "./accounts.server";
import { ORGANISATION_TYPE_LABELS, ROLE_LABELS } from "./labels";

/** The largest value of a Postgres `integer` (int4): the ids of accounts, organisations, invitations and requests. */
export const ID_MAX = 2_147_483_647;

/**
 * An id sent by an admin form (a hidden field): a positive integer of the database's range, or the French message
 * saying it is not one — a value the page never writes, so a tampered form. `libelle` names the field ("Invitation").
 */
export function idFormulaire(formData: FormData, champ: string, libelle: string): { ok: true; id: number } | FormFailure {
  const raw = formData.get(champ);
  const value = typeof raw === "string" ? raw.trim() : "";
  if (/^[0-9]{1,10}$/.test(value) && Number(value) >= 1 && Number(value) <= ID_MAX) return { ok: true, id: Number(value) };
  const message = `${libelle} : identifiant invalide « ${value.slice(0, 40)} » (nombre entier positif attendu).`;
  return failure(message, { [champ]: message });
}

/** The French names of the account forms' fields (for the messages that name one). */


export interface InvitationSpec {
  email: string;
  role: UserRole;
  organisation: Organisation;
  nom?: string | null;
  prenom?: string | null;
  invitedBy?: AuthenticatedViewer | null;
  /**
   * When an account exists for the e-mail: "refuser" throws (national admins, the CLI, a sign-up request: they may
   * know every account); "prevenir" stores the invitation as any other (it cannot be accepted: the account exists)
   * and tells the account's owner instead, so that an organisation's admin cannot learn who has an account.
   */
  compteExistant?: "refuser" | "prevenir";
}

/**
 * Stores and e-mails an invitation, replacing the address's pending invitation into the same organisation (its link
 * stops working; those into other organisations are kept: the first accepted closes them). Throws when an account
 * exists for the e-mail, unless `compteExistant` says. Returns how many pending invitations it replaced.
 */
export async function sendInvitation(database: Database, baseUrl: string, spec: InvitationSpec): Promise<{ remplacees: number }> {
  const existant = await findUserByEmail(database, spec.email);
  if (existant && spec.compteExistant !== "prevenir") throw new OrganisationError(`Un compte existe déjà pour l'adresse ${spec.email}.`);
  const remplacees = await closeInvitations(database.db, spec.email, spec.organisation.id);
  const token = await createToken(database, {
    kind: "invitation",
    email: spec.email,
    organisationId: spec.organisation.id,
    role: spec.role,
    nom: spec.nom ?? null,
    prenom: spec.prenom ?? null,
    createdByUserId: spec.invitedBy?.userId ?? null,
  });
  const by = spec.invitedBy?.user;
  const qui = by ? [by.prenom, by.nom].filter(Boolean).join(" ") || by.email : null;
  const corps = existant
    ? [
        `${qui ?? "Un administrateur"} a voulu vous inviter à rejoindre l'organisation « ${spec.organisation.nom} » sur le Tableau de bord de l'apprentissage.`,
        "Un compte existe déjà pour cette adresse : l'invitation ne peut pas être acceptée. Connectez-vous avec votre compte actuel.",
        "Si vous devez changer d'organisation, écrivez à l'équipe nationale du tableau de bord.",
        `Mot de passe oublié : ${baseUrl}/mot-de-passe-oublie`,
      ]
    : [
        qui
          ? `${qui} vous invite à rejoindre l'organisation « ${spec.organisation.nom} » sur le Tableau de bord de l'apprentissage.`
          : `Votre accès au Tableau de bord de l'apprentissage pour l'organisation « ${spec.organisation.nom} » est prêt.`,
        `Rôle : ${ROLE_LABELS[spec.role]}.`,
        "",
        `Créez votre mot de passe en suivant ce lien, valable ${TOKEN_TTL_SECONDS.invitation / 86400} jours et une seule fois :`,
        `${baseUrl}/invitation/${token}`,
      ];
  await sendMail({ to: spec.email, subject: "Invitation au Tableau de bord de l'apprentissage", text: ["Bonjour,", "", ...corps].join("\n") });
  return { remplacees };
}

const inviteSchema = z.object({
  email: emailInviteField,
  role: z.enum(USER_ROLES, { error: "Choisissez le rôle : membre ou administrateur de l'organisation." }),
  organisationId: z.string().trim(),
  type: z.string().trim(),
  regionCode: z.string().trim(),
  departementCode: z.string().trim(),
  academieCode: z.string().trim(),
  reseau: z.string().trim(),
  siret: z.string().trim(),
  uai: z.string().trim(),
});

/**
 * The admin form's invitation. An organisation admin invites into their organisation only; a national admin
 * into an existing organisation (organisationId) or a new one (type + scope).
 */
export async function inviteUser(
  database: Database,
  viewer: AuthenticatedViewer,
  baseUrl: string,
  formData: FormData,
): Promise<FormResult<{ message: string }>> {
  const parsed = inviteSchema.safeParse(
    formFields(formData, ["email", "role", "organisationId", "type", "regionCode", "departementCode", "academieCode", "reseau", "siret", "uai"]),
  );
  if (!parsed.success) return invalid(parsed.error);
  const input = parsed.data;
  const organisationId = input.organisationId ? idFormulaire(formData, "organisationId", "Organisation") : null;
  if (organisationId && !organisationId.ok) return organisationId;
  let organisation: Organisation | null;
  let remplacees = 0;
  try {
    if (isNationalAdmin(viewer)) {
      organisation = organisationId
        ? await getOrganisation(database, organisationId.id)
        : input.type
          ? await findOrCreateOrganisation(database, input)
          : null;
      if (!organisation) {
        return organisationId
          ? failure("Cette organisation n'existe pas : choisissez-en une dans la liste.", { organisationId: "Cette organisation n'existe pas." })
          : failure("Choisissez l'organisation : une organisation existante, ou un type et son périmètre.", { organisationId: "Choisissez l'organisation." });
      }
    } else if (isOrganisationAdmin(viewer)) {
      organisation = await getOrganisation(database, viewer.user.organisationId);
      if (organisationId && !gereLesComptesDe(viewer, organisationId.id)) {
        return failure("Vous ne pouvez inviter que dans votre propre organisation.");
      }
    } else {
      return failure("Seuls les administrateurs d'une organisation peuvent inviter des utilisateurs.");
    }
    ({ remplacees } = await sendInvitation(database, baseUrl, {
      email: input.email,
      role: input.role,
      organisation: organisation!,
      invitedBy: viewer,
      // an organisation's admin is not told whether the address has an account (its owner is, by e-mail)
      compteExistant: isNationalAdmin(viewer) ? "refuser" : "prevenir",
    }));
  } catch (error) {
    if (error instanceof OrganisationError) return failure(error.message, error.field ? { [error.field]: error.message } : {});
    throw error;
  }
  // said alike whether the address has an account or not: the pending invitations are the organisation's own, listed on its page
  const remplace = remplacees
    ? ` Elle remplace ${remplacees > 1 ? "les invitations précédentes" : "l'invitation précédente"} à cette adresse, dont le lien ne fonctionne plus.`
    : "";
  return {
    ok: true,
    message: `Invitation envoyée à ${input.email} (${organisation!.nom}, ${ROLE_LABELS[input.role].toLowerCase()}), valable 7 jours.${remplace}`,
  };
}

export interface InvitationDetails {
  email: string;
  nom: string;
  prenom: string;
  role: UserRole;
  organisationNom: string;
  organisationType: string;
  expiresAt: string;
}

/**
 * The invitation page's answer for a link that cannot be used: why, in French — an account exists for its address
 * (created from another invitation: the pending ones were closed then), a newer invitation replaced it, or the
 * token's own state — and whether its address has an account.
 */
async function inutilisable(database: Database, state: Exclude<TokenState, { status: "valid" }>): Promise<{ valid: false; message: string; compteExistant: boolean }> {
  const non = (message: string, compteExistant = false) => ({ valid: false as const, message, compteExistant });
  if (state.status === "unknown") return non(TOKEN_STATE_MESSAGES.unknown);
  if (await findUserByEmail(database, state.token.email)) return non(`${COMPTE_EXISTANT(state.token.email)}.`, true);
  if (state.status === "used") {
    const [plusRecente] = await database.db
      .select({ id: authTokens.id })
      .from(authTokens)
      .where(
        and(
          eq(authTokens.kind, "invitation"),
          eq(authTokens.email, state.token.email),
          eq(authTokens.organisationId, state.token.organisationId!),
          gt(authTokens.id, state.token.id),
        ),
      )
      .limit(1);
    if (plusRecente) return non("Cette invitation a été remplacée par une invitation plus récente : utilisez le lien du dernier e-mail d'invitation reçu.");
    if (state.token.createdByUserId) {
      const [auteur] = await database.db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, state.token.createdByUserId));
      if (auteur?.disabledAt && state.token.usedAt && state.token.usedAt >= auteur.disabledAt) {
        return non("Cette invitation a été annulée : le compte de la personne qui l'a envoyée a été désactivé. Demandez une nouvelle invitation à un administrateur de l'organisation.");
      }
    }
  }
  return non(TOKEN_STATE_MESSAGES[state.status]);
}

/** "Un compte existe déjà pour l'adresse x@y.fr : connectez-vous" (the link's holder is its owner: they may know). */
const COMPTE_EXISTANT = (email: string) => `Un compte existe déjà pour l'adresse ${email} : connectez-vous`;

export async function invitationState(
  database: Database,
  token: string,
): Promise<{ valid: true; invitation: InvitationDetails } | { valid: false; message: string; compteExistant: boolean }> {
  const state = await inspectToken(database, "invitation", token);
  if (state.status !== "valid") return inutilisable(database, state);
  const organisation = await getOrganisation(database, state.token.organisationId!);
  if (!organisation) return { valid: false, message: TOKEN_STATE_MESSAGES.unknown, compteExistant: false };
  return {
    valid: true,
    invitation: {
      email: state.token.email,
      nom: state.token.nom ?? "",
      prenom: state.token.prenom ?? "",
      role: state.token.role!,
      organisationNom: organisation.nom,
      organisationType: ORGANISATION_TYPE_LABELS[organisation.type],
      expiresAt: state.token.expiresAt.toISOString(),
    },
  };
}

const acceptSchema = z.object({ nom: nameField("nom"), prenom: nameField("prénom") });

/** Creates the account of an invitation (consuming it) and signs the new user in. */
export async function acceptInvitation(
  database: Database,
  request: Request,
  token: string,
  formData: FormData,
): Promise<FormResult<{ setCookie: string }>> {
  const state = await inspectToken(database, "invitation", token);
  if (state.status !== "valid") return failure((await inutilisable(database, state)).message);
  // every problem at once, the names' and the password's (as the account page and the reset link)
  const parsed = acceptSchema.safeParse(formFields(formData, ["nom", "prenom"]));
  const erreurs = { ...(parsed.success ? {} : fieldErrorsOf(parsed.error)), ...erreursNouveauMotDePasse(formData, state.token.email) };
  if (!parsed.success || Object.keys(erreurs).length) return refusDuFormulaire(erreurs);
  const password = formData.get("password") as string;
  if (await findUserByEmail(database, state.token.email)) {
    return failure(`${COMPTE_EXISTANT(state.token.email)}.`);
  }
  const hash = await hashPassword(password);
  const userId = await database.db.transaction(async (tx) => {
    const consumed = await consumeToken(tx, "invitation", token);
    if (!consumed) return null;
    const [user] = await tx
      .insert(users)
      .values({
        email: consumed.email,
        passwordHash: hash,
        nom: parsed.data.nom,
        prenom: parsed.data.prenom,
        role: consumed.role!,
        organisationId: consumed.organisationId!,
      })
      .onConflictDoNothing()
      .returning({ id: users.id });
    // the account exists: the address's other pending invitations (other organisations, older links) are closed
    if (user) await closeInvitations(tx, consumed.email);
    return user?.id ?? null;
  });
  if (!userId) return failure(TOKEN_STATE_MESSAGES.used);
  return { ok: true, setCookie: await createSession(database, userId, request) };
}

export interface PendingInvitation {
  id: number;
  email: string;
  role: UserRole;
  organisationNom: string;
  expiresAt: string;
}

/** Unused, unexpired invitations: all (national admin) or of one organisation. */
export async function pendingInvitations(database: Database, organisationId?: number): Promise<PendingInvitation[]> {
  const rows = await database.db
    .select({ token: authTokens, organisationNom: organisations.nom })
    .from(authTokens)
    .innerJoin(organisations, eq(organisations.id, authTokens.organisationId))
    .where(
      and(
        eq(authTokens.kind, "invitation"),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, new Date()),
        organisationId === undefined ? undefined : eq(authTokens.organisationId, organisationId),
      ),
    )
    .orderBy(desc(authTokens.createdAt));
  return rows.map(({ token, organisationNom }) => ({
    id: token.id,
    email: token.email,
    role: token.role!,
    organisationNom,
    expiresAt: token.expiresAt.toISOString(),
  }));
}

/** Cancels an invitation (its link stops working). */
export async function revokeInvitation(database: Database, viewer: AuthenticatedViewer, formData: FormData): Promise<FormResult<{ message: string }>> {
  const parsed = idFormulaire(formData, "invitationId", "Invitation");
  if (!parsed.ok) return parsed;
  const id = parsed.id;
  const [token] = await database.db.select().from(authTokens).where(and(eq(authTokens.id, id), eq(authTokens.kind, "invitation")));
  // as for the accounts (setUserDisabled): another organisation's invitation is answered as an unknown one
  const annulable = token?.organisationId != null && gereLesComptesDe(viewer, token.organisationId);
  if (!token || token.usedAt || !annulable) {
    return failure(
      isNationalAdmin(viewer)
        ? "Cette invitation n'existe pas ou a déjà été utilisée."
        : "Cette invitation n'existe pas dans votre organisation ou a déjà été utilisée.",
    );
  }
  await database.db.update(authTokens).set({ usedAt: new Date() }).where(eq(authTokens.id, id));
  return { ok: true, message: `Invitation de ${token.email} annulée.` };
}
