/**
 * The read-only resource routes (API v1, downloads, exports) answer any method other than GET with a French 405
 * and `Allow`, before any access check: never Remix's English "Unexpected Server Error"; a POST to a page without
 * a form gets its French error page (pageSansFormulaire), without Remix's internals, in the page or its data. A resource route (a module
 * of app/routes without a default export) missing from the list below fails the first test. Needs `npm run -s build`.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";

/** Each read-only resource route and an address that opens it. */
const LECTURE_SEULE: Record<string, string> = {
  "api.openapi[.]json.tsx": "/api/openapi.json",
  "api.v1.formations.tsx": "/api/v1/formations",
  "api.v1.offres.tsx": "/api/v1/offres",
  "api.v1.organismes.tsx": "/api/v1/organismes",
  "cfa.$organismeId.export[.]csv.tsx": "/cfa/1/export.csv",
  "cfa.$organismeId.export[.]xlsx.tsx": "/cfa/1/export.xlsx",
  "exports.telechargement.tsx": "/exports/telechargement",
  "listes.$liste[.]csv.tsx": "/listes/sans-contrat.csv",
  "listes.$liste[.]xlsx.tsx": "/listes/abandons.xlsx",
  "referentiel.non-transmetteurs[.csv].tsx": "/referentiel/non-transmetteurs.csv",
  "referentiel.non-transmetteurs[.xlsx].tsx": "/referentiel/non-transmetteurs.xlsx",
  "tableau[.]csv.tsx": "/tableau.csv",
  "tableau[.]json.tsx": "/tableau.json",
  "televersement.modele[.]csv.tsx": "/televersement/modele.csv",
  "televersement.modele[.]xlsx.tsx": "/televersement/modele.xlsx",
};
/**
 * Resource routes that receive data (the API v3: its own tests cover its methods), and the API's unknown addresses
 * (a 404 in JSON whatever the method, tested below).
 */
const ECRIVENT = ["api.$.tsx", "api.v3.dossiers-apprenants.tsx", "api.v3.dossiers-apprenants.test"];

function resourceRoutes(): string[] {
  const dir = path.resolve("app/routes");
  return fs
    .readdirSync(dir)
    .filter((f) => {
      const file = fs.statSync(path.join(dir, f)).isDirectory() ? path.join(dir, f, "route.tsx") : path.join(dir, f);
      return !/export default/.test(fs.readFileSync(file, "utf8"));
    })
    .sort();
}

const built = fs.existsSync(path.resolve("build/index.js"));
let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };

beforeAll(async () => {
  if (!built) return;
  t = await createTestDatabase({ territories: false });
  app = await serveApp(t.database);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe("read-only resource routes", () => {
  it("are all listed here", () => {
    expect([...Object.keys(LECTURE_SEULE), ...ECRIVENT].sort()).toEqual(resourceRoutes());
  });

  it.skipIf(!built).each(Object.entries(LECTURE_SEULE))("%s answers POST, PUT and DELETE with a French 405", async (_, url) => {
    for (const method of ["POST", "PUT", "DELETE"]) {
      const res = await fetch(app.baseUrl + url, { method, body: method === "DELETE" ? undefined : "a=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
      expect(res.status, `${method} ${url}`).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
      expect(await res.json()).toEqual({ erreur: expect.stringMatching(/^Méthode non permise : cette adresse se lit seulement \(GET\)/) });
    }
  });
  // a page without a form: its action (pageSansFormulaire) throws a French 405; the page's error boundary shows it
  it("every page has an action: its form's, or pageSansFormulaire", () => {
    const dir = path.resolve("app/routes");
    const sansAction = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".tsx"))
      .filter((f) => {
        const source = fs.readFileSync(path.join(dir, f), "utf8");
        return /export default/.test(source) && !/export (async )?function action|export const action|as action }/.test(source);
      });
    expect(sansAction).toEqual([]);
    // a POST to a layout's own address (without ?index) goes to the layout: the root's, for "/"
    expect(fs.readFileSync(path.resolve("app/root.tsx"), "utf8")).toContain("pageSansFormulaire as action");
  });
  it.skipIf(!built).each(["/", "/?index", "/regions/84", "/organismes", "/formations", "/cfa", "/cfa/1", "/organismes/1", "/api/doc"])("POST %s: a French 405 page", async (url) => {
    const res = await fetch(app.baseUrl + url, { method: "POST", body: "a=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    const html = await res.text();
    const page = html.slice(html.indexOf("<main"), html.indexOf("</main>"));
    expect(page).toContain("<h1>Méthode non permise</h1>");
    expect(page).toContain("Cette page ne reçoit pas de formulaire : ouvrez-la depuis son lien ou depuis le menu.");
    // nor in the hydration data: no English message naming the route module
    expect(html).not.toMatch(/You made a POST|did not provide an `action`/);
  });
});

describe.skipIf(!built)("an address of the API that no route serves", () => {
  it.each(["GET", "POST"])("%s: a French 404 in JSON saying where the routes are described", async (method) => {
    const res = await fetch(`${app.baseUrl}/api/v2/dossiers-apprenants`, { method, body: method === "POST" ? "[]" : undefined });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual({
      error: "not_found",
      message: expect.stringMatching(/^Adresse inconnue de l'API : \/api\/v2\/dossiers-apprenants\. Les adresses servies sont décrites dans \/api\/doc/),
    });
    // the routes served are not shadowed
    expect((await fetch(`${app.baseUrl}/api/v1/organismes`)).status).toBe(200);
    expect((await fetch(`${app.baseUrl}/api/doc`)).status).toBe(200);
  });
});

/**
 * A raw HTTP exchange (what fetch cannot send): the pieces written 50 ms apart, the whole answer read until the server
 * closes.
 */
function brut(baseUrl: string, ...morceaux: string[]): Promise<string> {
  const { port, hostname } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => morceaux.forEach((m, i) => setTimeout(() => socket.writable && socket.write(m), i * 50)));
    let recu = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (recu += d));
    socket.on("error", reject);
    socket.on("close", () => resolve(recu));
  });
}

describe.skipIf(!built)("requests Node's HTTP parser refuses before the app", () => {
  it("a very long address (431): a short French page saying so, the connection closed", async () => {
    const res = await fetch(`${app.baseUrl}/organismes?q=${"é".repeat(3000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("connection")).toBe("close");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    // written on the socket, outside Express: a page that runs no script at all
    expect(res.headers.get("content-security-policy")).toContain("script-src 'none'");
    const html = await res.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain("L'adresse demandée est trop longue");
    // the server still answers the next request
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  });

  it("a request it cannot read (400): a French page, the connection closed", async () => {
    const reponse = await brut(app.baseUrl, "N'IMPORTE QUOI\r\n\r\n");
    expect(reponse).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reponse).toContain("Connection: close");
    expect(reponse).toContain("La requête reçue est mal formée");
  });

  it("headers sent slowly past the limit: the whole answer arrives, not a reset", async () => {
    const reponse = await brut(app.baseUrl, `GET /organismes?q=${"a".repeat(10_000)}`, "b".repeat(10_000), `${"c".repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(reponse).toMatch(/^HTTP\/1\.1 431 /);
    expect(reponse).toContain("L'adresse demandée est trop longue");
  });
});
