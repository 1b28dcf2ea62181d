/**
 * The account pages over HTTP, against the built app (`npm run -s build` first) and a real database: login and
 * logout, session fixation, CSRF on every form, login throttling, cookie attributes, password reset, invitation,
 * sign-up, and passwords never written to the logs.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { attendreMail } from "../helpers/mails";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { texte } from "../helpers/http";
import { namedListAccessLog, sessions, users } from "../../db/schema";
import { mailOutbox } from "../../app/auth/mail.server";
import { sessionCookieName } from "../../app/auth/session.server";
import { Browser, emailOf, PASSWORD, seedAccounts, seedReferentiel, type Persona, type Referentiel } from "./auth-fixtures";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let ref: Referentiel;
let accounts: Record<Persona, { id: number; email: string }>;

// Everything written to the console or to stdout/stderr while this file runs.
const logged: string[] = [];
const SECRETS = [PASSWORD, "Nouveau-secret-tres-long-1", "Invite-secret-tres-long-2", "Mauvais-secret-tres-long-3", "Autre-secret-tres-long-4"];

beforeAll(async () => {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      original(...args);
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  accounts = await seedAccounts(t.database, ref);
  app = await serveApp(t.database);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await app?.close();
  await t?.drop();
});

const sessionCookie = () => sessionCookieName();

describe("login and logout", () => {
  it("shows the login form with a CSRF token and an anonymous CSRF cookie (HttpOnly, SameSite=Lax)", async () => {
    const browser = new Browser(app.baseUrl);
    const response = await browser.get("/connexion");
    expect(response.status).toBe(200);
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("tdb_csrf="));
    expect(setCookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Max-Age=86400$/);
    const html = await response.text();
    expect(html).toContain("Connexion");
    expect(html).toMatch(/name="csrf" value="[A-Za-z0-9_-]{43}"/);
  });

  it("a good login opens a session cookie (HttpOnly, SameSite=Lax, not Secure outside production) and goes where asked", async () => {
    const browser = new Browser(app.baseUrl);
    const response = await browser.login(emailOf("DREETS"), PASSWORD);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/compte");
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${sessionCookie()}=`))!;
    expect(setCookie).toMatch(/^tdb_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    const account = await browser.get("/compte");
    expect(account.status).toBe(200);
    const html = await account.text();
    expect(html).toContain("DREETS Auvergne-Rhône-Alpes");
    expect(html).toContain("Région Auvergne-Rhône-Alpes (84)");
    expect(account.headers.get("cache-control")).toBe("private, no-store");
    // the dashboards too (figures the public does not see), whose routes say nothing of caching
    // and their data, which the browser's client-side navigations read (single fetch: `.data`)
    for (const page of ["/", "/regions/84", "/referentiel/anomalies", "/_root.data", "/regions/84.data", "/organismes.data", "/referentiel/anomalies.data"]) {
      const r = await browser.get(page);
      expect([page, r.status, r.headers.get("cache-control")]).toEqual([page, 200, "private, no-store"]);
    }
  });

  it("a bad login says so in French, without telling whether the account exists", async () => {
    const browser = new Browser(app.baseUrl);
    for (const email of [emailOf("DRAAF"), "inconnu@test.fr"]) {
      const response = await browser.login(email, SECRETS[3]);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain("Adresse e-mail ou mot de passe incorrect.");
      expect(response.headers.getSetCookie().some((c) => c.startsWith(`${sessionCookie()}=`))).toBe(false);
    }
  });

  it("never redirects off-site after login", async () => {
    const browser = new Browser(app.baseUrl);
    const csrf = await browser.csrf("/connexion");
    const response = await browser.post("/connexion", { csrf, email: emailOf("DDETS"), password: PASSWORD, redirectTo: "//evil.example/x" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/");
  });

  it("logout needs a POST with the token, ends the session server-side and clears the cookie", async () => {
    const browser = new Browser(app.baseUrl);
    await browser.login(emailOf("CONSEIL_REGIONAL"), PASSWORD);
    const stolen = browser.cookieHeader();
    const csrf = await browser.csrf("/deconnexion");
    const response = await browser.post("/deconnexion", { csrf });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/connexion?deconnecte");
    expect(response.headers.getSetCookie().find((c) => c.startsWith(`${sessionCookie()}=`))).toMatch(/Max-Age=0/);
    // The old cookie is dead even if replayed.
    const replay = await fetch(`${app.baseUrl}/compte`, { headers: { cookie: stolen }, redirect: "manual" });
    expect(replay.status).toBe(302);
    expect(replay.headers.get("location")).toBe("/connexion?redirectTo=%2Fcompte");
  });
});

describe("session fixation", () => {
  it("the session id changes at login: a cookie set before login is never the session", async () => {
    const browser = new Browser(app.baseUrl);
    const planted = "A".repeat(43);
    browser.cookies.set(sessionCookie(), planted);
    await browser.login(emailOf("ACADEMIE"), PASSWORD);
    expect(browser.cookies.get(sessionCookie())).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(browser.cookies.get(sessionCookie())).not.toBe(planted);
  });

  it("logging in again replaces the session: the previous id stops working", async () => {
    const browser = new Browser(app.baseUrl);
    await browser.login(emailOf("ACADEMIE"), PASSWORD);
    const first = browser.cookies.get(sessionCookie())!;
    // Posting the login form while signed in (token of the session) issues a new id.
    const csrf = await browser.csrf("/compte");
    const response = await browser.post("/connexion", { csrf, email: emailOf("ACADEMIE"), password: PASSWORD, redirectTo: "/compte" });
    expect(response.status).toBe(302);
    const second = browser.cookies.get(sessionCookie())!;
    expect(second).not.toBe(first);
    const old = await fetch(`${app.baseUrl}/compte`, { headers: { cookie: `${sessionCookie()}=${first}` }, redirect: "manual" });
    expect(old.status).toBe(302);
    expect((await browser.get("/compte")).status).toBe(200);
  });
});

describe("CSRF", () => {
  const cases: [string, (b: Browser) => Promise<Record<string, string>>][] = [
    ["connexion", async () => ({ email: emailOf("DDETS"), password: PASSWORD })],
    ["mot-de-passe-oublie", async () => ({ email: emailOf("DDETS") })],
    ["inscription", async () => ({ email: "x@y.fr", nom: "A", prenom: "B", type: "DREETS", regionCode: "84" })],
  ];

  it.each(cases)("POST /%s without a token, with a wrong one, or with no cookie is refused (403)", async (path, fields) => {
    const browser = new Browser(app.baseUrl);
    const csrf = await browser.csrf(`/${path}`);
    const form = await fields(browser);
    const missing = await browser.post(`/${path}`, form);
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain("jeton de sécurité invalide");
    expect((await browser.post(`/${path}`, { ...form, csrf: "B".repeat(43) })).status).toBe(403);
    expect((await browser.post(`/${path}`, { ...form, csrf: "court" })).status).toBe(403);
    // The right token from another browser (no matching cookie) is refused too.
    const other = new Browser(app.baseUrl);
    expect((await other.post(`/${path}`, { ...form, csrf })).status).toBe(403);
    // A right token posted from another site is refused, in French (not Remix's empty 500 with a stack trace in the
    // log); so is an Origin that cannot be read, or "null" (a sandboxed page)
    for (const origin of ["https://evil.example", "null", "pas une adresse"]) {
      const foreign = await browser.post(`/${path}`, { ...form, csrf }, { origin });
      expect(foreign.status, origin).toBe(403);
      expect(await foreign.text(), origin).toContain("jeton de sécurité invalide");
      expect(foreign.headers.getSetCookie().some((c) => c.startsWith(`${sessionCookie()}=`))).toBe(false);
    }
    // the site's own origin passes
    const own = await browser.post(`/${path}`, { ...form, csrf }, { origin: new URL(app.baseUrl).origin });
    expect(own.status).not.toBe(403);
  });

  it("an API call carrying an Origin goes on to the API (a key, no cookie: nothing for another site to gain)", async () => {
    const response = await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants`, {
      method: "POST",
      headers: { origin: "https://erp.example", "content-type": "application/json", authorization: "Bearer x" },
      body: "[]",
    });
    // the API's own answer to a malformed key, not a refusal of the origin
    expect(response.status).toBe(401);
    expect(JSON.stringify(await response.json())).not.toContain("Origin");
    // the API's one page is a page: a foreign Origin gets the forms' French 403, not Remix's empty 500
    for (const path of ["/api/doc", "/api/doc/", "/API/Doc"]) {
      const page = await fetch(`${app.baseUrl}${path}`, {
        method: "POST",
        headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
        body: "a=b",
      });
      expect(page.status, path).toBe(403);
      expect(await page.text(), path).toContain("jeton de sécurité invalide");
    }
  });

  it("signed-in forms need the session's token: the anonymous one of another visitor is refused", async () => {
    const browser = new Browser(app.baseUrl);
    await browser.login(emailOf("DREETS_ADMIN"), PASSWORD);
    const attacker = new Browser(app.baseUrl);
    const attackerToken = await attacker.csrf("/connexion");
    for (const [path, form] of [
      ["/deconnexion", {}],
      ["/compte", { intent: "profil", nom: "Pirate", prenom: "Pirate" }],
      ["/admin/utilisateurs", { intent: "inviter", email: "pirate@evil.example", role: "admin" }],
    ] as const) {
      expect((await browser.post(path, { ...form })).status, `${path} sans jeton`).toBe(403);
      expect((await browser.post(path, { ...form, csrf: attackerToken })).status, `${path} jeton d'un autre`).toBe(403);
    }
    // nor the anonymous token this browser itself got before signing in (its cookie outlives the login): a same-site
    // attacker able to set that cookie would choose it
    const avant = new Browser(app.baseUrl);
    const anonyme = await avant.csrf("/connexion");
    await avant.login(emailOf("DREETS_ADMIN"), PASSWORD);
    expect((await avant.post("/compte", { intent: "profil", nom: "Pirate", prenom: "Pirate", csrf: anonyme })).status).toBe(403);
    // Nothing happened: still signed in, name unchanged, nobody invited.
    expect((await browser.get("/compte")).status).toBe(200);
    const [me] = await t.database.db.select().from(users).where(eq(users.id, accounts.DREETS_ADMIN.id));
    expect(me.nom).toBe("DREETS_ADMIN");
    expect(mailOutbox().some((m) => m.to === "pirate@evil.example")).toBe(false);
  });
});

describe("login throttling over HTTP", () => {
  it("after 5 failures the right password is refused for 15 minutes, with a French message", async () => {
    const browser = new Browser(app.baseUrl);
    for (let i = 0; i < 5; i++) {
      const response = await browser.login(emailOf("CARIF_OREF_REGIONAL"), `${SECRETS[3]}-${i}`);
      expect(await response.text()).toContain("Adresse e-mail ou mot de passe incorrect.");
    }
    const locked = await browser.login(emailOf("CARIF_OREF_REGIONAL"), PASSWORD);
    expect(locked.status).toBe(200);
    const html = await locked.text();
    expect(html).toContain("Trop de tentatives de connexion échouées pour cette adresse.");
    expect(locked.headers.getSetCookie().some((c) => c.startsWith(`${sessionCookie()}=`))).toBe(false);
  });
});

describe("password reset", () => {
  it("e-mails a single-use link; the new password works, the old one and the old sessions do not", async () => {
    const victim = new Browser(app.baseUrl);
    await victim.login(emailOf("OPERATEUR_PUBLIC_NATIONAL"), PASSWORD);
    const browser = new Browser(app.baseUrl);
    const csrf = await browser.csrf("/mot-de-passe-oublie");
    const asked = await browser.post("/mot-de-passe-oublie", { csrf, email: emailOf("OPERATEUR_PUBLIC_NATIONAL") });
    expect(await asked.text()).toContain("Si un compte existe pour cette adresse, un e-mail vient de lui être envoyé");
    const mail = await attendreMail(emailOf("OPERATEUR_PUBLIC_NATIONAL"), /reinitialiser-mot-de-passe\//);
    const link = mail.text.match(/http:\/\/127\.0\.0\.1:\d+(\/reinitialiser-mot-de-passe\/[A-Za-z0-9_-]{43})/)![1];
    const page = await browser.get(link);
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const token = (await page.text()).match(/name="csrf" value="([A-Za-z0-9_-]{43})"/)![1];
    const short = await browser.post(link, { csrf: token, password: "court", confirmation: "court" });
    expect(await short.text()).toContain("Le mot de passe doit contenir au moins 12 caractères (il en contient 5).");
    const done = await browser.post(link, { csrf: token, password: SECRETS[1], confirmation: SECRETS[1] });
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/connexion?reinitialise");
    expect((await victim.get("/compte")).status).toBe(302);
    expect(await (await browser.get(link)).text()).toContain("Ce lien a déjà été utilisé");
    expect((await new Browser(app.baseUrl).login(emailOf("OPERATEUR_PUBLIC_NATIONAL"), PASSWORD)).status).toBe(200);
    expect((await new Browser(app.baseUrl).login(emailOf("OPERATEUR_PUBLIC_NATIONAL"), SECRETS[1])).status).toBe(302);
  });

  it("an unknown token shows a French explanation", async () => {
    const html = await (await new Browser(app.baseUrl).get(`/reinitialiser-mot-de-passe/${"Z".repeat(43)}`)).text();
    expect(html).toContain("Ce lien n&#x27;est pas valide");
  });
});

describe("invitation and sign-up", () => {
  it("an organisation admin invites; the invitee creates the account and is signed in, in that organisation", async () => {
    const admin = new Browser(app.baseUrl);
    await admin.login(emailOf("DREETS_ADMIN"), PASSWORD);
    const csrf = await admin.csrf("/admin/utilisateurs");
    const sent = await admin.post("/admin/utilisateurs", { csrf, intent: "inviter", email: "collegue@dreets.fr", role: "member" });
    expect(await sent.text()).toContain("Invitation envoyée à collegue@dreets.fr");
    const link = mailOutbox().filter((m) => m.to === "collegue@dreets.fr").at(-1)!.text.match(/(\/invitation\/[A-Za-z0-9_-]{43})/)![1];
    const invitee = new Browser(app.baseUrl);
    const token = await invitee.csrf(link);
    const created = await invitee.post(link, { csrf: token, prenom: "Alex", nom: "Collègue", password: SECRETS[2], confirmation: SECRETS[2] });
    expect(created.status).toBe(302);
    expect(created.headers.get("location")).toBe("/compte?bienvenue");
    const html = await (await invitee.get("/compte?bienvenue")).text();
    expect(html).toContain("DREETS Auvergne-Rhône-Alpes");
    expect(html).toContain("Votre compte est créé");
    // the link used: its address has an account now, to sign in with (not "ask for a new invitation")
    const reutilise = texte(await (await new Browser(app.baseUrl).get(link)).text());
    expect(reutilise).toContain("Un compte existe déjà pour l'adresse collegue@dreets.fr : connectez-vous.");
    expect(reutilise).not.toContain("Demandez une nouvelle invitation");
  });

  it("a sign-up request is shown to national admins and validated from the admin page", async () => {
    const visitor = new Browser(app.baseUrl);
    const csrf = await visitor.csrf("/inscription");
    const asked = await visitor.post("/inscription", {
      csrf,
      email: "contact@cfa-lyon.fr",
      prenom: "Sam",
      nom: "Durand",
      type: "ORGANISME_FORMATION",
      siret: ref.F.siret,
    });
    expect(await asked.text()).toContain("Votre demande pour « Site formateur Ain");
    const admin = new Browser(app.baseUrl);
    await admin.login(emailOf("ADMINISTRATEUR"), PASSWORD);
    const page = await admin.get("/admin/utilisateurs");
    const html = await page.text();
    expect(html).toContain("contact@cfa-lyon.fr");
    const id = html.match(/name="demandeId" value="(\d+)"/)![1];
    const token = html.match(/name="csrf" value="([A-Za-z0-9_-]{43})"/)![1];
    const validated = await admin.post("/admin/utilisateurs", { csrf: token, intent: "valider-demande", demandeId: id });
    expect(await validated.text()).toContain("Demande de contact@cfa-lyon.fr validée");
    expect(mailOutbox().some((m) => m.to === "contact@cfa-lyon.fr" && /\/invitation\//.test(m.text))).toBe(true);
  });
});

describe("admin pages", () => {
  it("an organisation admin sees only the accounts of their organisation", async () => {
    const admin = new Browser(app.baseUrl);
    await admin.login(emailOf("DREETS_ADMIN"), PASSWORD);
    const html = await (await admin.get("/admin/utilisateurs")).text();
    expect(html).toContain(emailOf("DREETS"));
    for (const other of ["DRAAF", "ADMINISTRATEUR", "ORGANISME_FORMATION"] as const) expect(html).not.toContain(emailOf(other));
    expect(html).not.toContain("Demandes de compte en attente");
  });

  it("the accounts list is searched (e-mail, name, organisation; case and accents ignored) and paged by 50", async () => {
    const [dreets] = await t.database.db.select().from(users).where(eq(users.id, accounts.DREETS.id));
    await t.database.db.insert(users).values(
      Array.from({ length: 60 }, (_, i) => ({
        email: `agent${String(i).padStart(2, "0")}@dreets.example`,
        prenom: i === 7 ? "Hélène" : "Agent",
        nom: `Numéro ${i}`,
        organisationId: dreets.organisationId,
        role: "member" as const,
        passwordHash: "x",
      })),
    );
    const admin = new Browser(app.baseUrl);
    await admin.login(emailOf("ADMINISTRATEUR"), PASSWORD);
    // the e-mails of the accounts table (the pending requests and invitations come before it)
    const rows = (html: string) => [...html.slice(html.indexOf("Comptes (")).matchAll(/<td>([^<@]+@[^<]+)<\/td>/g)].map((m) => m[1]);
    const premiere = await (await admin.get("/admin/utilisateurs")).text();
    const total = Number(/Comptes \((?:<!-- -->)?(\d+)(?:<!-- -->)?\)/.exec(premiere)![1]);
    expect(total).toBeGreaterThan(60);
    expect(rows(premiere)).toHaveLength(50);
    expect(premiere).toContain('aria-label="Pages des comptes"');
    const seconde = await (await admin.get("/admin/utilisateurs?page=2")).text();
    expect(rows(seconde)).toHaveLength(total - 50);
    expect(rows(seconde).some((e) => rows(premiere).includes(e))).toBe(false);
    // a page past the end shows the last page, and the number of accounts
    const apresLaFin = await (await admin.get("/admin/utilisateurs?page=9")).text();
    expect(rows(apresLaFin)).toEqual(rows(seconde));
    expect(Number(/Comptes \((?:<!-- -->)?(\d+)(?:<!-- -->)?\)/.exec(apresLaFin)![1])).toBe(total);
    expect(rows(await (await admin.get(`/admin/utilisateurs?q=${encodeURIComponent("HELENE numero")}`)).text())).toEqual(["agent07@dreets.example"]);
    expect(await (await admin.get("/admin/utilisateurs?q=personne")).text()).toContain("Aucun compte ne correspond à « personne ».");
    // a refused value of the address: the page's title says it (RGAA 8.6), as the lists' do
    expect(/<title>([^<]*)<\/title>/.exec(await (await admin.get("/admin/utilisateurs?page=abc")).text())?.[1]).toBe("Erreur : Utilisateurs - Tableau de bord de l&#x27;apprentissage");
    // an organisation admin searches only its organisation's accounts
    const dreetsAdmin = new Browser(app.baseUrl);
    await dreetsAdmin.login(emailOf("DREETS_ADMIN"), PASSWORD);
    expect(rows(await (await dreetsAdmin.get(`/admin/utilisateurs?q=${encodeURIComponent(emailOf("DRAAF"))}`)).text())).toEqual([]);
  });

  it("the invitation form lists the public organisations, not the CFAs (found by type and SIRET)", async () => {
    const admin = new Browser(app.baseUrl);
    await admin.login(emailOf("ADMINISTRATEUR"), PASSWORD);
    const html = await (await admin.get("/admin/utilisateurs")).text();
    const select = html.slice(html.indexOf('name="organisationId"'), html.indexOf("</select>", html.indexOf('name="organisationId"')));
    const listed = [...select.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));
    const organisationOf = async (persona: Persona) =>
      (await t.database.db.select().from(users).where(eq(users.id, accounts[persona].id)))[0].organisationId;
    expect(listed).toContain(await organisationOf("DREETS"));
    expect(listed).toContain(await organisationOf("ADMINISTRATEUR"));
    expect(listed).not.toContain(await organisationOf("ORGANISME_FORMATION"));
    expect(html).toContain("Pour un CFA, choisissez le type « Organisme de formation (CFA) » et son SIRET");
  });

  it("the audit log page lists named-list accesses for national admins only", async () => {
    const [dreets] = await t.database.db.select().from(users).where(eq(users.id, accounts.DREETS.id));
    await t.database.db.insert(namedListAccessLog).values({
      userId: dreets.id,
      userEmail: dreets.email,
      organisationId: dreets.organisationId,
      organisationType: "DREETS",
      list: "sans_contrat",
      action: "download",
      filters: { regionCode: "84" },
      rowCount: 37,
    });
    const admin = new Browser(app.baseUrl);
    await admin.login(emailOf("ADMINISTRATEUR"), PASSWORD);
    const html = await (await admin.get("/admin/journal")).text();
    expect(html).toContain("Inscrits sans contrat");
    expect(html).toContain("Téléchargement");
    expect(html).toContain("regionCode : 84");
    const member = new Browser(app.baseUrl);
    await member.login(emailOf("DREETS_ADMIN"), PASSWORD);
    const refused = await member.get("/admin/journal");
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("Cette page est réservée aux administrateurs nationaux.");
  });
});

describe("cookies in production", () => {
  it("are Secure with the __Host- prefix", async () => {
    process.env.COOKIE_SECURE = "1";
    try {
      const browser = new Browser(app.baseUrl);
      const page = await browser.get("/connexion");
      expect(page.headers.getSetCookie().find((c) => c.startsWith("__Host-tdb_csrf="))).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=86400; Secure$/);
      const login = await browser.login(emailOf("DDETS"), PASSWORD);
      expect(login.headers.getSetCookie().find((c) => c.startsWith("__Host-tdb_session="))).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure$/);
    } finally {
      delete process.env.COOKIE_SECURE;
    }
  });
});

describe("logs", () => {
  it("no password ever appears in what the server wrote", async () => {
    expect(logged.length).toBeGreaterThan(0);
    const joined = logged.join("\n");
    for (const secret of SECRETS) expect(joined.includes(secret), `« ${secret} » dans les journaux`).toBe(false);
    // Nor in the database in clear.
    const rows = await t.database.db.select({ hash: users.passwordHash }).from(users);
    for (const { hash } of rows) for (const secret of SECRETS) expect(hash.includes(secret)).toBe(false);
    const sessionRows = await t.database.db.select().from(sessions);
    expect(sessionRows.length).toBeGreaterThan(0);
  });
});
