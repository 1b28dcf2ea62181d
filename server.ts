/**
 * The HTTP server: static assets, /healthz, and the Remix app with the database in its load context.
 * `npm run serve` runs it directly; `npm start` (scripts/start.ts) builds, migrates and seeds first.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import compression from "compression";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { getDatabase, type Database } from "./db/client.server";
import { startJobs } from "./app/jobs/jobs.server";

export async function createApp(database: Database) {
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  if (process.env.TRUST_PROXY) app.set("trust proxy", Number(process.env.TRUST_PROXY) || process.env.TRUST_PROXY);
  app.use(compression());
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.get("/healthz", async (_req, res) => {
    try {
      await database.rows(sql`select 1`);
      res.json({ status: "ok", database: database.kind });
    } catch {
      res.status(503).json({ status: "error", database: database.kind });
    }
  });
  app.all("*", createRequestHandler({ build, getLoadContext: (req) => ({ database, clientIp: req.ip ?? req.socket.remoteAddress ?? null }) }));
  return app;
}

/** Serves the app; `jobs` starts the scheduled jobs (purges, key expiry) — not in tests. */
export async function startServer(database: Database, port = Number(process.env.PORT ?? 3000), options: { jobs?: boolean } = {}) {
  const app = await createApp(database);
  if (options.jobs) startJobs(database);
  return new Promise<import("node:http").Server>((resolve) => {
    const server = app.listen(port, () => resolve(server));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const database = await getDatabase();
  const port = Number(process.env.PORT ?? 3000);
  await startServer(database, port, { jobs: true });
  console.log(`Tableau de bord de l'apprentissage sur http://localhost:${port} (base : ${database.kind})`);
}
