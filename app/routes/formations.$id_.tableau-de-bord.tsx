/** `/formations/:id/tableau-de-bord`: a formation's dashboard (national, or the viewer's scope). */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { loaderTableau, vueFormation } from "~/tableaux/page.server";
import { PageTableau } from "~/tableaux/components/TableauDeBord";
import { ErreurTableau } from "~/tableaux/components/ErreurTableau";
import { metaTableau } from "~/tableaux/meta";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = metaTableau;

export function loader({ request, params, context }: LoaderFunctionArgs) {
  return loaderTableau(request, context.database, vueFormation(params.id));
}

export default PageTableau;

export const ErrorBoundary = ErreurTableau;
