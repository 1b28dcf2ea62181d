/**
 * The account administration pages over HTTP, against the built app (`npm run -s build` first): bad input never
 * gives a 500 — impossible dates in the audit log's filters, tampered ids in the admin and account forms — and the
 * sign-up form never tells an anonymous visitor whether an address has an account.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, count, eq, isNotNull, sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { texte } from "../helpers/http";
import { serveApp } from "../helpers/browser";
import { authTokens, namedListAccessLog, organisations, signupRequests, users } from "../../db/schema";
import { mailOutbox } from "../../app/auth/mail.server";
import { Browser, emailOf, PASSWORD, seedAccounts, seedReferentiel, type Persona, type Referentiel } from "./auth-fixtures";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let ref: Referentiel;
let accounts: Record<Persona, { id: number; email: string }>;

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  accounts = await seedAccounts(t.database, ref);
  app = await serveApp(t.database);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function signedIn(persona: Persona): Promise<Browser> {
  const browser = new Browser(app.baseUrl);
  const response = await browser.login(emailOf(persona), PASSWORD);
  expect(response.status).toBe(302);
  return browser;
}


describe("audit log filters (/admin/journal)", () => {
  beforeAll(async () => {
    const [dreets] = await t.database.db.select().from(users).where(eq(users.id, accounts.DREETS.id));
    await t.database.db.insert(namedListAccessLog).values({
      userId: dreets.id,
      userEmail: dreets.email,
      organisationId: dreets.organisationId,
      organisationType: "DREETS",
      list: "rupturants",
      action: "view",
      filters: { region: "84" },
      rowCount: 12,
    });
  });

  it.each([
    ["au=2026-13-45", "Au : « 2026-13-45 » n'est pas une date"],
    ["du=9999-99-99", "Du : « 9999-99-99 » n'est pas une date"],
    ["du=2026-02-31", "Du : « 2026-02-31 » n'est pas une date"],
    ["du=0000-01-01", "Du : « 0000-01-01 » est hors de la période possible (du 01/01/1900 au 31/12/2999)"],
    ["au=9999-12-31", "Au : « 9999-12-31 » est hors de la période possible"],
  ])("%s: the form says which date is wrong, the page still renders (400, never a 500)", async (query, message) => {
    const admin = await signedIn("ADMINISTRATEUR");
    const response = await admin.get(`/admin/journal?${query}&liste=rupturants`);
    expect(response.status).toBe(400);
    const html = texte(await response.text());
    expect(html).toContain("Journal des accès aux listes nominatives");
    expect(html).toContain(message);
    // the other filters still apply, the bad one is ignored
    expect(html).toContain("1 entrée");
    expect(html).toContain(emailOf("DREETS"));
  });

  it("says when the period ends before it starts", async () => {
    const admin = await signedIn("ADMINISTRATEUR");
    const response = await admin.get("/admin/journal?du=2026-12-01&au=2026-11-01");
    expect(response.status).toBe(400);
    expect(texte(await response.text())).toContain("Au : le 01/11/2026 est avant la date de début (01/12/2026)");
  });

  it("still filters by valid dates", async () => {
    const admin = await signedIn("ADMINISTRATEUR");
    const response = await admin.get("/admin/journal?du=2000-01-01&au=2999-12-31");
    expect(response.status).toBe(200);
    expect(texte(await response.text())).toContain("1 entrée");
  });

  it("says the filters logged in the pages' words, not as parameters or codes", async () => {
    const [cfa] = await t.database.db.select().from(users).where(eq(users.id, accounts.ORGANISME_FORMATION.id));
    const entree = { userId: cfa.id, userEmail: cfa.email, organisationId: cfa.organisationId, organisationType: "ORGANISME_FORMATION" as const, list: "tous" as const, action: "view" as const };
    await t.database.db.insert(namedListAccessLog).values([
      { ...entree, filters: { organisme: 1, page: "doublons", pageArchives: 1 }, rowCount: 2 },
      { ...entree, filters: { organisme: 1, statut: "RUPTURANT", signal: "a_risque", effectif: 7, archive: true }, rowCount: 1 },
    ]);
    const admin = await signedIn("ADMINISTRATEUR");
    const html = texte(await (await admin.get("/admin/journal?liste=tous")).text());
    for (const attendu of ["page : Doublons", "page des archives : 1", "statut : Rupturant", "signal : À risque", "apprenant n° : 7", "fiche archivée : oui"]) {
      expect(html).toContain(attendu);
    }
    expect(html).not.toMatch(/pageArchives|RUPTURANT|a_risque/);
  });
});

describe("audit log pages, lists and days (/admin/journal)", () => {
  /** The text of a page, React's text separators removed first. */
  const lu = (html: string) => texte(html.replace(/<!--[\s\S]*?-->/g, ""));

  beforeAll(async () => {
    const [dreets] = await t.database.db.select().from(users).where(eq(users.id, accounts.DREETS.id));
    const entree = { userId: dreets.id, organisationId: dreets.organisationId, organisationType: "DREETS", action: "view" as const, filters: {}, rowCount: 3 };
    // 120 views of the abandons list: 3 pages of 50
    await t.database.db.insert(namedListAccessLog).values(Array.from({ length: 120 }, () => ({ ...entree, userEmail: "pages@test.fr", list: "abandons" as const })));
    // a CFA's views of its upload preview and of one data-quality anomaly
    await t.database.db.insert(namedListAccessLog).values([
      { ...entree, userEmail: "libelles@test.fr", list: "tous" as const, filters: { page: "televersement-apercu", televersement: "abc" } },
      { ...entree, userEmail: "libelles@test.fr", list: "tous" as const, filters: { page: "qualite", anomalie: "sexe_manquant" } },
    ]);
    // around midnight in Paris: 00:30 on 31/03 (summer time, UTC+2), 00:30 on 01/04, 00:30 on 15/01 (winter time, UTC+1)
    await t.database.db.insert(namedListAccessLog).values(
      ["2026-03-30T22:30:00Z", "2026-03-31T22:30:00Z", "2026-01-14T23:30:00Z"].map((at) => ({
        ...entree,
        userEmail: "minuit@test.fr",
        list: "sans_contrat" as const,
        createdAt: new Date(at),
      })),
    );
  });

  it("a page past the end shows the last page, as every list does", async () => {
    const admin = await signedIn("ADMINISTRATEUR");
    const response = await admin.get("/admin/journal?liste=abandons&page=5000");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(lu(html)).toContain("120 entrées — page 3 sur 3.");
    expect(html.match(/<td>pages@test.fr<\/td>/g)).toHaveLength(20);
    expect(html).toMatch(/href="[^"]*\?liste=abandons&amp;page=2"/);
    expect(lu(html)).not.toContain("Page suivante");
  });

  it("says the pages and anomalies of the CFA space in words, not their codes", async () => {
    const admin = await signedIn("ADMINISTRATEUR");
    const html = lu(await (await admin.get("/admin/journal?email=libelles")).text());
    expect(html).toContain("page : Aperçu d'un téléversement · téléversement : abc");
    expect(html).toContain("page : Qualité des données · anomalie : Sexe non renseigné");
    expect(html).not.toContain("televersement-apercu");
    expect(html).not.toContain("sexe_manquant");
  });

  it("an unknown list is reported (400) and ignored, the other filters apply", async () => {
    const admin = await signedIn("ADMINISTRATEUR");
    const response = await admin.get("/admin/journal?liste=zzz&email=minuit");
    expect(response.status).toBe(400);
    const html = lu(await response.text());
    expect(html).toContain("Liste : « zzz » n'est pas une liste nominative ; valeurs possibles : Inscrits sans contrat (sans_contrat)");
    expect(html).toContain("3 entrées");
  });

  it.each([
    ["du=2026-03-31&au=2026-03-31", ["31/03/2026 00:30"]],
    ["du=2026-04-01", ["01/04/2026 00:30"]],
    ["au=2026-03-30", ["15/01/2026 00:30"]],
    ["du=2026-01-15&au=2026-01-15", ["15/01/2026 00:30"]],
    ["au=2026-01-14", []],
  ])("%s: the days are Paris days, as the times shown", async (query, heures) => {
    const admin = await signedIn("ADMINISTRATEUR");
    const response = await admin.get(`/admin/journal?email=minuit&${query}`);
    expect(response.status).toBe(200);
    const html = lu(await response.text());
    const vues = [...html.matchAll(/(\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}) minuit@test\.fr/g)].map((m) => m[1]);
    expect(vues).toEqual(heures);
  });
});

