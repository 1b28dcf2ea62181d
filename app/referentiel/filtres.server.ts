/**
 * Query parameters of the répertoire, the catalogue and their read API, as zod schemas (the OpenAPI description
 * is generated from them), with French messages naming the parameter and the value received.
 */
import { z } from "zod";
import { NATURES } from "../../db/schema";
import {
  ACADEMIE_CODES,
  DEPARTEMENT_PATTERN,
  DEPARTEMENTS_VALIDES,
  REGIONS,
  incoherencesTerritoriales,
  type IncoherenceTerritoriale,
} from "../indicateurs/filters";
import { ANOMALIE_TYPES } from "./anomalies";
import { CFD_PATTERN, normalizeRncp, normalizeSiret, normalizeUai, RNCP_PATTERN, SIRET_PATTERN, UAI_PATTERN } from "./codes";

export const FRAICHEURS = ["recente", "vieillissante", "ancienne", "jamais"] as const;
export type Fraicheur = (typeof FRAICHEURS)[number];

export const ORGANISME_TRIS = ["raison_sociale", "siret", "uai", "departement", "derniere_transmission"] as const;
export const FORMATION_TRIS = ["intitule", "cfd", "rncp", "niveau"] as const;
export const OFFRE_TRIS = ["formation", "organisme", "departement"] as const;
export const MAX_LIMIT = 500;

const ouiNon = (label: string) =>
  z
    .enum(["oui", "non", "true", "false"], { error: `${label} : « oui » ou « non » attendu` })
    .transform((v) => v === "oui" || v === "true")
    .optional();

/**
 * The territory parameters: the codes the dashboards accept (app/indicateurs/filters.ts), not only their format — an
 * unknown code (région 99, département 20) is refused with the valid codes, never answered with an empty list.
 */
export const territoire = {
  region: z
    .enum(REGIONS, { error: `code région inconnu (codes : ${REGIONS.join(", ")})` })
    .optional()
    .describe("Code région (COG), par exemple 84"),
  departement: z
    .string()
    .trim()
    .toUpperCase()
    .regex(DEPARTEMENT_PATTERN, { error: `code département inconnu (codes : ${DEPARTEMENTS_VALIDES})` })
    .optional()
    .describe("Code département, par exemple 69, 2A ou 974"),
  academie: z
    .enum(ACADEMIE_CODES as [string, ...string[]], { error: `code académie inconnu (codes : ${ACADEMIE_CODES.join(", ")})` })
    .optional()
    .describe("Code académie, par exemple 10 (Lyon)"),
  bassin_emploi: z
    .string()
    .regex(/^[0-9A-Z]{4}$/, { error: "code de bassin d'emploi invalide : 4 caractères attendus (zone d'emploi INSEE 2020)" })
    .optional()
    .describe("Zone d'emploi INSEE 2020 (4 caractères)"),
};

/** A page number (from 1), 1 when absent. */
export const pageParam = z.coerce
  .number({ error: "page : nombre entier attendu" })
  .int({ error: "page : nombre entier attendu" })
  .min(1, { error: "page : 1 au minimum" })
  .max(100_000, { error: "page : 100 000 au maximum" })
  .default(1)
  .describe("Numéro de page, à partir de 1");

const pagination = (defaultLimit: number) => ({
  page: pageParam,
  limit: z.coerce
    .number({ error: "limit : nombre entier attendu" })
    .int({ error: "limit : nombre entier attendu" })
    .min(1, { error: "limit : 1 au minimum" })
    .max(MAX_LIMIT, { error: `limit : ${MAX_LIMIT} au maximum` })
    .default(defaultLimit)
    .describe(`Nombre d'éléments par page (${MAX_LIMIT} au plus)`),
  ordre: z.enum(["asc", "desc"], { error: "ordre : « asc » ou « desc » attendu" }).default("asc").describe("Sens du tri"),
});

