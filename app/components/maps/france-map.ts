/**
 * Maps of France for ECharts choropleths: registration of the generated shapes (scripts/generate-map-shapes.ts)
 * and the option of a choropleth. Pure and browser-safe: used by the dashboards' maps (app/tableaux/components/CarteTerritoires.tsx, carte-svg.ts) on the server and in the browser.
 *
 * The shapes are planar (km, y pointing north, DROM moved into insets on the left): draw them with `aspectScale: 1`.
 */
import { echarts, type EChartsOption } from "../echarts";
import { formatNombre, formatPourcentage } from "../../ui/format";
import departementsGeoJson from "./france-departements.json";
import regionsGeoJson from "./france-regions.json";

export type FranceMapLevel = "departement" | "region";
export type FranceMapFormat = "nombre" | "pourcentage";

export interface FranceMapValue {
  code: string;
  nom: string;
  /** A count, or a ratio in [0, 1] when the format is "pourcentage"; null when unknown. */
  value: number | null;
}

interface TerritoryFeature {
  type: "Feature";
  properties: { code: string; nom: string };
  geometry: unknown;
}
interface FranceGeoJson {
  type: "FeatureCollection";
  /** The DROM insets' frames, [x0, y0, x1, y1] (a foreign member written by scripts/generate-map-shapes.ts). */
  encarts: { code: string; bbox: number[] }[];
  features: TerritoryFeature[];
}

export const FRANCE_MAP_NAMES: Record<FranceMapLevel, string> = {
  departement: "france-departements",
  region: "france-regions",
};

const GEOJSON: Record<FranceMapLevel, FranceGeoJson> = {
  departement: departementsGeoJson as unknown as FranceGeoJson,
  region: regionsGeoJson as unknown as FranceGeoJson,
};

/** Region names of the inset frames (lines, not territories: silent, not in the table). */
const FRAME_PREFIX = "encart-";
const FRAME_NAMES = GEOJSON.departement.encarts.map((e) => FRAME_PREFIX + e.code);

/** The registered map: the territories plus a rectangle (LineString) around each DROM inset. */
function withFrames(geoJson: FranceGeoJson) {
  const frames = geoJson.encarts.map(({ code, bbox: [x0, y0, x1, y1] }) => ({
    type: "Feature" as const,
    properties: { code: FRAME_PREFIX + code, nom: "" },
    geometry: { type: "LineString" as const, coordinates: [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]] },
  }));
  return { type: "FeatureCollection" as const, features: [...geoJson.features, ...frames] };
}

/** DSFR blues, from "bleu France 950" to "bleu France sun-113". */
export const FRANCE_MAP_COLORS = ["#e3e3fd", "#000091"];
const MISSING_COLOR = "#eeeeee";
/** The territories' borders: DSFR grey 625, 3.1:1 on white (#ffffff) and 5.7:1 on the dark theme's #161616. */
export const MAP_BORDER_COLOR = "#929292";

/** Registers both maps with ECharts (idempotent): done on import, on the server and in the browser. */
export function registerFranceMaps(): void {
  for (const level of ["departement", "region"] as const) {
    const name = FRANCE_MAP_NAMES[level];
    if (!echarts.getMap(name)) echarts.registerMap(name, withFrames(GEOJSON[level]) as never);
  }
}
registerFranceMaps();

/** Every territory of a level (101 départements, 18 régions), in code order. */
export function franceTerritories(level: FranceMapLevel): { code: string; nom: string }[] {
  return GEOJSON[level].features.map((f) => ({ code: f.properties.code, nom: f.properties.nom }));
}

