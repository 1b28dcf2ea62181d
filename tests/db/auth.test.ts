/**
 * Accounts on a real database: organisations and their scope, users, login and throttling, sessions, single-use
 * tokens (reset, invitation), sign-up requests, the audit log, demo accounts.
 */
import net, { type AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { attendreMail } from "../helpers/mails";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { authTokens, loginAttempts, sessions, users } from "../../db/schema";
import { AccountError, createUser, login, requestPasswordReset, resetPassword, changePassword, safeRedirect } from "../../app/auth/accounts.server";
import { findOrCreateOrganisation, OrganisationError, resolveOrganisationInput, territoryOptions } from "../../app/auth/organisations.server";
import { hashPassword, passwordProblem, verifyPassword } from "../../app/auth/password.server";
import { findSession, SESSION_IDLE_SECONDS, sessionCookieName } from "../../app/auth/session.server";
import { checkThrottle, THROTTLE_RULES } from "../../app/auth/throttle.server";
import { consumeToken, createToken, inspectToken } from "../../app/auth/tokens.server";
import { acceptInvitation, invitationState, inviteUser, pendingInvitations, revokeInvitation } from "../../app/auth/invitations.server";
import { createSignupRequest, validateSignupRequest, refuseSignupRequest, listSignupRequests } from "../../app/auth/signup.server";
import { listAuditLog, parseAuditFilters, setUserDisabled } from "../../app/auth/admin.server";
import { mailOutbox, publicBaseUrl } from "../../app/auth/mail.server";
import { ensureDemoAccounts, DEMO_PASSWORD } from "../../app/auth/demo-accounts.server";
import {
  getViewer,
  logNamedListAccess,
  requireUser,
  requireOrganismeTarget,
  resolveOrganismeTarget,
  scopeSql,
  canSeeAggregates,
  type AuthenticatedViewer,
} from "../../app/auth/policy.server";
import { cookiePair, emailOf, PASSWORD, requestWith, seedAccounts, seedReferentiel, siretOf, uaiOf, type Persona, type Referentiel } from "./auth-fixtures";

let t: TestDatabase;
let ref: Referentiel;
let accounts: Record<Persona, { id: number; email: string }>;

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  accounts = await seedAccounts(t.database, ref);
});
afterAll(async () => t?.drop());

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
}

async function signIn(persona: Persona, password = PASSWORD): Promise<{ cookie: string; viewer: AuthenticatedViewer }> {
  const result = await login(t.database, requestWith(), form({ email: emailOf(persona), password }), null);
  if (!result.ok) throw new Error(result.message);
  const cookie = cookiePair(result.setCookie);
  const viewer = (await getViewer(requestWith([cookie]), t.database)) as AuthenticatedViewer;
  return { cookie, viewer };
}

describe("passwords", () => {
  it("hashes with scrypt and a random salt, and verifies", async () => {
    const a = await hashPassword("un mot de passe long");
    const b = await hashPassword("un mot de passe long");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("un mot de passe long");
    expect(await verifyPassword("un mot de passe long", a)).toBe(true);
    expect(await verifyPassword("un mot de passe lon", a)).toBe(false);
    expect(await verifyPassword("x", "n'importe quoi")).toBe(false);
  });

  it("refuses weak passwords with a precise French reason", () => {
    expect(passwordProblem("court")).toBe("Le mot de passe doit contenir au moins 12 caractères (il en contient 5).");
    expect(passwordProblem("aaaaaaaaaaaaaaa")).toMatch(/5 caractères différents/);
    expect(passwordProblem("jean.dupont-2025!", "jean.dupont@test.fr")).toMatch(/adresse e-mail/);
    expect(passwordProblem(PASSWORD)).toBeNull();
  });
});

