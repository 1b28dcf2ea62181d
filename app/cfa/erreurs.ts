/**
 * From a rejected item's error (as the ingestion pipeline stores it: `{ path, message }`, message in French
 * starting with the field name) to what CFA staff need: the field in plain words, the problem in one statement
 * (the value received and what is wrong with it), a category for the summary of recurring errors, and, apart, how
 * to fix it in the ERP (or the uploaded file) without saying the problem again. Pure, browser-safe (no I/O).
 *
 * The categories follow the messages of app/ingestion/dossier-schema.server.ts (MESSAGES), of the pipeline
 * (unknown organisme, dossier outside the transmitting organisme's scope) and of the upload (app/ingestion/mapping.ts:
 * dates as typed in the file; upload.server.ts: messages in the file's terms). An unknown message falls back to its
 * first sentence as the problem and the rest as the fix.
 */
import { ANNEE_MAX, ANNEE_MIN } from "../statut/days";
import { majuscule } from "../ui/format";
import { REGLE_SIRET_LA_POSTE } from "../referentiel/codes";

/** Windows of the transmissions' history (days). */
export const FENETRES = [30, 90, 365] as const;

export const CATEGORIES_ERREUR = [
  "organisme_inconnu",
  "hors_perimetre",
  "doublon",
  "champ_obligatoire",
  "date_format",
  "date_inexistante",
  "date_hors_plage",
  "contrat_sans_debut",
  "fin_avant_entree",
  "annee_scolaire",
  "uai",
  "siret",
  "code_commune",
  "code_postal",
  "code_formation",
  "sexe",
  "contact",
  "valeur_invalide",
  "dossier_illisible",
  "dossier_archive",
  "autre",
] as const;

export type CategorieErreur = (typeof CATEGORIES_ERREUR)[number];

export const LIBELLES_CATEGORIE: Record<CategorieErreur, string> = {
  organisme_inconnu: "Établissement inconnu du référentiel (UAI / SIRET)",
  hors_perimetre: "Apprenant d'un autre organisme",
  doublon: "Apprenant en double dans le fichier",
  champ_obligatoire: "Champ obligatoire manquant",
  date_format: "Date au mauvais format",
  date_inexistante: "Date inexistante",
  date_hors_plage: "Date invraisemblable",
  contrat_sans_debut: "Contrat sans date de début",
  fin_avant_entree: "Fin de formation avant l'entrée en formation",
  annee_scolaire: "Année scolaire invalide",
  uai: "UAI invalide",
  siret: "SIRET invalide",
  code_commune: "Code commune INSEE invalide",
  code_postal: "Code postal invalide",
  code_formation: "Code de formation (CFD / RNCP) invalide",
  sexe: "Sexe invalide",
  contact: "Coordonnées invalides (e-mail, téléphone)",
  valeur_invalide: "Valeur invalide",
  dossier_illisible: "Dossier illisible",
  dossier_archive: "Dossier fusionné ou supprimé dans l'espace CFA",
  autre: "Autre erreur",
};

