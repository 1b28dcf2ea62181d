/** ECharts from echarts/core with only what the product draws (the full build is 1.1 MB). */
import * as echarts from "echarts/core";
import { BarChart, MapChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([BarChart, MapChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

export { echarts };
export type EChartsOption = echarts.EChartsCoreOption;

/** DSFR palette (illustrative colours of the design system). */
export const DSFR_COLORS = ["#000091", "#6a6af4", "#009081", "#c3992a", "#e1000f", "#7d4e5b", "#a558a0", "#417dc4", "#ce614a", "#3a3a3a"];

const frenchNumber = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });

type AxisOption = { type?: string; axisLabel?: Record<string, unknown> } & Record<string, unknown>;

function frenchValueAxis(axis: unknown): unknown {
  if (Array.isArray(axis)) return axis.map(frenchValueAxis);
  const a = axis as AxisOption | undefined;
  if (!a || a.type !== "value" || a.axisLabel?.formatter) return axis;
  // the product's value axes count people or organismes: whole steps ("0,5 dossier" means nothing), unless set
  return { minInterval: 1, ...a, axisLabel: { ...a.axisLabel, formatter: (v: number) => frenchNumber.format(v) } };
}

/**
 * The product's chart defaults, on the server and in the browser alike: DSFR colours, Marianne, no animation,
 * French number formats (narrow no-break spaces, decimal comma) on value axes and in tooltips.
 */
export function withDefaults(option: EChartsOption): EChartsOption {
  const o = option as Record<string, unknown>;
  const tooltip = o.tooltip as Record<string, unknown> | undefined;
  return {
    animation: false,
    color: DSFR_COLORS,
    textStyle: { fontFamily: "Marianne, arial, sans-serif" },
    ...option,
    ...(o.xAxis ? { xAxis: frenchValueAxis(o.xAxis) } : {}),
    ...(o.yAxis ? { yAxis: frenchValueAxis(o.yAxis) } : {}),
    ...(tooltip && !tooltip.valueFormatter
      ? { tooltip: { ...tooltip, valueFormatter: (v: unknown) => (typeof v === "number" ? frenchNumber.format(v) : String(v ?? "–")) } }
      : {}),
  } as EChartsOption;
}

/** Server-side rendering to an SVG string, so a chart shows before and without JavaScript. */
export function renderChartToSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption(withDefaults(option));
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
