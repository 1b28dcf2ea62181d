/**
 * What a dashboard page receives from its loader (page.server.ts), already masked for the public: every count is
 * a `Nombre` (a number, or "< 5" when the policy masks it). Browser-safe types only.
 */
import type { IndicateursFilters } from "../indicateurs/filters";
import type { ColonneCompte, TriTable, Vue } from "./vues";

/** A count as the viewer may see it: a number, or "< 5" (public, small counts). */
export type Nombre = number | `< ${number}`;

export type Comptes = Record<ColonneCompte, Nombre>;

export interface Comparaison {
  /** The day compared with ("YYYY-MM-DD"). */
  date: string;
  valeur: Nombre;
  /** valeur − comparée; null when either is masked. */
  ecart: number | null;
  /** ecart / comparée; null when masked or when the compared value is 0. */
  ratio: number | null;
}

export interface ChiffreCle {
  cle: ColonneCompte;
  valeur: Nombre;
  moisPrecedent: Comparaison;
  anneePrecedente: Comparaison;
}

export interface PointSerie {
  mois: string;
  date: string;
  apprentis: Nombre;
  inscritsSansContrat: Nombre;
  rupturants: Nombre;
}

export interface LigneCarte {
  code: string;
  nom: string;
  valeur: Nombre;
}

export interface LigneTaux {
  code: string;
  nom: string;
  /** numerateur / denominateur in [0, 1]; null when unknown or masked. */
  taux: number | null;
  numerateur: Nombre;
  denominateur: Nombre;
}

export type NiveauCarte = "departement" | "region";

export interface CartesTerritoriales {
  niveau: NiveauCarte;
  /** "page": the page's figures; "national": every région with the same filters (the public's context). */
  contexte: "page" | "national";
  apprenants: LigneCarte[];
  /** Rupturants / (apprentis + rupturants). */
  tauxRupture: LigneTaux[];
}

export interface LigneNiveau {
  code: string | null;
  libelle: string;
  apprentis: Nombre;
  inscritsSansContrat: Nombre;
  rupturants: Nombre;
}

export interface LigneOrganisme {
  id: number | null;
  libelle: string;
  siret: string | null;
  uai: string | null;
  comptes: Comptes;
}

export interface LigneFormation {
  id: number | null;
  libelle: string;
  cfd: string | null;
  rncp: string | null;
  comptes: Comptes;
}

export interface TableTriee<L> {
  lignes: L[];
  /** Lines in the whole table. */
  total: number;
  page: number;
  pages: number;
  tri: TriTable;
  ordre: "asc" | "desc";
}

export interface Decrochage {
  rupturants: Nombre;
  rupturantsParDuree: { moins45j: Nombre; de45a89j: Nombre; de90a180j: Nombre };
  inscritsSansContrat: Nombre;
  /** Cumulative, as in domain.md: ≤ 30, ≤ 60, ≤ 90 days. */
  sansContratParDuree: { jusqua30j: Nombre; jusqua60j: Nombre; jusqua90j: Nombre };
  aRisque: Nombre;
  tauxRupture: number | null;
}

export type Fraicheur = "recente" | "vieillissante" | "ancienne" | "jamais";

export interface CouvertureData {
  organismes: Nombre;
  transmis: Nombre;
  taux: number | null;
  fraicheur: Record<Fraicheur, Nombre>;
  /** The day freshness is measured at (ISO date; at its end, or now when it is today). */
  date: string;
  carte: { niveau: NiveauCarte; contexte: "page" | "national"; lignes: LigneTaux[] } | null;
}

export interface Resultat {
  /** Small counts are masked (public). */
  masque: boolean;
  seuil: number;
  /** No effectif counted at the date. */
  vide: boolean;
  /** When `vide`: the filters that exclude every effectif, and why (French, naming the parameter); [] otherwise. */
  pourquoiVide: string[];
  chiffres: ChiffreCle[];
  serie: PointSerie[];
  /** Maps of apprenants and of the rupture rate: départements, and régions on national pages. */
  cartes: CartesTerritoriales[];
  niveaux: LigneNiveau[];
  /** Signed-in viewers only (figures by organisme are not public). */
  organismes: TableTriee<LigneOrganisme> | null;
  /** Not on a formation's page. */
  formations: TableTriee<LigneFormation> | null;
  decrochage: Decrochage;
  couverture: CouvertureData;
}

export interface LienFil {
  libelle: string;
  href: string;
}

