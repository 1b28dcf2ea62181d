/**
 * The data model. One name for one thing: the French domain words of docs/domain.md
 * (organisme, formation, effectif, contrat, transmission) are table names too.
 * Dates are `date` (mode string, "YYYY-MM-DD"), instants `timestamptz`.
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

// ---------------------------------------------------------------------------------------------- territories

export const regions = pgTable("regions", {
  code: varchar("code", { length: 3 }).primaryKey(),
  nom: text("nom").notNull(),
});

export const academies = pgTable("academies", {
  code: varchar("code", { length: 2 }).primaryKey(),
  nom: text("nom").notNull(),
});

export const departements = pgTable("departements", {
  code: varchar("code", { length: 3 }).primaryKey(),
  nom: text("nom").notNull(),
  regionCode: varchar("region_code", { length: 3 }).notNull().references(() => regions.code),
  academieCode: varchar("academie_code", { length: 2 }).notNull().references(() => academies.code),
});

/** INSEE "zones d'emploi 2020"; filled by `import:bassins`. */
export const bassinsEmploi = pgTable("bassins_emploi", {
  code: varchar("code", { length: 4 }).primaryKey(),
  libelle: text("libelle").notNull(),
});

export const communes = pgTable(
  "communes",
  {
    code: varchar("code", { length: 5 }).primaryKey(),
    nom: text("nom").notNull(),
    departementCode: varchar("departement_code", { length: 3 }).notNull().references(() => departements.code),
    regionCode: varchar("region_code", { length: 3 }).notNull().references(() => regions.code),
    academieCode: varchar("academie_code", { length: 2 }).notNull().references(() => academies.code),
    bassinEmploiCode: varchar("bassin_emploi_code", { length: 4 }),
    codesPostaux: text("codes_postaux").array().notNull().default(sql`'{}'::text[]`),
    /** commune-actuelle, arrondissement-municipal, commune-deleguee, commune-associee */
    type: text("type").notNull(),
    /** The name folded as searches read a text (fold_fr): the répertoire finds an organisme by its commune (decision 038). */
    recherche: text("recherche")
      .notNull()
      .generatedAlwaysAs(sql`fold_fr(nom)`),
  },
  (t) => [index("communes_departement_idx").on(t.departementCode)],
);

// ---------------------------------------------------------------------------------------------- référentiel

export const NATURES = ["responsable", "formateur", "responsable_formateur", "lieu", "inconnue"] as const;
export type Nature = (typeof NATURES)[number];

/** Luhn's sum of a 14-digit `siret`: the digits of odd rank from the left doubled (9 subtracted above 9). */
const SOMME_LUHN = Array.from({ length: 14 }, (_, k) =>
  k % 2 === 0 ? `substr('0246813579', substr(siret, ${k + 1}, 1)::int + 1, 1)::int` : `substr(siret, ${k + 1}, 1)::int`,
).join(" + ");

/**
 * The organismes whose UAI or SIRET may fail its check (decision 029): every one whose codes are not plainly valid
 * (7 digits and their upper-case check letter; 14 digits passing Luhn, La Poste's SIRETs always looked at) — never
 * fewer than the anomalies page finds, whose JavaScript (app/referentiel/codes.ts) decides. The predicate of the
 * partial index organismes_codes_a_verifier_idx, written by the same text in the anomalies' query (bare column
 * names): the planner reads a few rows of that index instead of checking every SIRET's key at every visit of the page.
 * `case` guards the casts (PostgreSQL does not evaluate a condition's terms in order).
 */
export const CODES_A_VERIFIER =
  `(uai is not null and case when uai ~ '^[0-9]{7}[A-Z]$' ` +
  `then substr('ABCDEFGHJKLMNPRSTUVWXYZ', substr(uai, 1, 7)::int % 23 + 1, 1) <> substr(uai, 8, 1) else true end) ` +
  `or case when siret ~ '^[0-9]{14}$' and siret not like '356000000%' then (${SOMME_LUHN}) % 10 <> 0 else true end`;

