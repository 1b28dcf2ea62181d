/**
 * Roles on a real database and over HTTP (`npm run -s build` first): a member of the national team reads what the
 * national team reads but administers no account (docs/decisions/039); an organisation's admin changes the role of
 * its accounts; an organisation keeps at least one active admin.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { texte } from "../helpers/http";
import { signupRequests, users } from "../../db/schema";
import { createUser, login } from "../../app/auth/accounts.server";
import { listAuditLog, parseAuditFilters, setUserDisabled, setUserRole } from "../../app/auth/admin.server";
import { inviteUser } from "../../app/auth/invitations.server";
import { refuseSignupRequest, validateSignupRequest } from "../../app/auth/signup.server";
import { getViewer, isNationalAdmin, isNationalTeam, organismesTransmis, type AuthenticatedViewer } from "../../app/auth/policy.server";
import { Browser, cookiePair, emailOf, PASSWORD, requestWith, seedAccounts, seedReferentiel, type Persona, type Referentiel } from "./auth-fixtures";

let t: TestDatabase;
let ref: Referentiel;
let accounts: Record<Persona, { id: number; email: string }>;
let app: { baseUrl: string; close(): Promise<void> };
const MEMBRE_NATIONAL = "membre-national@test.fr";

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  accounts = await seedAccounts(t.database, ref);
  await createUser(t.database, { email: MEMBRE_NATIONAL, password: PASSWORD, prenom: "Membre", nom: "National", role: "member", organisation: { type: "ADMINISTRATEUR" } });
  app = await serveApp(t.database);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
}

async function viewerOf(email: string): Promise<AuthenticatedViewer> {
  const result = await login(t.database, requestWith(), form({ email, password: PASSWORD }), null);
  if (!result.ok) throw new Error(result.message);
  return (await getViewer(requestWith([cookiePair(result.setCookie)]), t.database)) as AuthenticatedViewer;
}

async function userOf(id: number) {
  const [user] = await t.database.db.select().from(users).where(eq(users.id, id));
  return user;
}

describe("a member of the national team", () => {
  it("reads and transmits as the national team, but is no national administrator", async () => {
    const membre = await viewerOf(MEMBRE_NATIONAL);
    expect(isNationalTeam(membre)).toBe(true);
    expect(isNationalAdmin(membre)).toBe(false);
    expect(organismesTransmis(membre)).toBeNull();
    expect(isNationalAdmin(await viewerOf(emailOf("ADMINISTRATEUR")))).toBe(true);
  });

  it("cannot disable the national administrator, invite, validate or refuse a sign-up request, nor read the journal", async () => {
    const membre = await viewerOf(MEMBRE_NATIONAL);
    const admin = accounts.ADMINISTRATEUR;
    expect(await setUserDisabled(t.database, membre, form({ userId: String(admin.id) }), true)).toMatchObject({ ok: false });
    expect((await userOf(admin.id)).disabledAt).toBeNull();
    expect(await setUserRole(t.database, membre, form({ userId: String(admin.id), role: "member" }))).toMatchObject({ ok: false });
    const invitation = await inviteUser(t.database, membre, "http://localhost", form({ email: "pirate@test.fr", role: "admin", type: "ADMINISTRATEUR" }));
    expect(invitation).toMatchObject({ ok: false, message: "Seuls les administrateurs d'une organisation peuvent inviter des utilisateurs." });
    const [demande] = await t.database.db
      .insert(signupRequests)
      .values({ email: "demandeur@test.fr", nom: "D", prenom: "D", organisationType: "DREETS", regionCode: "84" })
      .returning();
    expect(await validateSignupRequest(t.database, membre, "http://localhost", form({ demandeId: String(demande.id) }))).toMatchObject({ ok: false });
    expect(await refuseSignupRequest(t.database, membre, form({ demandeId: String(demande.id), motif: "non" }))).toMatchObject({ ok: false });
    const [apres] = await t.database.db.select().from(signupRequests).where(eq(signupRequests.id, demande.id));
    expect(apres.status).toBe("en_attente");
    await expect(listAuditLog(t.database, membre, parseAuditFilters(new URL("http://localhost/admin/journal")))).rejects.toThrow();
  });

  it("over HTTP: the administration pages answer 403 with why, /compte and the header offer none of them, the exports stay open", async () => {
    const browser = new Browser(app.baseUrl);
    expect((await browser.login(MEMBRE_NATIONAL, PASSWORD)).status).toBe(302);
    for (const page of ["/admin/utilisateurs", "/admin/journal", "/admin/imports"]) {
      const response = await browser.get(page);
      expect(response.status, page).toBe(403);
      expect(texte(await response.text()), page).toContain("« membre »");
    }
    const csrf = await browser.csrf("/compte");
    const post = await browser.post("/admin/utilisateurs", { csrf, intent: "desactiver", userId: String(accounts.ADMINISTRATEUR.id) });
    expect(post.status).toBe(403);
    expect((await userOf(accounts.ADMINISTRATEUR.id)).disabledAt).toBeNull();
    const compte = await (await browser.get("/compte")).text();
    expect(compte).not.toContain('href="/admin/');
    expect((await browser.get("/exports")).status).toBe(200);
    expect((await browser.get("/cfa")).status).toBe(200);
  });
});

describe("changing a role", () => {
  it("an organisation's admin makes a member admin of its organisation, and back; not an account of another organisation, nor its own", async () => {
    const dreetsAdmin = await viewerOf(emailOf("DREETS_ADMIN"));
    const membre = accounts.DREETS;
    expect(await setUserRole(t.database, dreetsAdmin, form({ userId: String(membre.id), role: "admin" }))).toMatchObject({
      ok: true,
      message: `Rôle de ${membre.email} changé : « Membre » devient « Administrateur de l'organisation ».`,
    });
    expect((await userOf(membre.id)).role).toBe("admin");
    expect(await setUserRole(t.database, dreetsAdmin, form({ userId: String(membre.id), role: "member" }))).toMatchObject({ ok: true });
    expect((await userOf(membre.id)).role).toBe("member");
    expect(await setUserRole(t.database, dreetsAdmin, form({ userId: String(accounts.DDETS.id), role: "admin" }))).toMatchObject({
      ok: false,
      message: "Ce compte n'existe pas dans votre organisation : vous ne pouvez gérer que ses comptes.",
    });
    expect((await userOf(accounts.DDETS.id)).role).toBe("member");
    expect(await setUserRole(t.database, dreetsAdmin, form({ userId: String(dreetsAdmin.userId), role: "member" }))).toMatchObject({
      ok: false,
      message: "Vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur.",
    });
    expect(await setUserRole(t.database, dreetsAdmin, form({ userId: String(membre.id), role: "chef" }))).toMatchObject({ ok: false, fieldErrors: { role: expect.stringContaining("valeurs possibles") } });
  });

  it("a national admin changes the role of any account, the national member's included", async () => {
    const national = await viewerOf(emailOf("ADMINISTRATEUR"));
    const [membre] = await t.database.db.select().from(users).where(eq(users.email, MEMBRE_NATIONAL));
    expect(await setUserRole(t.database, national, form({ userId: String(membre.id), role: "admin" }))).toMatchObject({ ok: true });
    expect(isNationalAdmin(await viewerOf(MEMBRE_NATIONAL))).toBe(true);
    expect(await setUserRole(t.database, national, form({ userId: String(membre.id), role: "member" }))).toMatchObject({ ok: true });
    expect(isNationalAdmin(await viewerOf(MEMBRE_NATIONAL))).toBe(false);
  });

  it("an organisation keeps one active admin: its last one is neither made member nor disabled", async () => {
    const national = await viewerOf(emailOf("ADMINISTRATEUR"));
    const dernier = accounts.DREETS_ADMIN;
    const message = `${dernier.email} est le seul administrateur actif de son organisation`;
    expect(await setUserRole(t.database, national, form({ userId: String(dernier.id), role: "member" }))).toMatchObject({ ok: false, message: expect.stringContaining(message) });
    expect(await setUserDisabled(t.database, national, form({ userId: String(dernier.id) }), true)).toMatchObject({ ok: false, message: expect.stringContaining(message) });
    expect(await userOf(dernier.id)).toMatchObject({ role: "admin", disabledAt: null });
    // a second admin: the first may then go (a disabled admin is no active admin)
    expect(await setUserRole(t.database, national, form({ userId: String(accounts.DREETS.id), role: "admin" }))).toMatchObject({ ok: true });
    expect(await setUserDisabled(t.database, national, form({ userId: String(accounts.DREETS.id) }), true)).toMatchObject({ ok: true });
    expect(await setUserRole(t.database, national, form({ userId: String(dernier.id), role: "member" }))).toMatchObject({ ok: false, message: expect.stringContaining(message) });
    expect(await setUserDisabled(t.database, national, form({ userId: String(accounts.DREETS.id) }), false)).toMatchObject({ ok: true });
    expect(await setUserRole(t.database, national, form({ userId: String(dernier.id), role: "member" }))).toMatchObject({ ok: true });
    // back as they were
    expect(await setUserRole(t.database, national, form({ userId: String(dernier.id), role: "admin" }))).toMatchObject({ ok: true });
    expect(await setUserRole(t.database, national, form({ userId: String(accounts.DREETS.id), role: "member" }))).toMatchObject({ ok: true });
  });

  it("over HTTP: the users page offers « Changer le rôle » for the other accounts, and the action says why it refuses", async () => {
    const browser = new Browser(app.baseUrl);
    expect((await browser.login(emailOf("DREETS_ADMIN"), PASSWORD)).status).toBe(302);
    const page = await browser.get("/admin/utilisateurs");
    const html = await page.text();
    expect(texte(html)).toContain(`Changer le rôle de ${accounts.DREETS.email} : passer en administrateur`);
    const csrf = html.match(/name="csrf" value="([A-Za-z0-9_-]{43})"/)![1];
    const response = await browser.post("/admin/utilisateurs", { csrf, intent: "changer-role", userId: String(accounts.DREETS.id), role: "admin" });
    expect(response.status).toBe(200);
    expect(texte(await response.text())).toContain(`Rôle de ${accounts.DREETS.email} changé`);
    expect((await userOf(accounts.DREETS.id)).role).toBe("admin");
    await t.database.db.update(users).set({ role: "member" }).where(eq(users.id, accounts.DREETS.id));
  });
});
