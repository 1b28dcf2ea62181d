/**
 * The action of a page without a form: a POST (a form replayed, a robot) gets the page's error boundary, whose French
 * message for a 405 is describeRouteError's, and `Allow` (entry.server.tsx). Without it Remix answers the same status,
 * but its hydration data carry its own English message naming the route module.
 */
export function pageSansFormulaire(): never {
  throw new Response(null, { status: 405, statusText: "Method Not Allowed", headers: { Allow: "GET, HEAD" } });
}

/**
 * The answer of a read-only resource route (API v1, downloads, exports) to a POST, PUT, PATCH or DELETE: 405 with a
 * French message and `Allow`, instead of Remix's English "Unexpected Server Error". Routes export it as their action.
 */
export function lectureSeule(): Response {
  return new Response(
    JSON.stringify({ erreur: "Méthode non permise : cette adresse se lit seulement (GET), elle ne reçoit pas de données." }),
    { status: 405, headers: { "Content-Type": "application/json; charset=utf-8", Allow: "GET, HEAD", "Cache-Control": "no-store" } },
  );
}