describe("tampered admin forms (/admin/utilisateurs)", () => {
  async function counts() {
    const [tokens] = await t.database.db.select({ n: count() }).from(authTokens);
    const [orgs] = await t.database.db.select({ n: count() }).from(organisations);
    const [revoked] = await t.database.db.select({ n: count() }).from(authTokens).where(and(eq(authTokens.kind, "invitation"), isNotNull(authTokens.usedAt)));
    const disabled = (await t.database.db.select({ id: users.id, disabledAt: users.disabledAt }).from(users)).filter((u) => u.disabledAt).length;
    const requests = await t.database.db.select({ id: signupRequests.id, status: signupRequests.status }).from(signupRequests);
    return { tokens: tokens.n, orgs: orgs.n, revoked: revoked.n, disabled, requests: JSON.stringify(requests) };
  }

  it.each([
    ["ADMINISTRATEUR", { intent: "annuler-invitation", invitationId: "abc" }, "invitationId"],
    ["ADMINISTRATEUR", { intent: "annuler-invitation", invitationId: "99999999999" }, "invitationId"],
    ["ADMINISTRATEUR", { intent: "annuler-invitation", invitationId: "1e400" }, "invitationId"],
    ["DREETS_ADMIN", { intent: "annuler-invitation", invitationId: "abc" }, "invitationId"],
    ["ADMINISTRATEUR", { intent: "inviter", email: "nouveau@test.fr", role: "member", organisationId: "abc" }, "organisationId"],
    ["ADMINISTRATEUR", { intent: "inviter", email: "nouveau@test.fr", role: "member", organisationId: "99999999999" }, "organisationId"],
    ["DREETS_ADMIN", { intent: "inviter", email: "nouveau@test.fr", role: "member", organisationId: "-1" }, "organisationId"],
    ["ADMINISTRATEUR", { intent: "desactiver", userId: "1.5" }, "userId"],
    ["ADMINISTRATEUR", { intent: "reactiver", userId: "2147483648" }, "userId"],
    ["ADMINISTRATEUR", { intent: "valider-demande", demandeId: "abc" }, "demandeId"],
    ["ADMINISTRATEUR", { intent: "valider-demande", demandeId: "99999999999" }, "demandeId"],
    ["ADMINISTRATEUR", { intent: "refuser-demande", demandeId: "99999999999", motif: "x" }, "demandeId"],
    ["ADMINISTRATEUR", { intent: "zzz" }, "intent"],
  ] as const)("%s %j: a French message, 400, nothing written", async (persona, form, champ) => {
    const browser = await signedIn(persona);
    const csrf = await browser.csrf("/admin/utilisateurs");
    const before = await counts();
    const mails = mailOutbox().length;
    const response = await browser.post("/admin/utilisateurs", { csrf, ...form });
    expect(response.status).toBe(400);
    const html = texte(await response.text());
    expect(html).toContain("Utilisateurs");
    const attendu =
      champ === "intent"
        ? "Action inconnue"
        : `${
            { invitationId: "Invitation", organisationId: "Organisation", userId: "Compte", demandeId: "Demande de compte" }[champ]
          } : identifiant invalide « ${(form as Record<string, string>)[champ]} » (nombre entier positif attendu)`;
    expect(html).toContain(attendu);
    expect(await counts()).toEqual(before);
    expect(mailOutbox().length).toBe(mails);
  });

  it("a well-formed id that does not exist is still answered in French (no 500)", async () => {
    const browser = await signedIn("ADMINISTRATEUR");
    const csrf = await browser.csrf("/admin/utilisateurs");
    const response = await browser.post("/admin/utilisateurs", { csrf, intent: "annuler-invitation", invitationId: "2147483647" });
    expect(response.status).toBe(200);
    expect(texte(await response.text())).toContain("Cette invitation n'existe pas ou a déjà été utilisée.");
  });

  it("an organisation's admin gets the same answer for another organisation's account as for an unknown one", async () => {
    const browser = await signedIn("DREETS_ADMIN");
    const csrf = await browser.csrf("/admin/utilisateurs");
    const messages: string[] = [];
    for (const userId of [String(accounts.ACADEMIE.id), "2147483647"]) {
      const response = await browser.post("/admin/utilisateurs", { csrf, intent: "desactiver", userId });
      const html = texte(await response.text());
      messages.push(html.includes("Ce compte n'existe pas dans votre organisation") ? "inconnu" : html);
    }
    expect(messages).toEqual(["inconnu", "inconnu"]);
    const [autre] = await t.database.db.select().from(users).where(eq(users.id, accounts.ACADEMIE.id));
    expect(autre.disabledAt).toBeNull();
  });

  it("/compte: an unknown intent is a 400 with a French message; tampered values are refused", async () => {
    const browser = await signedIn("DDETS");
    const csrf = await browser.csrf("/compte");
    const unknown = await browser.post("/compte", { csrf, intent: "supprimer", userId: "abc" });
    expect(unknown.status).toBe(400);
    expect(texte(await unknown.text())).toContain("Action inconnue");
    const [before] = await t.database.db.select().from(users).where(eq(users.id, accounts.DDETS.id));
    const profil = await browser.post("/compte", { csrf, intent: "profil", nom: "A".repeat(101), prenom: "B", userId: "99999999999" });
    expect(profil.status).toBe(200);
    expect(texte(await profil.text())).toContain("Le champ « nom » ne doit pas dépasser 100 caractères.");
    const [after] = await t.database.db.select().from(users).where(eq(users.id, accounts.DDETS.id));
    expect(after.nom).toBe(before.nom);
  });
});

