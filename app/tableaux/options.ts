/** The options of the learner filters' selects: the dashboards' filter panel and the exports page. Browser-safe. */
import { LIBELLES_TRANCHE_AGE, TRANCHES_AGE } from "../indicateurs/etats";
import { LIBELLES_SEXE } from "../indicateurs/filters";
import { NIVEAU_LABELS } from "../referentiel/labels";

export interface OptionSelect {
  value: string;
  label: string;
}

/** The options of a label table, in its order. */
export function optionsDe(libelles: Record<string | number, string>): OptionSelect[] {
  return Object.entries(libelles).map(([value, label]) => ({ value, label }));
}

/**
 * The one label of a training level, wherever the dashboards and exports show one (filter options, active-filter
 * tags, the chart by niveau, its table and CSV, the JSON, the export files): the référentiel's (NIVEAU_LABELS).
 */
export function libelleNiveau(code: string | number): string {
  return NIVEAU_LABELS[Number(code)] ?? `Niveau ${code}`;
}

export const OPTIONS_NIVEAU = optionsDe(NIVEAU_LABELS);
export const OPTIONS_AGE: OptionSelect[] = TRANCHES_AGE.map((a) => ({ value: a, label: LIBELLES_TRANCHE_AGE[a] }));
export const OPTIONS_SEXE = optionsDe(LIBELLES_SEXE);
export const OPTIONS_RQTH: OptionSelect[] = [
  { value: "oui", label: "Oui" },
  { value: "non", label: "Non" },
];

/**
 * A filter's select, whatever number of values the address gives it (`niveau=3&niveau=4`): its options and its value.
 * Several values are one more option, first and selected, listing them (value "3,4": the filters read commas), so
 * that submitting the form keeps them and choosing another option replaces them; a single value missing from the
 * options is added as it is, rather than shown as "all" and lost at the next submission.
 */
export function choixSelect(options: readonly OptionSelect[], valeurs: readonly (string | number)[] | undefined): { options: OptionSelect[]; value: string } {
  const v = [...new Set((valeurs ?? []).map(String))];
  if (v.length === 0) return { options: [...options], value: "" };
  const libelle = (x: string) => options.find((o) => o.value === x)?.label ?? x;
  if (v.length === 1) return { options: options.some((o) => o.value === v[0]) ? [...options] : [...options, { value: v[0], label: v[0] }], value: v[0] };
  const value = v.join(",");
  return { options: [{ value, label: v.map(libelle).join(", ") }, ...options], value };
}