export const organismes = pgTable(
  "organismes",
  {
    id: serial("id").primaryKey(),
    siret: varchar("siret", { length: 14 }).notNull(),
    uai: varchar("uai", { length: 8 }),
    nature: text("nature").$type<Nature>().notNull().default("inconnue"),
    raisonSociale: text("raison_sociale").notNull(),
    enseigne: text("enseigne"),
    adresse: text("adresse"),
    codePostal: varchar("code_postal", { length: 5 }),
    codeCommune: varchar("code_commune", { length: 5 }),
    /** Derived from code_commune through the territory tables. */
    departementCode: varchar("departement_code", { length: 3 }),
    regionCode: varchar("region_code", { length: 3 }),
    academieCode: varchar("academie_code", { length: 2 }),
    bassinEmploiCode: varchar("bassin_emploi_code", { length: 4 }),
    reseaux: text("reseaux").array().notNull().default(sql`'{}'::text[]`),
    qualiopi: boolean("qualiopi").notNull().default(false),
    etatAdministratif: text("etat_administratif").$type<"actif" | "ferme">().notNull().default("actif"),
    /** ERP declared by the CFA (or seen in its transmissions). */
    erp: text("erp"),
    modeTransmission: text("mode_transmission").$type<"API" | "FICHIER">(),
    firstTransmissionAt: timestamp("first_transmission_at", { withTimezone: true }),
    lastTransmissionAt: timestamp("last_transmission_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /**
     * What the répertoire's search reads (decision 029): raison sociale, enseigne, SIRET and UAI folded as searches
     * read a text (fold_fr, immutable), computed by PostgreSQL on every write of the row, whoever writes it.
     */
    recherche: text("recherche")
      .notNull()
      .generatedAlwaysAs(sql`fold_fr(raison_sociale || ' ' || coalesce(enseigne, '') || ' ' || siret || ' ' || coalesce(uai, ''))`),
  },
  (t) => [
    uniqueIndex("organismes_siret_uai_key").on(t.siret, sql`coalesce(${t.uai}, '')`),
    index("organismes_uai_idx").on(t.uai),
    index("organismes_region_idx").on(t.regionCode),
    index("organismes_departement_idx").on(t.departementCode),
    index("organismes_academie_idx").on(t.academieCode),
    index("organismes_reseaux_idx").using("gin", t.reseaux),
    // the répertoire's default order, in French (frenchSortKeys of app/referentiel/repertoire.server.ts; fold_fr: migration 0014)
    index("organismes_tri_fr_idx").on(sql`(fold_fr(${t.raisonSociale}) collate "C")`, sql`(${t.raisonSociale} collate "C")`, t.id),
    index("organismes_codes_a_verifier_idx").on(t.id).where(sql.raw(CODES_A_VERIFIER)),
    check("organismes_nature_check", sql`${t.nature} in ('responsable','formateur','responsable_formateur','lieu','inconnue')`),
  ],
);

/** A formateur teaches for a responsable (many-to-many). */
export const organismeRelations = pgTable(
  "organisme_relations",
  {
    formateurId: integer("formateur_id")
      .notNull()
      .references(() => organismes.id, { onDelete: "cascade" }),
    responsableId: integer("responsable_id")
      .notNull()
      .references(() => organismes.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.formateurId, t.responsableId] }), index("organisme_relations_responsable_idx").on(t.responsableId)],
);

