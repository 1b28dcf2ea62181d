/** <title> of the dashboard pages. Browser-safe. */
import type { TableauPage } from "./types";
import { titrePage } from "~/ui/erreur";

export function metaTableau({ data, error }: { data: unknown; error?: unknown }) {
  const page = data as TableauPage | undefined;
  // the page's h1, as the DSFR asks (the national page: « L'apprentissage en France »)
  const titre = page?.info ? page.info.titre : "Tableau de bord";
  return [
    { title: titrePage(titre, error) },
    { name: "description", content: "Effectifs de l'apprentissage : apprentis, inscrits sans contrat, rupturants, abandons, par territoire, organisme et formation." },
  ];
}
