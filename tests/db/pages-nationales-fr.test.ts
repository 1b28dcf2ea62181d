/**
 * The national team's pages as they render (each route's loader on a real database, its component rendered on the
 * server as Remix does): the counts of /admin/imports (summary and recent imports, with the kind as the form names
 * it), of /referentiel/anomalies and the page numbers of /organismes, written in French (narrow no-break spaces,
 * "1,3 s"), even past a thousand.
 */
import { createElement, type ComponentType } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { sessions } from "../helpers/sessions";
import { texte } from "../helpers/http";
import { luhnCompletion } from "../../app/referentiel/codes";
import { startImport, waitForImport } from "../../app/referentiel/import-jobs.server";
import * as adminImports from "../../app/routes/admin.imports";
import * as anomalies from "../../app/routes/referentiel.anomalies";
import * as organismes from "../../app/routes/organismes._index";
import * as inscription from "../../app/routes/inscription";
import * as utilisateurs from "../../app/routes/admin.utilisateurs";

const NNBSP = "\u202f";
const N = 1_200;
let t: TestDatabase;
const { compte, requete } = sessions(() => t.database);

/** A CSV of N organismes (valid SIRETs, no nature: "inconnue", an anomaly), their raison sociale suffixed. */
function fichier(suffixe: string): Uint8Array {
  const lignes = ["siret;raison_sociale;code_postal"];
  for (let i = 0; i < N; i++) {
    const p13 = `13${String(i).padStart(11, "0")}`;
    lignes.push(`${p13}${luhnCompletion(p13)};CFA numéro ${i}${suffixe};69001`);
  }
  return Buffer.from(lignes.join("\n"), "utf8");
}

/** The page's text, its narrow no-break spaces kept (texte() would make them plain spaces, as any \s). */
const texteFr = (html: string) => texte(html.replace(/\u202f/g, "§NNBSP§")).replace(/§NNBSP§/g, NNBSP);

type Route = { loader: (args: never) => unknown; default: ComponentType };

/** The page of `url`: the route's loader run for the admin, its data through JSON as the browser gets it, then rendered. */
async function page(route: Route, url: string): Promise<string> {
  const reponse = await (route.loader as (args: unknown) => Promise<unknown>)({ request: requete(url, "admin"), context: { database: t.database }, params: {} });
  // a Response (Response.json), Remix's data() (headers or status: its `data`), or the plain value
  const valeur = reponse instanceof Response ? await reponse.json() : (reponse as { type?: string }).type === "DataWithResponseInit" ? (reponse as { data: unknown }).data : reponse;
  const donnees = JSON.parse(JSON.stringify(valeur));
  const router = createMemoryRouter([{ id: "page", path: "*", Component: route.default, loader: () => null }], {
    initialEntries: [url],
    hydrationData: { loaderData: { page: donnees } },
  });
  // react-router's links warn that their layout effect does not run on the server: nothing else is expected
  const erreur = vi.spyOn(console, "error").mockImplementation((message: unknown) => {
    if (!String(message).includes("useLayoutEffect does nothing on the server")) throw new Error(String(message));
  });
  try {
    return texteFr(renderToStaticMarkup(createElement(RouterProvider, { router })));
  } finally {
    erreur.mockRestore();
  }
}

let second: string;
beforeAll(async () => {
  t = await createTestDatabase();
  await compte("admin", { type: "ADMINISTRATEUR" }, "admin");
  const premier = await startImport(t.database, { kind: "organismes", fileName: "organismes.csv", bytes: fichier(""), startedBy: "admin@test.fr" });
  expect(await waitForImport(t.database, premier.id, 60_000)).toMatchObject({ error: null, summary: { created: N } });
  const job = await startImport(t.database, { kind: "organismes", fileName: "organismes-2.csv", bytes: fichier(" (nouveau nom)"), startedBy: "admin@test.fr" });
  expect(await waitForImport(t.database, job.id, 60_000)).toMatchObject({ error: null, summary: { updated: N } });
  second = job.id;
}, 180_000);
afterAll(async () => t?.drop());

describe("/admin/imports", () => {
  it("the summary: counts with a narrow no-break space, the duration with a decimal comma", async () => {
    const html = await page(adminImports as unknown as Route, `/admin/imports?import=${second}`);
    expect(html).toMatch(new RegExp(`1${NNBSP}200 lignes lues en \\d+,\\d s — 0 créé, 1${NNBSP}200 mis à jour, 0 inchangé, 0 ligne rejetée\\.`));
    expect(html).not.toMatch(/1200|\d\.\d s/);
  });

  it("the recent imports: the kind as the form names it, the result's counts formatted", async () => {
    const html = await page(adminImports as unknown as Route, "/admin/imports");
    const tableau = html.slice(html.indexOf("Imports récents"));
    expect(tableau).toContain(`Organismes organismes-2.csv admin@test.fr 0 créé, 1${NNBSP}200 mis à jour, 0 rejet`);
    expect(tableau).toContain(`Organismes organismes.csv admin@test.fr 1${NNBSP}200 créés, 0 mis à jour, 0 rejet`);
    expect(tableau).not.toMatch(/ organismes organismes/);
  });
});

describe("/referentiel/anomalies and /organismes", () => {
  it("the counts of each kind of anomaly", async () => {
    const html = await page(anomalies as unknown as Route, "/referentiel/anomalies");
    expect(html).toContain(`Nature inconnue : 1${NNBSP}200`);
    expect(html).toContain(`1${NNBSP}200 organismes concernés`);
  });

  it("the page numbers, in the table's caption and the pagination", async () => {
    const html = await page(organismes as unknown as Route, "/organismes?limit=1");
    expect(html).toContain(`Organismes, page 1 sur 1${NNBSP}200`);
    expect(html).toContain(` 1${NNBSP}200 Page suivante`);
    expect(html).not.toMatch(/\b1200\b/);
  });
});

describe("the région lists of /inscription and of the invitation form of /admin/utilisateurs", () => {
  it.each([
    ["/inscription", inscription, "Hauts-de-France (32) Île-de-France (11) La Réunion (04)"],
    ["/admin/utilisateurs", utilisateurs, "Hauts-de-France Île-de-France La Réunion"],
  ])("%s: in French alphabetical order, Île-de-France among the I", async (url, route, suite) => {
    const html = await page(route as unknown as Route, url);
    expect(html).toContain(suite);
    expect(html).not.toMatch(/Provence-Alpes-Côte d'Azur (\(93\) )?Île-de-France/);
  });

  it("/inscription: the UAI example is a valid UAI", async () => {
    const html = await page(inscription as unknown as Route, "/inscription");
    expect(html).toContain("par exemple 0693456G");
  });
});