describe("organisations", () => {
  it("checks the scope of each type against the territories and the référentiel", async () => {
    await expect(resolveOrganisationInput(t.database, { type: "DREETS", regionCode: "99" })).rejects.toThrow("Code région inconnu : « 99 »");
    await expect(resolveOrganisationInput(t.database, { type: "DREETS" })).rejects.toThrow("doit indiquer sa région");
    await expect(resolveOrganisationInput(t.database, { type: "DDETS", departementCode: "20" })).rejects.toThrow("Code département inconnu");
    await expect(resolveOrganisationInput(t.database, { type: "ACADEMIE", academieCode: "05" })).rejects.toThrow("Code académie inconnu");
    await expect(resolveOrganisationInput(t.database, { type: "PREFECTURE" })).rejects.toThrow("Type d'organisation inconnu");
    await expect(resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", siret: "12345678901234" })).rejects.toThrow(
      "SIRET invalide : « 12345678901234 » (clé de contrôle incorrecte).",
    );
    await expect(resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", siret: "123" })).rejects.toThrow("SIRET invalide : « 123 » (14 chiffres attendus).");
    // 7 digits and a letter that is not their check letter (0693456G): the message says the letter is wrong
    await expect(resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", uai: "0693456X" })).rejects.toThrow(
      "UAI invalide : « 0693456X » (lettre de contrôle incorrecte).",
    );
    await expect(resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", uai: "069345" })).rejects.toThrow(
      "UAI invalide : « 069345 » (7 chiffres suivis d'une lettre de contrôle attendus).",
    );
    await expect(resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", siret: siretOf(999) })).rejects.toThrow(
      `Aucun organisme du référentiel n'a le SIRET ${siretOf(999)}.`,
    );
    const byUai = await resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", uai: uaiOf(1).toLowerCase() });
    expect(byUai).toMatchObject({ siret: ref.R.siret, uai: null, organismeIds: [ref.R.id] });
    expect((await resolveOrganisationInput(t.database, { type: "DDETS", departementCode: "2a" })).nom).toBe("DDETS Corse-du-Sud (2A)");
    expect((await resolveOrganisationInput(t.database, { type: "ACADEMIE", academieCode: "02" })).nom).toBe("Académie d'Aix-Marseille");
    expect((await resolveOrganisationInput(t.database, { type: "TETE_DE_RESEAU", reseau: "reseau-a" })).reseau).toBe("RESEAU-A");
  });

  it("refuses a network no organisme of the référentiel has (the perimeter would hold no CFA), naming close ones", async () => {
    const refus = (await resolveOrganisationInput(t.database, { type: "TETE_DE_RESEAU", reseau: "Réseau inexistant" }).catch((e: unknown) => e)) as OrganisationError;
    expect(refus).toBeInstanceOf(OrganisationError);
    expect(refus.field).toBe("reseau");
    expect(refus.message).toMatch(/^Réseau inconnu : « Réseau inexistant » : aucun organisme du référentiel n'appartient à ce réseau\./);
    expect(refus.message).toContain("Réseaux connus : « RESEAU-A », « RESEAU-B »");
    const proche = (await resolveOrganisationInput(t.database, { type: "TETE_DE_RESEAU", reseau: "RESEAU A" }).catch((e: unknown) => e)) as OrganisationError;
    expect(proche.message).toContain("Vouliez-vous dire « RESEAU-A » ?");
    await expect(findOrCreateOrganisation(t.database, { type: "TETE_DE_RESEAU", reseau: "Réseau inexistant" })).rejects.toThrow(OrganisationError);
    expect(await t.database.rows(sql`select 1 from organisations where reseau = 'Réseau inexistant'`)).toEqual([]);
    // the other scopes say which field is wrong too
    expect(((await resolveOrganisationInput(t.database, { type: "DREETS", regionCode: "99" }).catch((e: unknown) => e)) as OrganisationError).field).toBe("regionCode");
  });

  it("lists régions and académies in French alphabetical order (Île-de-France among the I), as /exports does", async () => {
    const { regions, academies } = await territoryOptions(t.database);
    const noms = regions.map((r) => r.nom);
    expect(noms.indexOf("Île-de-France")).toBe(noms.indexOf("Hauts-de-France") + 1);
    expect(noms.indexOf("Île-de-France")).toBeLessThan(noms.indexOf("Provence-Alpes-Côte d'Azur"));
    expect(noms).toEqual([...noms].sort((a, b) => a.localeCompare(b, "fr")));
    expect(academies.map((a) => a.nom)).toEqual(academies.map((a) => a.nom).sort((a, b) => a.localeCompare(b, "fr")));
  });

  it("stores one organisation per type and scope", async () => {
    const a = await findOrCreateOrganisation(t.database, { type: "DRAAF", regionCode: "84" });
    const b = await findOrCreateOrganisation(t.database, { type: "DRAAF", regionCode: "84" });
    expect(a.id).toBe(b.id);
    expect(a.nom).toBe("DRAAF Auvergne-Rhône-Alpes");
  });

  it("refuses an inconsistent organisation at the database level too", async () => {
    await expect(
      t.database.rows(sql`insert into organisations (type, nom, region_code, siret) values ('DREETS', 'x', '84', '1')`),
    ).rejects.toThrow();
  });
});

describe("users and login", () => {
  it("creates users with a lowercased e-mail and refuses duplicates", async () => {
    await expect(
      createUser(t.database, { email: "DREETS@test.fr", password: PASSWORD, organisation: { type: "DREETS", regionCode: "84" } }),
    ).rejects.toThrow(AccountError);
    await expect(createUser(t.database, { email: "pas-une-adresse", password: PASSWORD, organisation: { type: "ADMINISTRATEUR" } })).rejects.toThrow(
      "Adresse e-mail invalide",
    );
    await expect(createUser(t.database, { email: "x@test.fr", password: PASSWORD, organisation: { type: "DREETS", regionCode: "99" } })).rejects.toThrow(
      OrganisationError,
    );
  });

  it("logs in with the right password only, with one message for unknown e-mail and wrong password", async () => {
    const wrong = await login(t.database, requestWith(), form({ email: emailOf("DRAAF"), password: "mauvais mot de passe" }), null);
    const unknown = await login(t.database, requestWith(), form({ email: "inconnu@test.fr", password: "mauvais mot de passe" }), null);
    expect(wrong).toMatchObject({ ok: false, message: "Adresse e-mail ou mot de passe incorrect." });
    expect(unknown).toMatchObject({ ok: false, message: "Adresse e-mail ou mot de passe incorrect." });
    const ok = await login(t.database, requestWith(), form({ email: " DRAAF@Test.fr ", password: PASSWORD }), null);
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.setCookie).toMatch(new RegExp(`^${sessionCookieName()}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200`));
    expect(ok.setCookie).not.toContain("Secure");
  });

  it("resolves the viewer of a session: type, scope, user", async () => {
    const { viewer } = await signIn("DDETS");
    expect(viewer).toMatchObject({ organisationType: "DDETS", scope: { kind: "departement", code: "69" }, user: { email: "ddets@test.fr", role: "member" } });
    const cfa = await signIn("ORGANISME_FORMATION");
    // itself and its formateurs; its own rows are the responsables whose learners are its own (decision 017)
    expect(cfa.viewer.scope).toEqual({ kind: "organisme", organismeIds: [ref.R.id, ref.F.id].sort((a, b) => a - b), responsables: [ref.R.id] });
    const formateur = await signIn("CFA_FORMATEUR");
    expect(formateur.viewer.scope).toEqual({ kind: "organisme", organismeIds: [ref.F.id], responsables: [ref.F.id] });
    expect(await getViewer(requestWith(), t.database)).toMatchObject({ userId: null, organisationType: "PUBLIC" });
    expect(await getViewer(requestWith([`${sessionCookieName()}=${"a".repeat(43)}`]), t.database)).toMatchObject({ userId: null });
    // Without the database (older callers) the answer is the public viewer, never an error.
    expect(await getViewer(requestWith([cfa.cookie]))).toMatchObject({ userId: null });
  });

  it("requireUser redirects anonymous visitors to /connexion with the way back", async () => {
    const error = await requireUser(requestWith([], "http://localhost/compte?onglet=1"), t.database).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Response);
    expect((error as Response).status).toBe(302);
    expect((error as Response).headers.get("location")).toBe("/connexion?redirectTo=%2Fcompte%3Fonglet%3D1");
  });

  it("stores only the SHA-256 of the session token; a new login never reuses the request's session", async () => {
    const first = await signIn("CONSEIL_REGIONAL");
    const token = first.cookie.split("=")[1];
    const rows = await t.database.db.select().from(sessions).where(eq(sessions.userId, accounts.CONSEIL_REGIONAL.id));
    expect(rows.some((r) => r.id === token)).toBe(false);
    const again = await login(t.database, requestWith([first.cookie]), form({ email: emailOf("CONSEIL_REGIONAL"), password: PASSWORD }), null);
    if (!again.ok) throw new Error(again.message);
    expect(cookiePair(again.setCookie)).not.toBe(first.cookie);
    expect(await findSession(t.database, requestWith([first.cookie]))).toBeNull();
    expect(await findSession(t.database, requestWith([cookiePair(again.setCookie)]))).not.toBeNull();
  });

  it("ends idle and expired sessions", async () => {
    const { cookie, viewer } = await signIn("CARIF_OREF_REGIONAL");
    await t.database.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - (SESSION_IDLE_SECONDS + 60) * 1000) })
      .where(eq(sessions.id, viewer.sessionId));
    expect(await findSession(t.database, requestWith([cookie]))).toBeNull();
    const other = await signIn("CARIF_OREF_REGIONAL");
    await t.database.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, other.viewer.sessionId));
    expect(await findSession(t.database, requestWith([other.cookie]))).toBeNull();
  });

  it("a disabled account cannot log in and loses its sessions", async () => {
    const admin = await signIn("ADMINISTRATEUR");
    const member = await signIn("TETE_DE_RESEAU");
    const result = await setUserDisabled(t.database, admin.viewer, form({ userId: String(accounts.TETE_DE_RESEAU.id) }), true);
    expect(result.ok).toBe(true);
    expect(await findSession(t.database, requestWith([member.cookie]))).toBeNull();
    expect(await login(t.database, requestWith(), form({ email: emailOf("TETE_DE_RESEAU"), password: PASSWORD }), null)).toMatchObject({
      ok: false,
      message: "Ce compte a été désactivé. Contactez l'administrateur de votre organisation.",
    });
    await setUserDisabled(t.database, admin.viewer, form({ userId: String(accounts.TETE_DE_RESEAU.id) }), false);
    // An organisation admin manages their own organisation only; nobody disables themselves.
    const dreetsAdmin = await signIn("DREETS_ADMIN");
    expect(await setUserDisabled(t.database, dreetsAdmin.viewer, form({ userId: String(accounts.DRAAF.id) }), true)).toMatchObject({ ok: false });
    expect(await setUserDisabled(t.database, dreetsAdmin.viewer, form({ userId: String(accounts.DREETS.id) }), true)).toMatchObject({ ok: true });
    await setUserDisabled(t.database, dreetsAdmin.viewer, form({ userId: String(accounts.DREETS.id) }), false);
    expect(await setUserDisabled(t.database, admin.viewer, form({ userId: String(accounts.ADMINISTRATEUR.id) }), true)).toMatchObject({
      ok: false,
      message: "Vous ne pouvez pas désactiver votre propre compte.",
    });
  });

  it("builds e-mail links from PUBLIC_URL, never from a Host header other than this machine", () => {
    const saved = { url: process.env.PUBLIC_URL, port: process.env.PORT };
    try {
      delete process.env.PUBLIC_URL;
      process.env.PORT = "3000";
      expect(publicBaseUrl(new Request("http://127.0.0.1:41234/mot-de-passe-oublie"))).toBe("http://127.0.0.1:41234");
      expect(publicBaseUrl(new Request("http://localhost:3000/x"))).toBe("http://localhost:3000");
      expect(publicBaseUrl(new Request("http://evil.example/mot-de-passe-oublie"))).toBe("http://localhost:3000");
      process.env.PUBLIC_URL = "https://tableau.exemple.gouv.fr/";
      expect(publicBaseUrl(new Request("http://evil.example/mot-de-passe-oublie"))).toBe("https://tableau.exemple.gouv.fr");
    } finally {
      if (saved.url === undefined) delete process.env.PUBLIC_URL;
      else process.env.PUBLIC_URL = saved.url;
      if (saved.port === undefined) delete process.env.PORT;
      else process.env.PORT = saved.port;
    }
  });

  it("accepts only same-site redirects", () => {
    expect(safeRedirect("/compte?x=1")).toBe("/compte?x=1");
    expect(safeRedirect("//evil.example")).toBe("/");
    expect(safeRedirect("/\\evil.example")).toBe("/");
    expect(safeRedirect("https://evil.example")).toBe("/");
    expect(safeRedirect(null)).toBe("/");
    // browsers drop tabs and newlines and read "\\" as "/": each of these would leave the site
    for (const to of [
      "/\t/evil.example",
      "/\n/evil.example",
      "/\r\n/evil.example",
      "/x\\..\\\\evil.example",
      "/%09/x",
      // dot segments that the URL parser removes, leaving a path that starts with "//"
      "/.//evil.example/phish",
      "/..//evil.example",
      "/%2e//evil.example",
      "/x/..//evil.example",
      "/./%2e//evil.example",
    ]) {
      expect(safeRedirect(to)).not.toMatch(/^\/\//);
      expect(new URL(safeRedirect(to), "https://tableau.example").origin).toBe("https://tableau.example");
    }
    expect(safeRedirect("/\t/evil.example")).toBe("/");
    expect(safeRedirect("/formations?q=pâtissier#liste")).toBe("/formations?q=p%C3%A2tissier#liste");
  });
});

