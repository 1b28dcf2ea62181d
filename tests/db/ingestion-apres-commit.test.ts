/**
 * What follows the commit of a batch (decision 032): a failure of the organismes' marking never turns a committed
 * send into a failure, and `reparerMarquages` makes it good; an upload import interrupted before the end (claim
 * without transmission, not refreshed for INTERRUPTED_AFTER_SECONDS) is said so and may be imported again, once.
 * The failures are real database conditions: a trigger refusing the update of `organismes` (both backends), a lock
 * held by another connection (PostgreSQL server only). HTTP parts need `npm run -s build` first.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { ingestDossiers, reparerMarquages } from "../../app/ingestion/pipeline.server";
import { createUpload, importUpload, loadUpload, mappingFrom, readUploadedFile, UploadError, type UploadAccess } from "../../app/ingestion/upload.server";
import { IMPORT_INTERROMPU, televersementLoader } from "../../app/ingestion/televersement-page.server";
import { HEARTBEAT_MS } from "../../app/shared/travaux-longs";
import { createUser } from "../../app/auth/accounts.server";
import { createSession } from "../../app/auth/session.server";
import type { Viewer } from "../../app/auth/policy.server";
import { dossier, insertOrganisme, keyFor, post, type TestOrganisme } from "./ingestion-fixtures";

process.env.API_RATE_PER_SECOND = "10000";
process.env.API_RATE_BURST = "10000";
process.env.COOKIE_SECURE = "0";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let cfa: TestOrganisme;
let key: string;

beforeAll(async () => {
  t = await createTestDatabase({ territories: false });
  app = await serveApp(t.database);
  cfa = await insertOrganisme(t.database, 31);
  key = await keyFor(t.database, cfa);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const lot = (n: number, prefixe: string) => Array.from({ length: n }, (_, i) => dossier(cfa, cfa, { id_erp_apprenant: `${prefixe}-${i}` }));
const effectifs = async (prefixe: string) =>
  (await t.database.rows<{ n: number }>(sql`select count(*)::int n from effectifs where id_erp_apprenant like ${`${prefixe}-%`}`))[0].n;
const organisme = async (id: number) =>
  (
    await t.database.rows<{ first: string | null; last: string | null; mode: string | null; erp: string | null }>(sql`
      select first_transmission_at::text as first, last_transmission_at::text as last, mode_transmission as mode, erp
      from organismes where id = ${id}`)
  )[0];
const receivedAt = async (transmissionId: number) =>
  (await t.database.rows<{ r: string }>(sql`select received_at::text as r from transmissions where id = ${transmissionId}`))[0].r;

/** While `fn` runs, every update of `organismes` fails (a real error of the database, not a mock). */
async function organismesEnLectureSeule<T>(fn: () => Promise<T>): Promise<T> {
  await t.database.rows(sql`create function refuser_maj_organismes() returns trigger language plpgsql as $$
    begin raise exception 'organismes en lecture seule' using errcode = '55000'; end $$`);
  await t.database.rows(sql`create trigger organismes_lecture_seule before update on organismes for each row execute function refuser_maj_organismes()`);
  try {
    return await fn();
  } finally {
    await t.database.rows(sql`drop trigger organismes_lecture_seule on organismes`);
    await t.database.rows(sql`drop function refuser_maj_organismes()`);
  }
}

