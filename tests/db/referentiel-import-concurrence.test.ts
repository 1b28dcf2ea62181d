/**
 * A large référentiel import does not keep the other users waiting (decision 021): with the embedded database
 * (PGlite, one connection), a query sent while the import writes is answered before the import ends, and the event
 * loop keeps turning (the server's other requests, the import's progress); yet nothing of the file is visible before
 * the end, and a write that gets in between and makes the apply fail leaves nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { importOrganismes } from "../../app/referentiel/import-organismes.server";
import { importFormations } from "../../app/referentiel/import-formations.server";
import type { ImportProgress } from "../../app/referentiel/import-common.server";
import { luhnCompletion, uaiCheckLetter } from "../../app/referentiel/codes";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
}, 60_000);
afterAll(async () => t?.drop());

const siret = (p13: string) => p13 + luhnCompletion(p13);
const uai = (d7: string) => d7 + uaiCheckLetter(d7);

/** `n` organismes (SIRETs starting with `prefix`), one responsable for ten formateurs. */
function organismesCsv(prefix: string, n: number): Buffer {
  const lines = ["siret;uai;nature;raison_sociale;code_commune_insee;reseaux;qualiopi;siret_responsable"];
  for (let i = 0; i < n; i++) {
    const responsable = siret(`${prefix}${String(i - (i % 10)).padStart(12, "0")}`);
    lines.push(
      [
        siret(`${prefix}${String(i).padStart(12, "0")}`),
        uai(String(9_000_000 - i).padStart(7, "0")),
        i % 10 ? "formateur" : "responsable",
        `CFA généré ${i}`,
        ["75056", "69123", "13055"][i % 3],
        i % 2 ? "CCI" : "",
        "oui",
        i % 10 ? responsable : "",
      ].join(";"),
    );
  }
  return Buffer.from(lines.join("\n"), "utf8");
}

const countOf = async (prefix: string) =>
  (await t.database.rows<{ n: number }>(sql`select count(*)::int as n from organismes where siret like ${`${prefix}%`}`))[0].n;

describe("a large import and the other users", () => {
  it("answers a query sent while the import writes before the import ends, without showing half the file", async () => {
    const N = 3000;
    let finished = false;
    let answered: Promise<{ n: number; finished: boolean }> | undefined;
    let timer: Promise<boolean> | undefined;
    const phases: ImportProgress[] = [];
    const run = importOrganismes(t.database, organismesCsv("7", N), {
      onProgress: (p) => {
        phases.push(p);
        if (p.phase !== "écriture" || answered) return;
        // another user's request, sent while the import writes
        answered = countOf("7").then((n) => ({ n, finished }));
        timer = new Promise((resolve) => setTimeout(() => resolve(finished), 0));
      },
    }).then((summary) => {
      finished = true;
      return summary;
    });
    const summary = await run;
    expect(answered).toBeDefined();
    // answered while the import was still running, and the file was not half visible
    expect(await answered).toEqual({ n: 0, finished: false });
    // the event loop turned during the import: the server's requests and the import's progress are not held
    expect(await timer).toBe(false);
    expect(summary).toMatchObject({ created: N, updated: 0, rejected: [] });
    expect(summary.details["relations formateur → responsable créées"]).toBe(N - N / 10);
    expect(await countOf("7")).toBe(N);
    // the progress went through the writing, to the end
    expect(phases.filter((p) => p.phase === "écriture").at(-1)).toMatchObject({ done: N, total: N });
    // what was set down before the apply is gone
    expect(await t.database.rows(sql`select 1 from imports_referentiel_lignes`)).toEqual([]);
  }, 120_000);

  it("a write that gets in between and makes the apply fail: nothing of the file is written, the error is the database's", async () => {
    const N = 1200;
    const csv = organismesCsv("6", N);
    const first = csv.toString("utf8").split("\n")[1].split(";");
    let interposed: Promise<unknown> | undefined;
    const run = importOrganismes(t.database, csv, {
      onProgress: (p) => {
        // the same (SIRET, UAI) as the file's first line, created by someone else while the import writes
        if (p.phase === "écriture" && !interposed) {
          interposed = t.database.rows(sql`insert into organismes (siret, uai, raison_sociale) values (${first[0]}, ${first[1]}, 'Créé entre-temps')`);
        }
      },
    });
    await expect(run).rejects.toThrow();
    await interposed;
    // all or nothing: only the organisme created in between
    expect(await t.database.rows(sql`select raison_sociale from organismes where siret like '6%'`)).toEqual([{ raison_sociale: "Créé entre-temps" }]);
    expect(await t.database.rows(sql`select 1 from imports_referentiel_lignes`)).toEqual([]);
  }, 120_000);

  it("a catalogue: a query sent while it writes is answered before the end, nothing half visible", async () => {
    const N = 1500;
    const lines = ["cfd;rncp;niveau;intitule;siret_formateur;uai_formateur"];
    for (let i = 0; i < N; i++) {
      const k = i % 300; // formateurs of the first test
      lines.push([`5${String(i).padStart(7, "0")}`, `RNCP${20000 + i}`, "3", `Formation ${i}`, siret(`7${String(k).padStart(12, "0")}`), uai(String(9_000_000 - k).padStart(7, "0"))].join(";"));
    }
    let finished = false;
    let answered: Promise<{ n: number; finished: boolean }> | undefined;
    const summary = await importFormations(t.database, Buffer.from(lines.join("\n"), "utf8"), {
      onProgress: (p) => {
        if (p.phase !== "écriture" || answered) return;
        answered = t.database
          .rows<{ n: number }>(sql`select count(*)::int as n from formations where cfd like '5%'`)
          .then(([r]) => ({ n: r.n, finished }));
      },
    }).then((s) => {
      finished = true;
      return s;
    });
    expect(await answered).toEqual({ n: 0, finished: false });
    expect(summary).toMatchObject({ created: N, rejected: [] });
    expect(summary.details["offres de formation créées"]).toBe(N);
    expect((await t.database.rows<{ n: number }>(sql`select count(*)::int as n from offres_formation`))[0].n).toBe(N);

    // imported again: the known offers are only dated again (the last import that listed them), after the apply
    await t.database.rows(sql`update offres_formation set updated_at = '2020-01-01'`);
    const again = await importFormations(t.database, Buffer.from(lines.slice(0, -1).join("\n"), "utf8"));
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: N - 1 });
    expect(again.details).toMatchObject({ "offres de formation créées": 0, "offres de formation déjà connues": N - 1 });
    const dates = await t.database.rows<{ recent: boolean; n: number }>(
      sql`select updated_at > '2020-01-01' as recent, count(*)::int as n from offres_formation group by 1 order by 1`,
    );
    expect(dates).toEqual([
      { recent: false, n: 1 },
      { recent: true, n: N - 1 },
    ]);
  }, 120_000);
});
