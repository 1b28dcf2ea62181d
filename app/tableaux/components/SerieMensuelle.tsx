/** The 24-month series: apprentis, inscrits sans contrat and rupturants stacked (their sum is the apprenants). */
import { de, formatDate, formatMois } from "~/ui/format";
import { moisCourt, valeurGraphique } from "../format";
import type { Nombre, ParametreFichier, PointSerie } from "../types";
import { LIBELLES_COMPTES } from "../vues";
import { Chart } from "~/components/Chart";
import { COULEURS_STATUT, MOTIFS_STATUT } from "~/cfa/apprenants";
import { motif } from "~/components/echarts";

/** The statuts whose sum is the apprenants, stacked in this order (the series, and the apprenants by niveau). */
const STATUTS_EMPILES = [
  { key: "apprentis", statut: "APPRENTI" },
  { key: "inscritsSansContrat", statut: "INSCRIT" },
  { key: "rupturants", statut: "RUPTURANT" },
] as const;

type ComptesEmpiles = Record<(typeof STATUTS_EMPILES)[number]["key"], Nombre>;

/** The columns of the statuts in a chart's table. */
export const COLONNES_EMPILEES = STATUTS_EMPILES.map((s) => LIBELLES_COMPTES[s.key]);

/** One stacked bar series per statut, over the points (masked counts are gaps). */
export function seriesEmpilees(points: ComptesEmpiles[]) {
  return STATUTS_EMPILES.map((s) => ({
    name: LIBELLES_COMPTES[s.key],
    type: "bar" as const,
    stack: "apprenants",
    itemStyle: { color: COULEURS_STATUT[s.statut], decal: motif(MOTIFS_STATUT[s.statut]) },
    data: points.map((p) => valeurGraphique(p[s.key])),
  }));
}

/**
 * `arrondis`: the public's figures, each rounded on its own (decision 007): their sum is not the apprenants' figure.
 * `parametres`: what the figures count, said by the downloads (fichiers.ts).
 */
export function SerieMensuelle({
  serie,
  fileName,
  parametres,
  arrondis = false,
}: {
  serie: PointSerie[];
  fileName: string;
  parametres?: ParametreFichier[];
  arrondis?: boolean;
}) {
  const premier = serie[0]?.mois;
  const dernier = serie[serie.length - 1]?.mois;
  return (
    <Chart
      testId="serie-mensuelle"
      title="Apprenants par mois, sur 24 mois"
      description={
        premier && dernier
          ? `Apprentis, inscrits sans contrat et rupturants empilés (${
              arrondis ? "chacun arrondi séparément : leur somme peut différer de quelques unités du nombre d'apprenants" : "leur somme est le nombre d'apprenants"
            }), au dernier jour de chaque mois ${de(formatMois(premier))} à ${formatMois(dernier)}.`
          : "Aucune donnée."
      }
      height={380}
      option={{
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 72, right: 16, top: 40, bottom: 48 },
        xAxis: { type: "category", data: serie.map((p) => moisCourt(p.mois)), axisLabel: { rotate: 45, fontSize: 11 } },
        yAxis: { type: "value" },
        series: seriesEmpilees(serie),
        // A phone: the legend, one statut per line, gets its own band above the bars (wrapped on two lines, it ran
        // over the top graduation, "18 000"), the value axis fewer graduations, the months written flat (ECharts then
        // shows one in every few, none over another).
        media: [
          {
            query: { maxWidth: 560 },
            option: {
              legend: { orient: "vertical", left: 0 },
              grid: { left: 56, right: 12, top: 88, bottom: 32 },
              xAxis: { axisLabel: { rotate: 0, margin: 16 } },
              yAxis: { splitNumber: 3 },
            },
          },
        ],
      }}
      data={{
        fileName,
        parametres,
        feuille: "Apprenants par mois",
        columns: ["Mois", "Date", ...COLONNES_EMPILEES],
        // French, like the rest of the page ("janvier 2025", "31/01/2025"); /tableau.csv?table=serie keeps ISO for reuse
        rows: serie.map((p) => [formatMois(p.mois), formatDate(p.date), p.apprentis, p.inscritsSansContrat, p.rupturants]),
      }}
    />
  );
}
