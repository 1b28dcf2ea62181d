/**
 * The policy as a truth table (docs/domain.md, "Who sees what"): every organisation type × in-scope and
 * out-of-scope targets, for aggregated figures, each named list, and contact fields. Pure: no database.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import {
  assertCanSeeAggregates,
  assertCanSeeNamedList,
  canFilterBelowRegion,
  canSeeAggregates,
  canSeeContacts,
  canSeeNamedList,
  canTransmitFor,
  filtresTerritoireHorsPerimetre,
  forbidden,
  lisLesListesDuTerritoire,
  maskSmallCounts,
  maskThreshold,
  organismesTransmis,
  perimetreDeLEspace,
  refusDEcritureDuDossier,
  COMPTES_QUI_TRAITENT_LES_DEMANDES,
  traiteLesDemandesDeCompte,
  scopeDuTableauDeLOrganisme,
  exporteLesIndicateurs,
  listesDansLEspaceCfa,
  voitLesRefusesNominatifs,
  voitToutLEspace,
  PUBLIC_VIEWER,
  scopeContains,
  offreLeDepartement,
  scopeFilter,
  scopeOfOrganisation,
  scopeSql,
  targetsOfFilters,
  transmetDesEffectifs,
  viewerOfOrganismePage,
  viewerOfPublicFigures,
  type NamedList,
  type OrganisationType,
  type OrganismeTarget,
  type Scope,
  type Target,
  type Viewer,
} from "../../app/auth/policy.server";

// ------------------------------------------------------------------------------------------ the world

/** R: a responsable in Lyon (69, académie 10, région 84, réseau A); F: its formateur in the Ain (01); X: Paris. */
const R: OrganismeTarget = { kind: "organisme", id: 1, siret: "r", uai: null, regionCode: "84", departementCode: "69", academieCode: "10", reseaux: ["A"], responsableIds: [] };
const F: OrganismeTarget = { kind: "organisme", id: 2, siret: "f", uai: null, regionCode: "84", departementCode: "01", academieCode: "10", reseaux: [], responsableIds: [1] };
const X: OrganismeTarget = { kind: "organisme", id: 9, siret: "x", uai: null, regionCode: "11", departementCode: "75", academieCode: "01", reseaux: ["B"], responsableIds: [] };

const TARGETS = {
  national: { kind: "national" },
  "région 84": { kind: "region", code: "84" },
  "région 11": { kind: "region", code: "11" },
  "département 69": { kind: "departement", code: "69" },
  "département 01": { kind: "departement", code: "01" },
  "département 75": { kind: "departement", code: "75" },
  "département 38": { kind: "departement", code: "38" },
  "académie 10": { kind: "academie", code: "10" },
  "académie 08": { kind: "academie", code: "08" },
  "académie 01": { kind: "academie", code: "01" },
  "réseau A": { kind: "reseau", nom: "A" },
  "réseau B": { kind: "reseau", nom: "B" },
  "organisme R": R,
  "organisme F": F,
  "organisme X": X,
} satisfies Record<string, Target>;
type TargetName = keyof typeof TARGETS;
const ALL = Object.keys(TARGETS) as TargetName[];

type AccountType = Exclude<OrganisationType, "PUBLIC">;

function viewer(type: AccountType, scope: Viewer["scope"], organismeUser = false): Viewer {
  return {
    userId: 1,
    organisationType: type,
    scope,
    user: { id: 1, email: "x@test.fr", nom: "", prenom: "", role: "member", organisationId: 1, organisationNom: organismeUser ? "CFA" : type },
  };
}

