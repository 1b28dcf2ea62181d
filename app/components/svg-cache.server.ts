/**
 * Server-side SVG of a chart, cached by option and size: the same option always gives the same SVG, and the
 * dashboards draw the same charts for every visitor of a page (a map of the départements costs 25–80 ms of CPU to
 * render). Least recently used entries go first past ~32 MB. `TABLEAUX_SVG_CACHE=0` turns it off (benchmarks).
 * Server-only: the browser bundle gets an empty module in its place (Chart calls it only where `document` is
 * undefined, on the server).
 */
import { renderChartToSvg, type EChartsOption } from "./echarts";

const MAX_OCTETS = 32 * 1024 * 1024;
const cache = new Map<string, string>();
let octets = 0;

function actif(): boolean {
  return process.env.TABLEAUX_SVG_CACHE !== "0";
}

export function cachedSvg(option: EChartsOption, width: number, height: number): string {
  if (!actif()) return renderChartToSvg(option, width, height);
  const key = `${width}x${height}:${JSON.stringify(option)}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const svg = renderChartToSvg(option, width, height);
  cache.set(key, svg);
  octets += svg.length + key.length;
  for (const [k, v] of cache) {
    if (octets <= MAX_OCTETS) break;
    cache.delete(k);
    octets -= v.length + k.length;
  }
  return svg;
}