describe("an invitation for a tête de réseau (/admin/utilisateurs)", () => {
  it("refuses a network no organisme has, the message on the Réseau field, nothing created nor sent", async () => {
    const browser = await signedIn("ADMINISTRATEUR");
    const csrf = await browser.csrf("/admin/utilisateurs");
    const [orgs] = await t.database.db.select({ n: count() }).from(organisations);
    const mails = mailOutbox().length;
    const response = await browser.post("/admin/utilisateurs", { csrf, intent: "inviter", email: "tete@reseau.fr", role: "member", type: "TETE_DE_RESEAU", reseau: "Réseau inexistant" });
    expect(response.status).toBe(200);
    const html = await response.text();
    // DSFR's error state on the field, its message describing it
    const champ = /<input[^>]*name="reseau"[^>]*>/.exec(html)?.[0] ?? "";
    expect(champ).toMatch(/fr-input--error/);
    expect(champ).toMatch(/aria-invalid="true"/);
    const decrit = /aria-describedby="([^"]+)"/.exec(champ)?.[1];
    expect(texte(html.slice(html.indexOf(`id="${decrit}"`)))).toMatch(/^[^<]*Réseau inconnu : « Réseau inexistant » : aucun organisme du référentiel n'appartient à ce réseau\. Réseaux connus : « RESEAU-A », « RESEAU-B »/);
    expect((await t.database.db.select({ n: count() }).from(organisations))[0]).toEqual(orgs);
    expect(mailOutbox().length).toBe(mails);
    // a select in error is marked the same way
    const sansRegion = await (await browser.post("/admin/utilisateurs", { csrf, intent: "inviter", email: "d@dreets.fr", role: "member", type: "DREETS" })).text();
    const region = /<select[^>]*name="regionCode"[^>]*>/.exec(sansRegion)?.[0] ?? "";
    expect(region).toMatch(/aria-invalid="true"/);
    expect(/<select[^>]*name="academieCode"[^>]*>/.exec(sansRegion)?.[0]).not.toMatch(/aria-invalid/);
    // a network of the référentiel is still accepted
    const ok = await browser.post("/admin/utilisateurs", { csrf, intent: "inviter", email: "tete@reseau.fr", role: "member", type: "TETE_DE_RESEAU", reseau: "reseau-b" });
    expect(ok.status).toBe(200);
    expect(texte(await ok.text())).toContain("Invitation envoyée à tete@reseau.fr (Tête de réseau RESEAU-B");
  });
});