const VIEWERS: Record<AccountType | "ORGANISME_FORMATEUR" | "PUBLIC", Viewer> = {
  ADMINISTRATEUR: viewer("ADMINISTRATEUR", { kind: "national" }),
  OPERATEUR_PUBLIC_NATIONAL: viewer("OPERATEUR_PUBLIC_NATIONAL", { kind: "national" }),
  DREETS: viewer("DREETS", { kind: "region", code: "84" }),
  DRAAF: viewer("DRAAF", { kind: "region", code: "84" }),
  CONSEIL_REGIONAL: viewer("CONSEIL_REGIONAL", { kind: "region", code: "84" }),
  CARIF_OREF_REGIONAL: viewer("CARIF_OREF_REGIONAL", { kind: "region", code: "84" }),
  ACADEMIE: viewer("ACADEMIE", { kind: "academie", code: "10" }),
  DDETS: viewer("DDETS", { kind: "departement", code: "69" }),
  TETE_DE_RESEAU: viewer("TETE_DE_RESEAU", { kind: "reseau", nom: "A" }),
  /** The responsable R: itself and its formateur F. */
  ORGANISME_FORMATION: viewer("ORGANISME_FORMATION", { kind: "organisme", organismeIds: [1, 2] }, true),
  /** The formateur F: only itself. */
  ORGANISME_FORMATEUR: viewer("ORGANISME_FORMATION", { kind: "organisme", organismeIds: [2] }, true),
  PUBLIC: PUBLIC_VIEWER,
};
type ViewerName = keyof typeof VIEWERS;

const REGION_84: TargetName[] = ["région 84", "département 69", "département 01", "département 38", "académie 10", "académie 08", "organisme R", "organisme F"];

/** Where each viewer may see aggregated figures (everything else is refused). */
const AGGREGATES: Record<ViewerName, TargetName[]> = {
  ADMINISTRATEUR: ALL,
  OPERATEUR_PUBLIC_NATIONAL: ALL,
  DREETS: REGION_84,
  DRAAF: REGION_84,
  CONSEIL_REGIONAL: REGION_84,
  CARIF_OREF_REGIONAL: REGION_84,
  ACADEMIE: ["académie 10", "département 69", "département 01", "organisme R", "organisme F"],
  DDETS: ["département 69", "organisme R"],
  TETE_DE_RESEAU: ["réseau A", "organisme R"],
  ORGANISME_FORMATION: ["organisme R", "organisme F"],
  ORGANISME_FORMATEUR: ["organisme F"],
  PUBLIC: ["national", "région 84", "région 11"],
};

const SIGNALS: NamedList[] = ["sans_contrat", "rupturants", "abandons"];
const LISTS: NamedList[] = [...SIGNALS, "tous"];

/** Which named lists each viewer may open, and where. */
const NAMED: Record<ViewerName, { lists: NamedList[]; where: TargetName[] }> = {
  ADMINISTRATEUR: { lists: LISTS, where: ALL },
  OPERATEUR_PUBLIC_NATIONAL: { lists: [], where: [] },
  DREETS: { lists: SIGNALS, where: REGION_84 },
  DRAAF: { lists: SIGNALS, where: REGION_84 },
  CONSEIL_REGIONAL: { lists: [], where: [] },
  CARIF_OREF_REGIONAL: { lists: [], where: [] },
  ACADEMIE: { lists: SIGNALS, where: AGGREGATES.ACADEMIE },
  DDETS: { lists: SIGNALS, where: AGGREGATES.DDETS },
  TETE_DE_RESEAU: { lists: [], where: [] },
  ORGANISME_FORMATION: { lists: LISTS, where: ["organisme R", "organisme F"] },
  ORGANISME_FORMATEUR: { lists: LISTS, where: ["organisme F"] },
  PUBLIC: { lists: [], where: [] },
};

/** Where each viewer may see the learners' contact fields. */
const CONTACTS: Record<ViewerName, TargetName[]> = {
  ADMINISTRATEUR: ALL,
  OPERATEUR_PUBLIC_NATIONAL: [],
  DREETS: REGION_84,
  DRAAF: REGION_84,
  CONSEIL_REGIONAL: [],
  CARIF_OREF_REGIONAL: [],
  ACADEMIE: [],
  DDETS: [],
  TETE_DE_RESEAU: [],
  ORGANISME_FORMATION: ["organisme R", "organisme F"],
  ORGANISME_FORMATEUR: ["organisme F"],
  PUBLIC: [],
};

/** Whose effectifs each viewer transmits (upload, CFA space, API keys): null = every organisme. */
const TRANSMITS: Record<ViewerName, number[] | null> = {
  ADMINISTRATEUR: null,
  OPERATEUR_PUBLIC_NATIONAL: [],
  DREETS: [],
  DRAAF: [],
  CONSEIL_REGIONAL: [],
  CARIF_OREF_REGIONAL: [],
  ACADEMIE: [],
  DDETS: [],
  TETE_DE_RESEAU: [],
  ORGANISME_FORMATION: [1, 2],
  ORGANISME_FORMATEUR: [2],
  PUBLIC: [],
};

