/**
 * GET /api/v1/offres — the catalogue's offer (formation × organisme formateur × responsable × lieu) as JSON:
 * `{ data, pagination: { page, limit, total, pages } }`, filters as query parameters (see /api/openapi.json),
 * 400 with a French message on a bad or unknown parameter.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { avecErreursApi } from "~/shared/erreurs-base.server";
import { getViewer } from "~/auth/policy.server";
import { apiBadRequest, apiPage, offreToApi } from "~/referentiel/api.server";
import { pageOffres } from "~/referentiel/catalogue.server";
import { offresQuerySchema, parseQuery } from "~/referentiel/filtres.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return avecErreursApi("[api] lecture des offres en échec", async () => {
    const viewer = await getViewer(request, context.database);
    const parsed = parseQuery(offresQuerySchema, new URL(request.url).searchParams, { strict: true });
    if (!parsed.ok) return apiBadRequest(parsed.errors);
    // The catalogue and its offer are a national nomenclature: the same for every viewer.
    const page = await pageOffres(context.database, parsed.value);
    return apiPage(page, offreToApi, viewer.userId !== null);
  }, { lecture: true });
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
