/**
 * Errors of the database, said and logged without the values of their query (minors' names, birth dates, contacts),
 * and told apart when the database is unavailable (app/shared/erreurs-base.server.ts).
 */
import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { avecErreursApi, descriptionSansDonnees, estIndisponibilite, messageImpossible, raisonEnFrancais } from "../../app/shared/erreurs-base.server";
import { AdresseBaseInvalide } from "../../db/client.server";
import { vi } from "vitest";

const PERSONNE = ["Martin", "Léa", "2009-03-02", "lea.martin@exemple.fr", "0612345678"];

function erreurPostgres(code: string, message: string, detail?: string) {
  return Object.assign(new Error(message), { name: "PostgresError", code, detail, severity: "ERROR" });
}

describe("an error of the database, logged", () => {
  it("never carries the parameters of its query, nor the detail or a value-bearing message of PostgreSQL", () => {
    const cause = erreurPostgres("57014", "canceling statement due to user request");
    const error = new DrizzleQueryError("insert into effectifs (nom, prenom, …) values ($1, $2, …)", PERSONNE, cause);
    expect(error.message).toContain("lea.martin@exemple.fr"); // what drizzle itself says, and would be logged
    const texte = descriptionSansDonnees(error);
    for (const valeur of PERSONNE) expect(texte).not.toContain(valeur);
    expect(texte).toContain("DrizzleQueryError (requête et paramètres non journalisés) ← PostgresError [57014] canceling statement due to user request");
    expect(texte).toMatch(/\n\s+at /); // the frames are kept: where it happened

    const doublon = erreurPostgres("23505", 'duplicate key value violates unique constraint "users_email_key"', "Key (email)=(lea.martin@exemple.fr) already exists.");
    expect(descriptionSansDonnees(doublon)).toBe(`PostgresError [23505] duplicate key value violates unique constraint "users_email_key"\n${doublon.stack!.split("\n").filter((l) => /^\s+at /.test(l)).slice(0, 12).join("\n")}`);
    const valeur = erreurPostgres("22007", 'invalid input syntax for type date: "Léa Martin"');
    expect(descriptionSansDonnees(valeur)).not.toContain("Léa");

    // postgres.js attaches the query and its parameters to its own error: they stay out, its code and message are said
    const duPilote = Object.assign(erreurPostgres("40P01", "deadlock detected"), { query: "update effectifs set nom = $1 …", parameters: PERSONNE });
    const dit = descriptionSansDonnees(new DrizzleQueryError("update effectifs set nom = $1 …", PERSONNE, duPilote));
    expect(dit).toContain("DrizzleQueryError (requête et paramètres non journalisés) ← PostgresError [40P01] deadlock detected");
    for (const v of [...PERSONNE, "update effectifs"]) expect(dit).not.toContain(v);
  });
});

