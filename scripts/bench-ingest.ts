/**
 * Benchmark of the API v3 ingestion against a running app on PostgreSQL.
 *
 *   npm run -s build
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/benching PORT=3300 npx tsx server.ts &
 *   npx tsx scripts/bench-ingest.ts --url http://127.0.0.1:3300 --database-url postgres://postgres@127.0.0.1:5432/benching \
 *     --pid <server pid> [-n 100000] [--batch 2000] [--concurrency 1,4]
 *
 * Seeds one organisme (and API key) per client, opens the national dashboard once (as a visitor would: it
 * materialises the days its series shows, which every write then maintains), posts N new dossiers of the current
 * school year per run (batches of --batch, with 1 then 4
 * concurrent clients, then a resend of the same N dossiers with 4 clients: the update path, then a daily resend where
 * 1 dossier in 20 has changed: what an ERP's nightly full resend looks like), and prints
 * dossiers/s, p50/p95 per request and the server's peak RSS (VmHWM of --pid), next to a raw COPY of the same rows
 * into a bare table of the same database in the same run. Bodies are serialised before timing.
 */
import fs from "node:fs";
import postgres from "postgres";
import { openDatabase } from "../db/client.server";
import { luhnCompletion, uaiCheckLetter } from "../app/referentiel/codes";
import { issueApiKey } from "../app/ingestion/api-keys.server";
import { anneeScolaireOf, todayIso } from "../app/statut/annee-scolaire";
import { percentile } from "./mesures";

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const inline = process.argv.find((a) => a.startsWith(`${name}=`));
  return inline ? inline.slice(name.length + 1) : fallback;
}

const BASE_URL = arg("--url", "http://127.0.0.1:3300")!;
const DATABASE_URL = arg("--database-url", process.env.DATABASE_URL);
const N = Number(arg("-n", "100000"));
const BATCH = Number(arg("--batch", "2000"));
const CONCURRENCIES = arg("--concurrency", "1,4")!.split(",").map(Number);
const PID = arg("--pid");
const RESEND = arg("--resend", "1") !== "0";
const RUN = Date.now().toString(36);

if (!DATABASE_URL) {
  console.error("--database-url (ou DATABASE_URL) est obligatoire : la base de l'application lancée.");
  process.exit(2);
}

const siretOf = (n: number) => {
  const base = String(2_000_000_000_000 + n).slice(-13);
  return base + luhnCompletion(base);
};
const uaiOf = (n: number) => {
  const base = String(n % 10_000_000).padStart(7, "0");
  return base + uaiCheckLetter(base);
};

interface Org {
  id: number;
  siret: string;
  uai: string;
  key: string;
}

const NOMS = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Lefèvre", "Garnier"];
const PRENOMS = ["Léa", "Hugo", "Chloé", "Louis", "Emma", "Gabriel", "Jade", "Arthur", "Inès", "Jules", "Zoé", "Noé"];
const CFDS = ["50022141", "40025214", "32031213", "50033610", "40030001", "32022310"];
const pad = (n: number) => String(n).padStart(2, "0");

/** Learners of the current school year: they count in today's figures and in the month ends already shown. */
const YEAR = Number(anneeScolaireOf(todayIso()).slice(0, 4));

