/**
 * Loads the demo dataset (app/demo/generator.ts) into the database with COPY, chunk by chunk:
 * organismes → organisme_relations → formations → (effectifs → contrats → effectif_statuts_erp) × chunks.
 * Ids are explicit (the generator numbers every row), so nothing is read back; the serial sequences are moved
 * past them at the end.
 */
import { createRequire } from "node:module";
import { getTableColumns, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { arrayParam, type Database } from "../../db/client.server";
import {
  contrats,
  effectifStatutsErp,
  effectifs,
  formations,
  offresFormation,
  organismeRelations,
  organismes,
} from "../../db/schema";
import { readTerritoryData } from "../referentiel/territoires.server";
import { fromDay } from "../statut/days";
import { rebuildStatutStorage } from "../statut/storage.server";
import { createDemoWorld, type DemoTerritories, type EffectifBundle } from "./generator";

const require = createRequire(import.meta.url);

export interface SeedProgress {
  phase: "referentiel" | "effectifs" | "finalisation" | "statuts";
  /** Effectifs loaded so far. */
  effectifs: number;
  /** Effectifs to load. */
  total: number;
  contrats: number;
}

export interface SeedOptions {
  effectifs: number;
  seed: number;
  /** "YYYY-MM-DD" */
  today: string;
  /** Empty the data tables first (territories are kept). Without it, a non-empty database is refused. */
  reset?: boolean;
  /** Effectifs per COPY (default 25,000). */
  chunkSize?: number;
  onProgress?: (progress: SeedProgress) => void;
  /**
   * Drop the secondary indexes of effectifs/contrats/effectif_statuts_erp during the load and rebuild them at the
   * end (default true; their foreign keys are always dropped and re-added, inside the load's transaction).
   */
  deferIndexes?: boolean;
  /** Defaults to loadDemoTerritories(). */
  territories?: DemoTerritories;
  /** Rebuild the statut storage after the load (default true). */
  statuts?: boolean;
  /**
   * Abandons the load when aborted (checked between chunks): its transaction is rolled back and the signal's reason
   * thrown, the database is left as it was. The statut rebuild that follows a completed load is not abandoned (cut,
   * it would leave partial periods).
   */
  signal?: AbortSignal;
}

export interface SeedResult {
  organismes: number;
  relations: number;
  formations: number;
  effectifs: number;
  contrats: number;
  statutsErp: number;
  seconds: number;
}

/** Tables the demo fills, children first (territories are not in this list). */
const DATA_TABLES = ["effectif_statuts_erp", "contrats", "effectifs", "transmissions", "offres_formation", "organisme_relations", "organismes", "formations"];

let territoriesCache: DemoTerritories | undefined;

/** readTerritoryData() plus the population of each commune (to place organismes and learners in big communes). */
export function loadDemoTerritories(): DemoTerritories {
  if (territoriesCache) return territoriesCache;
  const data = readTerritoryData();
  const raw: { code: string; type: string; population?: number }[] = require("@etalab/decoupage-administratif/data/communes.json");
  const populations: Record<string, number> = {};
  for (const c of raw) {
    if ((c.type === "commune-actuelle" || c.type === "arrondissement-municipal") && typeof c.population === "number") {
      populations[c.code] = c.population;
    }
  }
  territoriesCache = { ...data, populations };
  return territoriesCache;
}

const HAS_DATA = "select (exists (select 1 from effectifs) or exists (select 1 from organismes) or exists (select 1 from formations)) as n";

/** True when there is no effectif, organisme nor formation (the demo may be loaded). */
export async function isDatabaseEmpty(database: Database): Promise<boolean> {
  const [row] = await database.rows<{ n: boolean }>(sql.raw(HAS_DATA));
  return !row.n;
}

// ------------------------------------------------------------------------------------------------ CSV

// Encoders return the CSV text of one field ("" for NULL). A line is one long concatenation (a rope, cheap to
// build); lines are joined into flat blocks every few hundred rows, which keeps the garbage collector light.

/** Quoted CSV text (inner quotes doubled); null/undefined → empty unquoted field (NULL for COPY). */
function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  const s = String(value);
  return s.indexOf('"') === -1 ? '"' + s + '"' : '"' + s.replace(/"/g, '""') + '"';
}

/** Numbers and "YYYY-MM-DD" dates: never need quoting. */
function raw(value: unknown): string {
  return value === null || value === undefined ? "" : typeof value === "string" ? value : String(value);
}

function bool(value: unknown): string {
  return value === null || value === undefined ? "" : value ? "t" : "f";
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

/** ISO 8601 in UTC; whole seconds are formatted by hand (faster than toISOString on millions of rows). */
function instant(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (!(value instanceof Date)) return text(value);
  const time = value.getTime();
  const dayNumber = Math.floor(time / 86_400_000);
  const ms = time - dayNumber * 86_400_000;
  if (ms % 1000 !== 0 || dayNumber < 0) return value.toISOString();
  const seconds = ms / 1000;
  return fromDay(dayNumber) + "T" + pad2(Math.floor(seconds / 3600)) + ":" + pad2(Math.floor((seconds % 3600) / 60)) + ":" + pad2(seconds % 60) + "Z";
}

function json(value: unknown): string {
  return value === null || value === undefined ? "" : text(JSON.stringify(value));
}

/** effectifs.parcours ({date, statut}[] by its type): the CSV-quoted JSON written directly. */
function parcoursJson(value: unknown): string {
  if (!Array.isArray(value)) return json(value);
  let out = '"[';
  for (let i = 0; i < value.length; i++) {
    const step = value[i] as { date: unknown; statut: unknown };
    if (typeof step.date !== "string" || typeof step.statut !== "string" || step.date.includes('"') || step.statut.includes('"')) {
      return json(value);
    }
    out += (i === 0 ? '{""date"":""' : ',{""date"":""') + step.date + '"",""statut"":""' + step.statut + '""}';
  }
  return out + ']"';
}

/** text[] → `"{""a"",""b""}"` (array literal with quoted, backslash-escaped elements, then CSV-quoted). */
function textArray(value: unknown): string {
  return value === null || value === undefined ? "" : text(arrayParam(value as unknown[]));
}

const ENCODERS = { raw, bool, instant, json, parcoursJson, textArray, text };
type EncoderName = keyof typeof ENCODERS;

function encoderFor(columnType: string, name: string): EncoderName {
  if (name === "parcours") return "parcoursJson";
  switch (columnType) {
    case "PgSerial":
    case "PgInteger":
    case "PgSmallInt":
    case "PgBigInt53":
    case "PgDateString":
      return "raw";
    case "PgBoolean":
      return "bool";
    case "PgTimestamp":
    case "PgTimestampString":
      return "instant";
    case "PgJsonb":
    case "PgJson":
      return "json";
    case "PgArray":
      return "textArray";
    default:
      return "text";
  }
}

interface TableEncoder {
  table: string;
  columns: string[];
  /** One CSV line, newline included. */
  line(row: object): string;
}

/**
 * COPY column list and line encoder for the keys the generator fills (taken from the first row). The line
 * function is compiled once per table (one expression, direct property reads): several times faster than a loop
 * over columns on millions of rows. Keys come from the drizzle schema, never from data.
 */
function tableEncoder(table: PgTable, name: string, sample: object): TableEncoder {
  const columns: string[] = [];
  const parts: string[] = [];
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (!(key in sample)) continue;
    columns.push(column.name);
    parts.push(`${encoderFor(column.columnType, column.name)}(row[${JSON.stringify(key)}])`);
  }
  const names = Object.keys(ENCODERS) as EncoderName[];
  const factory = new Function(...names, `return function line(row) { return ${parts.join(' + "," + ')} + "\\n"; };`);
  const line = factory(...names.map((n) => ENCODERS[n])) as TableEncoder["line"];
  return { table: name, columns, line };
}

/** CSV text of one table for one COPY, as flat blocks of 512 lines. */
class CsvBuffer {
  readonly blocks: string[] = [];
  private lines: string[] = [];
  rows = 0;

  add(encoder: TableEncoder, row: object): void {
    this.lines.push(encoder.line(row));
    this.rows++;
    if (this.lines.length === 512) this.flush();
  }

  flush(): string[] {
    if (this.lines.length > 0) {
      this.blocks.push(this.lines.join(""));
      this.lines = [];
    }
    return this.blocks;
  }
}

/** Where the COPYs go: one transaction on the driver's own client, or (fallback) database.copyCsv. */
interface BulkSession {
  /** Runs SQL, returns rows. */
  query<T = Record<string, unknown>>(text: string): Promise<T[]>;
  copy(table: string, columns: string[], blocks: string[]): Promise<void>;
  transactional: boolean;
}

interface PostgresJsLike {
  begin<T>(fn: (tx: PostgresJsLike) => Promise<T>): Promise<T>;
  unsafe(query: string): Promise<unknown[]> & { writable(): Promise<NodeJS.WritableStream> };
}

interface PgliteLike {
  transaction<T>(fn: (tx: PgliteTxLike) => Promise<T>): Promise<T>;
}

interface PgliteTxLike {
  query<T>(query: string, params?: unknown[], options?: { blob?: Blob }): Promise<{ rows: T[] }>;
}

/**
 * The whole load runs in one transaction when the driver's client is reachable (drizzle's `$client`): nothing
 * is visible before the end, a failure leaves the database as it was, and the indexes and foreign keys dropped
 * for the load come back even if the process dies.
 */
async function withBulkSession<T>(database: Database, fn: (session: BulkSession) => Promise<T>): Promise<T> {
  const client = (database.db as unknown as { $client?: unknown }).$client;
  if (database.kind === "postgres" && client && typeof (client as PostgresJsLike).begin === "function") {
    const { pipeline } = await import("node:stream/promises");
    const { Readable } = await import("node:stream");
    return (client as PostgresJsLike).begin(async (tx) =>
      fn({
        transactional: true,
        query: async <R>(text: string) => Array.from((await tx.unsafe(text)) as R[]),
        copy: async (table, columns, blocks) => {
          const writable = await tx.unsafe(`copy ${table} (${columns.join(",")}) from stdin with (format csv)`).writable();
          await pipeline(Readable.from(blocks), writable);
        },
      }),
    );
  }
  if (database.kind === "pglite" && client && typeof (client as PgliteLike).transaction === "function") {
    return (client as PgliteLike).transaction(async (tx) =>
      fn({
        transactional: true,
        query: async <R>(text: string) => (await tx.query<R>(text)).rows,
        copy: async (table, columns, blocks) => {
          await tx.query(`copy ${table} (${columns.join(",")}) from '/dev/blob' with (format csv)`, [], { blob: new Blob(blocks) });
        },
      }),
    );
  }
  return fn({
    transactional: false,
    query: <R>(text: string) => database.rows<R>(sql.raw(text)),
    copy: (table, columns, blocks) => database.copyCsv(table, columns, blocks.join("")),
  });
}

async function copyRows(session: BulkSession, table: PgTable, name: string, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const encoder = tableEncoder(table, name, rows[0]);
  const buffer = new CsvBuffer();
  for (const row of rows) buffer.add(encoder, row);
  await session.copy(name, encoder.columns, buffer.flush());
}

/** Secondary indexes and foreign keys of the big tables: dropped before the load, rebuilt after (much faster). */
const BULK_TABLES = ["effectifs", "contrats", "effectif_statuts_erp"];

interface Deferred {
  indexes: { name: string; def: string }[];
  foreignKeys: { table: string; name: string; def: string }[];
}

async function dropSecondaryStructures(session: BulkSession, withIndexes: boolean): Promise<Deferred> {
  const list = BULK_TABLES.map((t) => `'${t}'`).join(",");
  const indexes = !withIndexes ? [] : await session.query<{ name: string; def: string }>(`
    select i.relname as name, pg_get_indexdef(i.oid) as def
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class t on t.oid = x.indrelid
    where t.relname in (${list}) and t.relnamespace = current_schema()::regnamespace
      and not exists (select 1 from pg_constraint c where c.conindid = i.oid)
    order by i.relname`);
  const foreignKeys = await session.query<{ table: string; name: string; def: string }>(`
    select t.relname as table, c.conname as name, pg_get_constraintdef(c.oid) as def
    from pg_constraint c join pg_class t on t.oid = c.conrelid
    where c.contype = 'f' and t.relname in (${list}) and t.relnamespace = current_schema()::regnamespace
    order by t.relname, c.conname`);
  for (const fk of foreignKeys) await session.query(`alter table "${fk.table}" drop constraint "${fk.name}"`);
  for (const index of indexes) await session.query(`drop index "${index.name}"`);
  return { indexes, foreignKeys };
}

async function restoreSecondaryStructures(session: BulkSession, deferred: Deferred): Promise<void> {
  for (const index of deferred.indexes) await session.query(index.def);
  for (const fk of deferred.foreignKeys) await session.query(`alter table "${fk.table}" add constraint "${fk.name}" ${fk.def}`);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

// ------------------------------------------------------------------------------------------------ seed

/**
 * Loads the demo dataset, then rebuilds the statut storage (periods and aggregates) the dashboards read, so the
 * figures are right as soon as it returns.
 */
export async function seedDemo(database: Database, options: SeedOptions): Promise<SeedResult> {
  const result = await loadDemoData(database, options);
  if (options.statuts === false) return result;
  const started = performance.now();
  options.onProgress?.({ phase: "statuts", effectifs: result.effectifs, total: result.effectifs, contrats: result.contrats });
  await rebuildStatutStorage(database, { today: options.today });
  return { ...result, seconds: result.seconds + (performance.now() - started) / 1000 };
}

async function loadDemoData(database: Database, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  if (!Number.isInteger(options.effectifs) || options.effectifs < 0) {
    throw new Error(`Nombre d'effectifs invalide : ${options.effectifs} (entier positif attendu).`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new Error(`Date du jour invalide : ${options.today} (AAAA-MM-JJ attendu).`);
  const total = options.effectifs;
  const report = (phase: SeedProgress["phase"], done: number, nbContrats: number) =>
    options.onProgress?.({ phase, effectifs: done, total, contrats: nbContrats });

  return withBulkSession(database, async (session) => {
    if (options.reset) {
      // CASCADE: tables added later that point at these (e.g. accounts attached to an organisme) are emptied too.
      await session.query(`truncate table ${DATA_TABLES.join(", ")} restart identity cascade`);
    } else {
      const [row] = await session.query<{ n: boolean }>(HAS_DATA);
      if (row.n) {
        throw new Error(
          "La base contient déjà des données (effectifs, organismes ou formations) : le jeu de démonstration n'a pas été chargé. " +
            "Relancez avec --reset pour vider les tables de données avant de le charger.",
        );
      }
    }
    report("referentiel", 0, 0);

    const world = createDemoWorld({ effectifs: total, seed: options.seed, today: options.today }, options.territories ?? loadDemoTerritories());
    await copyRows(session, organismes, "organismes", world.organismes);
    await copyRows(session, organismeRelations, "organisme_relations", world.relations);
    await copyRows(session, formations, "formations", world.formations);
    await copyRows(session, offresFormation, "offres_formation", world.offres);

    // Only inside a transaction: a crash then cannot leave the tables without their indexes.
    const deferred = session.transactional ? await dropSecondaryStructures(session, options.deferIndexes ?? true) : null;

    // While chunk i is being copied (PostgreSQL server: by the server process), chunk i+1 is generated; the
    // generation yields to the event loop now and then so the socket keeps being fed.
    const chunkSize = options.chunkSize ?? Math.min(25_000, Math.max(2_000, Math.ceil(total / 20)));
    const cooperative = database.kind === "postgres";
    let effectifEncoder: TableEncoder | undefined;
    let contratEncoder: TableEncoder | undefined;
    let statutEncoder: TableEncoder | undefined;
    let nbEffectifs = 0;
    let nbContrats = 0;
    let nbStatuts = 0;
    let pending: Promise<void> = Promise.resolve();
    const stream = world.effectifs();
    for (let done = false; !done; ) {
      if (options.signal) {
        // PGlite answers on this thread: without a turn of the event loop, a signal's handler would wait for the end
        await yieldToEventLoop();
        if (options.signal.aborted) {
          // the chunk being copied ends first: a transaction rolled back in the middle of a COPY loses its connection
          await pending.catch(() => {});
          options.signal.throwIfAborted();
        }
      }
      const e = new CsvBuffer();
      const c = new CsvBuffer();
      const s = new CsvBuffer();
      for (let i = 0; i < chunkSize; i++) {
        const next = stream.next();
        if (next.done) {
          done = true;
          break;
        }
        const bundle: EffectifBundle = next.value;
        effectifEncoder ??= tableEncoder(effectifs, "effectifs", bundle.effectif);
        e.add(effectifEncoder, bundle.effectif);
        for (const contrat of bundle.contrats) {
          contratEncoder ??= tableEncoder(contrats, "contrats", contrat);
          c.add(contratEncoder, contrat);
        }
        for (const statut of bundle.statutsErp) {
          statutEncoder ??= tableEncoder(effectifStatutsErp, "effectif_statuts_erp", statut);
          s.add(statutEncoder, statut);
        }
        if (cooperative && (i & 255) === 255) await yieldToEventLoop();
      }
      await pending;
      if (e.rows === 0) break;
      const encoders = { e: effectifEncoder!, c: contratEncoder, s: statutEncoder };
      const load = (async () => {
        await session.copy("effectifs", encoders.e.columns, e.flush());
        if (encoders.c && c.rows > 0) await session.copy("contrats", encoders.c.columns, c.flush());
        if (encoders.s && s.rows > 0) await session.copy("effectif_statuts_erp", encoders.s.columns, s.flush());
        nbEffectifs += e.rows;
        nbContrats += c.rows;
        nbStatuts += s.rows;
        report("effectifs", nbEffectifs, nbContrats);
      })();
      load.catch(() => {}); // awaited below; this only keeps a failure from being "unhandled" meanwhile
      pending = load;
      if (!cooperative) await pending;
    }
    await pending;
    options.signal?.throwIfAborted();

    report("finalisation", nbEffectifs, nbContrats);
    for (const table of ["organismes", "formations", "effectifs", "contrats", "effectif_statuts_erp"]) {
      await session.query(
        `select setval(pg_get_serial_sequence('${table}', 'id'), coalesce((select max(id) from ${table}), 0) + 1, false)`,
      );
    }
    // Statistics first: the foreign key checks below are planned with them.
    await session.query(`analyze ${DATA_TABLES.join(", ")}`);
    if (deferred) {
      if (database.kind === "postgres") {
        // Index sorts and the hash joins that validate foreign keys on millions of rows.
        await session.query("set local maintenance_work_mem = '256MB'");
        await session.query("set local work_mem = '128MB'");
      }
      await restoreSecondaryStructures(session, deferred);
    }

    return {
      organismes: world.organismes.length,
      relations: world.relations.length,
      formations: world.formations.length,
      effectifs: nbEffectifs,
      contrats: nbContrats,
      statutsErp: nbStatuts,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
