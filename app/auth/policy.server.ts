/**
 * The one policy module: who may see what (docs/domain.md, "Who sees what"). Every loader, action, API
 * route and export asks it, on the server.
 *
 *  - `getViewer(request, database)` / `requireUser(request, database)`: who is asking, with the organisation
 *    type and its Scope (région, département, académie, réseau, organismes, or national).
 *  - `canSeeAggregates` / `canSeeNamedList` / `canSeeContacts` (and their `assert…` twins that throw a 403
 *    Response): may this viewer see X for this target (a territory, a réseau, an organisme, national, or
 *    `{ kind: "scope" }` = the viewer's whole scope). A list of targets means their intersection (e.g. a réseau's
 *    CFAs in one région).
 *  - `viewerOfAggregates(viewer, targets)`: whom a dashboard is shown as — the viewer in its scope, the public outside
 *    it when the public may see these figures (signing in never reduces what one sees), else nobody (403);
 *    `viewerOfPublicFigures(viewer)`: whom the public figures of all France are shown as, when asked (decision 037).
 *  - `scopeFilter(viewer)` / `scopeSql(viewer, alias)`: the restriction every indicator query must apply.
 *  - `perimetreDeLEspace(viewer, organismeId, formateurs)`: the part of a CFA space the viewer sees (decision 017).
 *  - `maskSmallCounts(viewer, n)`: counts 1…threshold-1 become "< threshold" for the public.
 *  - `logNamedListAccess(database, viewer, …)`: the audit log of named lists.
 */
import { redirect } from "@remix-run/node";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import {
  namedListAccessLog,
  organismeRelations,
  organismes,
  type AccountOrganisationType,
  type NamedList,
  type UserRole,
  type organisations,
} from "../../db/schema";
import { findSession, type SessionRecord } from "./session.server";
// static maps, no query (decoupage holds the 101 départements that have an académie: a collectivité d'outre-mer is
// in no scope)
import { ACADEMIES, ACADEMIE_BY_DEPARTEMENT } from "../referentiel/academies";
import { DEPARTEMENTS, NOMS_REGIONS, regionDeLAcademie, regionDuDepartement } from "../referentiel/decoupage";

export type { NamedList } from "../../db/schema";

export type OrganisationType = AccountOrganisationType | "PUBLIC";

/** What part of France a viewer may see aggregated figures of. */
export type Scope =
  | { kind: "national" }
  | { kind: "region"; code: string }
  | { kind: "departement"; code: string }
  | { kind: "academie"; code: string }
  | { kind: "reseau"; nom: string }
  /**
   * An organisme's rows (one SIRET may carry several UAIs) and, for a responsable, its formateurs: the effectifs
   * they train (organisme formateur) are in the scope.
   */
  | {
      kind: "organisme";
      organismeIds: number[];
      /**
       * The organisation's own rows (not its formateurs): the effectifs they are responsable of are in the scope too,
       * whatever their formateur (docs/decisions/017). Set on every viewer's scope (`scopeOfOrganisation`), which is
       * then complete: nothing is added to it. Absent, the scope names organismes whose own perimeter is meant (an
       * organisme's dashboard: it, its formateurs, the effectifs it is responsable of), which the indicator module
       * resolves (app/indicateurs/indicateurs.server.ts).
       */
      responsables?: number[];
    };

export interface ViewerUser {
  id: number;
  email: string;
  nom: string;
  prenom: string;
  role: UserRole;
  organisationId: number;
  organisationNom: string;
}

export interface Viewer {
  userId: number | null;
  organisationType: OrganisationType;
  scope: Scope;
  /** Set for signed-in viewers. */
  user?: ViewerUser;
  sessionId?: string;
}

export interface AuthenticatedViewer extends Viewer {
  userId: number;
  organisationType: AccountOrganisationType;
  user: ViewerUser;
  sessionId: string;
}

/** The whole of France: the national team's scope, the public's, the CLI's. */
export const NATIONAL: Scope = { kind: "national" };

export const PUBLIC_VIEWER: Viewer = { userId: null, organisationType: "PUBLIC", scope: NATIONAL };

export interface OrganismeTarget {
  kind: "organisme";
  id: number;
  siret: string;
  uai: string | null;
  regionCode: string | null;
  departementCode: string | null;
  academieCode: string | null;
  reseaux: string[];
  /** The responsables this organisme is a formateur of. */
  responsableIds: number[];
}

export type Target =
  /** The viewer's whole scope. */
  | { kind: "scope" }
  | { kind: "national" }
  | { kind: "region"; code: string }
  | { kind: "departement"; code: string }
  | { kind: "academie"; code: string }
  | { kind: "reseau"; nom: string }
  | OrganismeTarget;

export type Targets = Target | Target[];

// ------------------------------------------------------------------------------------------------ the rules

const NAMED_LISTS: readonly NamedList[] = ["sans_contrat", "rupturants", "abandons", "tous"];
const SIGNAL_LISTS: readonly NamedList[] = ["sans_contrat", "rupturants", "abandons"];

