/**
 * An address that no page serves: a French 404 inside the site's layout. Without this route Remix answers before
 * running the root loader, and the page lost the signed-in user's header (its menus, « Se déconnecter »). Any
 * method: an unknown address is unknown whatever is sent to it. The API's unknown addresses have their JSON 404
 * (api.$.tsx).
 */
import type { MetaFunction } from "@remix-run/node";
import { titrePage } from "~/ui/erreur";

function introuvable(): never {
  throw new Response("La page demandée n'existe pas. Vérifiez l'adresse, ou repartez du menu.", { status: 404 });
}

export const loader = async () => introuvable();
export const action = async () => introuvable();
export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Page non trouvée", error) }];

export default function PageInconnue() {
  return null;
}
