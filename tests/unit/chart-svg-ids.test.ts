/**
 * The server SVG of the charts (app/components/Chart.tsx): every chart of a page defines ids and hover classes of its
 * own (RGAA 8.2), even when two charts come out of the SVG cache with the same option, or share the map shapes of
 * one rendering (carte-svg.ts); each chart's references (url(#…), its <style>'s selectors) stay its own.
 */
import { createElement } from "react";
import { renduServeur } from "../helpers/rendu";
import { describe, expect, it } from "vitest";
import { Chart, prefixeSvg } from "../../app/components/Chart";
import { prefixSvgIds, renderChartToSvg } from "../../app/components/echarts";
import { CarteTerritoires } from "../../app/tableaux/components/CarteTerritoires";
import { seriesEmpilees } from "../../app/tableaux/components/SerieMensuelle";

const OPTION = {
  legend: { top: 0 },
  xAxis: { type: "category", data: ["a", "b"] },
  yAxis: { type: "value" },
  series: seriesEmpilees([
    { apprentis: 1, inscritsSansContrat: 2, rupturants: 3 },
    { apprentis: 4, inscritsSansContrat: 5, rupturants: 6 },
  ]),
};

/** Renders elements in a router (the maps navigate on click), as a page does on the server. */
const rendu = (...elements: ReturnType<typeof createElement>[]): string => renduServeur(elements);

const svgs = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

/** What must hold for each SVG of a page, and for the page as a whole. */
function verifier(html: string, attendus: number) {
  const liste = svgs(html);
  expect(liste).toHaveLength(attendus);
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i), "ids en double").toEqual([]);
  const classesDesStyles: string[] = [];
  for (const svg of liste) {
    expect(svg).not.toMatch(/\bzr\d+-/);
    const definis = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    // every reference points to a definition of the same SVG
    for (const [, ref] of svg.matchAll(/url\(#([^)]+)\)/g)) expect(definis.has(ref), ref).toBe(true);
    // every hover style applies to elements of the same SVG
    const classes = new Set([...svg.matchAll(/\sclass="([^"]+)"/g)].flatMap((m) => m[1].split(/\s+/)));
    const selecteurs = [...svg.matchAll(/\.([A-Za-z][\w-]*):hover/g)].map((m) => m[1]);
    expect(selecteurs.length).toBeGreaterThan(0);
    for (const s of selecteurs) expect(classes.has(s), s).toBe(true);
    classesDesStyles.push(...selecteurs);
  }
  // no two charts style the same class
  expect(classesDesStyles.filter((c, i) => classesDesStyles.indexOf(c) !== i), "classes en double").toEqual([]);
}

describe("ids and classes of the charts' server SVG", () => {
  it("prefixes ZRender's ids, references and hover classes, and nothing else", () => {
    const svg = renderChartToSvg(OPTION as never, 400, 200);
    expect(svg).toMatch(/id="zr\d+-p0"/);
    const prefixe = prefixSvgIds(svg, "graphique-R1");
    expect(prefixe).not.toMatch(/\bzr\d+-/);
    expect(prefixe).toContain('id="graphique-R1-p0"');
    expect(prefixe).toContain("url(#graphique-R1-p0)");
    expect(prefixe).toMatch(/\.graphique-R1-cls-\d+:hover/);
    expect(prefixe.replace(/graphique-R1-/g, "")).toBe(svg.replace(/\bzr\d+-(?=(?:cls|ani)-\d|[cgps]\d)/g, ""));
    expect(prefixeSvg(":R1l:")).toBe("graphique-R1l");
  });

  it("gives two charts drawn from the same cached SVG ids of their own", () => {
    const chart = (titre: string) => createElement(Chart, { key: titre, title: titre, description: "", option: OPTION as never, data: { fileName: "x", columns: ["a"], rows: [["1"]] } });
    verifier(rendu(chart("Un"), chart("Deux")), 2);
  });

  it("gives two maps drawn from the same shapes ids of their own (taux de rupture, taux de couverture)", () => {
    const carte = (testId: string) =>
      createElement(CarteTerritoires, {
        key: testId,
        testId,
        niveau: "departement",
        mesure: "taux",
        valueLabel: "Taux",
        numerateur: "N",
        denominateur: "D",
        lignes: [{ code: "69", nom: "Rhône", taux: 0.1, numerateur: 1, denominateur: 10 }],
        title: testId,
        description: "",
        hrefFor: (code: string) => `/departements/${code}`,
        fileName: testId,
      });
    const html = rendu(carte("carte-rupture-departement"), carte("carte-couverture-departement"));
    verifier(html, 2);
    // the clip path and gradients of the reported duplicates are each map's own
    expect(html.match(/id="[^"]*-c0"/g)).toHaveLength(2);
  });
});