const VIEWER_NAMES = Object.keys(VIEWERS) as ViewerName[];

describe.each(VIEWER_NAMES)("%s", (name) => {
  const v = VIEWERS[name];

  it.each(ALL)("aggregated figures of %s", (target) => {
    expect(canSeeAggregates(v, TARGETS[target])).toBe(AGGREGATES[name].includes(target));
  });

  it.each(ALL)("named lists of %s", (target) => {
    for (const list of LISTS) {
      const expected = NAMED[name].lists.includes(list) && NAMED[name].where.includes(target);
      expect(canSeeNamedList(v, list, TARGETS[target]), `${list} → ${target}`).toBe(expected);
    }
  });

  it.each(ALL)("contacts of %s", (target) => {
    expect(canSeeContacts(v, TARGETS[target])).toBe(CONTACTS[name].includes(target));
  });

  it("filters aggregates by organisme, réseau or bassin only when signed in", () => {
    expect(canFilterBelowRegion(v)).toBe(name !== "PUBLIC");
  });

  it("transmits the effectifs of its own organismes only (national administrators: every organisme)", () => {
    expect(organismesTransmis(v)).toEqual(TRANSMITS[name]);
    expect(transmetDesEffectifs(v)).toBe(TRANSMITS[name] === null || name.startsWith("ORGANISME_"));
    for (const o of [R, F, X]) expect(canTransmitFor(v, o.id), `organisme ${o.id}`).toBe(TRANSMITS[name]?.includes(o.id) ?? true);
  });

  it("sees every organisme's page, never less than the public: as itself inside its scope, as the public outside", () => {
    for (const [label, o] of [["organisme R", R], ["organisme F", F], ["organisme X", X]] as const) {
      const inScope = name === "PUBLIC" || AGGREGATES[name].includes(label);
      expect(viewerOfOrganismePage(v, o), label).toBe(inScope ? v : PUBLIC_VIEWER);
    }
  });

  it("asking the public figures of all France (decision 037): the public for a scope that is not national, else itself", () => {
    const national = name === "PUBLIC" || v.scope.kind === "national";
    expect(viewerOfPublicFigures(v)).toBe(national ? v : PUBLIC_VIEWER);
  });

  it("its own scope ({ kind: 'scope' }) is always visible in aggregate, named lists as its type allows", () => {
    expect(canSeeAggregates(v, { kind: "scope" })).toBe(true);
    for (const list of LISTS) expect(canSeeNamedList(v, list, { kind: "scope" })).toBe(NAMED[name].lists.includes(list));
  });

  it("the assert helpers throw a 403 Response without any figure when refused", () => {
    for (const target of ALL) {
      const allowed = canSeeAggregates(v, TARGETS[target]);
      let thrown: unknown = null;
      try {
        assertCanSeeAggregates(v, TARGETS[target]);
      } catch (error) {
        thrown = error;
      }
      if (allowed) expect(thrown).toBeNull();
      else {
        expect(thrown).toBeInstanceOf(Response);
        expect((thrown as Response).status).toBe(403);
      }
    }
  });
});

describe("named lists of a territory (/listes)", () => {
  /** Signed-in users with a territory (or the nation) and one of the three lists; a CFA's lists are in its space. */
  const READERS: ViewerName[] = ["ADMINISTRATEUR", "DREETS", "DRAAF", "ACADEMIE", "DDETS"];
  it.each(Object.keys(VIEWERS) as ViewerName[])("%s", (name) => {
    expect(lisLesListesDuTerritoire(VIEWERS[name])).toBe(READERS.includes(name));
  });
});

