/**
 * The one policy module: who may see what (../shared/domain.md, "Who sees what"). Every loader, action, API
 * route and export asks it. Until accounts exist every visitor is the public viewer.
 */
export type OrganisationType =
  | "ADMINISTRATEUR"
  | "OPERATEUR_PUBLIC_NATIONAL"
  | "DREETS"
  | "DRAAF"
  | "CONSEIL_REGIONAL"
  | "CARIF_OREF_REGIONAL"
  | "ACADEMIE"
  | "DDETS"
  | "TETE_DE_RESEAU"
  | "ORGANISME_FORMATION"
  | "PUBLIC";

/** What part of France a viewer may see aggregated figures of. */
export type Scope =
  | { kind: "national" }
  | { kind: "region"; code: string }
  | { kind: "departement"; code: string }
  | { kind: "academie"; code: string }
  | { kind: "reseau"; nom: string }
  | { kind: "organisme"; organismeIds: number[] };

export interface Viewer {
  userId: number | null;
  organisationType: OrganisationType;
  scope: Scope;
}

export const PUBLIC_VIEWER: Viewer = { userId: null, organisationType: "PUBLIC", scope: { kind: "national" } };

/** The viewer of a request. */
export async function getViewer(_request: Request): Promise<Viewer> {
  return PUBLIC_VIEWER;
}

/** Small counts are masked for the public. */
export function maskThreshold(viewer: Viewer): number {
  if (viewer.organisationType !== "PUBLIC") return 0;
  const configured = Number(process.env.PUBLIC_MASK_THRESHOLD ?? 5);
  return Number.isFinite(configured) ? configured : 5;
}
