/**
 * The one way to reach the database. `DATABASE_URL` set → PostgreSQL server through postgres.js;
 * unset → PGlite (embedded PostgreSQL) persisted in `PGLITE_DIR` (default `.data/pglite`, git-ignored),
 * or in memory when PGLITE_DIR is "memory://".
 */
import fs from "node:fs";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { gt, sql as sqlTag, type SQL } from "drizzle-orm";
import type { PgColumn, PgDatabase, PgQueryResultHKT, PgSelect } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = "pglite" | "postgres";

export interface Database {
  kind: DatabaseKind;
  db: Db;
  /** Raw rows of a query, whatever the driver. */
  rows<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Bulk load CSV text (no header, `\N` = null is not used: empty unquoted = null) into table(columns). */
  copyCsv(table: string, columns: string[], csv: string | AsyncIterable<string>): Promise<void>;
  /** LISTEN on a channel (postgres.js: on a dedicated connection, re-established by the driver); resolves to the UNLISTEN. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /**
   * PostgreSQL server: runs `fn` on a connection of its own that holds the migrations' advisory lock, so that two
   * processes starting together (two replicas, a server and a CLI) migrate one after the other, not both at once
   * (one would fail on « relation already exists »). PGlite has one process: no such method.
   */
  sousVerrouDeMigration?(fn: (db: Db) => Promise<void>): Promise<void>;
}

/** The key of the migrations' advisory lock (pg_advisory_lock): any constant the app uses for nothing else. */
const VERROU_MIGRATIONS = 720_250_001;

/** Resolved from the working directory: the server bundle lives in build/, the migrations stay in db/. */
export const MIGRATIONS_FOLDER = path.resolve(process.env.MIGRATIONS_DIR ?? "db/migrations");

export interface OpenOptions {
  url?: string;
  pgliteDir?: string;
  /** Max connections for postgres.js. */
  max?: number;
  /** PostgreSQL server: the sessions' lock_timeout (default `LOCK_TIMEOUT_MS`). */
  lockTimeoutMs?: number;
}

/**
 * PostgreSQL server, every session of the pool: a statement that waits more than 20 s for a lock (a table locked by
 * an operator, a long migration elsewhere) fails (55P03), answered 503 « réessayez » like an unavailable base, instead
 * of holding its connection until the lock goes: a few such requests would take the whole pool, and every page with
 * it. A transaction left idle for 60 s (a process stuck between two statements) is ended, with its locks.
 * Migrations run on a connection of their own (`sousVerrouDeMigration`), without these limits. Decision 027.
 */
export const LOCK_TIMEOUT_MS = 20_000;
/**
 * The transactions that queue behind each other by design (an ingestion batch behind another's aggregate rows, or
 * behind the build of a day's aggregates, which holds statut_periodes for seconds; that build behind writers) wait
 * longer: `set local lock_timeout` to this in them.
 */
export const LOCK_TIMEOUT_ECRITURES_MS = 60_000;
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/** A drizzle database or transaction: what the data-layer helpers run on. */
export interface Executor {
  execute(query: SQL): Promise<unknown>;
}

/** Rows of a query on a database or a transaction, whatever the driver (postgres.js answers an array, PGlite `{ rows }`). */
export async function execRows<T = Record<string, unknown>>(executor: Executor, query: SQL): Promise<T[]> {
  const result = await executor.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Rows per chunk when a table is read by chunks (a few tens of ms on PGlite). */
export const READ_CHUNK = 500;

/**
 * Every row of a query read by chunks of `READ_CHUNK` in the order of a unique key (keyset pagination), with a turn
 * of the event loop between chunks (decision 021): `chunk(after)` reads the rows whose key comes after `after`
 * (undefined: the first ones), ordered by that key, `limit READ_CHUNK` (`chunkAfter` for a one-column key).
 */
export async function readByChunks<T, K>(chunk: (after: K | undefined) => Promise<T[]>, keyOf: (row: T) => K): Promise<T[]> {
  const all: T[] = [];
  let after: K | undefined;
  for (;;) {
    const rows = await chunk(after);
    for (const row of rows) all.push(row);
    if (rows.length < READ_CHUNK) return all;
    after = keyOf(rows[rows.length - 1]);
    await nextTurn();
  }
}

/** `where key > after order by key limit READ_CHUNK` (no `where` for the first chunk): a `readByChunks` chunk's tail. */
export function chunkAfter(key: SQL, after: unknown): SQL {
  return sqlTag`${after === undefined ? sqlTag`` : sqlTag`where ${key} > ${after}`} order by ${key} limit ${READ_CHUNK}`;
}

/** `chunkAfter` for a drizzle query (`.$dynamic()`) read in the order of its serial `id` column. */
export function chunkAfterId<Q extends PgSelect>(query: Q, id: PgColumn, after: number | undefined): Q {
  return query.where(after === undefined ? undefined : gt(id, after)).orderBy(id).limit(READ_CHUNK);
}

const ARRAY_ESCAPE = /["\\]/;

/**
 * A PostgreSQL array literal of one column's values, to pass as a text parameter cast to `type[]` and read with
 * `unnest(…)`: strings quoted (with `"` and `\` escaped), objects as their JSON (for `jsonb[]`), booleans `t`/`f`,
 * null and undefined as NULL. Typed arrays are the cheapest way found to send a batch of rows in one statement:
 * PostgreSQL reads them several times faster than a `json_to_recordset` of the same rows (decision 009).
 */
export function arrayParam(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = "NULL";
    else if (typeof v === "number") parts[i] = String(v);
    else if (typeof v === "boolean") parts[i] = v ? "t" : "f";
    else {
      const s = typeof v === "string" ? v : JSON.stringify(v);
      parts[i] = ARRAY_ESCAPE.test(s) ? `"${s.replace(/[\\"]/g, "\\$&")}"` : `"${s}"`;
    }
  }
  return `{${parts.join(",")}}`;
}

/** `unnest(…)` of column arrays (one array per column, same length), each sent as an `arrayParam` cast to its type. */
export function unnestArrays(columns: readonly (readonly unknown[])[], types: readonly string[]): SQL {
  return sqlTag`unnest(${sqlTag.join(
    columns.map((values, j) => sqlTag`${arrayParam(values)}::${sqlTag.raw(types[j])}[]`),
    sqlTag`, `,
  )})`;
}

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const url = options.url ?? process.env.DATABASE_URL;
  if (url) return openPostgres(url, options.max ?? 10, options.lockTimeoutMs ?? LOCK_TIMEOUT_MS);
  return openPglite(options.pgliteDir ?? process.env.PGLITE_DIR ?? ".data/pglite");
}

