/**
 * The server stops cleanly on SIGTERM / SIGINT (server.ts, stopOnSignals), in a child process on a real database
 * (a fresh PGlite directory, or a database of the PostgreSQL server when DATABASE_URL is set): a batch whose body
 * is still arriving when the signal comes is read, stored and answered; a new connection is refused; the process
 * exits 0 after closing the database, which reopens with the batch in it. `npm start` (scripts/start.ts) stopped
 * while it loads the demo leaves the database as it was. Needs `npm run -s build` first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { migrate, openDatabase, type Database } from "../../db/client.server";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dossier, insertOrganisme, keyFor } from "./ingestion-fixtures";
import { isDatabaseEmpty } from "../../app/demo/seed.server";
import { rebuildInterrompu } from "../../app/statut/storage.server";
import { createUser } from "../../app/auth/accounts.server";
import { createSession } from "../../app/auth/session.server";
import { luhnCompletion } from "../../app/referentiel/codes";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * A migrated database with one organisme and its API key; `env` opens the same database from another process.
 * `avant`: more set-up, done before the database is handed over (an account and its session).
 */
async function prepare(avant: (database: Database) => Promise<void> = async () => {}): Promise<{
  env: NodeJS.ProcessEnv;
  key: string;
  organisme: Awaited<ReturnType<typeof insertOrganisme>>;
  reopen(): Promise<Database>;
}> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", PORT: "0", SHUTDOWN_GRACE_MS: "20000" };
  if (process.env.DATABASE_URL) {
    const t: TestDatabase = await createTestDatabase({ territories: false });
    cleanups.push(() => t.drop());
    const organisme = await insertOrganisme(t.database, 1);
    const key = await keyFor(t.database, organisme);
    await avant(t.database);
    return { env: { ...env, DATABASE_URL: t.url }, key, organisme, reopen: async () => t.database };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tdb-arret-"));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const pgliteDir = path.join(dir, "pglite");
  const database = await openDatabase({ pgliteDir });
  await migrate(database);
  const organisme = await insertOrganisme(database, 1);
  const key = await keyFor(database, organisme);
  await avant(database);
  await database.close(); // one process at a time on a PGlite directory
  delete env.DATABASE_URL;
  return {
    env: { ...env, PGLITE_DIR: pgliteDir },
    key,
    organisme,
    reopen: async () => {
      const reopened = await openDatabase({ pgliteDir });
      cleanups.push(() => reopened.close());
      return reopened;
    },
  };
}

