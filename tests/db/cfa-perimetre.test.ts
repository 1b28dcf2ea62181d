/**
 * The CFA space and the figures stay inside the viewer's scope (docs/decisions/017), on a chain of the référentiel
 * R → F → G (tests/db/perimetre-fixtures.ts). A responsable R's user sees itself and its formateur F: in F's space,
 * F's learners, never those of F's own formateur G that F is the responsable of; F's own user sees F and G.
 * PGlite by default, the PostgreSQL server when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { createSession } from "../../app/auth/session.server";
import { getViewer, type AuthenticatedViewer } from "../../app/auth/policy.server";
import { organismesDeLEspace, requireEspaceCfa, scopeDeLEspace, type EspaceCfa } from "../../app/cfa/acces.server";
import { ficheApprenant, listerApprenants, optionsFiltres } from "../../app/cfa/apprenants.server";
import { parseFiltresApprenants } from "../../app/cfa/apprenants";
import { archivesRecentes, supprimerEffectif } from "../../app/cfa/doublons.server";
import { indicateurs } from "../../app/indicateurs/indicateurs.server";
import { accueilCfa, enteteEspace, formateursDuResponsable } from "../../app/cfa/espace.server";
import { chargerTableau } from "../../app/tableaux/page.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { seedChaine, type Chaine } from "./perimetre-fixtures";
import type { Persona } from "./auth-fixtures";

const TODAY = todayIso();
let t: TestDatabase;
let c: Chaine;
const cookies = {} as Record<Persona, string>;
const viewers = {} as Record<Persona, AuthenticatedViewer>;

const request = (who: Persona) => new Request("http://localhost/", { headers: { cookie: cookies[who] } });

function espace(who: Persona, organismeId: number): Promise<EspaceCfa> {
  return requireEspaceCfa(request(who), t.database, String(organismeId));
}

async function apprenants(e: EspaceCfa): Promise<string[]> {
  const page = await listerApprenants(t.database, e, parseFiltresApprenants(new URLSearchParams("limit=100"), TODAY).filtres, e.contacts);
  return page.lignes.map((l) => l.idErpApprenant).sort();
}

async function refus(promise: Promise<unknown>): Promise<number> {
  const thrown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(Response);
  return (thrown as Response).status;
}

beforeAll(async () => {
  t = await createTestDatabase();
  c = await seedChaine(t.database, { avecResponsableR: true });
  for (const who of ["ORGANISME_FORMATION", "CFA_FORMATEUR", "ADMINISTRATEUR"] as const) {
    cookies[who] = (await createSession(t.database, c.accounts[who].id, new Request("http://localhost/"))).split(";")[0];
    viewers[who] = (await getViewer(request(who), t.database)) as AuthenticatedViewer;
  }
}, 120_000);
afterAll(async () => t?.drop());

const tri = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe("the viewer's scope", () => {
  it("a CFA's scope is itself and its formateurs; its own rows are the responsables whose learners it sees", () => {
    const { R, F } = c.ref;
    expect(viewers.ORGANISME_FORMATION.scope).toEqual({ kind: "organisme", organismeIds: tri([R.id, F.id]), responsables: [R.id] });
    expect(viewers.CFA_FORMATEUR.scope).toEqual({ kind: "organisme", organismeIds: tri([F.id, c.G.id]), responsables: [F.id] });
  });
});

describe("the space of a formateur, opened by its responsable's user", () => {
  it("covers the formateur's learners, not those of the formateur's own formateurs", async () => {
    const { R, F } = c.ref;
    const e = await espace("ORGANISME_FORMATION", F.id);
    expect(e.organismeIds).toEqual([F.id]);
    expect(e.responsableIds).toEqual([]);
    expect(await organismesDeLEspace(t.database, F.id, viewers.ORGANISME_FORMATION)).toEqual([F.id]);
    expect(await organismesDeLEspace(t.database, F.id)).toEqual(tri([F.id, c.G.id]));
    expect(await apprenants(e)).toEqual(["F-1", "F-2", "FX-1"]);
    expect(await ficheApprenant(t.database, e, c.ids["G-1"], true, TODAY)).toBeNull();
    expect(await ficheApprenant(t.database, e, c.ids["RG-1"], true, TODAY)).toBeNull();
    expect(await ficheApprenant(t.database, e, c.ids["F-1"], true, TODAY)).not.toBeNull();
    // the filter of the list offers no organisme outside the scope
    const options = await optionsFiltres(t.database, e);
    expect(JSON.stringify(options)).not.toContain(c.G.raisonSociale);
    // its own space: itself, its formateur, and the learners it is the responsable of (RG-1, trained by G)
    const mien = await espace("ORGANISME_FORMATION", R.id);
    expect(mien.organismeIds).toEqual(tri([R.id, F.id]));
    expect(mien.responsableIds).toEqual([R.id]);
    expect(await apprenants(mien)).toEqual(["F-1", "F-2", "FX-1", "R-1", "RG-1"]);
    // G itself is out of scope
    expect(await refus(espace("ORGANISME_FORMATION", c.G.id))).toBe(403);
  });

  it("the formateur's own user and the national administrators still see all of it", async () => {
    const { F } = c.ref;
    const sien = await espace("CFA_FORMATEUR", F.id);
    expect(sien.organismeIds).toEqual(tri([F.id, c.G.id]));
    expect(sien.responsableIds).toEqual([F.id]);
    const tous = ["F-1", "F-2", "FX-1", "G-1", "G-2", "G-3", "RG-1"];
    expect(await apprenants(sien)).toEqual(tous);
    const admin = await espace("ADMINISTRATEUR", F.id);
    expect(admin.organismeIds).toEqual(tri([F.id, c.G.id]));
    expect(await apprenants(admin)).toEqual(tous);
    // F's user in G's space: G's learners (G is F's formateur), not those G would be the responsable of
    const g = await espace("CFA_FORMATEUR", c.G.id);
    expect(g.organismeIds).toEqual([c.G.id]);
    expect(g.responsableIds).toEqual([]);
    expect(await apprenants(g)).toEqual(["G-1", "G-2", "G-3", "RG-1"]);
  });
});

describe("the formateurs page of a space", () => {
  it("lists only the formateurs in the viewer's space: not F's own formateur G to R's user", async () => {
    const { R, F } = c.ref;
    const noms = async (who: Persona, organismeId: number) =>
      (await formateursDuResponsable(t.database, await espace(who, organismeId))).map((f) => f.id);
    expect(await noms("ORGANISME_FORMATION", F.id)).toEqual([]);
    expect(await noms("ORGANISME_FORMATION", R.id)).toEqual([F.id]);
    expect(await noms("CFA_FORMATEUR", F.id)).toEqual([c.G.id]);
    expect(await noms("ADMINISTRATEUR", F.id)).toEqual([c.G.id]);
    // the layout's menu counts the same formateurs
    expect((await enteteEspace(t.database, await espace("ORGANISME_FORMATION", F.id))).nbFormateurs).toBe(0);
    expect((await enteteEspace(t.database, await espace("CFA_FORMATEUR", F.id))).nbFormateurs).toBe(1);
  });
});

describe("the figures", () => {
  const apprenantsDe = async (scope: Parameters<typeof indicateurs>[1]["scope"], exact: boolean) =>
    (await indicateurs(t.database, { date: TODAY, today: TODAY, scope, exact, by: "organisme" })).repartition!.lignes.map(
      (l) => [Number(l.code), l.compteurs.apprenants] as const,
    );

  it("a CFA's figures count its scope, not one level of formateurs more", async () => {
    const { R, F } = c.ref;
    for (const exact of [true, false]) {
      const lignes = new Map(await apprenantsDe(viewers.ORGANISME_FORMATION.scope, exact));
      // R-1; F-1, F-2, FX-1; RG-1 only at G (R is its responsable), not G-1…G-3
      expect(Object.fromEntries(lignes), `exact=${exact}`).toEqual({ [R.id]: 1, [F.id]: 3, [c.G.id]: 1 });
      const duFormateur = new Map(await apprenantsDe(viewers.CFA_FORMATEUR.scope, exact));
      expect(Object.fromEntries(duFormateur), `exact=${exact}`).toEqual({ [F.id]: 3, [c.G.id]: 4 });
    }
  });

  it("the space's scope counts exactly its learners' list", async () => {
    const { F } = c.ref;
    for (const [who, n] of [["ORGANISME_FORMATION", 3], ["CFA_FORMATEUR", 7], ["ADMINISTRATEUR", 7]] as const) {
      const e = await espace(who, F.id);
      const r = await indicateurs(t.database, { date: TODAY, today: TODAY, scope: scopeDeLEspace(e), exact: true });
      expect(r.compteurs.apprenants, who).toBe(n);
      expect((await apprenants(e)).length, who).toBe(n);
    }
    // an organisme's dashboard (organismes named, not a viewer's scope) keeps its formateurs
    const tableau = await indicateurs(t.database, { date: TODAY, today: TODAY, scope: { kind: "organisme", organismeIds: [F.id] }, exact: true });
    expect(tableau.compteurs.apprenants).toBe(7);
  });

  it("the space's home page and the organisme's dashboard count what the viewer's space of it shows", async () => {
    const { F } = c.ref;
    for (const [who, n] of [["ORGANISME_FORMATION", 3], ["CFA_FORMATEUR", 7], ["ADMINISTRATEUR", 7]] as const) {
      const accueil = await accueilCfa(t.database, await espace(who, F.id));
      expect(accueil.compteurs.apprenants, `accueil ${who}`).toBe(n);
      const tableau = await chargerTableau(
        new Request(`http://localhost/organismes/${F.id}/tableau-de-bord`, { headers: { cookie: cookies[who] } }),
        t.database,
        { kind: "organisme", id: F.id },
        { today: TODAY },
      );
      expect(tableau.resultat!.chiffres.find((x) => x.cle === "apprenants")?.valeur, `tableau de bord ${who}`).toBe(n);
    }
  });
});

describe("the archives of a space", () => {
  it("an archive made in F's space by F's user is not shown to R's user when it is of G's learner", async () => {
    const { F } = c.ref;
    const sien = await espace("CFA_FORMATEUR", F.id);
    await supprimerEffectif(t.database, viewers.CFA_FORMATEUR, sien, c.ids["G-3"], "Doublon");
    await supprimerEffectif(t.database, viewers.CFA_FORMATEUR, sien, c.ids["F-2"], "Doublon");
    const noms = async (e: EspaceCfa) => (await archivesRecentes(t.database, e)).archives.map((a) => a.idErpApprenant).sort();
    expect(await noms(sien)).toEqual(["F-2", "G-3"]);
    expect(await noms(await espace("ORGANISME_FORMATION", F.id))).toEqual(["F-2"]);
    expect(await noms(await espace("ADMINISTRATEUR", F.id))).toEqual(["F-2", "G-3"]);
  });
});
