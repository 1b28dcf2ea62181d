/**
 * A real, empty, migrated PostgreSQL for one test file: PGlite in memory by default, or — when DATABASE_URL is
 * set — a fresh database created on that server for this file and dropped afterwards.
 */
import postgres from "postgres";
import { migrate, openDatabase, type Database } from "../../db/client.server";
import { ensureTerritories } from "../../app/referentiel/territoires.server";

export interface TestDatabase {
  database: Database;
  url?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { territories?: boolean; lockTimeoutMs?: number } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  let database: Database;
  let drop: () => Promise<void>;
  let url: string | undefined;
  if (serverUrl) {
    const name = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    database = await openDatabase({ url, max: 5, lockTimeoutMs: options.lockTimeoutMs });
    drop = async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  } else {
    database = await openDatabase({ pgliteDir: "memory://" });
    drop = () => database.close();
  }
  await migrate(database);
  if (options.territories !== false) await ensureTerritories(database);
  return { database, url, drop };
}
