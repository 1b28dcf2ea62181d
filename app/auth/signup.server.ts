/**
 * Sign-up requests: a CFA (found in the référentiel by SIRET or UAI) or a public officer (type + territory) asks
 * for an account; a national admin validates it (the organisation is found or created and an invitation is
 * e-mailed: the requester then chooses a password) or refuses it with a reason.
 */
import { z } from "zod";
import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { organisations, organismes, signupRequests, users, type SignupStatus } from "../../db/schema";
import { territoires } from "../indicateurs/indicateurs.server";
import { emailField, failure, formFields, invalid, nameField, type FormResult } from "./forms.server";
import { findOrCreateOrganisation, getOrganisation, OrganisationError, resolveOrganisationInput } from "./organisations.server";
import { checkThrottle, recordAttempt } from "./throttle.server";
import { findUserByEmail } from "./accounts.server";
import { idFormulaire, sendInvitation } from "./invitations.server";
import { sendMail, sendMailInBackground } from "./mail.server";
import type { AuthenticatedViewer } from "./policy.server";
import { COMPTES_QUI_TRAITENT_LES_DEMANDES, traiteLesDemandesDeCompte } from "./policy.server";
import { ORGANISATION_TYPE_LABELS } from "./labels";
import { nomAcademie } from "../referentiel/labels";

/** Types one may ask for (national administrators are created by the CLI or by another national admin). */
export const SIGNUP_TYPES = [
  "ORGANISME_FORMATION",
  "DREETS",
  "DRAAF",
  "CONSEIL_REGIONAL",
  "CARIF_OREF_REGIONAL",
  "ACADEMIE",
  "DDETS",
  "TETE_DE_RESEAU",
  "OPERATEUR_PUBLIC_NATIONAL",
] as const;

const signupSchema = z.object({
  email: emailField,
  nom: nameField("nom"),
  prenom: nameField("prénom"),
  fonction: z.string().trim().max(200, "La fonction ne doit pas dépasser 200 caractères."),
  type: z.enum(SIGNUP_TYPES, { error: "Choisissez le type de votre organisation." }),
  regionCode: z.string().trim(),
  departementCode: z.string().trim(),
  academieCode: z.string().trim(),
  reseau: z.string().trim(),
  siret: z.string().trim(),
  uai: z.string().trim(),
  message: z.string().trim().max(2000, "Le message ne doit pas dépasser 2 000 caractères."),
});

export const SIGNUP_FIELDS = ["email", "nom", "prenom", "fonction", "type", "regionCode", "departementCode", "academieCode", "reseau", "siret", "uai", "message"] as const;

/**
 * A sign-up request from the public form. The answer never tells whether the address already has an account or a
 * pending request (like « Mot de passe oublié ») : the same message in every case, and the address's owner is told
 * by e-mail instead — only they read it. Every accepted request counts against the same throttle, account or not.
 */
