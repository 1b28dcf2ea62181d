/** Apprenants by niveau of the formation (apprentis, inscrits sans contrat, rupturants stacked). */
import type { LigneNiveau, ParametreFichier } from "../types";
import { Chart } from "~/components/Chart";
import { COLONNES_EMPILEES, seriesEmpilees } from "./SerieMensuelle";

export function RepartitionNiveau({ lignes, fileName, parametres }: { lignes: LigneNiveau[]; fileName: string; parametres?: ParametreFichier[] }) {
  return (
    <Chart
      testId="repartition-niveau"
      title="Apprenants par niveau de formation"
      description="Apprentis, inscrits sans contrat et rupturants à la date, par niveau européen du diplôme préparé (3 : CAP … 7 : master, ingénieur)."
      height={Math.max(220, 80 + lignes.length * 44)}
      option={{
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 190, right: 24, top: 36, bottom: 24 },
        xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: lignes.map((l) => l.libelle) },
        series: seriesEmpilees(lignes),
        // A phone (~290 px for the chart): the niveaux' labels wrap in a narrower column, the legend may take two
        // lines above the bars, and the value axis keeps few graduations, so that its numbers never run together
        // ("10002030400000").
        media: [
          {
            query: { maxWidth: 560 },
            option: { grid: { left: 112, right: 16, top: 60 }, xAxis: { splitNumber: 2 }, yAxis: { axisLabel: { width: 104, overflow: "break", lineHeight: 18 } } },
          },
        ],
      }}
      data={{
        fileName,
        parametres,
        feuille: "Apprenants par niveau",
        columns: ["Niveau", ...COLONNES_EMPILEES],
        rows: lignes.map((l) => [l.libelle, l.apprentis, l.inscritsSansContrat, l.rupturants]),
      }}
    />
  );
}