/** Short French names of the v3 fields (defaults; the server may pass the OpenAPI titles). */
export const LIBELLES_CHAMPS_V3: Record<string, string> = {
  nom_apprenant: "nom de l'apprenant",
  prenom_apprenant: "prénom de l'apprenant",
  date_de_naissance_apprenant: "date de naissance",
  annee_scolaire: "année scolaire",
  id_erp_apprenant: "identifiant de l'apprenant dans l'ERP",
  date_inscription_formation: "date d'inscription en formation",
  date_entree_formation: "date d'entrée en formation",
  date_fin_formation: "date de fin de formation",
  etablissement_responsable_uai: "UAI de l'établissement responsable",
  etablissement_responsable_siret: "SIRET de l'établissement responsable",
  etablissement_formateur_uai: "UAI de l'établissement formateur",
  etablissement_formateur_siret: "SIRET de l'établissement formateur",
  etablissement_lieu_de_formation_uai: "UAI du lieu de formation",
  etablissement_lieu_de_formation_siret: "SIRET du lieu de formation",
  etablissement_lieu_de_formation_code_postal: "code postal du lieu de formation",
  statut_apprenant: "statut de l'apprenant",
  date_metier_mise_a_jour_statut: "date de mise à jour du statut",
  tel_apprenant: "téléphone de l'apprenant",
  email_contact: "e-mail de l'apprenant",
  responsable_apprenant_mail1: "e-mail du responsable légal 1",
  responsable_apprenant_mail2: "e-mail du responsable légal 2",
  formation_cfd: "code diplôme (CFD)",
  formation_rncp: "code RNCP",
  annee_formation: "année de formation",
  duree_theorique_formation: "durée théorique de la formation (années)",
  duree_theorique_formation_mois: "durée théorique de la formation (mois)",
  sexe_apprenant: "sexe",
  rqth_apprenant: "RQTH",
  date_rqth_apprenant: "date de la RQTH",
  code_postal_apprenant: "code postal",
  code_postal_de_naissance_apprenant: "code postal de naissance",
  code_commune_insee_apprenant: "commune de résidence (code INSEE)",
  code_commune_insee_de_naissance_apprenant: "commune de naissance (code INSEE)",
  date_exclusion_formation: "date d'exclusion",
  date_obtention_diplome_formation: "date d'obtention du diplôme",
  contrat_date_debut: "date de début du contrat",
  contrat_date_fin: "date de fin du contrat",
  contrat_date_rupture: "date de rupture du contrat",
  cause_rupture_contrat: "cause de rupture du contrat",
  siret_employeur: "SIRET de l'employeur",
  ine_apprenant: "INE",
  type_cfa: "type de CFA",
  derniere_situation: "dernière situation",
  dernier_organisme_uai: "dernier organisme fréquenté",
};

/** Where the transmission came from: the ERP (API) or a file uploaded on /televersement. */
export type SourceTransmission = "API" | "FICHIER";

/**
 * Where the field is usually entered in an ERP (the learner's record, the inscription to a formation, the contract,
 * the establishment's or the formation's settings), or the uploaded file. Each explanation says it for its own
 * field; a summary over several fields gives one advice per place (resumeErreurs).
 */
function ouSaisir(champ: string, source: SourceTransmission): string {
  if (source === "FICHIER") return "dans votre fichier, puis téléversez-le à nouveau";
  if (/^contrat_|^siret_employeur|^cause_rupture/.test(champ)) return "dans la fiche contrat de l'apprenant";
  if (/^etablissement_|^type_cfa/.test(champ)) return "dans le paramétrage de l'établissement (fiche site / établissement) de votre ERP";
  if (/^formation_|_formation$|^annee_formation|^duree_theorique|^libelle_court_formation/.test(champ)) {
    return champ === "date_fin_formation" || champ === "date_entree_formation" || champ === "date_inscription_formation"
      ? "dans l'inscription de l'apprenant à sa formation"
      : "dans le paramétrage de la formation de votre ERP";
  }
  if (champ === "annee_scolaire") return "dans l'inscription de l'apprenant à sa formation";
  if (champ === "id_erp_apprenant") return "(identifiant attribué par l'ERP : contactez l'éditeur de votre logiciel s'il est absent)";
  if (/^date_exclusion|^cause_exclusion|^obtention_diplome|^date_obtention/.test(champ)) return "dans le suivi de la scolarité de l'apprenant";
  return "dans la fiche de l'apprenant";
}

/** The v3 field of an error path ("contrats.0.date_debut" style paths keep their first element). */
export function champDeErreur(path: readonly (string | number)[], message: string): string {
  const first = path.find((p) => typeof p === "string");
  if (typeof first === "string" && first) return first;
  const m = /^([a-z0-9_]+)(?:\s*\/\s*[a-z0-9_]+)?\s*:/.exec(message);
  return m && m[1] !== "dossier" ? m[1] : "dossier";
}

export interface ErreurExpliquee {
  /** The v3 field ("dossier" when the error concerns the whole item). */
  champ: string;
  /** The field in plain French. */
  libelleChamp: string;
  categorie: CategorieErreur;
  /**
   * The problem in one statement, after the field's name: the value received when there is one and what is wrong
   * with it (`« 2006-02-30 » n'existe pas dans le calendrier`).
   */
  constat: string;
  /** How to fix it, in short, without saying the problem again. */
  explication: string;
}