export async function createSignupRequest(
  database: Database,
  formData: FormData,
  ip: string | null,
  baseUrl: string,
): Promise<FormResult<{ message: string }>> {
  const parsed = signupSchema.safeParse(formFields(formData, SIGNUP_FIELDS));
  if (!parsed.success) return invalid(parsed.error);
  const input = parsed.data;
  const throttle = await checkThrottle(database, "inscription", input.email, ip);
  if (!throttle.allowed) {
    return failure(
      throttle.limite === "ip"
        ? "Trop de demandes de compte ont été envoyées depuis cette connexion (même adresse IP) dans l'heure : patientez avant de recommencer."
        : "Plusieurs demandes ont déjà été envoyées pour cette adresse e-mail dans l'heure : patientez avant de recommencer.",
    );
  }
  let resolved;
  try {
    resolved = await resolveOrganisationInput(database, input);
  } catch (error) {
    if (error instanceof OrganisationError) {
      const field = error.field ?? (input.type === "ORGANISME_FORMATION" ? "siret" : input.type === "DDETS" ? "departementCode" : input.type === "ACADEMIE" ? "academieCode" : input.type === "TETE_DE_RESEAU" ? "reseau" : "regionCode");
      return failure(error.message, { [field]: error.message });
    }
    throw error;
  }
  await recordAttempt(database, "inscription", input.email, ip, true);
  const answer = {
    ok: true as const,
    message: `Votre demande pour « ${resolved.nom} » a été envoyée. Un administrateur national va la vérifier ; vous recevrez un e-mail à ${input.email} pour créer votre mot de passe dès qu'elle sera validée. Si un compte existe déjà pour cette adresse, un e-mail vous l'indique dès maintenant.`,
  };
  // the address's owner is told by e-mail, never the visitor on the page
  // (in the background, as the administrators' notice below: the answer's time says nothing either)
  const informer = (lignes: string[]) =>
    sendMailInBackground({
      to: input.email,
      subject: "Votre demande de compte",
      text: ["Bonjour,", "", ...lignes, "", "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail."].join("\n"),
    });
  const existing = await findUserByEmail(database, input.email);
  if (existing) {
    informer([
      `Une demande de compte au Tableau de bord de l'apprentissage vient d'être envoyée avec cette adresse, pour « ${resolved.nom} ».`,
      "Un compte existe déjà pour cette adresse : aucune nouvelle demande n'est nécessaire.",
      `Connectez-vous : ${baseUrl}/connexion`,
      `Mot de passe oublié ? Choisissez-en un nouveau : ${baseUrl}/mot-de-passe-oublie`,
      ...(existing.disabledAt ? ["Ce compte est désactivé : adressez-vous à l'administrateur de votre organisation pour le réactiver."] : []),
    ]);
    return answer;
  }
  const [pending] = await database.db
    .select({ id: signupRequests.id })
    .from(signupRequests)
    .where(and(eq(signupRequests.email, input.email), eq(signupRequests.status, "en_attente")));
  if (pending) {
    informer([
      "Une demande de compte au Tableau de bord de l'apprentissage est déjà en attente de validation pour cette adresse : la nouvelle demande n'a pas été enregistrée.",
      "Vous recevrez un e-mail dès que la première aura été traitée.",
    ]);
    return answer;
  }
  await database.db.insert(signupRequests).values({
    email: input.email,
    nom: input.nom,
    prenom: input.prenom,
    fonction: input.fonction || null,
    organisationType: resolved.type,
    regionCode: resolved.regionCode,
    departementCode: resolved.departementCode,
    academieCode: resolved.academieCode,
    reseau: resolved.reseau,
    siret: resolved.siret,
    uai: resolved.uai,
    organismeId: resolved.organismeIds[0] ?? null,
    message: input.message || null,
  });
  // those who validate requests (national admins: traiteLesDemandesDeCompte), whose account is active
  const admins = await database.db
    .select({ email: users.email })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      and(
        eq(organisations.type, COMPTES_QUI_TRAITENT_LES_DEMANDES.organisationType),
        eq(users.role, COMPTES_QUI_TRAITENT_LES_DEMANDES.role),
        isNull(users.disabledAt),
      ),
    );
  for (const admin of admins) {
    sendMailInBackground({
      to: admin.email,
      subject: "Nouvelle demande de compte à valider",
      text: `Demande de ${input.prenom} ${input.nom} (${input.email}) pour « ${resolved.nom} » (${ORGANISATION_TYPE_LABELS[resolved.type]}).\nÀ valider dans Administration › Utilisateurs.`,
    });
  }
  return answer;
}

export interface SignupRequestRow {
  id: number;
  email: string;
  nom: string;
  prenom: string;
  fonction: string | null;
  organisationType: string;
  perimetre: string;
  message: string | null;
  status: SignupStatus;
  createdAt: string;
}


/**
 * The requests of a status, newest first; the scope named as the account page names it: territories by name (the
 * territory tables, as the dashboards load them), a CFA by its name and SIRET.
 */
