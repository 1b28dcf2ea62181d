/**
 * The pure copy of the régions' and départements' names (app/referentiel/decoupage.ts) is the package's, and the
 * référentiel's queries (répertoire, catalogue, offre, their API) refuse territories that cannot hold together.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { ACADEMIE_BY_DEPARTEMENT } from "../../app/referentiel/academies";
import { DEPARTEMENTS, NOMS_REGIONS } from "../../app/referentiel/decoupage";
import { DEPARTEMENT_PATTERN, REGIONS } from "../../app/indicateurs/filters";
import { offresQuerySchema, organismesQuerySchema, parseQuery, parseQueryLenient } from "../../app/referentiel/filtres.server";

const require = createRequire(import.meta.url);

describe("régions et départements", () => {
  it("are those of @etalab/decoupage-administratif, for every département that has an académie", () => {
    const departements = (require("@etalab/decoupage-administratif/data/departements.json") as { code: string; nom: string; region: string }[]).filter(
      (d) => ACADEMIE_BY_DEPARTEMENT[d.code],
    );
    expect(Object.fromEntries(departements.map((d) => [d.code, [d.nom, d.region]]))).toEqual(DEPARTEMENTS);
    const regions = require("@etalab/decoupage-administratif/data/regions.json") as { code: string; nom: string }[];
    expect(Object.fromEntries(regions.filter((r) => (REGIONS as readonly string[]).includes(r.code)).map((r) => [r.code, r.nom]))).toEqual(NOMS_REGIONS);
    // every code the filters accept has a name and a région
    expect(Object.keys(DEPARTEMENTS).every((c) => DEPARTEMENT_PATTERN.test(c))).toBe(true);
    expect(Object.keys(DEPARTEMENTS)).toHaveLength(101);
    expect(Object.keys(NOMS_REGIONS).sort()).toEqual([...REGIONS].sort());
  });
});

describe("filtres du référentiel", () => {
  it("refuses a département outside the région asked, naming both (API: 400)", () => {
    expect(parseQuery(organismesQuerySchema, new URLSearchParams("region=84&departement=75"), { strict: true })).toEqual({
      ok: false,
      errors: [
        "paramètre « departement » : le département 75 (Paris) n'est pas dans la région Auvergne-Rhône-Alpes (84) mais dans la région " +
          "Île-de-France (11) : ces deux filtres s'excluent",
      ],
    });
    expect((parseQuery(offresQuerySchema, new URLSearchParams("academie=10&departement=13")) as { errors: string[] }).errors[0]).toMatch(
      /^paramètre « departement » : le département 13 \(Bouches-du-Rhône\) n'est pas dans l'académie de Lyon \(10\)/,
    );
    expect(parseQuery(organismesQuerySchema, new URLSearchParams("region=84&departement=69&academie=10")).ok).toBe(true);
  });

  it("on a page, leaves the département out and keeps the other filters", () => {
    const { value, errors } = parseQueryLenient(organismesQuerySchema, new URLSearchParams("region=84&departement=75&nature=formateur&tri=siret"));
    expect(errors).toEqual([expect.stringMatching(/^paramètre « departement » : le département 75 \(Paris\) n'est pas dans la région Auvergne-Rhône-Alpes/)]);
    expect(value).toMatchObject({ region: "84", nature: "formateur", tri: "siret" });
    expect(value.departement).toBeUndefined();
  });
});
