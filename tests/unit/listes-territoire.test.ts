/**
 * The territory filters of a named list (/listes/:liste and its exports): one région, académie and département at
 * most, read with the dashboards' codes and their rule for territories that exclude each other. Whether the viewer
 * may ask for them is the policy's (tests/unit/policy.test.ts, filtresTerritoireHorsPerimetre).
 */
import { describe, expect, it } from "vitest";
import { lireTerritoireDeListe } from "../../app/listes/territoire";
import { parametresDuTerritoire } from "../../app/listes/listes";

const lire = (query: string) => lireTerritoireDeListe(new URLSearchParams(query));

describe("territory of a named list", () => {
  it("reads a région, an académie and a département, normalised, and nothing when none is asked", () => {
    expect(lire("")).toEqual({ territoire: {}, erreurs: [] });
    expect(lire("q=dupont&departement=&region=")).toEqual({ territoire: {}, erreurs: [] });
    expect(lire("region=11")).toEqual({ territoire: { region: "11" }, erreurs: [] });
    expect(lire("academie=01")).toEqual({ territoire: { academie: "01" }, erreurs: [] });
    expect(lire("departement=2a")).toEqual({ territoire: { departement: "2A" }, erreurs: [] });
    expect(lire("region=84&academie=10&departement= 69 ")).toEqual({ territoire: { region: "84", academie: "10", departement: "69" }, erreurs: [] });
    // the same value twice is one value
    expect(lire("departement=69&departement=69")).toEqual({ territoire: { departement: "69" }, erreurs: [] });
  });

  it("says an unknown code with the codes expected, and leaves it out", () => {
    const { territoire, erreurs } = lire("region=99&academie=05&departement=20");
    expect(territoire).toEqual({});
    expect(erreurs).toHaveLength(3);
    expect(erreurs[0]).toMatch(/^region : code région inconnu « 99 » \(codes : 01, 02, 03, 04, 06, 11, .*\)\.$/);
    expect(erreurs[1]).toBe("departement : code département invalide « 20 » (01 à 95, 2A, 2B, 971 à 974, 976).");
    expect(erreurs[2]).toMatch(/^academie : code académie inconnu « 05 » \(codes : /);
    // a long value is not echoed whole
    expect(lire(`region=${"9".repeat(200)}`).erreurs[0].length).toBeLessThan(200);
  });

  it("takes one territory of each level at a time, the first asked, and says so", () => {
    expect(lire("departement=69&departement=38")).toEqual({
      territoire: { departement: "69" },
      erreurs: ["Un seul département à la fois : la liste est celle du premier indiqué. Pour tous vos départements, choisissez « Tous »."],
    });
    expect(lire("region=84,11")).toEqual({
      territoire: { region: "84" },
      erreurs: ["Une seule région à la fois : la liste est celle de la première indiquée. Pour toutes, choisissez « Toutes »."],
    });
    expect(lire("academie=10&academie=08").erreurs).toEqual([
      "Une seule académie à la fois : la liste est celle de la première indiquée. Pour toutes, choisissez « Toutes ».",
    ]);
  });

  it("refuses territories that exclude each other (the narrower is left out), as the dashboards do", () => {
    expect(lire("region=84&departement=75")).toEqual({
      territoire: { region: "84" },
      erreurs: [
        "departement : le département 75 (Paris) n'est pas dans la région Auvergne-Rhône-Alpes (84) mais dans la région Île-de-France (11) : ces deux filtres s'excluent.",
      ],
    });
    expect(lire("academie=10&departement=38").territoire).toEqual({ academie: "10" });
    expect(lire("region=11&academie=10").territoire).toEqual({ region: "11" });
    expect(lire("region=11&academie=10").erreurs[0]).toMatch(/^academie : l'académie de Lyon \(10\) n'est pas dans la région Île-de-France \(11\)/);
  });

  it("writes the territory back as the address's parameters, widest first", () => {
    expect(parametresDuTerritoire({})).toEqual([]);
    expect(parametresDuTerritoire({ departement: "69", region: "84" })).toEqual([
      ["region", "84"],
      ["departement", "69"],
    ]);
  });
});