describe("an unavailable database", () => {
  it("is told by the codes of the driver and of PostgreSQL, through drizzle's wrapping", () => {
    const ferme = Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" });
    expect(estIndisponibilite(new DrizzleQueryError("select 1", [], ferme))).toBe(true);
    expect(estIndisponibilite(erreurPostgres("55000", 'database "x" is not currently accepting connections'))).toBe(true);
    expect(estIndisponibilite(erreurPostgres("57P01", "terminating connection due to administrator command"))).toBe(true);
    expect(estIndisponibilite(erreurPostgres("08006", "connection failure"))).toBe(true);
    expect(estIndisponibilite(erreurPostgres("55P03", "canceling statement due to lock timeout"))).toBe(true);
    expect(estIndisponibilite(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(estIndisponibilite(erreurPostgres("23505", "duplicate key"))).toBe(false);
    expect(estIndisponibilite(new TypeError("x is undefined"))).toBe(false);
  });

  it("a database that does not exist, a refused role, a wrong address: a page gets 503, a start or a command one French line", () => {
    const absente = erreurPostgres("3D000", 'database "nexiste_pas" does not exist');
    expect(estIndisponibilite(absente)).toBe(true);
    expect(messageImpossible("Démarrage", absente)).toBe(
      "Démarrage impossible : le serveur PostgreSQL de DATABASE_URL ne répond pas ou refuse la connexion (la base de données nommée dans DATABASE_URL n'existe pas). " +
        "Vérifiez qu'il est démarré, que la base existe et que l'utilisateur peut s'y connecter, puis relancez.",
    );
    for (const code of ["28P01", "28000"]) {
      expect(messageImpossible("Commande", erreurPostgres(code, 'password authentication failed for user "x"'))).toContain(
        "(l'utilisateur ou le mot de passe de DATABASE_URL est refusé par le serveur)",
      );
    }
    expect(messageImpossible("Commande", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5499"), { code: "ECONNREFUSED" }))).toContain(
      "(aucun serveur PostgreSQL ne répond à l'adresse de DATABASE_URL)",
    );
    expect(messageImpossible("Démarrage", new AdresseBaseInvalide())).toMatch(/^Démarrage impossible : DATABASE_URL n'est pas une adresse PostgreSQL : attendu postgres:\/\//);
    expect(messageImpossible("Commande", new TypeError("x is undefined"))).not.toContain("impossible");
  });
});

describe("an API route that fails", () => {
  it("answers 503 with Retry-After when the database is unavailable, a French 500 else, logged without values", async () => {
    const ferme = new DrizzleQueryError("insert …", PERSONNE, Object.assign(new Error("CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" }));
    const indisponible = await avecErreursApi("[api] essai", async () => {
      throw ferme;
    });
    expect(indisponible.status).toBe(503);
    expect(indisponible.headers.get("retry-after")).toBe("60");
    expect(await indisponible.json()).toEqual({ error: "service_unavailable", message: expect.stringMatching(/^Service momentanément indisponible : la base de données ne répond pas\. Rien n'a été enregistré/) });

    // the read API (v1): its own error field, and nothing said about recording
    const lecture = await avecErreursApi("[api] essai", async () => {
      throw ferme;
    }, { lecture: true });
    expect(lecture.status).toBe(503);
    expect(lecture.headers.get("retry-after")).toBe("60");
    expect(await lecture.json()).toEqual({ erreur: "Service momentanément indisponible : la base de données ne répond pas. Réessayez dans quelques minutes." });

    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const bogue = await avecErreursApi("[api] essai", async () => {
      throw new DrizzleQueryError("insert …", PERSONNE, Object.assign(new Error("deadlock detected"), { code: "40P01" }));
    });
    expect(bogue.status).toBe(500);
    expect((await bogue.json()).message).toMatch(/^Erreur interne du serveur : rien n'a été enregistré/);
    const journal = log.mock.calls.map((c) => c.join(" ")).join("\n");
    log.mockRestore();
    expect(journal).toContain("[api] essai : DrizzleQueryError");
    for (const valeur of PERSONNE) expect(journal).not.toContain(valeur);

    // a Response thrown (a refusal) is an answer, not a failure
    await expect(avecErreursApi("[api] essai", async () => { throw new Response("non", { status: 403 }); })).rejects.toBeInstanceOf(Response);
  });

  it("tells a user why, in French, without SQL", () => {
    expect(raisonEnFrancais(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe("la base de données ne répond pas ou a interrompu la connexion");
    expect(raisonEnFrancais(new DrizzleQueryError("update …", PERSONNE, erreurPostgres("55P03", "canceling statement due to lock timeout")))).toBe(
      "la base de données est occupée (une table est restée verrouillée trop longtemps)",
    );
    expect(raisonEnFrancais(new DrizzleQueryError("with lignes as (insert …", PERSONNE, Object.assign(new Error("canceling statement"), { code: "57014" })))).toBe(
      "erreur de la base de données (code 57014)",
    );
    expect(raisonEnFrancais(new TypeError("x"))).toBe("erreur interne du serveur");
  });
});
