/**
 * `npm run -s cli -- indicateurs [--date AAAA-MM-JJ | --mois AAAA-MM] [filtres…] [--by …] [--serie] [--couverture]`
 *
 * Prints on stdout the JSON result of the indicator module (app/indicateurs/indicateurs.server.ts) at the date
 * (default: today, UTC; --mois: its last day, or today for the current month):
 *   {date, anneesScolaires, filters, source, compteurs, repartition?, serie?, couverture?}
 * Filters (one or several values: repeat the option or separate with commas):
 *   --region 84  --departement 69  --academie 10  --bassin 8405  --organisme <SIRET|UAI> (or --siret / --uai)
 *   --reseau <nom>  --nature formateur  --cfd 32033422  --rncp RNCP35185  --niveau 5  --annee-formation 1
 *   --age moins_18|18_20|21_25|26_plus  --sexe F  --rqth oui|non
 * --by region|departement|academie|organisme|formation|niveau: breakdown (an organisme's line gives its SIRET as
 * `code`, and its UAI; a formation's its CFD, else its RNCP code: the public codes the exports give, never a database
 * id, docs/decisions/020); --serie: the 24-month series;
 * --couverture: coverage and freshness of the organismes; --exact: count from the periods, not the aggregates.
 * Bad arguments → a French message on stderr, exit code 2.
 */
import { getDatabase } from "../../db/client.server";
import { couverture } from "../../app/indicateurs/couverture.server";
import {
  FILTER_PARAMS,
  NATURES_ORGANISME,
  parseDateParams,
  parseFilters,
  parseRepartition,
  REPARTITIONS,
  TRANCHES_AGE,
  type IndicateursFilters,
  type Repartition,
} from "../../app/indicateurs/filters";
import { aucunEffectif, codePublic, indicateurs, serieMensuelle, type IndicateursResult, type LigneRepartition } from "../../app/indicateurs/indicateurs.server";
import type { Database } from "../../db/client.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { NATIONAL } from "../../app/auth/policy.server";
import { runCommand, UsageError, write, type Usage } from "../usage";

export { UsageError };

export const USAGE: Usage = {
  synopsis:
    "npm run -s cli -- indicateurs [--date AAAA-MM-JJ | --mois AAAA-MM] [--region 84] [--departement 69] [--academie 10] " +
    "[--bassin 8405] [--organisme SIRET|UAI] [--reseau NOM] [--nature formateur] [--cfd CFD] [--rncp RNCP] [--niveau 5] " +
    "[--annee-formation 1] [--age moins_18] [--sexe F] [--rqth oui] [--by region|departement|academie|organisme|formation|niveau] " +
    "[--serie] [--couverture] [--exact]",
  description:
    "Affiche en JSON sur la sortie standard les compteurs des apprenants à une date (apprentis, sans contrat, rupturants, " +
    "abandons, fins de formation), au niveau national ou filtrés.",
  options: [
    ["--date AAAA-MM-JJ", "date des compteurs (facultatif, défaut : aujourd'hui, UTC)"],
    ["--mois AAAA-MM", "dernier jour de ce mois, ou aujourd'hui pour le mois en cours (facultatif, au lieu de --date)"],
    ["--region CODE", "région, code à 2 chiffres, par exemple 84 (filtre facultatif)"],
    ["--departement CODE", "département, par exemple 69, 2A ou 974 (filtre facultatif)"],
    ["--academie CODE", "académie, par exemple 10 (filtre facultatif)"],
    ["--bassin CODE", "bassin d'emploi (zone d'emploi 2020), par exemple 8405 ; aussi --bassin-emploi (filtre facultatif)"],
    ["--organisme SIRET|UAI", "organisme, par son SIRET ou son UAI ; aussi --siret, --uai (filtre facultatif)"],
    ["--reseau NOM", "réseau de l'organisme formateur (filtre facultatif)"],
    ["--nature NATURE", `nature de l'organisme : ${NATURES_ORGANISME.join(", ")} (filtre facultatif)`],
    ["--cfd CFD", "code formation diplôme, 8 chiffres ou lettres (filtre facultatif)"],
    ["--rncp RNCP", "code RNCP, par exemple RNCP35185 (filtre facultatif)"],
    ["--niveau N", "niveau de diplôme, 3 à 8 (filtre facultatif)"],
    ["--annee-formation N", "année dans la formation, 0 à 5 (filtre facultatif)"],
    ["--age TRANCHE", `tranche d'âge : ${TRANCHES_AGE.join(", ")} ; aussi --tranche-age (filtre facultatif)`],
    ["--sexe F|M", "sexe (filtre facultatif)"],
    ["--rqth oui|non", "reconnaissance de la qualité de travailleur handicapé (filtre facultatif)"],
    ["--by AXE", `répartition des compteurs par ${REPARTITIONS.join(", ")} (facultatif, défaut : aucune)`],
    ["--serie", "ajoute la série des 24 derniers mois (facultatif)"],
    ["--couverture", "ajoute la couverture et la fraîcheur des données des organismes (facultatif)"],
    ["--exact", "compte depuis les périodes des effectifs plutôt que depuis les agrégats, plus lent (facultatif)"],
  ],
  notes: [
    "Chaque filtre accepte plusieurs valeurs : répétez l'option ou séparez les valeurs par des virgules (--region 84,11).",
    "--by organisme donne le SIRET et l'UAI de chaque organisme, --by formation son CFD et son code RNCP.",
    "Codes de sortie : 0 fait, 2 arguments invalides.",
  ],
};

