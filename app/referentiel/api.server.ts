/**
 * The read API of the référentiel (GET /api/v1/organismes, /api/v1/formations, /api/v1/offres): JSON, paginated, filtered,
 * open to everyone (other public sites consume the catalogue), restricted to the caller's scope when signed in.
 * Response items are described by zod schemas (their JSON Schema goes to the OpenAPI document, see openapi.ts).
 */
import { z } from "zod";
import { NATURES } from "../../db/schema";
import type { FormationListItem, OffreFormation } from "./catalogue.server";
import { FRAICHEURS } from "./filtres.server";
import type { OrganismeListItem } from "./repertoire.server";
import type { Page } from "../shared/pagination";

export const organismeApiSchema = z
  .object({
    id: z.number().int().describe("Identifiant interne (stable) ; page de l'organisme : /organismes/{id}"),
    siret: z.string().describe("SIRET (14 chiffres)"),
    uai: z.string().nullable().describe("UAI (7 chiffres et une lettre), null si inconnu"),
    nature: z.enum(NATURES).describe("Nature : responsable, formateur, responsable_formateur, lieu ou inconnue"),
    raison_sociale: z.string(),
    enseigne: z.string().nullable(),
    code_postal: z.string().nullable(),
    commune: z.string().nullable().describe("Nom de la commune"),
    departement: z.string().nullable().describe("Code département"),
    region: z.string().nullable().describe("Code région"),
    academie: z.string().nullable().describe("Code académie"),
    bassin_emploi: z.string().nullable().describe("Zone d'emploi INSEE 2020"),
    reseaux: z.array(z.string()),
    qualiopi: z.boolean(),
    etat_administratif: z.enum(["actif", "ferme"]),
    transmet: z.boolean().describe("A déjà transmis des effectifs"),
    derniere_transmission: z.string().nullable().describe("Date (AAAA-MM-JJ) de la dernière transmission"),
    fraicheur: z.enum(FRAICHEURS).describe("Fraîcheur des données : recente (< 1 semaine), vieillissante (1 semaine à 3 mois), ancienne (> 3 mois), jamais"),
  });
export type OrganismeApi = z.infer<typeof organismeApiSchema>;

export const formationApiSchema = z
  .object({
    id: z.number().int().describe("Identifiant interne (stable) ; page de la formation : /formations/{id}"),
    cfd: z.string().nullable().describe("Code formation diplôme (8 caractères)"),
    rncp: z.string().nullable().describe("Code RNCP (RNCP suivi de 2 à 5 chiffres)"),
    niveau: z.number().int().nullable().describe("Niveau européen (3 à 8)"),
    intitule: z.string().describe("Intitulé long"),
    intitule_court: z.string().nullable(),
    duree_annees: z.number().int().nullable(),
    duree_mois: z.number().int().nullable(),
    date_ouverture: z.string().nullable().describe("AAAA-MM-JJ"),
    date_fermeture: z.string().nullable().describe("AAAA-MM-JJ"),
  });
export type FormationApi = z.infer<typeof formationApiSchema>;

const organismeRefApiSchema = z.object({
  id: z.number().int().describe("Identifiant de l'organisme (champ id de /api/v1/organismes)"),
  siret: z.string(),
  uai: z.string().nullable(),
  raison_sociale: z.string(),
});

