/**
 * Coverage and freshness of the organismes' data at a date (domain.md, "Coverage and freshness").
 *
 * - The référentiel's CFAs: organismes `actif` whose nature is responsable, formateur or responsable_formateur
 *   (lieux and unknown natures are not CFAs), in the territory of the filters (their own commune).
 * - Transmitted by D: a first transmission before the end of day D (or before `now` when D is today).
 * - Freshness at D from the last transmission known before that instant: the latest of the transmissions that
 *   concerned the organisme (`transmission_organismes`: sent by it, or by its responsable for its learners), of
 *   `last_transmission_at` and of `first_transmission_at` that are before it: < 7 days "recente",
 *   7 days to 3 months "vieillissante", older "ancienne", none "jamais" (as the répertoire does).
 * Filters that concern learners or formations (niveau, sexe, CFD…) do not apply to organismes and are ignored;
 * territory, organisme, réseau, nature and bassin apply to the organisme itself.
 */
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import type { Scope } from "../auth/policy.server";
import { threeMonthsBefore } from "../referentiel/repertoire.server";
import { addDays } from "../statut/days";
import type { IndicateursFilters } from "./filters";
import { resoudreFiltres, territoires } from "./indicateurs.server";

export const FRAICHEURS = ["recente", "vieillissante", "ancienne", "jamais"] as const;
export type Fraicheur = (typeof FRAICHEURS)[number];

export const NATURES_CFA = ["responsable", "formateur", "responsable_formateur"] as const;

export interface ChiffresCouverture {
  /** CFAs of the référentiel */
  organismes: number;
  /** of which transmitted at least once by the date */
  transmis: number;
  /** transmis / organismes, null when there is no organisme */
  tauxCouverture: number | null;
  fraicheur: Record<Fraicheur, number>;
}

export interface LigneCouverture extends ChiffresCouverture {
  code: string | null;
  libelle: string;
}

export interface CouvertureOptions {
  date: string;
  filters?: IndicateursFilters;
  scope: Scope;
  by?: "region" | "departement" | "academie";
  /** The present instant (tests); default: now. */
  now?: Date;
}

export interface CouvertureResult extends ChiffresCouverture {
  date: string;
  /** The instant the freshness is measured at. */
  reference: string;
  repartition?: { by: "region" | "departement" | "academie"; lignes: LigneCouverture[] };
}

interface Ligne {
  k: string | null;
  organismes: number;
  transmis: number;
  recente: number;
  vieillissante: number;
  ancienne: number;
}

function chiffres(l: Omit<Ligne, "k">): ChiffresCouverture {
  return {
    organismes: l.organismes,
    transmis: l.transmis,
    tauxCouverture: l.organismes === 0 ? null : l.transmis / l.organismes,
    fraicheur: {
      recente: l.recente,
      vieillissante: l.vieillissante,
      ancienne: l.ancienne,
      jamais: l.organismes - l.recente - l.vieillissante - l.ancienne,
    },
  };
}

/**
 * The filters that apply to an organisme: territory, organisme, réseau, nature, bassin. The others concern learners
 * or formations: a CFD unknown to the catalogue must not empty the coverage, it does not apply to it.
 */
export function filtresOrganisme(filters: IndicateursFilters): IndicateursFilters {
  const { region, departement, academie, bassinEmploi, organisme, reseau, nature } = filters;
  return { region, departement, academie, bassinEmploi, organisme, reseau, nature };
}

/** The instant of a date: the end of that day, or now when that is still to come. */
export function instantDeReference(date: string, now: Date): Date {
  const end = new Date(`${addDays(date, 1)}T00:00:00.000Z`);
  return end > now ? now : end;
}

export async function couverture(database: Database, options: CouvertureOptions): Promise<CouvertureResult> {
  const now = options.now ?? new Date();
  const ref = instantDeReference(options.date, now);
  const refIso = ref.toISOString();
  const week = new Date(ref.getTime() - 7 * 86_400_000).toISOString();
  const monthsIso = threeMonthsBefore(ref).toISOString();

  const f = await resoudreFiltres(database, filtresOrganisme(options.filters ?? {}), options.scope);
  const where: SQL[] = [sql`o.etat_administratif = 'actif'`, sql`o.nature = any(${arrayParam(NATURES_CFA)}::text[])`];
  if (f.departements) where.push(sql`o.departement_code = any(${arrayParam(f.departements)}::text[])`);
  for (const c of f.organismes) where.push(sql`o.id = any(${arrayParam(c.formateurs)}::int[])`);
  if (f.formateurs) where.push(sql`o.id = any(${arrayParam(f.formateurs)}::int[])`);

  const by = options.by;
  const key =
    by === "region"
      ? sql`d.region_code`
      : by === "academie"
      ? sql`d.academie_code`
      : by === "departement"
      ? sql`o.departement_code`
      : sql`null`;
  const rows = f.vide
    ? []
    : await database.rows<Ligne>(sql`
    with o as (
      select o.id, o.departement_code,
        greatest(
          (select max(l.received_at) from transmission_organismes l where l.organisme_id = o.id and l.received_at < ${refIso}::timestamptz),
          case when o.last_transmission_at < ${refIso}::timestamptz then o.last_transmission_at end,
          case when o.first_transmission_at < ${refIso}::timestamptz then o.first_transmission_at end) as derniere
      from organismes o
      where ${sql.join(where, sql` and `)}
    )
    select ${key}::text as k, count(*)::int as organismes,
      count(derniere)::int as transmis,
      count(*) filter (where derniere > ${week}::timestamptz)::int as recente,
      count(*) filter (where derniere <= ${week}::timestamptz and derniere >= ${monthsIso}::timestamptz)::int as vieillissante,
      count(*) filter (where derniere < ${monthsIso}::timestamptz)::int as ancienne
    from o left join departements d on d.code = o.departement_code
    group by 1`);

  const sum: Omit<Ligne, "k"> = { organismes: 0, transmis: 0, recente: 0, vieillissante: 0, ancienne: 0 };
  for (const r of rows) {
    sum.organismes += r.organismes;
    sum.transmis += r.transmis;
    sum.recente += r.recente;
    sum.vieillissante += r.vieillissante;
    sum.ancienne += r.ancienne;
  }
  const result: CouvertureResult = { date: options.date, reference: refIso, ...chiffres(sum) };
  if (by) {
    const t = await territoires(database);
    const lignes = rows.map((r) => {
      const nom =
        r.k === null
          ? undefined
          : by === "region"
          ? t.regions.get(r.k)
          : by === "academie"
          ? t.academies.get(r.k)
          : t.departements.get(r.k)?.nom;
      return { code: r.k, libelle: nom ?? r.k ?? "Non renseigné", ...chiffres(r) };
    });
    lignes.sort((a, b) => (a.code === null ? 1 : b.code === null ? -1 : a.code.localeCompare(b.code)));
    result.repartition = { by, lignes };
  }
  return result;
}