export function formatFranceMapValue(value: number | null | undefined, format: FranceMapFormat = "nombre"): string {
  if (value == null || Number.isNaN(value)) return "Non disponible";
  return format === "pourcentage" ? formatPourcentage(value) : formatNombre(value);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface FranceMapOptionInput {
  level: FranceMapLevel;
  values: FranceMapValue[];
  valueLabel: string;
  format?: FranceMapFormat;
  /** Pointer cursor on the territories (they navigate on click). */
  clickable?: boolean;
}

/** The ECharts option of a choropleth: one data item per territory of the level, a continuous DSFR-blue scale. */
export function franceMapOption({ level, values, valueLabel, format = "nombre", clickable = false }: FranceMapOptionInput): EChartsOption {
  const territories = franceTerritories(level);
  const noms = new Map(territories.map((t) => [t.code, t.nom]));
  const byCode = new Map(values.filter((v) => noms.has(v.code)).map((v) => [v.code, v]));
  const known = [...byCode.values()].map((v) => v.value).filter((v): v is number => v != null && Number.isFinite(v));
  let min = known.length ? Math.min(...known) : 0;
  let max = known.length ? Math.max(...known) : 1;
  if (format === "nombre") min = Math.min(0, min);
  // every territory has the same value: the scale runs between 0 and that value (a positive value painted darkest,
  // a negative one lightest), or from 0 to 1 (100 % for a rate) when it is 0 — never to a bound that means nothing
  // ("100 % – 101 %")
  if (max <= min) {
    if (max > 0) min = 0;
    else if (max < 0) max = 0;
    else max = 1;
  }

  return {
    aria: { enabled: false },
    tooltip: {
      trigger: "item",
      formatter: (params: unknown) => {
        const p = params as { name: string; value?: number };
        const nom = byCode.get(p.name)?.nom ?? noms.get(p.name) ?? p.name;
        const value = byCode.get(p.name)?.value ?? null;
        return `<strong>${escapeHtml(nom)}</strong> (${escapeHtml(p.name)})<br/>${escapeHtml(valueLabel)} : ${formatFranceMapValue(value, format)}`;
      },
    },
    visualMap: {
      type: "continuous",
      min,
      max,
      calculable: false,
      realtime: false,
      inRange: { color: FRANCE_MAP_COLORS },
      text: [formatFranceMapValue(max, format), formatFranceMapValue(min, format)],
      formatter: (value: unknown) => formatFranceMapValue(Number(value), format), // the hover indicator
      // its colour: the DSFR theme's text (withDefaults)
      textStyle: { fontSize: 12 },
      itemHeight: 120,
      itemWidth: 14,
      right: 8,
      bottom: 8,
      seriesIndex: 0,
    },
    series: [
      {
        type: "map",
        map: FRANCE_MAP_NAMES[level],
        nameProperty: "code",
        aspectScale: 1,
        roam: false,
        selectedMode: false,
        cursor: clickable ? "pointer" : "default",
        // The box leaves room for the scale on the right; the shapes keep their proportions inside it.
        top: 8,
        bottom: 8,
        left: 8,
        right: 72,
        preserveAspect: "contain",
        // a grey border (3:1 against both themes' backgrounds, WCAG 1.4.11): the palest and the darkest shapes, and those
        // without data, stay visible on a white page as on a dark one
        itemStyle: { areaColor: MISSING_COLOR, borderColor: MAP_BORDER_COLOR, borderWidth: level === "region" ? 1 : 0.5 },
        emphasis: {
          label: { show: false },
          itemStyle: { areaColor: "#fcc63a", borderColor: "#161616", borderWidth: 1 },
        },
        label: { show: false },
        data: [
          ...territories.map((t) => {
            const v = byCode.get(t.code)?.value;
            return { name: t.code, value: v == null || !Number.isFinite(v) ? NaN : v };
          }),
          ...FRAME_NAMES.map((name) => ({
            name,
            value: NaN,
            silent: true,
            itemStyle: { borderColor: MAP_BORDER_COLOR, borderWidth: 1, areaColor: MAP_BORDER_COLOR },
            emphasis: { disabled: true },
            tooltip: { show: false },
          })),
        ],
      },
    ],
    // Narrow containers (phones): the scale goes horizontal under the map, which takes the whole width.
    media: [
      {
        query: { maxWidth: 560 },
        option: {
          visualMap: { orient: "horizontal", right: "center", bottom: 4, itemWidth: 12, itemHeight: 160 },
          series: [{ right: 8, bottom: 48 }],
        },
      },
    ],
  };
}