/** Which named lists each organisation type may open (inside its scope). */
export const NAMED_LISTS_BY_TYPE: Record<OrganisationType, readonly NamedList[]> = {
  ADMINISTRATEUR: NAMED_LISTS,
  OPERATEUR_PUBLIC_NATIONAL: [],
  DREETS: SIGNAL_LISTS,
  DRAAF: SIGNAL_LISTS,
  CONSEIL_REGIONAL: [],
  CARIF_OREF_REGIONAL: [],
  ACADEMIE: SIGNAL_LISTS,
  DDETS: SIGNAL_LISTS,
  TETE_DE_RESEAU: [],
  ORGANISME_FORMATION: NAMED_LISTS,
  PUBLIC: [],
};

/** Who may see the contact fields (e-mail, telephone, address, parents' e-mails) of the learners of a named list. */
export const CONTACTS_BY_TYPE: Record<OrganisationType, boolean> = {
  ADMINISTRATEUR: true,
  OPERATEUR_PUBLIC_NATIONAL: false,
  DREETS: true,
  DRAAF: true,
  CONSEIL_REGIONAL: false,
  CARIF_OREF_REGIONAL: false,
  ACADEMIE: false,
  DDETS: false,
  TETE_DE_RESEAU: false,
  ORGANISME_FORMATION: true,
  PUBLIC: false,
};

/** The scope an organisation type has, before its organisme ids are resolved. */
export function scopeOfOrganisation(
  organisation: Pick<typeof organisations.$inferSelect, "type" | "regionCode" | "departementCode" | "academieCode" | "reseau">,
  organismeIds: number[] = [],
  responsables: number[] = [],
): Scope {
  switch (organisation.type) {
    case "ADMINISTRATEUR":
    case "OPERATEUR_PUBLIC_NATIONAL":
      return NATIONAL;
    case "DREETS":
    case "DRAAF":
    case "CONSEIL_REGIONAL":
    case "CARIF_OREF_REGIONAL":
      return { kind: "region", code: organisation.regionCode ?? "" };
    case "ACADEMIE":
      return { kind: "academie", code: organisation.academieCode ?? "" };
    case "DDETS":
      return { kind: "departement", code: organisation.departementCode ?? "" };
    case "TETE_DE_RESEAU":
      return { kind: "reseau", nom: organisation.reseau ?? "" };
    case "ORGANISME_FORMATION":
      return { kind: "organisme", organismeIds, responsables: responsables.filter((id) => organismeIds.includes(id)) };
  }
}

/** Whether `target` lies inside `scope` (a sub-territory of a région is inside it, an organisme inside its territory…). */
export function scopeContains(scope: Scope, target: Target): boolean {
  if (target.kind === "scope") return true;
  switch (scope.kind) {
    case "national":
      return true;
    case "region":
      if (!scope.code) return false;
      switch (target.kind) {
        case "region":
          return target.code === scope.code;
        case "departement":
          return regionDuDepartement(target.code) === scope.code;
        case "academie":
          return regionDeLAcademie(target.code) === scope.code;
        case "organisme":
          return target.regionCode === scope.code;
        default:
          return false;
      }
    case "departement":
      if (!scope.code) return false;
      switch (target.kind) {
        case "departement":
          return target.code === scope.code;
        case "organisme":
          return target.departementCode === scope.code;
        default:
          return false;
      }
    case "academie":
      if (!scope.code) return false;
      switch (target.kind) {
        case "academie":
          return target.code === scope.code;
        case "departement":
          return ACADEMIE_BY_DEPARTEMENT[target.code] === scope.code;
        case "organisme":
          return target.academieCode === scope.code;
        default:
          return false;
      }
    case "reseau":
      if (!scope.nom) return false;
      switch (target.kind) {
        case "reseau":
          return target.nom === scope.nom;
        case "organisme":
          return target.reseaux.includes(scope.nom);
        default:
          return false;
      }
    case "organisme":
      return target.kind === "organisme" && scope.organismeIds.includes(target.id);
  }
}

/**
 * Whether the territory filters (répertoire, anomalies) offer this département to a viewer: a territorial scope offers
 * the départements it contains, and no other (they would list nothing); a national, réseau or organisme scope is not
 * territorial and offers them all.
 */
export function offreLeDepartement(scope: Scope, code: string): boolean {
  return scope.kind === "region" || scope.kind === "academie" || scope.kind === "departement" ? scopeContains(scope, { kind: "departement", code }) : true;
}

function asList(targets: Targets): Target[] {
  return Array.isArray(targets) ? (targets.length ? targets : [{ kind: "national" }]) : [targets];
}

/** An intersection of targets lies in the scope when one of them does. */
function withinScope(viewer: Viewer, targets: Targets): boolean {
  return asList(targets).some((t) => scopeContains(viewer.scope, t));
}

/** Aggregated figures. The public sees national and regional figures only (masked); users, their scope. */
export function canSeeAggregates(viewer: Viewer, targets: Targets): boolean {
  if (viewer.organisationType === "PUBLIC") {
    return asList(targets).every((t) => t.kind === "national" || t.kind === "region" || t.kind === "scope");
  }
  return withinScope(viewer, targets);
}

export function canSeeNamedList(viewer: Viewer, list: NamedList, targets: Targets): boolean {
  if (viewer.userId === null || !viewer.user) return false;
  if (!NAMED_LISTS_BY_TYPE[viewer.organisationType].includes(list)) return false;
  return withinScope(viewer, targets);
}

/** Which named lists the viewer may open at all (for menus). */
export function namedListsOf(viewer: Viewer): readonly NamedList[] {
  return viewer.userId === null ? [] : NAMED_LISTS_BY_TYPE[viewer.organisationType];
}

