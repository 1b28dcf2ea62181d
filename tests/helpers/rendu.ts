/** Server rendering of React elements inside a router (links, maps that navigate on click), as a page is rendered. */
import { createElement, Fragment, type ReactElement } from "react";
import { renderToString } from "react-dom/server";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { vi } from "vitest";

export function renduServeur(element: ReactElement | ReactElement[], chemin = "/"): string {
  const enfants = Array.isArray(element) ? element : [element];
  const router = createMemoryRouter([{ path: "*", element: createElement(Fragment, null, ...enfants) }], { initialEntries: [chemin] });
  // react-router's links warn that their layout effect does not run on the server: nothing else is expected
  const erreur = vi.spyOn(console, "error").mockImplementation((message: unknown) => {
    if (!String(message).includes("useLayoutEffect does nothing on the server")) throw new Error(String(message));
  });
  try {
    return renderToString(createElement(RouterProvider, { router }));
  } finally {
    erreur.mockRestore();
  }
}
