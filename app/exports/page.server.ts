/**
 * The data of the /exports page: the form's values, its errors, and a preview when asked (`apercu=1`, or any
 * répartition). It reads the same parameters as the download (lireExport), which sends a refused request back here.
 */
import { data } from "@remix-run/node";
import type { Database } from "../../db/client.server";
import { reseauxConnus, territoiresOptions } from "../referentiel/repertoire.server";
import { todayIso } from "../statut/annee-scolaire";
import { requireEquipeNationale } from "../auth/policy.server";
import { apercuExport, champsDuMessage, lireExport, urlExport } from "./export.server";

const FILTRES_FORMULAIRE = ["region", "academie", "departement", "reseau", "nature", "organisme", "niveau", "cfd", "rncp", "age", "sexe", "rqth"] as const;

export interface PageExports {
  saisie: ReturnType<typeof lireExport>["saisie"];
  filtres: Record<(typeof FILTRES_FORMULAIRE)[number], string>;
  erreurs: string[];
  /** The form's fields (by parameter) each message of `erreurs` is about, in the same order. */
  champsDesErreurs: string[][];
  apercu: Awaited<ReturnType<typeof apercuExport>> | null;
  telechargement: string | null;
  territoires: Awaited<ReturnType<typeof territoiresOptions>>;
  reseaux: string[];
  aujourdhui: string;
}

export async function chargerPageExports(request: Request, database: Database) {
  const viewer = await requireEquipeNationale(request, database);
  const params = new URL(request.url).searchParams;
  const today = todayIso();
  const demande = params.has("apercu") || params.has("repartition");
  const lu = lireExport(params, today);
  if (!demande && lu.saisie.repartitions.length === 0) lu.saisie.repartitions = ["region"];
  const filtres = Object.fromEntries(FILTRES_FORMULAIRE.map((k) => [k, params.getAll(k).join(",")])) as Record<(typeof FILTRES_FORMULAIRE)[number], string>;
  const [territoires, reseaux, apercu] = await Promise.all([
    territoiresOptions(database),
    reseauxConnus(database, viewer),
    demande && lu.valeur ? apercuExport(database, viewer, lu.valeur, today) : Promise.resolve(null),
  ]);
  // French order ("Île-de-France" among the I, not after "Provence…"): the database sorts by code points.
  const parNom = <T extends { nom: string }>(l: T[]) => [...l].sort((a, b) => a.nom.localeCompare(b.nom, "fr"));
  territoires.regions = parNom(territoires.regions);
  territoires.academies = parNom(territoires.academies);
  reseaux.sort((a, b) => a.localeCompare(b, "fr"));
  const erreurs = demande ? lu.erreurs : [];
  const page: PageExports = {
    saisie: lu.saisie,
    filtres,
    erreurs,
    champsDesErreurs: erreurs.map(champsDuMessage),
    apercu,
    telechargement: lu.valeur ? urlExport(lu.valeur) : null,
    territoires,
    reseaux,
    aujourdhui: today,
  };
  return data(page, { status: erreurs.length ? 400 : 200, headers: { "Cache-Control": "private, no-store" } });
}
