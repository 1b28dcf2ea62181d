/** `/organismes/:id/tableau-de-bord`: an organisme's dashboard (it and its formateurs; requireOrganismeTarget). */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { loaderTableau, vueOrganisme } from "~/tableaux/page.server";
import { PageTableau } from "~/tableaux/components/TableauDeBord";
import { ErreurTableau } from "~/tableaux/components/ErreurTableau";
import { metaTableau } from "~/tableaux/meta";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = metaTableau;

export function loader({ request, params, context }: LoaderFunctionArgs) {
  return loaderTableau(request, context.database, vueOrganisme(params.id));
}

export default PageTableau;

export const ErrorBoundary = ErreurTableau;
