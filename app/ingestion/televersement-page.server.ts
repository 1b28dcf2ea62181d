/**
 * Loader and action of the /televersement page (the route module only renders): step "fichier" (choose the
 * organisme and the file), step "apercu" (?id=…: the mapping, adjustable, and the preview of every row's errors
 * cell by cell), step "resultat" (after the import).
 */
import { redirect } from "@remix-run/node";
import type { Database } from "../../db/client.server";
import { csrfToken, requireValidForm } from "../auth/csrf.server";
import { logNamedListAccess } from "../auth/policy.server";
import { withHeaders } from "../auth/responses.server";
import {
  MAX_UPLOAD_BYTES,
  MAX_UPLOAD_ROWS,
  UPLOAD_FIELDS,
  UploadError,
  celluleAffichee,
  createUpload,
  defaultAnneeScolaire,
  importUpload,
  introCorrespondance,
  loadUpload,
  mappingFrom,
  mappingNotes,
  organismePropose,
  previewUpload,
  readUploadedFile,
  resolveOrganisme,
  resultatDeLImport,
  transmissionSummary,
  uploadAccess,
  type Preview,
  type TransmissionSummary,
} from "./upload.server";

const ANNEE_PATTERN = /^(\d{4})-(\d{4})$/;

function anneesProposees(): string[] {
  const current = Number(defaultAnneeScolaire().slice(0, 4));
  return [current - 2, current - 1, current, current + 1].map((y) => `${y}-${y + 1}`);
}

function anneeFrom(value: string | null): string {
  const m = value ? ANNEE_PATTERN.exec(value) : null;
  return m && Number(m[2]) - Number(m[1]) <= 1 && Number(m[2]) >= Number(m[1]) ? value! : defaultAnneeScolaire();
}

type Common = {
  csrf: string;
  maxRows: number;
  maxMo: number;
};

export type UploadPageData =
  | (Common & {
      step: "fichier";
      organismes: { id: number; label: string }[] | null;
      /** The organisme of `?organisme=<id>` (CFA space links): selected, or its SIRET and UAI typed in. */
      organismePropose: { id: number; saisie: string } | null;
    })
  | (Common & {
      step: "apercu";
      id: string;
      fileName: string;
      format: "CSV" | "XLSX";
      organisme: string;
      headers: string[];
      firstRow: string[];
      mapping: (string | null)[];
      /** What the page says above the mapping (no column recognised: a warning). */
      correspondance: { reconnues: number; texte: string };
      fields: { field: string; label: string; required: boolean }[];
      missingRequired: { field: string; label: string }[];
      notes: string[];
      anneeScolaire: string;
      anneeScolaireNeeded: boolean;
      annees: string[];
      preview: Preview;
      /** A previous import of this file stopped before the end (nothing recorded): what the page says, else null. */
      importInterrompu: string | null;
    })
  | (Common & {
      step: "resultat";
      id: string;
      fileName: string;
      organisme: string;
      summary: TransmissionSummary | null;
      /** What the import did with the file's lines (`resultatDeLImport`), with the summary. */
      resultat: string | null;
      /**
       * Claimed by an import still running (no transmission linked yet, claim refreshed in the last
       * INTERRUPTED_AFTER_SECONDS): the page asks to reload. An interrupted one shows the preview again.
       */
      enCours: boolean;
    });

/** What the preview says of an import of the file that stopped before the end (its transaction was rolled back). */
export const IMPORT_INTERROMPU =
  "L'import précédent de ce fichier a été interrompu avant la fin (arrêt ou redémarrage du serveur) : rien n'a été enregistré. " +
  "Vérifiez la correspondance des colonnes, puis importez-le à nouveau.";

function organismeLabel(o: { raison_sociale: string; siret: string; uai: string | null }) {
  return `${o.raison_sociale} (SIRET ${o.siret}${o.uai ? `, UAI ${o.uai}` : ""})`;
}