describe("a failure after the commit of a batch", () => {
  it("API: the answer is the success with its counts, the effectifs are there; the repair marks the organisme", async () => {
    const before = await organisme(cfa.id);
    const res = await organismesEnLectureSeule(() => post(app.baseUrl, key, lot(50, "TRIG"), { headers: { "X-ERP": "ypareo" } }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "OK", nb_dossiers: 50, nb_ok: 50, nb_erreurs: 0 });
    expect(await effectifs("TRIG")).toBe(50);
    // skipped: the organisme is not marked yet
    expect(await organisme(cfa.id)).toEqual(before);
    expect(before.last).toBeNull();

    expect(await reparerMarquages(t.database)).toBeGreaterThan(0);
    const at = await receivedAt(res.body.transmission_id);
    expect(await organisme(cfa.id)).toMatchObject({ first: at, last: at, mode: "API" });
    expect((await organisme(cfa.id)).erp).not.toBeNull();
    // made good once: nothing left to do
    expect(await reparerMarquages(t.database)).toBe(0);
  });

  it("after normal sends (no time given), the repair finds nothing to do; a late marking keeps the newer mode and ERP", async () => {
    const normal = await insertOrganisme(t.database, 34);
    const cleNormale = await keyFor(t.database, normal);
    const res = await post(app.baseUrl, cleNormale, [dossier(normal, normal, { id_erp_apprenant: "NORMAL-1" })], { headers: { "X-ERP": "ypareo" } });
    expect(res.status).toBe(200);
    const at = await receivedAt(res.body.transmission_id);
    expect(await organisme(normal.id)).toMatchObject({ first: at, last: at, mode: "API" });
    expect(await reparerMarquages(t.database)).toBe(0);

    // an older file transmission marked late (by the repair, or after a slower commit) does not take over mode and ERP
    const erpAvant = (await organisme(normal.id)).erp;
    await organismesEnLectureSeule(() =>
      ingestDossiers(t.database, [dossier(normal, normal, { id_erp_apprenant: "NORMAL-2" })], {
        organismeId: normal.id,
        source: "FICHIER",
        erp: "Tableur",
        fileName: "ancien.csv",
        now: new Date(Date.parse(at.replace(" ", "T").replace(/\+00$/, "Z")) - 3_600_000),
      }),
    );
    await reparerMarquages(t.database);
    expect(await organisme(normal.id)).toMatchObject({ last: at, mode: "API", erp: erpAvant });
  });

  it("pipeline (upload's path): a skipped first transmission followed by a marked one is repaired back", async () => {
    const autre = await insertOrganisme(t.database, 32);
    const items = [dossier(autre, autre, { id_erp_apprenant: "PIPE-1" })];
    const first = await organismesEnLectureSeule(() =>
      ingestDossiers(t.database, items, { organismeId: autre.id, source: "FICHIER", fileName: "a.csv", now: new Date("2025-01-10T08:00:00Z") }),
    );
    expect(first).toMatchObject({ nbItems: 1, nbAccepted: 1, nbRejected: 0 });
    expect(await organisme(autre.id)).toMatchObject({ first: null, last: null });
    await ingestDossiers(t.database, [dossier(autre, autre, { id_erp_apprenant: "PIPE-2" })], {
      organismeId: autre.id,
      source: "FICHIER",
      fileName: "b.csv",
      now: new Date("2025-01-11T08:00:00Z"),
    });
    expect(await organisme(autre.id)).toMatchObject({ first: "2025-01-11 08:00:00+00", last: "2025-01-11 08:00:00+00" });
    expect(await reparerMarquages(t.database, new Date("2025-01-12T08:00:00Z"))).toBe(1);
    expect(await organisme(autre.id)).toMatchObject({ first: "2025-01-10 08:00:00+00", last: "2025-01-11 08:00:00+00", mode: "FICHIER" });
  });

  it.runIf(!!process.env.DATABASE_URL)(
    "API, PostgreSQL server: organismes locked by another session (the QA's case): success after the lock timeout, then repaired",
    async () => {
      const autre = await insertOrganisme(t.database, 33);
      const cle = await keyFor(t.database, autre);
      const items = Array.from({ length: 50 }, (_, i) => dossier(autre, autre, { id_erp_apprenant: `LOCK-${i}` }));
      const session = postgres(t.url!, { max: 1, onnotice: () => {} });
      try {
        let res!: Awaited<ReturnType<typeof post>>;
        await session.begin(async (s) => {
          await s`lock table organismes in share mode`;
          res = await post(app.baseUrl, cle, items);
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ status: "OK", nb_dossiers: 50, nb_ok: 50, nb_erreurs: 0 });
        expect((await t.database.rows<{ n: number }>(sql`select count(*)::int n from effectifs where id_erp_apprenant like 'LOCK-%'`))[0].n).toBe(50);
        expect((await organisme(autre.id)).last).toBeNull();
        expect(await reparerMarquages(t.database)).toBe(1);
        const at = await receivedAt(res.body.transmission_id);
        expect(await organisme(autre.id)).toMatchObject({ first: at, last: at, mode: "API" });
      } finally {
        await session.end();
      }
    },
    20_000,
  );
});

