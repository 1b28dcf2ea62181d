/**
 * The DSFR theme in use: "dark" when the user chose it (Paramètres d'affichage → Sombre, or the system's setting),
 * read on <html data-fr-theme>, which DSFR updates as soon as the choice changes. What the browser draws itself
 * (the charts) follows it; the server renders the light theme, redrawn once the page is hydrated.
 */
import { useSyncExternalStore } from "react";

function sombre(): boolean {
  return document.documentElement.getAttribute("data-fr-theme") === "dark";
}

function abonner(changement: () => void): () => void {
  const observateur = new MutationObserver(changement);
  observateur.observe(document.documentElement, { attributes: true, attributeFilter: ["data-fr-theme"] });
  return () => observateur.disconnect();
}

/** Whether the dark theme is on (false on the server, which draws the light one). */
export function useThemeSombre(): boolean {
  return useSyncExternalStore(abonner, sombre, () => false);
}