describe("intersections of targets (filters)", () => {
  it("a réseau's CFAs in another région stay in the réseau's scope; a région user cannot reach out through a réseau", () => {
    expect(canSeeAggregates(VIEWERS.TETE_DE_RESEAU, [TARGETS["réseau A"], TARGETS["région 11"]])).toBe(true);
    expect(canSeeAggregates(VIEWERS.TETE_DE_RESEAU, [TARGETS["région 84"]])).toBe(false);
    expect(canSeeAggregates(VIEWERS.DREETS, [TARGETS["région 11"], TARGETS["réseau A"]])).toBe(false);
    expect(canSeeAggregates(VIEWERS.DREETS, [TARGETS["région 84"], TARGETS["réseau B"]])).toBe(true);
    expect(canSeeAggregates(VIEWERS.DREETS, [])).toBe(false);
    expect(canSeeAggregates(VIEWERS.ADMINISTRATEUR, [])).toBe(true);
  });

  it("the public sees only national and regional figures, never finer", () => {
    expect(canSeeAggregates(PUBLIC_VIEWER, [TARGETS["région 84"], TARGETS["département 69"]])).toBe(false);
    expect(canSeeAggregates(PUBLIC_VIEWER, [TARGETS["région 84"]])).toBe(true);
  });

  it("targetsOfFilters turns filters into an intersection, or the viewer's scope", () => {
    expect(targetsOfFilters({})).toEqual([{ kind: "scope" }]);
    expect(targetsOfFilters({ regionCode: "84", reseau: "A", departementCode: null })).toEqual([
      { kind: "region", code: "84" },
      { kind: "reseau", nom: "A" },
    ]);
  });

  it("an empty scope code grants nothing", () => {
    const broken = viewer("DREETS", { kind: "region", code: "" });
    expect(ALL.filter((t) => canSeeAggregates(broken, TARGETS[t]))).toEqual([]);
    expect(scopeContains({ kind: "organisme", organismeIds: [] }, R)).toBe(false);
  });

  it("the territory filters offer a territorial scope its own départements, the others every one", () => {
    const offerts = (scope: Scope) => ["69", "01", "75", "2A", "971"].filter((code) => offreLeDepartement(scope, code));
    expect(offerts({ kind: "region", code: "84" })).toEqual(["69", "01"]);
    expect(offerts({ kind: "academie", code: "10" })).toEqual(["69", "01"]);
    expect(offerts({ kind: "departement", code: "2A" })).toEqual(["2A"]);
    expect(offerts({ kind: "region", code: "" })).toEqual([]);
    for (const scope of [{ kind: "national" }, { kind: "reseau", nom: "A" }, { kind: "organisme", organismeIds: [1] }] as Scope[]) {
      expect(offerts(scope), scope.kind).toEqual(["69", "01", "75", "2A", "971"]);
    }
  });

  it("named-list refusals say why, in French", () => {
    const call = (v: Viewer, list: NamedList, target: Target) => {
      try {
        assertCanSeeNamedList(v, list, target);
        return null;
      } catch (error) {
        return error as Response;
      }
    };
    return Promise.all([
      call(VIEWERS.CONSEIL_REGIONAL, "rupturants", TARGETS["région 84"])!.text(),
      call(VIEWERS.DREETS, "rupturants", TARGETS["région 11"])!.text(),
      call(PUBLIC_VIEWER, "abandons", TARGETS.national)!.text(),
    ]).then(([type, scope, anonymous]) => {
      expect(type).toBe("Votre type d'organisation n'a pas accès à cette liste nominative.");
      expect(scope).toBe("Vous n'avez pas accès à ces données : elles sont hors du périmètre de votre organisation.");
      expect(anonymous).toBe("Les listes nominatives sont réservées aux utilisateurs connectés habilités.");
    });
  });

  it("JSON refusals for API routes", async () => {
    const response = forbidden(undefined, "json");
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ erreur: "Vous n'avez pas accès à ces données : elles sont hors du périmètre de votre organisation." });
  });
});

