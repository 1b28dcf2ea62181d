/** <title> of the dashboard pages. Browser-safe. */
import type { TableauPage } from "./types";
import { titrePage } from "~/ui/erreur";

export function metaTableau({ data, error }: { data: unknown; error?: unknown }) {
  const page = data as TableauPage | undefined;
  const titre = !page?.info ? "Tableau de bord" : page.info.vue.kind === "national" && !page.info.perimetre ? "Indicateurs nationaux" : page.info.titre;
  return [
    { title: titrePage(titre, error) },
    { name: "description", content: "Effectifs de l'apprentissage : apprentis, inscrits sans contrat, rupturants, abandons, par territoire, organisme et formation." },
  ];
}
