/**
 * Corrections of the accounts' review on a real database: the journal's dates typed JJ/MM/AAAA, the accounts page past
 * its end, a replaced reset link, the new password's checks, who is told of a sign-up request, the sign-up limits'
 * messages, the pending requests' count, a request whose address got an account, addresses with accents, the
 * invitations of a disabled admin, and the retention of links and requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { authTokens, signupRequests, users } from "../../db/schema";
import { changePassword, createUser, login, resetTokenState } from "../../app/auth/accounts.server";
import { adminUsersPage, DEMANDES_PAR_PAGE, parseAuditFilters, setUserDisabled } from "../../app/auth/admin.server";
import { emailField } from "../../app/auth/forms.server";
import { invitationState, inviteUser } from "../../app/auth/invitations.server";
import { mailOutbox } from "../../app/auth/mail.server";
import { hashPassword, passwordProblem, verifyPassword } from "../../app/auth/password.server";
import { getViewer, type AuthenticatedViewer } from "../../app/auth/policy.server";
import { COMPTES_RETENTION_DAYS, purgeComptes } from "../../app/auth/retention.server";
import { COMPTE_CREE_AUTREMENT, createSignupRequest, validateSignupRequest } from "../../app/auth/signup.server";
import { createToken, revokeTokens } from "../../app/auth/tokens.server";
import { cookiePair, emailOf, PASSWORD, requestWith, seedAccounts, seedReferentiel, type Persona } from "./auth-fixtures";

let t: TestDatabase;
let accounts: Record<Persona, { id: number; email: string }>;

beforeAll(async () => {
  t = await createTestDatabase();
  accounts = await seedAccounts(t.database, await seedReferentiel(t.database));
});
afterAll(async () => t?.drop());

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
}

async function viewerOf(email: string, password = PASSWORD): Promise<AuthenticatedViewer> {
  const result = await login(t.database, requestWith(), form({ email, password }), null);
  if (!result.ok) throw new Error(result.message);
  return (await getViewer(requestWith([cookiePair(result.setCookie)]), t.database)) as AuthenticatedViewer;
}

const demande = (email: string) =>
  form({ email, nom: "Nom", prenom: "Prénom", fonction: "", type: "DREETS", regionCode: "84", message: "" });

const mailsEnvoyes = () => new Promise((resolve) => setTimeout(resolve, 100));

describe("the journal's dates", () => {
  it("are read as typed, JJ/MM/AAAA, as well as AAAA-MM-JJ; a bad one is told in the format it accepts", () => {
    const filtres = parseAuditFilters(new URL("http://localhost/admin/journal?du=07/12/2026&au=2026-12-31"));
    expect(filtres).toMatchObject({ du: "2026-12-07", au: "2026-12-31", errors: {} });
    // shown back in the date field's format, which would show « 07/12/2026 » as an empty field
    expect(filtres.saisie).toEqual({ du: "2026-12-07", au: "2026-12-31" });
    expect(parseAuditFilters(new URL("http://localhost/admin/journal?du=7/3/2026")).du).toBe("2026-03-07");
    expect(parseAuditFilters(new URL("http://localhost/admin/journal?du=31/02/2026")).errors.du).toBe(
      "Du : « 31/02/2026 » n'est pas une date (jour, mois et année existants attendus, au format JJ/MM/AAAA, par exemple 31/03/2026, ou AAAA-MM-JJ).",
    );
  });
});

describe("the accounts page", () => {
  it("past its last page shows the last page, with the accounts' count", async () => {
    const national = await viewerOf(emailOf("ADMINISTRATEUR"));
    const page = await adminUsersPage(t.database, national, { page: 999 });
    expect(page.recherche).toMatchObject({ page: 1, pages: 1 });
    expect(page.recherche.total).toBeGreaterThan(10);
    expect(page.users).toHaveLength(page.recherche.total);
  });
});

describe("passwords", () => {
  it("a reset link replaced by a newer request says so, not that it was used", async () => {
    const email = emailOf("DRAAF");
    const ancien = await createToken(t.database, { kind: "reinitialisation", email, userId: accounts.DRAAF.id });
    await revokeTokens(t.database, "reinitialisation", email);
    expect(await resetTokenState(t.database, ancien)).toEqual({
      valid: false,
      message: "Ce lien a été remplacé par une demande plus récente : utilisez le lien du dernier e-mail reçu.",
    });
    const utilise = await createToken(t.database, { kind: "reinitialisation", email, userId: accounts.DRAAF.id });
    await t.database.db.update(authTokens).set({ usedAt: new Date() }).where(eq(authTokens.userId, accounts.DRAAF.id));
    expect(await resetTokenState(t.database, utilise)).toMatchObject({ message: "Ce lien a déjà été utilisé : il n'est valable qu'une fois." });
  });

  it("counts characters, not UTF-16 units: 11 emoji and letters are too few, a long one of emoji still signs in", async () => {
    expect(passwordProblem("😀😀😀😀😀😀abcde")).toBe("Le mot de passe doit contenir au moins 12 caractères (il en contient 11).");
    expect(passwordProblem("e\u0301".repeat(6) + "abcde")).toMatch(/il en contient 11/);
    const emoji = "😀🎉🚀🌍🔑".repeat(30); // 150 characters, 300 UTF-16 units
    expect(passwordProblem(emoji)).toBeNull();
    expect(await verifyPassword(emoji, await hashPassword(emoji))).toBe(true);
  });

  it("refuses a new password equal to the current one", async () => {
    const viewer = await viewerOf(emailOf("CARIF_OREF_REGIONAL"));
    const result = await changePassword(t.database, viewer, form({ current: PASSWORD, password: PASSWORD, confirmation: PASSWORD }));
    expect(result).toMatchObject({ ok: false, fieldErrors: { password: "Le nouveau mot de passe doit être différent du mot de passe actuel." } });
    expect(await viewerOf(emailOf("CARIF_OREF_REGIONAL"))).toBeTruthy();
  });
});

describe("sign-up requests", () => {
  it("are e-mailed to the active national admins only: not a disabled one, not a member of the national team", async () => {
    const { user: desactive } = await createUser(t.database, { email: "ancien-admin@test.fr", password: PASSWORD, role: "admin", organisation: { type: "ADMINISTRATEUR" } });
    await t.database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, desactive.id));
    await createUser(t.database, { email: "membre-national@test.fr", password: PASSWORD, role: "member", organisation: { type: "ADMINISTRATEUR" } });
    mailOutbox().length = 0;
    expect(await createSignupRequest(t.database, demande("agent@dreets.fr"), null, "http://localhost")).toMatchObject({ ok: true });
    await mailsEnvoyes();
    const avis = mailOutbox().filter((m) => m.subject === "Nouvelle demande de compte à valider").map((m) => m.to);
    expect(avis).toEqual([emailOf("ADMINISTRATEUR")]);
  });

  it("the limit of one connection is told as such, for a new address", async () => {
    const ip = "203.0.113.9";
    for (let i = 0; i < 20; i++) await t.database.db.execute(sql`insert into login_attempts (kind, identifier, ip, success) values ('inscription', ${`x${i}@test.fr`}, ${ip}, true)`);
    expect(await createSignupRequest(t.database, demande("tout-nouveau@test.fr"), ip, "http://localhost")).toMatchObject({
      ok: false,
      message: "Trop de demandes de compte ont été envoyées depuis cette connexion (même adresse IP) dans l'heure : patientez avant de recommencer.",
    });
    for (let i = 0; i < 3; i++) await createSignupRequest(t.database, demande("insistant@test.fr"), null, "http://localhost");
    expect(await createSignupRequest(t.database, demande("insistant@test.fr"), null, "http://localhost")).toMatchObject({
      ok: false,
      message: "Plusieurs demandes ont déjà été envoyées pour cette adresse e-mail dans l'heure : patientez avant de recommencer.",
    });
  });

  it("the page gives how many are pending and lists them all, page by page, the most recent first", async () => {
    await t.database.db.insert(signupRequests).values(
      Array.from({ length: 2 * DEMANDES_PAR_PAGE + 5 }, (_, i) => ({
        email: `file${i}@test.fr`,
        nom: "N",
        prenom: "P",
        organisationType: "DREETS" as const,
        regionCode: "84",
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      })),
    );
    const admin = await viewerOf(emailOf("ADMINISTRATEUR"));
    const [{ n }] = await t.database.rows<{ n: number }>(sql`select count(*)::int as n from signup_requests where status = 'en_attente'`);
    const pages = Math.ceil(n / DEMANDES_PAR_PAGE);
    expect(pages).toBeGreaterThanOrEqual(3);
    const vues: number[] = [];
    for (let p = 1; p <= pages; p++) {
      const page = await adminUsersPage(t.database, admin, { demandes: p });
      expect(page.demandesTotal).toBe(n);
      expect(page.demandesPagination).toEqual({ page: p, pages, parPage: DEMANDES_PAR_PAGE });
      expect(page.demandes.length).toBe(p < pages ? DEMANDES_PAR_PAGE : n - (pages - 1) * DEMANDES_PAR_PAGE);
      vues.push(...page.demandes.map((d) => d.id));
    }
    // every pending request once, none left out
    expect(new Set(vues).size).toBe(n);
    // the most recent first: file104 before file103…
    const emails = (await Promise.all(Array.from({ length: pages }, (_, i) => adminUsersPage(t.database, admin, { demandes: i + 1 }))))
      .flatMap((page) => page.demandes.map((d) => d.email))
      .filter((e) => e.startsWith("file"));
    expect(emails).toEqual(Array.from({ length: 2 * DEMANDES_PAR_PAGE + 5 }, (_, i) => `file${2 * DEMANDES_PAR_PAGE + 4 - i}@test.fr`));
    // a page past the end shows the last one
    expect((await adminUsersPage(t.database, admin, { demandes: 999 })).demandesPagination.page).toBe(pages);
    // an organisation's admin has none
    expect((await adminUsersPage(t.database, await viewerOf(emailOf("DREETS")), { demandes: 2 })).demandes).toEqual([]);
    await t.database.db.delete(signupRequests).where(sql`email like 'file%'`);
  });

  it("a request whose address got an account another way is closed on validation, saying so", async () => {
    expect(await createSignupRequest(t.database, demande("deja-la@test.fr"), null, "http://localhost")).toMatchObject({ ok: true });
    await createUser(t.database, { email: "deja-la@test.fr", password: PASSWORD, organisation: { type: "DREETS", regionCode: "84" } });
    const [request] = await t.database.db.select().from(signupRequests).where(eq(signupRequests.email, "deja-la@test.fr"));
    const result = await validateSignupRequest(t.database, await viewerOf(emailOf("ADMINISTRATEUR")), "http://localhost", form({ demandeId: String(request.id) }));
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("Un compte existe déjà pour deja-la@test.fr (DREETS Auvergne-Rhône-Alpes)") });
    const [apres] = await t.database.db.select().from(signupRequests).where(eq(signupRequests.id, request.id));
    expect(apres).toMatchObject({ status: "refusee", motifRefus: COMPTE_CREE_AUTREMENT });
  });
});

describe("addresses with accents", () => {
  it("a domain with accents is accepted (punycode); accents before the @ are refused, saying so", () => {
    expect(emailField.safeParse("Elodie@Académie.fr")).toEqual({ success: true, data: "elodie@xn--acadmie-eya.fr" });
    const refus = emailField.safeParse("élodie@académie.fr");
    expect(refus.success).toBe(false);
    expect(refus.error!.issues[0].message).toBe(
      "Adresse e-mail invalide : la partie avant le @ (« élodie ») ne doit contenir ni accent ni lettre hors de l'alphabet latin de base ; écrivez-la comme votre messagerie l'affiche (par exemple « elodie » pour « élodie »).",
    );
  });
});

describe("a disabled admin's invitations", () => {
  it("stop working, their link saying why", async () => {
    const { user: admin } = await createUser(t.database, { email: "second-admin@test.fr", password: PASSWORD, role: "admin", organisation: { type: "DDETS", departementCode: "69" } });
    mailOutbox().length = 0;
    const invitation = await inviteUser(t.database, await viewerOf("second-admin@test.fr"), "http://localhost", form({ email: "invite-ddets@test.fr", role: "admin" }));
    expect(invitation).toMatchObject({ ok: true });
    const token = mailOutbox().at(-1)!.text.match(/invitation\/([A-Za-z0-9_-]{43})/)![1];
    expect(await invitationState(t.database, token)).toMatchObject({ valid: true });
    // the DDETS keeps an active admin: the invited one is not one yet, so another is made first
    await t.database.db.update(users).set({ role: "admin" }).where(eq(users.id, accounts.DDETS.id));
    const result = await setUserDisabled(t.database, await viewerOf(emailOf("ADMINISTRATEUR")), form({ userId: String(admin.id) }), true);
    expect(result).toMatchObject({ ok: true, message: "Compte second-admin@test.fr désactivé : ses sessions sont fermées et son invitation en attente annulée." });
    expect(await invitationState(t.database, token)).toMatchObject({
      valid: false,
      message: "Cette invitation a été annulée : le compte de la personne qui l'a envoyée a été désactivé. Demandez une nouvelle invitation à un administrateur de l'organisation.",
    });
    await t.database.db.update(users).set({ role: "member" }).where(eq(users.id, accounts.DDETS.id));
  });
});

describe("retention", () => {
  it(`deletes links used or expired, and requests decided, more than ${COMPTES_RETENTION_DAYS} days ago; keeps the others`, async () => {
    const now = new Date();
    const jours = (n: number) => new Date(now.getTime() - n * 24 * 3600 * 1000);
    const email = "retention@test.fr";
    const cree = async (expiresAt: Date, usedAt: Date | null) => {
      await createToken(t.database, { kind: "reinitialisation", email, userId: accounts.DREETS.id });
      const [row] = await t.database.rows<{ id: number }>(sql`select max(id)::int as id from auth_tokens`);
      await t.database.db.update(authTokens).set({ expiresAt, usedAt }).where(eq(authTokens.id, row.id));
      return row.id;
    };
    const vieuxUtilise = await cree(jours(COMPTES_RETENTION_DAYS + 9), jours(COMPTES_RETENTION_DAYS + 10));
    const vieuxExpire = await cree(jours(COMPTES_RETENTION_DAYS + 1), null);
    const recentUtilise = await cree(jours(-1), jours(5));
    const valide = await cree(jours(-1), null);
    const [refusee, ouverte, recente] = await t.database.db
      .insert(signupRequests)
      .values([
        { email, nom: "N", prenom: "P", organisationType: "DREETS", regionCode: "84", status: "refusee", decidedAt: jours(COMPTES_RETENTION_DAYS + 1) },
        { email, nom: "N", prenom: "P", organisationType: "DREETS", regionCode: "84" },
        { email, nom: "N", prenom: "P", organisationType: "DREETS", regionCode: "84", status: "validee", decidedAt: jours(3) },
      ])
      .returning({ id: signupRequests.id });
    const report = await purgeComptes(t.database, now);
    expect(report.jetonsSupprimes).toBeGreaterThanOrEqual(2);
    expect(report.demandesSupprimees).toBe(1);
    const restants = (await t.database.db.select({ id: authTokens.id }).from(authTokens).where(eq(authTokens.email, email))).map((r) => r.id);
    expect(restants.sort()).toEqual([recentUtilise, valide].sort());
    expect(restants).not.toContain(vieuxUtilise);
    expect(restants).not.toContain(vieuxExpire);
    const demandes = (await t.database.db.select({ id: signupRequests.id }).from(signupRequests).where(eq(signupRequests.email, email))).map((r) => r.id);
    expect(demandes.sort()).toEqual([ouverte.id, recente.id].sort());
    expect(demandes).not.toContain(refusee.id);
  });
});