export const formations = pgTable(
  "formations",
  {
    id: serial("id").primaryKey(),
    cfd: varchar("cfd", { length: 8 }),
    rncp: varchar("rncp", { length: 9 }),
    /** European level 3..8. */
    niveau: smallint("niveau"),
    intituleCourt: text("intitule_court"),
    intituleLong: text("intitule_long").notNull(),
    dureeAnnees: smallint("duree_annees"),
    dureeMois: smallint("duree_mois"),
    dateOuverture: date("date_ouverture"),
    dateFermeture: date("date_fermeture"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** What the catalogue's search reads (decision 029): CFD, RNCP and intitulés folded (fold_fr), computed on every write. */
    recherche: text("recherche")
      .notNull()
      .generatedAlwaysAs(sql`fold_fr(coalesce(cfd, '') || ' ' || coalesce(rncp, '') || ' ' || coalesce(intitule_court, '') || ' ' || intitule_long)`),
  },
  (t) => [
    uniqueIndex("formations_cfd_key").on(t.cfd).where(sql`${t.cfd} is not null`),
    index("formations_rncp_idx").on(t.rncp),
    index("formations_niveau_idx").on(t.niveau),
    // the catalogue's default order, in French (as organismes_tri_fr_idx)
    index("formations_tri_fr_idx").on(sql`(fold_fr(${t.intituleLong}) collate "C")`, sql`(${t.intituleLong} collate "C")`, t.id),
  ],
);

/**
 * The offer of the catalogue des formations (catalogue CSV, one line per formation × organisme × lieu): the
 * organisme formateur that teaches the formation, for its responsable (when the line names one), at a lieu (code
 * commune INSEE, when given). Reference data, the same for every viewer; `updated_at` is the last import that
 * listed it (an import adds and refreshes offers, it never removes one).
 */
export const offresFormation = pgTable(
  "offres_formation",
  {
    id: serial("id").primaryKey(),
    formationId: integer("formation_id")
      .notNull()
      .references(() => formations.id, { onDelete: "cascade" }),
    organismeFormateurId: integer("organisme_formateur_id")
      .notNull()
      .references(() => organismes.id, { onDelete: "cascade" }),
    organismeResponsableId: integer("organisme_responsable_id").references(() => organismes.id, { onDelete: "cascade" }),
    codeCommuneLieu: varchar("code_commune_lieu", { length: 5 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("offres_formation_key")
      .on(t.formationId, t.organismeFormateurId, t.organismeResponsableId, t.codeCommuneLieu)
      .nullsNotDistinct(),
    index("offres_formation_formateur_idx").on(t.organismeFormateurId),
    index("offres_formation_responsable_idx").on(t.organismeResponsableId),
  ],
);

/**
 * Référentiel imports started from /admin/imports: who, which file, the progress written by the process that runs
 * it (`heartbeat_at` at least every 30 s: an unfinished import whose heartbeat is older than 2 minutes was
 * interrupted, e.g. by a restart), then the summary (its lists cut to 500 rejections and 200 warnings) or the error.
 * Any server process answers the page's polling.
 */
export const importsReferentiel = pgTable(
  "imports_referentiel",
  {
    /** Random UUID, as text (an id typed in the URL is compared, never cast). */
    id: text("id").primaryKey(),
    kind: text("kind").$type<"organismes" | "formations" | "bassins">().notNull(),
    fileName: text("file_name").notNull(),
    size: integer("size").notNull(),
    startedBy: text("started_by").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** `{ phase, done, total }`. */
    progress: jsonb("progress").$type<{ phase: string; done: number; total: number }>().notNull(),
    summary: jsonb("summary").$type<Record<string, unknown>>(),
    /** Distinct lines rejected (the summary's list is cut). */
    rejectedLines: integer("rejected_lines"),
    error: text("error"),
  },
  (t) => [index("imports_referentiel_started_idx").on(t.startedAt)],
);

/**
 * What a référentiel import will write, set down by chunks before being applied in one short transaction
 * (decision 021): one row per organisme, formation, relation, offer or commune to write, as the JSON of the target
 * table's columns (`jsonb_populate_record`). `import_id` is the run (not necessarily an `imports_referentiel` row:
 * the CLI and the tests import too). The rows are removed after the apply, whatever its outcome; rows older than a
 * day were left by a stopped process and are removed by the next import. UNLOGGED (migration 0017): nothing here
 * needs to survive a crash.
 */
export const importsReferentielLignes = pgTable(
  "imports_referentiel_lignes",
  {
    importId: text("import_id").notNull(),
    /** What the row is, e.g. `organismes:créés`. */
    cible: text("cible").notNull(),
    seq: integer("seq").notNull(),
    data: jsonb("data").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.cible, t.seq] })],
);

// ---------------------------------------------------------------------------------------------- effectifs