export const organismesQuerySchema = z.object({
  q: z.string().trim().max(200, { error: "recherche trop longue (200 caractères au plus)" }).optional().describe("Recherche : raison sociale, enseigne, SIRET, UAI, commune ou code postal"),
  ...territoire,
  nature: z.enum(NATURES, { error: `nature inconnue : ${NATURES.join(", ")} attendu` }).optional().describe("Nature de l'organisme"),
  reseau: z.string().trim().max(100).optional().describe("Réseau (nom exact)"),
  qualiopi: ouiNon("qualiopi").describe("Certifié Qualiopi (oui/non)"),
  transmet: ouiNon("transmet").describe("A déjà transmis des effectifs (oui/non)"),
  fraicheur: z.enum(FRAICHEURS, { error: `fraîcheur inconnue : ${FRAICHEURS.join(", ")} attendu` }).optional().describe("Fraîcheur des données : recente (< 1 semaine), vieillissante (1 semaine à 3 mois), ancienne (> 3 mois), jamais"),
  etat: z.enum(["actif", "ferme"], { error: "état : « actif » ou « ferme » attendu" }).optional().describe("État administratif"),
  perimetre: z
    .enum(["mien", "france"], { error: "perimetre : « mien » (le périmètre de votre organisation) ou « france » (tout le répertoire) attendu" })
    .optional()
    .describe("Utilisateur connecté : mien = seulement les organismes du périmètre de son organisation ; france (par défaut) = tout le répertoire"),
  tri: z.enum(ORGANISME_TRIS, { error: `tri : ${ORGANISME_TRIS.join(", ")} attendu` }).default("raison_sociale").describe("Colonne de tri"),
  ...pagination(20),
});
export type OrganismesQuery = z.output<typeof organismesQuerySchema>;

const niveau = z.coerce
  .number({ error: "niveau : un niveau européen de 3 à 8 est attendu" })
  .int({ error: "niveau : un niveau européen de 3 à 8 est attendu" })
  .min(3, { error: "niveau : un niveau européen de 3 à 8 est attendu" })
  .max(8, { error: "niveau : un niveau européen de 3 à 8 est attendu" })
  .optional()
  .describe("Niveau européen (3 CAP … 7 master, 8 doctorat)");

export const formationsQuerySchema = z.object({
  q: z.string().trim().max(200, { error: "recherche trop longue (200 caractères au plus)" }).optional().describe("Recherche : CFD, code RNCP ou intitulé"),
  niveau,
  ...territoire,
  ouverte: ouiNon("ouverte").describe("Formation ouverte aujourd'hui (non fermée) : oui/non"),
  tri: z.enum(FORMATION_TRIS, { error: `tri : ${FORMATION_TRIS.join(", ")} attendu` }).default("intitule").describe("Colonne de tri"),
  ...pagination(20),
});
export type FormationsQuery = z.output<typeof formationsQuerySchema>;

const identifiant = (name: string, what: string) => {
  const error = `${name} : identifiant ${what} attendu (nombre entier)`;
  return z.coerce.number({ error }).int({ error }).min(1, { error }).optional();
};

/** The catalogue's offer (formation × organisme × lieu): GET /api/v1/offres. */
export const offresQuerySchema = z.object({
  formation: identifiant("formation", "de formation")
    .describe("Identifiant d'une formation (champ id de /api/v1/formations)"),
  cfd: z
    .string()
    .trim()
    .toUpperCase()
    .regex(CFD_PATTERN, { error: "cfd : code formation diplôme de 8 caractères attendu (par exemple 40025214)" })
    .optional()
    .describe("Code formation diplôme (8 caractères)"),
  rncp: z
    .string()
    .transform(normalizeRncp)
    .pipe(z.string().regex(RNCP_PATTERN, { error: "rncp : code RNCP attendu (RNCP suivi de 2 à 5 chiffres, par exemple RNCP37861)" }))
    .optional()
    .describe("Code RNCP (RNCP37861 ou 37861)"),
  niveau,
  organisme: identifiant("organisme", "d'organisme")
    .describe("Identifiant d'un organisme (champ id de /api/v1/organismes), formateur ou responsable de l'offre"),
  siret: z
    .string()
    .transform(normalizeSiret)
    .pipe(z.string().regex(SIRET_PATTERN, { error: "siret : 14 chiffres attendus" }))
    .optional()
    .describe("SIRET de l'organisme formateur ou responsable"),
  uai: z
    .string()
    .transform(normalizeUai)
    .pipe(z.string().regex(UAI_PATTERN, { error: "uai : 7 chiffres et une lettre attendus (par exemple 0693191U)" }))
    .optional()
    .describe("UAI de l'organisme formateur ou responsable"),
  ...territoire,
  tri: z.enum(OFFRE_TRIS, { error: `tri : ${OFFRE_TRIS.join(", ")} attendu` }).default("formation").describe("Tri : intitulé de la formation, raison sociale de l'organisme formateur, ou département du lieu"),
  ...pagination(50),
});
export type OffresQuery = z.output<typeof offresQuerySchema>;

export const anomaliesQuerySchema = z.object({
  type: z.enum(ANOMALIE_TYPES, { error: "type d'anomalie inconnu" }).optional(),
  region: territoire.region,
  departement: territoire.departement,
  page: pageParam,
});