describe("territory filters of a list of organismes (non-transmetteurs)", () => {
  const hors = (name: ViewerName, filtres: Record<string, string>) => filtresTerritoireHorsPerimetre(VIEWERS[name], filtres).map((h) => h.param);
  it("refuses, for a territorial scope, a territory that does not lie inside it — the aggregates' rule", () => {
    for (const name of ["DREETS", "ACADEMIE", "DDETS"] as const) {
      for (const [param, code, target] of [
        ["region", "84", "région 84"],
        ["region", "11", "région 11"],
        ["departement", "69", "département 69"],
        ["departement", "75", "département 75"],
        ["departement", "38", "département 38"],
        ["academie", "10", "académie 10"],
        ["academie", "01", "académie 01"],
      ] as const) {
        expect(hors(name, { [param]: code }), `${name} ${param}=${code}`).toEqual(AGGREGATES[name].includes(target) ? [] : [param]);
      }
    }
    expect(hors("DDETS", { region: "11", departement: "75", academie: "01" })).toEqual(["region", "departement", "academie"]);
    expect(hors("DDETS", { departement: "69" })).toEqual([]);
    expect(hors("DDETS", {})).toEqual([]);
  });
  it("lets the nation ask for any territory, and a réseau narrow its CFAs to one", () => {
    expect(hors("ADMINISTRATEUR", { region: "11", departement: "75" })).toEqual([]);
    expect(hors("OPERATEUR_PUBLIC_NATIONAL", { academie: "01" })).toEqual([]);
    expect(hors("TETE_DE_RESEAU", { region: "11", departement: "75" })).toEqual([]);
  });
  it("says which parameter, which territory and the viewer's, in French", () => {
    expect(filtresTerritoireHorsPerimetre(VIEWERS.DDETS, { region: "11" })).toEqual([
      {
        param: "region",
        code: "11",
        message:
          "paramètre « region » : la région 11 (Île-de-France) est hors du périmètre de votre organisation, qui est le département 69 (Rhône) ; choisissez un territoire de ce périmètre, ou aucun pour le voir en entier",
      },
    ]);
    expect(filtresTerritoireHorsPerimetre(VIEWERS.ACADEMIE, { departement: "75" })[0].message).toBe(
      "paramètre « departement » : le département 75 (Paris) est hors du périmètre de votre organisation, qui est l'académie 10 (Lyon) ; choisissez un territoire de ce périmètre, ou aucun pour le voir en entier",
    );
  });
});

describe("scopeFilter and scopeSql", () => {
  const dialect = new PgDialect();
  const render = (v: Viewer) => {
    const { sql: text, params } = dialect.sqlToQuery(sql`select 1 from organismes o where ${scopeSql(v, "o")}`);
    return { sql: text, params };
  };

  it("restricts every indicator query to the viewer's scope", () => {
    expect(scopeFilter(VIEWERS.ADMINISTRATEUR)).toEqual({});
    expect(scopeFilter(VIEWERS.OPERATEUR_PUBLIC_NATIONAL)).toEqual({});
    expect(scopeFilter(PUBLIC_VIEWER)).toEqual({});
    expect(scopeFilter(VIEWERS.DREETS)).toEqual({ regionCode: "84" });
    expect(scopeFilter(VIEWERS.ACADEMIE)).toEqual({ academieCode: "10" });
    expect(scopeFilter(VIEWERS.DDETS)).toEqual({ departementCode: "69" });
    expect(scopeFilter(VIEWERS.TETE_DE_RESEAU)).toEqual({ reseau: "A" });
    expect(scopeFilter(VIEWERS.ORGANISME_FORMATION)).toEqual({ organismeIds: [1, 2] });
  });

  it("as SQL with bound parameters", () => {
    expect(render(VIEWERS.ADMINISTRATEUR)).toEqual({ sql: "select 1 from organismes o where true", params: [] });
    expect(render(VIEWERS.DREETS)).toEqual({ sql: "select 1 from organismes o where o.region_code = $1", params: ["84"] });
    expect(render(VIEWERS.TETE_DE_RESEAU)).toEqual({ sql: "select 1 from organismes o where $1 = any(o.reseaux)", params: ["A"] });
    expect(render(VIEWERS.ORGANISME_FORMATION)).toEqual({ sql: "select 1 from organismes o where o.id in ($1, $2)", params: [1, 2] });
    expect(render(viewer("ORGANISME_FORMATION", { kind: "organisme", organismeIds: [] })).sql).toBe("select 1 from organismes o where false");
    // The alias cannot inject SQL.
    expect(dialect.sqlToQuery(scopeSql(VIEWERS.DREETS, "o; drop table x")).sql).toBe("odroptablex.region_code = $1");
  });
});

