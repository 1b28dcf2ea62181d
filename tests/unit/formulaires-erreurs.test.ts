/**
 * Form errors said with the field to correct (the audit's RGAA defects): the dashboards' address values named by the
 * panel's labels, the exports' messages tied to their fields, every problem of a new password at once.
 */
import { describe, expect, it } from "vitest";
import { erreurDuPanneau, erreursParChamp } from "../../app/tableaux/champs";
import { champsDuMessage } from "../../app/exports/export.server";
import { erreursNouveauMotDePasse, refusDuFormulaire } from "../../app/auth/nouveau-mot-de-passe.server";
import { parseQueryLenient } from "../../app/referentiel/filtres.server";
import { nonTransmetteursQuerySchema } from "../../app/referentiel/non-transmetteurs-query.server";

const form = (values: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.set(k, v);
  return f;
};

describe("the dashboards' messages about a value of the address", () => {
  it("name the field of the panel to correct, not the parameter, and say which field it is", () => {
    expect(erreurDuPanneau("niveau : niveau invalide « 12 » (3 à 8 attendu)")).toEqual({ texte: "Niveau de formation : niveau invalide « 12 » (3 à 8 attendu)", champ: "filtre-niveau" });
    expect(erreurDuPanneau("mois : « 2999-01 » est dans le futur")).toEqual({ texte: "Mois : « 2999-01 » est dans le futur", champ: "filtre-mois" });
    expect(erreurDuPanneau("age : tranche d'âge inconnue « 99 »").texte).toBe("Âge à la date : tranche d'âge inconnue « 99 »");
    expect(erreurDuPanneau("region : code région inconnu « 99 »").champ).toBe("filtre-territoire");
    // date= (a day): told in the form's terms, no parameter
    const jour = erreurDuPanneau("date : les tableaux de bord se lisent par mois, pas à un jour : utilisez mois=AAAA-MM (par exemple mois=2026-05)");
    expect(jour.champ).toBe("filtre-mois");
    expect(jour.texte).toMatch(/^Mois : /);
    expect(jour.texte).not.toMatch(/mois=|date/);
    // a parameter without a field keeps its message
    expect(erreurDuPanneau("bassin : aucun bassin d'emploi n'a le code « zzzz »")).toEqual({ texte: "bassin : aucun bassin d'emploi n'a le code « zzzz »", champ: null });
    expect(erreursParChamp(["mois : mois invalide « 2026-13 » (AAAA-MM attendu)", "sexe : « X » inconnu"])).toEqual({
      "filtre-mois": "Mois : mois invalide « 2026-13 » (AAAA-MM attendu)",
      "filtre-sexe": "Sexe : « X » inconnu",
    });
  });
});

describe("a référentiel page's messages about a value of the address", () => {
  it("name the page's field, not the parameter, and are given for that field", () => {
    const libelles = { jours: "Sans transmission depuis (jours)" };
    const { errors, parChamp, value } = parseQueryLenient(nonTransmetteursQuerySchema, new URLSearchParams("jours=3&statut=jamais"), libelles);
    expect(errors).toEqual(["Sans transmission depuis (jours) : 7 jours au minimum (reçu « 3 »)"]);
    expect(parChamp).toEqual({ jours: "Sans transmission depuis (jours) : 7 jours au minimum (reçu « 3 »)" });
    expect(value.statut).toBe("jamais");
    // without labels (the API), the parameter is named
    expect(parseQueryLenient(nonTransmetteursQuerySchema, new URLSearchParams("jours=3")).errors).toEqual(["paramètre « jours » : 7 jours au minimum (reçu « 3 »)"]);
  });
});

describe("the exports' messages", () => {
  it("are tied to the fields whose labels start them", () => {
    expect(champsDuMessage("Code formation diplôme (CFD) : « XYZ » n'est pas un CFD")).toEqual(["cfd"]);
    expect(champsDuMessage("Du mois : novembre 2026 est après le mois de fin (Au mois : janvier 2026)")).toEqual(["debut"]);
    expect(champsDuMessage("Du mois, Au mois : 36 mois au plus par export, 40 demandés")).toEqual(["debut", "fin"]);
    expect(champsDuMessage("Nature de l'organisme : nature inconnue")).toEqual(["nature"]);
    expect(champsDuMessage("bassin : code inconnu")).toEqual([]);
    expect(champsDuMessage("xyz : paramètre inconnu (paramètres acceptés : …)")).toEqual([]);
  });
});

describe("a new password's form", () => {
  it("says every problem at once: a short password and a different confirmation", () => {
    expect(erreursNouveauMotDePasse(form({ password: "court", confirmation: "autre" }), "agent@exemple.fr")).toEqual({
      password: "Le mot de passe doit contenir au moins 12 caractères (il en contient 5).",
      confirmation: "Les deux mots de passe ne sont pas identiques.",
    });
    expect(erreursNouveauMotDePasse(form({}), "agent@exemple.fr")).toEqual({
      password: "Choisissez un mot de passe.",
      confirmation: "Saisissez une seconde fois le mot de passe choisi.",
    });
    expect(erreursNouveauMotDePasse(form({ password: "Un-mot-de-passe-solide-1", confirmation: "" }), "agent@exemple.fr")).toEqual({
      confirmation: "Confirmez le mot de passe en le saisissant une seconde fois.",
    });
    expect(erreursNouveauMotDePasse(form({ password: "Un-mot-de-passe-solide-1", confirmation: "Un-mot-de-passe-solide-1" }), "agent@exemple.fr")).toEqual({});
  });
  it("answers with the one message, or with how many there are", () => {
    expect(refusDuFormulaire({ password: "Choisissez un mot de passe." })).toEqual({ ok: false, message: "Choisissez un mot de passe.", fieldErrors: { password: "Choisissez un mot de passe." } });
    expect(refusDuFormulaire({ current: "a", password: "b", confirmation: "c" }).message).toBe("Le formulaire contient 3 erreurs : corrigez les champs signalés.");
  });
});
