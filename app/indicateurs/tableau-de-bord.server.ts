/**
 * Everything one dashboard page shows for a month, in one call: headline counters with their evolution, the
 * 24-month series, the maps (by département and by région), the breakdown by niveau, the tables by organisme and
 * by formation, coverage and freshness. Each part is a call of indicateurs.server.ts / couverture.server.ts; use
 * them directly for a page that needs less.
 */
import type { Database } from "../../db/client.server";
import type { Scope } from "../auth/policy.server";
import { todayIso } from "../statut/annee-scolaire";
import { couverture, type CouvertureResult } from "./couverture.server";
import { dateDuMois, type IndicateursFilters } from "./filters";
import {
  indicateurs,
  serieEtEvolution,
  type EvolutionResult,
  type LigneRepartition,
  type PointSerie,
} from "./indicateurs.server";

export interface TableauDeBordOptions {
  /** "YYYY-MM": a past month means its last day, the current month today. */
  mois: string;
  filters?: IndicateursFilters;
  scope: Scope;
  today?: string;
  /** Lines kept in the tables by organisme and by formation (the biggest first; default 20). */
  limite?: number;
}

export interface TableauDeBord {
  mois: string;
  date: string;
  evolution: EvolutionResult;
  serie: PointSerie[];
  parDepartement: LigneRepartition[];
  parRegion: LigneRepartition[];
  parNiveau: LigneRepartition[];
  parOrganisme: LigneRepartition[];
  parFormation: LigneRepartition[];
  couverture: CouvertureResult;
}

export async function tableauDeBord(database: Database, options: TableauDeBordOptions): Promise<TableauDeBord> {
  const today = options.today ?? todayIso();
  const date = dateDuMois(options.mois, today);
  const base = { date, filters: options.filters, scope: options.scope, today };
  const limite = options.limite ?? 20;
  const lignes = async (by: "departement" | "region" | "niveau" | "organisme" | "formation") =>
    (await indicateurs(database, { ...base, by })).repartition!.lignes;
  const { serie, evolution } = await serieEtEvolution(database, base);
  return {
    mois: options.mois,
    date,
    evolution,
    serie: serie.points,
    parDepartement: await lignes("departement"),
    parRegion: await lignes("region"),
    parNiveau: await lignes("niveau"),
    parOrganisme: (await lignes("organisme")).slice(0, limite),
    parFormation: (await lignes("formation")).slice(0, limite),
    couverture: await couverture(database, { date, filters: options.filters, scope: options.scope, by: "departement" }),
  };
}