describe("the part of a CFA space a viewer sees (decision 017)", () => {
  // R (1) → F (2) → G (3): F is R's formateur, G is F's.
  const deR = viewer("ORGANISME_FORMATION", { kind: "organisme", organismeIds: [1, 2], responsables: [1] }, true);
  const deF = viewer("ORGANISME_FORMATION", { kind: "organisme", organismeIds: [2, 3], responsables: [2] }, true);

  it("a CFA's scope: itself and its formateurs, its own rows as responsables", () => {
    const cfa = { type: "ORGANISME_FORMATION", regionCode: null, departementCode: null, academieCode: null, reseau: null } as const;
    expect(scopeOfOrganisation(cfa, [1, 2], [1])).toEqual({ kind: "organisme", organismeIds: [1, 2], responsables: [1] });
    expect(scopeOfOrganisation(cfa, [1, 2])).toEqual({ kind: "organisme", organismeIds: [1, 2], responsables: [] });
    // a responsable outside the organismes is never kept
    expect(scopeOfOrganisation(cfa, [2], [1, 2])).toEqual({ kind: "organisme", organismeIds: [2], responsables: [2] });
  });

  it("never reaches beyond the viewer's scope", () => {
    // R's user: its own space whole; F's space without G, nor the learners F is the responsable of
    expect(perimetreDeLEspace(deR, 1, [2])).toEqual({ organismeIds: [1, 2], responsableIds: [1] });
    expect(perimetreDeLEspace(deR, 2, [3])).toEqual({ organismeIds: [2], responsableIds: [] });
    // F's user: F's space whole, G's without what G would be the responsable of
    expect(perimetreDeLEspace(deF, 2, [3])).toEqual({ organismeIds: [2, 3], responsableIds: [2] });
    expect(perimetreDeLEspace(deF, 3, [])).toEqual({ organismeIds: [3], responsableIds: [] });
    // a hand-built scope without its own rows: formateurs only
    expect(perimetreDeLEspace(VIEWERS.ORGANISME_FORMATION, 1, [2])).toEqual({ organismeIds: [1, 2], responsableIds: [] });
  });

  it("whole for a national administrator, nothing for the others", () => {
    expect(perimetreDeLEspace(VIEWERS.ADMINISTRATEUR, 2, [3])).toEqual({ organismeIds: [2, 3], responsableIds: [2] });
    expect(perimetreDeLEspace(VIEWERS.DREETS, 2, [3])).toEqual({ organismeIds: [], responsableIds: [] });
    expect(perimetreDeLEspace(PUBLIC_VIEWER, 2, [3])).toEqual({ organismeIds: [], responsableIds: [] });
  });

  it("an organisme's dashboard: the part of its space for a CFA user, the organisme as named for the others", () => {
    expect(scopeDuTableauDeLOrganisme(deR, 2, [3])).toEqual({ kind: "organisme", organismeIds: [2], responsables: [] });
    expect(scopeDuTableauDeLOrganisme(deF, 2, [3])).toEqual({ kind: "organisme", organismeIds: [2, 3], responsables: [2] });
    expect(scopeDuTableauDeLOrganisme(VIEWERS.DREETS, 2, [3])).toEqual({ kind: "organisme", organismeIds: [2] });
    expect(scopeDuTableauDeLOrganisme(VIEWERS.ADMINISTRATEUR, 2, [3])).toEqual({ kind: "organisme", organismeIds: [2] });
  });

  it("shows by name what has no learner's formateur only to the whole space, rejected dossiers also to a part covering every formateur", () => {
    const espace = (v: Viewer, organismeId: number, formateurs: number[]) => ({ organismeId, ...perimetreDeLEspace(v, organismeId, formateurs) });
    // R's user: its own space is whole; F's space (F has no formateur of its own) is a part that covers F entirely
    expect(voitToutLEspace(espace(deR, 1, [2]))).toBe(true);
    expect(voitToutLEspace(espace(deR, 2, []))).toBe(false);
    expect(voitLesRefusesNominatifs(espace(deR, 2, []), [])).toBe(true);
    // chain R → F → G, G outside R's scope: F's rejected dossiers may be about G's learners
    expect(voitLesRefusesNominatifs(espace(deR, 2, [3]), [3])).toBe(false);
    expect(voitLesRefusesNominatifs(espace(deF, 2, [3]), [3])).toBe(true);
    expect(voitToutLEspace(espace(VIEWERS.ADMINISTRATEUR, 2, [3]))).toBe(true);
    // a space built by hand for the organisme itself (no responsableIds) is whole
    expect(voitToutLEspace({ organismeId: 5, organismeIds: [5] })).toBe(true);
  });
});