/**
 * A v3 field in plain French (`contrat_date_debut_2` → « date de début du contrat (2e contrat) »); `labels`: the
 * caller's own names, which take precedence.
 */
export function libelleChamp(champ: string, labels?: Record<string, string>): string {
  if (champ === "dossier") return "dossier entier";
  const known = labels?.[champ] ?? LIBELLES_CHAMPS_V3[champ];
  if (known) return known;
  // contract ranks: contrat_date_debut_2 → "date de début du contrat (2e contrat)"
  const rang = /^(.+)_([2-4])$/.exec(champ);
  const base = rang ? (labels?.[rang[1]] ?? LIBELLES_CHAMPS_V3[rang[1]]) : undefined;
  if (rang && base) return `${base} (${rang[2]}e contrat)`;
  return champ.replace(/_/g, " ");
}

/** The message without its leading field(s) (`champ : `, `champ / champ : `, or the file's column name). */
function sansChamp(message: string): string {
  const i = message.indexOf(" : ");
  return i >= 0 ? message.slice(i + 3) : message;
}

/** The value received, as the message quotes it: `(reçu « … »)` (API), or `Colonne : « … » n'existe pas…` (file). */
function valeurRecue(message: string): string | null {
  const recu = /\(reçu « (.*) »\)\s*$/.exec(message);
  if (recu) return recu[1];
  const fichier = / : (?:l'année de )?« ([^»]*) » (?:n'existe pas|n'est pas une date lisible|est invraisemblable)/.exec(message);
  return fichier ? fichier[1] : null;
}

/** The first sentence of a text (without its final dot), and what follows. */
function phrases(text: string): [string, string] {
  const m = /(?<!\bex)\.\s+(?=[A-ZÀ-ÝÉ])/.exec(text);
  const first = m ? text.slice(0, m.index) : text.replace(/\.\s*$/, "");
  return [first, m ? text.slice(m.index + m[0].length).trim() : ""];
}

/** "2026-09-02" or "02/09/2026" in a message → "02/09/2026". */
function dateDuMessage(message: string): string | null {
  const iso = /\((\d{4})-(\d{2})-(\d{2})\)/.exec(message);
  if (iso) return `${iso[3]}/${iso[2]}/${iso[1]}`;
  return /\((\d{2}\/\d{2}\/\d{4})\)/.exec(message)?.[1] ?? null;
}

/** The explanation of one stored error (`source`: where the transmission came from, for where to fix it). */
export function expliquerErreur(
  error: { path: readonly (string | number)[]; message: string },
  labels?: Record<string, string>,
  source: SourceTransmission = "API",
): ErreurExpliquee {
  const message = error.message ?? "";
  const champ = champDeErreur(error.path ?? [], message);
  const nom = libelleChamp(champ, labels);
  const ou = ouSaisir(champ, source);
  const valeur = valeurRecue(message);
  const recu = valeur === null ? "" : `« ${valeur} » `;
  const r = (categorie: CategorieErreur, constat: string, explication: string, libelleChamp = nom): ErreurExpliquee => ({
    champ,
    libelleChamp,
    categorie,
    constat,
    explication,
  });
  const texte = () => sansChamp(message).replace(/\s*\(reçu « .* »\)\s*$/, "");

  const inconnu = /établissement (formateur|responsable) inconnu du référentiel/.exec(message);
  if (inconnu) {
    const role = inconnu[1];
    const couple = /avec le couple (UAI \S+ \/ SIRET \S+?)(?: \(([^)]*)\))?\./.exec(message);
    return r(
      "organisme_inconnu",
      `${couple ? `couple ${couple[1]}` : "UAI et SIRET"} inconnu du référentiel des organismes${couple?.[2] ? ` (${couple[2]})` : ""}`,
      `Corrigez l'UAI et le SIRET de l'établissement ${role} ${ou} : le couple doit être celui du référentiel des organismes. ` +
        "S'ils sont exacts (UAI nouveau, SIRET changé), demandez la mise à jour du référentiel.",
      `établissement ${role}`,
    );
  }
  if (/hors du périmètre/.test(message)) {
    return r(
      "hors_perimetre",
      phrases(sansChamp(message))[0],
      (source === "FICHIER"
        ? "Vérifiez les établissements formateur et responsable de la ligne. Un apprenant d'un autre CFA est transmis par ce CFA, par son ERP ou son propre fichier ; "
        : "Vérifiez les établissements formateur et responsable de l'inscription. Un apprenant d'un autre CFA se transmet avec la clé d'API de ce CFA ; ") +
        "si l'établissement est bien l'un de vos sites, demandez l'ajout du lien formateur → responsable dans le référentiel.",
      champ === "dossier" ? "établissements formateur et responsable" : nom,
    );
  }
  // a row of an uploaded file repeating an earlier row's learner (app/ingestion/mapping.ts, duplicateIdentityErrors)
  const doublon = /(ligne identique à la ligne \d+|même apprenant que la ligne \d+.*?|même identifiant « [^»]* » que la ligne \d+.*?) : (.*)$/.exec(
    sansChamp(message),
  );
  if (doublon) {
    const suite = doublon[2];
    // the message's own way out (two formations: one id each; else one row), else: delete the repeated row
    const conseil = /(Si l'apprenant suit deux formations.*)$/.exec(suite)?.[1];
    const fichier = source === "FICHIER" ? ", puis téléversez le fichier à nouveau" : "";
    return r(
      "doublon",
      `${doublon[1]} : cette ligne n'a pas été importée`,
      conseil
        ? `${majuscule(conseil.replace(/\.?\s*$/, ""))}${fichier}.`
        : "Supprimez cette ligne du fichier : l'autre ligne, identique, a été importée.",
    );
  }
  if (/: champ obligatoire\b/.test(message) || /: champ obligatoire manquant/.test(message)) {
    // the format expected, when the message says it (`champ obligatoire : date attendue au format AAAA-MM-JJ (ex. 2024-09-02)`)
    const format = /: champ obligatoire : (.+?)(?:\s*\(reçu « .* »\))?$/.exec(message)?.[1];
    return r(
      "champ_obligatoire",
      `champ obligatoire non renseigné${format ? ` ; ${format}` : ""}`,
      `Renseignez ce champ ${ou}${source === "API" ? ", puis laissez l'ERP renvoyer le dossier" : ""}.`,
    );
  }
  if (/date de contrat fournie sans|champ manquant alors que contrat_date_(fin|rupture)/.test(message)) {
    return r(
      "contrat_sans_debut",
      `${recu}renseignée sans date de début du contrat`,
      "Saisissez la date de début du contrat (celle du CERFA) " +
        (source === "FICHIER" ? `${ou}, ou effacez les dates d'un contrat jamais signé.` : "dans la fiche contrat de l'apprenant, ou supprimez ce contrat s'il n'a jamais été signé."),
    );
  }
  if (/date de fin de formation doit être égale ou postérieure|est antérieure à date_entree_formation|précède la date d'entrée/.test(message)) {
    const entree = dateDuMessage(message);
    // a valid date, said as dates are read here (the ERP's AAAA-MM-JJ matters only for a date it could not read)
    const fin = valeur && /^\d{4}-\d{2}-\d{2}$/.test(valeur) ? `${valeur.slice(8, 10)}/${valeur.slice(5, 7)}/${valeur.slice(0, 4)}` : valeur;
    return r(
      "fin_avant_entree",
      `${fin ? `${fin}, ` : ""}antérieure à la date d'entrée en formation${entree ? ` (${entree})` : ""}`,
      `Vérifiez la date d'entrée et la date de fin ${source === "FICHIER" ? ou : "dans l'inscription de l'apprenant"} (jour et mois inversés ?).`,
    );
  }
  if (/date inexistante|» n'existe pas/.test(message)) {
    return r("date_inexistante", `${recu}n'existe pas dans le calendrier`, `Corrigez la date ${ou} (jour et mois inversés ? 31 d'un mois de 30 jours ?).`);
  }
  if (/(date|année) attendue entre \d{4} et \d{4}/.test(message)) {
    return r("date_hors_plage", `${recu}: année invraisemblable (attendue entre ${ANNEE_MIN} et ${ANNEE_MAX})`, `Corrigez l'année ${ou} (faute de frappe ?).`);
  }
  if (/n'est pas une date lisible/.test(message)) {
    return r("date_format", `${recu}n'est pas une date lisible (attendue au format JJ/MM/AAAA)`, `Écrivez la date au format JJ/MM/AAAA ${ou}.`);
  }
  if (/date attendue au format|date invalide/.test(message)) {
    // an upload's message says the file's format (JJ/MM/AAAA), the API's the ERP's
    if (/au format JJ\/MM\/AAAA/.test(message)) {
      return r("date_format", `${recu}n'est pas au format attendu JJ/MM/AAAA (ex. 02/09/2024)`, `Écrivez la date au format JJ/MM/AAAA ${ou}.`);
    }
    return r(
      "date_format",
      `${recu}n'est pas au format attendu AAAA-MM-JJ (ex. 2024-09-02)`,
      `Si la date est bien saisie ${ou}, c'est le format d'export de votre ERP qui est en cause : signalez-le à son éditeur.`,
    );
  }
  if (/année scolaire attendue/.test(message)) {
    return r(
      "annee_scolaire",
      `${recu}n'est pas une année scolaire (attendue AAAA-AAAA, deux années consécutives, ex. 2024-2025)`,
      `Corrigez l'année scolaire ${source === "FICHIER" ? ou : "dans l'inscription de l'apprenant"}.`,
    );
  }
  if (/UAI attendu|UAI \(ex\./.test(message)) {
    return r("uai", `${recu}n'est pas un UAI valide (7 chiffres et une lettre clé, ex. 0751234J)`, `Corrigez l'UAI ${ou}.`);
  }
  if (/SIRET attendu/.test(message) && message.includes(REGLE_SIRET_LA_POSTE)) {
    return r("siret", `${recu}n'est pas un SIRET valide : ${REGLE_SIRET_LA_POSTE}`, `Corrigez le SIRET ${ou} ; vérifiez-le sur l'annuaire des entreprises.`);
  }
  if (/SIRET attendu/.test(message)) {
    return r("siret", `${recu}n'est pas un SIRET valide (14 chiffres dont une clé de contrôle)`, `Corrigez le SIRET ${ou} ; vérifiez-le sur l'annuaire des entreprises.`);
  }
  if (/code commune INSEE attendu/.test(message)) {
    return r(
      "code_commune",
      `${recu}n'est pas un code commune INSEE (5 caractères, ex. 69123 pour Lyon : ce n'est pas le code postal)`,
      `Corrigez la commune ${ou}.`,
    );
  }
  if (/code postal attendu/.test(message)) return r("code_postal", `${recu}n'est pas un code postal (5 chiffres)`, `Corrigez l'adresse ${ou}.`);
  if (/code CFD attendu|code RNCP attendu/.test(message)) {
    return r(
      "code_formation",
      `${recu}n'est pas un code valide (CFD : 8 caractères, ex. 50022141 ; RNCP : RNCP suivi de chiffres, ex. RNCP35316)`,
      `Corrigez le code de la formation ${source === "FICHIER" ? ou : "dans le paramétrage de la formation de votre ERP"}.`,
    );
  }
  if (/sexe attendu/.test(message)) return r("sexe", `${recu}n'est pas un sexe valide (M ou F)`, `Corrigez le sexe ${ou}.`);
  if (/adresse e-mail attendue|numéro de téléphone attendu/.test(message)) {
    return r(
      "contact",
      `${recu}n'est pas ${/e-mail/.test(message) ? "une adresse e-mail valide" : "un numéro de téléphone valide"}`,
      `Corrigez les coordonnées ${ou}, ou videz le champ si vous ne les connaissez pas.`,
    );
  }
  if (/chaque dossier doit être un objet JSON|dossier impossible à lire/.test(message)) {
    return r(
      "dossier_illisible",
      "le dossier envoyé n'a pas la forme attendue par l'API",
      "C'est un problème du connecteur de votre ERP, pas de vos données : signalez-le à l'éditeur de votre logiciel.",
    );
  }
  // a dossier merged or deleted in the CFA space (pipeline: refuseArchived): the constat names the kept dossier's
  // identifier (the refused dossier is shown by name); the advice, shared by the day's summary, names no one
  const archive = /ce dossier a été (fusionné|supprimé) le (\S+)(?: avec le dossier « ([^»]*) »)?/.exec(message);
  if (archive) {
    const fusion = archive[1] === "fusionné";
    return r(
      "dossier_archive",
      fusion
        ? `dossier fusionné le ${archive[2]} avec le dossier « ${archive[3] ?? "?"} » du même apprenant dans l'espace CFA : il n'est plus importé`
        : `dossier supprimé le ${archive[2]} dans l'espace CFA : il n'est plus importé`,
      fusion
        ? "Envoyez cet apprenant sous l'identifiant du dossier conservé lors de la fusion, ou corrigez l'identifiant dans votre ERP ou votre fichier."
        : "Retirez ce dossier des envois de votre ERP ou de vos fichiers, ou rétablissez-le depuis la page Doublons de l'espace CFA.",
    );
  }
  if (/attendu|attendue/.test(message)) {
    return r("valeur_invalide", `${recu}invalide : ${texte()}`, `Corrigez la valeur ${ou}.`);
  }
  const [constat, suite] = phrases(texte());
  return r("autre", constat, suite || `Corrigez ce champ ${ou}${source === "API" ? ", puis laissez l'ERP renvoyer le dossier" : ""}.`);
}

/**
 * What to do about the rejected dossiers of a day, by where they came from: an ERP's are corrected in the ERP and
 * come again with its next transmission; an uploaded file's are corrected in the file, which is then uploaded again.
 */
export function conseilDossiersRefuses(sources: readonly SourceTransmission[]): string {
  const api = sources.includes("API");
  const fichier = sources.includes("FICHIER");
  if (fichier && !api) {
    return "Corrigez chaque ligne refusée dans votre fichier, puis téléversez-le à nouveau : les lignes déjà enregistrées ne sont pas " +
      "dupliquées. Les autres lignes du fichier ont bien été enregistrées.";
  }
  if (fichier && api) {
    return "Corrigez chaque dossier transmis par votre ERP dans l'ERP : il sera accepté à la prochaine transmission. Pour un fichier " +
      "téléversé, corrigez le fichier et téléversez-le à nouveau. Les autres dossiers ont bien été enregistrés.";
  }
  return "Corrigez chaque dossier dans votre ERP : il sera accepté à la prochaine transmission. Les autres dossiers de l'envoi ont bien été enregistrés.";
}

/**
 * What to do about a request refused as a whole (the API's answer 400 or 413: nothing read, no dossier recorded):
 * the message itself says what was wrong; this says who fixes it and how.
 */
export function expliquerRefusEnvoi(statutHttp: number, message: string): string {
  const aucun = "Aucun dossier de cet envoi n'a été enregistré.";
  if (statutHttp === 413 || /Trop de dossiers dans un seul envoi/.test(message)) {
    return `${aucun} Votre ERP doit découper ses envois en plusieurs requêtes (2 000 dossiers et 10 Mo au plus chacune) : ` +
      "signalez-le à l'éditeur de votre logiciel, puis relancez la transmission.";
  }
  return `${aucun} Ce n'est pas un problème de vos données : le connecteur de votre ERP a envoyé un contenu que l'API ne peut pas lire. ` +
    "Signalez-le à l'éditeur de votre logiciel, avec la date, l'heure et ce message.";
}

/** One way to fix the errors of a category, and the fields it is for. */
export interface ConseilResume {
  /** The fields this advice is for, in plain French, most frequent first. */
  champs: string[];
  /** How to fix them, said of several fields when there are several (`Renseignez ces champs dans la fiche…`). */
  explication: string;
  /** Number of errors. */
  occurrences: number;
}

export interface LigneResume {
  categorie: CategorieErreur;
  libelle: string;
  /** Distinct fields concerned, most frequent first. */
  champs: string[];
  /** Number of errors. */
  occurrences: number;
  /** Number of rejected items (dossiers) with at least one such error. */
  dossiers: number;
  /**
   * How to fix them, by where the fields are entered (the learner's record, the establishment's settings, the
   * contract, the formation…), most frequent first: one advice for the whole category would send some of its fields
   * to the wrong place (a missing birth date is not fixed in the establishment's settings).
   */
  conseils: ConseilResume[];
}

/** An advice written for one field, said of several (`Renseignez ce champ` → `Renseignez ces champs`). */
function pourPlusieursChamps(explication: string): string {
  return explication.replace(/\b(Renseignez|Corrigez) ce champ\b/g, "$1 ces champs");
}

/** A stored error, as the summaries read it. */
type ErreurStockee = { path: readonly (string | number)[]; message: string };

/**
 * Summary of recurring errors over a set of rejected items, most frequent category first. `source`: where each item
 * came from (the ERP, by default, or an uploaded file), for where to fix it.
 */
export function resumeErreurs(
  items: readonly { errors: readonly ErreurStockee[]; source?: SourceTransmission }[],
  labels?: Record<string, string>,
): LigneResume[] {
  type Ligne = { occurrences: number; dossiers: number; champs: Map<string, number>; conseils: Map<string, { occurrences: number; champs: Map<string, number> }> };
  const parCategorie = new Map<CategorieErreur, Ligne>();
  // a day's batch repeats the same few errors: each is explained once
  const expliquees = new Map<string, ErreurExpliquee>();
  for (const item of items) {
    const source = item.source ?? "API";
    const vues = new Set<CategorieErreur>();
    for (const error of item.errors) {
      const cle = `${source}\u0000${JSON.stringify(error.path ?? [])}\u0000${error.message}`;
      let e = expliquees.get(cle);
      if (!e) expliquees.set(cle, (e = expliquerErreur(error, labels, source)));
      let ligne = parCategorie.get(e.categorie);
      if (!ligne) {
        ligne = { occurrences: 0, dossiers: 0, champs: new Map(), conseils: new Map() };
        parCategorie.set(e.categorie, ligne);
      }
      ligne.occurrences++;
      ligne.champs.set(e.libelleChamp, (ligne.champs.get(e.libelleChamp) ?? 0) + 1);
      let conseil = ligne.conseils.get(e.explication);
      if (!conseil) ligne.conseils.set(e.explication, (conseil = { occurrences: 0, champs: new Map() }));
      conseil.occurrences++;
      conseil.champs.set(e.libelleChamp, (conseil.champs.get(e.libelleChamp) ?? 0) + 1);
      if (!vues.has(e.categorie)) {
        vues.add(e.categorie);
        ligne.dossiers++;
      }
    }
  }
  const parFrequence = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
  return [...parCategorie]
    .map(([categorie, l]) => ({
      categorie,
      libelle: LIBELLES_CATEGORIE[categorie],
      champs: parFrequence(l.champs),
      occurrences: l.occurrences,
      dossiers: l.dossiers,
      conseils: [...l.conseils]
        .map(([explication, c]) => {
          const champs = parFrequence(c.champs);
          return { champs, explication: champs.length > 1 ? pourPlusieursChamps(explication) : explication, occurrences: c.occurrences };
        })
        .sort((a, b) => b.occurrences - a.occurrences || a.explication.localeCompare(b.explication)),
    }))
    .sort((a, b) => b.dossiers - a.dossiers || b.occurrences - a.occurrences || a.libelle.localeCompare(b.libelle));
}

/** The fields in error over a set of rejected items (v3 name, in plain French), by number of dossiers, most first. */
export function champsEnErreur(
  items: readonly { errors: readonly ErreurStockee[] }[],
  labels?: Record<string, string>,
): { champ: string; libelle: string; dossiers: number }[] {
  const dossiers = new Map<string, number>();
  for (const item of items) {
    for (const champ of new Set(item.errors.map((e) => champDeErreur(e.path ?? [], e.message ?? "")))) dossiers.set(champ, (dossiers.get(champ) ?? 0) + 1);
  }
  return [...dossiers]
    .map(([champ, n]) => ({ champ, libelle: libelleChamp(champ, labels), dossiers: n }))
    .sort((a, b) => b.dossiers - a.dossiers || a.libelle.localeCompare(b.libelle));
}
