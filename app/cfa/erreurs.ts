/**
 * From a rejected item's error (as the ingestion pipeline stores it: `{ path, message }`, message in French
 * starting with the field name) to what CFA staff need: the field in plain words, a category for the summary of
 * recurring errors, and how to fix it in the ERP. Pure, browser-safe (no I/O).
 *
 * The categories follow the messages of app/ingestion/dossier-schema.server.ts (MESSAGES) and of the pipeline
 * (unknown organisme, dossier outside the transmitting organisme's scope). An unknown message falls back to a
 * generic explanation naming the field.
 */

/** Windows of the transmissions' history (days). */
export const FENETRES = [30, 90, 365] as const;

export const CATEGORIES_ERREUR = [
  "organisme_inconnu",
  "hors_perimetre",
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
  "autre",
] as const;

export type CategorieErreur = (typeof CATEGORIES_ERREUR)[number];

export const LIBELLES_CATEGORIE: Record<CategorieErreur, string> = {
  organisme_inconnu: "Établissement inconnu du référentiel (UAI / SIRET)",
  hors_perimetre: "Apprenant d'un autre organisme",
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
  statut_apprenant: "statut de l'apprenant",
  date_metier_mise_a_jour_statut: "date de mise à jour du statut",
  tel_apprenant: "téléphone de l'apprenant",
  email_contact: "e-mail de l'apprenant",
  formation_cfd: "code diplôme (CFD)",
  formation_rncp: "code RNCP",
  sexe_apprenant: "sexe",
  code_postal_apprenant: "code postal",
  code_commune_insee_apprenant: "commune de résidence (code INSEE)",
  code_commune_insee_de_naissance_apprenant: "commune de naissance (code INSEE)",
  contrat_date_debut: "date de début du contrat",
  contrat_date_fin: "date de fin du contrat",
  contrat_date_rupture: "date de rupture du contrat",
  siret_employeur: "SIRET de l'employeur",
  ine_apprenant: "INE",
};

/** Where the field is usually entered in an ERP. */
function ouSaisir(champ: string): string {
  if (/^contrat_|^siret_employeur|^cause_rupture/.test(champ)) return "dans la fiche contrat de l'apprenant";
  if (/^etablissement_|^type_cfa/.test(champ)) return "dans le paramétrage de l'établissement (fiche site / établissement) de votre ERP";
  if (/^formation_|_formation$|^annee_formation|^duree_theorique|^libelle_court_formation/.test(champ)) {
    return champ === "date_fin_formation" || champ === "date_entree_formation" || champ === "date_inscription_formation"
      ? "dans l'inscription de l'apprenant à sa formation"
      : "dans le paramétrage de la formation de votre ERP";
  }
  if (champ === "annee_scolaire") return "dans l'inscription de l'apprenant (année scolaire)";
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
  /** How to fix it in the ERP. */
  explication: string;
}

function libelle(champ: string, labels?: Record<string, string>): string {
  if (champ === "dossier") return "dossier entier";
  return labels?.[champ] ?? LIBELLES_CHAMPS_V3[champ] ?? champ.replace(/_/g, " ");
}

