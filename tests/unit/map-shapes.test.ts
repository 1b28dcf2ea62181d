import { describe, it, expect, vi } from "vitest";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { renderChartToSvg } from "../../app/components/echarts";
import { CarteTerritoires } from "../../app/tableaux/components/CarteTerritoires";
import { formatFranceMapValue, franceMapOption, franceTerritories } from "../../app/components/maps/france-map";

const require = createRequire(import.meta.url);
const mapsDir = fileURLToPath(new URL("../../app/components/maps/", import.meta.url));
const MAX_BYTES = 150 * 1024;

type Position = number[];
interface Shape {
  type: string;
  coordinates: Position[][] | Position[][][];
}
interface Collection {
  type: string;
  encarts: { code: string; bbox: [number, number, number, number] }[];
  features: { type: string; properties: { code: string; nom: string }; geometry: Shape }[];
}

const read = (name: string) => JSON.parse(readFileSync(mapsDir + name, "utf8")) as Collection;
const departementsMap = read("france-departements.json");
const regionsMap = read("france-regions.json");

const referentiel = (require("@etalab/decoupage-administratif/data/departements.json") as { code: string; nom: string; region: string; zone: string }[]).filter(
  (d) => d.zone === "metro" || d.zone === "drom",
);
const regionNoms = new Map((require("@etalab/decoupage-administratif/data/regions.json") as { code: string; nom: string }[]).map((r) => [r.code, r.nom]));
const DROM = ["971", "972", "973", "974", "976"];

function polygons(shape: Shape): Position[][][] {
  if (shape.type === "Polygon") return [shape.coordinates as Position[][]];
  if (shape.type === "MultiPolygon") return shape.coordinates as Position[][][];
  throw new Error(`unexpected geometry ${shape.type}`);
}