/**
 * The named lists of a territory (sans contrat, rupturants, abandons: /listes): signed-in users whose scope is a
 * territory or the nation and who may open one of them. A CFA's lists are in its space, not there.
 */
export function lisLesListesDuTerritoire(viewer: Viewer): boolean {
  if (viewer.userId === null || viewer.organisationType === "ORGANISME_FORMATION") return false;
  if (!["national", "region", "academie", "departement"].includes(viewer.scope.kind)) return false;
  return namedListsOf(viewer).some((l) => l === "sans_contrat" || l === "rupturants" || l === "abandons");
}

/** Contact fields of learners, on top of a named list the viewer may see. */
export function canSeeContacts(viewer: Viewer, targets: Targets): boolean {
  if (viewer.userId === null || !viewer.user) return false;
  if (!CONTACTS_BY_TYPE[viewer.organisationType]) return false;
  return withinScope(viewer, targets);
}

/**
 * The national team: the users of the ADMINISTRATEUR organisation, members and admins alike. They read what the
 * national team reads (figures, named lists and exports of all France) and transmit for every CFA (docs/decisions/039).
 */
export function isNationalTeam(viewer: Viewer): boolean {
  return viewer.userId !== null && viewer.organisationType === "ADMINISTRATEUR";
}

/**
 * A national administrator: an admin (role) of the national team. Administering accounts beyond one's organisation,
 * the sign-up requests, the access journal of the named lists and the imports of the référentiel are theirs
 * (docs/decisions/039): a member of the national team has none of them.
 */
export function isNationalAdmin(viewer: Viewer): boolean {
  return isNationalTeam(viewer) && viewer.user?.role === "admin";
}

/** An admin (role) of its organisation: it administers the organisation's accounts (a national admin, every account). */
export function isOrganisationAdmin(viewer: Viewer): boolean {
  return viewer.userId !== null && viewer.user?.role === "admin";
}

/** Whether the viewer administers accounts at all (the users page, invitations): an organisation's admin. */
export function gereDesComptes(viewer: Viewer): boolean {
  return isOrganisationAdmin(viewer);
}

/**
 * Whether the viewer administers this account (disables, re-enables, changes its role) or invites into this
 * organisation: a national admin, any; an organisation's admin, those of its own organisation.
 */
export function gereLesComptesDe(viewer: Viewer, organisationId: number): boolean {
  return isNationalAdmin(viewer) || (isOrganisationAdmin(viewer) && viewer.user?.organisationId === organisationId);
}

/** The sign-up requests (validate, refuse) and the accounts of every organisation: national admins. */
export function traiteLesDemandesDeCompte(viewer: Viewer): boolean {
  return isNationalAdmin(viewer);
}

/**
 * The accounts told of a new sign-up request, as the data layer selects them: those `traiteLesDemandesDeCompte`
 * lets process it (the admins of the national team; active accounts only, the query's own condition).
 */
export const COMPTES_QUI_TRAITENT_LES_DEMANDES = { organisationType: "ADMINISTRATEUR", role: "admin" } as const;

/** The access journal of the named lists (who read which list): national admins. */
export function lisLeJournalDesAcces(viewer: Viewer): boolean {
  return isNationalAdmin(viewer);
}

/** The imports of the référentiel (organismes, formations: they replace what everyone sees): national admins. */
export function importeLeReferentiel(viewer: Viewer): boolean {
  return isNationalAdmin(viewer);
}

/**
 * Whether a viewer exports the indicators (the Exports page and its downloads): a signed-in user who sees the national
 * aggregates — the national team and the national public operators.
 */
export function exporteLesIndicateurs(viewer: Viewer): boolean {
  return viewer.userId !== null && canSeeAggregates(viewer, { kind: "national" });
}

/**
 * Whether a viewer's named lists are those of its CFA space, not the territories' lists: a CFA user (its
 * organisation's learners, in /cfa).
 */
export function listesDansLEspaceCfa(viewer: Viewer): boolean {
  return viewer.userId !== null && viewer.organisationType === "ORGANISME_FORMATION";
}

/** Whether a viewer transmits effectifs at all (upload page, CFA spaces): the national team and CFA users. */
export function transmetDesEffectifs(viewer: Viewer): boolean {
  return isNationalTeam(viewer) || (viewer.userId !== null && viewer.organisationType === "ORGANISME_FORMATION");
}

/**
 * The organismes whose effectifs a viewer transmits and corrects (file upload, CFA spaces and their API keys):
 * null for every organisme (the national team), else the organismes of an ORGANISME_FORMATION user's
 * organisation (itself and its formateurs). Nobody else transmits: an empty list.
 */
export function organismesTransmis(viewer: Viewer): number[] | null {
  if (isNationalTeam(viewer)) return null;
  return transmetDesEffectifs(viewer) && viewer.scope.kind === "organisme" ? viewer.scope.organismeIds : [];
}

/**
 * Whether aggregates may be filtered below the région by organisme, réseau or bassin d'emploi: signed-in viewers
 * only (each value then checked against the scope); the public sees national and regional figures.
 */
export function canFilterBelowRegion(viewer: Viewer): boolean {
  return viewer.userId !== null;
}

