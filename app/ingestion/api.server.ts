/**
 * HTTP side of the API v3 "dossiers apprenants": authentication, rate limits, body reading, answers. Route
 * modules call `postDossiers` / `testApiKey` and return their Response.
 *
 * ERP name: header `X-ERP` or query parameter `?erp=` (the header wins), stored on the transmission and the
 * organisme. INGESTION_TRACE=1 logs the time of each pipeline step of every request (benchmarks).
 *
 * Every authenticated request is recorded as a transmission of its organisme, a refused one too (body unreadable,
 * not an array, more than 2000 dossiers, too large: 400/413), with the answer's message as its error, so that the CFA
 * sees in its space that its ERP's send was refused and why. Failed authentications (no organisme) and rate-limited
 * requests (429, nothing read) are not recorded.
 */
import { isUtf8 } from "node:buffer";
import type { Database } from "../../db/client.server";
import { clientIp } from "../auth/throttle.server";
import { describeJsonError } from "../shared/json";
import { MAX_DOSSIERS_PAR_ENVOI } from "./dossier-schema.server";
import { authenticateApiKey, type ApiKeyOrganisme } from "./api-keys.server";
import { ingestDossiers } from "./pipeline.server";
import { normaliserErp } from "../cfa/erp";
import { apiLimits, authFailuresBlocked, recordAuthFailure, takeApiToken } from "./rate-limit.server";
import { recordRefusedRequest } from "./transmissions.server";
import { formatNombre, pluriel } from "../ui/format";

export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Beyond the limit, bytes still read (and dropped) so that the client gets the 413 answer. */
const DRAIN_CAP_BYTES = 5 * MAX_BODY_BYTES;

type Json = Record<string, unknown>;

export function jsonResponse(body: Json, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

function errorResponse(status: number, error: string, message: string, headers: Record<string, string> = {}): Response {
  return jsonResponse({ error, message }, status, headers);
}

function tooMany(retryAfterSeconds: number, message: string): Response {
  return errorResponse(429, "too_many_requests", `${message} Réessayez dans ${retryAfterSeconds} s.`, {
    "Retry-After": String(retryAfterSeconds),
  });
}

/**
 * The client's IP for the failed-authentication limit: `context.clientIp` when the server provides it, the first
 * X-Forwarded-For entry when TRUST_PROXY=1 (auth module's rule), else one shared "inconnue" bucket.
 */
export function apiClientIp(request: Request, context: unknown): string {
  return clientIp(request, context) ?? "inconnue";
}

/** Authentication + rate limits; either the organisme or the error Response. */
async function authenticate(
  request: Request,
  database: Database,
  context: unknown,
): Promise<{ ok: true; organisme: ApiKeyOrganisme } | { ok: false; response: Response }> {
  const limits = apiLimits();
  const ip = apiClientIp(request, context);
  const auth = await authenticateApiKey(database, request.headers.get("authorization"));
  if (!auth.ok) {
    const blocked = await authFailuresBlocked(database.db, ip, limits);
    if (!blocked.ok) {
      return {
        ok: false,
        response: tooMany(blocked.retryAfterSeconds, "Trop d'échecs d'authentification depuis cette adresse IP."),
      };
    }
    await recordAuthFailure(database.db, ip, limits);
    return { ok: false, response: errorResponse(auth.status, auth.error, auth.message) };
  }
  const rate = await takeApiToken(database.db, auth.keyId, limits);
  if (!rate.ok) {
    return {
      ok: false,
      response: tooMany(rate.retryAfterSeconds, "Trop de requêtes pour cette clé d'API : espacez les envois."),
    };
  }
  return { ok: true, organisme: auth.organisme };
}

/** A refusal of the body: the answer, with its status and message (recorded with the transmission). */
type BodyRefusal = { ok: false; response: Response; status: number; message: string };
type BodyResult = { ok: true; text: string } | BodyRefusal;

function bodyRefusal(status: 400 | 413, message: string): BodyRefusal {
  return { ok: false, status, message, response: errorResponse(status, status === 413 ? "payload_too_large" : "bad_request", message) };
}

const TOO_LARGE_MESSAGE = `Corps de la requête trop volumineux : ${MAX_BODY_BYTES / 1024 / 1024} Mo au plus. Envoyez les dossiers en plusieurs requêtes (au plus ${formatNombre(MAX_DOSSIERS_PAR_ENVOI)} dossiers par requête).`;

/** Reads the body, counting bytes: more than `limit` → 413 without reading further. */
export async function readBodyLimited(request: Request, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return bodyRefusal(413, TOO_LARGE_MESSAGE);
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // Drain (and drop) what the client is still sending so that it can read the 413, up to a cap.
      while (total <= DRAIN_CAP_BYTES) {
        const next = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (next.done) break;
        total += next.value?.byteLength ?? 0;
      }
      await reader.cancel().catch(() => {});
      return bodyRefusal(413, TOO_LARGE_MESSAGE);
    }
    chunks.push(value);
  }
  const bytes = Buffer.concat(chunks);
  // isUtf8 + toString: the same check as a fatal TextDecoder, at a third of its cost on a 2000-dossier body
  if (!isUtf8(bytes)) return bodyRefusal(400, "Le corps de la requête doit être du JSON encodé en UTF-8.");
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text };
}

