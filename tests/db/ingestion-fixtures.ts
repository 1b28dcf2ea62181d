/**
 * Fixtures of the ingestion tests: organismes with valid identifiers, API keys, dossiers.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { luhnCompletion, uaiCheckLetter } from "../../app/referentiel/codes";
import { issueApiKey } from "../../app/ingestion/api-keys.server";

/** A valid SIRET derived from n (13 digits + Luhn key). */
export function siretOf(n: number): string {
  const base = String(10_000_000_000_00 + n).padStart(13, "0").slice(-13);
  return base + luhnCompletion(base);
}

/** A valid UAI derived from n (7 digits + check letter). */
export function uaiOf(n: number): string {
  const base = String(n % 10_000_000).padStart(7, "0");
  return base + uaiCheckLetter(base);
}

export interface TestOrganisme {
  id: number;
  siret: string;
  uai: string;
  raison_sociale: string;
}

export async function insertOrganisme(
  database: Database,
  n: number,
  nature: "responsable" | "formateur" | "responsable_formateur" = "responsable_formateur",
): Promise<TestOrganisme> {
  const siret = siretOf(n);
  const uai = uaiOf(n);
  const raison = `CFA de test n° ${n}`;
  const [row] = await database.rows<{ id: number }>(
    sql`insert into organismes (siret, uai, nature, raison_sociale) values (${siret}, ${uai}, ${nature}, ${raison}) returning id`,
  );
  return { id: row.id, siret, uai, raison_sociale: raison };
}

export async function relate(database: Database, formateur: TestOrganisme, responsable: TestOrganisme) {
  await database.rows(sql`insert into organisme_relations (formateur_id, responsable_id) values (${formateur.id}, ${responsable.id})`);
}

export async function keyFor(database: Database, organisme: TestOrganisme): Promise<string> {
  return (await issueApiKey(database, organisme.id)).key;
}

/** A valid v3 dossier for a formateur/responsable pair. */
export function dossier(
  formateur: TestOrganisme,
  responsable: TestOrganisme,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    nom_apprenant: "Lenôtre",
    prenom_apprenant: "Gaston",
    date_de_naissance_apprenant: "2006-03-28",
    annee_scolaire: "2024-2025",
    id_erp_apprenant: "APP-1",
    statut_apprenant: 3,
    date_metier_mise_a_jour_statut: "2024-09-02",
    date_inscription_formation: "2024-06-15",
    date_entree_formation: "2024-09-02",
    date_fin_formation: "2026-06-30",
    etablissement_responsable_uai: responsable.uai,
    etablissement_responsable_siret: responsable.siret,
    etablissement_formateur_uai: formateur.uai,
    etablissement_formateur_siret: formateur.siret,
    contrat_date_debut: "2024-09-02",
    contrat_date_fin: "2026-08-31",
    siret_employeur: "78298832500018",
    ...overrides,
  };
}

export async function post(
  baseUrl: string,
  key: string | null,
  body: unknown,
  options: { headers?: Record<string, string>; raw?: string | Uint8Array; query?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...(options.headers ?? {}) };
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(`${baseUrl}/api/v3/dossiers-apprenants${options.query ?? ""}`, {
    method: "POST",
    headers,
    body: (options.raw ?? JSON.stringify(body)) as BodyInit,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function effectifsOf(database: Database) {
  return database.rows<Record<string, any>>(sql`select * from effectifs order by id`);
}