export const transmissions = pgTable(
  "transmissions",
  {
    id: serial("id").primaryKey(),
    organismeId: integer("organisme_id")
      .notNull()
      .references(() => organismes.id, { onDelete: "cascade" }),
    source: text("source").$type<"API" | "FICHIER">().notNull(),
    erp: text("erp"),
    fileName: text("file_name"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    nbItems: integer("nb_items").notNull(),
    nbAccepted: integer("nb_accepted").notNull(),
    nbRejected: integer("nb_rejected").notNull(),
    /** Accepted items identical to what was stored, hence not written (decision 009); null before it was counted. */
    nbUnchanged: integer("nb_unchanged"),
    /**
     * Accepted items that created a learner (an effectif not stored before): the others accepted and not unchanged
     * updated one. Null before it was counted.
     */
    nbCreated: integer("nb_created"),
    /** Per-item errors `[{index, id_erp_apprenant, nom, prenom, errors:[{path, message}]}]`; purged after 30 days. */
    errors: jsonb("errors"),
    /**
     * A request refused as a whole (no item read: body unreadable, too many dossiers, too large): the HTTP status
     * answered (400, 413) and the answer's message. Null for any other transmission. Kept for good (not purged
     * with the per-item errors): the CFA keeps seeing why its ERP's send was refused.
     */
    refusStatutHttp: integer("refus_statut_http"),
    refusMessage: text("refus_message"),
  },
  (t) => [index("transmissions_organisme_idx").on(t.organismeId, t.receivedAt)],
);

/**
 * The organismes a transmission counts for (decision 022): the transmitting one, and the organismes named by the
 * dossiers it accepted of which the référentiel makes it the responsable (organisme_relations). A responsable
 * transmits for its formateurs: the freshness of a formateur's data at a past date is its last transmission known
 * then, sent by itself or by its responsable (coverage, domain.md). Another organisme a dossier names has not
 * transmitted.
 */
export const transmissionOrganismes = pgTable(
  "transmission_organismes",
  {
    organismeId: integer("organisme_id")
      .notNull()
      .references(() => organismes.id, { onDelete: "cascade" }),
    transmissionId: integer("transmission_id")
      .notNull()
      .references(() => transmissions.id, { onDelete: "cascade" }),
    /** The transmission's `received_at`, copied: an organisme's latest transmission before D is one index probe (decision 035). */
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organismeId, t.transmissionId] }),
    index("transmission_organismes_transmission_idx").on(t.transmissionId),
    index("transmission_organismes_organisme_received_idx").on(t.organismeId, t.receivedAt),
  ],
);

