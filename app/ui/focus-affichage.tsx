/**
 * The "Paramètres d'affichage" dialog (react-dsfr's Display, opened from the header's quick access and from the
 * footer) gives the focus back to the button that opened it when it closes (Escape, "Fermer", a click on the
 * backdrop). DSFR does not: on Escape it focuses the dialog's first control button, which is react-dsfr's hidden one
 * (display: none: the focus is lost to the page's body), and on "Fermer" it leaves the focus in the closed dialog.
 *
 * The opener is remembered when the dialog opens (the button clicked, else the focused element) and focused once
 * DSFR is done: react-dsfr's `useIsModalOpen` calls `onConceal` in a new task after the dialog's `dsfr.conceal`
 * event, so after DSFR's own focus move. An opener hidden meanwhile (the header's quick access inside the mobile
 * menu, closed when the dialog opened) gives way to the visible button that opens what hides it (the menu's button).
 */
import { useEffect, useRef } from "react";
import { useIsModalOpen } from "@codegouvfr/react-dsfr/Modal/useIsModalOpen";

/** The id react-dsfr's Display gives its modal (Display/Display.js, `createModal`). */
const MODALE_AFFICHAGE = "fr-theme-modal";

/** Whether an element is rendered (not display: none, nor in a hidden ancestor, nor visibility: hidden). */
export function estVisible(element: Element): boolean {
  return element.checkVisibility ? element.checkVisibility({ visibilityProperty: true }) : element.getClientRects().length > 0;
}

/** The element to focus for this opener: itself when visible, else the visible button of the modal that hides it. */
function cibleVisible(ouvreur: HTMLElement | null): HTMLElement | null {
  let cible = ouvreur;
  while (cible && cible.isConnected && !estVisible(cible)) {
    const modale = cible.closest<HTMLElement>(".fr-modal[id]");
    if (!modale) return null;
    cible = [...document.querySelectorAll<HTMLElement>(`[aria-controls="${CSS.escape(modale.id)}"]`)].find((b) => !modale.contains(b) && estVisible(b)) ?? null;
  }
  return cible && cible.isConnected ? cible : null;
}

/** Gives the focus back to the opener of the modal `id` when it closes (rendered once, in the root layout). */
export function RetourDuFocus({ id = MODALE_AFFICHAGE }: { id?: string }) {
  const clique = useRef<HTMLElement | null>(null);
  const ouvreur = useRef<HTMLElement | null>(null);
  useEffect(() => {
    // capture: before DSFR's own handler on the button opens the dialog (Enter and Space on a button are clicks too)
    const surClic = (event: MouseEvent) => {
      const bouton = event.target instanceof Element ? event.target.closest<HTMLElement>(`[aria-controls="${CSS.escape(id)}"]`) : null;
      if (bouton && !bouton.closest(`#${CSS.escape(id)}`)) clique.current = bouton;
    };
    document.addEventListener("click", surClic, true);
    return () => document.removeEventListener("click", surClic, true);
  }, [id]);
  useIsModalOpen(
    { id, isOpenedByDefault: false },
    {
      onDisclose: () => {
        const actif = document.activeElement;
        const focalise = actif instanceof HTMLElement && actif !== document.body && !actif.closest(`#${CSS.escape(id)}`) ? actif : null;
        ouvreur.current = clique.current ?? focalise;
        clique.current = null;
      },
      onConceal: () => {
        const cible = cibleVisible(ouvreur.current);
        ouvreur.current = null;
        // closed because another dialog opened: the focus stays in that one
        if (document.activeElement?.closest("dialog[open], .fr-modal--opened")) return;
        cible?.focus();
      },
    },
  );
  return null;
}
