/** French labels of organisation types, roles and named lists. Pure data: safe in browser code. */

export const ORGANISATION_TYPE_LABELS = {
  ADMINISTRATEUR: "Administrateur national",
  OPERATEUR_PUBLIC_NATIONAL: "Opérateur public national",
  DREETS: "DREETS",
  DRAAF: "DRAAF",
  CONSEIL_REGIONAL: "Conseil régional",
  CARIF_OREF_REGIONAL: "CARIF-OREF régional",
  ACADEMIE: "Académie (rectorat)",
  DDETS: "DDETS",
  TETE_DE_RESEAU: "Tête de réseau",
  ORGANISME_FORMATION: "Organisme de formation (CFA)",
  PUBLIC: "Public",
} as const;

export type OrganisationTypeLabelKey = keyof typeof ORGANISATION_TYPE_LABELS;

/** What each type's scope is, as a form needs it. */
export const SCOPE_FIELD_OF_TYPE: Record<Exclude<OrganisationTypeLabelKey, "PUBLIC">, "aucun" | "region" | "departement" | "academie" | "reseau" | "siret"> = {
  ADMINISTRATEUR: "aucun",
  OPERATEUR_PUBLIC_NATIONAL: "aucun",
  DREETS: "region",
  DRAAF: "region",
  CONSEIL_REGIONAL: "region",
  CARIF_OREF_REGIONAL: "region",
  ACADEMIE: "academie",
  DDETS: "departement",
  TETE_DE_RESEAU: "reseau",
  ORGANISME_FORMATION: "siret",
};

export const ROLE_LABELS = { admin: "Administrateur de l'organisation", member: "Membre" } as const;

export const NAMED_LIST_LABELS = {
  sans_contrat: "Inscrits sans contrat",
  rupturants: "Rupturants",
  abandons: "Abandons",
  tous: "Tous les apprenants",
} as const;

export const ACTION_LABELS = { view: "Consultation", download: "Téléchargement" } as const;
