/**
 * Keyboard and screen-reader users after an in-app navigation (a link followed, a form sent): the browser does not
 * reload the page, so nothing moves the focus nor announces the new content, and a disabled submit button drops the
 * focus to the body (the next Tab starts again at the top of the page).
 *
 * Once a navigation ends: the header's open menus are closed, then, if the focus was lost (on the body, or on an
 * element that left the page) or is in the header (a menu's link, which stays on the page), it goes after a form sent to what the page says first: an alert (an error or a
 * result), else the field in error, else the page's title; after a link, to the page's title (h1), else the main
 * content. A focus still on an element (a sorted column, a "page suivante" link, a filter restored by its form) is
 * left there.
 */
import { useEffect, useRef } from "react";
import { useNavigation } from "@remix-run/react";

/** The field in error: marked by aria-invalid, or by DSFR's error class (react-dsfr's inputs set no aria-invalid). */
const CHAMP_EN_ERREUR = 'main [aria-invalid="true"], main .fr-input--error, main .fr-select--error';
const APRES_FORMULAIRE = ['main [role="alert"]', "main .fr-alert", CHAMP_EN_ERREUR, "main h1"];
const APRES_LIEN = ["main h1"];

type DsfrApi = (element: Element) => { collapse?: { conceal?: () => void } } | undefined;

function fermerLesMenus(): void {
  const dsfr = (window as unknown as { dsfr?: DsfrApi }).dsfr;
  for (const bouton of document.querySelectorAll<HTMLElement>('#fr-header-main-navigation [aria-expanded="true"][aria-controls]')) {
    const menu = document.getElementById(bouton.getAttribute("aria-controls") ?? "");
    if (menu && dsfr) dsfr(menu)?.collapse?.conceal?.();
  }
}

function focusPerdu(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

export function focaliserApresNavigation(formulaire: boolean): void {
  // a link of the header (its menus, its quick access) stays on the page: the new page's title takes the focus
  const dansLEntete = document.activeElement?.closest("header") != null;
  fermerLesMenus();
  if (!focusPerdu() && !dansLEntete) return;
  const cible =
    (formulaire ? APRES_FORMULAIRE : APRES_LIEN).map((s) => document.querySelector<HTMLElement>(s)).find((e): e is HTMLElement => e !== null) ?? document.getElementById("contenu");
  if (!cible) return;
  if (!cible.matches("a[href], button, input, select, textarea, [tabindex]")) cible.setAttribute("tabindex", "-1");
  cible.focus({ preventScroll: cible.tagName === "H1" });
}

/** Calls `focaliserApresNavigation` each time a navigation (GET or form submission) ends. */
export function useFocusApresNavigation(): void {
  const { state, formMethod } = useNavigation();
  const precedent = useRef(state);
  const formulaire = useRef(false);
  if (state !== "idle" && formMethod) formulaire.current = true;
  useEffect(() => {
    const etait = precedent.current;
    precedent.current = state;
    if (state === "idle" && etait !== "idle") {
      focaliserApresNavigation(formulaire.current);
      formulaire.current = false;
    }
  }, [state]);
}
