/**
 * Organisations: a type and its scope (région, département, académie, réseau, or an organisme's SIRET).
 * `resolveOrganisationInput` checks a type + scope against the territory tables and the référentiel and names
 * the organisation; `findOrCreateOrganisation` stores it once.
 */
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { academies, departements, organisations, organismes, regions, ORGANISATION_TYPES, type AccountOrganisationType } from "../../db/schema";
import { normalizeSiret, normalizeUai, problemeSiret, problemeUai } from "../referentiel/codes";
import { ORGANISATION_TYPE_LABELS, SCOPE_FIELD_OF_TYPE } from "./labels";
import { nomAcademie } from "../referentiel/labels";
import { simplifyName } from "../referentiel/import-common.server";

export type Organisation = typeof organisations.$inferSelect;

export interface OrganisationInput {
  type: string;
  regionCode?: string | null;
  departementCode?: string | null;
  academieCode?: string | null;
  reseau?: string | null;
  siret?: string | null;
  uai?: string | null;
}

export interface ResolvedOrganisation {
  type: AccountOrganisationType;
  nom: string;
  regionCode: string | null;
  departementCode: string | null;
  academieCode: string | null;
  reseau: string | null;
  siret: string | null;
  uai: string | null;
  /** For ORGANISME_FORMATION: the référentiel rows found. */
  organismeIds: number[];
}

/** The form field an organisation's error is about (the scope fields of the sign-up and invitation forms). */
export type OrganisationField = "type" | "regionCode" | "departementCode" | "academieCode" | "reseau" | "siret" | "uai";

export class OrganisationError extends Error {
  constructor(
    message: string,
    /** The field to mark in error (and describe with the message). */
    readonly field?: OrganisationField,
  ) {
    super(message);
    this.name = "OrganisationError";
  }
}

export function isOrganisationType(value: string): value is AccountOrganisationType {
  return (ORGANISATION_TYPES as readonly string[]).includes(value);
}

function blank(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}


