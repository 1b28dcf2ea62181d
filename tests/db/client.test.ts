import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { migrate, openDatabase } from "../../db/client.server";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "pglite-client-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("embedded database (PGlite)", () => {
  it("creates its folder with missing parents (a fresh clone has no .data/) and keeps data across a restart", async () => {
    const dir = path.join(root, ".data", "pglite");
    const first = await openDatabase({ url: "", pgliteDir: dir });
    expect(first.kind).toBe("pglite");
    await migrate(first);
    await first.rows(sql`insert into regions (code, nom) values ('84', 'Auvergne-Rhône-Alpes')`);
    await first.close();

    const again = await openDatabase({ url: "", pgliteDir: dir });
    await migrate(again);
    const rows = await again.rows<{ nom: string }>(sql`select nom from regions where code = '84'`);
    expect(rows).toEqual([{ nom: "Auvergne-Rhône-Alpes" }]);
    await again.close();
  });

  it("is opened by one process at a time: a second opening is refused in French, a lock left by a dead process is taken over", async () => {
    const dir = path.join(root, "verrou", "pglite");
    const first = await openDatabase({ url: "", pgliteDir: dir });
    expect(fs.readFileSync(`${dir}.lock`, "utf8")).toBe(String(process.pid));
    const refused = await openDatabase({ url: "", pgliteDir: dir }).catch((error: Error & { code?: string }) => error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error & { code?: string }).code).toBe("PGLITE_LOCKED");
    expect((refused as Error).message).toBe(
      `La base embarquée ${dir} est déjà ouverte par le processus ${process.pid} (un autre « npm start » ou une commande en cours ?). ` +
        `Arrêtez-le d'abord, ou choisissez une autre base avec PGLITE_DIR. Si aucun processus ne l'utilise, supprimez ${dir}.lock.`,
    );
    await first.rows(sql`select 1`); // the first one still works
    await first.close();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);

    // a process killed while it had the base open leaves its lock: the next opening takes it over
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    fs.writeFileSync(`${dir}.lock`, dead.stdout);
    const after = await openDatabase({ url: "", pgliteDir: dir });
    expect(fs.readFileSync(`${dir}.lock`, "utf8")).toBe(String(process.pid));
    await after.close();
  });
});
