/**
 * What the 24-month chart says of its stacked figures: their sum is the apprenants' figure, but not for the public,
 * whose figures are each rounded on its own (decision 007: 1 705 + 330 + 75 = 2 110 under an apprenants figure of
 * 2 115).
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SerieMensuelle } from "../../app/tableaux/components/SerieMensuelle";

const serie = [
  { mois: "2026-11", date: "2026-11-30", apprentis: 1705, inscritsSansContrat: 330, rupturants: 75 },
  { mois: "2026-12", date: "2026-12-07", apprentis: 1710, inscritsSansContrat: 330, rupturants: 75 },
];

describe("the 24-month chart's description", () => {
  it("says the stacked figures add up to the apprenants for exact figures, and why they may not for the public's", () => {
    const exact = renderToStaticMarkup(createElement(SerieMensuelle, { serie: serie as never, fileName: "x" }));
    expect(exact).toContain("leur somme est le nombre d&#x27;apprenants");
    const publique = renderToStaticMarkup(createElement(SerieMensuelle, { serie: serie as never, fileName: "x", arrondis: true }));
    expect(publique).not.toContain("leur somme est le nombre");
    expect(publique).toContain("chacun arrondi séparément : leur somme peut différer de quelques unités du nombre d&#x27;apprenants");
  });
});
