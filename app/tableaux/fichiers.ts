/**
 * What a dashboard's downloads say of their figures: the tables of `/tableau.csv` (ressources.server.ts) and the
 * charts' CSV and XLSX (app/components/Chart.tsx). As the national exports do (app/exports/export.server.ts), a
 * download names what it counts — in its file name, and in its content: a « Filtres » column on every row, and in an
 * XLSX a « Paramètres » sheet. What it counts is the territory, organisme or formation shown, bounded by the viewer's
 * scope (a DREETS's « / » is its région, not France), on a day, with the page's filters.
 *
 * - File names: "region-84-niveau-5-2026-03" (then the table or chart: "-organismes", "-serie-24-mois"); "national"
 *   only for figures of all France. A page of an organisme or a formation is named by its public code (SIRET or UAI,
 *   CFD or RNCP), never by a database id (decision 020).
 * - Content: « Périmètre : Auvergne-Rhône-Alpes · Date : 31/03/2026 · Niveau : 5 (BTS, DUT…) », the filters as
 *   the page's tags name them.
 * The scope is said when it bounds the figures beyond the page's subject: on the national and formation pages, and
 * on a territory's or an organisme's page for a réseau's or an organisme's scope (a territorial scope holds every
 * territory and organisme page it may see). Decision 034. Pure, browser-safe.
 */
import { filtresEnNomDeFichier, type IndicateursFilters } from "../indicateurs/filters";
import { segmentFichier } from "../shared/nom-de-fichier";
import { formatDate } from "../ui/format";
import type { FichiersDeLaPage, ParametreFichier } from "./types";
import type { Vue } from "./vues";

/** The viewer's scope, when it is not national: its kind, its code (a réseau: its name) and its French name. */
export interface PerimetreFichiers {
  kind: "region" | "departement" | "academie" | "reseau" | "organisme";
  code: string;
  libelle: string;
}

export interface PageDesFichiers {
  vue: Vue;
  /** The page's title: the territory's, the organisme's or the formation's name. */
  titre: string;
  /** The page's subject as filters of another page (InfoVue.filtre): the organisme's SIRET or UAI, the formation's CFD or RNCP. */
  filtre: Record<string, string>;
  /** The scope of the figures (the viewer's; null: all France, the public's figures included). */
  perimetre: PerimetreFichiers | null;
  filtres: IndicateursFilters;
  /** The filters in French, as the page's tags name them. */
  libellesFiltres: readonly ParametreFichier[];
  /** "AAAA-MM" */
  mois: string;
  /** The day counted, "AAAA-MM-JJ". */
  date: string;
}

const NOM_NIVEAU = { region: "Région", departement: "Département", academie: "Académie" } as const;
const TERRITORIAL = new Set(["region", "departement", "academie"]);

/** Whether the scope bounds the figures beyond the page's subject (see the module's comment). */
function perimetreDit(p: PageDesFichiers): p is PageDesFichiers & { perimetre: PerimetreFichiers } {
  const s = p.perimetre;
  if (!s) return false;
  switch (p.vue.kind) {
    case "national":
    case "formation":
      return true;
    case "organisme":
      return s.kind !== "organisme";
    default:
      return !TERRITORIAL.has(s.kind);
  }
}

function segmentPerimetre(s: PerimetreFichiers): string {
  return TERRITORIAL.has(s.kind) ? `${s.kind}-${s.code}` : `perimetre-${segmentFichier(s.libelle).slice(0, 40).replace(/_+$/, "")}`;
}

/** "region-84": what the page counts, as a file name's piece. */
function sujet(p: PageDesFichiers): string {
  const v = p.vue;
  const code = () => segmentFichier(Object.values(p.filtre)[0] ?? "");
  const base =
    v.kind === "national"
      ? null
      : v.kind === "organisme" || v.kind === "formation"
        ? `${v.kind}-${code() || v.id}`
        : `${v.kind}-${segmentFichier(v.code)}`;
  const perimetre = perimetreDit(p) ? segmentPerimetre(p.perimetre) : null;
  return [base, perimetre].filter(Boolean).join("-") || "national";
}

/** The names and the « Filtres » of a page's downloads. */
export function fichiersDeLaPage(p: PageDesFichiers): FichiersDeLaPage {
  const v = p.vue;
  const parametres: ParametreFichier[] = [];
  const code = Object.values(p.filtre)[0];
  if (v.kind === "region" || v.kind === "departement" || v.kind === "academie") parametres.push({ nom: NOM_NIVEAU[v.kind], valeur: p.titre });
  if (v.kind === "organisme") parametres.push({ nom: "Organisme", valeur: code ? `${p.titre} (${code})` : p.titre });
  if (v.kind === "formation") parametres.push({ nom: "Formation", valeur: code ? `${p.titre} (${code})` : p.titre });
  if (perimetreDit(p)) parametres.push({ nom: "Périmètre", valeur: p.perimetre.libelle });
  else if (v.kind === "national" || v.kind === "formation") parametres.push({ nom: "Périmètre", valeur: "France entière" });
  parametres.push({ nom: "Date", valeur: formatDate(p.date) });
  parametres.push(...p.libellesFiltres.map((f) => ({ nom: f.nom, valeur: f.valeur })));
  const filtres = filtresEnNomDeFichier(p.filtres, 100);
  return { nom: [sujet(p), filtres, p.mois].filter(Boolean).join("-"), parametres };
}
