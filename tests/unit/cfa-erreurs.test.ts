/**
 * French explanations of rejected dossiers (app/cfa/erreurs.ts), on the messages the ingestion really produces
 * (validateDossier) and the pipeline's unknown-organisme / scope messages.
 */
import { describe, expect, it } from "vitest";
import { LIBELLES_CATEGORIE, champDeErreur, conseilDossiersRefuses, expliquerErreur, resumeErreurs } from "../../app/cfa/erreurs";
import { DOSSIER_V3_FIELDS, validateDossier } from "../../app/ingestion/dossier-schema.server";
import { autoMap, convertRow, duplicateIdentityErrors } from "../../app/ingestion/mapping";
import { fieldNames, inFileTerms } from "../../app/ingestion/upload.server";

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
    expect(x.constat).toBe("« 2006-02-30 » n'existe pas dans le calendrier");
    expect(x.explication).toMatch(/^Corrigez la date dans la fiche de l'apprenant/);
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
    expect(x.libelleChamp).toBe("établissement formateur");
    // the problem: the pair and what the référentiel knows; the fix: where to correct it, without the pair again
    expect(x.constat).toBe("couple UAI 0751234J / SIRET 13002456000018 inconnu du référentiel des organismes (ce SIRET y est connu avec l'UAI 0754321K)");
    expect(x.explication).toMatch(/^Corrigez l'UAI et le SIRET de l'établissement formateur dans le paramétrage de l'établissement/);
    expect(x.explication).not.toMatch(/0751234J|13002456000018|0754321K/);
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

describe("resumeErreurs: the advice depends on the fields concerned", () => {
  // a batch whose dossiers miss learner fields, an inscription's, the establishment's and a contract's
  const items = [
    { errors: erreursDe({}, ["date_de_naissance_apprenant", "prenom_apprenant", "annee_scolaire", "date_entree_formation"]) },
    { errors: erreursDe({}, ["date_de_naissance_apprenant", "etablissement_formateur_uai"]) },
    { errors: erreursDe({}, ["date_de_naissance_apprenant", "etablissement_formateur_uai"]) },
    { errors: erreursDe({}, ["etablissement_formateur_uai", "etablissement_responsable_uai"]) },
    { errors: erreursDe({ contrat_date_fin: "2026-08-31" }, ["contrat_date_debut"]) },
  ];
  const conseils = (source?: "API" | "FICHIER") => {
    const ligne = resumeErreurs(items.map((i) => ({ ...i, source })))!.find((l) => l.categorie === "champ_obligatoire")!;
    return Object.fromEntries(ligne.conseils.flatMap((c) => c.champs.map((champ) => [champ, c.explication])));
  };

  it("a learner's field to the learner's record, an establishment's to its settings, an inscription's to the inscription", () => {
    const parChamp = conseils();
    expect(parChamp["date de naissance"]).toMatch(/^Renseignez ces champs dans la fiche de l'apprenant, puis laissez l'ERP renvoyer le dossier\.$/);
    expect(parChamp["prénom de l'apprenant"]).toBe(parChamp["date de naissance"]);
    expect(parChamp["année scolaire"]).toMatch(/^Renseignez ces champs dans l'inscription de l'apprenant à sa formation/);
    expect(parChamp["date d'entrée en formation"]).toBe(parChamp["année scolaire"]);
    expect(parChamp["UAI de l'établissement formateur"]).toMatch(/^Renseignez ces champs dans le paramétrage de l'établissement/);
    expect(parChamp["UAI de l'établissement responsable"]).toBe(parChamp["UAI de l'établissement formateur"]);
    for (const champ of ["date de naissance", "prénom de l'apprenant", "année scolaire", "date d'entrée en formation"]) {
      expect(parChamp[champ], champ).not.toMatch(/établissement/);
    }
  });

  it("one advice per place, most frequent first, each naming its fields; one field is said in the singular", () => {
    const ligne = resumeErreurs(items).find((l) => l.categorie === "champ_obligatoire")!;
    expect(ligne.dossiers).toBe(4);
    expect(ligne.conseils.map((c) => [c.champs, c.occurrences])).toEqual([
      [["date de naissance", "prénom de l'apprenant"], 4],
      [["UAI de l'établissement formateur", "UAI de l'établissement responsable"], 4],
      [["année scolaire", "date d'entrée en formation"], 2],
    ]);
    const seul = resumeErreurs([{ errors: erreursDe({}, ["date_de_naissance_apprenant"]) }])[0];
    expect(seul.conseils).toEqual([
      { champs: ["date de naissance"], explication: "Renseignez ce champ dans la fiche de l'apprenant, puis laissez l'ERP renvoyer le dossier.", occurrences: 1 },
    ]);
    // a contract's field: to the contract
    const contrat = resumeErreurs([items[4]])[0];
    expect(contrat.conseils.map((c) => c.explication).join(" ")).toMatch(/fiche contrat/);
  });

  it("a file's dossiers are fixed in the file", () => {
    for (const explication of Object.values(conseils("FICHIER"))) expect(explication).toMatch(/dans votre fichier, puis téléversez-le à nouveau\.$/);
  });
});

describe("one statement of the problem, one short way to fix it", () => {
  it("the problem names the value received and what is wrong, never a field code; the fix does not repeat it", () => {
    const cas: [Record<string, unknown>, string[], string, RegExp][] = [
      [{ date_de_naissance_apprenant: "28/03/2006" }, [], "« 28/03/2006 » n'est pas au format attendu AAAA-MM-JJ (ex. 2024-09-02)", /format d'export de votre ERP/],
      [{ date_de_naissance_apprenant: "1806-03-28" }, [], "« 1806-03-28 » : année invraisemblable (attendue entre 1900 et 2100)", /^Corrigez l'année/],
      [{ date_fin_formation: "2023-06-30" }, [], "30/06/2023, antérieure à la date d'entrée en formation (02/09/2024)", /^Vérifiez la date d'entrée et la date de fin/],
      [{}, ["date_entree_formation"], "champ obligatoire non renseigné ; date attendue au format AAAA-MM-JJ (ex. 2024-09-02)", /^Renseignez ce champ dans l'inscription/],
      [{ etablissement_formateur_siret: "  " }, [], `champ obligatoire non renseigné ; SIRET attendu : 14 chiffres dont le dernier est une clé de contrôle valide (ex. 13002456000018)`, /^Renseignez ce champ dans le paramétrage/],
      [{ etablissement_formateur_uai: "0751234A" }, [], "« 0751234A » n'est pas un UAI valide (7 chiffres et une lettre clé, ex. 0751234J)", /^Corrigez l'UAI dans le paramétrage/],
      [{ sexe_apprenant: "X" }, [], "« X » n'est pas un sexe valide (M ou F)", /^Corrigez le sexe dans la fiche de l'apprenant/],
      [{ statut_apprenant: 7 }, [], "« 7 » invalide : statut attendu : 0 (abandon), 2 (inscrit), 3 (apprenti) ou null", /^Corrigez la valeur/],
      [{ contrat_date_debut: null }, [], "« 2026-08-31 » renseignée sans date de début du contrat", /^Saisissez la date de début du contrat/],
    ];
    for (const [over, sans, constat, explication] of cas) {
      const [e] = erreursDe(over, sans);
      const x = expliquerErreur(e);
      expect(x.constat, e.message).toBe(constat);
      expect(x.explication, e.message).toMatch(explication);
      expect(x.constat).not.toMatch(/[a-z]+_[a-z]+/);
      expect(x.explication).not.toContain(x.constat);
      expect(x.explication.length).toBeLessThan(200);
    }
  });

  it("an uploaded file's errors: the value as typed in the file, the fix in the file", () => {
    const x = expliquerErreur(
      { path: ["date_de_naissance_apprenant"], message: "Né le : « 31/02/2007 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/2007)" },
      undefined,
      "FICHIER",
    );
    expect(x).toMatchObject({ categorie: "date_inexistante", libelleChamp: "date de naissance", constat: "« 31/02/2007 » n'existe pas dans le calendrier" });
    expect(x.explication).toMatch(/dans votre fichier, puis téléversez-le à nouveau/);
    expect(
      expliquerErreur({ path: ["date_de_naissance_apprenant"], message: "DDN : « hier » n'est pas une date lisible : date attendue au format JJ/MM/AAAA (ex. 02/09/2024)" }),
    ).toMatchObject({ categorie: "date_format", constat: "« hier » n'est pas une date lisible (attendue au format JJ/MM/AAAA)" });
    expect(
      expliquerErreur({
        path: ["date_de_naissance_apprenant"],
        message: "DDN : l'année de « 01/01/1850 » est invraisemblable : année attendue entre 1900 et 2100, date au format JJ/MM/AAAA",
      }),
    ).toMatchObject({ categorie: "date_hors_plage", constat: "« 01/01/1850 » : année invraisemblable (attendue entre 1900 et 2100)" });
    expect(
      expliquerErreur({
        path: ["date_fin_formation"],
        message: "Fin : la date de fin de formation doit être égale ou postérieure à « Entrée » (02/09/2024)",
      }),
    ).toMatchObject({ categorie: "fin_avant_entree", constat: "antérieure à la date d'entrée en formation (02/09/2024)" });
    // the schema's date messages in the file's terms say the file's format, JJ/MM/AAAA, and so does their explanation
    expect(
      expliquerErreur({ path: ["date_entree_formation"], message: "Entrée : champ obligatoire : date attendue au format JJ/MM/AAAA (ex. 02/09/2024)" }, undefined, "FICHIER"),
    ).toMatchObject({ categorie: "champ_obligatoire", constat: "champ obligatoire non renseigné ; date attendue au format JJ/MM/AAAA (ex. 02/09/2024)" });
    const format = expliquerErreur(
      { path: ["date_entree_formation"], message: "Entrée : date attendue au format JJ/MM/AAAA (reçu « 2024-09-02T25:00 »)" },
      undefined,
      "FICHIER",
    );
    expect(format).toMatchObject({ categorie: "date_format", constat: "« 2024-09-02T25:00 » n'est pas au format attendu JJ/MM/AAAA (ex. 02/09/2024)" });
    expect(format.explication).toMatch(/^Écrivez la date au format JJ\/MM\/AAAA dans votre fichier/);
  });

  it("scope and archived dossiers: the first sentence is the problem, the rest the fix; contract ranks are named", () => {
    const scope = expliquerErreur({
      path: [],
      message:
        "dossier : hors du périmètre de CFA X (UAI 0751234J, SIRET 13002456000018) : ni l'établissement formateur A ni l'établissement responsable B ne sont cet organisme ou l'un de ses formateurs. Un organisme ne peut transmettre…",
    });
    expect(scope.libelleChamp).toBe("établissements formateur et responsable");
    expect(scope.constat).toBe(
      "hors du périmètre de CFA X (UAI 0751234J, SIRET 13002456000018) : ni l'établissement formateur A ni l'établissement responsable B ne sont cet organisme ou l'un de ses formateurs",
    );
    const archive = expliquerErreur({
      path: ["id_erp_apprenant"],
      message:
        "id_erp_apprenant : ce dossier a été supprimé le 12/03/2025 dans l'espace CFA du tableau de bord ; il n'est plus importé. Retirez-le des envois de votre ERP, ou rétablissez-le depuis la page Doublons de l'espace CFA.",
    });
    expect(archive.categorie).toBe("dossier_archive");
    expect(archive.constat).toBe("dossier supprimé le 12/03/2025 dans l'espace CFA : il n'est plus importé");
    expect(archive.explication).toBe("Retirez ce dossier des envois de votre ERP ou de vos fichiers, ou rétablissez-le depuis la page Doublons de l'espace CFA.");
    // merged: the dossier names the kept identifier (shown by name); the advice, in the day's summary, names no one
    const fusion = {
      path: ["id_erp_apprenant"],
      message:
        "id_erp_apprenant : ce dossier a été fusionné le 12/03/2025 avec le dossier « dupre-elodie-2006-03-12 » du même apprenant dans l'espace CFA du tableau de bord ; " +
        "il n'est plus importé. Envoyez cet apprenant sous l'identifiant « dupre-elodie-2006-03-12 », ou corrigez l'identifiant dans votre ERP.",
    };
    const fusionne = expliquerErreur(fusion);
    expect(fusionne.categorie).toBe("dossier_archive");
    expect(fusionne.constat).toBe("dossier fusionné le 12/03/2025 avec le dossier « dupre-elodie-2006-03-12 » du même apprenant dans l'espace CFA : il n'est plus importé");
    const [resume] = resumeErreurs([{ errors: [fusion] }]);
    expect(resume.libelle).toBe("Dossier fusionné ou supprimé dans l'espace CFA");
    expect(JSON.stringify(resume)).not.toContain("dupre");
    expect(expliquerErreur({ path: ["contrat_date_fin_2"], message: "contrat_date_fin_2 : x" }).libelleChamp).toBe("date de fin du contrat (2e contrat)");
  });
});

describe("a file's repeated learner, and what to do by where the dossiers came from", () => {
  const FIELDS = DOSSIER_V3_FIELDS.map((f) => ({ field: f.field, label: f.label, required: f.required }));
  const defaults = {
    annee_scolaire: "2024-2025",
    etablissement_formateur_uai: "0751234J",
    etablissement_formateur_siret: "13002456000018",
    etablissement_responsable_uai: "0751234J",
    etablissement_responsable_siret: "13002456000018",
  };
  /** The messages of the later rows of a file, as the upload stores them (in the file's terms). */
  function messagesDoublons(headers: string[], rows: string[][]): string[] {
    const mapping = autoMap(headers, FIELDS);
    const items = rows.map((r) => convertRow(r, mapping, defaults, { headers }).item);
    const names = fieldNames(headers, mapping);
    return [...duplicateIdentityErrors(items, rows.map((_, i) => i + 2), rows, mapping, headers).values()].map((e) => inFileTerms(e.message, names));
  }

  it("a duplicate row is categorised as such, its fix in the file, never « Autre erreur »", () => {
    const [sansId, identique] = messagesDoublons(
      ["Nom", "Prénom", "Date de naissance", "Code diplôme"],
      [
        ["Garnier", "Hugo", "12/05/2005", "50022141"],
        ["Garnier", "Hugo", "12/05/2005", "40025214"],
        ["Garnier", "Hugo", "12/05/2005", "50022141"],
      ],
    );
    const [avecId] = messagesDoublons(
      ["Identifiant", "Nom", "Prénom", "Date de naissance"],
      [
        ["A-1", "Garnier", "Hugo", "12/05/2005"],
        ["A-1", "Garnier", "Hugo", "13/05/2005"],
      ],
    );
    const x = expliquerErreur({ path: ["id_erp_apprenant"], message: avecId }, undefined, "FICHIER");
    expect(x).toMatchObject({ categorie: "doublon", constat: "même identifiant « A-1 » que la ligne 2 : cette ligne n'a pas été importée" });
    expect(x.explication).toMatch(/^Si l'apprenant suit deux formations, donnez à chacune de ses lignes un identifiant différent \(colonne « Identifiant »\) ; sinon, regroupez les deux lignes en une seule, puis téléversez le fichier à nouveau\.$/);
    const y = expliquerErreur({ path: ["id_erp_apprenant"], message: sansId }, undefined, "FICHIER");
    expect(y.categorie).toBe("doublon");
    expect(y.constat).toMatch(/^même apprenant que la ligne 2 \(même nom, même prénom, même date de naissance\) : cette ligne n'a pas été importée$/);
    expect(y.explication).toMatch(/ajoutez une colonne « Identifiant de l'apprenant ».*, puis téléversez le fichier à nouveau\.$/);
    expect(expliquerErreur({ path: ["id_erp_apprenant"], message: identique }, undefined, "FICHIER")).toMatchObject({
      categorie: "doublon",
      constat: "ligne identique à la ligne 2 : cette ligne n'a pas été importée",
      explication: "Supprimez cette ligne du fichier : l'autre ligne, identique, a été importée.",
    });
    expect(LIBELLES_CATEGORIE.doublon).toBe("Apprenant en double dans le fichier");
    expect(resumeErreurs([{ errors: [{ path: ["id_erp_apprenant"], message: avecId }] }])[0]).toMatchObject({ categorie: "doublon", dossiers: 1 });
  });

  it("out of scope in a file: the fix does not speak of an API key only", () => {
    const message = "dossier : hors du périmètre de CFA X (UAI 0751234J, SIRET 13002456000018) : ni l'établissement formateur A ni l'établissement responsable B ne sont cet organisme ou l'un de ses formateurs. Un organisme…";
    expect(expliquerErreur({ path: [], message }, undefined, "FICHIER").explication).toMatch(/^Vérifiez les établissements formateur et responsable de la ligne\./);
    expect(expliquerErreur({ path: [], message }, undefined, "API").explication).toMatch(/clé d'API de ce CFA/);
  });

  it("the advice above the rejected dossiers follows their source", () => {
    expect(conseilDossiersRefuses(["API"])).toMatch(/^Corrigez chaque dossier dans votre ERP : il sera accepté à la prochaine transmission/);
    const fichier = conseilDossiersRefuses(["FICHIER"]);
    expect(fichier).toMatch(/^Corrigez chaque ligne refusée dans votre fichier, puis téléversez-le à nouveau/);
    expect(fichier).not.toMatch(/ERP/);
    expect(conseilDossiersRefuses(["API", "FICHIER"])).toMatch(/dans l'ERP.*corrigez le fichier et téléversez-le à nouveau/);
  });
});
