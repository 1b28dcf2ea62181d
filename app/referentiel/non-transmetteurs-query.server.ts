/** Query parameters of the non-transmitting CFAs page and its exports. */
import { z } from "zod";
import { NATURES } from "../../db/schema";
import { STATUTS_TRANSMISSION } from "./labels";
import { pageParam, territoire } from "./filtres.server";

export const nonTransmetteursQuerySchema = z.object({
  statut: z.enum(STATUTS_TRANSMISSION, { error: "statut : « jamais » ou « arrete » attendu" }).optional(),
  region: territoire.region,
  departement: territoire.departement,
  academie: territoire.academie,
  nature: z.enum(NATURES, { error: "nature inconnue" }).optional(),
  reseau: z.string().trim().max(100, { error: "réseau : 100 caractères au plus" }).optional(),
  jours: z.coerce.number({ error: "nombre de jours attendu" }).int({ error: "nombre entier de jours attendu" }).min(7, { error: "7 jours au minimum" }).max(730, { error: "730 jours au maximum" }).default(90),
  page: pageParam,
});