describe("login throttling", () => {
  afterEach(async () => {
    await t.database.db.delete(loginAttempts);
  });

  it("locks an e-mail after 5 failures in 15 minutes, even with the right password, then unlocks", async () => {
    const email = emailOf("ACADEMIE");
    for (let i = 0; i < THROTTLE_RULES.connexion.maxPerIdentifier; i++) {
      expect(await login(t.database, requestWith(), form({ email, password: `faux-${i}` }), "10.0.0.1")).toMatchObject({ ok: false });
    }
    const locked = await login(t.database, requestWith(), form({ email, password: PASSWORD }), "10.0.0.1");
    expect(locked.ok).toBe(false);
    if (!locked.ok) expect(locked.message).toMatch(/^Trop de tentatives de connexion échouées pour cette adresse\. Par sécurité, réessayez dans 1[45] minutes/);
    // Other accounts are not affected.
    expect((await login(t.database, requestWith(), form({ email: emailOf("DDETS"), password: PASSWORD }), "10.0.0.2")).ok).toBe(true);
    // A password reset lifts the lock.
    const token = await createToken(t.database, { kind: "reinitialisation", email, userId: accounts.ACADEMIE.id });
    expect(await resetPassword(t.database, token, form({ password: PASSWORD, confirmation: PASSWORD }))).toEqual({ ok: true });
    expect((await login(t.database, requestWith(), form({ email, password: PASSWORD }), "10.0.0.1")).ok).toBe(true);
    // 15 minutes later the window has passed.
    const later = new Date(Date.now() + (THROTTLE_RULES.connexion.windowSeconds + 1) * 1000);
    expect((await checkThrottle(t.database, "connexion", email, null, later)).allowed).toBe(true);
  });

  it("failures from one machine lock the e-mail for that machine only; from many machines, for all at 20", async () => {
    const email = emailOf("ACADEMIE");
    const { maxPerIdentifier, maxPerIdentifierAllIps } = THROTTLE_RULES.connexion;
    for (let i = 0; i < maxPerIdentifier; i++) {
      expect(await login(t.database, requestWith(), form({ email, password: `faux-${i}` }), "198.51.100.1")).toMatchObject({ ok: false });
    }
    expect((await login(t.database, requestWith(), form({ email, password: PASSWORD }), "198.51.100.1")).ok).toBe(false);
    // whoever knows the address cannot lock the agent out from its own machine
    expect((await login(t.database, requestWith(), form({ email, password: PASSWORD }), "192.0.2.7")).ok).toBe(true);
    // a guessing spread over many machines: locked for every machine once the failures from all reach the limit
    for (let i = 0; i < maxPerIdentifierAllIps; i++) {
      await login(t.database, requestWith(), form({ email, password: `faux-${i}` }), `198.51.100.${10 + i}`);
    }
    const locked = await login(t.database, requestWith(), form({ email, password: PASSWORD }), "192.0.2.7");
    expect(locked.ok).toBe(false);
    if (!locked.ok) expect(locked.message).toMatch(/^Trop de tentatives de connexion échouées pour cette adresse/);
  });

  it("simultaneous wrong passwords check at most as many passwords as the limit allows", async () => {
    const email = emailOf("CARIF_OREF_REGIONAL");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(t.database, requestWith(), form({ email, password: `faux-${i}` }), null)),
    );
    const checked = results.filter((r) => !r.ok && r.message === "Adresse e-mail ou mot de passe incorrect.");
    expect(checked.length).toBeLessThanOrEqual(THROTTLE_RULES.connexion.maxPerIdentifier);
    expect(results.every((r) => !r.ok)).toBe(true);
  });

  it("the current password asked to change it is throttled like a login", async () => {
    const { viewer } = await signIn("DDETS");
    for (let i = 0; i < THROTTLE_RULES.connexion.maxPerIdentifier; i++) {
      expect(await changePassword(t.database, viewer, form({ current: `faux-${i}`, password: "Nouveau-mot-de-passe-1", confirmation: "Nouveau-mot-de-passe-1" }))).toMatchObject({
        ok: false,
        message: "Le mot de passe actuel est incorrect.",
      });
    }
    const locked = await changePassword(t.database, viewer, form({ current: PASSWORD, password: "Nouveau-mot-de-passe-1", confirmation: "Nouveau-mot-de-passe-1" }));
    expect(locked).toMatchObject({ ok: false, message: expect.stringMatching(/^Trop de tentatives échouées\. Par sécurité, réessayez dans 1[45] minutes\.$/) });
    expect((await login(t.database, requestWith(), form({ email: emailOf("DDETS"), password: PASSWORD }), null)).ok).toBe(false);
  });

  it("does not count failures before a successful login", async () => {
    const email = emailOf("OPERATEUR_PUBLIC_NATIONAL");
    for (let i = 0; i < 4; i++) await login(t.database, requestWith(), form({ email, password: "faux" }), null);
    expect((await login(t.database, requestWith(), form({ email, password: PASSWORD }), null)).ok).toBe(true);
    for (let i = 0; i < 4; i++) await login(t.database, requestWith(), form({ email, password: "faux" }), null);
    expect((await login(t.database, requestWith(), form({ email, password: PASSWORD }), null)).ok).toBe(true);
  });

  it("locks a client IP after many failures across e-mails", async () => {
    const ip = "203.0.113.9";
    const rows = Array.from({ length: THROTTLE_RULES.connexion.maxPerIp }, (_, i) => ({
      kind: "connexion" as const,
      identifier: `robot-${i}@test.fr`,
      ip,
      success: false,
    }));
    await t.database.db.insert(loginAttempts).values(rows);
    expect((await checkThrottle(t.database, "connexion", "quelquun@test.fr", ip)).allowed).toBe(false);
    expect((await checkThrottle(t.database, "connexion", "quelquun@test.fr", "203.0.113.10")).allowed).toBe(true);
  });
});