/**
 * Whether aggregates may be filtered on the RQTH (recognised disabled worker: health data, a special category of
 * the GDPR): signed-in viewers only. For the public, a small cell of one formation in one région, crossed with sex
 * and age, would say « < 5 » against an exact 0 elsewhere: that some apprentice of the one CFA offering it there is
 * disabled (decision 007).
 */
export function canFilterOnRqth(viewer: Viewer): boolean {
  return viewer.userId !== null;
}

/**
 * Why a transmission of organisme X (its API key, or a file uploaded for it) may not write a dossier of formateur F
 * and responsable R, or null when it may (issue 3, decisions 014 and 024). `ecrit`: X and its formateurs
 * (organisme_relations). X writes the dossiers that one of them trains or is responsable of; a dossier of one of them
 * as formateur only, naming a responsable outside them, needs that responsable linked to F in the référentiel
 * (`relies`): a formateur does not name any responsable it likes. The pipeline's SQL guard (dansLePerimetre) is the
 * same rule where the rows are written.
 */
export function refusDEcritureDuDossier(
  ecrit: ReadonlySet<number>,
  formateurId: number,
  responsableId: number,
  relies: boolean,
): "hors_perimetre" | "responsable_non_relie" | null {
  if (!ecrit.has(formateurId) && !ecrit.has(responsableId)) return "hors_perimetre";
  if (!ecrit.has(responsableId) && !relies) return "responsable_non_relie";
  return null;
}

/** Whether a viewer transmits the effectifs of this organisme (see `organismesTransmis`). */
export function canTransmitFor(viewer: Viewer, organismeId: number): boolean {
  const ids = organismesTransmis(viewer);
  return ids === null || ids.includes(organismeId);
}

/** The effectifs of a perimeter: those trained by one of `organismeIds`, or whose responsable is one of `responsableIds`. */
export interface PerimetreEffectifs {
  organismeIds: number[];
  responsableIds: number[];
}

/**
 * The part of organisme X's space a viewer may see (docs/decisions/017). X's space covers X and its formateurs
 * (`formateurs`, organisme_relations) and the effectifs X is responsable of. A national viewer sees all of it. A CFA
 * user sees it within its own scope, never X's: the organismes of X's space that are in its scope, and the effectifs
 * X is responsable of only when X is one of its organisation's own rows. So a responsable's user, in the space of its
 * formateur F, sees F's learners, not those of F's own formateurs nor those F is the responsable of elsewhere.
 * Nobody else opens a space: nothing.
 */
export function perimetreDeLEspace(viewer: Viewer, organismeId: number, formateurs: number[]): PerimetreEffectifs {
  const tous = [...new Set([organismeId, ...formateurs])].sort((a, b) => a - b);
  const scope = viewer.scope;
  if (viewer.userId === null) return { organismeIds: [], responsableIds: [] };
  if (scope.kind === "national") return { organismeIds: tous, responsableIds: [organismeId] };
  if (scope.kind !== "organisme") return { organismeIds: [], responsableIds: [] };
  return {
    organismeIds: tous.filter((id) => scope.organismeIds.includes(id)),
    responsableIds: (scope.responsables ?? []).includes(organismeId) ? [organismeId] : [],
  };
}

/**
 * A viewer's part of organisme X's space: X (`organismeId`) and the `PerimetreEffectifs` that `perimetreDeLEspace`
 * gave. `responsableIds` absent: a space built by hand for X itself, which covers the effectifs X is responsable of.
 */
export interface PartDeLEspace {
  organismeId: number;
  organismeIds: number[];
  responsableIds?: number[];
}

/** The organismes whose effectifs, as responsable, the part covers. */
export function responsablesDeLEspace(espace: PartDeLEspace): number[] {
  return espace.responsableIds ?? [espace.organismeId];
}

/**
 * Whether the viewer sees the whole space (X's own users, national administrators), not a part of it narrowed to its
 * scope (decision 017): what is recorded for X without a learner's formateur (an archive, the rejected dossiers of its
 * transmissions) is shown by name only then.
 */
export function voitToutLEspace(espace: PartDeLEspace): boolean {
  return responsablesDeLEspace(espace).includes(espace.organismeId);
}

/**
 * Whether the rejected dossiers of X's transmissions are shown by name: to the whole space (voitToutLEspace), and to
 * a narrowed space that still covers every formateur of X (`formateurs`, organisme_relations) — the user of a
 * responsable opening the space of one of its formateurs, which has no formateur of its own outside the viewer's scope.
 * Every learner those dossiers can be about is then the viewer's (decision 017: a learner its formateurs train), and
 * the viewer may be the one who sent them (an upload for its formateur). Otherwise (a chain R → F → G where G is not
 * the viewer's), the dossiers are counted and their errors summarised, without names.
 */
export function voitLesRefusesNominatifs(espace: PartDeLEspace, formateurs: number[]): boolean {
  if (voitToutLEspace(espace)) return true;
  const couverts = new Set(espace.organismeIds);
  return [espace.organismeId, ...formateurs].every((id) => couverts.has(id));
}

/**
 * The scope of organisme X's dashboard: X as named (it, its formateurs, the learners it is responsable of) for the
 * national, territorial and réseau viewers, whose own scope bounds it through their filters; for a CFA user, the part
 * of X's space it sees (`perimetreDeLEspace`, decision 017). `formateurs`: X's formateurs (organisme_relations).
 */