describe("what a transmission of an organisme may write (decisions 014, 024)", () => {
  // X (1) and its formateur F (2); G (3) and S (4) are others
  const ecrit = new Set([1, 2]);
  it("its own dossiers, and those it is responsable of, whoever trains them", () => {
    expect(refusDEcritureDuDossier(ecrit, 1, 1, false)).toBeNull();
    expect(refusDEcritureDuDossier(ecrit, 2, 1, false)).toBeNull();
    expect(refusDEcritureDuDossier(ecrit, 3, 1, false)).toBeNull();
  });
  it("as formateur, naming an outside responsable: only one linked to it in the référentiel", () => {
    expect(refusDEcritureDuDossier(ecrit, 2, 4, false)).toBe("responsable_non_relie");
    expect(refusDEcritureDuDossier(ecrit, 2, 4, true)).toBeNull();
  });
  it("nothing of others", () => {
    expect(refusDEcritureDuDossier(ecrit, 3, 4, true)).toBe("hors_perimetre");
  });
});

describe("who exports the indicators, whose named lists are in the CFA space", () => {
  it.each(Object.keys(VIEWERS) as ViewerName[])("%s", (name) => {
    const v = VIEWERS[name];
    expect(exporteLesIndicateurs(v)).toBe(name === "ADMINISTRATEUR" || name === "OPERATEUR_PUBLIC_NATIONAL");
    expect(listesDansLEspaceCfa(v)).toBe(name === "ORGANISME_FORMATION" || name === "ORGANISME_FORMATEUR");
  });

  it("the accounts told of a sign-up request are those that may process it", () => {
    const { organisationType, role } = COMPTES_QUI_TRAITENT_LES_DEMANDES;
    const compte = (r: "admin" | "member") => ({ ...VIEWERS.ADMINISTRATEUR, organisationType, user: { ...VIEWERS.ADMINISTRATEUR.user!, role: r } });
    expect(traiteLesDemandesDeCompte(compte(role))).toBe(true);
    expect(traiteLesDemandesDeCompte(compte("member"))).toBe(false);
  });

  it("never for the public, whose figures are national", () => {
    expect(exporteLesIndicateurs(PUBLIC_VIEWER)).toBe(false);
    expect(listesDansLEspaceCfa(PUBLIC_VIEWER)).toBe(false);
  });
});

describe("small counts", () => {
  afterEach(() => {
    delete process.env.PUBLIC_MASK_THRESHOLD;
  });

  it("the public sees 1–4 as '< 5' and the other counts rounded to 5; 0 stays 0; signed-in users see every figure", () => {
    expect([0, 1, 4, 5, 7, 8, 120, 1234].map((n) => maskSmallCounts(PUBLIC_VIEWER, n))).toEqual([0, "< 5", "< 5", 5, 5, 10, 120, 1235]);
    expect(maskSmallCounts(PUBLIC_VIEWER, null)).toBeNull();
    for (const name of VIEWER_NAMES.filter((n) => n !== "PUBLIC")) {
      expect(maskThreshold(VIEWERS[name])).toBe(0);
      expect(maskSmallCounts(VIEWERS[name], 1)).toBe(1);
    }
  });

  it("the threshold is configurable by PUBLIC_MASK_THRESHOLD", () => {
    process.env.PUBLIC_MASK_THRESHOLD = "10";
    expect(maskThreshold(PUBLIC_VIEWER)).toBe(10);
    expect([9, 10, 14, 15].map((n) => maskSmallCounts(PUBLIC_VIEWER, n))).toEqual(["< 10", 10, 10, 20]);
    process.env.PUBLIC_MASK_THRESHOLD = "n'importe quoi";
    expect(maskThreshold(PUBLIC_VIEWER)).toBe(5);
    process.env.PUBLIC_MASK_THRESHOLD = "0";
    expect(maskSmallCounts(PUBLIC_VIEWER, 1)).toBe(1);
  });
});
