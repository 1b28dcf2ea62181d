/**
 * Migration 0018 (decision 022): the rows of `transmission_organismes` written before the decision for organismes
 * that the dossiers named but that are neither the sender nor one of its formateurs are removed, and those
 * organismes' transmission dates, mode and ERP recomputed. The migration's own SQL is run on a database set in the
 * state the old code left.
 */
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedReferentiel, type Referentiel } from "./auth-fixtures";

const MIGRATION = path.resolve(__dirname, "../../db/migrations/0018_transmissions_de_l_expediteur.sql");

let t: TestDatabase;
let ref: Referentiel;

interface Etat {
  first: string | null;
  last: string | null;
  mode: string | null;
  erp: string | null;
}

async function etat(id: number): Promise<Etat> {
  const [row] = await t.database.rows<Etat>(sql`
    select to_char(first_transmission_at at time zone 'UTC', 'YYYY-MM-DD') as first,
           to_char(last_transmission_at at time zone 'UTC', 'YYYY-MM-DD') as last,
           mode_transmission as mode, erp
    from organismes where id = ${id}`);
  return row;
}

async function transmission(organismeId: number, source: string, erp: string | null, day: string, comptePour: number[]): Promise<number> {
  const [row] = await t.database.rows<{ id: number }>(sql`
    insert into transmissions (organisme_id, source, erp, received_at, nb_items, nb_accepted, nb_rejected)
    values (${organismeId}, ${source}, ${erp}, ${`${day}T10:00:00Z`}::timestamptz, 1, 1, 0) returning id`);
  for (const o of comptePour) {
    await t.database.rows(sql`
      insert into transmission_organismes (organisme_id, transmission_id, received_at) values (${o}, ${row.id}, ${`${day}T10:00:00Z`}::timestamptz)`);
  }
  return row.id;
}

async function poser(id: number, e: Etat): Promise<void> {
  await t.database.rows(sql`
    update organismes set first_transmission_at = ${e.first}::timestamptz, last_transmission_at = ${e.last}::timestamptz,
      mode_transmission = ${e.mode}, erp = ${e.erp} where id = ${id}`);
}

async function lignes(): Promise<string[]> {
  const rows = await t.database.rows<{ o: number; t: number }>(sql`select organisme_id as o, transmission_id as t from transmission_organismes`);
  return rows.map((r) => `${r.o}:${r.t}`).sort();
}

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
});

afterAll(() => t.drop());

describe("migration 0018: transmissions counted for their sender and its formateurs only", () => {
  it("removes the rows of the organismes only named, recomputes their dates, mode and ERP, and leaves the others", async () => {
    const { R, F, X } = ref;
    // an organisme only ever named by R's dossiers, with no transmission of its own
    const [seul] = await t.database.rows<{ id: number }>(sql`
      insert into organismes (siret, uai, nature, raison_sociale) values ('99999999900017', '0999999Z', 'formateur', 'Nommé seulement')
      returning id`);
    // X uploads a file on the 1st; R's ERP sends on the 10th dossiers naming F (its formateur), X and `seul`
    const fichierX = await transmission(X.id, "FICHIER", "Ypareo", "2026-11-01", [X.id]);
    const apiR = await transmission(R.id, "API", "SC Form", "2026-11-10", [R.id, F.id, X.id, seul.id]);
    // the state the old code left
    await poser(R.id, { first: "2026-11-10", last: "2026-11-10", mode: "API", erp: "SC Form" });
    await poser(F.id, { first: "2026-09-01", last: "2026-11-10", mode: "API", erp: "SC Form" });
    await poser(X.id, { first: "2026-11-01", last: "2026-11-10", mode: "API", erp: "SC Form" });
    await poser(seul.id, { first: "2026-11-10", last: "2026-11-10", mode: "API", erp: "SC Form" });

    const statements = fs.readFileSync(MIGRATION, "utf8").split("--> statement-breakpoint");
    expect(statements.length).toBeGreaterThan(1);
    for (const statement of statements) await t.database.db.execute(sql.raw(statement));

    expect(await lignes()).toEqual([`${R.id}:${apiR}`, `${F.id}:${apiR}`, `${X.id}:${fichierX}`].sort());
    expect(await etat(X.id)).toEqual({ first: "2026-11-01", last: "2026-11-01", mode: "FICHIER", erp: "Ypareo" });
    expect(await etat(seul.id)).toEqual({ first: null, last: null, mode: null, erp: null });
    // the sender and its formateur are untouched (F's first transmission predates the rows kept)
    expect(await etat(R.id)).toEqual({ first: "2026-11-10", last: "2026-11-10", mode: "API", erp: "SC Form" });
    expect(await etat(F.id)).toEqual({ first: "2026-09-01", last: "2026-11-10", mode: "API", erp: "SC Form" });

    // run again: nothing left to remove, nothing changes
    for (const statement of statements) await t.database.db.execute(sql.raw(statement));
    expect(await etat(X.id)).toEqual({ first: "2026-11-01", last: "2026-11-01", mode: "FICHIER", erp: "Ypareo" });
    expect(await lignes()).toHaveLength(3);
  });
});

describe("migration 0022: the transmission's time copied into transmission_organismes (decision 035)", () => {
  it("fills received_at of the rows written before it from their transmission", async () => {
    const { R, F } = ref;
    const envoi = await transmission(R.id, "API", "SC Form", "2026-10-05", [R.id, F.id]);
    // the state before the migration: no column
    await t.database.db.execute(sql`drop index transmission_organismes_organisme_received_idx`);
    await t.database.db.execute(sql`alter table transmission_organismes drop column received_at`);
    const fichier = path.resolve(__dirname, "../../db/migrations/0022_reception_par_organisme.sql");
    for (const statement of fs.readFileSync(fichier, "utf8").split("--> statement-breakpoint")) await t.database.db.execute(sql.raw(statement));
    const rows = await t.database.rows<{ o: number; jour: string }>(sql`
      select organisme_id as o, to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as jour
      from transmission_organismes where transmission_id = ${envoi} order by 1`);
    expect(rows).toEqual([R.id, F.id].sort((a, b) => a - b).map((o) => ({ o, jour: "2026-10-05T10:00" })));
    const [{ nulls }] = await t.database.rows<{ nulls: number }>(sql`select count(*)::int as nulls from transmission_organismes where received_at is null`);
    expect(nulls).toBe(0);
  });
});
