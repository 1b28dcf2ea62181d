/**
 * Visual check of the map shapes: renders both choropleths (random values) to SVG with the server renderer,
 * then, when chromium is installed, screenshots them to PNG.
 *
 * Run: npx tsx scripts/render-map-preview.ts [outDir=/tmp]
 */
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderChartToSvg } from "../app/components/echarts";
import { franceMapOption, franceTerritories, type FranceMapLevel } from "../app/components/maps/france-map";

const outDir = process.argv[2] ?? "/tmp";
const WIDTH = 800;
const HEIGHT = 620;

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

for (const [level, format] of [
  ["departement", "nombre"],
  ["region", "pourcentage"],
] as const satisfies readonly (readonly [FranceMapLevel, "nombre" | "pourcentage"])[]) {
  const values = franceTerritories(level).map((t, i) => ({
    ...t,
    value: i % 17 === 5 ? null : format === "nombre" ? Math.round(random() * 20000) : random() * 0.4,
  }));
  const svg = renderChartToSvg(franceMapOption({ level, values, valueLabel: "Valeur", format }), WIDTH, HEIGHT);
  const svgPath = join(outDir, `map-${level}.svg`);
  writeFileSync(svgPath, svg);
  const paths = (svg.match(/<path /g) ?? []).length;
  console.log(`${svgPath}: ${(svg.length / 1024).toFixed(0)} KB, ${paths} paths`);
  if (existsSync("/usr/bin/chromium")) {
    const png = join(outDir, `map-${level}.png`);
    execFileSync("/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", `--screenshot=${png}`, `--window-size=${WIDTH},${HEIGHT}`, `file://${svgPath}`], { stdio: "ignore" });
    console.log(`${png}`);
  }
}
