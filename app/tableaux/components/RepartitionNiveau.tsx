/** Apprenants by niveau of the formation (apprentis, inscrits sans contrat, rupturants stacked). */
import { valeurGraphique } from "../format";
import type { LigneNiveau } from "../types";
import { Chart } from "~/components/Chart";
import { COULEURS_STATUTS } from "./SerieMensuelle";

export function RepartitionNiveau({ lignes, fileName }: { lignes: LigneNiveau[]; fileName: string }) {
  const series = [
    { key: "apprentis", name: "Apprentis" },
    { key: "inscritsSansContrat", name: "Inscrits sans contrat" },
    { key: "rupturants", name: "Rupturants" },
  ] as const;
  return (
    <Chart
      testId="repartition-niveau"
      title="Apprenants par niveau de formation"
      description="Apprentis, inscrits sans contrat et rupturants à la date, par niveau européen du diplôme préparé (3 : CAP … 7 : master, ingénieur)."
      height={Math.max(200, 60 + lignes.length * 44)}
      option={{
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 190, right: 24, top: 36, bottom: 24 },
        xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: lignes.map((l) => l.libelle) },
        series: series.map((s) => ({
          name: s.name,
          type: "bar" as const,
          stack: "apprenants",
          itemStyle: { color: COULEURS_STATUTS[s.key] },
          data: lignes.map((l) => valeurGraphique(l[s.key])),
        })),
      }}
      data={{
        fileName,
        columns: ["Niveau", ...series.map((s) => s.name)],
        rows: lignes.map((l) => [l.libelle, l.apprentis, l.inscritsSansContrat, l.rupturants]),
      }}
    />
  );
}