describe("a value holding U+0000 (the database cannot store it) is a 400 naming the field, never a 500", () => {
  it.each([
    ["DDETS", "/compte", { intent: "profil", nom: "A\u0000B", prenom: "C" }, "Nom : la valeur contient un caractère nul (U+0000)"],
    ["ADMINISTRATEUR", "/admin/utilisateurs", { intent: "inviter", email: "n@test.fr", role: "member", type: "DREETS", regionCode: "8\u00004" }, "Région : la valeur contient un caractère nul"],
    ["ADMINISTRATEUR", "/admin/utilisateurs", { intent: "inviter", email: "n@test.fr", role: "member", type: "TETE_DE_RESEAU", reseau: "X\u0000" }, "Réseau : la valeur contient un caractère nul"],
    [null, "/inscription", { email: "x@y.fr", prenom: "J", nom: "D\u0000", type: "DREETS", regionCode: "11" }, "Nom : la valeur contient un caractère nul"],
    [null, "/inscription", { email: "x@y.fr", prenom: "J", nom: "D", type: "TETE_DE_RESEAU", reseau: "R\u0000" }, "Réseau : la valeur contient un caractère nul"],
  ] as const)("%s %s %j", async (persona, path, form, message) => {
    const browser = persona ? await signedIn(persona) : new Browser(app.baseUrl);
    const csrf = await browser.csrf(path);
    const [before] = await t.database.db.select({ n: count() }).from(signupRequests);
    const response = await browser.post(path, { csrf, ...form });
    expect(response.status).toBe(400);
    expect(texte(await response.text())).toContain(message);
    expect((await t.database.db.select({ n: count() }).from(signupRequests))[0]).toEqual(before);
  });
});

