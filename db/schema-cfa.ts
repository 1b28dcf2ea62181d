/**
 * Tables of the CFA space (issue 7). Re-exported by schema.ts (drizzle-kit reads only that file).
 *
 * `effectifs_archives`: every effectif removed by a CFA user (deleted as a duplicate or merged into another one),
 * with its full data as it was (effectif row, contracts, ERP statut history), the reason, who and when. It is the
 * audit log of the duplicates page and the merge log (operation "fusion": `effectif_conserve_id` is the effectif
 * kept, `champs_repris` the fields it took from the archived one). A suppression can be undone ("rétablir"): the
 * effectif is inserted again from `donnees` and the entry keeps when, who and why (`retabli_*`).
 *
 * Only lazy references to schema.ts tables here (`() => organismes.id`): schema.ts re-exports this module, so its
 * tables are not initialised yet when this module's body runs. No foreign key to effectifs: the archived effectif
 * no longer exists, and the kept one may be deleted later (the archive must survive both).
 */
import { sql } from "drizzle-orm";
import { check, date, index, integer, jsonb, pgTable, serial, text, timestamp, varchar } from "drizzle-orm/pg-core";
import { organismes } from "./schema";
import { users } from "./schema-auth";

export const OPERATIONS_ARCHIVE = ["suppression", "fusion"] as const;
export type OperationArchive = (typeof OPERATIONS_ARCHIVE)[number];

export const effectifsArchives = pgTable(
  "effectifs_archives",
  {
    id: serial("id").primaryKey(),
    operation: text("operation").$type<OperationArchive>().notNull(),
    /** Id the effectif had (it no longer exists). */
    effectifId: integer("effectif_id").notNull(),
    /** The CFA space the operation was made from. */
    organismeId: integer("organisme_id").references(() => organismes.id, { onDelete: "set null" }),
    organismeFormateurId: integer("organisme_formateur_id").notNull(),
    organismeResponsableId: integer("organisme_responsable_id").notNull(),
    anneeScolaire: varchar("annee_scolaire", { length: 9 }).notNull(),
    idErpApprenant: text("id_erp_apprenant").notNull(),
    nom: text("nom").notNull(),
    prenom: text("prenom").notNull(),
    dateDeNaissance: date("date_de_naissance").notNull(),
    /** `{ effectif, contrats, statutsErp }` as they were, column names as in the database. */
    donnees: jsonb("donnees").$type<Record<string, unknown>>().notNull(),
    motif: text("motif").notNull(),
    /** Fusion: the effectif that was kept (and completed). */
    effectifConserveId: integer("effectif_conserve_id"),
    /** Fusion: the fields the kept effectif took from this one. */
    champsRepris: text("champs_repris").array().notNull().default(sql`'{}'::text[]`),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    /** Copied so the entry survives the account. */
    userEmail: text("user_email").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Suppression undone from the duplicates page (the effectif is back, its ERP's resends accepted): when. */
    retabliAt: timestamp("retabli_at", { withTimezone: true }),
    /** Who restored it (e-mail copied, like user_email) and why. */
    retabliPar: text("retabli_par"),
    motifRetablissement: text("motif_retablissement"),
  },
  (t) => [
    index("effectifs_archives_organisme_idx").on(t.organismeId, t.createdAt),
    index("effectifs_archives_formateur_idx").on(t.organismeFormateurId, t.anneeScolaire, t.idErpApprenant),
    check("effectifs_archives_operation_check", sql`${t.operation} in ('suppression','fusion')`),
    check("effectifs_archives_fusion_check", sql`${t.operation} <> 'fusion' or ${t.effectifConserveId} is not null`),
  ],
);
