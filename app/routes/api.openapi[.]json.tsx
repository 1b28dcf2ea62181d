/** GET /api/openapi.json: the OpenAPI 3.1 description, generated from the validating schema. */
import { openApiDocument } from "~/ingestion/openapi.server";

export async function loader() {
  return new Response(JSON.stringify(openApiDocument(), null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Access-Control-Allow-Origin": "*",
      "Cache-Control": "public, max-age=300",
    },
  });
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