describe("sign-up requests (/inscription)", () => {
  async function demander(email: string) {
    const visitor = new Browser(app.baseUrl);
    const csrf = await visitor.csrf("/inscription");
    const response = await visitor.post("/inscription", { csrf, email, prenom: "Jean", nom: "Dupont", type: "DREETS", regionCode: "11" });
    expect(response.status).toBe(200);
    const html = texte(await response.text());
    return html.slice(html.indexOf("Demande envoyée"), html.indexOf("Retour à l'accueil"));
  }

  it("answers the same whether the address has an account or not; the account's owner is told by e-mail", async () => {
    mailOutbox().length = 0;
    const existing = emailOf("ADMINISTRATEUR");
    const forExisting = await demander(existing);
    const forNew = await demander("jean.dupont@dreets.gouv.fr");
    expect(forExisting).toContain("Demande envoyée");
    expect(forExisting.replace(existing, "@")).toBe(forNew.replace("jean.dupont@dreets.gouv.fr", "@"));
    expect(forExisting).not.toContain("Un compte existe déjà");
    // a request again for the same addresses: still the same answer (a pending request is not revealed either)
    expect((await demander(existing)).replace(existing, "@")).toBe((await demander("jean.dupont@dreets.gouv.fr")).replace("jean.dupont@dreets.gouv.fr", "@"));
    // the account's owner gets an e-mail saying so; no request is stored for that address
    const told = mailOutbox().filter((m) => m.to === existing);
    expect(told.length).toBeGreaterThan(0);
    expect(told[0].subject).toBe("Votre demande de compte");
    expect(told[0].text).toContain("Un compte existe déjà pour cette adresse");
    expect(told[0].text).toMatch(/\/mot-de-passe-oublie/);
    expect(await t.database.db.select().from(signupRequests).where(eq(signupRequests.email, existing))).toEqual([]);
    expect(await t.database.db.select().from(signupRequests).where(eq(signupRequests.email, "jean.dupont@dreets.gouv.fr"))).toHaveLength(1);
  });

  it("the pending requests show the région's name, not its code", async () => {
    const admin = await signedIn("ADMINISTRATEUR");
    const html = texte(await (await admin.get("/admin/utilisateurs")).text());
    expect(html).toContain("jean.dupont@dreets.gouv.fr");
    expect(html).toContain("Région Île-de-France (11)");
    expect(html).not.toContain("Région 11");
  });

  it("the pending requests are paged (50 a page): the second page is reached by its link, the first one stays whole", async () => {
    const emails = Array.from({ length: 55 }, (_, i) => `file${i}@pages.fr`);
    await t.database.db.insert(signupRequests).values(emails.map((email) => ({ email, nom: "N", prenom: "P", organisationType: "DREETS" as const, regionCode: "84" })));
    try {
      const admin = await signedIn("ADMINISTRATEUR");
      const premiere = await (await admin.get("/admin/utilisateurs")).text();
      const nav = /<nav[^>]*aria-label="Pages des demandes de compte"[\s\S]*?<\/nav>/.exec(premiere)?.[0] ?? "";
      expect(nav).toMatch(/href="\/admin\/utilisateurs\?demandes=2#demandes-liste"/);
      expect(texte(premiere)).toMatch(/Les plus récentes d'abord, par pages de 50 : page 1 sur 2 ?\./);
      const lignes = (html: string) => (/<table[^>]*id="demandes-liste"[\s\S]*?<\/table>/.exec(html)?.[0] ?? "").split("<tr").length - 2;
      expect(lignes(premiere)).toBe(50);
      const seconde = await (await admin.get("/admin/utilisateurs?demandes=2")).text();
      expect(texte(seconde)).toMatch(/page 2 sur 2 ?\./);
      const total = (await t.database.db.select({ n: count() }).from(signupRequests).where(eq(signupRequests.status, "en_attente")))[0].n;
      expect(lignes(seconde)).toBe(total - 50);
    } finally {
      await t.database.db.delete(signupRequests).where(sql`email like '%@pages.fr'`);
    }
  });

  it("a refusal without a motif (browser check bypassed): the motif field of that request says so, nothing is decided", async () => {
    await demander("marie.martin@dreets.gouv.fr");
    const demandes = await t.database.db.select().from(signupRequests).where(eq(signupRequests.status, "en_attente"));
    expect(demandes.length).toBeGreaterThanOrEqual(2);
    const cible = demandes.at(-1)!;
    const admin = await signedIn("ADMINISTRATEUR");
    const csrf = await admin.csrf("/admin/utilisateurs");
    const response = await admin.post("/admin/utilisateurs", { csrf, intent: "refuser-demande", demandeId: String(cible.id), motif: "  " });
    expect(response.status).toBe(200);
    const html = await response.text();
    // each request has its own refusal form: only the one sent shows the error, on its motif field
    const formulaires = html.split("<form").filter((f) => f.includes('value="refuser-demande"'));
    expect(formulaires.length).toBe(demandes.length);
    for (const f of formulaires) {
      const champ = /<input[^>]*name="motif"[^>]*>/.exec(f)?.[0] ?? "";
      if (f.includes(`name="demandeId" value="${cible.id}"`)) {
        // DSFR's error state: the field's error class, and its description is the message
        expect(champ).toMatch(/fr-input--error/);
        expect(champ).toMatch(/aria-invalid="true"/);
        const decrit = /aria-describedby="([^"]+)"/.exec(champ)?.[1];
        expect(f).toMatch(new RegExp(`id="${decrit}"[^>]*>Indiquez le motif du refus.<`));
      } else {
        expect(champ).not.toMatch(/--error|aria-invalid/);
        expect(texte(f)).not.toContain("Indiquez le motif du refus.");
      }
    }
    const [apres] = await t.database.db.select().from(signupRequests).where(eq(signupRequests.id, cible.id));
    expect(apres.status).toBe("en_attente");
  });
});
