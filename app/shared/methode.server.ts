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
