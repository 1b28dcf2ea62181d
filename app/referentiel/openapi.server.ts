/**
 * OpenAPI 3.1 fragment of the référentiel's read API (GET /api/v1/organismes, /api/v1/formations, /api/v1/offres), generated
 * from the zod schemas that validate the query (filtres.server.ts) and describe the answers (api.server.ts).
 * The ingestion module merges it into /api/openapi.json (`mergeOpenApi(doc, referentielOpenApiFragment())`).
 */
import { z } from "zod";
import { apiErrorSchema, formationApiSchema, offreApiSchema, organismeApiSchema, paginationApiSchema } from "./api.server";
import { formationsQuerySchema, offresQuerySchema, organismesQuerySchema } from "./filtres.server";

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function parameters(schema: z.ZodObject): Doc[] {
  const json = z.toJSONSchema(schema, { io: "input" }) as Doc;
  return Object.entries(json.properties as Record<string, Doc>).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: "query", required: false, description, schema: rest };
  });
}

function componentSchema(schema: z.ZodType): Doc {
  const json = z.toJSONSchema(schema) as Doc;
  delete json.$schema;
  delete json.id;
  return json;
}

function listResponse(item: string, description: string): Doc {
  return {
    "200": {
      description,
      content: {
        "application/json": {
          schema: {
            type: "object",
            required: ["data", "pagination"],
            properties: { data: { type: "array", items: { $ref: `#/components/schemas/${item}` } }, pagination: { $ref: "#/components/schemas/Pagination" } },
          },
        },
      },
    },
    "400": {
      description: "Paramètre invalide ou inconnu : le message nomme le paramètre et la valeur reçue.",
      content: { "application/json": { schema: { $ref: "#/components/schemas/ErreurApi" } } },
    },
  };
}

let cached: Doc | undefined;

export function referentielOpenApiFragment(): Doc {
  cached ??= {
    tags: [{ name: "Référentiel", description: "Répertoire des organismes de formation en apprentissage et catalogue des formations (lecture seule, accès libre)." }],
    paths: {
      "/api/v1/organismes": {
        get: {
          tags: ["Référentiel"],
          security: [], // open: no key
          operationId: "listerOrganismes",
          summary: "Organismes de formation en apprentissage",
          description:
            "Répertoire des organismes (SIRET, UAI, nature, adresse, territoire, réseaux, Qualiopi, fraîcheur des données), paginé et filtrable. " +
            "Accès libre, le même répertoire pour tous ; un utilisateur connecté peut le restreindre au périmètre de son organisation (perimetre=mien). Un paramètre inconnu ou invalide renvoie une erreur 400.",
          parameters: parameters(organismesQuerySchema),
          responses: listResponse("Organisme", "Une page d'organismes"),
        },
      },
      "/api/v1/formations": {
        get: {
          tags: ["Référentiel"],
          security: [], // open: no key
          operationId: "listerFormations",
          summary: "Catalogue des formations en apprentissage",
          description:
            "Formations (CFD, RNCP, niveau, intitulé, dates d'ouverture et de fermeture), paginées et filtrables. Le filtre territorial garde les " +
            "formations suivies par des apprenants d'organismes de ce territoire.",
          parameters: parameters(formationsQuerySchema),
          responses: listResponse("Formation", "Une page de formations"),
        },
      },
      "/api/v1/offres": {
        get: {
          tags: ["Référentiel"],
          security: [], // open: no key
          operationId: "listerOffres",
          summary: "Offre de formation du catalogue : qui enseigne quelle formation, où",
          description:
            "Lignes du catalogue des formations : une formation, son organisme formateur, son organisme responsable et son lieu de formation, " +
            "paginées et filtrables par formation (id, CFD, RNCP, niveau), par organisme formateur ou responsable (id, SIRET, UAI) et par " +
            "territoire (celui du lieu de formation, à défaut celui de l'organisme formateur).",
          parameters: parameters(offresQuerySchema),
          responses: listResponse("Offre", "Une page de l'offre de formation"),
        },
      },
    },
    components: {
      schemas: {
        Organisme: componentSchema(organismeApiSchema),
        Formation: componentSchema(formationApiSchema),
        Offre: componentSchema(offreApiSchema),
        Pagination: componentSchema(paginationApiSchema),
        ErreurApi: componentSchema(apiErrorSchema),
      },
    },
  };
  return cached;
}
