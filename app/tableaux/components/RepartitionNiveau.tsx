/** Apprenants by niveau of the formation (apprentis, inscrits sans contrat, rupturants stacked). */
import type { LigneNiveau } from "../types";
import { Chart } from "~/components/Chart";
import { COLONNES_EMPILEES, seriesEmpilees } from "./SerieMensuelle";

export function RepartitionNiveau({ lignes, fileName }: { lignes: LigneNiveau[]; fileName: string }) {
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
        series: seriesEmpilees(lignes),
      }}
      data={{
        fileName,
        columns: ["Niveau", ...COLONNES_EMPILEES],
        rows: lignes.map((l) => [l.libelle, l.apprentis, l.inscritsSansContrat, l.rupturants]),
      }}
    />
  );
}
