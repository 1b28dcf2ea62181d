/**
 * The user administration page: a national admin manages every account, organisation and sign-up request; an
 * organisation admin manages the accounts and invitations of their organisation.
 */
import { and, count, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { namedListAccessLog, NAMED_LISTS, users, type NamedList } from "../../db/schema";
import { searchUsers, type UserRow } from "./accounts.server";
import { failure, type FormResult } from "./forms.server";
import { pendingInvitations, type PendingInvitation } from "./invitations.server";
import { listOrganisations, territoryOptions, type TerritoryOptions } from "./organisations.server";
import { isNationalAdmin, isOrganisationAdmin, type AuthenticatedViewer } from "./policy.server";
import { destroyUserSessions } from "./session.server";
import { listSignupRequests, type SignupRequestRow } from "./signup.server";
import { pageNumber } from "../shared/pagination";

export interface AdminUsersPage {
  national: boolean;
  organisationNom: string;
  /** One page of the accounts matching `recherche`, and how many match in all. */
  users: UserRow[];
  recherche: { q: string; page: number; pages: number; total: number };
  invitations: PendingInvitation[];
  demandes: SignupRequestRow[];
  organisations: { id: number; nom: string; type: string }[];
  territories: TerritoryOptions | null;
}

export const COMPTES_PAR_PAGE = 50;

/** The accounts page: the viewer's accounts (all for a national admin), searched by `q`, `page` by `page`. */
export async function adminUsersPage(
  database: Database,
  viewer: AuthenticatedViewer,
  recherche: { q?: string; page?: number } = {},
): Promise<AdminUsersPage> {
  const national = isNationalAdmin(viewer);
  const scopeId = national ? undefined : viewer.user.organisationId;
  const q = (recherche.q ?? "").trim().slice(0, 200);
  const page = pageNumber(recherche.page);
  const [comptes, invitations, demandes, organisations, territories] = await Promise.all([
    searchUsers(database, { organisationId: scopeId, q, limit: COMPTES_PAR_PAGE, offset: (page - 1) * COMPTES_PAR_PAGE }),
    pendingInvitations(database, scopeId),
    national ? listSignupRequests(database) : Promise.resolve([]),
    national ? listOrganisations(database, { publicOnly: true }) : Promise.resolve([]),
    national ? territoryOptions(database) : Promise.resolve(null),
  ]);
  return {
    national,
    organisationNom: viewer.user.organisationNom,
    users: comptes.rows,
    recherche: { q, page, total: comptes.total, pages: Math.max(1, Math.ceil(comptes.total / COMPTES_PAR_PAGE)) },
    invitations,
    demandes,
    organisations: organisations.map((o) => ({ id: o.id, nom: o.nom, type: o.type })),
    territories,
  };
}

/** Disables or re-enables an account (its sessions end). Not one's own. */
export async function setUserDisabled(
  database: Database,
  viewer: AuthenticatedViewer,
  formData: FormData,
  disabled: boolean,
): Promise<FormResult<{ message: string }>> {
  const id = Number(formData.get("userId"));
  const [user] = Number.isSafeInteger(id) ? await database.db.select().from(users).where(eq(users.id, id)) : [];
  if (!user) return failure("Ce compte n'existe pas.");
  if (!isNationalAdmin(viewer) && !(isOrganisationAdmin(viewer) && user.organisationId === viewer.user.organisationId)) {
    return failure("Vous ne pouvez gérer que les comptes de votre organisation.");
  }
  if (user.id === viewer.userId) return failure("Vous ne pouvez pas désactiver votre propre compte.");
  await database.db.update(users).set({ disabledAt: disabled ? new Date() : null }).where(eq(users.id, id));
  if (disabled) await destroyUserSessions(database, id);
  return { ok: true, message: disabled ? `Compte ${user.email} désactivé : ses sessions sont fermées.` : `Compte ${user.email} réactivé.` };
}

// ------------------------------------------------------------------------------------------- audit log

export interface AuditFilters {
  email?: string;
  list?: NamedList;
  du?: string;
  au?: string;
  page: number;
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

export function parseAuditFilters(url: URL): AuditFilters {
  const date = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
  const list = url.searchParams.get("liste");
  return {
    email: url.searchParams.get("email")?.trim().toLowerCase() || undefined,
    list: (NAMED_LISTS as readonly string[]).includes(list ?? "") ? (list as NamedList) : undefined,
    du: date(url.searchParams.get("du")),
    au: date(url.searchParams.get("au")),
    page: pageNumber(url.searchParams.get("page"), 10_000),
  };
}

/** The audit log, newest first; national admins only. */
export async function listAuditLog(
  database: Database,
  viewer: AuthenticatedViewer,
  filters: AuditFilters,
): Promise<{ entries: AuditEntry[]; total: number; pageSize: number }> {
  if (!isNationalAdmin(viewer)) throw new Error("Le journal est réservé aux administrateurs nationaux.");
  const conditions: SQL[] = [];
  if (filters.email) conditions.push(sql`${namedListAccessLog.userEmail} like ${`%${filters.email.replace(/[%_\\]/g, "\\$&")}%`}`);
  if (filters.list) conditions.push(eq(namedListAccessLog.list, filters.list));
  if (filters.du) conditions.push(gte(namedListAccessLog.createdAt, new Date(`${filters.du}T00:00:00Z`)));
  if (filters.au) conditions.push(lt(namedListAccessLog.createdAt, new Date(new Date(`${filters.au}T00:00:00Z`).getTime() + 86_400_000)));
  const where = conditions.length ? and(...conditions) : undefined;
  const [{ total }] = await database.db.select({ total: count() }).from(namedListAccessLog).where(where);
  const rows = await database.db
    .select()
    .from(namedListAccessLog)
    .where(where)
    .orderBy(desc(namedListAccessLog.createdAt), desc(namedListAccessLog.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((filters.page - 1) * AUDIT_PAGE_SIZE);
  return {
    total,
    pageSize: AUDIT_PAGE_SIZE,
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