/** The explanation of one stored error. */
export function expliquerErreur(error: { path: readonly (string | number)[]; message: string }, labels?: Record<string, string>): ErreurExpliquee {
  const message = error.message ?? "";
  const champ = champDeErreur(error.path ?? [], message);
  const nom = libelle(champ, labels);
  const ou = ouSaisir(champ);
  const r = (categorie: CategorieErreur, explication: string): ErreurExpliquee => ({ champ, libelleChamp: nom, categorie, explication });

  const inconnu = /établissement (formateur|responsable) inconnu du référentiel/.exec(message);
  if (inconnu) {
    const role = inconnu[1];
    const connu = /\(([^)]*(?:connu avec)[^)]*)\)/.exec(message)?.[1];
    return r(
      "organisme_inconnu",
      `Vérifiez l'UAI et le SIRET de l'établissement ${role} déclarés dans le paramétrage de votre ERP (fiche établissement ou site de formation) : ` +
        "le couple UAI–SIRET doit être exactement celui du référentiel des organismes (consultez votre fiche dans le répertoire des organismes)" +
        (connu ? ` — le référentiel indique : ${connu}` : "") +
        ". Si votre SIRET a changé (déménagement, changement de structure) ou si l'UAI est nouveau, demandez la mise à jour du référentiel, puis renvoyez les dossiers.",
    );
  }
  if (/hors du périmètre/.test(message)) {
    return r(
      "hors_perimetre",
      "Ce dossier concerne un établissement qui n'est ni le vôtre ni l'un de vos organismes formateurs : vérifiez l'établissement formateur et l'établissement responsable " +
        "saisis dans l'inscription de l'apprenant. S'il relève d'un autre CFA, il doit être transmis avec la clé d'API de ce CFA ; s'il s'agit bien de l'un de vos sites, " +
        "demandez l'ajout du lien formateur → responsable dans le référentiel.",
    );
  }
  if (/: champ obligatoire\b/.test(message) || /: champ obligatoire manquant/.test(message)) {
    return r("champ_obligatoire", `Le champ « ${nom} » est obligatoire et n'a pas été transmis : renseignez-le ${ou}, puis laissez l'ERP renvoyer le dossier.`);
  }
  if (/date de contrat fournie sans/.test(message) || /champ manquant alors que contrat_date_(fin|rupture)/.test(message)) {
    return r(
      "contrat_sans_debut",
      "Une date de fin ou de rupture de contrat est renseignée sans date de début : saisissez la date de début du contrat (celle du CERFA) dans la fiche contrat de l'apprenant, " +
        "ou supprimez ce contrat s'il n'a jamais été signé.",
    );
  }
  if (/date de fin de formation doit être égale ou postérieure|est antérieure à date_entree_formation/.test(message)) {
    return r(
      "fin_avant_entree",
      "La date de fin de formation est antérieure à la date d'entrée : vérifiez ces deux dates dans l'inscription de l'apprenant (une inversion du jour et du mois est fréquente).",
    );
  }
  if (/date inexistante/.test(message)) {
    return r("date_inexistante", `La ${nom} n'existe pas dans le calendrier (par exemple un 31 février ou un 31 avril) : corrigez-la ${ou}.`);
  }
  if (/date attendue entre \d{4} et \d{4}/.test(message)) {
    return r("date_hors_plage", `L'année de la ${nom} est invraisemblable (faute de frappe sur l'année ?) : corrigez-la ${ou}.`);
  }
  if (/date attendue au format|date invalide/.test(message)) {
    return r(
      "date_format",
      `La ${nom} n'est pas au format attendu AAAA-MM-JJ (ex. 2024-09-02). Si la date est bien saisie ${ou}, c'est le format d'export de votre ERP qui est en cause : ` +
        "signalez-le à son éditeur ; dans un fichier téléversé, mettez la colonne au format date.",
    );
  }
  if (/année scolaire attendue/.test(message)) {
    return r("annee_scolaire", "L'année scolaire doit s'écrire AAAA-AAAA avec deux années consécutives (ex. 2024-2025) : corrigez-la dans l'inscription de l'apprenant.");
  }
  if (/UAI attendu|UAI \(ex\./.test(message)) {
    return r("uai", `L'UAI transmis (${nom}) n'est pas valide (7 chiffres et une lettre clé, ex. 0751234J) : corrigez-le ${ou}.`);
  }
  if (/SIRET attendu/.test(message)) {
    return r("siret", `Le SIRET transmis (${nom}) n'est pas valide (14 chiffres dont une clé de contrôle) : corrigez-le ${ou} ; vérifiez-le sur l'annuaire des entreprises.`);
  }
  if (/code commune INSEE attendu/.test(message)) {
    return r(
      "code_commune",
      `Le code commune INSEE n'est pas valide : c'est le code officiel de la commune (ex. 69123 pour Lyon), différent du code postal. Corrigez la commune ${ou}.`,
    );
  }
  if (/code postal attendu/.test(message)) return r("code_postal", `Le code postal doit compter 5 chiffres : corrigez l'adresse ${ou}.`);
  if (/code CFD attendu|code RNCP attendu/.test(message)) {
    return r(
      "code_formation",
      "Le code de la formation n'est pas valide (CFD : 8 caractères, ex. 50022141 ; RNCP : RNCP suivi de chiffres, ex. RNCP35316) : corrigez-le dans le paramétrage de la formation de votre ERP.",
    );
  }
  if (/sexe attendu/.test(message)) return r("sexe", "Le sexe doit valoir M ou F : corrigez-le dans la fiche de l'apprenant.");
  if (/adresse e-mail attendue|numéro de téléphone attendu/.test(message)) {
    return r("contact", `La valeur du champ « ${nom} » n'est pas valide : corrigez les coordonnées ${ou} (ou videz le champ si vous ne les connaissez pas).`);
  }
  if (/chaque dossier doit être un objet JSON|dossier impossible à lire/.test(message)) {
    return r(
      "dossier_illisible",
      "Le dossier envoyé n'a pas la forme attendue par l'API : c'est un problème du connecteur de votre ERP, pas de vos données. Transmettez ce message à l'éditeur de votre logiciel.",
    );
  }
  if (/attendu|attendue/.test(message)) {
    return r("valeur_invalide", `La valeur du champ « ${nom} » n'est pas au format attendu (voir le message) : corrigez-la ${ou}.`);
  }
  return r("autre", `Corrigez le champ « ${nom} » ${ou} en suivant le message, puis laissez l'ERP renvoyer le dossier.`);
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
  /** Explanation of the most frequent case. */
  explication: string;
}

/** Summary of recurring errors over a set of rejected items, most frequent category first. */
export function resumeErreurs(
  items: readonly { errors: readonly { path: readonly (string | number)[]; message: string }[] }[],
  labels?: Record<string, string>,
): LigneResume[] {
  const parCategorie = new Map<CategorieErreur, { occurrences: number; dossiers: number; champs: Map<string, number>; explications: Map<string, number> }>();
  for (const item of items) {
    const vues = new Set<CategorieErreur>();
    for (const error of item.errors) {
      const e = expliquerErreur(error, labels);
      let ligne = parCategorie.get(e.categorie);
      if (!ligne) {
        ligne = { occurrences: 0, dossiers: 0, champs: new Map(), explications: new Map() };
        parCategorie.set(e.categorie, ligne);
      }
      ligne.occurrences++;
      ligne.champs.set(e.libelleChamp, (ligne.champs.get(e.libelleChamp) ?? 0) + 1);
      ligne.explications.set(e.explication, (ligne.explications.get(e.explication) ?? 0) + 1);
      if (!vues.has(e.categorie)) {
        vues.add(e.categorie);
        ligne.dossiers++;
      }
    }
  }
  const plusFrequent = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? "";
  return [...parCategorie]
    .map(([categorie, l]) => ({
      categorie,
      libelle: LIBELLES_CATEGORIE[categorie],
      champs: [...l.champs].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c),
      occurrences: l.occurrences,
      dossiers: l.dossiers,
      explication: plusFrequent(l.explications),
    }))
    .sort((a, b) => b.dossiers - a.dossiers || b.occurrences - a.occurrences || a.libelle.localeCompare(b.libelle));
}
