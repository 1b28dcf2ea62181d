/**
 * The territory filters of a named list's address (page and exports): one région, one académie, one département at
 * most, read with the dashboards' rules (codes of app/indicateurs/filters.ts, territories that exclude each other:
 * `incoherencesTerritoriales`). Pure: whether the viewer may ask for them is the policy's
 * (`filtresTerritoireHorsPerimetre`, applied by listes.server.ts).
 */
import { parseFiltersLenient, type NiveauTerritorial } from "../indicateurs/filters";
import { PARAMETRES_TERRITOIRE, type TerritoireDeListe } from "./listes";

/** « Un seul département à la fois… »: a list is narrowed to one territory of each level, not to several. */
const UN_SEUL: Record<NiveauTerritorial, string> = {
  region: "Une seule région à la fois : la liste est celle de la première indiquée. Pour toutes, choisissez « Toutes ».",
  academie: "Une seule académie à la fois : la liste est celle de la première indiquée. Pour toutes, choisissez « Toutes ».",
  departement: "Un seul département à la fois : la liste est celle du premier indiqué. Pour tous vos départements, choisissez « Tous ».",
};

/**
 * The région, académie and département asked (`region=`, `academie=`, `departement=`), each checked as on the
 * dashboards; a bad value (unknown code, a second value, a territory outside another one asked) is said in French
 * and left out, the list then being that of the other filters.
 */
export function lireTerritoireDeListe(params: URLSearchParams): { territoire: TerritoireDeListe; erreurs: string[] } {
  const erreurs: string[] = [];
  const premiers = new URLSearchParams();
  for (const param of PARAMETRES_TERRITOIRE) {
    const valeurs = params
      .getAll(param)
      .flatMap((v) => v.split(","))
      .map((v) => v.trim())
      .filter((v) => v !== "");
    if (valeurs.length === 0) continue;
    // one at a time: the others would be dropped without a word
    if (new Set(valeurs.map((v) => v.toUpperCase())).size > 1) erreurs.push(UN_SEUL[param]);
    premiers.set(param, valeurs[0].slice(0, 20));
  }
  const { filters, errors } = parseFiltersLenient(premiers);
  erreurs.push(...errors.map((e) => `${e}.`));
  const territoire: TerritoireDeListe = {};
  for (const param of PARAMETRES_TERRITOIRE) if (filters[param]?.length) territoire[param] = filters[param]![0];
  return { territoire, erreurs };
}
