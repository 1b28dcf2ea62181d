/**
 * CFAs that never transmitted or stopped transmitting, per territory, in the viewer's scope (issue 8, item 4).
 * Concerned: active organismes other than lieux de formation. "Arrêté": a last transmission older than
 * `joursArret` days (default 90, the "> 3 months stale" threshold of domain.md).
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import type { Nature } from "../../db/schema";
import { scopeSql, type Viewer } from "../auth/policy.server";
import { frenchSortKeys, normalizeTimestamps, orderBy } from "./repertoire.server";
import { pageOf, type Page } from "../shared/pagination";
import { NATURE_LABELS, STATUT_TRANSMISSION_LABELS, type StatutTransmission } from "./labels";
import { dateValue, type CsvValue } from "../shared/csv";

export interface NonTransmetteursQuery {
  statut?: StatutTransmission;
  region?: string;
  departement?: string;
  academie?: string;
  nature?: Nature;
  reseau?: string;
  joursArret?: number;
  page: number;
  limit: number;
}

export interface NonTransmetteur {
  id: number;
  siret: string;
  uai: string | null;
  nature: Nature;
  raison_sociale: string;
  enseigne: string | null;
  commune: string | null;
  code_postal: string | null;
  departement_code: string | null;
  region_code: string | null;
  region: string | null;
  academie_code: string | null;
  academie: string | null;
  reseaux: string[];
  first_transmission_at: string | null;
  last_transmission_at: string | null;
  statut: StatutTransmission;
}

function conditions(viewer: Viewer, q: NonTransmetteursQuery, now: Date): { where: SQL; cutoff: string } {
  const cutoff = new Date(now.getTime() - (q.joursArret ?? 90) * 86_400_000).toISOString();
  const where: SQL[] = [scopeSql(viewer, "o"), sql`o.etat_administratif = 'actif'`, sql`o.nature <> 'lieu'`];
  if (q.statut === "jamais") where.push(sql`o.last_transmission_at is null`);
  else if (q.statut === "arrete") where.push(sql`o.last_transmission_at < ${cutoff}::timestamptz`);
  else where.push(sql`(o.last_transmission_at is null or o.last_transmission_at < ${cutoff}::timestamptz)`);
  if (q.region) where.push(sql`o.region_code = ${q.region}`);
  if (q.departement) where.push(sql`o.departement_code = ${q.departement}`);
  if (q.academie) where.push(sql`o.academie_code = ${q.academie}`);
  if (q.nature) where.push(sql`o.nature = ${q.nature}`);
  if (q.reseau) where.push(sql`${q.reseau} = any(o.reseaux)`);
  return { where: sql.join(where, sql` and `), cutoff };
}

const SELECT = sql`
  select o.id, o.siret, o.uai, o.nature, o.raison_sociale, o.enseigne, c.nom as commune, o.code_postal, o.departement_code,
         o.region_code, r.nom as region, o.academie_code, a.nom as academie, o.reseaux, o.first_transmission_at, o.last_transmission_at
  from organismes o
  left join communes c on c.code = o.code_commune
  left join regions r on r.code = o.region_code
  left join academies a on a.code = o.academie_code`;

function withStatut(r: Omit<NonTransmetteur, "statut">): NonTransmetteur {
  const row = normalizeTimestamps(r);
  return { ...row, statut: row.last_transmission_at ? "arrete" : "jamais" };
}

/** One page (by département, then raison sociale) and the counts by statut. */
export async function listNonTransmetteurs(
  database: Database,
  viewer: Viewer,
  q: NonTransmetteursQuery,
  now: Date = new Date(),
): Promise<Page<NonTransmetteur> & { counts: Record<StatutTransmission, number> }> {
  const { where, cutoff } = conditions(viewer, { ...q, statut: undefined }, now);
  const [counts] = await database.rows<{ jamais: number; arrete: number }>(sql`
    select count(*) filter (where o.last_transmission_at is null)::int as jamais,
           count(*) filter (where o.last_transmission_at < ${cutoff}::timestamptz)::int as arrete
    from organismes o where ${where}`);
  const filtered = conditions(viewer, q, now).where;
  const total = q.statut ? counts[q.statut] : counts.jamais + counts.arrete;
  const rows = await database.rows<Omit<NonTransmetteur, "statut">>(sql`
    ${SELECT} where ${filtered}
    order by ${orderBy([sql`o.departement_code`, ...frenchSortKeys(sql`o.raison_sociale`)], "asc", [sql`o.id`])}
    limit ${q.limit} offset ${(q.page - 1) * q.limit}`);
  return { ...pageOf(rows.map(withStatut), total, q.page, q.limit), counts };
}

/** Every row (for the export), capped at `max`. */
export async function allNonTransmetteurs(database: Database, viewer: Viewer, q: Omit<NonTransmetteursQuery, "page" | "limit">, now: Date = new Date(), max = 100_000): Promise<NonTransmetteur[]> {
  const { where } = conditions(viewer, { ...q, page: 1, limit: max }, now);
  const rows = await database.rows<Omit<NonTransmetteur, "statut">>(sql`
    ${SELECT} where ${where}
    order by ${orderBy([sql`o.departement_code`, ...frenchSortKeys(sql`o.raison_sociale`)], "asc", [sql`o.id`])}
    limit ${max}`);
  return rows.map(withStatut);
}

export const EXPORT_COLUMNS = [
  "Statut",
  "Raison sociale",
  "Enseigne",
  "SIRET",
  "UAI",
  "Nature",
  "Code postal",
  "Commune",
  "Département",
  "Région",
  "Académie",
  "Réseaux",
  "Première transmission",
  "Dernière transmission",
];

/**
 * One row of the export, in French like the other exports: the page's days (dd/MM/yyyy in the CSV, real dates in
 * the XLSX: decision 019), the nature's label (the page's), the région and the académie by name (the code when the
 * territory table does not know it).
 */
export function exportRow(o: NonTransmetteur): CsvValue[] {
  return [
    STATUT_TRANSMISSION_LABELS[o.statut],
    o.raison_sociale,
    o.enseigne,
    o.siret,
    o.uai,
    NATURE_LABELS[o.nature] ?? o.nature,
    o.code_postal,
    o.commune,
    o.departement_code,
    o.region ?? o.region_code,
    o.academie ?? o.academie_code,
    o.reseaux.join(", "),
    dateValue(o.first_transmission_at),
    dateValue(o.last_transmission_at),
  ];
}