export async function listSignupRequests(database: Database, status: SignupStatus = "en_attente", limit = 200, offset = 0): Promise<SignupRequestRow[]> {
  const [rows, t] = await Promise.all([
    database.db
      .select({ request: signupRequests, organisme: sql<string | null>`coalesce(${organismes.enseigne}, ${organismes.raisonSociale})` })
      .from(signupRequests)
      .leftJoin(organismes, eq(organismes.id, signupRequests.organismeId))
      .where(eq(signupRequests.status, status))
      .orderBy(desc(signupRequests.createdAt), desc(signupRequests.id))
      .limit(limit)
      .offset(offset),
    territoires(database),
  ]);
  const nomme = (prefixe: string, nom: string | undefined, code: string) => (nom ? `${prefixe} ${nom} (${code})` : `${prefixe} ${code}`);
  return rows.map(({ request: r, organisme }) => ({
    id: r.id,
    email: r.email,
    nom: r.nom,
    prenom: r.prenom,
    fonction: r.fonction,
    organisationType: r.organisationType,
    perimetre: r.regionCode
      ? nomme("Région", t.regions.get(r.regionCode), r.regionCode)
      : r.departementCode
        ? nomme("Département", t.departements.get(r.departementCode)?.nom, r.departementCode)
        : r.academieCode
          ? t.academies.has(r.academieCode)
            ? `${nomAcademie(t.academies.get(r.academieCode)!)} (${r.academieCode})`
            : `Académie ${r.academieCode}`
          : r.reseau
            ? `Réseau ${r.reseau}`
            : r.siret
              ? `${organisme ? `${organisme}, ` : ""}SIRET ${r.siret}${r.uai ? `, UAI ${r.uai}` : ""}`
              : "National",
    message: r.message,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** How many requests have this status (the list gives the most recent only). */
export async function countSignupRequests(database: Database, status: SignupStatus): Promise<number> {
  const [{ n }] = await database.db.select({ n: count() }).from(signupRequests).where(eq(signupRequests.status, status));
  return n;
}

/** The pending request of the form's `demandeId`; a failure when the id is malformed or the request is not pending. */
async function pendingRequest(database: Database, formData: FormData) {
  const parsed = idFormulaire(formData, "demandeId", "Demande de compte");
  if (!parsed.ok) return parsed;
  const [request] = await database.db.select().from(signupRequests).where(and(eq(signupRequests.id, parsed.id), eq(signupRequests.status, "en_attente")));
  return request ? { ok: true as const, request } : failure("Cette demande n'existe pas ou a déjà été traitée.");
}

/** The reason stored on a request closed because its address got an account another way. */
export const COMPTE_CREE_AUTREMENT = "Demande close : un compte a été créé pour cette adresse par un autre moyen (invitation, ligne de commande).";

/** Validation: organisation found or created, invitation e-mailed (admin role when it is the organisation's first user). */
export async function validateSignupRequest(
  database: Database,
  viewer: AuthenticatedViewer,
  baseUrl: string,
  formData: FormData,
): Promise<FormResult<{ message: string }>> {
  if (!traiteLesDemandesDeCompte(viewer)) return failure("Seuls les administrateurs nationaux valident les demandes de compte.");
  const pending = await pendingRequest(database, formData);
  if (!pending.ok) return pending;
  const { request } = pending;
  // an account was made for the address another way (an invitation, the CLI) since the request: nothing to invite
  const existant = await findUserByEmail(database, request.email);
  if (existant) {
    await database.db
      .update(signupRequests)
      .set({ status: "refusee", decidedAt: new Date(), decidedByUserId: viewer.userId, motifRefus: COMPTE_CREE_AUTREMENT })
      .where(eq(signupRequests.id, request.id));
    const organisation = await getOrganisation(database, existant.organisationId);
    return {
      ok: true,
      message:
        `Un compte existe déjà pour ${request.email} (${organisation?.nom ?? "organisation inconnue"}) : il a été créé depuis la demande, par une invitation ou en ligne de commande. ` +
        "La demande est close, aucune invitation n'a été envoyée.",
    };
  }
  try {
    const organisation = await findOrCreateOrganisation(database, { ...request, type: request.organisationType });
    const [member] = await database.db.select({ id: users.id }).from(users).where(eq(users.organisationId, organisation.id)).limit(1);
    const role = member ? "member" : "admin";
    await sendInvitation(database, baseUrl, { email: request.email, role, organisation, nom: request.nom, prenom: request.prenom });
    await database.db
      .update(signupRequests)
      .set({ status: "validee", decidedAt: new Date(), decidedByUserId: viewer.userId })
      .where(eq(signupRequests.id, request.id));
    return { ok: true, message: `Demande de ${request.email} validée : une invitation lui a été envoyée (${organisation.nom}).` };
  } catch (error) {
    if (error instanceof OrganisationError) return failure(error.message);
    throw error;
  }
}

export async function refuseSignupRequest(database: Database, viewer: AuthenticatedViewer, formData: FormData): Promise<FormResult<{ message: string }>> {
  if (!traiteLesDemandesDeCompte(viewer)) return failure("Seuls les administrateurs nationaux traitent les demandes de compte.");
  const pending = await pendingRequest(database, formData);
  if (!pending.ok) return pending;
  const { request } = pending;
  const motif = String(formData.get("motif") ?? "").trim().slice(0, 1000);
  if (!motif) return failure("Indiquez le motif du refus : il est envoyé au demandeur.", { motif: "Indiquez le motif du refus." });
  await database.db
    .update(signupRequests)
    .set({ status: "refusee", decidedAt: new Date(), decidedByUserId: viewer.userId, motifRefus: motif })
    .where(eq(signupRequests.id, request.id));
  await sendMail({
    to: request.email,
    subject: "Votre demande de compte",
    text: `Bonjour,\n\nVotre demande de compte au Tableau de bord de l'apprentissage n'a pas été acceptée.\nMotif : ${motif}`,
  });
  return { ok: true, message: `Demande de ${request.email} refusée.` };
}
