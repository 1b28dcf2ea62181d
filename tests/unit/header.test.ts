import { describe, expect, it } from "vitest";
import { headerNavigation, headerQuickAccess, headerUserOf } from "../../app/auth/header.server";
import { PUBLIC_VIEWER, type Viewer } from "../../app/auth/policy.server";

function viewer(organisationType: Viewer["organisationType"], scope: Viewer["scope"], role: "admin" | "member" = "member"): Viewer {
  return {
    userId: 1,
    organisationType,
    scope,
    user: { id: 1, email: "x@test.fr", nom: "Martin", prenom: "Léa", role, organisationId: 1, organisationNom: "Org" },
  };
}

const textes = (v: Viewer) => headerNavigation(v).map((i) => ("menu" in i ? `${i.text} [${i.menu.map((l) => l.text).join(", ")}]` : i.text));

describe("header", () => {
  it("the quick access keeps to the account and the way out: the administration pages are a menu of the navigation", () => {
    const admin = viewer("ADMINISTRATEUR", { kind: "national" }, "admin");
    expect(headerQuickAccess(headerUserOf(admin)).map((i) => i.text)).toEqual(["Léa Martin", "Se déconnecter"]);
    expect(textes(admin)).toEqual([
      "Indicateurs nationaux",
      "Référentiel [Organismes, Formations, Organismes qui ne transmettent pas, Anomalies du référentiel]",
      "Espace CFA",
      "Téléverser",
      "Jeunes à accompagner",
      "Exports",
      "Administration [Utilisateurs, Journal des accès aux listes nominatives, Imports du référentiel]",
    ]);
  });

  it("a member of the national team reads as the national team, but gets no administration menu (docs/decisions/039)", () => {
    const membre = viewer("ADMINISTRATEUR", { kind: "national" }, "member");
    expect(headerUserOf(membre)).toMatchObject({ gereUtilisateurs: false, administrateurNational: false });
    expect(textes(membre)).toEqual([
      "Indicateurs nationaux",
      "Référentiel [Organismes, Formations, Organismes qui ne transmettent pas, Anomalies du référentiel]",
      "Espace CFA",
      "Téléverser",
      "Jeunes à accompagner",
      "Exports",
    ]);
  });

  it("names the home page for what it shows, and offers each viewer only what it may open", () => {
    expect(textes(PUBLIC_VIEWER)).toEqual(["Indicateurs nationaux", "Référentiel [Organismes, Formations]"]);
    expect(textes(viewer("DREETS", { kind: "region", code: "84" }, "admin"))).toEqual([
      "Indicateurs de votre périmètre",
      "Référentiel [Organismes, Formations, Organismes qui ne transmettent pas, Anomalies du référentiel]",
      "Jeunes à accompagner",
      "Administration [Utilisateurs]",
    ]);
    expect(textes(viewer("ORGANISME_FORMATION", { kind: "organisme", organismeIds: [1] }))).toEqual([
      "Indicateurs de votre périmètre",
      "Référentiel [Organismes, Formations]",
      "Espace CFA",
      "Téléverser",
    ]);
    expect(textes(viewer("TETE_DE_RESEAU", { kind: "reseau", nom: "A" }))).toEqual([
      "Indicateurs de votre périmètre",
      "Référentiel [Organismes, Formations, Organismes qui ne transmettent pas]",
    ]);
  });
});
