/**
 * The user administration page: a national admin manages every account, organisation and sign-up request; an
 * organisation admin manages the accounts and invitations of their organisation.
 */
import { z } from "zod";
import { and, count, desc, eq, isNull, ne, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { namedListAccessLog, NAMED_LISTS, organisations, USER_ROLES, users, type NamedList, type UserRole } from "../../db/schema";
import { searchUsers, type UserRow } from "./accounts.server";
import { failure, intentInconnue, type FormFailure, type FormResult } from "./forms.server";
import { idFormulaire, pendingInvitations, type PendingInvitation } from "./invitations.server";
import { listOrganisations, territoryOptions, type TerritoryOptions } from "./organisations.server";
import { gereLesComptesDe, isNationalAdmin, lisLeJournalDesAcces, type AuthenticatedViewer } from "./policy.server";
import { destroyUserSessions } from "./session.server";
import { closeInvitationsSentBy } from "./tokens.server";
import { countSignupRequests, listSignupRequests, type SignupRequestRow } from "./signup.server";
import { pageNumber, pageOf, pageOrLast } from "../shared/pagination";
import { pageParam, parseQueryLenient } from "../referentiel/filtres.server";
import { isIsoDate } from "../statut/days";
import { dateIsoEnFrancais } from "../ui/format";
import { debutJourParis, finJourParis } from "../shared/jours-paris.server";
import { NAMED_LIST_LABELS, ROLE_LABELS } from "./labels";

export interface AdminUsersPage {
  national: boolean;
  organisationNom: string;
  /** One page of the accounts matching `recherche`, and how many match in all. */
  users: UserRow[];
  recherche: { q: string; page: number; pages: number; total: number };
  invitations: PendingInvitation[];
  /** One page of the pending sign-up requests (DEMANDES_PAR_PAGE, most recent first), and how many are pending in all. */
  demandes: SignupRequestRow[];
  demandesTotal: number;
  /** The page of requests shown (`demandes` in the address) and the number of pages. */
  demandesPagination: { page: number; pages: number; parPage: number };
  organisations: { id: number; nom: string; type: string }[];
  territories: TerritoryOptions | null;
}

export const COMPTES_PAR_PAGE = 50;

/** The pending sign-up requests per page (the most recent first; the heading gives how many are pending). */
export const DEMANDES_PAR_PAGE = 50;

/** The accounts' search in the page's address: `q`, and `page` from 1; `demandes`: the page of pending requests. */
const RECHERCHE_COMPTES = z.object({ q: z.string().optional(), page: pageParam, demandes: pageParam.describe("Page des demandes de compte, à partir de 1") });

/** Reads the accounts' search: a bad value is reported (French) and left out, the rest applies. */
export function parseRechercheComptes(params: URLSearchParams): { recherche: z.output<typeof RECHERCHE_COMPTES>; errors: string[] } {
  const { value, errors } = parseQueryLenient(RECHERCHE_COMPTES, params);
  return { recherche: value, errors };
}

/** The accounts page: the viewer's accounts (all for a national admin), searched by `q`, `page` by `page`. */
export async function adminUsersPage(
  database: Database,
  viewer: AuthenticatedViewer,
  recherche: { q?: string; page?: number; demandes?: number } = {},
): Promise<AdminUsersPage> {
  const national = isNationalAdmin(viewer);
  const scopeId = national ? undefined : viewer.user.organisationId;
  const q = (recherche.q ?? "").trim().slice(0, 200);
  const demandee = pageNumber(recherche.page);
  // a page past the end gives the last page (`recherche.page` says which), as every paged list of the app
  const chargerComptes = async (page: number) => {
    const { rows, total } = await searchUsers(database, { organisationId: scopeId, q, limit: COMPTES_PAR_PAGE, offset: (page - 1) * COMPTES_PAR_PAGE });
    return pageOf(rows, total, page, COMPTES_PAR_PAGE);
  };
  const chargerDemandes = async (page: number) => {
    const [rows, total] = await Promise.all([
      listSignupRequests(database, "en_attente", DEMANDES_PAR_PAGE, (page - 1) * DEMANDES_PAR_PAGE),
      countSignupRequests(database, "en_attente"),
    ]);
    return pageOf(rows, total, page, DEMANDES_PAR_PAGE);
  };
  const [comptes, invitations, demandes, organisations, territories] = await Promise.all([
    pageOrLast(demandee, chargerComptes),
    pendingInvitations(database, scopeId),
    national ? pageOrLast(pageNumber(recherche.demandes), chargerDemandes) : Promise.resolve(pageOf<SignupRequestRow>([], 0, 1, DEMANDES_PAR_PAGE)),
    national ? listOrganisations(database, { publicOnly: true }) : Promise.resolve([]),
    national ? territoryOptions(database) : Promise.resolve(null),
  ]);
  return {
    national,
    organisationNom: viewer.user.organisationNom,
    users: comptes.data,
    recherche: { q, page: comptes.pagination.page, total: comptes.pagination.total, pages: comptes.pagination.pages },
    invitations,
    demandes: demandes.data,
    demandesTotal: demandes.pagination.total,
    demandesPagination: { page: demandes.pagination.page, pages: demandes.pagination.pages, parPage: demandes.pagination.limit },
    organisations: organisations.map((o) => ({ id: o.id, nom: o.nom, type: o.type })),
    territories,
  };
}

/** The forms of the accounts page, and the id field each one sends (hidden: the page writes it). */
const ADMIN_INTENTS: Record<string, { champ: string; libelle: string; facultatif?: boolean } | null> = {
  inviter: { champ: "organisationId", libelle: "Organisation", facultatif: true },
  "annuler-invitation": { champ: "invitationId", libelle: "Invitation" },
  "valider-demande": { champ: "demandeId", libelle: "Demande de compte" },
  "refuser-demande": { champ: "demandeId", libelle: "Demande de compte" },
  desactiver: { champ: "userId", libelle: "Compte" },
  "changer-role": { champ: "userId", libelle: "Compte" },
  reactiver: { champ: "userId", libelle: "Compte" },
};

/**
 * What the accounts page's action refuses before doing anything (a 400: the page never sends it, the form was
 * tampered with): an unknown intent, an id that is not a positive integer of the database's
 * range. Null when the form is well-formed (its values are then checked by the intent's function).
 */
export function adminFormMalforme(intent: string, formData: FormData): FormFailure | null {
  const inconnue = intentInconnue(intent, Object.keys(ADMIN_INTENTS));
  if (inconnue) return inconnue;
  const spec = ADMIN_INTENTS[intent];
  if (!spec) return null;
  const raw = formData.get(spec.champ);
  if (spec.facultatif && (raw === null || (typeof raw === "string" && raw.trim() === ""))) return null;
  const parsed = idFormulaire(formData, spec.champ, spec.libelle);
  return parsed.ok ? null : parsed;
}

type Executor = Parameters<Parameters<Database["db"]["transaction"]>[0]>[0];

/**
 * The account of the form's `userId` if the viewer administers it (gereLesComptesDe), else the failure to answer.
 * An organisation's admin gets the same answer for an unknown account and another organisation's: the ids of the
 * other organisations' accounts are not told.
 */
async function compteGere(database: Database, viewer: AuthenticatedViewer, formData: FormData) {
  const parsed = idFormulaire(formData, "userId", "Compte");
  if (!parsed.ok) return parsed;
  const [user] = await database.db.select().from(users).where(eq(users.id, parsed.id));
  if (!user || !gereLesComptesDe(viewer, user.organisationId)) {
    return failure(isNationalAdmin(viewer) ? "Ce compte n'existe pas." : "Ce compte n'existe pas dans votre organisation : vous ne pouvez gérer que ses comptes.");
  }
  return { ok: true as const, user };
}

/**
 * Whether `userId` is the last active (not disabled) admin of its organisation: nobody would be left to administer
 * its accounts. Locks the organisation's row first, so that two admins disabling (or demoting) each other at once
 * cannot both succeed.
 */
async function dernierAdministrateurActif(tx: Executor, organisationId: number, userId: number): Promise<boolean> {
  await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, organisationId)).for("update");
  const [{ autres }] = await tx
    .select({ autres: count() })
    .from(users)
    .where(and(eq(users.organisationId, organisationId), eq(users.role, "admin"), isNull(users.disabledAt), ne(users.id, userId)));
  return autres === 0;
}

