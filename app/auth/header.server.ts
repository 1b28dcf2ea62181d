/** What the site header needs to know about the visitor (for the root loader). */
import { ORGANISATION_TYPE_LABELS } from "./labels";
import {
  exporteLesIndicateurs,
  canSeeNonTransmetteurs,
  canSeeReferentielAnomalies,
  gereDesComptes,
  importeLeReferentiel,
  lisLeJournalDesAcces,
  lisLesListesDuTerritoire,
  transmetDesEffectifs,
  type Viewer,
} from "./policy.server";

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

export function headerUserOf(viewer: Viewer): HeaderUser | null {
  if (!viewer.user || viewer.organisationType === "PUBLIC") return null;
  return {
    email: viewer.user.email,
    nomComplet: [viewer.user.prenom, viewer.user.nom].filter(Boolean).join(" ") || viewer.user.email,
    organisationNom: viewer.user.organisationNom,
    organisationType: ORGANISATION_TYPE_LABELS[viewer.organisationType],
    gereUtilisateurs: gereDesComptes(viewer),
    administrateurNational: lisLeJournalDesAcces(viewer),
  };
}

/**
 * The header's quick access links, for the DSFR Header `quickAccessItems` (besides the display settings): the
 * account and the way out; the administration pages are in the navigation (five links squeezed the brand).
 */
export function headerQuickAccess(user: HeaderUser | null): { iconId: string; text: string; href: string }[] {
  if (!user) return [{ iconId: "fr-icon-account-circle-line", text: "Se connecter", href: "/connexion" }];
  return [
    { iconId: "fr-icon-account-circle-line", text: user.nomComplet, href: "/compte" },
    { iconId: "fr-icon-logout-box-r-line", text: "Se déconnecter", href: "/deconnexion" },
  ];
}

export interface NavLink {
  text: string;
  href: string;
}

/** An entry of the main navigation: a link, or a menu of links. */
export type NavItem = NavLink | { text: string; menu: NavLink[] };

/** The header's main navigation for a viewer: each entry only where the policy lets the viewer in. */
export function headerNavigation(viewer: Viewer): NavItem[] {
  const items: NavItem[] = [{ text: viewer.scope.kind === "national" ? "Indicateurs nationaux" : "Indicateurs de votre périmètre", href: "/" }];
  const referentiel: NavLink[] = [
    { text: "Organismes", href: "/organismes" },
    { text: "Formations", href: "/formations" },
  ];
  if (canSeeNonTransmetteurs(viewer)) referentiel.push({ text: "Organismes qui ne transmettent pas", href: "/referentiel/non-transmetteurs" });
  if (canSeeReferentielAnomalies(viewer)) referentiel.push({ text: "Anomalies du référentiel", href: "/referentiel/anomalies" });
  items.push({ text: "Référentiel", menu: referentiel });
  if (transmetDesEffectifs(viewer)) {
    items.push({ text: "Espace CFA", href: "/cfa" });
    items.push({ text: "Téléverser", href: "/televersement" });
  }
  if (lisLesListesDuTerritoire(viewer)) items.push({ text: "Jeunes à accompagner", href: "/listes" });
  if (exporteLesIndicateurs(viewer)) {
    items.push({ text: "Exports", href: "/exports" });
  }
  const administration: NavLink[] = [];
  if (gereDesComptes(viewer)) administration.push({ text: "Utilisateurs", href: "/admin/utilisateurs" });
  if (lisLeJournalDesAcces(viewer)) administration.push({ text: "Journal des accès aux listes nominatives", href: "/admin/journal" });
  if (importeLeReferentiel(viewer)) administration.push({ text: "Imports du référentiel", href: "/admin/imports" });
  if (administration.length) items.push({ text: "Administration", menu: administration });
  return items;
}
