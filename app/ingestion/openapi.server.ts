/**
 * The OpenAPI 3.1 document served at /api/openapi.json and rendered at /api/doc. Generated from the schema that
 * validates (dossiersOpenApiDocument() of dossier-schema.server.ts, itself generated from the zod schema), plus
 * what this module's HTTP layer adds (ERP name, limits, answer fields, per-operation security), merged with the
 * référentiel's read API fragment (app/referentiel/openapi.server.ts, generated from its zod schemas too).
 */
import { referentielOpenApiFragment } from "../referentiel/openapi.server";
import { MAX_DOSSIERS_PAR_ENVOI, dossiersOpenApiDocument } from "./dossier-schema.server";
import { MAX_BODY_BYTES } from "./api.server";

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Merges an OpenAPI fragment (paths, tags, components) into a document. */
export function mergeOpenApi(base: Doc, fragment: Doc | null | undefined): Doc {
  if (!fragment) return base;
  base.paths = { ...(base.paths ?? {}), ...(fragment.paths ?? {}) };
  const tags = [...(base.tags ?? [])];
  for (const tag of fragment.tags ?? []) if (!tags.some((t: Doc) => t.name === tag.name)) tags.push(tag);
  base.tags = tags;
  base.components ??= {};
  for (const [section, entries] of Object.entries((fragment.components ?? {}) as Doc)) {
    base.components[section] = { ...(base.components[section] ?? {}), ...(entries as Doc) };
  }
  return base;
}

/** What the HTTP layer adds to the generated document of the feed. */
function addHttpDetails(doc: Doc): Doc {
  // The API key is required by the feed's operations only (the référentiel's read API is open).
  const security = doc.security ?? [{ bearerAuth: [] }];
  delete doc.security;
  for (const methods of Object.values((doc.paths ?? {}) as Doc)) {
    for (const op of Object.values(methods as Doc)) (op as Doc).security ??= security;
  }
  const post = doc.paths?.["/api/v3/dossiers-apprenants"]?.post;
  if (post) {
    post.parameters = [
      {
        name: "X-ERP",
        in: "header",
        required: false,
        description: "Nom de l'ERP qui transmet (ex. Ypareo, Gesti, SC Form) : affiché au CFA avec ses transmissions.",
        schema: { type: "string", maxLength: 100 },
        example: "Ypareo",
      },
      {
        name: "erp",
        in: "query",
        required: false,
        description: "Nom de l'ERP, quand l'en-tête X-ERP ne peut pas être envoyé (l'en-tête l'emporte).",
        schema: { type: "string", maxLength: 100 },
      },
    ];
    const body = post.requestBody?.content?.["application/json"]?.schema;
    if (body) delete body.minItems; // an empty array is accepted (nothing to store, the transmission is recorded)
    post.description =
      `${post.description ?? ""} Envoi synchrone et atomique : la réponse arrive une fois les dossiers valides ` +
      "enregistrés. Renvoyer le même envoi ne crée aucun doublon. Un dossier envoyé sans aucun contrat garde les " +
      "contrats déjà connus. Plusieurs dossiers du même envoi pour le même apprenant sont fusionnés comme des envois " +
      "successifs, dans l'ordre du tableau : les valeurs non vides du dernier l'emportent, une valeur vide n'efface pas celle " +
      "d'un dossier précédent, et les contrats du dernier qui en envoie sont retenus (les précédents reçoivent « ok » et un " +
      "message). Un envoi refusé en entier (400, 413) est enregistré dans les transmissions de l'organisme, avec sa raison. Les établissements formateur et responsable doivent exister dans le " +
      "référentiel des organismes (couple UAI/SIRET), et l'un des deux doit être l'organisme de la clé ou l'un de ses " +
      "formateurs ; sinon le dossier est refusé avec une erreur qui le dit.";
    const r = post.responses ?? {};
    if (r["400"]) {
      r["400"].description =
        `Corps illisible : JSON invalide, autre chose qu'un tableau de dossiers, ou plus de ${MAX_DOSSIERS_PAR_ENVOI} dossiers.`;
    }
    if (r["413"]) {
      r["413"].description = `Corps de plus de ${MAX_BODY_BYTES / 1024 / 1024} Mo.`;
      const example = r["413"].content?.["application/json"];
      if (example) {
        example.example = {
          error: "payload_too_large",
          message: `Corps de la requête trop volumineux : ${MAX_BODY_BYTES / 1024 / 1024} Mo au plus.`,
        };
      }
    }
    // the example answer holds what every answer holds (its summary, then the transmission's number)
    const ok = r["200"]?.content?.["application/json"];
    if (ok?.example) {
      const { status, ...rest } = ok.example;
      ok.example = { status, message: "2 dossiers reçus : 1 enregistré, 1 refusé.", transmission_id: 1234, ...rest };
    }
    if (r["403"]) r["403"].description = "Clé d'API révoquée (remplacée, révoquée à la demande ou inutilisée depuis 12 mois).";
    if (r["429"]) {
      r["429"].description =
        "Trop de requêtes pour cette clé, ou trop d'échecs d'authentification depuis cette adresse IP : réessayer après le délai Retry-After (secondes).";
    }
  }
  const test = doc.paths?.["/api/v3/dossiers-apprenants/test"]?.get;
  if (test?.responses?.["429"]) {
    test.responses["429"].headers = {
      "Retry-After": { description: "Délai en secondes avant de réessayer.", schema: { type: "integer" } },
    };
  }

  const schemas = doc.components?.schemas ?? {};
  const envoi = schemas.ReponseEnvoi;
  if (envoi?.properties) {
    envoi.properties.message = {
      type: "string",
      description: "Résumé en français.",
      examples: ["3 dossiers reçus : 2 enregistrés, 1 refusé."],
    };
    envoi.properties.transmission_id = { type: "integer", description: "Numéro de la transmission enregistrée." };
    envoi.required = [...new Set([...(envoi.required ?? []), "message"])];
    const item = envoi.properties.data?.items;
    if (item?.properties) {
      item.properties.message = {
        type: "string",
        description: "Information sur un dossier accepté (ex. fusionné avec un dossier suivant du même envoi pour le même apprenant).",
      };
    }
  }
  // the answer's items are described inline (ReponseEnvoi.data): the same schema, unreferenced, would be listed twice
  if (!JSON.stringify(doc.paths ?? {}).includes("#/components/schemas/ResultatDossier")) delete schemas.ResultatDossier;
  const testSchema = schemas.ReponseTest;
  if (testSchema?.properties) {
    testSchema.properties.msg = { type: "string", const: "ok", description: "Toujours « ok » (compatibilité)." };
    testSchema.required = [...new Set(["msg", ...(testSchema.required ?? [])])];
  }
  return doc;
}

