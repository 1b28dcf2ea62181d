/**
 * Accounts and access (issue 6): organisations and their scope, users, sessions, single-use tokens (password
 * reset, invitation), sign-up requests, login attempts (throttling) and the audit log of named lists.
 * Secrets are never stored in clear: passwords are scrypt hashes, session ids and tokens are SHA-256 hashes.
 */
import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { academies, departements, organismes, regions } from "./schema";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const ORGANISATION_TYPES = [
  "ADMINISTRATEUR",
  "OPERATEUR_PUBLIC_NATIONAL",
  "DREETS",
  "DRAAF",
  "CONSEIL_REGIONAL",
  "CARIF_OREF_REGIONAL",
  "ACADEMIE",
  "DDETS",
  "TETE_DE_RESEAU",
  "ORGANISME_FORMATION",
] as const;
export type AccountOrganisationType = (typeof ORGANISATION_TYPES)[number];

export const USER_ROLES = ["admin", "member"] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * An organisation and its scope: one column per kind of scope, the one its type needs is set and the others
 * are null (checked below). ORGANISME_FORMATION: the organisme's SIRET, and its UAI when the SIRET carries
 * several.
 */
export const organisations = pgTable(
  "organisations",
  {
    id: serial("id").primaryKey(),
    type: text("type").$type<AccountOrganisationType>().notNull(),
    nom: text("nom").notNull(),
    regionCode: varchar("region_code", { length: 3 }).references(() => regions.code),
    departementCode: varchar("departement_code", { length: 3 }).references(() => departements.code),
    academieCode: varchar("academie_code", { length: 2 }).references(() => academies.code),
    reseau: text("reseau"),
    siret: varchar("siret", { length: 14 }),
    uai: varchar("uai", { length: 8 }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("organisations_scope_key").on(
      t.type,
      sql`coalesce(${t.regionCode}, '')`,
      sql`coalesce(${t.departementCode}, '')`,
      sql`coalesce(${t.academieCode}, '')`,
      sql`coalesce(${t.reseau}, '')`,
      sql`coalesce(${t.siret}, '')`,
      sql`coalesce(${t.uai}, '')`,
    ),
    check(
      "organisations_type_check",
      sql`${t.type} in ('ADMINISTRATEUR','OPERATEUR_PUBLIC_NATIONAL','DREETS','DRAAF','CONSEIL_REGIONAL','CARIF_OREF_REGIONAL','ACADEMIE','DDETS','TETE_DE_RESEAU','ORGANISME_FORMATION')`,
    ),
    check(
      "organisations_scope_check",
      sql`case
        when ${t.type} in ('ADMINISTRATEUR','OPERATEUR_PUBLIC_NATIONAL')
          then num_nonnulls(${t.regionCode}, ${t.departementCode}, ${t.academieCode}, ${t.reseau}, ${t.siret}, ${t.uai}) = 0
        when ${t.type} in ('DREETS','DRAAF','CONSEIL_REGIONAL','CARIF_OREF_REGIONAL')
          then ${t.regionCode} is not null and num_nonnulls(${t.departementCode}, ${t.academieCode}, ${t.reseau}, ${t.siret}, ${t.uai}) = 0
        when ${t.type} = 'ACADEMIE'
          then ${t.academieCode} is not null and num_nonnulls(${t.regionCode}, ${t.departementCode}, ${t.reseau}, ${t.siret}, ${t.uai}) = 0
        when ${t.type} = 'DDETS'
          then ${t.departementCode} is not null and num_nonnulls(${t.regionCode}, ${t.academieCode}, ${t.reseau}, ${t.siret}, ${t.uai}) = 0
        when ${t.type} = 'TETE_DE_RESEAU'
          then ${t.reseau} is not null and num_nonnulls(${t.regionCode}, ${t.departementCode}, ${t.academieCode}, ${t.siret}, ${t.uai}) = 0
        else ${t.siret} is not null and num_nonnulls(${t.regionCode}, ${t.departementCode}, ${t.academieCode}, ${t.reseau}) = 0
      end`,
    ),
  ],
);

export const users = pgTable(
  "users",
  {
    id: serial("id").primaryKey(),
    /** Stored lowercased. */
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    nom: text("nom").notNull().default(""),
    prenom: text("prenom").notNull().default(""),
    organisationId: integer("organisation_id")
      .notNull()
      .references(() => organisations.id),
    role: text("role").$type<UserRole>().notNull().default("member"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    index("users_organisation_idx").on(t.organisationId),
    check("users_role_check", sql`${t.role} in ('admin','member')`),
    check("users_email_lower_check", sql`${t.email} = lower(${t.email})`),
  ],
);

/** A login session: `id` is the SHA-256 (hex) of the cookie's random token. */
export const sessions = pgTable(
  "sessions",
  {
    id: varchar("id", { length: 64 }).primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The CSRF token of every form of this session. */
    csrfToken: text("csrf_token").notNull(),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

export const TOKEN_KINDS = ["reinitialisation", "invitation"] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/**
 * Single-use e-mailed tokens: a password reset (user_id set) or an invitation to create an account in an
 * organisation (organisation_id + role set; nom/prenom pre-filled from a validated sign-up request).
 */
export const authTokens = pgTable(
  "auth_tokens",
  {
    id: serial("id").primaryKey(),
    tokenHash: varchar("token_hash", { length: 64 }).notNull(),
    kind: text("kind").$type<TokenKind>().notNull(),
    email: text("email").notNull(),
    userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
    organisationId: integer("organisation_id").references(() => organisations.id, { onDelete: "cascade" }),
    role: text("role").$type<UserRole>(),
    nom: text("nom"),
    prenom: text("prenom"),
    createdByUserId: integer("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("auth_tokens_hash_key").on(t.tokenHash),
    index("auth_tokens_email_idx").on(t.email),
    check("auth_tokens_kind_check", sql`${t.kind} in ('reinitialisation','invitation')`),
    check(
      "auth_tokens_target_check",
      sql`(${t.kind} = 'reinitialisation' and ${t.userId} is not null) or (${t.kind} = 'invitation' and ${t.organisationId} is not null and ${t.role} is not null)`,
    ),
  ],
);

export const SIGNUP_STATUSES = ["en_attente", "validee", "refusee"] as const;
export type SignupStatus = (typeof SIGNUP_STATUSES)[number];

/** A CFA (found by SIRET/UAI) or a public officer (type + territory) asking for an account. */
export const signupRequests = pgTable(
  "signup_requests",
  {
    id: serial("id").primaryKey(),
    email: text("email").notNull(),
    nom: text("nom").notNull(),
    prenom: text("prenom").notNull(),
    fonction: text("fonction"),
    organisationType: text("organisation_type").$type<AccountOrganisationType>().notNull(),
    regionCode: varchar("region_code", { length: 3 }).references(() => regions.code),
    departementCode: varchar("departement_code", { length: 3 }).references(() => departements.code),
    academieCode: varchar("academie_code", { length: 2 }).references(() => academies.code),
    reseau: text("reseau"),
    siret: varchar("siret", { length: 14 }),
    uai: varchar("uai", { length: 8 }),
    organismeId: integer("organisme_id").references(() => organismes.id, { onDelete: "set null" }),
    message: text("message"),
    status: text("status").$type<SignupStatus>().notNull().default("en_attente"),
    decidedByUserId: integer("decided_by_user_id").references(() => users.id, { onDelete: "set null" }),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    motifRefus: text("motif_refus"),
    createdAt: createdAt(),
  },
  (t) => [
    index("signup_requests_status_idx").on(t.status, t.createdAt),
    check("signup_requests_status_check", sql`${t.status} in ('en_attente','validee','refusee')`),
  ],
);

export const ATTEMPT_KINDS = ["connexion", "reinitialisation", "inscription"] as const;
export type AttemptKind = (typeof ATTEMPT_KINDS)[number];

/** Login (and reset / sign-up) attempts, for throttling. Kept one day. */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: serial("id").primaryKey(),
    kind: text("kind").$type<AttemptKind>().notNull(),
    /** The lowercased e-mail tried. */
    identifier: text("identifier").notNull(),
    ip: text("ip"),
    success: boolean("success").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("login_attempts_identifier_idx").on(t.kind, t.identifier, t.createdAt), index("login_attempts_ip_idx").on(t.kind, t.ip, t.createdAt)],
);

export const NAMED_LISTS = ["sans_contrat", "rupturants", "abandons", "tous"] as const;
export type NamedList = (typeof NAMED_LISTS)[number];

/** Every view or download of a named list: who, when, which list, which filters, how many rows. */
export const namedListAccessLog = pgTable(
  "named_list_access_log",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    /** Copied so the entry survives the account. */
    userEmail: text("user_email").notNull(),
    organisationId: integer("organisation_id").references(() => organisations.id, { onDelete: "set null" }),
    organisationType: text("organisation_type").notNull(),
    list: text("list").$type<NamedList>().notNull(),
    action: text("action").$type<"view" | "download">().notNull(),
    filters: jsonb("filters").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    rowCount: integer("row_count").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("named_list_access_log_created_idx").on(t.createdAt),
    index("named_list_access_log_user_idx").on(t.userId, t.createdAt),
    check("named_list_access_log_action_check", sql`${t.action} in ('view','download')`),
    check("named_list_access_log_list_check", sql`${t.list} in ('sans_contrat','rupturants','abandons','tous')`),
  ],
);
