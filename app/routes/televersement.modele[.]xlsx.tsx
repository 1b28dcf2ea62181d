/** GET /televersement/modele.xlsx: the upload template as an Excel workbook (with a help sheet). */
import { XLSX_CONTENT_TYPE } from "~/shared/xlsx.server";
import { templateXlsx, TEMPLATE_FILE_NAME } from "~/ingestion/template.server";

export async function loader() {
  return new Response(new Uint8Array(templateXlsx()), {
    headers: {
      "Content-Type": XLSX_CONTENT_TYPE,
      "Content-Disposition": `attachment; filename="${TEMPLATE_FILE_NAME}.xlsx"`,
      "Cache-Control": "public, max-age=3600",
    },
  });
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
