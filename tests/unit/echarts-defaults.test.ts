import { describe, expect, it } from "vitest";
import { couleursDuTheme, motif, renderChartToSvg, withDefaults } from "../../app/components/echarts";
import { COULEURS_STATUT, MOTIFS_STATUT } from "../../app/cfa/apprenants";
import { seriesEmpilees } from "../../app/tableaux/components/SerieMensuelle";
import { FRAICHEURS } from "../../app/tableaux/components/Couverture";
import { MAP_BORDER_COLOR, franceMapOption } from "../../app/components/maps/france-map";

describe("chart defaults", () => {
  it("value axes count whole people or organismes, in French, unless the chart says otherwise", () => {
    const o = withDefaults({ xAxis: { type: "category", data: ["a"] }, yAxis: { type: "value" } }) as {
      xAxis: Record<string, unknown>;
      yAxis: { minInterval?: number; axisLabel: { formatter: (v: number) => string } };
    };
    expect(o.yAxis.minInterval).toBe(1);
    expect(o.yAxis.axisLabel.formatter(12345)).toBe("12\u202f345");
    expect(o.xAxis.minInterval).toBeUndefined();
    const taux = withDefaults({ yAxis: { type: "value", minInterval: 0.1 } }) as { yAxis: { minInterval: number } };
    expect(taux.yAxis.minInterval).toBe(0.1);
  });
});

describe("charts readable without colour, in the DSFR theme", () => {
  const empile = {
    legend: { top: 0 },
    xAxis: { type: "category", data: ["a", "b"] },
    yAxis: { type: "value" },
    series: [
      { name: "A", type: "bar", stack: "s", data: [1, 2], itemStyle: { color: "#18753c" } },
      { name: "B", type: "bar", stack: "s", data: [3, 4], itemStyle: { color: "#0063cb" } },
    ],
  };

  it("draws a pattern per series (ECharts decals), without ECharts' own aria label over the Chart's", () => {
    const o = withDefaults(empile as never) as { aria: { enabled: boolean; label: { enabled: boolean }; decal: { show: boolean; decals: unknown[] } } };
    expect(o.aria.enabled).toBe(true);
    expect(o.aria.label.enabled).toBe(false);
    expect(o.aria.decal.show).toBe(true);
    expect(new Set(o.aria.decal.decals.map((d) => JSON.stringify(d))).size).toBe(o.aria.decal.decals.length);
    // rendered on the server too: the SVG fills the bars with patterns
    const svg = renderChartToSvg(empile as never, 400, 200);
    expect((svg.match(/<pattern/g) ?? []).length).toBeGreaterThanOrEqual(2);
    // a map keeps its own choice (a single colour scale, no pattern)
    expect((withDefaults({ aria: { enabled: false } }) as { aria: { enabled: boolean } }).aria.enabled).toBe(false);
  });

  it("gives each statut its own pattern, the same in every chart", () => {
    expect(new Set(Object.values(MOTIFS_STATUT)).size).toBe(Object.keys(MOTIFS_STATUT).length);
    const decals = seriesEmpilees([{ apprentis: 1, inscritsSansContrat: 2, rupturants: 3 }]).map((s) => JSON.stringify(s.itemStyle.decal));
    expect(new Set(decals).size).toBe(3);
    expect(decals[0]).toBe(JSON.stringify(motif(MOTIFS_STATUT.APPRENTI)));
  });

  it("separates the segments of a stacked bar with the background's colour", () => {
    const clair = withDefaults(empile as never) as { series: { itemStyle: Record<string, unknown> }[] };
    expect(clair.series[0].itemStyle).toEqual({ borderColor: "#ffffff", borderWidth: 1, color: "#18753c" });
    const sombre = withDefaults(empile as never, { sombre: true }) as { series: { itemStyle: Record<string, unknown> }[] };
    expect(sombre.series[1].itemStyle.borderColor).toBe("#161616");
  });

  it("writes texts, axes and legends in the theme's colours: readable on the dark background (4.5:1)", () => {
    const option = { ...empile, visualMap: { textStyle: { fontSize: 12 } }, tooltip: { trigger: "axis" }, series: [{ type: "bar", data: [1], label: { show: true } }] };
    const o = withDefaults(option as never, { sombre: true }) as Record<string, Record<string, Record<string, unknown>>> & { series: { label: { color: string } }[] };
    const c = couleursDuTheme(true);
    expect(o.textStyle.color).toBe(c.texte);
    expect(o.legend.textStyle.color).toBe(c.texte);
    expect(o.visualMap.textStyle).toEqual({ color: c.texte, fontSize: 12 });
    expect(o.yAxis.axisLabel.color).toBe(c.secondaire);
    expect((o.yAxis.axisLine.lineStyle as Record<string, unknown>).color).toBe(c.secondaire);
    expect(o.xAxis.axisLabel.color).toBe(c.secondaire);
    expect(o.series[0].label.color).toBe(c.texte);
    expect(o.tooltip.backgroundColor).toBe(c.fond);
    for (const couleur of [c.texte, c.secondaire]) expect(contraste(couleur, c.fond), couleur).toBeGreaterThanOrEqual(4.5);
    const clair = couleursDuTheme(false);
    for (const couleur of [clair.texte, clair.secondaire]) expect(contraste(couleur, clair.fond), couleur).toBeGreaterThanOrEqual(4.5);
    // a colour the chart sets is kept
    const propre = withDefaults({ legend: { textStyle: { color: "#000091" } } } as never, { sombre: true }) as { legend: { textStyle: { color: string } } };
    expect(propre.legend.textStyle.color).toBe("#000091");
  });

  it("fills bars with colours of 3:1 at least against the light and the dark background (WCAG 1.4.11)", () => {
    const fonds = [couleursDuTheme(false).fond, couleursDuTheme(true).fond];
    expect(fonds).toEqual(["#ffffff", "#161616"]);
    const couleurs = [...Object.entries(COULEURS_STATUT), ...FRAICHEURS.map((f) => [f.libelle, f.couleur])];
    for (const [nom, couleur] of couleurs)
      for (const fond of fonds) expect(contraste(couleur, fond), `${nom} ${couleur} sur ${fond}`).toBeGreaterThanOrEqual(3);
  });

  it("outlines the maps' territories in a grey of 3:1 against both backgrounds, so that the palest and the darkest show (WCAG 1.4.11)", () => {
    for (const fond of [couleursDuTheme(false).fond, couleursDuTheme(true).fond]) expect(contraste(MAP_BORDER_COLOR, fond), fond).toBeGreaterThanOrEqual(3);
    const option = franceMapOption({ level: "region", values: [{ code: "84", value: 1 }], valueLabel: "Apprenants" } as never) as { series: { itemStyle: { borderColor: string } }[] };
    expect(option.series[0].itemStyle.borderColor).toBe(MAP_BORDER_COLOR);
  });

  it("never writes a value axis's labels over each other", () => {
    const o = withDefaults({ xAxis: { type: "value" } }) as { xAxis: { axisLabel: { hideOverlap: boolean } } };
    expect(o.xAxis.axisLabel.hideOverlap).toBe(true);
  });
});

/** WCAG 2.1 contrast ratio of two "#rrggbb" colours. */
function contraste(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}