const DERNIER_ADMINISTRATEUR = (email: string, action: string) =>
  `${email} est le seul administrateur actif de son organisation : ${action}, elle n'aurait plus personne pour gérer ses comptes. ` +
  "Donnez d'abord le rôle d'administrateur à un autre de ses comptes actifs.";

/** Disables or re-enables an account (its sessions end). Not one's own, nor the last active admin of an organisation. */
export async function setUserDisabled(
  database: Database,
  viewer: AuthenticatedViewer,
  formData: FormData,
  disabled: boolean,
): Promise<FormResult<{ message: string }>> {
  const compte = await compteGere(database, viewer, formData);
  if (!compte.ok) return compte;
  const { user } = compte;
  if (user.id === viewer.userId) return failure("Vous ne pouvez pas désactiver votre propre compte.");
  const refus = await database.db.transaction(async (tx) => {
    if (disabled && user.role === "admin" && (await dernierAdministrateurActif(tx, user.organisationId, user.id))) {
      return DERNIER_ADMINISTRATEUR(user.email, "le désactiver");
    }
    await tx.update(users).set({ disabledAt: disabled ? new Date() : null }).where(eq(users.id, user.id));
    return null;
  });
  if (refus) return failure(refus);
  if (!disabled) return { ok: true, message: `Compte ${user.email} réactivé.` };
  await destroyUserSessions(database, user.id);
  // the invitations it sent were its authority: a disabled account's pending invitations stop working
  const annulees = await closeInvitationsSentBy(database.db, user.id);
  const invitations = annulees ? ` et ${annulees > 1 ? `ses ${annulees} invitations en attente annulées` : "son invitation en attente annulée"}` : "";
  return { ok: true, message: `Compte ${user.email} désactivé : ses sessions sont fermées${invitations}.` };
}