export function scopeDuTableauDeLOrganisme(viewer: Viewer, organismeId: number, formateurs: number[]): Scope {
  if (viewer.scope.kind !== "organisme") return { kind: "organisme", organismeIds: [organismeId] };
  const perimetre = perimetreDeLEspace(viewer, organismeId, formateurs);
  return { kind: "organisme", organismeIds: perimetre.organismeIds, responsables: perimetre.responsableIds };
}

// --------------------------------------------------------------------------------- responses for loaders

const TEXT = { "Content-Type": "text/plain; charset=utf-8" };
const JSON_TYPE = { "Content-Type": "application/json; charset=utf-8" };

export const FORBIDDEN_MESSAGE = "Vous n'avez pas accès à ces données : elles sont hors du périmètre de votre organisation.";

/** A 403 Response to throw from a loader or action (`format: "json"` for API routes). No figure in it. */
export function forbidden(message = FORBIDDEN_MESSAGE, format: "text" | "json" = "text"): Response {
  return format === "json"
    ? new Response(JSON.stringify({ erreur: message }), { status: 403, headers: JSON_TYPE })
    : new Response(message, { status: 403, headers: TEXT });
}

export function notFound(message = "Cette page n'existe pas.", format: "text" | "json" = "text"): Response {
  return format === "json"
    ? new Response(JSON.stringify({ erreur: message }), { status: 404, headers: JSON_TYPE })
    : new Response(message, { status: 404, headers: TEXT });
}

export interface AssertOptions {
  format?: "text" | "json";
  message?: string;
}

export function assertCanSeeAggregates(viewer: Viewer, targets: Targets, options: AssertOptions = {}): void {
  if (!canSeeAggregates(viewer, targets)) {
    throw forbidden(
      options.message ??
        (viewer.userId === null ? "Ces données sont réservées aux utilisateurs connectés : connectez-vous pour y accéder." : FORBIDDEN_MESSAGE),
      options.format,
    );
  }
}

export function assertCanSeeNamedList(viewer: Viewer, list: NamedList, targets: Targets, options: AssertOptions = {}): void {
  if (!canSeeNamedList(viewer, list, targets)) {
    const message =
      viewer.userId === null
        ? "Les listes nominatives sont réservées aux utilisateurs connectés habilités."
        : !NAMED_LISTS_BY_TYPE[viewer.organisationType].includes(list)
          ? "Votre type d'organisation n'a pas accès à cette liste nominative."
          : FORBIDDEN_MESSAGE;
    throw forbidden(options.message ?? message, options.format);
  }
}

// ------------------------------------------------------------------------------------------ query scoping

export interface ScopeFilter {
  regionCode?: string;
  departementCode?: string;
  academieCode?: string;
  reseau?: string;
  /** Rows whose organisme (formateur, for effectifs) is one of these; [] = nothing. */
  organismeIds?: number[];
}

/** The restriction every indicator query must apply (AND) on top of the user's own filters. {} = national. */
export function scopeFilter(viewer: Viewer): ScopeFilter {
  const scope = viewer.scope;
  switch (scope.kind) {
    case "national":
      return {};
    case "region":
      return { regionCode: scope.code };
    case "departement":
      return { departementCode: scope.code };
    case "academie":
      return { academieCode: scope.code };
    case "reseau":
      return { reseau: scope.nom };
    case "organisme":
      return { organismeIds: [...scope.organismeIds] };
  }
}

/**
 * `scopeFilter` as a SQL condition on an `organismes` row aliased `alias` (for effectifs: join their organisme
 * formateur). `sql\`true\`` for national viewers; `false` when the scope is empty.
 */
export function scopeSql(viewer: Viewer, alias = "o"): SQL {
  const column = (name: string) => sql.raw(`${alias.replace(/[^a-z0-9_]/gi, "")}.${name}`);
  const f = scopeFilter(viewer);
  if (f.organismeIds) {
    return f.organismeIds.length
      ? sql`${column("id")} in (${sql.join(
          f.organismeIds.map((id) => sql`${id}`),
          sql`, `,
        )})`
      : sql`false`;
  }
  if (f.regionCode !== undefined) return sql`${column("region_code")} = ${f.regionCode}`;
  if (f.departementCode !== undefined) return sql`${column("departement_code")} = ${f.departementCode}`;
  if (f.academieCode !== undefined) return sql`${column("academie_code")} = ${f.academieCode}`;
  if (f.reseau !== undefined) return sql`${f.reseau} = any(${column("reseaux")})`;
  return sql`true`;
}

// ----------------------------------------------------------------------------------------------- masking

/** Small counts are masked for the public (PUBLIC_MASK_THRESHOLD, default 5); 0 for signed-in viewers. */
export function maskThreshold(viewer: Viewer): number {
  if (viewer.organisationType !== "PUBLIC") return 0;
  const configured = Number(process.env.PUBLIC_MASK_THRESHOLD ?? 5);
  return Number.isFinite(configured) && configured >= 0 ? Math.floor(configured) : 5;
}

export type MaskedCount = number | `< ${number}`;

/**
 * A count as the viewer may see it (pages, charts, CSV and JSON). For the public: 0 stays 0, 1…threshold-1 →
 * "< threshold", and every other count is rounded to the nearest multiple of the threshold. Masking alone is not
 * enough: a masked cell would be recovered by subtracting the other cells from the (exact) total, or one month from
 * the next; with every public figure rounded, such a difference carries an uncertainty wider than the masked range.
 * The rates the public sees are built on these figures. Signed-in users see exact figures.
 * Only counts of people are masked: the coverage and freshness of the data count organismes (CFAs, legal entities of
 * the public référentiel), which the dashboards show exactly to everyone (decision 007).
 */