describe("single-use tokens", () => {
  it("a reset link works once, within an hour, and ends every session", async () => {
    mailOutbox().length = 0;
    const { cookie } = await signIn("DRAAF");
    await requestPasswordReset(t.database, requestWith(), form({ email: emailOf("DRAAF") }), null);
    const mail = await attendreMail(emailOf("DRAAF"), /reinitialiser-mot-de-passe\//);
    const token = mail.text.match(/reinitialiser-mot-de-passe\/([A-Za-z0-9_-]{43})/)![1];
    expect(await resetPassword(t.database, token, form({ password: "Nouveau-mot-de-passe-1", confirmation: "Nouveau-mot-de-passe-2" }))).toMatchObject({
      ok: false,
      fieldErrors: { confirmation: "Les deux mots de passe ne sont pas identiques." },
    });
    expect(await resetPassword(t.database, token, form({ password: "Nouveau-mot-de-passe-1", confirmation: "Nouveau-mot-de-passe-1" }))).toEqual({ ok: true });
    expect(await findSession(t.database, requestWith([cookie]))).toBeNull();
    expect(await resetPassword(t.database, token, form({ password: "Encore-un-autre-mdp-1", confirmation: "Encore-un-autre-mdp-1" }))).toMatchObject({
      ok: false,
      message: "Ce lien a déjà été utilisé : il n'est valable qu'une fois.",
    });
    expect((await login(t.database, requestWith(), form({ email: emailOf("DRAAF"), password: PASSWORD }), null)).ok).toBe(false);
    expect((await login(t.database, requestWith(), form({ email: emailOf("DRAAF"), password: "Nouveau-mot-de-passe-1" }), null)).ok).toBe(true);
    // Put the fixture password back.
    const { viewer } = await signIn("DRAAF", "Nouveau-mot-de-passe-1");
    expect(
      await changePassword(t.database, viewer, form({ current: "Nouveau-mot-de-passe-1", password: PASSWORD, confirmation: PASSWORD })),
    ).toMatchObject({ ok: true });
  });

  it("answers without waiting for the mail server, account or not (the time says nothing either)", async () => {
    // a mail server that accepts the connection and never answers: awaited, the e-mail would hold the answer 15 s
    const muet = net.createServer(() => undefined);
    await new Promise<void>((resolve) => muet.listen(0, "127.0.0.1", resolve));
    const avant = process.env.SMTP_URL;
    process.env.SMTP_URL = `smtp://127.0.0.1:${(muet.address() as AddressInfo).port}`;
    try {
      const debut = Date.now();
      expect(await requestPasswordReset(t.database, requestWith(), form({ email: emailOf("DRAAF") }), null)).toMatchObject({ ok: true });
      const demande = form({ email: emailOf("DREETS"), nom: "Dupont", prenom: "Jean", type: "DREETS", regionCode: "84" });
      expect(await createSignupRequest(t.database, demande, null, "http://localhost")).toMatchObject({ ok: true });
      expect(Date.now() - debut).toBeLessThan(5_000);
    } finally {
      if (avant === undefined) delete process.env.SMTP_URL;
      else process.env.SMTP_URL = avant;
      muet.close();
    }
  });

  it("answers the same for unknown e-mails and sends nothing", async () => {
    mailOutbox().length = 0;
    const result = await requestPasswordReset(t.database, requestWith(), form({ email: "personne@test.fr" }), null);
    expect(result).toMatchObject({ ok: true });
    expect(mailOutbox()).toHaveLength(0);
  });

  it("an expired token is refused", async () => {
    const token = await createToken(
      t.database,
      { kind: "reinitialisation", email: emailOf("DDETS"), userId: accounts.DDETS.id },
      new Date(Date.now() - 2 * 3600 * 1000),
    );
    expect((await inspectToken(t.database, "reinitialisation", token)).status).toBe("expired");
    expect(await consumeToken(t.database.db, "reinitialisation", token)).toBeNull();
    // A token of one kind is not accepted as another.
    const reset = await createToken(t.database, { kind: "reinitialisation", email: emailOf("DDETS"), userId: accounts.DDETS.id });
    expect((await inspectToken(t.database, "invitation", reset)).status).toBe("unknown");
    const stored = await t.database.db.select().from(authTokens);
    expect(stored.some((s) => s.tokenHash === reset)).toBe(false);
  });

  it("an invitation by an organisation admin creates a member of that organisation, once", async () => {
    mailOutbox().length = 0;
    const admin = await signIn("DREETS_ADMIN");
    const sent = await inviteUser(t.database, admin.viewer, "http://localhost", form({ email: "Nouvelle.Recrue@test.fr", role: "member" }));
    expect(sent).toMatchObject({ ok: true });
    const token = mailOutbox().at(-1)!.text.match(/invitation\/([A-Za-z0-9_-]{43})/)![1];
    // every problem said at once, by field: a missing name, a too short password, a confirmation that differs
    const refused = await acceptInvitation(t.database, requestWith(), token, form({ nom: "", prenom: "Nouvelle", password: "court", confirmation: "autre" }));
    expect(refused).toMatchObject({ ok: false, message: "Le formulaire contient 3 erreurs : corrigez les champs signalés." });
    expect(Object.keys((refused as { fieldErrors: Record<string, string> }).fieldErrors).sort()).toEqual(["confirmation", "nom", "password"]);
    const accepted = await acceptInvitation(
      t.database,
      requestWith(),
      token,
      form({ nom: "Recrue", prenom: "Nouvelle", password: "Bienvenue-chez-nous-1", confirmation: "Bienvenue-chez-nous-1" }),
    );
    expect(accepted.ok).toBe(true);
    const [created] = await t.database.db.select().from(users).where(eq(users.email, "nouvelle.recrue@test.fr"));
    const [dreetsAdmin] = await t.database.db.select().from(users).where(eq(users.id, accounts.DREETS_ADMIN.id));
    expect(created).toMatchObject({ role: "member", organisationId: dreetsAdmin.organisationId, nom: "Recrue" });
    expect(
      await acceptInvitation(t.database, requestWith(), token, form({ nom: "X", prenom: "Y", password: "Bienvenue-chez-nous-1", confirmation: "Bienvenue-chez-nous-1" })),
    ).toMatchObject({ ok: false, message: "Un compte existe déjà pour l'adresse nouvelle.recrue@test.fr : connectez-vous." });
  });

  it("an id that is not a positive int4 is refused in French by each function, nothing written (never a database error)", async () => {
    const national = await signIn("ADMINISTRATEUR");
    const tokensBefore = await t.database.db.select().from(authTokens);
    for (const bad of ["abc", "99999999999", "2147483648", "1e400", "-1", "1.5"]) {
      const invalid = (label: string) => ({ ok: false, message: `${label} : identifiant invalide « ${bad} » (nombre entier positif attendu).` });
      expect(await revokeInvitation(t.database, national.viewer, form({ invitationId: bad }))).toEqual({ ...invalid("Invitation"), fieldErrors: { invitationId: invalid("Invitation").message } });
      expect(await inviteUser(t.database, national.viewer, "http://localhost", form({ email: "z@test.fr", role: "member", organisationId: bad }))).toMatchObject(invalid("Organisation"));
      expect(await setUserDisabled(t.database, national.viewer, form({ userId: bad }), true)).toMatchObject(invalid("Compte"));
      expect(await validateSignupRequest(t.database, national.viewer, "http://localhost", form({ demandeId: bad }))).toMatchObject(invalid("Demande de compte"));
      expect(await refuseSignupRequest(t.database, national.viewer, form({ demandeId: bad, motif: "x" }))).toMatchObject(invalid("Demande de compte"));
    }
    expect(await inviteUser(t.database, national.viewer, "http://localhost", form({ email: "z@test.fr", role: "member", organisationId: "2147483647" }))).toMatchObject({
      ok: false,
      message: "Cette organisation n'existe pas : choisissez-en une dans la liste.",
    });
    expect(await t.database.db.select().from(authTokens)).toEqual(tokensBefore);
  });

  it("only admins invite, into their own organisation; national admins into any", async () => {
    const member = await signIn("DDETS");
    expect(await inviteUser(t.database, member.viewer, "http://localhost", form({ email: "a@test.fr", role: "member" }))).toMatchObject({ ok: false });
    const admin = await signIn("DREETS_ADMIN");
    expect(await inviteUser(t.database, admin.viewer, "http://localhost", form({ email: "b@test.fr", role: "member", organisationId: "999" }))).toMatchObject({
      ok: false,
      message: "Vous ne pouvez inviter que dans votre propre organisation.",
    });
    // an organisation's admin gets the same answer whether the address has an account or not; its owner is told
    mailOutbox().length = 0;
    const existant = await inviteUser(t.database, admin.viewer, "http://localhost", form({ email: emailOf("DRAAF"), role: "member" }));
    const nouveau = await inviteUser(t.database, admin.viewer, "http://localhost", form({ email: "inconnu@test.fr", role: "member" }));
    expect(existant).toMatchObject({ ok: true });
    expect(nouveau).toMatchObject({ ok: true });
    expect((existant as { message: string }).message.replace(emailOf("DRAAF"), "@")).toBe((nouveau as { message: string }).message.replace("inconnu@test.fr", "@"));
    expect(mailOutbox().find((m) => m.to === emailOf("DRAAF"))?.text).toContain("Un compte existe déjà pour cette adresse");
    expect(mailOutbox().find((m) => m.to === "inconnu@test.fr")?.text).toMatch(/\/invitation\//);
    expect(mailOutbox().find((m) => m.to === emailOf("DRAAF"))?.text).not.toMatch(/\/invitation\//);
    // both are listed as pending invitations alike
    const enAttente = await t.database.db.select().from(authTokens).where(eq(authTokens.kind, "invitation"));
    expect(enAttente.map((r) => r.email)).toEqual(expect.arrayContaining([emailOf("DRAAF"), "inconnu@test.fr"]));
    // a national admin, who sees every account, is told
    expect(
      await inviteUser(t.database, (await signIn("ADMINISTRATEUR")).viewer, "http://localhost", form({ email: emailOf("DRAAF"), role: "member", organisationId: "1" })),
    ).toMatchObject({ ok: false, message: `Un compte existe déjà pour l'adresse ${emailOf("DRAAF")}.` });
    const national = await signIn("ADMINISTRATEUR");
    expect(
      await inviteUser(t.database, national.viewer, "http://localhost", form({ email: "c@test.fr", role: "admin", type: "DDETS", departementCode: "38" })),
    ).toMatchObject({ ok: true, message: expect.stringContaining("DDETS Isère (38)") });
  });

  it("an empty address is asked as the invitee's, not the admin's own", async () => {
    const national = await signIn("ADMINISTRATEUR");
    expect(await inviteUser(t.database, national.viewer, "http://localhost", form({ email: "  ", role: "member", organisationId: "1" }))).toMatchObject({
      ok: false,
      fieldErrors: { email: "Indiquez l'adresse e-mail de la personne à inviter." },
    });
  });

  it("a second invitation of an address into the same organisation replaces the first, whose link stops working", async () => {
    mailOutbox().length = 0;
    const national = await signIn("ADMINISTRATEUR");
    const [dreetsAdmin] = await t.database.db.select().from(users).where(eq(users.id, accounts.DREETS_ADMIN.id));
    const inviter = () =>
      inviteUser(t.database, national.viewer, "http://localhost", form({ email: "Deux.Fois@test.fr", role: "member", organisationId: String(dreetsAdmin.organisationId) }));
    const premiere = await inviter();
    expect(premiere).toMatchObject({ ok: true });
    expect((premiere as { message: string }).message).not.toContain("remplace");
    const lienPremiere = mailOutbox().at(-1)!.text.match(/invitation\/([A-Za-z0-9_-]{43})/)![1];
    const seconde = await inviter();
    expect(seconde).toMatchObject({ ok: true, message: expect.stringContaining("Elle remplace l'invitation précédente à cette adresse, dont le lien ne fonctionne plus.") });
    const lienSeconde = mailOutbox().at(-1)!.text.match(/invitation\/([A-Za-z0-9_-]{43})/)![1];
    // one pending invitation for the address, listed once
    expect((await pendingInvitations(t.database)).filter((i) => i.email === "deux.fois@test.fr")).toHaveLength(1);
    expect(await invitationState(t.database, lienPremiere)).toEqual({
      valid: false,
      message: "Cette invitation a été remplacée par une invitation plus récente : utilisez le lien du dernier e-mail d'invitation reçu.",
      compteExistant: false,
    });
    expect(await invitationState(t.database, lienSeconde)).toMatchObject({ valid: true });
  });

  it("creating the account closes every pending invitation of its address (other organisations too); its other links say so", async () => {
    mailOutbox().length = 0;
    const national = await signIn("ADMINISTRATEUR");
    const [dreetsAdmin] = await t.database.db.select().from(users).where(eq(users.id, accounts.DREETS_ADMIN.id));
    const [ddets] = await t.database.db.select().from(users).where(eq(users.id, accounts.DDETS.id));
    const lienPour = async (email: string, organisationId: number) => {
      expect(await inviteUser(t.database, national.viewer, "http://localhost", form({ email, role: "member", organisationId: String(organisationId) }))).toMatchObject({
        ok: true,
      });
      return mailOutbox().at(-1)!.text.match(/invitation\/([A-Za-z0-9_-]{43})/)![1];
    };
    const lien = (organisationId: number) => lienPour("x5@test.fr", organisationId);
    const dansLaDreets = await lien(dreetsAdmin.organisationId);
    const dansLaDdets = await lien(ddets.organisationId);
    expect((await pendingInvitations(t.database)).filter((i) => i.email === "x5@test.fr")).toHaveLength(2);
    const mdp = "Bienvenue-chez-nous-1";
    expect(await acceptInvitation(t.database, requestWith(), dansLaDreets, form({ nom: "Cinq", prenom: "X", password: mdp, confirmation: mdp }))).toMatchObject({ ok: true });
    expect((await pendingInvitations(t.database)).filter((i) => i.email === "x5@test.fr")).toEqual([]);
    const message = "Un compte existe déjà pour l'adresse x5@test.fr : connectez-vous.";
    expect(await invitationState(t.database, dansLaDdets)).toEqual({ valid: false, message, compteExistant: true });
    expect(await acceptInvitation(t.database, requestWith(), dansLaDdets, form({ nom: "Cinq", prenom: "X", password: mdp, confirmation: mdp }))).toMatchObject({
      ok: false,
      message,
    });
    // a national admin inviting the address now is told it has an account, nothing stored
    expect(
      await inviteUser(t.database, national.viewer, "http://localhost", form({ email: "x5@test.fr", role: "member", organisationId: String(ddets.organisationId) })),
    ).toMatchObject({ ok: false, message: "Un compte existe déjà pour l'adresse x5@test.fr." });
    expect((await pendingInvitations(t.database)).filter((i) => i.email === "x5@test.fr")).toEqual([]);

    // an account created otherwise (CLI, demo) closes them too
    expect((await pendingInvitations(t.database)).filter((i) => i.email === "x6@test.fr")).toHaveLength(0);
    const x6 = await lienPour("x6@test.fr", ddets.organisationId);
    expect((await pendingInvitations(t.database)).filter((i) => i.email === "x6@test.fr")).toHaveLength(1);
    await createUser(t.database, { email: "X6@test.fr", password: mdp, organisation: { id: ddets.organisationId } });
    expect((await pendingInvitations(t.database)).filter((i) => i.email === "x6@test.fr")).toEqual([]);
    expect(await invitationState(t.database, x6)).toMatchObject({ valid: false, compteExistant: true });
  });
});

describe("sign-up requests", () => {
  it("a CFA found by SIRET asks, a national admin validates: the requester is invited as the organisation's admin", async () => {
    mailOutbox().length = 0;
    const asked = await createSignupRequest(
      t.database,
      form({ email: "direction@cfa-paris.fr", nom: "Martin", prenom: "Léa", type: "ORGANISME_FORMATION", siret: ref.X.siret }),
      null,
      "http://localhost",
    );
    expect(asked).toMatchObject({ ok: true });
    // The national admins are told.
    expect(mailOutbox().some((m) => m.to === emailOf("ADMINISTRATEUR") && m.subject === "Nouvelle demande de compte à valider")).toBe(true);
    // A second request for the same address: the same answer (nothing revealed), nothing stored, the address told by e-mail.
    expect(
      await createSignupRequest(t.database, form({ email: "direction@cfa-paris.fr", nom: "Martin", prenom: "Léa", type: "ORGANISME_FORMATION", siret: ref.X.siret }), null, "http://localhost"),
    ).toEqual(asked);
    expect(mailOutbox().at(-1)).toMatchObject({ to: "direction@cfa-paris.fr", text: expect.stringContaining("déjà en attente de validation") });
    expect(await listSignupRequests(t.database)).toHaveLength(1);
    const [pending] = await listSignupRequests(t.database);
    const admin = await signIn("ADMINISTRATEUR");
    const member = await signIn("DREETS_ADMIN");
    expect(await validateSignupRequest(t.database, member.viewer, "http://localhost", form({ demandeId: String(pending.id) }))).toMatchObject({ ok: false });
    expect(await validateSignupRequest(t.database, admin.viewer, "http://localhost", form({ demandeId: String(pending.id) }))).toMatchObject({ ok: true });
    const invitation = mailOutbox().at(-1)!;
    expect(invitation.to).toBe("direction@cfa-paris.fr");
    expect(invitation.text).toContain("Rôle : Administrateur de l'organisation.");
    expect(await validateSignupRequest(t.database, admin.viewer, "http://localhost", form({ demandeId: String(pending.id) }))).toMatchObject({
      ok: false,
      message: "Cette demande n'existe pas ou a déjà été traitée.",
    });
  });

  it("refuses unknown organismes and bad territories, never reveals an account; a refusal is e-mailed with its reason", async () => {
    expect(
      await createSignupRequest(t.database, form({ email: "a@b.fr", nom: "A", prenom: "B", type: "ORGANISME_FORMATION", siret: siretOf(4242) }), null, "http://localhost"),
    ).toMatchObject({ ok: false, fieldErrors: { siret: `Aucun organisme du référentiel n'a le SIRET ${siretOf(4242)}.` } });
    expect(await createSignupRequest(t.database, form({ email: "a@b.fr", nom: "A", prenom: "B", type: "DDETS", departementCode: "" }), null, "http://localhost")).toMatchObject({
      ok: false,
      fieldErrors: { departementCode: expect.stringContaining("doit indiquer son département") },
    });
    expect(await createSignupRequest(t.database, form({ email: "a@b.fr", nom: "A", prenom: "B", type: "ADMINISTRATEUR" }), null, "http://localhost")).toMatchObject({
      ok: false,
      fieldErrors: { type: "Choisissez le type de votre organisation." },
    });
    // An address with an account gets the same answer as any other; its owner is told by e-mail.
    const existing = await createSignupRequest(t.database, form({ email: emailOf("DDETS"), nom: "A", prenom: "B", type: "DDETS", departementCode: "69" }), null, "http://localhost");
    expect(existing).toMatchObject({ ok: true, message: expect.stringContaining("Votre demande pour « DDETS Rhône (69) » a été envoyée.") });
    expect(mailOutbox().at(-1)).toMatchObject({ to: emailOf("DDETS"), text: expect.stringContaining("http://localhost/mot-de-passe-oublie") });
    expect(await listSignupRequests(t.database)).toEqual([]);
    mailOutbox().length = 0;
    expect(await createSignupRequest(t.database, form({ email: "agent@draaf.fr", nom: "A", prenom: "B", type: "DRAAF", regionCode: "11" }), null, "http://localhost")).toMatchObject({
      ok: true,
    });
    const [pending] = await listSignupRequests(t.database);
    const admin = await signIn("ADMINISTRATEUR");
    expect(await refuseSignupRequest(t.database, admin.viewer, form({ demandeId: String(pending.id) }))).toMatchObject({
      ok: false,
      fieldErrors: { motif: "Indiquez le motif du refus." },
    });
    expect(await refuseSignupRequest(t.database, admin.viewer, form({ demandeId: String(pending.id), motif: "Adresse non professionnelle" }))).toMatchObject({
      ok: true,
    });
    expect(mailOutbox().at(-1)).toMatchObject({ to: "agent@draaf.fr", text: expect.stringContaining("Motif : Adresse non professionnelle") });
  });
});

describe("audit log", () => {
  it("writes who, when, which list, filters and row count; national admins read it with filters", async () => {
    const dreets = await signIn("DREETS");
    const cfa = await signIn("ORGANISME_FORMATION");
    await logNamedListAccess(t.database, dreets.viewer, { list: "rupturants", filters: { regionCode: "84", depuis: "45j" }, rowCount: 12, action: "view" });
    await logNamedListAccess(t.database, cfa.viewer, { list: "tous", filters: {}, rowCount: 340, action: "download" });
    const admin = await signIn("ADMINISTRATEUR");
    const all = await listAuditLog(t.database, admin.viewer, parseAuditFilters(new URL("http://x/admin/journal")));
    expect(all.total).toBe(2);
    expect(all.entries[0]).toMatchObject({ userEmail: emailOf("ORGANISME_FORMATION"), list: "tous", action: "download", rowCount: 340 });
    expect(all.entries[1]).toMatchObject({
      userEmail: emailOf("DREETS"),
      organisationType: "DREETS",
      list: "rupturants",
      action: "view",
      filters: { regionCode: "84", depuis: "45j" },
      rowCount: 12,
    });
    const filtered = await listAuditLog(t.database, admin.viewer, parseAuditFilters(new URL("http://x/admin/journal?email=DREETS&liste=rupturants")));
    expect(filtered.entries.map((e) => e.userEmail)).toEqual([emailOf("DREETS")]);
    // the day after tomorrow (UTC): after today's Paris day whatever the hour (the filter's days are Paris days)
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect((await listAuditLog(t.database, admin.viewer, parseAuditFilters(new URL(`http://x/?du=${later}`)))).total).toBe(0);
    await expect(listAuditLog(t.database, dreets.viewer, parseAuditFilters(new URL("http://x/")))).rejects.toThrow();
    await expect(
      logNamedListAccess(t.database, { userId: null, organisationType: "PUBLIC", scope: { kind: "national" } }, { list: "tous", filters: {}, rowCount: 1, action: "view" }),
    ).rejects.toThrow();
  });
});

describe("scope on the database", () => {
  it("resolveOrganismeTarget gives territory, réseaux and responsables; scopeSql selects the scope's organismes", async () => {
    const target = await resolveOrganismeTarget(t.database, ref.F.id);
    expect(target).toMatchObject({ kind: "organisme", id: ref.F.id, regionCode: "84", departementCode: "01", academieCode: "10", reseaux: [], responsableIds: [ref.R.id] });
    expect(await resolveOrganismeTarget(t.database, 999_999)).toBeNull();
    expect(await resolveOrganismeTarget(t.database, Number.NaN)).toBeNull();
    // The loader helper: 404 when missing, 403 when out of scope, the target otherwise.
    const ddets = (await signIn("DDETS")).viewer;
    const status = (p: Promise<unknown>) => p.then(() => 200, (e: Response) => e.status);
    expect(await status(requireOrganismeTarget(t.database, ddets, 999_999))).toBe(404);
    expect(await status(requireOrganismeTarget(t.database, ddets, ref.X.id))).toBe(403);
    expect((await requireOrganismeTarget(t.database, ddets, ref.R.id)).id).toBe(ref.R.id);

    const seen = async (persona: Persona) => {
      const { viewer } = await signIn(persona);
      const rows = await t.database.rows<{ id: number }>(sql`select o.id from organismes o where ${scopeSql(viewer, "o")} order by o.id`);
      return rows.map((r) => r.id);
    };
    const { R, F, X } = ref;
    expect(await seen("ADMINISTRATEUR")).toEqual([R.id, F.id, X.id]);
    expect(await seen("DREETS")).toEqual([R.id, F.id]);
    expect(await seen("ACADEMIE")).toEqual([R.id, F.id]);
    expect(await seen("DDETS")).toEqual([R.id]);
    expect(await seen("TETE_DE_RESEAU")).toEqual([R.id]);
    expect(await seen("ORGANISME_FORMATION")).toEqual([R.id, F.id]);
    expect(await seen("CFA_FORMATEUR")).toEqual([F.id]);
    // What scopeSql selects is what canSeeAggregates allows.
    for (const persona of ["DREETS", "ACADEMIE", "DDETS", "TETE_DE_RESEAU", "ORGANISME_FORMATION", "CFA_FORMATEUR"] as Persona[]) {
      const { viewer } = await signIn(persona);
      const ids = await seen(persona);
      for (const o of [R, F, X]) {
        expect(canSeeAggregates(viewer, (await resolveOrganismeTarget(t.database, o.id))!), `${persona} → ${o.raisonSociale}`).toBe(ids.includes(o.id));
      }
    }
  });
});

describe("demo accounts", () => {
  it("creates one account per organisation type, idempotently, and none in production unless DEMO=1", async () => {
    const env = { NODE_ENV: process.env.NODE_ENV, DEMO: process.env.DEMO };
    try {
      process.env.NODE_ENV = "production";
      delete process.env.DEMO;
      expect(await ensureDemoAccounts(t.database)).toEqual({ created: [], skipped: [] });
      process.env.NODE_ENV = "test";
      const first = await ensureDemoAccounts(t.database);
      expect(first.created).toEqual([
        "administrateur@demo.test",
        "operateur-national@demo.test",
        "dreets@demo.test",
        "draaf@demo.test",
        "conseil-regional@demo.test",
        "carif-oref@demo.test",
        "academie@demo.test",
        "ddets@demo.test",
        "tete-de-reseau@demo.test",
        "cfa@demo.test",
        "cfa-formateur@demo.test",
      ]);
      const second = await ensureDemoAccounts(t.database);
      expect(second.created).toEqual([]);
      expect(second.skipped).toHaveLength(first.created.length);
      const ok = await login(t.database, requestWith(), form({ email: "cfa@demo.test", password: DEMO_PASSWORD }), null);
      expect(ok.ok).toBe(true);
      if (ok.ok) {
        const viewer = await getViewer(requestWith([cookiePair(ok.setCookie)]), t.database);
        expect(viewer.scope).toEqual({ kind: "organisme", organismeIds: [ref.R.id, ref.F.id].sort((a, b) => a - b), responsables: [ref.R.id] });
      }
      const reseau = await login(t.database, requestWith(), form({ email: "tete-de-reseau@demo.test", password: DEMO_PASSWORD }), null);
      if (reseau.ok) expect((await getViewer(requestWith([cookiePair(reseau.setCookie)]), t.database)).scope).toEqual({ kind: "reseau", nom: "RESEAU-A" });
    } finally {
      process.env.NODE_ENV = env.NODE_ENV;
      if (env.DEMO === undefined) delete process.env.DEMO;
      else process.env.DEMO = env.DEMO;
    }
  });
});
