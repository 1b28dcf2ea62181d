/**
 * `npm start`: builds when needed, migrates, loads the territories, fills an empty database with the demo
 * dataset (not in production unless DEMO=1), then serves on PORT (default 3000).
 *
 * The server always runs in production mode (React's and Remix's production builds: server rendering two to
 * three times faster, no stack trace in an error page). Whether the demo is wanted is decided before, from the
 * NODE_ENV it was started with, and carried by DEMO=1 (demo accounts, e-mails printed on the console); the local
 * demo is served over plain HTTP, so its session cookie is not marked Secure unless COOKIE_SECURE says so.
 */
import { buildIfNeeded } from "./build-if-needed";

const demoAllowed = process.env.NODE_ENV !== "production" || process.env.DEMO === "1";
if (demoAllowed) process.env.DEMO = "1";
if (process.env.NODE_ENV !== "production") {
  process.env.NODE_ENV = "production";
  process.env.COOKIE_SECURE ??= "0";
}

async function main() {
  // imported once NODE_ENV is settled: React picks its build when it is first loaded
  const { getDatabase } = await import("../db/client.server");
  const { ensureTerritories } = await import("../app/referentiel/territoires.server");
  const { startServer, stopOnSignals } = await import("../server");
  buildIfNeeded();
  const database = await getDatabase();
  console.log(`Base de données : ${database.kind === "pglite" ? "PGlite (embarquée, .data/pglite)" : "PostgreSQL (DATABASE_URL)"}`);
  const territories = await ensureTerritories(database);
  if (territories.loaded) console.log(`Territoires chargés (${territories.communes} communes).`);

  if (demoAllowed) {
    const { isDatabaseEmpty, seedDemo } = await import("../app/demo/seed.server");
    if (await isDatabaseEmpty(database)) {
      const effectifs = Number(process.env.DEMO_EFFECTIFS ?? 50_000);
      console.log(`Base vide : génération du jeu de démonstration (${effectifs} effectifs)…`);
      const result = await seedDemo(database, { effectifs, seed: 1, today: new Date().toISOString().slice(0, 10) });
      console.log(`Jeu de démonstration chargé en ${result.seconds.toFixed(1)} s.`);
    }
    const { ensureDemoAccounts } = await import("../app/auth/demo-accounts.server");
    await ensureDemoAccounts(database);
    const { ensureDemoTransmissions } = await import("../app/cfa/demo-transmissions.server");
    const { todayIso } = await import("../app/statut/annee-scolaire");
    await ensureDemoTransmissions(database, todayIso());
  }

  const port = Number(process.env.PORT ?? 3000);
  const server = await startServer(database, port, { jobs: true }).catch(async (error) => {
    await database.close();
    throw error;
  });
  stopOnSignals(server, database);
  console.log(`Tableau de bord de l'apprentissage prêt sur http://localhost:${port}`);
}

/** Refusals the user can act on (base embarquée already open, port taken) are said in one line, without a stack. */
const EXPECTED = new Set(["PGLITE_LOCKED", "EADDRINUSE"]);

main().catch((error) => {
  console.error(EXPECTED.has((error as { code?: string }).code ?? "") ? `Démarrage impossible : ${(error as Error).message}` : error);
  process.exit(1);
});
