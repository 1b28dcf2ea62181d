/** Response helpers of the routes. */
import { data } from "@remix-run/node";

/**
 * Loader data with headers (the anonymous CSRF cookie). Typed as the plain value so that
 * `useLoaderData<typeof loader>()` stays precise; Remix's single fetch unwraps it.
 */
export function withHeaders<T>(value: T, headers: Headers): T {
  return ([...headers.keys()].length ? data(value, { headers }) : value) as T;
}

/**
 * Loader data of a page whose address holds a bad value: answered as a 400 (the page still renders, with the French
 * message naming the parameter and what was expected, like the dashboards), else as usual. Typed as the plain value,
 * like `withHeaders`.
 */
export function refusSiInvalide<T>(value: T, erreurs: readonly unknown[]): T {
  return (erreurs.length ? data(value, { status: 400 }) : value) as T;
}

/** Pages with personal data are never cached. */
export const NO_STORE = { "Cache-Control": "private, no-store" };
