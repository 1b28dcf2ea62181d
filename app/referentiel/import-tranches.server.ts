/**
 * How a référentiel import shares the database and the process with the other users (decision 021).
 *
 * With the embedded database (PGlite), there is one connection: a query waits while a transaction is open, and a
 * chain of PGlite queries never gives the event loop a turn (its promises resolve at once), so neither the other
 * requests nor the import's own progress could run until the import ended. An import therefore
 * - reads the référentiel by chunks (`readByChunks`, db/client.server.ts) and does its own work by slices (`pauses`),
 *   giving the event loop a turn in between;
 * - sets down what it will write in `imports_referentiel_lignes`, by chunks, each chunk its own statement
 *   (`ImportStaging.add`): nothing is visible to the others, other queries run between two chunks;
 * - then applies it in one transaction of a few set-based statements (`ImportStaging.rows`): all or nothing, as
 *   before, and the only time the others wait; it lasts what the rows that change cost to write, not the file.
 */
import { randomUUID } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import { sql, type SQL } from "drizzle-orm";
import { READ_CHUNK, execRows, readByChunks, type Database, type Executor } from "../../db/client.server";

/** Work between two turns of the event loop (ms). */
const SLICE_MS = 10;
/** Rows per staging statement (a few tens of ms on PGlite). */
const STAGED_PER_STATEMENT = 250;

/**
 * A function to await in a loop: it gives the event loop a turn (other requests, timers, the import's progress)
 * once `sliceMs` of work has been done since the last turn, and returns at once otherwise.
 */
export function pauses(sliceMs = SLICE_MS): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await nextTurn();
    since = performance.now();
  };
}

/** Rows an import must write for it to refresh the planner's statistics of its table (`statistiquesApresImport`). */
export const ECRITES_POUR_ANALYSER = 500;

/**
 * After an import that wrote many rows (created or changed): the planner's statistics of `table` refreshed, so that
 * the searches (`recherche like …`) and the sorts of the répertoire and the catalogue choose their plan on what the
 * table now holds (decision 029): read with the statistics of an empty table, a search for a common word computes the
 * sort key of 150 000 organismes instead of walking the sort index. PGlite has no autovacuum to do it, a PostgreSQL
 * server's comes later. A few hundred ms, outside the import's transaction.
 */
export async function statistiquesApresImport(database: Database, table: "organismes" | "formations", ecrites: number): Promise<void> {
  if (ecrites >= ECRITES_POUR_ANALYSER) await database.rows(sql`analyze ${sql.identifier(table)}`);
}

/**
 * The relations formateur → responsable of the référentiel, as `formateur|responsable` ids, read by chunks: an import
 * sets down only the relations it adds (re-inserting the known ones, `on conflict do nothing`, would cost the
 * apply an index lookup each). A relation is only removed with its organismes.
 */
export async function readRelations(database: Database): Promise<Set<string>> {
  const rows = await readByChunks(
    (after: { f: number; r: number } | undefined) =>
      database.rows<{ f: number; r: number }>(sql`
        select formateur_id as f, responsable_id as r from organisme_relations
        ${after ? sql`where (formateur_id, responsable_id) > (${after.f}, ${after.r})` : sql``}
        order by formateur_id, responsable_id limit ${READ_CHUNK}`),
    (row) => row,
  );
  return new Set(rows.map((row) => `${row.f}|${row.r}`));
}

/** `"a", "b"`, or with an alias `"r"."a", "r"."b"`: the columns of an `insert … select` from the staged rows. */
export function columnList(names: readonly string[], alias?: string): SQL {
  return sql.join(
    names.map((name) => (alias ? sql`${sql.identifier(alias)}.${sql.identifier(name)}` : sql.identifier(name))),
    sql`, `,
  );
}

/**
 * `"a" = case when r.data ? 'a' then r."a" else t."a" end, …`: the `set` of an update from the staged rows `r` (of
 * `ImportStaging.rows`) into the table aliased `target`, that writes only the columns each row names — what another
 * writer changed since the référentiel was read is kept.
 */
export function setNamedColumns(names: readonly string[], target: string): SQL {
  return sql.join(
    names.map((name) => {
      const column = sql.identifier(name);
      return sql`${column} = case when r.data ? ${sql.raw(`'${name}'`)} then r.${column} else ${sql.identifier(target)}.${column} end`;
    }),
    sql`, `,
  );
}

