import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { statutAt, type ParcoursStep, type Statut } from "../../app/statut/engine";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `npx tsx cli/index.ts statut …args` with `stdin` as input. */
function cli(args: string[], stdin: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync("npx", ["tsx", "cli/index.ts", "statut", ...args], {
    cwd: root,
    input: stdin,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dossiers = [
  {
    id_erp_apprenant: "A-1",
    nom_apprenant: "Martin",
    date_entree_formation: "2024-09-02T00:00:00.000Z",
    date_fin_formation: "2026-06-30",
    contrat_date_debut: "2024-10-01",
    contrat_date_fin: "2026-06-30",
    contrat_date_rupture: "2025-03-01T00:00:00.000Z",
    contrat_date_debut_2: "2025-05-01",
    contrat_date_fin_2: "2026-06-15",
    contrat_date_rupture_2: null,
  },
  { id_erp_apprenant: 42, date_entree_formation: "2025-09-01", date_fin_formation: "2026-06-30", date_exclusion_formation: "" },
];

describe("cli statut", () => {
  it("writes the parcours and the statut at --now of every dossier", () => {
    const { status, stdout, stderr } = cli(["--now", "2025-04-01"], JSON.stringify(dossiers));
    expect(stderr).not.toMatch(/Élément|invalide/);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      {
        id_erp_apprenant: "A-1",
        en_cours: "RUPTURANT",
        parcours: [
          { date: "2024-09-02", statut: "INSCRIT" },
          { date: "2024-10-01", statut: "APPRENTI" },
          { date: "2025-03-01", statut: "RUPTURANT" },
          { date: "2025-05-01", statut: "APPRENTI" },
          { date: "2026-06-16", statut: "FIN_DE_FORMATION" },
        ],
      },
      {
        // no change on or before --now: INSCRIT
        id_erp_apprenant: 42,
        en_cours: "INSCRIT",
        parcours: [
          { date: "2025-09-01", statut: "INSCRIT" },
          { date: "2025-11-30", statut: "ABANDON" },
        ],
      },
    ]);
  });

  it("defaults --now to today (UTC)", () => {
    const { status, stdout } = cli([], JSON.stringify([dossiers[0]]));
    expect(status).toBe(0);
    const [result] = JSON.parse(stdout) as { en_cours: Statut; parcours: ParcoursStep[] }[];
    expect(result.en_cours).toBe(statutAt(result.parcours, new Date().toISOString().slice(0, 10)) ?? "INSCRIT");
  });

  it("accepts --now=… and an empty array", () => {
    const { status, stdout } = cli(["--now=2026-07-01"], "[]");
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it("uses the statut of day E after E", () => {
    const { status, stdout } = cli(["--now", "2030-01-01"], JSON.stringify([dossiers[0]]));
    expect(status).toBe(0);
    expect(JSON.parse(stdout)[0].en_cours).toBe("FIN_DE_FORMATION");
  });

  it.each([
    ["not JSON", ["--now", "2025-04-01"], "{not json", /JSON invalide/],
    ["not an array", ["--now", "2025-04-01"], JSON.stringify(dossiers[0]), /tableau JSON/],
    ["an item that is not an object", ["--now", "2025-04-01"], JSON.stringify([dossiers[1], "x"]), /Élément 1 /],
    [
      "an item missing date_fin_formation",
      ["--now", "2025-04-01"],
      JSON.stringify([dossiers[0], dossiers[1], { id_erp_apprenant: "B", date_entree_formation: "2024-09-01" }]),
      /Élément 2 .*date_fin_formation/,
    ],
    [
      "an item with a bad contract date",
      ["--now", "2025-04-01"],
      JSON.stringify([{ ...dossiers[1], contrat_date_debut_3: "31/12/2025" }]),
      /Élément 0 .*contrat_date_debut_3/,
    ],
  ])("rejects %s: message on stderr, exit 1, nothing on stdout", (_label, args, stdin, message) => {
    const { status, stdout, stderr } = cli(args, stdin);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
  });

  it.each([
    ["a bad --now", ["--now", "2025-02-30"], /^--now : date AAAA-MM-JJ attendue, reçu « 2025-02-30 »/],
    ["a missing --now value", ["--now"], /^--now : valeur manquante/],
    ["an unknown argument", ["--hier"], /^Argument inconnu : --hier/],
  ])("rejects %s (a bad argument): message and usage on stderr, exit 2, nothing on stdout", (_label, args, message) => {
    const { status, stdout, stderr } = cli(args, "[]");
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr).toContain("Usage : npm run -s cli -- statut");
  });
});