export function maskSmallCounts(viewer: Viewer, value: number): MaskedCount;
export function maskSmallCounts(viewer: Viewer, value: number | null): MaskedCount | null;
export function maskSmallCounts(viewer: Viewer, value: number | null): MaskedCount | null {
  if (value === null) return null;
  const threshold = maskThreshold(viewer);
  if (threshold === 0 || value <= 0) return value;
  if (value < threshold) return `< ${threshold}`;
  return Math.round(value / threshold) * threshold;
}

// ------------------------------------------------------------------------------------- who is asking

const viewerCache = new WeakMap<Request, Promise<Viewer>>();

/**
 * The organismes of an ORGANISME_FORMATION organisation: `organismeIds`, its SIRET (and UAI when set) and their
 * formateurs; `responsableIds`, its own rows only (the effectifs they are responsable of are its learners too).
 */
export async function perimetreDeLOrganisation(database: Database, siret: string, uai: string | null): Promise<PerimetreEffectifs> {
  const own = await database.db
    .select({ id: organismes.id })
    .from(organismes)
    .where(uai ? and(eq(organismes.siret, siret), eq(organismes.uai, uai)) : eq(organismes.siret, siret));
  const ids = own.map((o) => o.id).sort((a, b) => a - b);
  if (!ids.length) return { organismeIds: [], responsableIds: [] };
  const formateurs = await database.db
    .select({ id: organismeRelations.formateurId })
    .from(organismeRelations)
    .where(inArray(organismeRelations.responsableId, ids));
  return { organismeIds: [...new Set([...ids, ...formateurs.map((f) => f.id)])].sort((a, b) => a - b), responsableIds: ids };
}

export async function viewerOfSession(database: Database, session: SessionRecord): Promise<AuthenticatedViewer> {
  const { organisation, user } = session;
  const perimetre =
    organisation.type === "ORGANISME_FORMATION" && organisation.siret
      ? await perimetreDeLOrganisation(database, organisation.siret, organisation.uai)
      : { organismeIds: [], responsableIds: [] };
  return {
    userId: user.id,
    organisationType: organisation.type,
    scope: scopeOfOrganisation(organisation, perimetre.organismeIds, perimetre.responsableIds),
    user: { ...user, organisationNom: organisation.nom },
    sessionId: session.sessionId,
  };
}

/**
 * The viewer of a request: the signed-in user with their organisation's scope, or the public viewer.
 * Without `database` (older callers) the answer is the public viewer: pass `context.database`.
 */
export function getViewer(request: Request, database?: Database): Promise<Viewer> {
  if (!database) return Promise.resolve(PUBLIC_VIEWER);
  let cached = viewerCache.get(request);
  if (!cached) {
    cached = (async () => {
      const session = await findSession(database, request);
      return session ? viewerOfSession(database, session) : PUBLIC_VIEWER;
    })();
    viewerCache.set(request, cached);
  }
  return cached;
}