function startServerProcess(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number; output: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`le serveur n'a pas démarré : ${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /sur http:\/\/localhost:(\d+)/.exec(output)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ child, port: Number(port), output: () => output, exit });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", () => reject(new Error(`le serveur s'est arrêté au démarrage : ${output}`)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds (checked every 50 ms); fails after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe("graceful shutdown", () => {
  it("SIGTERM while a référentiel import runs in the background: the import ends within the grace period, then the database closes", async () => {
    let cookie = "";
    const { env, reopen } = await prepare(async (database) => {
      const { user } = await createUser(database, {
        email: "admin-arret@test.fr",
        password: "Mot-de-passe-de-test-42",
        role: "admin",
        organisation: { type: "ADMINISTRATEUR" } as never,
      });
      cookie = (await createSession(database, user.id, new Request("http://localhost/"))).split(";")[0];
    });
    // the session made here is read over plain HTTP: its cookie is not the Secure one of production
    const server = await startServerProcess({ ...env, COOKIE_SECURE: "0" });
    cleanups.push(async () => {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    });
    const base = `http://127.0.0.1:${server.port}`;
    const page = await (await fetch(`${base}/admin/imports`, { headers: { cookie } })).text();
    const form = new FormData();
    form.set("csrf", /name="csrf" value="([^"]+)"/.exec(page)![1]);
    form.set("type", "organismes");
    // enough lines for the import to be still running when the signal comes
    const lignes = Array.from({ length: 20_000 }, (_, i) => {
      const siret = `1300${String(i).padStart(9, "0")}`;
      return `${siret}${luhnCompletion(siret)};;formateur;Organisme d'arrêt ${i};;;;;;;;actif;;`;
    });
    const csv = ["siret;uai;nature;raison_sociale;enseigne;adresse;code_postal;commune;code_commune_insee;reseaux;qualiopi;etat_administratif;siret_responsable;uai_responsable", ...lignes].join("\n");
    form.set("fichier", new File([csv], "arret.csv", { type: "text/csv" }));
    const posted = await fetch(`${base}/admin/imports`, { method: "POST", body: form, headers: { cookie }, redirect: "manual" });
    expect([302, 303]).toContain(posted.status);
    expect(posted.headers.get("location")).toMatch(/^\/admin\/imports\?import=/);
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(0);
    expect(server.output()).toContain("Serveur arrêté, base de données fermée proprement.");
    expect(server.output()).not.toMatch(/Error|at /);
    const database = await reopen();
    const [job] = await database.rows<{ finished_at: unknown; error: string | null }>(sql`select finished_at, error from imports_referentiel`);
    expect(job).toEqual({ finished_at: expect.anything(), error: null });
    const [{ n }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from organismes where raison_sociale like 'Organisme d''arrêt %'`);
    expect(n).toBe(20_000);
  }, 120_000);

  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s: the batch being received is stored and answered, new connections are refused, the database closes cleanly",
    async (signal) => {
      const { env, key, organisme, reopen } = await prepare();
      const server = await startServerProcess(env);
      cleanups.push(async () => {
        if (server.child.exitCode === null) server.child.kill("SIGKILL");
      });

      const body = Buffer.from(JSON.stringify([1, 2, 3].map((i) => dossier(organisme, organisme, { id_erp_apprenant: `ARRET-${i}` }))));
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port: server.port,
            method: "POST",
            path: "/api/v3/dossiers-apprenants",
            headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", "Content-Length": body.length },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk) => (text += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on("error", reject);
        req.write(body.subarray(0, 100));
        // the rest of the body comes after the signal
        setTimeout(async () => {
          // a Ctrl-C arrives twice (from the terminal, and forwarded by npm): one request to stop
          server.child.kill(signal);
          server.child.kill(signal);
          await sleep(500);
          try {
            expect(server.child.exitCode).toBeNull();
            await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
          } catch (error) {
            reject(error);
          }
          req.end(body.subarray(100));
        }, 300);
      });

      const { status, text } = await answer;
      expect(status).toBe(200);
      const response = JSON.parse(text);
      expect(response.data.map((d: { status: string }) => d.status)).toEqual(["ok", "ok", "ok"]);
      expect(await server.exit).toBe(0);
      expect(server.output()).toContain(`${signal} reçu : arrêt du serveur après les requêtes en cours`);
      expect(server.output()).toContain("Serveur arrêté, base de données fermée proprement.");

      expect(server.output()).not.toContain("arrêt immédiat");

      const database = await reopen();
      const rows = await database.rows<{ id_erp_apprenant: string }>(sql`select id_erp_apprenant from effectifs order by 1`);
      expect(rows.map((r) => r.id_erp_apprenant)).toEqual(["ARRET-1", "ARRET-2", "ARRET-3"]);
    },
    120_000,
  );

  it("a second signal, a few seconds later, stops at once (the request still arriving is cut, nothing of it is stored)", async () => {
    const { env, key, organisme, reopen } = await prepare();
    const server = await startServerProcess(env);
    cleanups.push(async () => {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    });
    const body = Buffer.from(JSON.stringify([dossier(organisme, organisme, { id_erp_apprenant: "COUPE-1" })]));
    const answer = new Promise<string>((resolve) => {
      const req = http.request({
        host: "127.0.0.1",
        port: server.port,
        method: "POST",
        path: "/api/v3/dossiers-apprenants",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", "Content-Length": body.length },
      });
      req.on("response", () => resolve("réponse"));
      req.on("error", () => resolve("coupée"));
      req.write(body.subarray(0, 50)); // the rest never comes
    });
    await sleep(300);
    server.child.kill("SIGTERM");
    // the second signal must come well after the server *handled* the first (a busy machine may delay that handling,
    // and a signal within a second of it is taken as the same one, repeated by a terminal)
    await until(() => server.output().includes("SIGTERM reçu : arrêt du serveur"), 30_000);
    await sleep(1_500);
    expect(server.child.exitCode).toBeNull(); // still waiting for the request in progress
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(1);
    expect(server.output()).toContain("SIGTERM reçu de nouveau : arrêt immédiat.");
    expect(await answer).toBe("coupée");
    if (!process.env.DATABASE_URL) {
      // PGlite was not closed: it still reopens (its journal is replayed), without the cut request
      const database = await reopen();
      expect(await database.rows(sql`select id from effectifs`)).toEqual([]);
    }
  }, 120_000);
});

describe("npm start stopped while it prepares the database", () => {
  it("Ctrl-C during the demo load: the load is rolled back, the database is closed cleanly, the process exits 0", async () => {
    // not in production (npm start's default): the demo is loaded into an empty database
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "development", PORT: "0", DEMO_EFFECTIFS: "50000" };
    let reopen: () => Promise<Database>;
    if (process.env.DATABASE_URL) {
      const t: TestDatabase = await createTestDatabase({ territories: false });
      cleanups.push(() => t.drop());
      env.DATABASE_URL = t.url;
      reopen = async () => t.database;
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tdb-demarrage-"));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      delete env.DATABASE_URL;
      env.PGLITE_DIR = path.join(dir, "pglite");
      reopen = async () => {
        const reopened = await openDatabase({ pgliteDir: env.PGLITE_DIR });
        cleanups.push(() => reopened.close());
        return reopened;
      };
    }
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    let output = "";
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const loading = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("génération du jeu de démonstration")) resolve();
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
    });
    await Promise.race([loading, exit]);
    child.kill("SIGINT");
    expect(await exit, output).toBe(0);
    expect(output).toContain("SIGINT reçu : arrêt après l'étape en cours de la préparation");
    expect(output).toContain("Préparation interrompue, base de données fermée proprement.");
    expect(output).not.toContain("Jeu de démonstration chargé");
    const database = await reopen();
    // nothing of the load is left: the next npm start finds an empty database and loads the demo
    expect(await isDatabaseEmpty(database)).toBe(true);
    expect(await rebuildInterrompu(database)).toBe(false);
  }, 120_000);
});