function dossier(org: Org, i: number, run: string): Record<string, unknown> {
  const year = YEAR;
  const month = 1 + (i % 12);
  const d: Record<string, unknown> = {
    nom_apprenant: NOMS[i % NOMS.length],
    prenom_apprenant: PRENOMS[(i * 7) % PRENOMS.length],
    date_de_naissance_apprenant: `${2000 + (i % 8)}-${pad(month)}-${pad(1 + (i % 28))}`,
    annee_scolaire: `${year}-${year + 1}`,
    id_erp_apprenant: `${run}-${i}`,
    statut_apprenant: i % 5 === 0 ? 2 : 3,
    date_metier_mise_a_jour_statut: `${year}-09-${pad(1 + (i % 28))}`,
    tel_apprenant: `06${String(10_000_000 + i).slice(-8)}`,
    formation_cfd: CFDS[i % CFDS.length],
    date_inscription_formation: `${year}-06-15`,
    date_entree_formation: `${year}-09-02`,
    date_fin_formation: `${year + 2}-06-30`,
    etablissement_responsable_uai: org.uai,
    etablissement_responsable_siret: org.siret,
    etablissement_formateur_uai: org.uai,
    etablissement_formateur_siret: org.siret,
    email_contact: `apprenant${i}@exemple.fr`,
    code_postal_apprenant: `${69000 + (i % 10)}`,
    code_commune_insee_apprenant: "69123",
    sexe_apprenant: i % 2 ? "M" : "F",
    rqth_apprenant: i % 50 === 0,
    annee_formation: 1 + (i % 2),
    formation_rncp: "RNCP35316",
    libelle_court_formation: "CAP PATISSIER",
    duree_theorique_formation_mois: 24,
    nir_apprenant: i % 3 === 0 ? "1060375112042" : undefined,
  };
  if (i % 5 !== 0) {
    d.contrat_date_debut = `${year}-09-${pad(2 + (i % 20))}`;
    d.contrat_date_fin = `${year + 2}-08-31`;
    d.siret_employeur = "78298832500018";
    if (i % 7 === 0) {
      d.contrat_date_rupture = `${year + 1}-01-15`;
      d.cause_rupture_contrat = "démission";
      d.contrat_date_debut_2 = `${year + 1}-03-01`;
      d.contrat_date_fin_2 = `${year + 2}-08-31`;
    }
  }
  return d;
}