/** The signed-in viewer, or a redirect to /connexion (coming back here after login). */
export async function requireUser(request: Request, database: Database): Promise<AuthenticatedViewer> {
  const viewer = await getViewer(request, database);
  if (viewer.userId === null || !viewer.user) {
    const url = new URL(request.url);
    throw redirect(`/connexion?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return viewer as AuthenticatedViewer;
}

/** The message of a national admin's page refused to a signed-in user: a member of the national team is told why. */
function reserveAuxAdministrateursNationaux(viewer: Viewer): string {
  return isNationalTeam(viewer)
    ? "Cette page est réservée aux administrateurs nationaux : votre rôle dans l'équipe nationale est « membre ». Un administrateur national peut changer votre rôle."
    : "Cette page est réservée aux administrateurs nationaux.";
}

export async function requireNationalAdmin(request: Request, database: Database): Promise<AuthenticatedViewer> {
  const viewer = await requireUser(request, database);
  if (!isNationalAdmin(viewer)) throw forbidden(reserveAuxAdministrateursNationaux(viewer));
  return viewer;
}

/** The national team (indicator exports): signed-in viewers who may see national aggregates. */
export async function requireEquipeNationale(request: Request, database: Database): Promise<AuthenticatedViewer> {
  const viewer = await requireUser(request, database);
  if (!exporteLesIndicateurs(viewer)) {
    throw forbidden("Les exports d'indicateurs sont réservés à l'équipe nationale (administrateurs et opérateurs publics nationaux).");
  }
  return viewer;
}

/** National admins, and admins of an organisation (who manage its users). */
export async function requireUserAdmin(request: Request, database: Database): Promise<AuthenticatedViewer> {
  const viewer = await requireUser(request, database);
  if (!gereDesComptes(viewer)) {
    throw forbidden(
      "Cette page est réservée aux administrateurs de votre organisation et aux administrateurs nationaux : votre rôle est « membre ». " +
        "Un administrateur de votre organisation peut changer votre rôle.",
    );
  }
  return viewer;
}

// ------------------------------------------------------------------------------------------ targets

/** An organisme as a policy target (territory, réseaux, responsables), or null when it does not exist. */
export async function resolveOrganismeTarget(database: Database, organismeId: number): Promise<OrganismeTarget | null> {
  if (!Number.isSafeInteger(organismeId) || organismeId <= 0) return null;
  const [row] = await database.db
    .select({
      id: organismes.id,
      siret: organismes.siret,
      uai: organismes.uai,
      regionCode: organismes.regionCode,
      departementCode: organismes.departementCode,
      academieCode: organismes.academieCode,
      reseaux: organismes.reseaux,
    })
    .from(organismes)
    .where(eq(organismes.id, organismeId))
    .limit(1);
  if (!row) return null;
  const responsables = await database.db
    .select({ id: organismeRelations.responsableId })
    .from(organismeRelations)
    .where(eq(organismeRelations.formateurId, organismeId));
  return { kind: "organisme", ...row, responsableIds: responsables.map((r) => r.id) };
}

/**
 * For loaders: the organisme target if the viewer may see its aggregates; throws 404 when it does not exist
 * and 403 when it is outside the viewer's scope.
 */
export async function requireOrganismeTarget(
  database: Database,
  viewer: Viewer,
  organismeId: number,
  options: AssertOptions = {},
): Promise<OrganismeTarget> {
  const target = await resolveOrganismeTarget(database, organismeId);
  if (!target) throw notFound("Cet organisme n'existe pas dans le référentiel.", options.format);
  assertCanSeeAggregates(viewer, target, options);
  return target;
}

/** The targets of a set of filters (their intersection), ready for canSee…; validate codes before. */
export function targetsOfFilters(filters: { regionCode?: string | null; departementCode?: string | null; academieCode?: string | null; reseau?: string | null }): Target[] {
  const targets: Target[] = [];
  if (filters.regionCode) targets.push({ kind: "region", code: filters.regionCode });
  if (filters.departementCode) targets.push({ kind: "departement", code: filters.departementCode });
  if (filters.academieCode) targets.push({ kind: "academie", code: filters.academieCode });
  if (filters.reseau) targets.push({ kind: "reseau", nom: filters.reseau });
  return targets.length ? targets : [{ kind: "scope" }];
}

// ------------------------------------------------------------------------------------------ audit log

export interface NamedListAccess {
  list: NamedList;
  filters: Record<string, unknown>;
  rowCount: number;
  action: "view" | "download";
}

/** Writes one audit entry for a view or download of a named list (who, when, which list, filters, row count). */
export async function logNamedListAccess(database: Database, viewer: Viewer, access: NamedListAccess): Promise<void> {
  if (viewer.userId === null || !viewer.user) throw new Error("Seul un utilisateur connecté peut consulter une liste nominative.");
  await database.db.insert(namedListAccessLog).values({
    userId: viewer.userId,
    userEmail: viewer.user.email,
    organisationId: viewer.user.organisationId,
    organisationType: viewer.organisationType,
    list: access.list,
    action: access.action,
    filters: JSON.parse(JSON.stringify(access.filters ?? {})) as Record<string, unknown>,
    rowCount: access.rowCount,
  });
}

// ---------------------------------------------------------------------------------------------- référentiel pages

/** Public bodies with a territory (they see the référentiel's anomalies of their territory). */
const TERRITORIAL_TYPES = new Set(["DREETS", "DRAAF", "CONSEIL_REGIONAL", "CARIF_OREF_REGIONAL", "ACADEMIE", "DDETS"]);

/** Anomalies of the référentiel: national admins (all) and territorial services (their territory). */
export function canSeeReferentielAnomalies(viewer: Viewer): boolean {
  if (viewer.userId === null) return false;
  return viewer.organisationType === "ADMINISTRATEUR" || TERRITORIAL_TYPES.has(viewer.organisationType);
}

/**
 * Anomalies of one organisme, on its page: whoever sees the référentiel's anomalies, and the CFA's own users (they
 * correct them). Not the public: the page stays public, its data-quality notes do not. Ask it with the viewer of
 * the page (`viewerOfOrganismePage`): the organisme must be in the viewer's scope.
 */
export function canSeeAnomaliesOfOrganisme(viewer: Viewer): boolean {
  return canSeeReferentielAnomalies(viewer) || (viewer.userId !== null && viewer.organisationType === "ORGANISME_FORMATION");
}

/**
 * Whom the répertoire of organismes (/organismes, /api/v1/organismes) is listed for. Its columns are public and the
 * public lists every organisme: a signed-in user lists them all too (signing in never reduces what one sees,
 * decision 004). Its scope is a filter it may ask for (`perimetre=mien`), which bounds the list and the filters' choices.
 */
export function viewerOfRepertoire(viewer: Viewer, perimetre: "mien" | "france" | undefined): Viewer {
  return perimetre === "mien" ? viewer : { ...viewer, scope: { kind: "national" } };
}

/**
 * Whom an organisme's page (/organismes/:id) is shown as. The répertoire is public, and a signed-in user never sees
 * less than the public: every viewer gets the page. Inside the viewer's scope it is shown as the viewer itself (its
 * anomalies, data quality and dashboard as its rights allow); outside, as the public (what an anonymous visitor
 * sees: identity, links, catalogue offer, no figures). Ask canSee… with the viewer returned.
 */
export function viewerOfOrganismePage(viewer: Viewer, organisme: OrganismeTarget): Viewer {
  return scopeContains(viewer.scope, organisme) ? viewer : PUBLIC_VIEWER;
}

/**
 * Whom aggregated figures of `targets` (a dashboard's territory, its territory filters) are shown as. Signing in
 * never reduces what one sees: inside the viewer's scope, the viewer itself; outside it, when the public may see
 * them (national and regional figures), the public — masked and rounded figures (decision 007), nothing below the
 * région, no named data, exactly what an anonymous visitor gets, the page saying why; else null: a 403 (a
 * département, an académie or an organisme outside the scope, which the public does not see either).
 */
export function viewerOfAggregates(viewer: Viewer, targets: Targets): Viewer | null {
  if (canSeeAggregates(viewer, targets)) return viewer;
  return canSeeAggregates(PUBLIC_VIEWER, targets) ? PUBLIC_VIEWER : null;
}

/**
 * Whom the public figures of all France are shown as, when a viewer asks for them on a page the public sees all France
 * of (the national and formation dashboards, `perimetre=france`: decision 037): a signed-in viewer whose scope is not
 * national gets the public — exactly what an anonymous visitor gets (masked, nothing below the région, no named
 * data), as outside its scope (viewerOfAggregates); a viewer whose page already is all of France (the public, a
 * national scope) stays itself.
 */
export function viewerOfPublicFigures(viewer: Viewer): Viewer {
  return viewer.userId !== null && viewer.scope.kind !== "national" ? PUBLIC_VIEWER : viewer;
}

/**
 * The dashboards of organismes listed within the viewer's scope (a formation's organismes): any signed-in viewer.
 * The public sees national and regional figures only (canSeeAggregates refuses it any organisme).
 */
export function canSeeDashboardsOfListedOrganismes(viewer: Viewer): boolean {
  return viewer.userId !== null;
}

/** Non-transmitting CFAs: signed-in users of public bodies (national, territorial, têtes de réseau), in scope. */
export function canSeeNonTransmetteurs(viewer: Viewer): boolean {
  if (viewer.userId === null) return false;
  return (
    viewer.organisationType === "ADMINISTRATEUR" ||
    viewer.organisationType === "OPERATEUR_PUBLIC_NATIONAL" ||
    viewer.organisationType === "TETE_DE_RESEAU" ||
    TERRITORIAL_TYPES.has(viewer.organisationType)
  );
}

/** A territory filter of an address (région, département or académie code), as its parameter names it. */
export interface FiltreTerritoire {
  param: "region" | "departement" | "academie";
  code: string;
}

/** « la région 11 (Île-de-France) », « le département 69 (Rhône) », « l'académie 10 (Lyon) »: for the messages. */
function territoireEnMots(kind: FiltreTerritoire["param"], code: string): string {
  switch (kind) {
    case "region":
      return `la région ${code}${NOMS_REGIONS[code] ? ` (${NOMS_REGIONS[code]})` : ""}`;
    case "departement":
      return `le département ${code}${DEPARTEMENTS[code] ? ` (${DEPARTEMENTS[code][0]})` : ""}`;
    case "academie": {
      const nom = ACADEMIES.find((a) => a.code === code)?.nom;
      return `l'académie ${code}${nom ? ` (${nom})` : ""}`;
    }
  }
}

