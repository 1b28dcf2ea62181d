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
import type { Database } from "../db/client.server";
import { formatDecimal } from "../app/ui/format";
import { messageImpossible } from "../app/shared/erreurs-base.server";

const demoAllowed = process.env.NODE_ENV !== "production" || process.env.DEMO === "1";
if (demoAllowed) process.env.DEMO = "1";
if (process.env.NODE_ENV !== "production") {
  process.env.NODE_ENV = "production";
  process.env.COOKIE_SECURE ??= "0";
}

async function main() {
  // imported once NODE_ENV is settled: React picks its build when it is first loaded
  const { getDatabase } = await import("../db/client.server");
  const { onStopSignal, startServer, stopOnSignals } = await import("../server");
  buildIfNeeded();
  const database = await getDatabase();
  // Ctrl-C while the database is prepared: the step in progress ends in a consistent state (a demo load is rolled
  // back, a statut rebuild is finished), then the database is closed as the running server would close it.
  const setup = new AbortController();
  const endSetup = onStopSignal((signal) => {
    console.log(`${signal} reçu : arrêt après l'étape en cours de la préparation (un chargement de démonstration est abandonné)…`);
    setup.abort(new Error("préparation interrompue"));
  });
  const stopIfAsked = async () => {
    if (!setup.signal.aborted) return;
    await database.close();
    console.log("Préparation interrompue, base de données fermée proprement.");
    process.exit(0);
  };
  try {
    await prepare(database, setup.signal);
  } catch (error) {
    if (setup.signal.aborted && error === setup.signal.reason) await stopIfAsked();
    await database.close();
    throw error;
  }
  await stopIfAsked();

  const port = Number(process.env.PORT ?? 3000);
  const server = await startServer(database, port, { jobs: true }).catch(async (error) => {
    await database.close();
    throw error;
  });
  endSetup();
  if (setup.signal.aborted) server.close();
  await stopIfAsked();
  stopOnSignals(server, database);
  console.log(`Tableau de bord de l'apprentissage prêt sur http://localhost:${port}`);
}

/** Territories, a statut rebuild cut short by a killed process, and (demo) an empty database filled. */
async function prepare(database: Database, signal: AbortSignal) {
  const { ensureTerritories } = await import("../app/referentiel/territoires.server");
  const { todayIso } = await import("../app/statut/annee-scolaire");
  console.log(`Base de données : ${database.kind === "pglite" ? `PGlite (embarquée, ${process.env.PGLITE_DIR ?? ".data/pglite"})` : "PostgreSQL (DATABASE_URL)"}`);
  const territories = await ensureTerritories(database);
  if (territories.loaded) console.log(`Territoires chargés (${territories.communes} communes).`);
  const { rebuildInterrompu, rebuildStatutStorage } = await import("../app/statut/storage.server");
  if (await rebuildInterrompu(database)) {
    console.log("Le calcul des statuts avait été interrompu (processus arrêté pendant le calcul) : il est refait…");
    const result = await rebuildStatutStorage(database, { today: todayIso() });
    console.log(`Statuts recalculés : ${result.effectifs} effectifs, ${result.periodes} périodes, en ${formatDecimal(result.ms / 1000)} s.`);
  }

  if (demoAllowed) {
    const { isDatabaseEmpty, seedDemo } = await import("../app/demo/seed.server");
    if (await isDatabaseEmpty(database)) {
      const effectifs = Number(process.env.DEMO_EFFECTIFS ?? 50_000);
      console.log(`Base vide : génération du jeu de démonstration (${effectifs} effectifs)…`);
      const result = await seedDemo(database, { effectifs, seed: 1, today: todayIso(), signal });
      console.log(`Jeu de démonstration chargé en ${formatDecimal(result.seconds)} s.`);
    }
    if (signal.aborted) return;
    const { ensureDemoAccounts } = await import("../app/auth/demo-accounts.server");
    await ensureDemoAccounts(database);
    const { ensureDemoTransmissions } = await import("../app/cfa/demo-transmissions.server");
    await ensureDemoTransmissions(database, todayIso());
  }
}

main().catch((error) => {
  // a refusal the user can act on, or the database unreachable: one line, what to check; anything else without its values
  console.error(messageImpossible("Démarrage", error));
  process.exit(1);
});