/**
 * Changes an account's role (member ↔ admin of its organisation). Not one's own; an organisation keeps at least one
 * active admin.
 */
export async function setUserRole(database: Database, viewer: AuthenticatedViewer, formData: FormData): Promise<FormResult<{ message: string }>> {
  const compte = await compteGere(database, viewer, formData);
  if (!compte.ok) return compte;
  const { user } = compte;
  const role = String(formData.get("role") ?? "");
  if (!(USER_ROLES as readonly string[]).includes(role)) {
    const message = `Rôle : « ${role.slice(0, 40)} » n'est pas un rôle ; valeurs possibles : ${USER_ROLES.map((r) => `${ROLE_LABELS[r]} (${r})`).join(", ")}.`;
    return failure(message, { role: message });
  }
  const nouveau = role as UserRole;
  if (user.id === viewer.userId) return failure("Vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur.");
  if (user.role === nouveau) return { ok: true, message: `${user.email} a déjà le rôle « ${ROLE_LABELS[nouveau]} » : rien n'a changé.` };
  const refus = await database.db.transaction(async (tx) => {
    if (nouveau === "member" && !user.disabledAt && (await dernierAdministrateurActif(tx, user.organisationId, user.id))) {
      return DERNIER_ADMINISTRATEUR(user.email, "lui retirer ce rôle");
    }
    await tx.update(users).set({ role: nouveau }).where(eq(users.id, user.id));
    return null;
  });
  if (refus) return failure(refus);
  return { ok: true, message: `Rôle de ${user.email} changé : « ${ROLE_LABELS[user.role]} » devient « ${ROLE_LABELS[nouveau]} ».` };
}

// ------------------------------------------------------------------------------------------- audit log

export interface AuditFilters {
  email?: string;
  list?: NamedList;
  du?: string;
  au?: string;
  page: number;
  /** French messages of the fields holding a bad value (the value is then ignored; the page answers 400). */
  errors: { liste?: string; du?: string; au?: string };
  /** What was typed in the date fields, valid or not (the form shows it back). */
  saisie: { du: string; au: string };
}

export interface AuditEntry {
  id: number;
  createdAt: string;
  userEmail: string;
  organisationType: string;
  list: NamedList;
  action: "view" | "download";
  filters: Record<string, unknown>;
  rowCount: number;
}

export const AUDIT_PAGE_SIZE = 50;

/** The years a journal date may take (the log only holds this application's years; Postgres and Date agree on them). */
const ANNEE_MIN = 1900;
const ANNEE_MAX = 2999;

/**
 * A date field of the journal's filters, as the date field sends it (AAAA-MM-JJ) or as one types it (JJ/MM/AAAA):
 * the ISO date, or the French message saying what is wrong with it.
 */
