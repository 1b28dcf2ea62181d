/**
 * French explanations of rejected dossiers (app/cfa/erreurs.ts), on the messages the ingestion really produces
 * (validateDossier) and the pipeline's unknown-organisme / scope messages.
 */
import { describe, expect, it } from "vitest";
import { champDeErreur, expliquerErreur, resumeErreurs } from "../../app/cfa/erreurs";
import { validateDossier } from "../../app/ingestion/dossier-schema.server";

const valide = {
  nom_apprenant: "Lenôtre",
  prenom_apprenant: "Gaston",
  date_de_naissance_apprenant: "2006-03-28",
  annee_scolaire: "2024-2025",
  id_erp_apprenant: "APP-1",
  date_inscription_formation: "2024-06-15",
  date_entree_formation: "2024-09-02",
  date_fin_formation: "2026-06-30",
  etablissement_responsable_uai: "0751234J",
  etablissement_responsable_siret: "13002456000018",
  etablissement_formateur_uai: "0751234J",
  etablissement_formateur_siret: "13002456000018",
  contrat_date_debut: "2024-09-02",
  contrat_date_fin: "2026-08-31",
};

function erreursDe(over: Record<string, unknown>, sans: string[] = []) {
  const d: Record<string, unknown> = { ...valide, ...over };
  for (const k of sans) delete d[k];
  const v = validateDossier(d);
  if (v.ok) throw new Error("dossier valide");
  return v.errors;
}

function categories(over: Record<string, unknown>, sans: string[] = []) {
  return erreursDe(over, sans).map((e) => expliquerErreur(e).categorie);
}

describe("expliquerErreur on the validation messages", () => {
  it("the dossier fixture is valid", () => {
    expect(validateDossier(valide).ok).toBe(true);
  });
  it("dates", () => {
    expect(categories({ date_de_naissance_apprenant: "2006-02-30" })).toEqual(["date_inexistante"]);
    expect(categories({ date_de_naissance_apprenant: "28/03/2006" })).toEqual(["date_format"]);
    expect(categories({ date_de_naissance_apprenant: "1806-03-28" })).toEqual(["date_hors_plage"]);
    expect(categories({ date_fin_formation: "2023-06-30" })).toEqual(["fin_avant_entree"]);
    expect(categories({ contrat_date_debut: null })).toEqual(["contrat_sans_debut"]);
  });
  it("missing and malformed fields", () => {
    expect(categories({}, ["date_entree_formation"])).toEqual(["champ_obligatoire"]);
    expect(categories({ annee_scolaire: "2024" })).toEqual(["annee_scolaire"]);
    expect(categories({ etablissement_formateur_uai: "0751234A" })).toEqual(["uai"]);
    expect(categories({ etablissement_formateur_siret: "13002456000019" })).toEqual(["siret"]);
    expect(categories({ code_commune_insee_apprenant: "750560" })).toEqual(["code_commune"]);
    expect(categories({ code_postal_apprenant: "7500" + "12" })).toEqual(["code_postal"]);
    expect(categories({ formation_cfd: "5002214" })).toEqual(["code_formation"]);
    expect(categories({ sexe_apprenant: "X" })).toEqual(["sexe"]);
    expect(categories({ email_contact: "pas-un-email" })).toEqual(["contact"]);
    expect(categories({ statut_apprenant: 7 })).toEqual(["valeur_invalide"]);
    expect(expliquerErreur(validateDossier(42).ok ? { path: [], message: "" } : (validateDossier(42) as { errors: { path: (string | number)[]; message: string }[] }).errors[0]).categorie).toBe(
      "dossier_illisible",
    );
  });
  it("names the field in plain French and says where to fix it", () => {
    const [e] = erreursDe({ date_de_naissance_apprenant: "2006-02-30" });
    const x = expliquerErreur(e);
    expect(x.champ).toBe("date_de_naissance_apprenant");
    expect(x.libelleChamp).toBe("date de naissance");
    expect(x.explication).toMatch(/La date de naissance n'existe pas.*fiche de l'apprenant/);
    const [c] = erreursDe({ contrat_date_debut: null });
    expect(expliquerErreur(c).explication).toMatch(/fiche contrat/);
    const [o] = erreursDe({}, ["etablissement_formateur_siret"]);
    expect(expliquerErreur(o).explication).toMatch(/paramétrage de l'établissement/);
  });
});

describe("pipeline messages", () => {
  it("unknown organisme: check the UAI and SIRET declared, with what the référentiel knows", () => {
    const x = expliquerErreur({
      path: ["etablissement_formateur_uai"],
      message:
        "etablissement_formateur_uai / etablissement_formateur_siret : établissement formateur inconnu du référentiel des organismes : aucun organisme avec le couple UAI 0751234J / SIRET 13002456000018 (ce SIRET y est connu avec l'UAI 0754321K). Vérifiez l'UAI et le SIRET saisis dans votre ERP ; …",
    });
    expect(x.categorie).toBe("organisme_inconnu");
    expect(x.explication).toMatch(/Vérifiez l'UAI et le SIRET de l'établissement formateur/);
    expect(x.explication).toMatch(/ce SIRET y est connu avec l'UAI 0754321K/);
  });
  it("outside the scope", () => {
    expect(expliquerErreur({ path: [], message: "dossier : hors du périmètre de CFA X : …" }).categorie).toBe("hors_perimetre");
  });
  it("falls back on the field of the message", () => {
    expect(champDeErreur([], "tel_apprenant : bizarre")).toBe("tel_apprenant");
    expect(expliquerErreur({ path: ["foo_bar"], message: "foo_bar : bizarre" })).toMatchObject({ categorie: "autre", libelleChamp: "foo bar" });
  });
});

describe("resumeErreurs", () => {
  it("counts dossiers and occurrences per category, most frequent first", () => {
    const items = [
      { errors: erreursDe({ date_de_naissance_apprenant: "2006-02-30", date_entree_formation: "2024-02-30" }) },
      { errors: erreursDe({ date_de_naissance_apprenant: "2006-02-31" }) },
      { errors: erreursDe({ sexe_apprenant: "X" }) },
    ];
    const r = resumeErreurs(items);
    expect(r.map((l) => [l.categorie, l.dossiers, l.occurrences])).toEqual([
      ["date_inexistante", 2, 3],
      ["sexe", 1, 1],
    ]);
    expect(r[0].champs).toEqual(["date de naissance", "date d'entrée en formation"]);
  });
});
