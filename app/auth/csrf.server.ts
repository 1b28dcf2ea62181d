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

function foreignOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return origin === "null";
  try {
    return new URL(origin).host !== new URL(request.url).host;
  } catch {
    return true;
  }
}

/** Whether the submitted form carries this visitor's token (and comes from this site). */
export async function isCsrfValid(request: Request, database: Database, formData: FormData): Promise<boolean> {
  if (foreignOrigin(request)) return false;
  const submitted = formData.get(CSRF_FIELD);
  if (typeof submitted !== "string" || !TOKEN_PATTERN.test(submitted)) return false;
  const session = await findSession(database, request);
  if (session && same(submitted, session.csrfToken)) return true;
  const anonymous = readCookie(request, csrfCookieName());
  return !!anonymous && TOKEN_PATTERN.test(anonymous) && same(submitted, anonymous);
}

/** Reads the form and checks its CSRF token; throws a 403 Response when it is missing or wrong. */
export async function requireValidForm(request: Request, database: Database): Promise<FormData> {
  let formData: FormData;
  try {
    formData = await request.formData();
  } catch {
    throw new Response("Le formulaire envoyé est illisible.", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  if (!(await isCsrfValid(request, database, formData))) throw csrfError();
  // a value no one types and the database cannot store (a tampered form): refused here for every form, nothing done
  const nul = champAvecCaractereNul(formData);
  if (nul) throw new Response(nul, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return formData;
}
