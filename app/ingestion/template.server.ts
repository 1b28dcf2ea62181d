/**
 * The upload template (CSV and XLSX): one column per v3 field (but the NIR, never stored), headed by its French
 * label (the mapping recognises labels and technical names), required fields first, and an example row taken from
 * the schema's examples, written as people write them in a spreadsheet: dates JJ/MM/AAAA (the schema's examples
 * are the API's AAAA-MM-JJ; the upload reads both), a sexe that fits the example's prénom. In the XLSX the example's
 * dates are real dates (decision 019), read back by the upload as JJ/MM/AAAA. The XLSX has a second sheet describing
 * each column, and saying which required ones a file may leave empty (`VIDE_DANS_UN_FICHIER`).
 */
import { dateValue, toCsv } from "../shared/csv";
import { writeXlsx } from "../shared/xlsx.server";
import { dossierV3ItemJsonSchema } from "./dossier-schema.server";
import { FORMAT_DATE_FICHIER, isDateField } from "./mapping";
import { UPLOAD_FIELDS } from "./upload.server";

/** Examples of the file that differ from the API's: the example learner is Gaston, a boy. */
const EXAMPLES_FICHIER: Record<string, string> = { sexe_apprenant: "M" };

/** A description of the API, for a file: dates are written JJ/MM/AAAA there (AAAA-MM-JJ is read too). */
function descriptionFichier(description: string): string {
  return description.replace(/au format AAAA-MM-JJ(?: \(une heure peut suivre, elle est ignorée\))?/g, `au format ${FORMAT_DATE_FICHIER} (AAAA-MM-JJ est aussi lu)`);
}

/** An établissement's UAI or SIRET: may be left empty with the other one, the organisme chosen on the page stands for them. */
function etablissementVide(role: "formateur" | "responsable", autre: "le SIRET" | "l'UAI"): string {
  const organisme =
    role === "formateur"
      ? "l'organisme choisi sur la page de téléversement"
      : "l'organisme choisi sur la page de téléversement (ou son responsable au référentiel s'il n'en a qu'un)";
  return `Peut rester vide dans un fichier déposé, avec ${autre} du ${role} : ${organisme} est alors l'établissement ${role}.`;
}

/**
 * What a file may leave empty, unlike the API (mapping.ts `convertRow`): the établissements (the organisme chosen on
 * the upload page, when a row has neither the UAI nor the SIRET) and the learner's id (formed from the nom, the prénom
 * and the date de naissance). Said first in the help sheet's description of these columns.
 */
const VIDE_DANS_UN_FICHIER: Record<string, string> = {
  etablissement_formateur_uai: etablissementVide("formateur", "le SIRET"),
  etablissement_formateur_siret: etablissementVide("formateur", "l'UAI"),
  etablissement_responsable_uai: etablissementVide("responsable", "le SIRET"),
  etablissement_responsable_siret: etablissementVide("responsable", "l'UAI"),
  id_erp_apprenant:
    "Peut rester vide dans un fichier déposé : l'identifiant est alors formé du nom, du prénom et de la date de naissance. Gardez le même d'un envoi à l'autre, sinon l'apprenant serait enregistré une seconde fois.",
};

/** The help sheet's « Obligatoire » of a column. */
function obligatoire(c: { field: string; required: boolean }): string {
  if (!c.required) return "non";
  return c.field in VIDE_DANS_UN_FICHIER ? "oui (peut rester vide dans un fichier déposé)" : "oui";
}

function columns() {
  const schema = dossierV3ItemJsonSchema() as { properties?: Record<string, { examples?: unknown[]; description?: string }> };
  const ordered = [...UPLOAD_FIELDS.filter((f) => f.required), ...UPLOAD_FIELDS.filter((f) => !f.required)];
  return ordered.map((f) => {
    const prop = schema.properties?.[f.field] ?? {};
    const raw = EXAMPLES_FICHIER[f.field] ?? prop.examples?.[0];
    const example = raw === undefined || raw === null ? "" : String(raw);
    return {
      ...f,
      description: [VIDE_DANS_UN_FICHIER[f.field], descriptionFichier(prop.description ?? "")].filter(Boolean).join(" "),
      example: isDateField(f.field) ? (dateValue(example) ?? "") : example,
    };
  });
}

/** Only the example row's required fields and a first contract are filled, as a CFA would. */
const EXAMPLE_FIELDS = new Set([
  "statut_apprenant",
  "formation_cfd",
  "contrat_date_debut",
  "contrat_date_fin",
  "siret_employeur",
  "sexe_apprenant",
  "email_contact",
]);

export function templateCsv(): string {
  const cols = columns();
  return toCsv([
    cols.map((c) => c.label),
    cols.map((c) => (c.required || EXAMPLE_FIELDS.has(c.field) ? c.example : "")),
  ]);
}

export function templateXlsx(): Buffer {
  const cols = columns();
  return writeXlsx([
    {
      name: "Effectifs",
      rows: [cols.map((c) => c.label), cols.map((c) => (c.required || EXAMPLE_FIELDS.has(c.field) ? c.example : ""))],
    },
    {
      name: "Aide",
      rows: [
        ["Colonne", "Champ technique (API v3)", "Obligatoire", "Format et description", "Exemple"],
        ...cols.map((c) => [c.label, c.field, obligatoire(c), c.description, c.example]),
      ],
    },
  ]);
}

export const TEMPLATE_FILE_NAME = "modele-effectifs";
