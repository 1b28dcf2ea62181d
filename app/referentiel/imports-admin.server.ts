/**
 * The action of /admin/imports (the route module only renders): the upload is read with its size capped — refused
 * from its Content-Length before anything is read, and cut while it streams when it has none (a 413 whose French
 * message is shown on the file field) —, the CSRF token checked, the form's choices checked, then the import is
 * started in the background (import-jobs.server.ts).
 */
import { redirect } from "@remix-run/node";
import type { Database } from "../../db/client.server";
import { requireNationalAdmin } from "../auth/policy.server";
import { requireValidForm } from "../auth/csrf.server";
import { startImport } from "./import-jobs.server";
import { IMPORT_KINDS, MAX_IMPORT_BYTES } from "./import-libelles";

export type ImportsActionData = { errors: Record<string, string> };

export async function actionImports(request: Request, database: Database): Promise<Response> {
  const viewer = await requireNationalAdmin(request, database);
  let form: FormData;
  try {
    form = await requireValidForm(request, database, { maxFileBytes: MAX_IMPORT_BYTES });
  } catch (thrown) {
    if (thrown instanceof Response && thrown.status === 413) {
      return Response.json({ errors: { fichier: await thrown.text() } } satisfies ImportsActionData, { status: 413 });
    }
    throw thrown;
  }
  const errors: Record<string, string> = {};
  const kind = form.get("type");
  const file = form.get("fichier");
  const format = String(form.get("format") ?? "");
  const spec = IMPORT_KINDS.find((k) => k.value === kind);
  if (!spec) errors.type = "Choisissez le type de fichier à importer.";
  if (!(file instanceof File) || file.size === 0 || !file.name) errors.fichier = "Choisissez un fichier à importer (il ne doit pas être vide).";
  if (spec && format && !spec.formats.some((f) => f.value === format)) errors.format = "Format inconnu pour ce type de fichier.";
  const offreComplete = form.get("offreComplete") === "oui";
  if (offreComplete && spec && spec.value !== "formations") errors.offreComplete = "L'offre complète ne concerne que les fichiers de formations (catalogue).";
  if (Object.keys(errors).length || !spec || !(file instanceof File)) return Response.json({ errors } satisfies ImportsActionData, { status: 400 });
  const job = await startImport(database, {
    kind: spec.value,
    format: format || undefined,
    offreComplete,
    fileName: file.name,
    bytes: new Uint8Array(await file.arrayBuffer()),
    startedBy: viewer.user.email,
  });
  return redirect(`/admin/imports?import=${job.id}`);
}
