/**
 * Storage of the indicators (docs/decisions/003-stockage-des-statuts.md).
 *
 * - `statut_periodes`: for every effectif, the periods over which its état (statut + dropout bucket, see
 *   app/indicateurs/etats.ts) is constant, clipped to the counting window of its année scolaire, with the filter
 *   dimensions copied in (as of the last refresh). Exact counters at any date: count the periods covering it.
 * - `indicateurs_jours` + five `indicateurs_agregats_*` tables: counts per état at "materialised" days (month
 *   ends, today, tomorrow, and those two a year before: decision 018) at five grains, maintained on every write by
 *   set-based deltas.
 *
 * Unknown dimension values are sentinels, not nulls, so that they group and key like any value:
 * departement_code '' , niveau 0, annee_formation -1, sexe ''.
 * No foreign key to effectifs: deleting an effectif must go through `refreshStatutStorage(tx, ids)` so that the
 * aggregates are decremented (a cascade would delete the periods behind their back).
 */
import { boolean, date, index, integer, pgTable, primaryKey, smallint, timestamp, varchar } from "drizzle-orm/pg-core";

export const statutPeriodes = pgTable(
  "statut_periodes",
  {
    // fixed-width columns first (no alignment padding)
    effectifId: integer("effectif_id").notNull(),
    organismeFormateurId: integer("organisme_formateur_id").notNull(),
    organismeResponsableId: integer("organisme_responsable_id").notNull(),
    formationId: integer("formation_id"),
    debut: date("debut").notNull(),
    fin: date("fin").notNull(),
    /** INSCRIT / RUPTURANT: first day of the run of days without contract. */
    debutSansContrat: date("debut_sans_contrat"),
    dateDeNaissance: date("date_de_naissance").notNull(),
    /** 1..9, see ETAT in app/indicateurs/etats.ts */
    etat: smallint("etat").notNull(),
    /** European level, 0 = unknown */
    niveau: smallint("niveau").notNull(),
    /** -1 = unknown */
    anneeFormation: smallint("annee_formation").notNull(),
    rqth: boolean("rqth").notNull(),
    /** "M", "F" or "" */
    sexe: varchar("sexe", { length: 1 }).notNull(),
    /** Département of the organisme formateur, "" = unknown */
    departementCode: varchar("departement_code", { length: 3 }).notNull(),
  },
  (t) => [
    index("statut_periodes_effectif_idx").on(t.effectifId),
    // (dimension, fin): a period covering D has D ≤ fin ≤ D + 365 (it lies in one counting window), a bounded range
    index("statut_periodes_formateur_idx").on(t.organismeFormateurId, t.fin),
    index("statut_periodes_formation_idx").on(t.formationId, t.fin),
    index("statut_periodes_departement_idx").on(t.departementCode, t.fin),
  ],
);

/** Days whose aggregates exist and are kept current on every write. */
export const indicateursJours = pgTable("indicateurs_jours", {
  jour: date("jour").primaryKey(),
  construitLe: timestamp("construit_le", { withTimezone: true }).notNull().defaultNow(),
});

/** Smallest grain: territory only (national / régional / départemental figures, series). */
export const indicateursAgregatsDepartement = pgTable(
  "indicateurs_agregats_departement",
  {
    jour: date("jour").notNull(),
    etat: smallint("etat").notNull(),
    risque: boolean("risque").notNull(),
    departementCode: varchar("departement_code", { length: 3 }).notNull(),
    n: integer("n").notNull(),
  },
  (t) => [
    primaryKey({ name: "indicateurs_agregats_departement_pk", columns: [t.jour, t.departementCode, t.etat, t.risque] }),
  ],
);

/** Territory × learner and formation dimensions (niveau, année de formation, sexe, RQTH, age band). */
export const indicateursAgregatsDemographie = pgTable(
  "indicateurs_agregats_demographie",
  {
    jour: date("jour").notNull(),
    etat: smallint("etat").notNull(),
    niveau: smallint("niveau").notNull(),
    anneeFormation: smallint("annee_formation").notNull(),
    trancheAge: smallint("tranche_age").notNull(),
    rqth: boolean("rqth").notNull(),
    sexe: varchar("sexe", { length: 1 }).notNull(),
    departementCode: varchar("departement_code", { length: 3 }).notNull(),
    n: integer("n").notNull(),
  },
  (t) => [
    primaryKey({
      name: "indicateurs_agregats_demographie_pk",
      columns: [t.jour, t.departementCode, t.niveau, t.anneeFormation, t.sexe, t.rqth, t.trancheAge, t.etat],
    }),
  ],
);

/** Organisme formateur × responsable (organisme, réseau, nature, bassin filters; tables by organisme). */
export const indicateursAgregatsOrganisme = pgTable(
  "indicateurs_agregats_organisme",
  {
    jour: date("jour").notNull(),
    organismeFormateurId: integer("organisme_formateur_id").notNull(),
    organismeResponsableId: integer("organisme_responsable_id").notNull(),
    etat: smallint("etat").notNull(),
    risque: boolean("risque").notNull(),
    departementCode: varchar("departement_code", { length: 3 }).notNull(),
    n: integer("n").notNull(),
  },
  (t) => [
    primaryKey({
      name: "indicateurs_agregats_organisme_pk",
      columns: [t.jour, t.organismeFormateurId, t.organismeResponsableId, t.departementCode, t.etat, t.risque],
    }),
  ],
);

/** Formation (and its niveau) × état: national tables by formation, CFD / RNCP filters. */
export const indicateursAgregatsFormation = pgTable(
  "indicateurs_agregats_formation",
  {
    jour: date("jour").notNull(),
    /** 0 = no formation */
    formationId: integer("formation_id").notNull(),
    etat: smallint("etat").notNull(),
    niveau: smallint("niveau").notNull(),
    risque: boolean("risque").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [
    primaryKey({
      name: "indicateurs_agregats_formation_pk",
      columns: [t.jour, t.formationId, t.niveau, t.etat, t.risque],
    }),
  ],
);

/**
 * Département × formation (and its niveau) × état: tables by formation and niveau breakdowns under a territory
 * filter (a région's page), which the national formation aggregate cannot answer.
 */
export const indicateursAgregatsFormationDepartement = pgTable(
  "indicateurs_agregats_formation_departement",
  {
    jour: date("jour").notNull(),
    departementCode: varchar("departement_code", { length: 3 }).notNull(),
    /** 0 = no formation */
    formationId: integer("formation_id").notNull(),
    etat: smallint("etat").notNull(),
    niveau: smallint("niveau").notNull(),
    risque: boolean("risque").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [
    primaryKey({
      name: "indicateurs_agregats_formation_departement_pk",
      columns: [t.jour, t.departementCode, t.formationId, t.niveau, t.etat, t.risque],
    }),
  ],
);
