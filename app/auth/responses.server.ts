/** Response helpers of the account routes. */
import { data } from "@remix-run/node";

/**
 * Loader data with headers (the anonymous CSRF cookie). Typed as the plain value so that
 * `useLoaderData<typeof loader>()` stays precise; Remix's single fetch unwraps it.
 */
export function withHeaders<T>(value: T, headers: Headers): T {
  return ([...headers.keys()].length ? data(value, { headers }) : value) as T;
}

/** Pages with personal data are never cached. */
export const NO_STORE = { "Cache-Control": "private, no-store" };