export interface InfoVue {
  vue: Vue;
  chemin: string;
  /** Small heading above the title ("Région", "Organisme de formation"…). */
  surtitre: string;
  titre: string;
  sousTitre: string | null;
  filAriane: LienFil[];
  /** On "/", for a viewer whose scope is not national: what the figures cover. */
  perimetre: string | null;
  /**
   * The page's own subject as filters of another page (URL parameter → value): its territory (`region` → "84"), its
   * organisme (`organisme` → its SIRET), its formation (`cfd` → its code); {} on the national page. The links to the
   * other dashboards carry it (liens.ts): the figure clicked is the one of the page reached.
   */
  filtre: Record<string, string>;
}

export interface OptionTerritoire {
  value: string;
  label: string;
  /** "Plusieurs": the territory filters of the address when there are several (kept by the next submission). */
  groupe: "France" | "Plusieurs" | "Régions" | "Académies" | "Départements";
}

export interface Etiquette {
  libelle: string;
  /** The page without this filter. */
  href: string;
}

export interface Panneau {
  mois: string;
  moisMax: string;
  /** null: no territory field (organisme page). */
  territoires: OptionTerritoire[] | null;
  territoire: string;
  reseaux: string[] | null;
  /** The CFA search field (signed-in viewers, not on an organisme page). */
  cfa: boolean;
  /** The RQTH field (signed-in viewers: policy canFilterOnRqth). */
  rqth: boolean;
  /** The formation search field (not on a formation page). */
  formation: boolean;
  /** The text of each search field that did not resolve (kept in the field), and why when it found nothing. */
  recherches: Record<"cfa" | "formation", SaisieRecherche>;
  filtres: IndicateursFilters;
  /** Hidden inputs: filters set by URL or by a search that have no field of their own. */
  conserves: [string, string][];
  etiquettes: Etiquette[];
  reinitialiser: string;
}

export interface SaisieRecherche {
  valeur: string;
  /** French, shown under the field: "Aucune formation du catalogue ne correspond à « … »." */
  erreur: string | null;
  /** Several matched: the page lists them to choose from (`Choix`, #choix-recherche), which describes the field. */
  choix?: boolean;
}

export interface Choix {
  titre: string;
  options: { libelle: string; detail: string; href: string }[];
}

/** How a click on a territory drills down: to its page, as a filter of this page, or not at all. */
export type ModeLiens = "page" | "filtre" | "aucun";

/** A line of what a download says of its figures: "Périmètre" → "Auvergne-Rhône-Alpes", "Niveau" → "5 (BTS…)". */
export interface ParametreFichier {
  nom: string;
  valeur: string;
}

/** What the page's downloads say of their figures (fichiers.ts). */
export interface FichiersDeLaPage {
  /** The start of their names: what is counted, the filters, the month ("region-84-niveau-5-2026-03"). */
  nom: string;
  /** Their « Filtres » column and « Paramètres » sheet: the territory or subject, the scope, the day, the filters. */
  parametres: ParametreFichier[];
}

export interface TableauPage {
  info: InfoVue;
  panneau: Panneau;
  mois: string;
  /** The day counted ("YYYY-MM-DD"): the month's last day, or today for the current month. */
  date: string;
  aujourdhui: string;
  /** The current query string ("?…" or ""), for links. */
  recherche: string;
  liens: ModeLiens;
  /**
   * Set when a signed-in user is shown the public page (masked figures): the notice saying why — the territory asked
   * is outside its organisation's scope (policy viewerOfAggregates), or it asked the public figures of all France
   * (`votrePerimetre` is then set; the JSON tells the two apart). null otherwise.
   */
  horsPerimetre: string | null;
  /**
   * For a signed-in viewer whose scope is not national, on the national or a formation page: the address of this page's
   * public figures of all France (`perimetre=france`, decision 037). null otherwise, and once they are shown.
   */
  franceEntiere: string | null;
  /** Shown the public figures of all France at its request: the address of this page in the viewer's own scope. */
  votrePerimetre: string | null;
  /** The named lists behind the dropout figures, at the page's date and on its territory (empty when not allowed). */
  listes: { titre: string; href: string }[];
  erreurs: string[];
  choix: Choix | null;
  resultat: Resultat | null;
  /** What the page's downloads (tables' CSV, charts' CSV and XLSX) say of their figures. */
  fichiers: FichiersDeLaPage;
}
