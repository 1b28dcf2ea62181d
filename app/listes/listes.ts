/**
 * The named lists of a territory (domain.md, "Who sees what"): the young people the territorial services contact —
 * sans contrat, rupturants, abandons — at a date (today by default), in the viewer's territory. Pure, browser-safe:
 * the slugs of the URLs, the labels, the états of each list (app/indicateurs/etats.ts) and its dropout signals.
 */
import type { Signal } from "../cfa/apprenants";
import { ETAT, ETATS_INSCRIT, ETATS_RUPTURANT } from "../indicateurs/etats";

export interface DefinitionListe {
  /** The named list of the policy (NAMED_LISTS). */
  list: "sans_contrat" | "rupturants" | "abandons";
  titre: string;
  description: string;
  /** The états of statut_periodes the list holds at the date. */
  etats: readonly number[];
  /** The dropout signals that narrow it. */
  signaux: readonly Signal[];
}

export const LISTES = {
  "sans-contrat": {
    list: "sans_contrat",
    titre: "Inscrits sans contrat",
    description:
      "Inscrits en formation sans contrat d'apprentissage depuis 90 jours au plus : ils ont trois mois pour signer un contrat.",
    etats: ETATS_INSCRIT,
    signaux: ["sans_contrat_30j", "sans_contrat_60j", "a_risque"],
  },
  rupturants: {
    list: "rupturants",
    titre: "Rupturants",
    description:
      "Apprentis dont le contrat a été rompu depuis 180 jours au plus, sans nouveau contrat : ils ont six mois pour trouver un nouvel employeur.",
    etats: ETATS_RUPTURANT,
    signaux: ["rupturant_moins_45j", "rupturant_45_90j", "rupturant_90_180j", "a_risque"],
  },
  abandons: {
    list: "abandons",
    titre: "Abandons",
    description:
      "Apprenants exclus de leur formation, ou restés sans contrat au-delà des délais (90 jours sans premier contrat, 180 jours après une rupture).",
    etats: [ETAT.ABANDON],
    signaux: [],
  },
} as const satisfies Record<string, DefinitionListe>;

export type SlugListe = keyof typeof LISTES;
export const SLUGS_LISTE = Object.keys(LISTES) as SlugListe[];

export function isSlugListe(value: string | undefined): value is SlugListe {
  return value !== undefined && Object.prototype.hasOwnProperty.call(LISTES, value);
}

/** The territory a list is narrowed to (inside the viewer's): one région, académie or département at most. */
export interface TerritoireDeListe {
  region?: string;
  academie?: string;
  departement?: string;
}

/** The territory parameters of a list, from the widest to the narrowest. */
export const PARAMETRES_TERRITOIRE = ["region", "academie", "departement"] as const;

/** The territory filters as the address's parameters (`region`, `academie`, `departement`), in that order. */
export function parametresDuTerritoire(territoire: TerritoireDeListe): [(typeof PARAMETRES_TERRITOIRE)[number], string][] {
  return PARAMETRES_TERRITOIRE.flatMap((k) => (territoire[k] ? [[k, territoire[k]!] as [(typeof PARAMETRES_TERRITOIRE)[number], string]] : []));
}