/** DATABASE_URL that is not a PostgreSQL address: refused in one French line (never echoed: it may hold a password). */
export class AdresseBaseInvalide extends Error {
  readonly code = "DATABASE_URL_INVALIDE";
  constructor() {
    super("DATABASE_URL n'est pas une adresse PostgreSQL : attendu postgres://utilisateur[:mot de passe]@hôte[:port]/base (par exemple postgres://postgres@127.0.0.1:5432/apprentissage).");
  }
}

function verifierAdresse(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AdresseBaseInvalide();
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") throw new AdresseBaseInvalide();
}

async function openPostgres(url: string, max: number, lockTimeoutMs: number): Promise<Database> {
  verifierAdresse(url);
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connection: {
      TimeZone: "UTC",
      jit: "off",
      lock_timeout: lockTimeoutMs,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    async rows<T>(query: SQL) {
      const result = await db.execute(query);
      return Array.from(result as unknown as T[]);
    },
    async copyCsv(table, columns, csv) {
      const writable = await client.unsafe(`copy ${table} (${columns.join(",")}) from stdin with (format csv)`).writable();
      const { pipeline } = await import("node:stream/promises");
      const { Readable } = await import("node:stream");
      await pipeline(typeof csv === "string" ? Readable.from([csv]) : Readable.from(csv), writable);
    },
    async listen(channel, onNotify) {
      const { unlisten } = await client.listen(channel, () => onNotify());
      return unlisten;
    },
    close: () => client.end({ timeout: 5 }),
    async sousVerrouDeMigration(fn) {
      const seule = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC", jit: "off" } });
      try {
        // a session lock, released when this connection ends (also if the process dies meanwhile)
        await seule`select pg_advisory_lock(${VERROU_MIGRATIONS})`;
        await fn(drizzle(seule, { schema }) as unknown as Db);
      } finally {
        await seule.end({ timeout: 5 });
      }
    },
  };
}

/**
 * PGlite is a PostgreSQL for one process: two processes on one folder would corrupt it (a second `npm start`, a CLI
 * command while the server runs). `<folder>.lock` holds the pid of the process that has it open; a lock whose
 * process is gone (killed) is taken over. Returns the release function.
 */
function lockPgliteDir(dataDir: string): () => void {
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number(fs.readFileSync(lockPath, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw Object.assign(
          new Error(
            `La base embarquée ${dataDir} est déjà ouverte par le processus ${pid} (un autre « npm start » ou une ` +
              `commande en cours ?). Arrêtez-le d'abord, ou choisissez une autre base avec PGLITE_DIR. Si aucun ` +
              `processus ne l'utilise, supprimez ${lockPath}.`,
          ),
          { code: "PGLITE_LOCKED" },
        );
      }
      fs.rmSync(lockPath, { force: true }); // left by a process that has ended
    }
  }
  throw new Error(`Impossible de prendre le verrou de la base embarquée (${lockPath}).`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dataDir = dir === "memory://" ? undefined : path.resolve(dir);
  // PGlite creates its own folder but not the missing parents (.data/ on a fresh clone).
  if (dataDir) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const unlock = dataDir ? lockPgliteDir(dataDir) : () => {};
  let client: InstanceType<typeof PGlite>;
  try {
    client = dataDir ? new PGlite(dataDir) : new PGlite();
    await client.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  await client.exec("set timezone to 'UTC'");
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    async rows<T>(query: SQL) {
      const result = await db.execute(query);
      return (result as unknown as { rows: T[] }).rows;
    },
    async copyCsv(table, columns, csv) {
      let text: string;
      if (typeof csv === "string") text = csv;
      else {
        const parts: string[] = [];
        for await (const chunk of csv) parts.push(chunk);
        text = parts.join("");
      }
      await client.query(`copy ${table} (${columns.join(",")}) from '/dev/blob' with (format csv)`, [], {
        blob: new Blob([text]),
      });
    },
    async listen(channel, onNotify) {
      const unlisten = await client.listen(channel, () => onNotify());
      return () => unlisten();
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        unlock();
      }
    },
  };
}

export async function migrate(database: Database): Promise<void> {
  if (database.kind === "postgres") {
    const { migrate: run } = await import("drizzle-orm/postgres-js/migrator");
    const migrer = (db: Db) => run(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    await (database.sousVerrouDeMigration ? database.sousVerrouDeMigration(migrer) : migrer(database.db));
  } else {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    await run(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  }
}

let shared: Promise<Database> | undefined;

/** The process-wide database (the server and the CLI), migrated on first use. */
export function getDatabase(): Promise<Database> {
  shared ??= (async () => {
    const database = await openDatabase();
    await migrate(database);
    return database;
  })();
  return shared;
}

export { sqlTag as sql };