export interface IndicateursArgs {
  date: string;
  filters: IndicateursFilters;
  by?: Repartition;
  serie: boolean;
  couverture: boolean;
  exact: boolean;
}

/** Option name → URL parameter of the filter module. */
const OPTION_PARAMS: Record<string, string> = {
  ...Object.fromEntries(Object.values(FILTER_PARAMS).map((p) => [p.replace(/_/g, "-"), p])),
  siret: FILTER_PARAMS.organisme,
  uai: FILTER_PARAMS.organisme,
  "bassin-emploi": FILTER_PARAMS.bassinEmploi,
  "tranche-age": FILTER_PARAMS.trancheAge,
};

export function parseIndicateursArgs(argv: string[], today: string = todayIso()): IndicateursArgs {
  const params = new URLSearchParams();
  const flags = { serie: false, couverture: false, exact: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`Argument inconnu : ${arg}.`);
    const name = match[1];
    if (name === "serie" || name === "couverture" || name === "exact") {
      if (match[2] !== undefined) throw new UsageError(`--${name} ne prend pas de valeur.`);
      flags[name] = true;
      continue;
    }
    const param = name === "date" || name === "mois" || name === "by" ? name : OPTION_PARAMS[name];
    if (!param) throw new UsageError(`Option inconnue : --${name}.`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === "" || (match[2] === undefined && value.startsWith("--"))) {
      throw new UsageError(`--${name} : valeur manquante.`);
    }
    if ((param === "date" || param === "mois" || param === "by") && params.has(param)) {
      throw new UsageError(`--${name} : une seule valeur attendue.`);
    }
    params.append(param, value);
  }
  if (params.has("date") && params.has("mois"))
    throw new UsageError("--date et --mois ne peuvent pas être utilisés ensemble.");
  const errors: string[] = [];
  const date = parseDateParams(params, today);
  if (!date.ok) errors.push(...date.errors);
  const filters = parseFilters(params);
  if (!filters.ok) errors.push(...filters.errors);
  const by = parseRepartition(params.get("by"));
  if (!by.ok) errors.push(...by.errors);
  if (errors.length > 0 || !date.ok || !filters.ok || !by.ok) {
    throw new UsageError(errors.map((e) => `--${e.replace(/^annee_formation/, "annee-formation")}`).join("\n"));
  }
  return { date: date.value, filters: filters.value, by: by.value, ...flags };
}

export type LignePublique = Omit<LigneRepartition, "siret"> & { siret?: string | null };

/**
 * A breakdown's line as printed: the indicator module groups organismes and formations by their database id (its
 * `code`); users and scripts know them by SIRET / UAI and CFD / RNCP, the codes the filters take (--organisme, --cfd,
 * --rncp) and the exports give. So `code` is the SIRET of an organisme, the CFD (else the RNCP code) of a formation
 * (`codePublic`, as the exports' "Code" column).
 */
export function lignePublique(by: Repartition, l: LigneRepartition): LignePublique {
  if (by === "organisme") return { code: codePublic(by, l), libelle: l.libelle, siret: l.siret ?? null, uai: l.uai ?? null, compteurs: l.compteurs };
  if (by === "formation") return { code: codePublic(by, l), libelle: l.libelle, cfd: l.cfd ?? null, rncp: l.rncp ?? null, compteurs: l.compteurs };
  return l;
}

/** What the command prints (as JSON). */
export async function resultatIndicateurs(database: Database, args: IndicateursArgs): Promise<Record<string, unknown>> {
  const options = { date: args.date, filters: args.filters, exact: args.exact, scope: NATIONAL };
  const r: IndicateursResult = await indicateurs(database, { ...options, by: args.by });
  const result: Record<string, unknown> = { ...r };
  if (r.repartition) result.repartition = { by: r.repartition.by, lignes: r.repartition.lignes.map((l) => lignePublique(r.repartition!.by, l)) };
  if (args.serie) result.serie = (await serieMensuelle(database, options)).points;
  if (args.couverture) result.couverture = await couverture(database, { date: args.date, filters: args.filters, scope: NATIONAL });
  return result;
}

export function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, argv, (a) => parseIndicateursArgs(a), async (args) => {
    const database = await getDatabase();
    try {
      const avertissement = await avertissementBaseVide(database);
      if (avertissement) await write(process.stderr, avertissement + "\n");
      const result = await resultatIndicateurs(database, args);
      await write(process.stdout, JSON.stringify(result, null, 2) + "\n");
      return 0;
    } finally {
      await database.close();
    }
  });
}

/**
 * Zeros read from a database that holds no effectif are not figures: most often the command ran without
 * `DATABASE_URL`, on an embedded database the server never wrote. Said on stderr (the JSON on stdout is unchanged).
 */
export async function avertissementBaseVide(database: Database): Promise<string | null> {
  if (!(await aucunEffectif(database))) return null;
  const base =
    database.kind === "pglite"
      ? `la base embarquée PGlite (${process.env.PGLITE_DIR ?? ".data/pglite"}), DATABASE_URL n'étant pas définie`
      : "le serveur PostgreSQL de DATABASE_URL";
  return `Attention : ${base} ne contient aucun effectif ; tous les compteurs sont à zéro.`;
}