let cached: Doc | undefined;

export function openApiDocument(): Doc {
  if (!cached) {
    const doc = mergeOpenApi(addHttpDetails(structuredClone(dossiersOpenApiDocument()) as Doc), structuredClone(referentielOpenApiFragment()));
    doc.info = {
      ...(doc.info ?? {}),
      title: "Tableau de bord de l'apprentissage — API",
      description:
        `${doc.info?.description ?? ""} Le référentiel des organismes et des formations est aussi consultable en lecture, sans clé (/api/v1/…).`,
    };
    cached = doc;
  }
  return cached;
}

// ------------------------------------------------------------------------------------- readable page (/api/doc)

export interface DocField {
  name: string;
  label: string;
  type: string;
  required: boolean;
  description: string;
  examples: string[];
}

export interface DocResponse {
  status: string;
  description: string;
}

export interface DocOperation {
  method: string;
  path: string;
  summary: string;
  description: string;
  parameters: { name: string; in: string; description: string }[];
  responses: DocResponse[];
  requestExample: string | null;
  responseExample: string | null;
}

const TYPE_LABELS: Record<string, string> = {
  string: "texte",
  number: "nombre",
  integer: "entier",
  boolean: "booléen",
  null: "null",
  array: "tableau",
  object: "objet",
};

function typeLabel(prop: Doc): string {
  const types: string[] = Array.isArray(prop.type) ? prop.type : prop.type ? [prop.type] : [];
  if (!types.length && Array.isArray(prop.anyOf)) {
    for (const alt of prop.anyOf) types.push(...(Array.isArray(alt.type) ? alt.type : alt.type ? [alt.type] : []));
  }
  const labels = types.filter((t) => t !== "null").map((t) => TYPE_LABELS[t] ?? t);
  const nullable = types.includes("null");
  return `${labels.join(" ou ") || "libre"}${nullable ? " (ou null)" : ""}`;
}

function exampleText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The document as tables for the DSFR page. */
export function openApiForDisplay() {
  const doc = openApiDocument();
  const operations: DocOperation[] = [];
  for (const [path, methods] of Object.entries((doc.paths ?? {}) as Doc)) {
    for (const [method, op] of Object.entries(methods as Doc)) {
      const json = (o: Doc | undefined) => o?.content?.["application/json"];
      const okResponse = json(op.responses?.["200"]);
      operations.push({
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? "",
        description: op.description ?? "",
        parameters: (op.parameters ?? []).map((p: Doc) => ({ name: p.name, in: p.in, description: p.description ?? "" })),
        responses: Object.entries((op.responses ?? {}) as Doc).map(([status, r]) => ({
          status,
          description: (r as Doc).description ?? "",
        })),
        requestExample: json(op.requestBody)?.example ? JSON.stringify(json(op.requestBody).example, null, 2) : null,
        responseExample: okResponse?.example ? JSON.stringify(okResponse.example, null, 2) : null,
      });
    }
  }
  const item = doc.components?.schemas?.DossierApprenantV3 ?? { properties: {} };
  const required = new Set<string>(item.required ?? []);
  const fields: DocField[] = Object.entries((item.properties ?? {}) as Doc).map(([name, prop]) => ({
    name,
    label: prop.title ?? name,
    type: typeLabel(prop),
    required: required.has(name),
    description: prop.description ?? "",
    examples: (prop.examples ?? []).map(exampleText),
  }));
  return {
    title: String(doc.info?.title ?? "API"),
    version: String(doc.info?.version ?? ""),
    description: String(doc.info?.description ?? ""),
    itemTitle: String(item.title ?? "Dossier apprenant"),
    itemDescription: String(item.description ?? ""),
    operations,
    fields,
  };
}