function serverMemory(): { peakMb: number; rssMb: number } | null {
  if (!PID) return null;
  try {
    const status = fs.readFileSync(`/proc/${PID}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { peakMb: kb("VmHWM") / 1024, rssMb: kb("VmRSS") / 1024 };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used, from /proc (Linux): null when it cannot be read. */
function cpuSeconds(pid: number | string): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = Number(process.env.CLK_TCK ?? 100);

/**
 * CPU used by the server (--pid) and by the PostgreSQL client backends of the bench database (when the server runs
 * on this machine; autovacuum and the WAL writer are not counted): less noisy than a rate on a shared machine, and
 * it says which side the time goes to.
 */
async function cpuSnapshot(sql: postgres.Sql): Promise<{ node: number | null; postgres: Map<number, number> }> {
  const backends = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity
    where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`;
  const postgresCpu = new Map<number, number>();
  for (const { pid } of backends) {
    const s = cpuSeconds(pid);
    if (s !== null) postgresCpu.set(pid, s);
  }
  return { node: PID ? cpuSeconds(PID) : null, postgres: postgresCpu };
}

function cpuDelta(before: Awaited<ReturnType<typeof cpuSnapshot>>, after: Awaited<ReturnType<typeof cpuSnapshot>>) {
  let postgresCpu = 0;
  for (const [pid, s] of after.postgres) postgresCpu += s - (before.postgres.get(pid) ?? 0);
  return {
    node: before.node !== null && after.node !== null ? after.node - before.node : null,
    postgres: after.postgres.size ? postgresCpu : null,
  };
}

interface RunResult {
  label: string;
  clients: number;
  dossiers: number;
  seconds: number;
  p50: number;
  p95: number;
  rejected: number;
  peakMb: number | null;
  /** CPU ms per 1,000 dossiers, server (Node) and PostgreSQL backends. */
  cpuNode: number | null;
  cpuPostgres: number | null;
}

/** A daily resend where 1 dossier in 20 has changed: a new phone number, and for half of them a contract broken. */
function changementDuJour(d: Record<string, unknown>, i: number): void {
  if (i % 20 !== 0) return;
  d.tel_apprenant = `07${String(10_000_000 + i).slice(-8)}`;
  if (i % 40 === 0 && d.contrat_date_debut && !d.contrat_date_rupture) {
    d.contrat_date_rupture = `${YEAR + 1}-02-10`;
    d.cause_rupture_contrat = "rupture à l'initiative de l'employeur";
  }
}

async function postRun(
  sql: postgres.Sql,
  label: string,
  orgs: Org[],
  clients: number,
  run: string,
  modifier?: (d: Record<string, unknown>, i: number) => void,
): Promise<RunResult> {
  // N dossiers split between the clients, each client its own organisme (and key); bodies serialised up front.
  const perClient = Math.ceil(N / clients);
  const queues: { key: string; bodies: string[] }[] = [];
  for (let c = 0; c < clients; c++) {
    const org = orgs[c];
    const bodies: string[] = [];
    for (let start = 0; start < perClient; start += BATCH) {
      const items = [];
      for (let i = start; i < Math.min(start + BATCH, perClient); i++) {
        const d = dossier(org, c * perClient + i, run);
        modifier?.(d, c * perClient + i);
        items.push(d);
      }
      bodies.push(JSON.stringify(items));
    }
    queues.push({ key: org.key, bodies });
  }
  const latencies: number[] = [];
  let rejected = 0;
  let sent = 0;
  const cpuBefore = await cpuSnapshot(sql);
  const t0 = performance.now();
  await Promise.all(
    queues.map(async ({ key, bodies }) => {
      for (const body of bodies) {
        const start = performance.now();
        const res = await fetch(`${BASE_URL}/api/v3/dossiers-apprenants`, {
          method: "POST",
          headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", "X-ERP": "bench" },
          body,
        });
        const json = (await res.json()) as { nb_dossiers?: number; nb_erreurs?: number; message?: string };
        latencies.push(performance.now() - start);
        if (res.status !== 200) throw new Error(`HTTP ${res.status} : ${json.message ?? ""}`);
        rejected += json.nb_erreurs ?? 0;
        sent += json.nb_dossiers ?? 0;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuDelta(cpuBefore, await cpuSnapshot(sql));
  const perThousand = (s: number | null) => (s === null || sent === 0 ? null : (1000 * s * 1000) / sent);
  return {
    cpuNode: perThousand(cpu.node),
    cpuPostgres: perThousand(cpu.postgres),
    label,
    clients,
    dossiers: sent,
    seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    rejected,
    peakMb: serverMemory()?.peakMb ?? null,
  };
}

/** The same rows, flattened as the effectifs insert would store them, COPYed into a bare table. */
async function copyRun(sql: postgres.Sql, orgs: Org[]): Promise<{ rows: number; seconds: number }> {
  const columns = [
    "organisme_formateur_id int", "organisme_responsable_id int", "annee_scolaire text", "id_erp_apprenant text", "nom text",
    "prenom text", "date_de_naissance date", "date_inscription_formation date", "date_entree_formation date",
    "date_fin_formation date", "email text", "telephone text", "code_postal text", "code_commune_insee text", "sexe text",
    "rqth boolean", "formation_cfd text", "formation_rncp text", "libelle_court_formation text", "annee_formation smallint",
    "duree_theorique_mois smallint", "statut_apprenant smallint", "date_metier_mise_a_jour_statut timestamptz", "nir_fourni boolean",
    "contrat_date_debut date", "contrat_date_fin date", "contrat_date_rupture date", "siret_employeur text",
  ];
  await sql.unsafe(`drop table if exists bench_copy_effectifs`);
  await sql.unsafe(`create table bench_copy_effectifs (${columns.join(", ")})`);
  const esc = (v: unknown) => {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines: string[] = [];
  const org = orgs[0];
  for (let i = 0; i < N; i++) {
    const d = dossier(org, i, `copy-${RUN}`);
    lines.push(
      [
        org.id, org.id, d.annee_scolaire, d.id_erp_apprenant, d.nom_apprenant, d.prenom_apprenant, d.date_de_naissance_apprenant,
        d.date_inscription_formation, d.date_entree_formation, d.date_fin_formation, d.email_contact, d.tel_apprenant,
        d.code_postal_apprenant, d.code_commune_insee_apprenant, d.sexe_apprenant, d.rqth_apprenant, d.formation_cfd,
        d.formation_rncp, d.libelle_court_formation, d.annee_formation, d.duree_theorique_formation_mois, d.statut_apprenant,
        d.date_metier_mise_a_jour_statut, d.nir_apprenant !== undefined, d.contrat_date_debut, d.contrat_date_fin,
        d.contrat_date_rupture, d.siret_employeur,
      ]
        .map(esc)
        .join(",") + "\n",
    );
  }
  const { pipeline } = await import("node:stream/promises");
  const { Readable } = await import("node:stream");
  const t0 = performance.now();
  const writable = await sql.unsafe(`copy bench_copy_effectifs (${columns.map((c) => c.split(" ")[0]).join(",")}) from stdin with (format csv)`).writable();
  const chunks: string[] = [];
  for (let i = 0; i < lines.length; i += 5000) chunks.push(lines.slice(i, i + 5000).join(""));
  await pipeline(Readable.from(chunks), writable);
  const seconds = (performance.now() - t0) / 1000;
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int n from bench_copy_effectifs`;
  await sql.unsafe(`drop table bench_copy_effectifs`);
  return { rows: n, seconds };
}

async function main() {
  const database = await openDatabase({ url: DATABASE_URL, max: 2 });
  const sql = postgres(DATABASE_URL!, { max: 2, onnotice: () => {} });
  const maxClients = Math.max(...CONCURRENCIES);
  const orgs: Org[] = [];
  for (let c = 0; c < maxClients; c++) {
    const n = 900_000 + c;
    const [row] = await sql<{ id: number }[]>`
      insert into organismes (siret, uai, nature, raison_sociale) values (${siretOf(n)}, ${uaiOf(n)}, 'responsable_formateur', ${`CFA banc d'essai ${c + 1}`})
      on conflict (siret, coalesce(uai, '')) do update set raison_sociale = excluded.raison_sociale returning id`;
    const { key } = await issueApiKey(database, row.id);
    orgs.push({ id: row.id, siret: siretOf(n), uai: uaiOf(n), key });
  }
  const health = await fetch(`${BASE_URL}/healthz`).then((r) => r.json() as Promise<{ database: string }>);
  const dashboard = await fetch(`${BASE_URL}/`);
  if (dashboard.status !== 200) throw new Error(`tableau de bord national : HTTP ${dashboard.status}`);
  const [{ jours }] = await sql<{ jours: number }[]>`select count(*)::int as jours from indicateurs_jours`;
  console.log(
    `Application ${BASE_URL} (base ${health.database}), ${N} dossiers par série (année ${YEAR}-${YEAR + 1}), lots de ${BATCH}, ` +
      `${jours} jours d'indicateurs matérialisés.`,
  );
  const before = serverMemory();
  if (before) console.log(`RSS du serveur avant : ${before.rssMb.toFixed(0)} Mo (pic ${before.peakMb.toFixed(0)} Mo)`);

  const results: RunResult[] = [];
  for (const clients of CONCURRENCIES) {
    results.push(await postRun(sql, `nouveaux dossiers, ${clients} client${clients > 1 ? "s" : ""}`, orgs, clients, `${RUN}-c${clients}`));
    const r = results[results.length - 1];
    console.log(`  ${r.label} : ${(r.dossiers / r.seconds).toFixed(0)} dossiers/s`);
  }
  const resendClients = Math.max(...CONCURRENCIES);
  if (RESEND) {
    const run = `${RUN}-c${resendClients}`;
    results.push(await postRun(sql, `renvoi des mêmes dossiers, inchangés, ${resendClients} clients`, orgs, resendClients, run));
    results.push(
      await postRun(sql, `renvoi quotidien, 5 % des dossiers modifiés, ${resendClients} clients`, orgs, resendClients, run, changementDuJour),
    );
  }
  const copy = await copyRun(sql, orgs);
  const copyRate = copy.rows / copy.seconds;

  console.log(
    "\n| série | dossiers | durée (s) | dossiers/s | % du COPY | p50 (ms) | p95 (ms) | refusés | pic RSS serveur (Mo) | CPU Node (ms / 1 000) | CPU PostgreSQL (ms / 1 000) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const ms = (v: number | null) => (v === null ? "n/d" : v.toFixed(0));
  for (const r of results) {
    const rate = r.dossiers / r.seconds;
    console.log(
      `| ${r.label} | ${r.dossiers} | ${r.seconds.toFixed(1)} | ${rate.toFixed(0)} | ${((100 * rate) / copyRate).toFixed(0)} % | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${r.rejected} | ${r.peakMb?.toFixed(0) ?? "n/d"} | ${ms(r.cpuNode)} | ${ms(r.cpuPostgres)} |`,
    );
  }
  console.log(`| COPY brut des mêmes lignes (table nue, ${copy.rows} lignes) | ${copy.rows} | ${copy.seconds.toFixed(1)} | ${copyRate.toFixed(0)} | 100 % | | | | | | |`);
  await sql.end();
  await database.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
