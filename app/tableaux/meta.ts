/** <title> of the dashboard pages. Browser-safe. */
import type { TableauPage } from "./types";
import { titreDeListe } from "~/ui/titre";

export function metaTableau({ data, error }: { data: unknown; error?: unknown }) {
  const page = data as TableauPage | undefined;
  // the page's h1, as the DSFR asks (the national page: « L'apprentissage en France »)
  const titre = page?.info ? page.info.titre : "Tableau de bord";
  // and what the page shows of it: a parameter refused, filters applied (RGAA 8.6)
  const etat = page?.info ? { filtree: page.panneau.etiquettes.length > 0, erreurs: page.erreurs.length } : undefined;
  return [
    { title: titreDeListe(titre, etat, error) },
    { name: "description", content: "Effectifs de l'apprentissage : apprentis, inscrits sans contrat, rupturants, abandons, par territoire, organisme et formation." },
  ];
}