function bbox(shape: Shape) {
  const pts = polygons(shape).flat(2);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

const disjoint = (a: ReturnType<typeof bbox>, b: ReturnType<typeof bbox>) => a.x1 < b.x0 || b.x1 < a.x0 || a.y1 < b.y0 || b.y1 < a.y0;

describe("map shapes (app/components/maps)", () => {
  it("has exactly the 101 départements, with their INSEE codes and names", () => {
    const codes = departementsMap.features.map((f) => f.properties.code).sort();
    expect(codes).toEqual(referentiel.map((d) => d.code).sort());
    expect(codes).toHaveLength(101);
    expect(codes).toEqual(expect.arrayContaining(["01", "2A", "2B", "75", "95", "971", "972", "973", "974", "976"]));
    for (const f of departementsMap.features) expect(f.properties.nom).toBe(referentiel.find((d) => d.code === f.properties.code)!.nom);
  });

  it("has exactly the 18 régions of the département → région table", () => {
    const codes = regionsMap.features.map((f) => f.properties.code).sort();
    expect(codes).toEqual([...new Set(referentiel.map((d) => d.region))].sort());
    expect(codes).toHaveLength(18);
    for (const f of regionsMap.features) expect(f.properties.nom).toBe(regionNoms.get(f.properties.code));
  });

  it("gives every feature a non-empty polygonal geometry", () => {
    for (const f of [...departementsMap.features, ...regionsMap.features]) {
      expect(f.type).toBe("Feature");
      const polys = polygons(f.geometry);
      expect(polys.length, f.properties.code).toBeGreaterThan(0);
      for (const poly of polys) {
        expect(poly[0].length, f.properties.code).toBeGreaterThanOrEqual(4);
        for (const p of poly.flat()) expect(p.every(Number.isFinite)).toBe(true);
      }
    }
  });

  it("places every département inside its région (dissolved from the départements)", () => {
    const regionBox = new Map(regionsMap.features.map((f) => [f.properties.code, bbox(f.geometry)]));
    for (const f of departementsMap.features) {
      const region = referentiel.find((d) => d.code === f.properties.code)!.region;
      const d = bbox(f.geometry);
      const r = regionBox.get(region)!;
      expect(d.x0 >= r.x0 && d.y0 >= r.y0 && d.x1 <= r.x1 && d.y1 <= r.y1, `${f.properties.code} in ${region}`).toBe(true);
    }
  });

  it("keeps the DROM insets apart from the metropole and from each other", () => {
    const byCode = new Map(departementsMap.features.map((f) => [f.properties.code, bbox(f.geometry)]));
    const metro = departementsMap.features.filter((f) => !DROM.includes(f.properties.code)).map((f) => bbox(f.geometry));
    const metroBox = { x0: Math.min(...metro.map((b) => b.x0)), y0: Math.min(...metro.map((b) => b.y0)), x1: Math.max(...metro.map((b) => b.x1)), y1: Math.max(...metro.map((b) => b.y1)) };
    for (const code of DROM) {
      const b = byCode.get(code)!;
      expect(disjoint(b, metroBox), code).toBe(true);
      expect(b.x1 - b.x0 + (b.y1 - b.y0), `${code} readable`).toBeGreaterThan(100); // km on the map: insets are enlarged
      for (const other of DROM) if (other !== code) expect(disjoint(b, byCode.get(other)!), `${code}/${other}`).toBe(true);
    }
    for (const collection of [departementsMap, regionsMap]) {
      expect(collection.encarts.map((e) => e.code)).toEqual(DROM);
      for (const { code, bbox: [x0, y0, x1, y1] } of collection.encarts) {
        const frame = { x0, y0, x1, y1 };
        const shape = byCode.get(code)!;
        expect(shape.x0 > x0 && shape.y0 > y0 && shape.x1 < x1 && shape.y1 < y1, `${code} inside its frame`).toBe(true);
        expect(disjoint(frame, metroBox), `frame ${code}`).toBe(true);
      }
    }
  });

  it("stays under 150 KB per file", () => {
    expect(statSync(mapsDir + "france-departements.json").size).toBeLessThan(MAX_BYTES);
    expect(statSync(mapsDir + "france-regions.json").size).toBeLessThan(MAX_BYTES);
  });
});

describe("maps of France", () => {
  it("renders one path per territory on the server", () => {
    for (const level of ["departement", "region"] as const) {
      const territories = franceTerritories(level);
      const values = territories.map((t, i) => ({ ...t, value: i === 0 ? null : i * 10 }));
      const svg = renderChartToSvg(franceMapOption({ level, values, valueLabel: "Effectifs" }), 800, 560);
      const paths = svg.match(/<path /g)?.length ?? 0;
      expect(paths).toBeGreaterThanOrEqual(territories.length + 5); // + the five inset frames
      expect(paths).toBeLessThanOrEqual(territories.length + 5 + 6); // + the visualMap's bar and handles
      expect(svg).toContain("#eeeeee"); // the territory without a value
    }
  });

  it("formats values in French", () => {
    expect(formatFranceMapValue(12345)).toBe("12\u202f345");
    expect(formatFranceMapValue(0.1234, "pourcentage")).toMatch(/^12,3[\u00a0\u202f]%$/); // Intl fr-FR: no-break space before %
    expect(formatFranceMapValue(null)).toBe("Non disponible");
    const svg = renderChartToSvg(
      franceMapOption({ level: "region", values: franceTerritories("region").map((t, i) => ({ ...t, value: i / 100 })), valueLabel: "Taux", format: "pourcentage" }),
      800,
      560,
    );
    expect(svg).toMatch(/17[\u00a0\u202f]%/); // the scale's maximum
  });

  it("gives a meaningful scale when every territory has the same value", () => {
    const echelle = (value: number, format?: "nombre" | "pourcentage") => {
      const option = franceMapOption({ level: "departement", values: [{ code: "01", nom: "Ain", value }], valueLabel: "Taux", format });
      const vm = option.visualMap as { min: number; max: number; text: string[] };
      return [vm.min, vm.max, ...vm.text];
    };
    // 100 % everywhere: 0 %–100 %, the territory at the top of the scale (was "100 % – 101 %", painted lightest)
    expect(echelle(1, "pourcentage")).toEqual([0, 1, formatFranceMapValue(1, "pourcentage"), formatFranceMapValue(0, "pourcentage")]);
    expect(echelle(0.667, "pourcentage").slice(0, 2)).toEqual([0, 0.667]);
    expect(echelle(0, "pourcentage").slice(0, 2)).toEqual([0, 1]); // 0 % everywhere: 0 %–100 %, not "0 % – 1 %"
    expect(echelle(-0.05, "pourcentage").slice(0, 2)).toEqual([-0.05, 0]);
    expect(echelle(12).slice(0, 2)).toEqual([0, 12]);
    expect(echelle(0).slice(0, 2)).toEqual([0, 1]);
  });

  it("lists every territory with a link to its page in the data table (the path without JavaScript)", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {}); // react-router's useLayoutEffect warning on the server
    const html = renderToString(
      createElement(
        MemoryRouter,
        null,
        createElement(CarteTerritoires, {
          niveau: "departement",
          mesure: "nombre",
          lignes: [{ code: "69", nom: "Rhône", valeur: 1234 }],
          tousLesTerritoires: true,
          title: "Effectifs par département",
          description: "Nombre d'apprentis par département.",
          valueLabel: "Effectifs",
          fileName: "effectifs-departements",
          hrefFor: (code: string) => `/departements/${code}`,
        }),
      ),
    );
    error.mockRestore();
    const links = html.match(/href="\/departements\/[0-9AB]+"/g) ?? [];
    expect(new Set(links).size).toBe(101);
    expect(html).toContain('href="/departements/2A"');
    expect(html).toContain('href="/departements/976"');
    expect(html).toContain("1\u202f234");
    // the graphic is named by the figure's visible title and described by its visible text (read once)
    expect(html).toMatch(/role="img" aria-labelledby="[^"]+-title" aria-describedby="[^"]+-desc"/);
    expect(html).toMatch(/-title"[^>]*>Effectifs par département</);
    expect(html).not.toContain("En gris");
  });

  it("says what the grey territories of a rate map are", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const html = renderToString(
      createElement(
        MemoryRouter,
        null,
        createElement(CarteTerritoires, {
          niveau: "region",
          mesure: "taux",
          lignes: [
            { code: "84", nom: "Auvergne-Rhône-Alpes", taux: 0.067, numerateur: 67, denominateur: 1000 },
            { code: "11", nom: "Île-de-France", taux: null, numerateur: "< 5", denominateur: 800 },
          ],
          title: "Taux de rupture",
          description: "Rupturants parmi les apprenants.",
          valueLabel: "Taux de rupture",
          numerateur: "Rupturants",
          denominateur: "Apprenants",
          fileName: "taux-rupture",
        }),
      ),
    );
    error.mockRestore();
    expect(html).toContain("Rupturants parmi les apprenants. En gris : territoires dont le chiffre n&#x27;est pas diffusé");
    expect(html).toContain("Non diffusé");
  });
});
