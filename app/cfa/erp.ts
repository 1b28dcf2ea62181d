/**
 * The ERPs CFAs use and how to connect each one to the API (issue 7, item 3). Pure data, browser-safe.
 *
 * Instructions stay on what the CFA controls: where the key goes, which address, how to check. Menu names differ
 * between versions of a software: the steps say what to look for and whom to ask, not a menu path we cannot
 * guarantee.
 */

export const ERPS = [
  "Ypareo",
  "Gesti",
  "SC Form",
  "FCA Manager",
  "Aimaira",
  "Cactus",
  "MyClic",
  "Gescicca",
  "Formasup",
  "Charlemagne",
  "Ammon",
  "OFA-Link",
  "Filiz",
  "Hyperplanning",
  "Auriga",
] as const;

export const AUTRE_ERP = "Autre logiciel";
export const SANS_ERP = "Aucun (téléversement de fichiers)";

/** ERPs whose vendor ships a connector to the "tableau de bord de l'apprentissage" feed (API v3). */
const CONNECTEUR_EDITEUR = new Set<string>(["Ypareo", "Gesti", "SC Form", "FCA Manager", "Aimaira", "Charlemagne", "Formasup", "Filiz"]);

export interface InstructionsErp {
  erp: string;
  /** "connecteur": the vendor's connector, the key goes in its settings; "api": a developer calls the API;
   *  "fichier": no ERP, upload files. */
  mode: "connecteur" | "api" | "fichier";
  etapes: string[];
}

/**
 * The name of an ERP as stored, whoever gives it (the CFA's settings, the X-ERP header of the API, an upload): control
 * characters removed, a known ERP in its own spelling ("ypareo" is "Ypareo"), at most 100 characters.
 */
export function normaliserErp(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  if (!v) return null;
  const connu = [...ERPS, AUTRE_ERP, SANS_ERP].find((e) => e.toLowerCase() === v.toLowerCase());
  return connu ?? v.slice(0, 100);
}

export function instructionsErp(erp: string | null, adresseApi: string): InstructionsErp {
  const test = `${adresseApi}/test`;
  if (!erp) {
    return {
      erp: "",
      mode: "api",
      etapes: ["Choisissez d'abord le logiciel de gestion (ERP) de votre CFA ci-dessus pour afficher les instructions qui le concernent."],
    };
  }
  if (erp === SANS_ERP) {
    return {
      erp,
      mode: "fichier",
      etapes: [
        "Sans ERP connecté, transmettez vos effectifs en téléversant un fichier Excel ou CSV depuis la page « Téléverser un fichier ».",
        "Téléchargez le modèle de fichier proposé sur cette page : une ligne par apprenant, avec ses dates de formation et de contrat.",
        "Téléversez une version à jour au moins une fois par mois (idéalement chaque semaine) : vos données sont considérées comme anciennes au-delà de trois mois.",
      ],
    };
  }
  if (CONNECTEUR_EDITEUR.has(erp)) {
    return {
      erp,
      mode: "connecteur",
      etapes: [
        `Générez une clé d'API ci-dessus et copiez-la aussitôt : elle ne sera plus affichée.`,
        `Dans ${erp}, ouvrez le paramétrage des échanges ou interfaces et cherchez la transmission au « Tableau de bord de l'apprentissage » ; si vous ne la trouvez pas, demandez son activation au support de ${erp}.`,
        "Collez la clé dans le champ prévu (souvent intitulé « clé d'API » ou « jeton »), vérifiez que l'UAI et le SIRET de votre établissement y sont exacts, puis enregistrez.",
        `Lancez une première transmission : elle apparaît dans l'onglet « Transmissions » avec le nombre de dossiers reçus, acceptés et refusés. ${erp} transmet ensuite vos effectifs automatiquement, en général chaque nuit.`,
        "En cas de changement de clé (rotation), remplacez-la aussitôt dans l'ERP : l'ancienne clé cesse de fonctionner immédiatement.",
      ],
    };
  }
  return {
    erp,
    mode: "api",
    etapes: [
      `Générez une clé d'API ci-dessus et copiez-la aussitôt : elle ne sera plus affichée.`,
      erp === AUTRE_ERP
        ? "Transmettez à l'éditeur de votre logiciel (ou à votre service informatique) la documentation de l'API et la clé, par un canal sûr."
        : `Demandez au support de ${erp} comment activer la transmission au « Tableau de bord de l'apprentissage » et transmettez-lui, par un canal sûr, la documentation de l'API et la clé.`,
      `Les dossiers s'envoient par POST ${adresseApi} : un tableau JSON d'au plus 2 000 dossiers apprenants, avec l'en-tête « Authorization: Bearer <clé> ».`,
      `La clé peut être vérifiée sans rien transmettre par GET ${test} avec le même en-tête.`,
      "Chaque envoi apparaît dans l'onglet « Transmissions » avec les dossiers refusés et la façon de les corriger.",
    ],
  };
}
