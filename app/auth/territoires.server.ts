/**
 * Static territory maps the policy needs to compare a scope and a target without a query: département →
 * région (from @etalab/decoupage-administratif) and département ↔ académie (app/referentiel/academies).
 */
import { createRequire } from "node:module";
import { ACADEMIES, ACADEMIE_BY_DEPARTEMENT } from "../referentiel/academies";

const require = createRequire(import.meta.url);

let regionByDepartement: Map<string, string> | undefined;

export function regionOfDepartement(code: string): string | undefined {
  regionByDepartement ??= new Map(
    (require("@etalab/decoupage-administratif/data/departements.json") as { code: string; region: string }[]).map((d) => [d.code, d.region]),
  );
  return regionByDepartement.get(code);
}

export function academieOfDepartement(code: string): string | undefined {
  return ACADEMIE_BY_DEPARTEMENT[code];
}

export function departementsOfAcademie(code: string): string[] {
  return ACADEMIES.find((a) => a.code === code)?.departements ?? [];
}

/** The région of an académie when all its départements are in one région (they all are in 2024). */
export function regionOfAcademie(code: string): string | undefined {
  const regions = new Set(departementsOfAcademie(code).map((d) => regionOfDepartement(d)));
  return regions.size === 1 ? [...regions][0] : undefined;
}
