/**
 * Keys (CLI organisme:api-key), the scheduled purge (CLI ingestion:purge, startIngestionJobs), the OpenAPI
 * document and the /api/doc page. HTTP parts need `npm run -s build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { arrayParam } from "../../db/client.server";
import { serveApp } from "../helpers/browser";
import { runWith as apiKeyCli } from "../../cli/commands/organisme-api-key";
import { runWith as purgeCli } from "../../cli/commands/ingestion-purge";
import { authenticateApiKey, hashApiKey } from "../../app/ingestion/api-keys.server";
import { purgeIngestion, startIngestionJobs } from "../../app/ingestion/jobs.server";
import { listTransmissions, recordRefusedRequest, transmissionDetail } from "../../app/ingestion/transmissions.server";
import { transmissionsDuJour } from "../../app/cfa/transmissions.server";
import { parisDay } from "../../app/shared/jours-paris.server";
import { expliquerRefusEnvoi } from "../../app/cfa/erreurs";
import { dossiersOpenApiDocument, DOSSIER_V3_FIELDS } from "../../app/ingestion/dossier-schema.server";
import { insertOrganisme, uaiOf, type TestOrganisme } from "./ingestion-fixtures";

let t: TestDatabase;
let cfa: TestOrganisme;

beforeAll(async () => {
  t = await createTestDatabase({ territories: false });
  cfa = await insertOrganisme(t.database, 21);
});
afterAll(async () => t?.drop());

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe("CLI organisme:api-key", () => {
  it("issues a key printed once, stored hashed, replacing the previous one; --revoke revokes it", async () => {
    const first = capture();
    expect(await apiKeyCli(t.database, ["--siret", cfa.siret], first.output)).toBe(0);
    expect(first.out).toHaveLength(1);
    const key1 = first.out[0];
    expect(key1).toMatch(/^tdba_/);
    expect(first.err.join()).toContain("ne sera plus affichée");
    const stored = await t.database.rows<{ key_hash: string }>(sql`select key_hash from organisme_api_keys where organisme_id = ${cfa.id}`);
    expect(stored).toEqual([{ key_hash: hashApiKey(key1) }]);
    expect((await authenticateApiKey(t.database, `Bearer ${key1}`)).ok).toBe(true);

    const second = capture();
    expect(await apiKeyCli(t.database, [`--siret=${cfa.siret.replace(/(\d{3})/g, "$1 ").trim()}`], second.output)).toBe(0);
    const key2 = second.out[0];
    expect(key2).not.toBe(key1);
    expect(await authenticateApiKey(t.database, `Bearer ${key1}`)).toMatchObject({ ok: false, status: 403 });
    expect((await authenticateApiKey(t.database, `Bearer ${key2}`)).ok).toBe(true);

    const revoke = capture();
    expect(await apiKeyCli(t.database, ["--siret", cfa.siret, "--revoke"], revoke.output)).toBe(0);
    expect(revoke.out[0]).toMatch(/révoquée/);
    expect(await authenticateApiKey(t.database, `Bearer ${key2}`)).toMatchObject({ ok: false, status: 403 });
  });

  it("asks for --uai when a SIRET has several UAIs, and explains unknown organismes", async () => {
    await t.database.rows(
      sql`insert into organismes (siret, uai, raison_sociale) values (${cfa.siret}, ${uaiOf(2121)}, 'Autre UAI du même SIRET')`,
    );
    let c = capture();
    expect(await apiKeyCli(t.database, ["--siret", cfa.siret], c.output)).toBe(1);
    expect(c.err[0]).toMatch(/précisez --uai/);
    c = capture();
    expect(await apiKeyCli(t.database, ["--siret", cfa.siret, "--uai", uaiOf(2121).toLowerCase()], c.output)).toBe(0);
    c = capture();
    expect(await apiKeyCli(t.database, ["--siret", "73282932000074"], c.output)).toBe(1);
    expect(c.err[0]).toMatch(/Aucun organisme avec le SIRET 73282932000074/);
    // a mistyped SIRET is said so, not « unknown »
    c = capture();
    expect(await apiKeyCli(t.database, ["--siret", "12345678901234"], c.output)).toBe(1);
    expect(c.err[0]).toContain("SIRET 12345678901234 invalide : clé de contrôle incorrecte.");
    c = capture();
    expect(await apiKeyCli(t.database, [], c.output)).toBe(2);
    c = capture();
    expect(await apiKeyCli(t.database, ["--siret", "123"], c.output)).toBe(2);
    expect(c.err[0]).toMatch(/^--siret : un SIRET a 14 chiffres, reçu « 123 »/);
  });
});

describe("purge job", () => {
  it("erases errors older than 30 days, revokes keys unused for 12 months, deletes uploads older than 24 hours", async () => {
    const now = new Date("2030-06-15T12:00:00Z");
    const day = 86_400_000;
    const ago = (days: number) => new Date(now.getTime() - days * day).toISOString();
    await t.database.rows(sql`delete from organisme_api_keys`);
    await t.database.rows(sql`
      insert into transmissions (organisme_id, source, received_at, nb_items, nb_accepted, nb_rejected, errors) values
        (${cfa.id}, 'API', ${ago(31)}::timestamptz, 1, 0, 1, '[{"index":0}]'::jsonb),
        (${cfa.id}, 'API', ${ago(29)}::timestamptz, 1, 0, 1, '[{"index":0}]'::jsonb)`);
    await t.database.rows(sql`
      insert into organisme_api_keys (organisme_id, key_hash, prefix, created_at, last_used_at) values
        (${cfa.id}, ${"a".repeat(64)}, 'tdba_old', ${ago(800)}::timestamptz, ${ago(370)}::timestamptz)`);
    const other = await insertOrganisme(t.database, 22);
    await t.database.rows(sql`
      insert into organisme_api_keys (organisme_id, key_hash, prefix, created_at, last_used_at) values
        (${other.id}, ${"b".repeat(64)}, 'tdba_used', ${ago(800)}::timestamptz, ${ago(300)}::timestamptz)`);
    const third = await insertOrganisme(t.database, 23);
    await t.database.rows(sql`
      insert into organisme_api_keys (organisme_id, key_hash, prefix, created_at) values
        (${third.id}, ${"c".repeat(64)}, 'tdba_never', ${ago(366)}::timestamptz)`);
    await t.database.rows(sql`
      insert into televersements (id, organisme_id, file_name, format, headers, rows, created_at) values
        ('ancien000000', ${cfa.id}, 'a.csv', 'CSV', '[]', '[]', ${ago(2)}::timestamptz),
        ('recent000000', ${cfa.id}, 'b.csv', 'CSV', '[]', '[]', ${new Date(now.getTime() - 3600_000).toISOString()}::timestamptz)`);

    expect(await purgeIngestion(t.database, now)).toEqual({ transmissionsPurged: 1, keysRevoked: 2, uploadsDeleted: 1, rateLimitsDeleted: 0, tokensDeleted: 0, signupRequestsDeleted: 0 });
    const transmissions = await t.database.rows<{ errors: unknown; nb_rejected: number }>(
      sql`select errors, nb_rejected from transmissions order by received_at`,
    );
    expect(transmissions).toEqual([
      { errors: null, nb_rejected: 1 },
      { errors: [{ index: 0 }], nb_rejected: 1 },
    ]);
    const keys = await t.database.rows(sql`select prefix, revoked_reason from organisme_api_keys order by prefix`);
    expect(keys).toEqual([
      { prefix: "tdba_never", revoked_reason: "inutilisee" },
      { prefix: "tdba_old", revoked_reason: "inutilisee" },
      { prefix: "tdba_used", revoked_reason: null },
    ]);
    expect(await t.database.rows(sql`select id from televersements`)).toEqual([{ id: "recent000000" }]);

    // what the CFA space reads
    const list = await listTransmissions(t.database, [cfa.id]);
    expect(list.map((l) => [l.nbRejected, l.hasErrors])).toEqual([
      [1, true],
      [1, false],
    ]);
    const purged = await transmissionDetail(t.database, list[1].id);
    expect(purged).toMatchObject({ errorsPurged: true, errors: [] });
    const kept = await transmissionDetail(t.database, list[0].id);
    expect(kept).toMatchObject({ errorsPurged: false, source: "API", errors: [{ index: 0 }] });

    // the CLI runs the same purge (nothing left to do)
    const lines: string[] = [];
    expect(await purgeCli(t.database, [], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/^0 transmission\(s\)/);
  });

  it("keeps the reason of a request refused as a whole: the CFA space still shows it after the purge", async () => {
    const now = new Date("2030-07-20T12:00:00Z");
    const message = "JSON invalide : fin du texte inattendue (ligne 1, colonne 2). Le corps de la requête doit être un tableau JSON.";
    const id = await recordRefusedRequest(t.database, {
      organismeId: cfa.id,
      source: "API",
      erp: "Ypareo",
      statutHttp: 400,
      message,
      now: new Date(now.getTime() - 40 * 86_400_000),
    });
    await purgeIngestion(t.database, now);
    const refus = { statutHttp: 400, message };
    expect((await listTransmissions(t.database, [cfa.id])).find((l) => l.id === id)).toMatchObject({ refus, hasErrors: false });
    expect(await transmissionDetail(t.database, id)).toMatchObject({ refus, errors: [], errorsPurged: false });
    const [{ received_at }] = await t.database.rows<{ received_at: Date | string }>(sql`select received_at from transmissions where id = ${id}`);
    const jour = await transmissionsDuJour(t.database, cfa.id, parisDay(new Date(received_at)));
    expect(jour.transmissions.find((tr) => tr.id === id)!.refus).toEqual({ ...refus, explication: expliquerRefusEnvoi(400, message) });
  });

  it("migration 0016 moves the reason of the refused requests out of their errors (kept), and leaves the others be", async () => {
    // the tables as they were before: no refusal columns, the reason among the stored errors
    await t.database.rows(sql`alter table transmissions drop column refus_statut_http, drop column refus_message`);
    await t.database.rows(sql`alter table televersements drop column nir_columns`);
    const entree = (statut: number, message: string) => ({ envoi_refuse: true, statut_http: statut, errors: [{ path: [], message }] });
    const dossiers = [{ index: 0, id_erp_apprenant: "A-1", nom: "Nom", prenom: "Prénom", errors: [{ path: ["sexe_apprenant"], message: "sexe attendu" }] }];
    const [refuse413, refuse400, ordinaire, purgee] = await t.database.rows<{ id: number }>(sql`
      insert into transmissions (organisme_id, source, received_at, nb_items, nb_accepted, nb_rejected, errors) values
        (${cfa.id}, 'API', now(), 0, 0, 0, ${JSON.stringify([entree(413, "Corps de la requête trop volumineux : 10 Mo au plus.")])}::jsonb),
        (${cfa.id}, 'API', now(), 0, 0, 0, ${JSON.stringify([entree(400, "Trop de dossiers dans un seul envoi : 2\u202f001 reçus, 2\u202f000 au plus.")])}::jsonb),
        (${cfa.id}, 'API', now(), 1, 0, 1, ${JSON.stringify(dossiers)}::jsonb),
        (${cfa.id}, 'API', now() - interval '40 days', 0, 0, 0, null)
      returning id`);
    await t.database.rows(sql`insert into televersements (id, organisme_id, file_name, format, headers, rows) values ('avant0016000', ${cfa.id}, 'a.csv', 'CSV', '["Nom"]', '[["2+nir","A"]]')`);

    const { readFileSync } = await import("node:fs");
    const migration = readFileSync(new URL("../../db/migrations/0016_refus_et_colonnes_nir.sql", import.meta.url), "utf8");
    for (const instruction of migration.split("--> statement-breakpoint")) await t.database.rows(sql.raw(instruction));

    const ids = [refuse413.id, refuse400.id, ordinaire.id, purgee.id];
    const rows = await t.database.rows<{ id: number; refus_statut_http: number | null; refus_message: string | null; errors: unknown }>(
      sql`select id, refus_statut_http, refus_message, errors from transmissions where id = any(${arrayParam(ids)}::int[]) order by id`,
    );
    expect(rows).toEqual([
      { id: refuse413.id, refus_statut_http: 413, refus_message: "Corps de la requête trop volumineux : 10 Mo au plus.", errors: null },
      { id: refuse400.id, refus_statut_http: 400, refus_message: "Trop de dossiers dans un seul envoi : 2\u202f001 reçus, 2\u202f000 au plus.", errors: null },
      { id: ordinaire.id, refus_statut_http: null, refus_message: null, errors: dossiers },
      // purged before: its reason is lost, it stays a transmission of nothing
      { id: purgee.id, refus_statut_http: null, refus_message: null, errors: null },
    ]);
    expect(await t.database.rows(sql`select nir_columns from televersements where id = 'avant0016000'`)).toEqual([{ nir_columns: [] }]);
    // and after the purge, the CFA space still shows why
    await purgeIngestion(t.database, new Date(Date.now() + 31 * 86_400_000));
    expect(await transmissionDetail(t.database, refuse413.id)).toMatchObject({
      refus: { statutHttp: 413, message: "Corps de la requête trop volumineux : 10 Mo au plus." },
    });
  });

  it("startIngestionJobs runs the purge on schedule and stops", async () => {
    await t.database.rows(sql`
      insert into transmissions (organisme_id, source, received_at, nb_items, nb_accepted, nb_rejected, errors)
      values (${cfa.id}, 'API', now() - interval '40 days', 1, 0, 1, '[]'::jsonb)`);
    const stop = startIngestionJobs(t.database, { firstRunMs: 10, intervalMs: 60_000 });
    try {
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await t.database.rows<{ n: number }>(
          sql`select count(*)::int n from transmissions where errors is not null and received_at < now() - interval '30 days'`,
        );
        if (n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const [{ n }] = await t.database.rows<{ n: number }>(
        sql`select count(*)::int n from transmissions where errors is not null and received_at < now() - interval '30 days'`,
      );
      expect(n).toBe(0);
    } finally {
      stop();
    }
  });
});

describe("OpenAPI", () => {
  it("is generated from the validating schema and served at /api/openapi.json, readable at /api/doc", async () => {
    const app = await serveApp(t.database);
    try {
      let res = await fetch(`${app.baseUrl}/api/openapi.json`);
      expect(res.status).toBe(200);
      const doc = await res.json();
      expect(doc.openapi).toMatch(/^3\./);
      const generated = dossiersOpenApiDocument() as any;
      expect(doc.components.schemas.DossierApprenantV3).toEqual(JSON.parse(JSON.stringify(generated.components.schemas.DossierApprenantV3)));
      expect(Object.keys(doc.components.schemas.DossierApprenantV3.properties)).toEqual(DOSSIER_V3_FIELDS.map((f) => f.field));
      const post = doc.paths["/api/v3/dossiers-apprenants"].post;
      expect(post.parameters.map((p: any) => p.name)).toEqual(["X-ERP", "erp"]);
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403", "413", "429"]));
      expect(doc.paths["/api/v3/dossiers-apprenants/test"].get.security).toEqual([{ bearerAuth: [] }]);
      expect(post.security).toEqual([{ bearerAuth: [] }]);
      // merged with the référentiel's open read API
      expect(doc.security).toBeUndefined();
      // the open operations say so (an OpenAPI linter asks every operation for its security)
      for (const path of ["/api/v1/organismes", "/api/v1/formations", "/api/v1/offres"]) expect(doc.paths[path].get.security, path).toEqual([]);
      expect(doc.components.schemas.DossierApprenantV3).toBeDefined();
      // every schema described is used; the example answer holds every field an answer always holds
      const paths = JSON.stringify(doc.paths);
      const used = (name: string) => paths.includes(`#/components/schemas/${name}`) || JSON.stringify(doc.components).includes(`#/components/schemas/${name}"`);
      expect(Object.keys(doc.components.schemas).filter((name) => !used(name))).toEqual([]);
      const example = post.responses["200"].content["application/json"].example;
      for (const field of doc.components.schemas.ReponseEnvoi.required) expect(example, field).toHaveProperty(field);
      expect(example.message).toBe("2 dossiers reçus : 1 enregistré, 1 refusé.");

      res = await fetch(`${app.baseUrl}/api/doc`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("Documentation de l");
      expect(html).toContain("/api/v3/dossiers-apprenants");
      for (const f of DOSSIER_V3_FIELDS) expect(html).toContain(`id="champ-${f.field}"`);
      expect(html).toMatch(/<code>date_de_naissance_apprenant<\/code><\/td><td>Date de naissance<\/td><td>texte<\/td><td><strong>oui<\/strong>/);
    } finally {
      await app.close();
    }
  });
});
