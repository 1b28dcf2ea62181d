/**
 * CSRF protection of every form. Signed-in: the form carries its session's random `csrf_token`. Signed out
 * (login, sign-up, reset…): double-submit — an HttpOnly cookie holds a random token the form repeats. On top of
 * that, a POST whose Origin header names another host is refused.
 */
import { timingSafeEqual } from "node:crypto";
import type { Database } from "../../db/client.server";
import { findSession, randomToken, readCookie, secureCookies, serializeCookie } from "./session.server";
import { champAvecCaractereNul } from "./forms.server";

export const CSRF_FIELD = "csrf";
const ANONYMOUS_MAX_AGE_SECONDS = 24 * 3600;

export const CSRF_ERROR = "Le formulaire a expiré ou ne provient pas de ce site (jeton de sécurité invalide). Rechargez la page et recommencez.";

export function csrfCookieName(): string {
  return secureCookies() ? "__Host-tdb_csrf" : "tdb_csrf";
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The token the forms of this page must carry, and the headers to send with the page (a new anonymous cookie
 * when the visitor has none).
 */
export async function csrfToken(request: Request, database: Database): Promise<{ token: string; headers: Headers }> {
  const headers = new Headers();
  const session = await findSession(database, request);
  if (session) return { token: session.csrfToken, headers };
  const existing = readCookie(request, csrfCookieName());
  if (existing && TOKEN_PATTERN.test(existing)) return { token: existing, headers };
  const token = randomToken();
  headers.append("Set-Cookie", serializeCookie(csrfCookieName(), token, ANONYMOUS_MAX_AGE_SECONDS));
  return { token, headers };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function csrfError(): Response {
  return new Response(CSRF_ERROR, { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * Whether an Origin header names another site than the host addressed: "null" (a sandboxed page) and an unreadable
 * one count as another site; no header (a same-origin GET form, a server calling) does not. Shared by the forms'
 * check below and by server.ts, which answers such a POST before Remix does.
 */
export function origineEtrangere(origin: string | null | undefined, host: string | null | undefined): boolean {
  if (!origin) return false;
  if (origin === "null") return true;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

function foreignOrigin(request: Request): boolean {
  return origineEtrangere(request.headers.get("origin"), new URL(request.url).host);
}

/** Whether the submitted form carries this visitor's token (and comes from this site). */
export async function isCsrfValid(request: Request, database: Database, formData: FormData): Promise<boolean> {
  if (foreignOrigin(request)) return false;
  const submitted = formData.get(CSRF_FIELD);
  if (typeof submitted !== "string" || !TOKEN_PATTERN.test(submitted)) return false;
  const session = await findSession(database, request);
  // signed in: its session's token only. The anonymous cookie outlives the login, and a same-site attacker able to
  // set a cookie would otherwise choose the token of every form of the session.
  if (session) return same(submitted, session.csrfToken);
  const anonymous = readCookie(request, csrfCookieName());
  return !!anonymous && TOKEN_PATTERN.test(anonymous) && same(submitted, anonymous);
}

/** A form that carries a file: the largest file it accepts, in bytes. */
export interface FormLimits {
  maxFileBytes: number;
}

/** A text field of a form (a token, a choice, a name): this size at most. */
const FIELD_MAX_BYTES = 64 * 1024;
/** What a form carries besides its file: its other fields and the multipart boundaries. */
const ENVELOPE_BYTES = 1024 * 1024;

const TEXT_HEADERS = { "Content-Type": "text/plain; charset=utf-8" };

/** "200 Mo", "100 Ko". */
function taille(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Number((bytes / 1024 / 1024).toFixed(1))} Mo` : `${Math.ceil(bytes / 1024)} Ko`;
}

/** The 413 of a file over the limit (its text is what the page shows on the file field). */
function fichierTropVolumineux(maxFileBytes: number): Response {
  return new Response(`Le fichier dépasse ${taille(maxFileBytes)}, la taille maximale acceptée : découpez-le en plusieurs fichiers.`, {
    status: 413,
    headers: TEXT_HEADERS,
  });
}

/** The 413 of a form without a file over its limit (a tampered form: no field of the app comes near it). */
function formulaireTropVolumineux(): Response {
  return new Response(`Le formulaire envoyé est trop volumineux : ${taille(ENVELOPE_BYTES)} au plus.`, { status: 413, headers: TEXT_HEADERS });
}

/** The body went past the form's limit while it was read. */
class LimiteDepassee extends Error {}

/**
 * The request body, cut as soon as more than `max` bytes came: the parser reading it then fails (LimiteDepassee),
 * nothing beyond is read. The request's own stream is never cancelled (`preventCancel`): cancelling it would
 * destroy the connection, and the visitor would get no answer instead of the page saying why.
 */
function corpsLimite(body: ReadableStream<Uint8Array>, max: number): ReadableStream<Uint8Array> {
  let lus = 0;
  const limite = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      lus += chunk.byteLength;
      if (lus > max) controller.error(new LimiteDepassee());
      else controller.enqueue(chunk);
    },
  });
  body.pipeTo(limite.writable, { preventCancel: true }).catch(() => {});
  return limite.readable;
}

/**
 * A form read within its limits, never wholly in memory before its size is known: a Content-Length over the limit
 * is refused before anything is read (413); else the body is read as it streams, cut at the file's limit plus
 * ENVELOPE_BYTES; then each file is checked against `maxFileBytes`, each text field against FIELD_MAX_BYTES. A form
 * without a file (`limits` absent) has ENVELOPE_BYTES: an anonymous POST of 400 Mo to /connexion is not read whole.
 * The rest of a refused body is dropped by the server once the answer is sent (server.ts, jeterLeCorpsNonLu), so that a
 * browser, still sending it, gets the page instead of a reset connection.
 */
async function readLimitedForm(request: Request, limits: FormLimits | undefined): Promise<FormData> {
  const maxFileBytes = limits?.maxFileBytes ?? 0;
  const tropVolumineux = () => (limits ? fichierTropVolumineux(maxFileBytes) : formulaireTropVolumineux());
  const max = maxFileBytes + ENVELOPE_BYTES;
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > max) throw tropVolumineux();
  if (!request.body) return request.formData();
  const limited = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: corpsLimite(request.body, max),
    duplex: "half",
  } as RequestInit);
  let formData: FormData;
  try {
    // Node's own parser (undici, busboy), not Remix's multipart parser, which refuses a file name holding « ; » or
    // « = » (« effectifs; version 2.csv ») as a malformed header. The whole body is capped above, so each part is
    // checked once read.
    formData = await limited.formData();
  } catch (error) {
    if (error instanceof LimiteDepassee || (error as { cause?: unknown })?.cause instanceof LimiteDepassee) throw tropVolumineux();
    throw error;
  }
  for (const [name, value] of formData) {
    if (typeof value !== "string") {
      if (limits && value.size > maxFileBytes) throw fichierTropVolumineux(maxFileBytes);
    } else if (Buffer.byteLength(value) > FIELD_MAX_BYTES) {
      throw new Response(`Le formulaire envoyé est illisible : le champ « ${name} » dépasse ${taille(FIELD_MAX_BYTES)}.`, { status: 400, headers: TEXT_HEADERS });
    }
  }
  return formData;
}

/**
 * Reads the form and checks its CSRF token; throws a 403 Response when it is missing or wrong. The form is read
 * within its limits (readLimitedForm: `limits` for a form carrying a file, 1 Mo else): over them, a 413 Response
 * whose text says so in French, thrown before the token is checked (nothing is done either way).
 */
export async function requireValidForm(request: Request, database: Database, limits?: FormLimits): Promise<FormData> {
  let formData: FormData;
  try {
    formData = await readLimitedForm(request, limits);
  } catch (error) {
    if (error instanceof Response) throw error;
    throw new Response("Le formulaire envoyé est illisible.", { status: 400, headers: TEXT_HEADERS });
  }
  if (!(await isCsrfValid(request, database, formData))) throw csrfError();
  // a value no one types and the database cannot store (a tampered form): refused here for every form, nothing done
  const nul = champAvecCaractereNul(formData);
  if (nul) throw new Response(nul, { status: 400, headers: TEXT_HEADERS });
  return formData;
}
