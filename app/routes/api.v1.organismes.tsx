/**
 * GET /api/v1/organismes — the répertoire des organismes as JSON: `{ data, pagination: { page, limit, total, pages } }`,
 * filters as query parameters (see /api/openapi.json), 400 with a French message on a bad or unknown parameter.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { avecErreursApi } from "~/shared/erreurs-base.server";
import { getViewer, viewerOfRepertoire } from "~/auth/policy.server";
import { apiBadRequest, apiPage, organismeToApi } from "~/referentiel/api.server";
import { organismesQuerySchema, parseQuery } from "~/referentiel/filtres.server";
import { listOrganismes } from "~/referentiel/repertoire.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return avecErreursApi("[api] lecture des organismes en échec", async () => {
    const viewer = await getViewer(request, context.database);
    const parsed = parseQuery(organismesQuerySchema, new URL(request.url).searchParams, { strict: true });
    if (!parsed.ok) return apiBadRequest(parsed.errors);
    const page = await listOrganismes(context.database, viewerOfRepertoire(viewer, parsed.value.perimetre), parsed.value);
    return apiPage(page, organismeToApi, viewer.userId !== null);
  }, { lecture: true });
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
