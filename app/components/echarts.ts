/** ECharts from echarts/core with only what the product draws (the full build is 1.1 MB). */
import * as echarts from "echarts/core";
import { BarChart, LineChart, MapChart, PieChart } from "echarts/charts";
import {
  AriaComponent,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  MapChart,
  PieChart,
  AriaComponent,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

export { echarts };
export type EChartsOption = echarts.EChartsCoreOption;

/** DSFR palette (illustrative colours of the design system). */
export const DSFR_COLORS = ["#000091", "#6a6af4", "#009081", "#c3992a", "#e1000f", "#7d4e5b", "#a558a0", "#417dc4", "#ce614a", "#3a3a3a"];

/** Server-side rendering to an SVG string, so a chart shows before and without JavaScript. */
export function renderChartToSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ animation: false, color: DSFR_COLORS, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