export type ParsedQuery<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Parses URL search params with a schema. Empty values are ignored; with `strict`, unknown parameters are errors
 * (API), else ignored (pages, which carry other parameters). (An address holding a NUL character never gets here:
 * server.ts refuses it for every route.)
 */
export function parseQuery<S extends z.ZodObject>(schema: S, params: URLSearchParams, options: { strict?: boolean } = {}): ParsedQuery<z.output<S>> {
  const raw: Record<string, string> = {};
  const errors: string[] = [];
  const known = new Set(Object.keys(schema.shape));
  for (const [key, value] of params) {
    if (!known.has(key)) {
      if (options.strict) errors.push(`paramètre inconnu « ${key} » (paramètres acceptés : ${[...known].join(", ")})`);
      continue;
    }
    if (value.trim() === "") continue;
    if (key in raw) {
      errors.push(`paramètre « ${key} » donné plusieurs fois`);
      continue;
    }
    raw[key] = value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? "");
      const received = raw[key];
      const text = issue.message.startsWith(`${key} : `) ? issue.message.slice(key.length + 3) : issue.message;
      const message = `paramètre « ${key} » : ${text}`;
      errors.push(received !== undefined ? `${message} (reçu « ${received.slice(0, 100)} »)` : message);
    }
  }
  if (errors.length) return { ok: false, errors };
  const value = (result as { data: z.output<S> }).data;
  // a département outside the région asked (or the académie) would answer an empty list for a reason nobody sees
  for (const i of territoiresIncoherents(value as Record<string, unknown>)) errors.push(`paramètre « ${i.param} » : ${i.message.slice(i.param.length + 3)}`);
  if (errors.length) return { ok: false, errors };
  return { ok: true, value };
}

/** The territory parameters (région, département, académie: one value each) that cannot hold together (filters.ts). */
function territoiresIncoherents(values: Record<string, unknown>): IncoherenceTerritoriale[] {
  const un = (k: string) => (typeof values[k] === "string" && values[k] !== "" ? [(values[k] as string).trim().toUpperCase()] : undefined);
  return incoherencesTerritoriales({ region: un("region"), departement: un("departement"), academie: un("academie") });
}

/**
 * A page's messages about the values of its address, as its form names them: `libelles` gives the label of each
 * field, by parameter; a message about one of them ("paramètre « jours » : 7 jours au minimum") names the field
 * instead ("Sans transmission depuis (jours) : 7 jours au minimum") and is also given for it in `parChamp` (to show
 * under the field). Messages already named, or about a parameter without a field, are kept.
 */
export function erreursNommees(messages: readonly string[], libelles: Readonly<Record<string, string>>): { errors: string[]; parChamp: Record<string, string> } {
  const parChamp: Record<string, string> = {};
  const errors = messages.map((e) => {
    const m = /^paramètre « ([^»]+) » (?:: )?/.exec(e);
    const libelle = m ? libelles[m[1]] : undefined;
    if (!m || !libelle) return e;
    const message = `${libelle} : ${e.slice(m[0].length)}`;
    parChamp[m[1]] = parChamp[m[1]] ? `${parChamp[m[1]]} ${message}` : message;
    return message;
  });
  return { errors, parChamp };
}

/**
 * For pages: invalid parameters are reported and dropped, the others still apply; the messages name the page's
 * fields (`libelles`, erreursNommees).
 */
export function parseQueryLenient<S extends z.ZodObject>(
  schema: S,
  params: URLSearchParams,
  libelles: Readonly<Record<string, string>> = {},
): { value: z.output<S>; errors: string[]; parChamp: Record<string, string> } {
  const first = parseQuery(schema, params);
  if (first.ok) return { value: first.value, errors: [], parChamp: {} };
  const { errors, parChamp } = erreursNommees(first.errors, libelles);
  const kept = new URLSearchParams();
  const keys = Object.keys(schema.shape);
  for (const [k, v] of params) {
    if (!keys.includes(k) || kept.has(k)) continue;
    if (parseQuery(z.object({ [k]: schema.shape[k] }), new URLSearchParams({ [k]: v })).ok) kept.set(k, v);
  }
  // each value is valid alone: a territory that cannot hold with another is dropped, not every filter
  for (const i of territoiresIncoherents(Object.fromEntries(kept))) kept.delete(i.param);
  const second = parseQuery(schema, kept);
  return { value: second.ok ? second.value : (schema.parse({}) as z.output<S>), errors, parChamp };
}
