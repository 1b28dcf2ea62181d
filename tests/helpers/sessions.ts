/**
 * Signed-in accounts for the tests that call a loader or a domain function with a Request (no HTTP server): `compte`
 * creates a user and its session, `requete` builds a request carrying that session's cookie (none: the public).
 */
import { createUser } from "../../app/auth/accounts.server";
import { createSession } from "../../app/auth/session.server";
import { expect } from "vitest";
import type { Database } from "../../db/client.server";

export function sessions(database: () => Database) {
  const cookies: Record<string, string> = {};
  return {
    /** `role`: "admin" for an organisation's administrator (a national administrator: ADMINISTRATEUR and admin). */
    async compte(nom: string, organisation: Record<string, string>, role: "admin" | "member" = "member"): Promise<void> {
      const { user } = await createUser(database(), { email: `${nom}@test.fr`, password: "Mot-de-passe-de-test-42", organisation: organisation as never, role });
      cookies[nom] = (await createSession(database(), user.id, new Request("http://localhost/"))).split(";")[0];
    },
    requete(path: string, qui?: string): Request {
      return new Request(`http://localhost${path}`, { headers: qui ? { cookie: cookies[qui] } : {} });
    },
  };
}

/** The body of the error response a loader threw (a 403 unless said), failing the test when it threw none. */
export async function refus(promise: Promise<unknown>, status = 403): Promise<string> {
  const thrown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(thrown, "une réponse d'erreur est attendue").toBeInstanceOf(Response);
  expect((thrown as Response).status).toBe(status);
  return (thrown as Response).text();
}
