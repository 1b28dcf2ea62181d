/** ECharts from echarts/core with only what the product draws (the full build is 1.1 MB). */
import * as echarts from "echarts/core";
import { BarChart, MapChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";
import { fr } from "@codegouvfr/react-dsfr";

echarts.use([BarChart, MapChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

export { echarts };
export type EChartsOption = echarts.EChartsCoreOption;

/** DSFR palette (illustrative colours of the design system). */
export const DSFR_COLORS = ["#000091", "#6a6af4", "#009081", "#c3992a", "#e1000f", "#7d4e5b", "#a558a0", "#417dc4", "#ce614a", "#3a3a3a"];

/**
 * The patterns (ECharts decals) drawn over the series, so that they differ by more than their hue: the statuts' colours
 * (#18753c, #0063cb, #b34000, #ce0500) have the same lightness, the same grey for a colour-blind reader or in print.
 * Light strokes: the product's bar colours are dark. `uni` draws nothing (the first series stays plain).
 */
const TRAIT = "rgba(255, 255, 255, 0.6)";
export const MOTIFS = {
  uni: { color: "rgba(0, 0, 0, 0)" },
  rayures: { color: TRAIT, dashArrayX: [1, 0], dashArrayY: [3, 4], rotation: -Math.PI / 4 },
  points: { color: TRAIT, symbol: "circle", dashArrayX: [[6, 6], [0, 6, 6, 0]], dashArrayY: [6, 0], symbolSize: 0.7 },
  croisillons: { color: TRAIT, dashArrayX: [[1, 0], [1, 5]], dashArrayY: [1, 0, 5, 0], rotation: Math.PI / 4 },
  lignes: { color: TRAIT, dashArrayX: [1, 0], dashArrayY: [2, 4] },
} as const;
export type Motif = keyof typeof MOTIFS;
/** The patterns of the series, in order (a series whose itemStyle names no decal). */
const MOTIFS_SERIES = [MOTIFS.uni, MOTIFS.rayures, MOTIFS.points, MOTIFS.croisillons, MOTIFS.lignes];

/** The decal of a pattern, for a series' itemStyle (the same statut drawn the same way in every chart). */
export function motif(nom: Motif): Record<string, unknown> {
  return { ...MOTIFS[nom] };
}

/**
 * The colours of a chart's texts and lines in the DSFR theme (light, or dark: Paramètres d'affichage → Sombre):
 * text-default-grey for the texts, text-mention-grey for the axes and their labels, border-default-grey for the
 * grid lines, background-default-grey behind (tooltips, gaps between stacked segments).
 */
export function couleursDuTheme(sombre: boolean) {
  const d = fr.colors.getHex({ isDark: sombre }).decisions;
  return {
    texte: d.text.default.grey.default,
    secondaire: d.text.mention.grey.default,
    grille: d.border.default.grey.default,
    fond: d.background.default.grey.default,
  };
}

const frenchNumber = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });

type Objet = Record<string, unknown>;
type AxisOption = { type?: string; axisLabel?: Objet } & Objet;

const objet = (v: unknown): Objet => (v && typeof v === "object" ? (v as Objet) : {});

function frenchValueAxis(a: AxisOption): AxisOption {
  if (a.type !== "value" || a.axisLabel?.formatter) return a;
  // the product's value axes count people or organismes: whole steps ("0,5 dossier" means nothing), unless set
  return { minInterval: 1, ...a, axisLabel: { ...a.axisLabel, formatter: (v: number) => frenchNumber.format(v) } };
}

/**
 * An axis in the theme's colours (its own colours kept); a value axis in French, its labels never written over each
 * other ("1 0002 000" on a narrow screen: those that do not fit are left out).
 */
function axe(axis: unknown, c: ReturnType<typeof couleursDuTheme>): unknown {
  if (Array.isArray(axis)) return axis.map((a) => axe(a, c));
  if (!axis || typeof axis !== "object") return axis;
  const a = frenchValueAxis(axis as AxisOption);
  const ligne = objet(a.axisLine);
  const tick = objet(a.axisTick);
  const split = objet(a.splitLine);
  return {
    ...a,
    axisLabel: { color: c.secondaire, ...(a.type === "value" ? { hideOverlap: true } : {}), ...a.axisLabel },
    axisLine: { ...ligne, lineStyle: { color: c.secondaire, ...objet(ligne.lineStyle) } },
    axisTick: { ...tick, lineStyle: { color: c.secondaire, ...objet(tick.lineStyle) } },
    splitLine: { ...split, lineStyle: { color: c.grille, ...objet(split.lineStyle) } },
  };
}

/**
 * A series' labels in the theme's text colour (ECharts paints a label outside its bar in the bar's colour); the
 * segments of a stacked bar separated by a line of the background's colour, so that two of them never merge.
 */
function serie(s: unknown, c: ReturnType<typeof couleursDuTheme>): unknown {
  if (!s || typeof s !== "object") return s;
  const o = s as Objet;
  const label = o.label ? { ...{ color: c.texte }, ...objet(o.label) } : undefined;
  const itemStyle = o.type === "bar" && o.stack ? { borderColor: c.fond, borderWidth: 1, ...objet(o.itemStyle) } : o.itemStyle;
  return { ...o, ...(label ? { label } : {}), ...(itemStyle ? { itemStyle } : {}) };
}

/** A component that may be an array (legend, visualMap), its text in the theme's colour unless set. */
function texteDe(composant: unknown, couleur: string): unknown {
  if (Array.isArray(composant)) return composant.map((x) => texteDe(x, couleur));
  if (!composant || typeof composant !== "object") return composant;
  const o = composant as Objet;
  return { ...o, textStyle: { color: couleur, ...objet(o.textStyle) } };
}

export interface OptionsGraphique {
  /** The DSFR dark theme (data-fr-theme="dark" on <html>): light texts and lines on the dark background. */
  sombre?: boolean;
}

/**
 * The product's chart defaults, on the server and in the browser alike: DSFR colours, Marianne, no animation,
 * French number formats (narrow no-break spaces, decimal comma) on value axes and in tooltips, texts and lines in
 * the DSFR theme's colours (the server draws the light theme; the browser redraws a chart when the theme changes),
 * and a pattern per series (aria.decal) besides its colour. The ECharts aria label stays off: the Chart component
 * names the graphic from its visible title and description.
 */
export function withDefaults(option: EChartsOption, { sombre = false }: OptionsGraphique = {}): EChartsOption {
  const c = couleursDuTheme(sombre);
  const o = option as Objet;
  const tooltip = o.tooltip as Objet | undefined;
  const series = Array.isArray(o.series) ? o.series.map((s) => serie(s, c)) : o.series;
  return {
    animation: false,
    color: DSFR_COLORS,
    aria: { enabled: true, label: { enabled: false }, decal: { show: true, decals: MOTIFS_SERIES } },
    ...option,
    textStyle: { fontFamily: "Marianne, arial, sans-serif", color: c.texte, ...objet(o.textStyle) },
    ...(o.xAxis ? { xAxis: axe(o.xAxis, c) } : {}),
    ...(o.yAxis ? { yAxis: axe(o.yAxis, c) } : {}),
    ...(o.legend ? { legend: texteDe(o.legend, c.texte) } : {}),
    ...(o.visualMap ? { visualMap: texteDe(o.visualMap, c.texte) } : {}),
    ...(series ? { series } : {}),
    ...(tooltip
      ? {
          tooltip: {
            backgroundColor: c.fond,
            borderColor: c.grille,
            ...tooltip,
            textStyle: { color: c.texte, ...objet(tooltip.textStyle) },
            ...(tooltip.valueFormatter ? {} : { valueFormatter: (v: unknown) => (typeof v === "number" ? frenchNumber.format(v) : String(v ?? "–")) }),
          },
        }
      : {}),
  } as EChartsOption;
}

/**
 * The ids and class names ZRender writes in an SVG: its definitions (patterns `zr3-p0`, clip paths `zr3-c0`,
 * gradients `zr3-g0`, shadows `zr3-s0`) and its hover styles' classes (`zr3-cls-4`, `zr3-ani-0`), "zr3" being the
 * renderer's number in the process.
 */
const IDS_ZRENDER = /\bzr\d+-(?=(?:cls|ani)-\d|[cgps]\d)/g;

/**
 * A server SVG with its ids and class names prefixed by `prefix` in place of ZRender's "zrN-" (its references —
 * `url(#…)`, its <style>'s selectors — alike). The same SVG comes out of a cache for every chart drawn with the same
 * option, and the maps share the shapes of one rendering (carte-svg.ts): without this, two charts of a page would
 * define the same ids (RGAA 8.2), and a chart's `url(#zr12-c0)` could point to another chart's clip path.
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg.replace(IDS_ZRENDER, `${prefix}-`);
}

/** Server-side rendering to an SVG string, so a chart shows before and without JavaScript (light theme). */
export function renderChartToSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption(withDefaults(option));
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
