/** What the site header needs to know about the visitor (for the root loader). */
import type { Database } from "../../db/client.server";
import { ORGANISATION_TYPE_LABELS } from "./labels";
import { getViewer, isNationalAdmin, isOrganisationAdmin } from "./policy.server";

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
  const viewer = await getViewer(request, database);
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