function auditDate(label: "Du" | "Au", value: string | null): { date?: string; error?: string } {
  const saisie = value?.trim() ?? "";
  if (!saisie) return {};
  const francaise = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(saisie);
  const v = francaise ? `${francaise[3]}-${francaise[2].padStart(2, "0")}-${francaise[1].padStart(2, "0")}` : saisie;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !isIsoDate(v)) {
    return {
      error: `${label} : « ${saisie.slice(0, 40)} » n'est pas une date (jour, mois et année existants attendus, au format JJ/MM/AAAA, par exemple 31/03/2026, ou AAAA-MM-JJ).`,
    };
  }
  const year = Number(v.slice(0, 4));
  if (year < ANNEE_MIN || year > ANNEE_MAX) {
    return { error: `${label} : « ${v} » est hors de la période possible (du 01/01/${ANNEE_MIN} au 31/12/${ANNEE_MAX}).` };
  }
  return { date: v };
}

/** The journal's filters from its URL; a bad list or date is reported (French, naming the field) and ignored. */
export function parseAuditFilters(url: URL): AuditFilters {
  const list = url.searchParams.get("liste")?.trim() ?? "";
  const du = auditDate("Du", url.searchParams.get("du"));
  const au = auditDate("Au", url.searchParams.get("au"));
  const errors: AuditFilters["errors"] = {};
  const listeConnue = (NAMED_LISTS as readonly string[]).includes(list);
  if (list && !listeConnue) {
    const valeurs = NAMED_LISTS.map((l) => `${NAMED_LIST_LABELS[l]} (${l})`).join(", ");
    errors.liste = `Liste : « ${list.slice(0, 40)} » n'est pas une liste nominative ; valeurs possibles : ${valeurs}.`;
  }
  if (du.error) errors.du = du.error;
  if (au.error) errors.au = au.error;
  if (du.date && au.date && au.date < du.date) {
    errors.au = `Au : le ${dateIsoEnFrancais(au.date)} est avant la date de début (${dateIsoEnFrancais(du.date)}).`;
    au.date = undefined;
  }
  return {
    email: url.searchParams.get("email")?.trim().toLowerCase() || undefined,
    list: listeConnue ? (list as NamedList) : undefined,
    du: du.date,
    au: au.date,
    page: pageNumber(url.searchParams.get("page"), 10_000),
    errors,
    // a date read is shown back as the date field takes it (AAAA-MM-JJ: « 07/12/2026 » would show an empty field)
    saisie: { du: du.date ?? (url.searchParams.get("du") ?? "").slice(0, 40), au: au.date ?? (url.searchParams.get("au") ?? "").slice(0, 40) },
  };
}

/**
 * The audit log, newest first; national admins only. The dates are Paris days (the times shown are Paris time):
 * « du 31/03 » starts at midnight in Paris, not in UTC. A page past the end gives the last page (`page` says which),
 * as every paged list of the app.
 */
export async function listAuditLog(
  database: Database,
  viewer: AuthenticatedViewer,
  filters: AuditFilters,
): Promise<{ entries: AuditEntry[]; total: number; pageSize: number; page: number; pages: number }> {
  if (!lisLeJournalDesAcces(viewer)) throw new Error("Le journal est réservé aux administrateurs nationaux.");
  const conditions: SQL[] = [];
  if (filters.email) conditions.push(sql`${namedListAccessLog.userEmail} like ${`%${filters.email.replace(/[%_\\]/g, "\\$&")}%`}`);
  if (filters.list) conditions.push(eq(namedListAccessLog.list, filters.list));
  if (filters.du) conditions.push(sql`${namedListAccessLog.createdAt} >= ${debutJourParis(filters.du)}`);
  if (filters.au) conditions.push(sql`${namedListAccessLog.createdAt} < ${finJourParis(filters.au)}`);
  const where = conditions.length ? and(...conditions) : undefined;
  const [{ total }] = await database.db.select({ total: count() }).from(namedListAccessLog).where(where);
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const page = Math.min(filters.page, pages);
  const rows = await database.db
    .select()
    .from(namedListAccessLog)
    .where(where)
    .orderBy(desc(namedListAccessLog.createdAt), desc(namedListAccessLog.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((page - 1) * AUDIT_PAGE_SIZE);
  return {
    total,
    pageSize: AUDIT_PAGE_SIZE,
    page,
    pages,
    entries: rows.map((r) => ({
      id: r.id,
      createdAt: r.createdAt.toISOString(),
      userEmail: r.userEmail,
      organisationType: r.organisationType,
      list: r.list,
      action: r.action,
      filters: r.filters,
      rowCount: r.rowCount,
    })),
  };
}
