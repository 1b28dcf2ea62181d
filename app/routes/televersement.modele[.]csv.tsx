/** GET /televersement/modele.csv: the upload template (`;`, UTF-8 with BOM, for Excel). */
import { templateCsv, TEMPLATE_FILE_NAME } from "~/ingestion/template.server";

export async function loader() {
  return new Response(templateCsv(), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${TEMPLATE_FILE_NAME}.csv"`,
      "Cache-Control": "public, max-age=3600",
    },
  });
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
