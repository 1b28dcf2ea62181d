/**
 * Who may see which référentiel page, on top of the policy module (app/auth/policy.server.ts).
 * - Répertoire, catalogue, read API: everyone, lists restricted to the viewer's scope (`scopeSql`).
 * - Anomalies: national admins (all) and territorial users (DREETS, DRAAF, conseil régional, CARIF-OREF, académie,
 *   DDETS) for their territory.
 * - Non-transmitting CFAs: signed-in users of public bodies (national, territorial, têtes de réseau), in scope.
 * - Imports: national admins.
 * TODO(policy): move these rules into policy.server.ts (`canSeeReferentielAnomalies`, `canSeeNonTransmetteurs`)
 * if other pages need them.
 */
import type { Viewer } from "../auth/policy.server";

const TERRITORIAL = new Set(["DREETS", "DRAAF", "CONSEIL_REGIONAL", "CARIF_OREF_REGIONAL", "ACADEMIE", "DDETS"]);

export function canSeeReferentielAnomalies(viewer: Viewer): boolean {
  if (viewer.userId === null) return false;
  return viewer.organisationType === "ADMINISTRATEUR" || TERRITORIAL.has(viewer.organisationType);
}

export function canSeeNonTransmetteurs(viewer: Viewer): boolean {
  if (viewer.userId === null) return false;
  return (
    viewer.organisationType === "ADMINISTRATEUR" ||
    viewer.organisationType === "OPERATEUR_PUBLIC_NATIONAL" ||
    viewer.organisationType === "TETE_DE_RESEAU" ||
    TERRITORIAL.has(viewer.organisationType)
  );
}
