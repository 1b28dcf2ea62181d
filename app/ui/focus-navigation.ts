/**
 * Keyboard and screen-reader users after an in-app navigation (a link followed, a form sent): the browser does not
 * reload the page, so nothing moves the focus nor announces the new content, and a disabled submit button drops the
 * focus to the body (the next Tab starts again at the top of the page).
 *
 * Once a navigation ends: the header's open menus are closed, then, if the focus was lost (on the body, or on an
 * element that left the page) or is in the header (a menu's link, which stays on the page), it goes after a form
 * sent to what the page says first: an error (its alert, else the field in error), else another alert (a result),
 * else the page's title; after a link, to the page's title (h1), else the main content. A focus still on an element (a sorted column, a filter restored by its form) is left there.
 *
 * A link may say where the focus goes once it is followed (`EtatFocus`, its location state): a list's pagination
 * sends it to the list's table, scrolled into view, so that the new rows are read and the next Tab goes through them
 * (the link followed stays at the bottom of the list, or disappears: "Page suivante" on the last page). A form may
 * too (an upload's preview updated sends it to the new preview), unless its answer holds an error, which goes first.
 */
import { useEffect, useRef } from "react";
import { useLocation, useNavigation, useNavigationType } from "@remix-run/react";

/** The field in error: marked by aria-invalid, or by DSFR's error class (fields drawn by hand or by react-dsfr outside app/ui/champs-dsfr.tsx). */
const CHAMP_EN_ERREUR = 'main [aria-invalid="true"], main .fr-input--error, main .fr-select--error';
// an error (an alert, a field in error) before any other alert: a success or information box left from an earlier
// answer (an import's result, a notice) must not take the focus from the field to correct
const APRES_FORMULAIRE = ['main [role="alert"]', "main .fr-alert--error", CHAMP_EN_ERREUR, "main .fr-alert", "main h1"];
const ERREUR = `main [role="alert"], main .fr-alert--error, ${CHAMP_EN_ERREUR}`;
const APRES_LIEN = ["main h1"];

/** The location state of a link that sends the focus to an element of the next page (its id). */
export interface EtatFocus {
  focus?: string;
}

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

/** Focuses an element that may not take the focus by itself (a title, a box), without showing it in the tab order. */
export function focaliser(cible: HTMLElement, options: FocusOptions = {}): void {
  if (!cible.matches("a[href], button, input, select, textarea, [tabindex]")) cible.setAttribute("tabindex", "-1");
  cible.focus(options);
}

/**
 * `cible`: the id of the element the link followed asked for (EtatFocus); the usual choice when it is not there.
 * `envoi`: a form sent to the server (POST): refused, its error takes the focus even from the button that sent it
 * (whether a button disabled while the form is sent has lost the focus or not depends on the browser's timing).
 */
export function focaliserApresNavigation(formulaire: boolean, cible?: string | null, envoi = false): void {
  // a link of the header (its menus, its quick access) stays on the page: the new page's title takes the focus
  const dansLEntete = document.activeElement?.closest("header") != null;
  fermerLesMenus();
  // a form's answer with an error: the error first, before the element its form asked for
  const demandee = cible && !(formulaire && document.querySelector(ERREUR)) ? document.getElementById(cible) : null;
  if (demandee) {
    focaliser(demandee, { preventScroll: true });
    demandee.scrollIntoView({ block: "start" });
    return;
  }
  const surSonBouton = envoi && document.activeElement?.matches('main button[type="submit"], main input[type="submit"]') && document.querySelector(ERREUR) !== null;
  if (!focusPerdu() && !dansLEntete && !surSonBouton) return;
  const choix =
    (formulaire ? APRES_FORMULAIRE : APRES_LIEN).map((s) => document.querySelector<HTMLElement>(s)).find((e): e is HTMLElement => e !== null) ?? document.getElementById("contenu");
  if (choix) focaliser(choix, { preventScroll: choix.tagName === "H1" });
}

/**
 * Calls `focaliserApresNavigation` each time a navigation (GET or form submission) ends, with the element its link
 * asked for (not on a return through the history: the browser puts the page back where it was).
 */
export function useFocusApresNavigation(): void {
  const { state, formMethod } = useNavigation();
  const location = useLocation();
  const type = useNavigationType();
  const cible = type === "POP" ? null : ((location.state as EtatFocus | null)?.focus ?? null);
  const precedent = useRef(state);
  const formulaire = useRef<string | null>(null);
  if (state !== "idle" && formMethod) formulaire.current = formMethod;
  useEffect(() => {
    const etait = precedent.current;
    precedent.current = state;
    if (state === "idle" && etait !== "idle") {
      focaliserApresNavigation(formulaire.current !== null, cible, formulaire.current !== null && formulaire.current.toUpperCase() !== "GET");
      formulaire.current = null;
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
}

/**
 * The props of a link of an error summary to its field: the field takes the focus (an anchor alone only scrolls to
 * it, and changing the address's hash would count as a navigation that sends the focus back to the summary).
 */
export function lienVersLeChamp(id: string): { href: string; onClick: (event: { preventDefault(): void }) => void } {
  return {
    href: `#${id}`,
    onClick: (event) => {
      const champ = document.getElementById(id);
      if (!champ) return;
      event.preventDefault();
      focaliser(champ, { preventScroll: true });
      champ.scrollIntoView({ block: "center" });
    },
  };
}
