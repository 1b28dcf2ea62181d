/** What the site header needs to know about the visitor (for the root loader). */
import type { Database } from "../../db/client.server";
import { ORGANISATION_TYPE_LABELS } from "./labels";
import { canSeeAggregates, getViewer, isNationalAdmin, isOrganisationAdmin, lisLesListesDuTerritoire, transmetDesEffectifs, type Viewer } from "./policy.server";

export interface HeaderUser {
  email: string;
  nomComplet: string;
  organisationNom: string;
  organisationType: string;
  /** May open /admin/utilisateurs. */
  gereUtilisateurs: boolean;
  /** May open /admin/journal. */
  administrateurNational: boolean;
}

export async function getHeaderUser(request: Request, database: Database): Promise<HeaderUser | null> {
  return headerUserOf(await getViewer(request, database));
}

export function headerUserOf(viewer: Viewer): HeaderUser | null {
  if (!viewer.user || viewer.organisationType === "PUBLIC") return null;
  return {
    email: viewer.user.email,
    nomComplet: [viewer.user.prenom, viewer.user.nom].filter(Boolean).join(" ") || viewer.user.email,
    organisationNom: viewer.user.organisationNom,
    organisationType: ORGANISATION_TYPE_LABELS[viewer.organisationType],
    gereUtilisateurs: isNationalAdmin(viewer) || isOrganisationAdmin(viewer),
    administrateurNational: isNationalAdmin(viewer),
  };
}

/** The header's quick access links, for the DSFR Header `quickAccessItems` (besides the display settings). */
export function headerQuickAccess(user: HeaderUser | null): { iconId: string; text: string; href: string }[] {
  if (!user) return [{ iconId: "fr-icon-account-circle-line", text: "Se connecter", href: "/connexion" }];
  return [
    { iconId: "fr-icon-account-circle-line", text: user.nomComplet, href: "/compte" },
    ...(user.gereUtilisateurs ? [{ iconId: "fr-icon-team-line", text: "Utilisateurs", href: "/admin/utilisateurs" }] : []),
    ...(user.administrateurNational ? [{ iconId: "fr-icon-file-text-line", text: "Journal d'accès", href: "/admin/journal" }] : []),
    { iconId: "fr-icon-logout-box-r-line", text: "Se déconnecter", href: "/deconnexion" },
  ];
}

/** The header's main navigation for a viewer: each entry only where the policy lets the viewer in. */
export function headerNavigation(viewer: Viewer): { text: string; href: string }[] {
  const items = [
    { text: "Indicateurs nationaux", href: "/" },
    { text: "Organismes", href: "/organismes" },
    { text: "Formations", href: "/formations" },
  ];
  if (transmetDesEffectifs(viewer)) {
    items.push({ text: "Espace CFA", href: "/cfa" });
    items.push({ text: "Téléverser", href: "/televersement" });
  }
  if (viewer.organisationType !== "PUBLIC" && viewer.organisationType !== "ORGANISME_FORMATION") {
    items.push({ text: "Non transmetteurs", href: "/referentiel/non-transmetteurs" });
  }
  if (lisLesListesDuTerritoire(viewer)) items.push({ text: "Jeunes à accompagner", href: "/listes" });
  if (isNationalAdmin(viewer) || (viewer.organisationType === "OPERATEUR_PUBLIC_NATIONAL" && canSeeAggregates(viewer, { kind: "national" }))) {
    items.push({ text: "Exports", href: "/exports" });
  }
  if (isNationalAdmin(viewer)) items.push({ text: "Imports", href: "/admin/imports" });
  return items;
}