describe("an upload import interrupted before the end", () => {
  const admin: Viewer = {
    userId: 1,
    organisationType: "ADMINISTRATEUR",
    scope: { kind: "national" },
    user: { id: 1, email: "admin@test.fr", nom: "", prenom: "", role: "admin", organisationId: 1, organisationNom: "Administration" },
  };
  const access: UploadAccess = { kind: "tous", viewer: admin, userId: 1 };
  let cookie: string;

  beforeAll(async () => {
    const { user } = await createUser(t.database, {
      email: "cfa-interrompu@test.fr",
      password: "Mot-de-passe-de-test-42",
      organisation: { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai } as never,
    });
    cookie = (await createSession(t.database, user.id, new Request("http://localhost/"))).split(";")[0];
  });

  const csv = (nom: string) =>
    [
      "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation",
      `${nom};Un;01/02/2006;01/06/2024;02/09/2024;30/06/2025`,
      `${nom};Deux;01/02/2006;01/06/2024;02/09/2024;30/06/2025`,
    ].join("\n");
  async function televerser(nom: string, fileName: string) {
    const file = readUploadedFile(new TextEncoder().encode(csv(nom)), fileName);
    const id = await createUpload(t.database, access, { organismeId: cfa.id, fileName, erp: "Tableur", file });
    return id;
  }
  const pageData = async (id: string) => {
    const r = (await televersementLoader(new Request(`http://localhost/televersement?id=${id}`, { headers: { Cookie: cookie } }), t.database)) as unknown;
    return ((r as { data?: unknown }).data ?? r) as Record<string, unknown>;
  };
  const transmissions = async (fileName: string) =>
    (await t.database.rows<{ n: number }>(sql`select count(*)::int n from transmissions where file_name = ${fileName}`))[0].n;

  it("a claim older than 2 minutes without transmission: the page says interrupted, and the import works once", async () => {
    const id = await televerser("Interrompu", "interrompu.csv");
    await t.database.rows(sql`update televersements set imported_at = now() - interval '10 minutes' where id = ${id}`);
    const upload = (await loadUpload(t.database, access, id))!;
    expect(upload).toMatchObject({ transmissionId: null, importInterrompu: true });
    expect(upload.importedAt).not.toBeNull();
    const page = await pageData(id);
    expect(page).toMatchObject({ step: "apercu", importInterrompu: IMPORT_INTERROMPU });
    expect(IMPORT_INTERROMPU).toMatch(/interrompu.*rien n'a été enregistré/);

    const { mapping } = mappingFrom(new URLSearchParams(), upload.headers);
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => importUpload(t.database, upload, mapping, "2024-2025")));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(refused.map((o) => [o.reason instanceof UploadError, (o.reason as Error).message])).toEqual([
      [true, "Ce fichier a déjà été importé."],
      [true, "Ce fichier a déjà été importé."],
    ]);
    expect(await transmissions("interrompu.csv")).toBe(1);
    expect(await pageData(id)).toMatchObject({ step: "resultat", enCours: false, summary: { nbAccepted: 2, nbRejected: 0 } });
    const after = (await loadUpload(t.database, access, id))!;
    expect(after.importInterrompu).toBe(false);
    await expect(importUpload(t.database, after, mapping, "2024-2025")).rejects.toThrow("Ce fichier a déjà été importé.");
    expect(await transmissions("interrompu.csv")).toBe(1);
  });

  it("a fresh claim without transmission is an import still running: « en cours », and refused", async () => {
    const id = await televerser("Encours", "en-cours.csv");
    await t.database.rows(sql`update televersements set imported_at = now() - interval '90 seconds' where id = ${id}`);
    const upload = (await loadUpload(t.database, access, id))!;
    expect(upload.importInterrompu).toBe(false);
    expect(await pageData(id)).toMatchObject({ step: "resultat", enCours: true, summary: null });
    const { mapping } = mappingFrom(new URLSearchParams(), upload.headers);
    await expect(importUpload(t.database, upload, mapping, "2024-2025")).rejects.toThrow("Ce fichier a déjà été importé.");
    expect(await transmissions("en-cours.csv")).toBe(0);
  });

  it.runIf(!!process.env.DATABASE_URL)(
    "PostgreSQL server: an import waiting for a lock keeps its claim fresh (heartbeat), is never taken back, and ends once",
    async () => {
      const id = await televerser("Battement", "battement.csv");
      const upload = (await loadUpload(t.database, access, id))!;
      const { mapping } = mappingFrom(new URLSearchParams(), upload.headers);
      const claim = async () =>
        (await t.database.rows<{ at: string | null }>(sql`select imported_at::text as at from televersements where id = ${id}`))[0].at;
      const session = postgres(t.url!, { max: 1, onnotice: () => {} });
      // only the heartbeat's interval is simulated: the database's clock, locks and waits are real
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      try {
        let result!: Awaited<ReturnType<typeof importUpload>>;
        await session.begin(async (s) => {
          await s`lock table effectifs in access exclusive mode`;
          const running = importUpload(t.database, upload, mapping, "2024-2025");
          let first: string | null = null;
          for (let i = 0; i < 100 && !first; i++) {
            first = await claim();
            if (!first) await new Promise((r) => setTimeout(r, 20));
          }
          expect(first).not.toBeNull();
          let latest = first;
          for (let beat = 0; beat < 3; beat++) {
            await new Promise((r) => setTimeout(r, 5));
            await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
            for (let i = 0; i < 100 && latest === first; i++) {
              const now = await claim();
              if (now !== latest) latest = now;
              else await new Promise((r) => setTimeout(r, 20));
            }
            expect(latest! > first!).toBe(true); // refreshed while the import still waits for the lock
            first = latest;
          }
          // 3 × 30 s of heartbeat: as after 90 s, the claim is not « interrompu », another import is refused
          const meanwhile = (await loadUpload(t.database, access, id))!;
          expect(meanwhile).toMatchObject({ transmissionId: null, importInterrompu: false });
          await expect(importUpload(t.database, meanwhile, mapping, "2024-2025")).rejects.toThrow("Ce fichier a déjà été importé.");
          // the lock goes with this transaction: the import ends after it
          running.then((r) => (result = r), () => {});
        });
        for (let i = 0; i < 250 && !result; i++) await new Promise((r) => setTimeout(r, 20));
        expect(result).toMatchObject({ nbItems: 2, nbAccepted: 2, nbRejected: 0 });
        expect(await transmissions("battement.csv")).toBe(1);
        expect((await loadUpload(t.database, access, id))!.transmissionId).toBe(result.transmissionId);
      } finally {
        vi.useRealTimers();
        await session.end();
      }
    },
    20_000,
  );

  it("a failure of the organismes' marking after the commit: the import succeeds, linked, and cannot be made twice", async () => {
    const id = await televerser("Apres", "apres-commit.csv");
    const upload = (await loadUpload(t.database, access, id))!;
    const { mapping } = mappingFrom(new URLSearchParams(), upload.headers);
    const result = await organismesEnLectureSeule(() => importUpload(t.database, upload, mapping, "2024-2025"));
    expect(result).toMatchObject({ nbItems: 2, nbAccepted: 2, nbRejected: 0 });
    const after = (await loadUpload(t.database, access, id))!;
    expect(after.transmissionId).toBe(result.transmissionId);
    await expect(importUpload(t.database, after, mapping, "2024-2025")).rejects.toThrow("Ce fichier a déjà été importé.");
    expect(await transmissions("apres-commit.csv")).toBe(1);
    expect(await reparerMarquages(t.database)).toBeGreaterThan(0);
    expect((await organisme(cfa.id)).last).toBe(await receivedAt(result.transmissionId));
  });

  it("an import whose link finds the upload already linked (claim taken back meanwhile) is rolled back", async () => {
    const id = await televerser("Double", "double.csv");
    const upload = (await loadUpload(t.database, access, id))!;
    const { mapping } = mappingFrom(new URLSearchParams(), upload.headers);
    await importUpload(t.database, upload, mapping, "2024-2025");
    // as if this import had taken back a claim believed interrupted while the first one was committing
    await t.database.rows(sql`update televersements set imported_at = now() - interval '10 minutes' where id = ${id}`);
    const stale = { ...upload, importedAt: "2000-01-01", importInterrompu: true };
    await t.database.rows(sql`update televersements set imported_at = null where id = ${id}`);
    await expect(importUpload(t.database, stale, mapping, "2024-2025")).rejects.toThrow("Ce fichier a déjà été importé.");
    expect(await transmissions("double.csv")).toBe(1);
  });
});
