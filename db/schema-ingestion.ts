/**
 * Tables of the ingestion (issue 3): the organismes' API keys and the short-lived upload records of the
 * "téléversement" page, and the API's rate limits. Re-exported by schema.ts (drizzle-kit reads only that file).
 *
 * Only lazy references to schema.ts tables here (`() => organismes.id`): schema.ts re-exports this module, so
 * its tables are not initialised yet when this module's body runs.
 */
import { sql } from "drizzle-orm";
import { doublePrecision, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { organismes, transmissions } from "./schema";

/**
 * One active key per organisme (a new key revokes the previous one). Only the SHA-256 of the key is stored; the
 * key itself is shown once, when it is issued. `prefix` (the first characters) lets people tell keys apart.
 */
export const organismeApiKeys = pgTable(
  "organisme_api_keys",
  {
    id: serial("id").primaryKey(),
    organismeId: integer("organisme_id")
      .notNull()
      .references(() => organismes.id, { onDelete: "cascade" }),
    /** Hex SHA-256 of the whole key. */
    keyHash: varchar("key_hash", { length: 64 }).notNull(),
    /** First characters of the key, for display ("tdba_Xy12…"). */
    prefix: varchar("prefix", { length: 16 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** "remplacee", "revoquee" (CLI) or "inutilisee" (12 months without use). */
    revokedReason: text("revoked_reason"),
  },
  (t) => [
    uniqueIndex("organisme_api_keys_hash_key").on(t.keyHash),
    uniqueIndex("organisme_api_keys_active_key").on(t.organismeId).where(sql`${t.revokedAt} is null`),
  ],
);

export type UploadCell = string;

/**
 * A file uploaded on /televersement, between its upload and its import (mapping and preview steps read it back).
 * Purged 24 hours after its upload by the ingestion job.
 */
export const televersements = pgTable(
  "televersements",
  {
    /** Random, unguessable (base64url of 16 bytes). */
    id: varchar("id", { length: 32 }).primaryKey(),
    organismeId: integer("organisme_id")
      .notNull()
      .references(() => organismes.id, { onDelete: "cascade" }),
    /** The uploader (accounts' user id) when known. */
    userId: integer("user_id"),
    fileName: text("file_name").notNull(),
    format: text("format").$type<"CSV" | "XLSX">().notNull(),
    erp: text("erp"),
    headers: jsonb("headers").$type<string[]>().notNull(),
    rows: jsonb("rows").$type<UploadCell[][]>().notNull(),
    /** Names of the file's columns dropped as the NIR's (by their name or their values): the names only, never a value. */
    nirColumns: jsonb("nir_columns").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /**
     * How the table was read (decision 026): the sheet read and those ignored, the header row's line, the columns
     * without a name. Names and line numbers only, never a value; null for the uploads made before it was kept.
     */
    lecture: jsonb("lecture").$type<{
      feuille?: { nom: string; masquee: boolean; ignorees: { nom: string; masquee: boolean }[] };
      ligneEntete: number | null;
      colonnesSansNom: number[];
    }>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    importedAt: timestamp("imported_at", { withTimezone: true }),
    transmissionId: integer("transmission_id").references(() => transmissions.id, { onDelete: "set null" }),
  },
  (t) => [index("televersements_created_idx").on(t.createdAt)],
);

/**
 * The API's rate limits, shared by every server process (and kept across restarts): a token bucket per API key
 * (`cle` = "cle:<key id>", `valeur` = tokens left at `depuis`) and the failed authentications per client IP
 * (`cle` = "ip:<address>", `valeur` = failures counted since `depuis`, the start of the window). Rows idle for a
 * day are deleted by the ingestion job.
 */
export const apiLimites = pgTable("api_limites", {
  cle: text("cle").primaryKey(),
  valeur: doublePrecision("valeur").notNull(),
  depuis: timestamp("depuis", { withTimezone: true }).notNull(),
});

/**
 * The learners whose last dossier sent by an organisme was refused, and not accepted since (decision 033): one row
 * per (sending organisme, id_erp_apprenant), the latest refusal. A later transmission of the same organisme that
 * accepts this id (written or identical to what was stored) deletes it. The CFA space tells so which refused dossiers
 * are still to fix and marks the others « corrigé depuis ». Rows older than the errors' retention (30 days) go with
 * them (ingestion:purge).
 */
export const dossiersRefuses = pgTable(
  "dossiers_refuses",
  {
    organismeId: integer("organisme_id")
      .notNull()
      .references(() => organismes.id, { onDelete: "cascade" }),
    idErpApprenant: text("id_erp_apprenant").notNull(),
    transmissionId: integer("transmission_id")
      .notNull()
      .references(() => transmissions.id, { onDelete: "cascade" }),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.organismeId, t.idErpApprenant] }), index("dossiers_refuses_transmission_idx").on(t.transmissionId)],
);