/** Checks a type + scope and names it; throws OrganisationError with a French message. */
export async function resolveOrganisationInput(database: Database, input: OrganisationInput): Promise<ResolvedOrganisation> {
  const type = input.type?.trim().toUpperCase();
  if (!type || !isOrganisationType(type)) {
    throw new OrganisationError(`Type d'organisation inconnu : « ${input.type ?? ""} ». Types possibles : ${ORGANISATION_TYPES.join(", ")}.`, "type");
  }
  const base: ResolvedOrganisation = {
    type,
    nom: "",
    regionCode: null,
    departementCode: null,
    academieCode: null,
    reseau: null,
    siret: null,
    uai: null,
    organismeIds: [],
  };
  const label = ORGANISATION_TYPE_LABELS[type];
  const field = SCOPE_FIELD_OF_TYPE[type];
  switch (field) {
    case "aucun":
      return { ...base, nom: type === "ADMINISTRATEUR" ? "Équipe nationale de l'apprentissage" : "Opérateur public national" };
    case "region": {
      const code = blank(input.regionCode);
      if (!code) throw new OrganisationError(`Une organisation ${label} doit indiquer sa région (code région, par exemple 84).`, "regionCode");
      const [row] = await database.db.select().from(regions).where(eq(regions.code, code));
      if (!row) throw new OrganisationError(`Code région inconnu : « ${code} » (codes à 2 chiffres du COG, par exemple 84 pour Auvergne-Rhône-Alpes).`, "regionCode");
      const prefix = type === "CONSEIL_REGIONAL" ? "Conseil régional" : type === "CARIF_OREF_REGIONAL" ? "CARIF-OREF" : type;
      return { ...base, regionCode: row.code, nom: `${prefix} ${row.nom}` };
    }
    case "departement": {
      const code = blank(input.departementCode)?.toUpperCase();
      if (!code) throw new OrganisationError(`Une organisation ${label} doit indiquer son département (par exemple 69, 2A ou 974).`, "departementCode");
      const [row] = await database.db.select().from(departements).where(eq(departements.code, code));
      if (!row) throw new OrganisationError(`Code département inconnu : « ${code} » (par exemple 69, 2A ou 974).`, "departementCode");
      return { ...base, departementCode: row.code, nom: `DDETS ${row.nom} (${row.code})` };
    }
    case "academie": {
      const code = blank(input.academieCode);
      if (!code) throw new OrganisationError(`Une organisation ${label} doit indiquer son académie (code à 2 chiffres, par exemple 10 pour Lyon).`, "academieCode");
      const [row] = await database.db.select().from(academies).where(eq(academies.code, code));
      if (!row) throw new OrganisationError(`Code académie inconnu : « ${code} » (par exemple 10 pour Lyon).`, "academieCode");
      return { ...base, academieCode: row.code, nom: nomAcademie(row.nom) };
    }
    case "reseau": {
      const nom = blank(input.reseau);
      if (!nom) throw new OrganisationError("Une tête de réseau doit indiquer le nom de son réseau.", "reseau");
      if (nom.length > 100) throw new OrganisationError("Le nom du réseau ne doit pas dépasser 100 caractères.", "reseau");
      // The référentiel's spelling wins, so that the scope matches organismes.reseaux.
      const [known] = await database.rows<{ reseau: string }>(
        sql`select r as reseau from (select distinct unnest(reseaux) r from organismes) x where lower(r) = lower(${nom}) limit 1`,
      );
      // A network no organisme has: the perimeter would hold no CFA (a misspelt name, most often).
      if (!known) throw new OrganisationError(await messageReseauInconnu(database, nom), "reseau");
      return { ...base, reseau: known.reseau, nom: `Tête de réseau ${known.reseau}` };
    }
    case "siret": {
      const siretRaw = blank(input.siret);
      const uaiRaw = blank(input.uai);
      if (!siretRaw && !uaiRaw) throw new OrganisationError("Un organisme de formation doit indiquer son SIRET (14 chiffres) ou son UAI.", "siret");
      const siret = siretRaw ? normalizeSiret(siretRaw) : null;
      const uai = uaiRaw ? normalizeUai(uaiRaw) : null;
      const siretFaux = siret ? problemeSiret(siret) : null;
      if (siretFaux) throw new OrganisationError(`SIRET invalide : « ${siretRaw} » (${siretFaux}).`, "siret");
      const uaiFaux = uai ? problemeUai(uai) : null;
      if (uaiFaux) throw new OrganisationError(`UAI invalide : « ${uaiRaw} » (${uaiFaux}).`, "uai");
      const found = await database.db
        .select({ id: organismes.id, siret: organismes.siret, uai: organismes.uai, raisonSociale: organismes.raisonSociale, enseigne: organismes.enseigne })
        .from(organismes)
        .where(siret && uai ? and(eq(organismes.siret, siret), eq(organismes.uai, uai)) : siret ? eq(organismes.siret, siret) : eq(organismes.uai, uai!));
      if (!found.length) {
        throw new OrganisationError(
          siret && uai
            ? `Aucun organisme du référentiel n'a le SIRET ${siret} avec l'UAI ${uai}.`
            : siret
              ? `Aucun organisme du référentiel n'a le SIRET ${siret}.`
              : `Aucun organisme du référentiel n'a l'UAI ${uai}.`,
          siret ? "siret" : "uai",
        );
      }
      const sirets = [...new Set(found.map((f) => f.siret))];
      if (sirets.length > 1) {
        throw new OrganisationError(`L'UAI ${uai} correspond à plusieurs SIRET (${sirets.join(", ")}) : indiquez le SIRET de votre organisme.`, "siret");
      }
      // A SIRET several organismes carry (several UAIs) names none of them: the UAI says which (as organisme:api-key),
      // else the organisation would cover them all.
      if (found.length > 1) {
        const liste = found
          .map((f) => `${f.uai ? `UAI ${f.uai}` : "sans UAI"} (${f.enseigne || f.raisonSociale})`)
          .sort((a, b) => a.localeCompare(b, "fr"))
          .join(", ");
        throw new OrganisationError(
          `Plusieurs organismes du référentiel ont le SIRET ${sirets[0]} : ${liste}. Indiquez aussi l'UAI de votre organisme.`,
          "uai",
        );
      }
      const first = found[0];
      // The UAI is the organisation's when the SIRET is not unique: it narrows the scope and names the organisation
      // (two organisations of one SIRET never get the same name).
      const uaiRetenu = first.uai && (await countOrganismesOfSiret(database, sirets[0])) > 1 ? first.uai : null;
      return {
        ...base,
        siret: sirets[0],
        uai: uaiRetenu,
        nom: `${first.enseigne || first.raisonSociale} (SIRET ${sirets[0]}${uaiRetenu ? `, UAI ${uaiRetenu}` : ""})`,
        organismeIds: [first.id],
      };
    }
  }
}

