/**
 * Signed-in accounts for the tests that call a loader or a domain function with a Request (no HTTP server): `compte`
 * creates a user and its session, `requete` builds a request carrying that session's cookie (none: the public).
 */
import { createUser } from "../../app/auth/accounts.server";
import { createSession } from "../../app/auth/session.server";
import type { Database } from "../../db/client.server";

export function sessions(database: () => Database) {
  const cookies: Record<string, string> = {};
  return {
    async compte(nom: string, organisation: Record<string, string>): Promise<void> {
      const { user } = await createUser(database(), { email: `${nom}@test.fr`, password: "Mot-de-passe-de-test-42", organisation: organisation as never });
      cookies[nom] = (await createSession(database(), user.id, new Request("http://localhost/"))).split(";")[0];
    },
    requete(path: string, qui?: string): Request {
      return new Request(`http://localhost${path}`, { headers: qui ? { cookie: cookies[qui] } : {} });
    },
  };
}