export const offreApiSchema = z.object({
  formation: z
    .object({
      id: z.number().int().describe("Identifiant de la formation (champ id de /api/v1/formations)"),
      cfd: z.string().nullable(),
      rncp: z.string().nullable(),
      niveau: z.number().int().nullable(),
      intitule: z.string(),
    })
    .describe("La formation proposée"),
  organisme_formateur: organismeRefApiSchema.describe("L'organisme qui dispense la formation"),
  organisme_responsable: organismeRefApiSchema.nullable().describe("L'organisme responsable, null si le catalogue ne le cite pas"),
  lieu: z
    .object({
      code_commune: z.string().describe("Code commune INSEE du lieu de formation"),
      commune: z.string().nullable().describe("Nom de la commune, null si le code est inconnu des territoires"),
    })
    .nullable()
    .describe("Lieu de formation, null si le catalogue n'en donne pas"),
  departement: z.string().nullable().describe("Département du lieu de formation, à défaut celui de l'organisme formateur"),
  mise_a_jour: z.string().describe("Date (AAAA-MM-JJ) du dernier import du catalogue qui a cité cette offre"),
});
export type OffreApi = z.infer<typeof offreApiSchema>;

export const paginationApiSchema = z
  .object({
    page: z.number().int().describe("Page renvoyée (à partir de 1)"),
    limit: z.number().int().describe("Taille de page"),
    total: z.number().int().describe("Nombre total d'éléments correspondant aux filtres"),
    pages: z.number().int().describe("Nombre de pages"),
  });

export const apiErrorSchema = z
  .object({
    erreur: z.string().describe("Message en français"),
    details: z.array(z.string()).optional().describe("Un message par paramètre invalide"),
  });

export function organismeToApi(o: OrganismeListItem): OrganismeApi {
  return {
    id: o.id,
    siret: o.siret,
    uai: o.uai,
    nature: o.nature,
    raison_sociale: o.raison_sociale,
    enseigne: o.enseigne,
    code_postal: o.code_postal,
    commune: o.commune,
    departement: o.departement_code,
    region: o.region_code,
    academie: o.academie_code,
    bassin_emploi: o.bassin_emploi_code,
    reseaux: o.reseaux,
    qualiopi: o.qualiopi,
    etat_administratif: o.etat_administratif,
    transmet: o.first_transmission_at !== null,
    derniere_transmission: o.last_transmission_at ? o.last_transmission_at.slice(0, 10) : null,
    fraicheur: o.fraicheur,
  };
}

export function formationToApi(f: FormationListItem): FormationApi {
  return {
    id: f.id,
    cfd: f.cfd,
    rncp: f.rncp,
    niveau: f.niveau,
    intitule: f.intitule_long,
    intitule_court: f.intitule_court,
    duree_annees: f.duree_annees,
    duree_mois: f.duree_mois,
    date_ouverture: f.date_ouverture,
    date_fermeture: f.date_fermeture,
  };
}

export function offreToApi(o: OffreFormation): OffreApi {
  const organisme = (r: { id: number; siret: string; uai: string | null; raison_sociale: string }) => ({
    id: r.id,
    siret: r.siret,
    uai: r.uai,
    raison_sociale: r.raison_sociale,
  });
  return {
    formation: { id: o.formation.id, cfd: o.formation.cfd, rncp: o.formation.rncp, niveau: o.formation.niveau, intitule: o.formation.intitule_long },
    organisme_formateur: organisme(o.formateur),
    organisme_responsable: o.responsable ? organisme(o.responsable) : null,
    lieu: o.lieu ? { code_commune: o.lieu.code, commune: o.lieu.nom } : null,
    departement: o.departement_code,
    mise_a_jour: o.updated_at,
  };
}

const API_HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Access-Control-Allow-Origin": "*",
  "Cache-Control": "public, max-age=300",
};

export function apiPage<T, U>(page: Page<T>, map: (t: T) => U, signedIn: boolean): Response {
  return new Response(JSON.stringify({ data: page.data.map(map), pagination: page.pagination }), {
    status: 200,
    headers: signedIn ? { ...API_HEADERS, "Cache-Control": "private, no-store" } : API_HEADERS,
  });
}

export function apiBadRequest(errors: string[]): Response {
  return new Response(
    JSON.stringify({ erreur: `Paramètres invalides : ${errors.join(" ; ")}.`, details: errors }),
    { status: 400, headers: { ...API_HEADERS, "Cache-Control": "no-store" } },
  );
}
