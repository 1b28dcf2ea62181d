import { useNavigate } from "@remix-run/react";
import { Chart, type ChartCell } from "./Chart";
import {
  franceMapOption,
  franceTerritories,
  type FranceMapFormat,
  type FranceMapLevel,
  type FranceMapValue,
} from "./maps/france-map";

export type { FranceMapFormat, FranceMapLevel, FranceMapValue };

export interface FranceMapProps {
  level: FranceMapLevel;
  /** One entry per territory with data; territories left out are drawn grey ("Non disponible"). */
  values: FranceMapValue[];
  title: string;
  description: string;
  /** Name of the measure, in the tooltip and the table header ("Effectifs", "Taux de rupture"…). */
  valueLabel: string;
  /** "pourcentage": values are ratios in [0, 1]. */
  format?: FranceMapFormat;
  /** Page of a territory: a click on the map navigates there, and the table links to it (the path without JavaScript). */
  hrefFor?: (code: string) => string;
  height?: number;
  /** Base name of the CSV download (without extension). */
  fileName?: string;
}

/**
 * A choropleth of France's départements (the five DROM as insets) or régions, rendered on the server as SVG and
 * hydrated by ECharts. Every territory is listed in the "Voir les données" table, with a link when `hrefFor` is given.
 */
export function FranceMap({ level, values, title, description, valueLabel, format = "nombre", hrefFor, height = 560, fileName }: FranceMapProps) {
  const navigate = useNavigate();
  const option = franceMapOption({ level, values, valueLabel, format, clickable: Boolean(hrefFor) });
  const byCode = new Map(values.map((v) => [v.code, v]));
  const rows: ChartCell[][] = franceTerritories(level).map((t) => {
    const nom = byCode.get(t.code)?.nom ?? t.nom;
    const value = byCode.get(t.code)?.value ?? null;
    return [
      t.code,
      hrefFor ? { text: nom, href: hrefFor(t.code) } : nom,
      value == null || !Number.isFinite(value) ? null : format === "pourcentage" ? Math.round(value * 1000) / 10 : value,
    ];
  });
  const territoire = level === "departement" ? "Département" : "Région";

  return (
    <Chart
      title={title}
      description={description}
      option={option}
      height={height}
      onClick={
        hrefFor
          ? (params) => {
              if (params.componentType === "series" && params.name) navigate(hrefFor(params.name));
            }
          : undefined
      }
      data={{
        fileName: fileName ?? `carte-${level}s`,
        columns: [`Code ${territoire.toLowerCase()}`, territoire, format === "pourcentage" ? `${valueLabel} (%)` : valueLabel],
        rows,
      }}
    />
  );
}