/** Below this many réseaux in the référentiel, the message of an unknown one lists them all. */
const RESEAUX_LISTES = 10;

/** Edit distance (insertions, deletions, substitutions) between two short names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

/**
 * Why a network name is refused, and how to find the right one: the names of the référentiel close to it (same
 * letters but for case, accents or punctuation; a few typos; one name holding the other), all of them when there are
 * few, else where the list is.
 */
async function messageReseauInconnu(database: Database, nom: string): Promise<string> {
  const connus = (await database.rows<{ reseau: string }>(sql`select distinct unnest(reseaux) as reseau from organismes`))
    .map((r) => r.reseau)
    .sort((a, b) => a.localeCompare(b, "fr"));
  const cherche = simplifyName(nom);
  const proches = connus
    .map((reseau) => {
      const n = simplifyName(reseau);
      const d = distance(cherche, n);
      const proche = d <= Math.max(2, Math.floor(cherche.length / 4)) || (cherche.length >= 3 && (n.includes(cherche) || cherche.includes(n)));
      return { reseau, d, proche };
    })
    .filter((c) => c.proche)
    .sort((a, b) => a.d - b.d || a.reseau.localeCompare(b.reseau, "fr"));
  const memes = proches.filter((c) => c.d === 0);
  const suggestions = (memes.length ? memes : proches.slice(0, 3)).map((c) => `« ${c.reseau} »`);
  const parts = [`Réseau inconnu : « ${nom} » : aucun organisme du référentiel n'appartient à ce réseau.`];
  if (suggestions.length) parts.push(`Vouliez-vous dire ${suggestions.join(" ou ")} ?`);
  if (connus.length === 0) {
    parts.push("Aucun organisme du référentiel n'a encore de réseau : importez d'abord les organismes avec leur colonne « reseaux » (Administration, Imports du référentiel).");
  } else if (connus.length <= RESEAUX_LISTES) {
    parts.push(`Réseaux connus : ${connus.map((r) => `« ${r} »`).join(", ")}.`);
  } else {
    parts.push(
      `Le nom doit être celui d'un des ${connus.length} réseaux du référentiel des organismes (colonne « reseaux » de ses imports), écrit de la même façon : ` +
        "la liste « Réseau » de la page Exports les donne tous.",
    );
  }
  return parts.join(" ");
}