/**
 * The territory filters (région, département, académie) of a list restricted to the viewer's scope (the
 * non-transmitting CFAs, the named lists of a territory) that the viewer may not ask for, each with its French
 * message: for a territorial scope (région, département, académie), a territory that does not lie inside it —
 * answering it with the scope's rows filtered by it would say « nobody » of a territory the viewer sees nothing of.
 * National viewers may ask for any territory; a réseau's or an organisme's scope is narrowed by a territory (its
 * CFAs in that territory), never widened.
 */
export function filtresTerritoireHorsPerimetre(
  viewer: Viewer,
  filtres: Partial<Record<FiltreTerritoire["param"], string | undefined>>,
): (FiltreTerritoire & { message: string })[] {
  const scope = viewer.scope;
  if (scope.kind !== "region" && scope.kind !== "departement" && scope.kind !== "academie") return [];
  const hors: (FiltreTerritoire & { message: string })[] = [];
  for (const param of ["region", "departement", "academie"] as const) {
    const code = filtres[param];
    if (!code || scopeContains(scope, { kind: param, code })) continue;
    const asked = territoireEnMots(param, code);
    hors.push({
      param,
      code,
      message:
        `paramètre « ${param} » : ${asked} est hors du périmètre de votre organisation, qui est ${territoireEnMots(scope.kind, scope.code)} ; ` +
        `choisissez un territoire de ce périmètre, ou aucun pour le voir en entier`,
    });
  }
  return hors;
}

/**
 * Leaves out of `query` the territory filters the viewer may not ask for (`filtresTerritoireHorsPerimetre`), their
 * messages added to `errors`: the page then shows the viewer's whole scope, answered as a 403. True when one was.
 */
export function ecarterTerritoiresHorsPerimetre(
  viewer: Viewer,
  query: Partial<Record<FiltreTerritoire["param"], string | undefined>>,
  errors: string[],
): boolean {
  const hors = filtresTerritoireHorsPerimetre(viewer, query);
  for (const h of hors) {
    errors.push(h.message);
    delete query[h.param];
  }
  return hors.length > 0;
}