export const effectifs = pgTable(
  "effectifs",
  {
    id: serial("id").primaryKey(),
    organismeFormateurId: integer("organisme_formateur_id")
      .notNull()
      .references(() => organismes.id),
    organismeResponsableId: integer("organisme_responsable_id")
      .notNull()
      .references(() => organismes.id),
    organismeLieuId: integer("organisme_lieu_id").references(() => organismes.id),
    formationId: integer("formation_id").references(() => formations.id),
    anneeScolaire: varchar("annee_scolaire", { length: 9 }).notNull(),
    idErpApprenant: text("id_erp_apprenant").notNull(),

    // learner
    nom: text("nom").notNull(),
    prenom: text("prenom").notNull(),
    dateDeNaissance: date("date_de_naissance").notNull(),
    ine: text("ine"),
    email: text("email"),
    telephone: text("telephone"),
    adresse: text("adresse"),
    codePostal: varchar("code_postal", { length: 5 }),
    codePostalNaissance: varchar("code_postal_naissance", { length: 5 }),
    codeCommuneInsee: varchar("code_commune_insee", { length: 5 }),
    codeCommuneInseeNaissance: varchar("code_commune_insee_naissance", { length: 5 }),
    sexe: varchar("sexe", { length: 1 }).$type<"M" | "F">(),
    rqth: boolean("rqth"),
    dateRqth: date("date_rqth"),
    responsableMail1: text("responsable_mail1"),
    responsableMail2: text("responsable_mail2"),
    /** Whether the ERP sent a NIR: the NIR itself is never stored. */
    nirFourni: boolean("nir_fourni").notNull().default(false),
    derniereSituation: text("derniere_situation"),
    dernierOrganismeUai: varchar("dernier_organisme_uai", { length: 8 }),
    typeCfa: varchar("type_cfa", { length: 2 }),

    // formation as sent by the ERP
    formationCfd: varchar("formation_cfd", { length: 8 }),
    formationRncp: varchar("formation_rncp", { length: 9 }),
    libelleCourtFormation: text("libelle_court_formation"),
    anneeFormation: smallint("annee_formation"),
    dureeTheoriqueMois: smallint("duree_theorique_mois"),
    formationPresentielle: boolean("formation_presentielle"),
    dateInscriptionFormation: date("date_inscription_formation").notNull(),
    dateEntreeFormation: date("date_entree_formation").notNull(),
    dateFinFormation: date("date_fin_formation").notNull(),
    dateExclusionFormation: date("date_exclusion_formation"),
    causeExclusionFormation: text("cause_exclusion_formation"),
    obtentionDiplome: boolean("obtention_diplome"),
    dateObtentionDiplome: date("date_obtention_diplome"),
    referentHandicapNom: text("referent_handicap_nom"),
    referentHandicapPrenom: text("referent_handicap_prenom"),
    referentHandicapEmail: text("referent_handicap_email"),
    lieuUai: varchar("lieu_uai", { length: 8 }),
    lieuSiret: varchar("lieu_siret", { length: 14 }),
    lieuAdresse: text("lieu_adresse"),
    lieuCodePostal: varchar("lieu_code_postal", { length: 5 }),

    // the ERP's own statut (the computed one lives in `parcours`)
    statutApprenant: smallint("statut_apprenant"),
    dateMetierMiseAJourStatut: timestamp("date_metier_mise_a_jour_statut", { withTimezone: true }),
    customStatutApprenant: text("custom_statut_apprenant"),

    /** Computed parcours `[{date, statut}]`, recomputed on every write (statut engine). */
    parcours: jsonb("parcours").$type<{ date: string; statut: string }[]>().notNull().default(sql`'[]'::jsonb`),

    /**
     * Fingerprint of the last dossier an ERP or a file sent for this learner, as the pipeline normalised and
     * resolved it (decision 009): a resend with the same fingerprint changes nothing and writes nothing. Every other
     * writer of the row or its contracts sets it to null.
     */
    empreinte: text("empreinte"),
    source: text("source").$type<"API" | "FICHIER" | "DEMO">().notNull(),
    lastTransmissionId: integer("last_transmission_id").references(() => transmissions.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("effectifs_identity_key").on(t.organismeFormateurId, t.anneeScolaire, t.idErpApprenant),
    index("effectifs_responsable_idx").on(t.organismeResponsableId),
    index("effectifs_formation_idx").on(t.formationId),
    // No index on année, CFD or nom (decision 008): every query that filters on them is scoped to an organisme
    // (identity key, responsable index) or folds the name, and each index costs every ingested row.
  ],
);

export const contrats = pgTable(
  "contrats",
  {
    id: serial("id").primaryKey(),
    effectifId: integer("effectif_id")
      .notNull()
      .references(() => effectifs.id, { onDelete: "cascade" }),
    /** 1..4: position in the feed (contrat_*, contrat_*_2, …). */
    rang: smallint("rang").notNull(),
    siretEmployeur: varchar("siret_employeur", { length: 14 }),
    dateDebut: date("date_debut").notNull(),
    dateFin: date("date_fin"),
    dateRupture: date("date_rupture"),
    causeRupture: text("cause_rupture"),
  },
  (t) => [uniqueIndex("contrats_effectif_rang_key").on(t.effectifId, t.rang)],
);

/** The statut the ERP declared (0 abandon, 2 inscrit, 3 apprenti), each time it changed. */
export const effectifStatutsErp = pgTable(
  "effectif_statuts_erp",
  {
    id: serial("id").primaryKey(),
    effectifId: integer("effectif_id")
      .notNull()
      .references(() => effectifs.id, { onDelete: "cascade" }),
    statutApprenant: smallint("statut_apprenant").notNull(),
    dateMetierMiseAJourStatut: timestamp("date_metier_mise_a_jour_statut", { withTimezone: true }),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("effectif_statuts_erp_effectif_idx").on(t.effectifId)],
);
export * from "./schema-ingestion";
export * from "./schema-auth";
export * from "./schema-indicateurs";
export * from "./schema-cfa";