async function countOrganismesOfSiret(database: Database, siret: string): Promise<number> {
  const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from organismes where siret = ${siret}`);
  return row?.n ?? 0;
}

function sameScope(resolved: ResolvedOrganisation) {
  const column = <T>(col: T, value: string | null) => (value === null ? isNull(col as never) : eq(col as never, value));
  return and(
    eq(organisations.type, resolved.type),
    column(organisations.regionCode, resolved.regionCode),
    column(organisations.departementCode, resolved.departementCode),
    column(organisations.academieCode, resolved.academieCode),
    column(organisations.reseau, resolved.reseau),
    column(organisations.siret, resolved.siret),
    column(organisations.uai, resolved.uai),
  );
}

/** The organisation of this type and scope, created when missing. */
export async function findOrCreateOrganisation(database: Database, input: OrganisationInput): Promise<Organisation> {
  const resolved = await resolveOrganisationInput(database, input);
  const [existing] = await database.db.select().from(organisations).where(sameScope(resolved)).limit(1);
  if (existing) return existing;
  const { organismeIds: _ignored, ...values } = resolved;
  await database.db.insert(organisations).values(values).onConflictDoNothing();
  const [created] = await database.db.select().from(organisations).where(sameScope(resolved)).limit(1);
  return created;
}

export async function getOrganisation(database: Database, id: number): Promise<Organisation | null> {
  const [row] = await database.db.select().from(organisations).where(eq(organisations.id, id)).limit(1);
  return row ?? null;
}

/** "Région Auvergne-Rhône-Alpes (84)", "National", "SIRET 12345678901234"… */
export async function describeScope(database: Database, organisation: Organisation): Promise<string> {
  if (organisation.regionCode) {
    const [r] = await database.db.select().from(regions).where(eq(regions.code, organisation.regionCode));
    return `Région ${r?.nom ?? ""} (${organisation.regionCode})`;
  }
  if (organisation.departementCode) {
    const [d] = await database.db.select().from(departements).where(eq(departements.code, organisation.departementCode));
    return `Département ${d?.nom ?? ""} (${organisation.departementCode})`;
  }
  if (organisation.academieCode) {
    const [a] = await database.db.select().from(academies).where(eq(academies.code, organisation.academieCode));
    return `${nomAcademie(a?.nom ?? "")} (${organisation.academieCode})`;
  }
  if (organisation.reseau) return `Réseau ${organisation.reseau}`;
  if (organisation.siret) return `SIRET ${organisation.siret}${organisation.uai ? `, UAI ${organisation.uai}` : ""} et ses organismes formateurs`;
  return "National";
}

/**
 * Every organisation, or (`publicOnly`, what an invitation picks from a list) the public bodies and réseaux: a few
 * hundred at most. CFAs (one organisation per organisme, thousands) are then left out: they are found by their type
 * and SIRET.
 */
export async function listOrganisations(database: Database, options: { publicOnly?: boolean } = {}): Promise<Organisation[]> {
  return database.db
    .select()
    .from(organisations)
    .where(options.publicOnly ? ne(organisations.type, "ORGANISME_FORMATION") : undefined)
    .orderBy(organisations.type, organisations.nom);
}

export interface TerritoryOptions {
  regions: { code: string; nom: string }[];
  departements: { code: string; nom: string }[];
  academies: { code: string; nom: string }[];
}

/** The lists a type + scope form offers. */
export async function territoryOptions(database: Database): Promise<TerritoryOptions> {
  const [r, d, a] = await Promise.all([
    database.db.select({ code: regions.code, nom: regions.nom }).from(regions),
    database.db.select({ code: departements.code, nom: departements.nom }).from(departements).orderBy(departements.code),
    database.db.select({ code: academies.code, nom: academies.nom }).from(academies),
  ]);
  // French order, as on /exports: "Île-de-France" among the I (the database sorts by code points: after "Provence…")
  const parNom = (x: { nom: string }, y: { nom: string }) => x.nom.localeCompare(y.nom, "fr");
  return { regions: r.sort(parNom), departements: d, academies: a.sort(parNom) };
}

/** The réseaux of the référentiel (for pickers). */
export async function knownReseaux(database: Database): Promise<string[]> {
  const rows = await database.rows<{ reseau: string }>(sql`select distinct unnest(reseaux) as reseau from organismes order by 1 limit 500`);
  return rows.map((r) => r.reseau).sort((a, b) => a.localeCompare(b, "fr"));
}
