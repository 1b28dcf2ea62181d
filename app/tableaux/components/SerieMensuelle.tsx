/** The 24-month series: apprentis, inscrits sans contrat and rupturants stacked (their sum is the apprenants). */
import { formatMois } from "~/ui/format";
import { moisCourt, valeurGraphique } from "../format";
import type { PointSerie } from "../types";
import { Chart } from "~/components/Chart";

export const COULEURS_STATUTS = { apprentis: "#000091", inscritsSansContrat: "#6a6af4", rupturants: "#ce614a" } as const;

export function SerieMensuelle({ serie, fileName }: { serie: PointSerie[]; fileName: string }) {
  const premier = serie[0]?.mois;
  const dernier = serie[serie.length - 1]?.mois;
  const series = [
    { key: "apprentis", name: "Apprentis" },
    { key: "inscritsSansContrat", name: "Inscrits sans contrat" },
    { key: "rupturants", name: "Rupturants" },
  ] as const;
  return (
    <Chart
      testId="serie-mensuelle"
      title="Apprenants par mois, sur 24 mois"
      description={
        premier && dernier
          ? `Apprentis, inscrits sans contrat et rupturants empilés (leur somme est le nombre d'apprenants), au dernier jour de chaque mois de ${formatMois(premier)} à ${formatMois(dernier)}.`
          : "Aucune donnée."
      }
      height={380}
      option={{
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 72, right: 16, top: 40, bottom: 48 },
        xAxis: { type: "category", data: serie.map((p) => moisCourt(p.mois)), axisLabel: { rotate: 45, fontSize: 11 } },
        yAxis: { type: "value" },
        series: series.map((s) => ({
          name: s.name,
          type: "bar" as const,
          stack: "apprenants",
          itemStyle: { color: COULEURS_STATUTS[s.key] },
          data: serie.map((p) => valeurGraphique(p[s.key])),
        })),
      }}
      data={{
        fileName,
        columns: ["Mois", "Date", ...series.map((s) => s.name)],
        rows: serie.map((p) => [p.mois, p.date, p.apprentis, p.inscritsSansContrat, p.rupturants]),
      }}
    />
  );
}