/**
 * How many rows a data-modifying statement touched (`insert`/`update`/`delete` … `returning 1`), run on `executor`
 * (an import's transaction).
 */
export async function compterLignes(executor: Executor, statement: SQL): Promise<number> {
  const [lignes] = await execRows<{ n: number }>(executor, sql`with lignes as (${statement}) select count(*)::int as n from lignes`);
  return lignes.n;
}

/** Staged rows older than this were left by a process that stopped during an import. */
const STALE = sql`now() - interval '1 day'`;

/** The rows an import will write, set down by chunks before they are applied (see the header). */
export class ImportStaging {
  readonly id = randomUUID();
  private readonly counts = new Map<string, number>();

  private constructor(private readonly database: Database) {}

  /** A new staging area; rows left by a stopped process are removed first. */
  private static async open(database: Database): Promise<ImportStaging> {
    await database.rows(sql`delete from imports_referentiel_lignes where created_at < ${STALE}`);
    return new ImportStaging(database);
  }

  /**
   * `work` with a new staging area, whose rows are removed after it, whatever its outcome (a failure to remove them
   * is logged, "import des organismes : lignes préparées non retirées" for `importDe` "des organismes", not thrown).
   */
  static async run<T>(database: Database, importDe: string, work: (staging: ImportStaging) => Promise<T>): Promise<T> {
    const staging = await ImportStaging.open(database);
    try {
      return await work(staging);
    } finally {
      await staging.clear().catch((error: unknown) => console.error(`import ${importDe} : lignes préparées non retirées`, error));
    }
  }

  /**
   * Sets rows down for `cible` (objects keyed by the target table's column names, in the order they will be
   * applied), one statement per chunk and a turn of the event loop after each; `onChunk` gets the rows set down.
   */
  async add(cible: string, rows: readonly object[], onChunk?: (rowsDone: number) => void): Promise<void> {
    let seq = this.counts.get(cible) ?? 0;
    for (let i = 0; i < rows.length; i += STAGED_PER_STATEMENT) {
      const chunk = rows.slice(i, i + STAGED_PER_STATEMENT);
      await this.database.rows(sql`
        insert into imports_referentiel_lignes (import_id, cible, seq, data)
        select ${this.id}, ${cible}, ${seq}::int + u.k::int, u.data
        from jsonb_array_elements(${JSON.stringify(chunk)}::jsonb) with ordinality as u(data, k)`);
      seq += chunk.length;
      this.counts.set(cible, seq);
      onChunk?.(i + chunk.length);
      await nextTurn();
    }
  }

  /**
   * The rows of `cible`, with `seq` (their order) and `data` (the row's JSON: `data ? 'colonne'` tells whether the
   * row names a column), and, given a `table`, as records of that table (`jsonb_populate_record`: a column the row
   * does not name is null). To use as `from ${staging.rows(…)} as r`.
   */
  rows(cible: string, table?: string): SQL {
    if (!table) return sql`(select s.seq, s.data from imports_referentiel_lignes s where s.import_id = ${this.id} and s.cible = ${cible})`;
    return sql`(select s.seq, s.data, r.* from imports_referentiel_lignes s
      cross join lateral jsonb_populate_record(null::${sql.identifier(table)}, s.data) r
      where s.import_id = ${this.id} and s.cible = ${cible})`;
  }

  /**
   * Removes the rows set down (after the apply, whatever its outcome). When no other import is setting rows down,
   * the table is emptied at once (PGlite has no autovacuum: deleted rows would stay in the file); else they are
   * deleted by chunks as they were written.
   */
  async clear(): Promise<void> {
    if (!this.counts.size) return;
    const emptied = await this.database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table imports_referentiel_lignes in access exclusive mode`);
      const others = await execRows(tx, sql`
        select 1 from imports_referentiel_lignes where import_id <> ${this.id} and created_at >= ${STALE} limit 1`);
      if (others.length) return false;
      await tx.execute(sql`truncate imports_referentiel_lignes`);
      return true;
    });
    if (emptied) {
      this.counts.clear();
      return;
    }
    for (const [cible, count] of this.counts) {
      for (let from = 0; from < count; from += STAGED_PER_STATEMENT) {
        await this.database.rows(sql`
          delete from imports_referentiel_lignes
          where import_id = ${this.id} and cible = ${cible} and seq > ${from} and seq <= ${from + STAGED_PER_STATEMENT}`);
        await nextTurn();
      }
    }
    this.counts.clear();
  }
}