export async function televersementLoader(request: Request, database: Database): Promise<UploadPageData> {
  const access = await uploadAccess(request, database);
  const { token, headers } = await csrfToken(request, database);
  const common: Common = {
    csrf: token,
    maxRows: MAX_UPLOAD_ROWS,
    maxMo: MAX_UPLOAD_BYTES / 1024 / 1024,
  };
  const url = new URL(request.url);
  const id = url.searchParams.get("id");
  if (!id) {
    const propose = await organismePropose(database, access, url.searchParams.get("organisme"));
    return withHeaders(
      {
        ...common,
        step: "fichier" as const,
        organismes: access.kind === "organismes" ? access.organismes.map((o) => ({ id: o.id, label: organismeLabel(o) })) : null,
        organismePropose: propose ? { id: propose.id, saisie: [propose.siret, propose.uai].filter(Boolean).join(" ") } : null,
      },
      headers,
    );
  }
  const upload = await loadUpload(database, access, id);
  if (!upload) {
    throw new Response("Ce téléversement n'existe pas ou a expiré (il est conservé 24 heures) : téléversez à nouveau le fichier.", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  // the preview and the refused rows name learners: each view goes to the audit log of named lists
  const journaliser = (page: string, rowCount: number) =>
    rowCount
      ? logNamedListAccess(database, access.viewer, {
          list: "tous",
          action: "view",
          filters: { organisme: upload.organisme.id, page, televersement: upload.id },
          rowCount,
        })
      : Promise.resolve();
  if (upload.importedAt && !upload.importInterrompu) {
    const summary = upload.transmissionId ? await transmissionSummary(database, upload.transmissionId) : null;
    await journaliser("televersement-resultat", summary?.errors.length ?? 0);
    return withHeaders(
      {
        ...common,
        step: "resultat" as const,
        id: upload.id,
        fileName: upload.fileName,
        organisme: organismeLabel(upload.organisme),
        summary,
        resultat: summary ? resultatDeLImport(summary) : null,
        enCours: upload.transmissionId === null,
      },
      headers,
    );
  }
  const { mapping, automatic, doublons } = mappingFrom(url.searchParams, upload.headers);
  const anneeScolaire = anneeFrom(url.searchParams.get("annee_scolaire"));
  const notes = mappingNotes(upload, mapping, anneeScolaire, { doublons, automatic });
  const preview = await previewUpload(database, upload, mapping, anneeScolaire);
  await journaliser("televersement-apercu", preview.rows.length);
  return withHeaders(
    {
      ...common,
      step: "apercu" as const,
      id: upload.id,
      fileName: upload.fileName,
      format: upload.format,
      organisme: organismeLabel(upload.organisme),
      headers: upload.headers,
      // a masked NIR, a formula without value: said as such (the value itself was never kept)
      firstRow: upload.headers.map((_, i) => celluleAffichee(upload.rows[0]?.[i + 1] ?? "")),
      mapping,
      correspondance: introCorrespondance(mapping, automatic),
      fields: UPLOAD_FIELDS,
      missingRequired: notes.missingRequired.map(({ field, label }) => ({ field, label })),
      notes: notes.notes,
      anneeScolaire,
      anneeScolaireNeeded: notes.anneeScolaireNeeded,
      annees: anneesProposees(),
      preview,
      importInterrompu: upload.importInterrompu ? IMPORT_INTERROMPU : null,
    },
    headers,
  );
}

/** A refusal shown above the form; `champ`: the field it is about (marked in error, and focused). */
export type UploadActionData = { error: string; champ?: "organisme" | "fichier" };

export async function televersementAction(request: Request, database: Database): Promise<UploadActionData | Response> {
  const access = await uploadAccess(request, database);
  let formData: FormData;
  try {
    // read within its limits (a Content-Length over them refused before anything is read), the token checked
    formData = await requireValidForm(request, database, { maxFileBytes: MAX_UPLOAD_BYTES });
  } catch (error) {
    if (!(error instanceof Response)) throw error;
    if (error.status === 413) return { error: await error.text(), champ: "fichier" };
    if (error.status === 403) return { error: "Le formulaire a expiré ou ne provient pas de ce site : rechargez la page et recommencez." };
    return { error: await error.text() };
  }
  const intent = formData.get("intent");
  try {
    if (intent === "televerser") {
      const file = formData.get("fichier");
      if (!file || typeof file === "string" || (file.size === 0 && !file.name)) return { error: "Choisissez un fichier CSV ou XLSX.", champ: "fichier" };
      if (file.size === 0) {
        return { error: `Le fichier « ${file.name} » est vide : choisissez un fichier CSV ou XLSX qui contient vos effectifs.`, champ: "fichier" };
      }
      const organisme = await resolveOrganisme(database, access, String(formData.get("organisme") ?? ""));
      let read: ReturnType<typeof readUploadedFile>;
      try {
        read = readUploadedFile(new Uint8Array(await file.arrayBuffer()), file.name);
      } catch (error) {
        if (error instanceof UploadError) return { error: error.message, champ: "fichier" };
        throw error;
      }
      const id = await createUpload(database, access, {
        organismeId: organisme.id,
        fileName: file.name || "fichier",
        erp: String(formData.get("erp") ?? ""),
        file: read,
      });
      return redirect(`/televersement?id=${id}`);
    }
    if (intent === "importer") {
      const id = String(formData.get("id") ?? "");
      const upload = await loadUpload(database, access, id);
      if (!upload) return { error: "Ce téléversement n'existe pas ou a expiré : téléversez à nouveau le fichier." };
      const { mapping } = mappingFrom(formData, upload.headers);
      const anneeScolaire = anneeFrom(formData.get("annee_scolaire") as string | null);
      await importUpload(database, upload, mapping, anneeScolaire);
      return redirect(`/televersement?id=${id}`);
    }
    return { error: "Action inconnue." };
  } catch (error) {
    if (error instanceof UploadError) return { error: error.message, champ: error.champ };
    throw error;
  }
}