const NOT_AN_ARRAY = "Le corps de la requête doit être un tableau JSON de dossiers apprenants : [ {…}, {…} ].";

/** What a JSON value is, in French. */
function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "un tableau";
  switch (typeof value) {
    case "object":
      return "un objet";
    case "string":
      return "une chaîne de caractères";
    case "number":
      return "un nombre";
    case "boolean":
      return "un booléen";
    default:
      return typeof value;
  }
}

/** The body's items, or why the body is refused (400). */
function readItems(text: string): unknown[] | BodyRefusal {
  if (text.trim() === "") return bodyRefusal(400, `Corps de la requête vide. ${NOT_AN_ARRAY}`);
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (error) {
    return bodyRefusal(400, `JSON invalide : ${describeJsonError(text, error)}. ${NOT_AN_ARRAY}`);
  }
  if (!Array.isArray(items)) return bodyRefusal(400, `${NOT_AN_ARRAY} Reçu : ${jsonKind(items)}.`);
  if (items.length > MAX_DOSSIERS_PAR_ENVOI) {
    return bodyRefusal(
      400,
      `Trop de dossiers dans un seul envoi : ${formatNombre(items.length)} reçus, ${formatNombre(MAX_DOSSIERS_PAR_ENVOI)} au plus. Découpez l'envoi en plusieurs requêtes.`,
    );
  }
  return items;
}

/** Records a refused request as a transmission; a failure to record never changes the answer (logged). */
async function recordRefusal(
  database: Database,
  refus: { organismeId: number; erp: string | null; statutHttp: number; message: string },
): Promise<void> {
  try {
    await recordRefusedRequest(database, { ...refus, source: "API" });
  } catch (error) {
    console.error("[api] enregistrement d'un envoi refusé impossible :", error);
  }
}

/** POST /api/v3/dossiers-apprenants */
export async function postDossiers(request: Request, database: Database, context: unknown): Promise<Response> {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const auth = await authenticate(request, database, context);
  if (!auth.ok) return auth.response;

  const url = new URL(request.url);
  const erp = normaliserErp(request.headers.get("x-erp") ?? url.searchParams.get("erp"));
  const body = await readBodyLimited(request);
  const items = body.ok ? readItems(body.text) : body;
  if (!Array.isArray(items)) {
    await recordRefusal(database, { organismeId: auth.organisme.id, erp, statutHttp: items.status, message: items.message });
    return items.response;
  }

  const steps: string[] = [];
  const started = performance.now();
  const trace = process.env.INGESTION_TRACE === "1" ? (step: string, ms: number) => steps.push(`${step}=${ms.toFixed(0)}`) : undefined;
  const result = await ingestDossiers(database, items, { organismeId: auth.organisme.id, source: "API", erp, trace });
  if (trace) console.log(`[ingestion] ${items.length} dossiers en ${(performance.now() - started).toFixed(0)} ms : ${steps.join(" ")}`);
  const message =
    `${pluriel(result.nbItems, "dossier reçu", "dossiers reçus")} : ${pluriel(result.nbAccepted, "enregistré")}` +
    (result.nbInchanges ? ` (dont ${pluriel(result.nbInchanges, "inchangé")} depuis l'envoi précédent)` : "") +
    `, ${pluriel(result.nbRejected, "refusé")}.`;
  return jsonResponse({
    status: "OK",
    message,
    nb_dossiers: result.nbItems,
    nb_ok: result.nbAccepted,
    nb_erreurs: result.nbRejected,
    nb_inchanges: result.nbInchanges,
    nb_nouveaux: result.nbCrees,
    transmission_id: result.transmissionId,
    data: result.results,
  });
}

/** GET /api/v3/dossiers-apprenants/test */
export async function testApiKey(request: Request, database: Database, context: unknown): Promise<Response> {
  const auth = await authenticate(request, database, context);
  if (!auth.ok) return auth.response;
  const o = auth.organisme;
  return jsonResponse({
    msg: "ok",
    status: "OK",
    message: "Clé d'API valide.",
    organisme: { siret: o.siret, uai: o.uai, raison_sociale: o.raison_sociale },
  });
}

export function methodNotAllowed(allowed: string): Response {
  return errorResponse(405, "method_not_allowed", `Méthode non permise : utilisez ${allowed}.`, { Allow: allowed });
}
