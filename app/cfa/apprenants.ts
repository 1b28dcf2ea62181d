/**
 * The learners' list of a CFA (issue 7, item 4): its URL parameters, labels and dropout signals. Pure,
 * browser-safe: the route parses with `parseFiltresApprenants`, the server module builds the SQL.
 */
import { jourJjMmAaaa } from "../shared/csv";
import { anneesScolairesComptees } from "../statut/annee-scolaire";
import type { Statut } from "../statut/engine";
import { ETAT, ETATS_INSCRIT, ETATS_RUPTURANT, statutOfEtat, type Etat } from "../indicateurs/etats";
import type { Motif } from "../components/echarts";
import { formatDate } from "../ui/format";

export const STATUTS_APPRENANT: readonly Statut[] = ["APPRENTI", "INSCRIT", "RUPTURANT", "ABANDON", "FIN_DE_FORMATION"];

export const LIBELLES_STATUT: Record<Statut, string> = {
  APPRENTI: "Apprenti",
  INSCRIT: "Inscrit sans contrat",
  RUPTURANT: "Rupturant",
  ABANDON: "Abandon",
  FIN_DE_FORMATION: "Fin de formation",
};

/** DSFR badge of a statut. */
export const BADGES_STATUT: Record<Statut, string> = {
  APPRENTI: "fr-badge--success",
  INSCRIT: "fr-badge--info",
  RUPTURANT: "fr-badge--warning",
  ABANDON: "fr-badge--error",
  FIN_DE_FORMATION: "fr-badge--purple-glycine",
};

/**
 * Colour of a statut in every chart (a learner's parcours, the dashboards' series and dropout bars): the DSFR colour of
 * its badge, so that a statut looks the same wherever it is shown. Each one keeps a contrast of 3:1 at least against
 * the background of both DSFR themes, light (#ffffff) and dark (#161616) (WCAG 1.4.11): the charts keep their colours
 * in the dark theme. Hence the glycine family's main colour (purple-glycine-main-494) for the end of training, not
 * its badge's text colour (purple-glycine-sun-319, #6e445a: 2.27:1 on the dark background).
 */
export const COULEURS_STATUT: Record<Statut, string> = {
  APPRENTI: "#18753c",
  INSCRIT: "#0063cb",
  RUPTURANT: "#b34000",
  ABANDON: "#ce0500",
  FIN_DE_FORMATION: "#a558a0",
};

/**
 * Pattern of a statut in every chart (app/components/echarts.ts MOTIFS), besides its colour: the statuts' colours have
 * the same lightness, and a colour alone says nothing to a colour-blind reader nor on a grey print.
 */
export const MOTIFS_STATUT: Record<Statut, Motif> = {
  APPRENTI: "uni",
  INSCRIT: "points",
  RUPTURANT: "rayures",
  ABANDON: "croisillons",
  FIN_DE_FORMATION: "lignes",
};

/** Dropout signals at the date (domain.md, "Dropout signals users act on"), by état (app/indicateurs/etats.ts). */
export const SIGNAUX = {
  rupturant_moins_45j: { libelle: "Rupturant depuis moins de 45 jours", etats: [ETAT.RUPTURANT_1_44] },
  rupturant_45_90j: { libelle: "Rupturant depuis 45 à 89 jours", etats: [ETAT.RUPTURANT_45_89] },
  rupturant_90_180j: { libelle: "Rupturant depuis 90 à 180 jours", etats: [ETAT.RUPTURANT_90_180] },
  sans_contrat_30j: { libelle: "Sans contrat depuis 30 jours ou moins", etats: [ETAT.INSCRIT_1_30] },
  sans_contrat_60j: { libelle: "Sans contrat depuis 60 jours ou moins", etats: [ETAT.INSCRIT_1_30, ETAT.INSCRIT_31_60] },
  sans_contrat_90j: { libelle: "Sans contrat depuis 90 jours ou moins", etats: ETATS_INSCRIT },
  a_risque: { libelle: "À risque (sans contrat, mineur ou RQTH)", etats: [...ETATS_INSCRIT, ...ETATS_RUPTURANT] },
  abandon: { libelle: "Abandon", etats: [ETAT.ABANDON] },
} as const satisfies Record<string, { libelle: string; etats: readonly number[] }>;

export type Signal = keyof typeof SIGNAUX;
export const SIGNAL_KEYS = Object.keys(SIGNAUX) as Signal[];

export const TRIS_APPRENANTS = ["nom", "naissance", "formation", "annee", "statut", "entree", "maj"] as const;
export type TriApprenants = (typeof TRIS_APPRENANTS)[number];

export const TAILLES_PAGE = [25, 50, 100] as const;

/**
 * The list's « Année scolaire » value meaning "the années scolaires the counters count at the list's date" (domain.md:
 * the date's school year and "Y-Y" of its calendar year): the learners of the home's counters, no past year's dossier
 * whose last statut lasts after its end of training.
 */
export const ANNEES_COMPTEES = "comptees";

/**
 * « 2025-2026 et 2026-2026 (année civile 2026) »: the années scolaires counted at a date, the calendar-year one said in
 * words (CFA staff don't write "2026-2026" themselves: it is the année scolaire of formations that follow the calendar).
 */
export function anneesCompteesEnMots(date: string): string {
  const [scolaire, civile] = anneesScolairesComptees(date);
  return `${scolaire} et ${civile} (année civile ${civile.slice(0, 4)})`;
}

/** « Comptées au 15/03/2026 : 2025-2026 et 2026-2026 (année civile 2026) »: the option of `ANNEES_COMPTEES` at a date. */
export function libelleAnneesComptees(date: string): string {
  return `Comptées au ${formatDate(date)} : ${anneesCompteesEnMots(date)}`;
}

export interface FiltresApprenants {
  q?: string;
  /** "YYYY-MM-DD": the date of the statut and signals. */
  date: string;
  statut?: Statut;
  signal?: Signal;
  /** CFD or RNCP code sent by the ERP; "aucun" = without code. */
  formation?: string;
  /** "YYYY-YYYY", or `ANNEES_COMPTEES`: the années scolaires counted at `date`. */
  anneeScolaire?: string;
  anneeFormation?: number;
  /** Organisme formateur id (a responsable's space). */
  formateur?: number;
  tri: TriApprenants;
  ordre: "asc" | "desc";
  page: number;
  limit: number;
}

/** The dates a statut can be computed at (the list's « Statut au »). */
export const DATE_STATUT_MIN = "2000-01-01";
export const DATE_STATUT_MAX = "2100-12-31";

/**
 * The day a date parameter names, "YYYY-MM-DD": written AAAA-MM-JJ (the date field of the form) or jj/mm/aaaa (as
 * the pages and the exports print it, as a user types it); null unless it is a real calendar day (30/02 is not).
 */
export function jourDuParametre(value: string): string | null {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : (jourJjMmAaaa(value)?.date ?? null);
  if (iso === null) return null;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

export interface OptionsFiltresApprenants {
  /**
   * The last day the date may be ("YYYY-MM-DD"), e.g. today for the territories' named lists, which say who is in a
   * situation, not who will be; absent: up to DATE_STATUT_MAX (a CFA looks ahead at its own learners).
   */
  dateMax?: string;
  /** The label of the form's date field, which its messages start with ("Situation au" for the named lists). */
  libelleDate?: string;
}

/**
 * Parses the list's URL parameters; invalid values are dropped and reported in French. `erreurDate`: the message
 * about the date, also shown under its field (its label first: "Statut au : …").
 */
export function parseFiltresApprenants(
  params: URLSearchParams,
  today: string,
  options: OptionsFiltresApprenants = {},
): { filtres: FiltresApprenants; erreurs: string[]; erreurDate?: string } {
  const erreurs: string[] = [];
  const libelleDate = options.libelleDate ?? "Statut au";
  let erreurDate: string | undefined;
  const get = (k: string) => params.get(k)?.trim() ?? "";
  const filtres: FiltresApprenants = { date: today, tri: "nom", ordre: "asc", page: 1, limit: 25 };
  const q = get("q");
  if (q) filtres.q = q.slice(0, 100);
  const date = get("date");
  if (date) {
    const jour = jourDuParametre(date);
    if (jour === null) {
      erreurDate = `${libelleDate} : « ${date.slice(0, 20)} » n'est pas une date valide : saisissez un jour du calendrier au format jj/mm/aaaa (par exemple 31/03/2025) ou aaaa-mm-jj (2025-03-31).`;
    } else if (jour < DATE_STATUT_MIN || jour > DATE_STATUT_MAX) {
      erreurDate = `${libelleDate} : la date doit être comprise entre le ${formatDate(DATE_STATUT_MIN)} et le ${formatDate(DATE_STATUT_MAX)} (${formatDate(jour)} est hors de cette période).`;
    } else if (options.dateMax && jour > options.dateMax) {
      erreurDate =
        `${libelleDate} : le ${formatDate(jour)} est dans le futur ; la liste dit qui est dans cette situation, pas qui le sera : choisissez une date ` +
        `passée ou aujourd'hui (le ${formatDate(options.dateMax)} au plus tard).`;
    } else filtres.date = jour;
    if (erreurDate) erreurs.push(erreurDate);
  }
  const statut = get("statut");
  if (statut) {
    if ((STATUTS_APPRENANT as readonly string[]).includes(statut)) filtres.statut = statut as Statut;
    else erreurs.push("Statut inconnu : choisissez-en un dans la liste.");
  }
  const signal = get("signal");
  if (signal) {
    if ((SIGNAL_KEYS as string[]).includes(signal)) filtres.signal = signal as Signal;
    else erreurs.push("Signal de décrochage inconnu : choisissez-en un dans la liste.");
  }
  const formation = get("formation");
  if (formation) {
    if (formation === "aucun" || /^[0-9A-Z]{8}$/.test(formation) || /^RNCP[0-9]{2,5}$/.test(formation)) filtres.formation = formation;
    else erreurs.push("Formation inconnue : choisissez-la dans la liste.");
  }
  const annee = get("annee");
  if (annee) {
    const m = /^(\d{4})-(\d{4})$/.exec(annee);
    if (annee === ANNEES_COMPTEES || (m && (Number(m[2]) === Number(m[1]) || Number(m[2]) === Number(m[1]) + 1))) filtres.anneeScolaire = annee;
    else erreurs.push("L'année scolaire doit s'écrire AAAA-AAAA (ex. 2024-2025), ou « comptees » pour les années comptées à la date du statut.");
  }
  const anneeFormation = get("annee_formation");
  if (anneeFormation) {
    if (/^[0-5]$/.test(anneeFormation)) filtres.anneeFormation = Number(anneeFormation);
    else erreurs.push("L'année de formation doit être comprise entre 0 et 5.");
  }
  const formateur = get("formateur");
  if (formateur) {
    if (/^[1-9][0-9]{0,8}$/.test(formateur)) filtres.formateur = Number(formateur);
    else erreurs.push("Organisme formateur inconnu : choisissez-le dans la liste.");
  }
  const tri = get("tri");
  if (tri && (TRIS_APPRENANTS as readonly string[]).includes(tri)) filtres.tri = tri as TriApprenants;
  if (get("ordre") === "desc") filtres.ordre = "desc";
  const page = get("page");
  if (/^[1-9][0-9]{0,5}$/.test(page)) filtres.page = Number(page);
  const limit = Number(get("limit"));
  if ((TAILLES_PAGE as readonly number[]).includes(limit)) filtres.limit = limit;
  return { filtres, erreurs, erreurDate };
}

/** The filters that narrow the list (for the audit log and the export), without paging and sorting. */
export function filtresPourJournal(f: FiltresApprenants): Record<string, string | number> {
  const out: Record<string, string | number> = { date: f.date };
  if (f.q) out.q = f.q;
  if (f.statut) out.statut = f.statut;
  if (f.signal) out.signal = f.signal;
  if (f.formation) out.formation = f.formation;
  if (f.anneeScolaire) out.annee = f.anneeScolaire;
  if (f.anneeFormation !== undefined) out.annee_formation = f.anneeFormation;
  if (f.formateur) out.formateur = f.formateur;
  return out;
}

/** The dropout signal shown for a learner at the date (état of its period covering the date). */
export function libelleSignal(etat: number | null, joursSansContrat: number | null, aRisque: boolean): string | null {
  if (etat === null) return null;
  const jours = joursSansContrat === null ? "" : ` depuis ${joursSansContrat} jour${joursSansContrat > 1 ? "s" : ""}`;
  let texte: string | null = null;
  const statut = statutOfEtat(etat as Etat);
  if (statut === "INSCRIT") texte = `Sans contrat${jours}`;
  else if (statut === "RUPTURANT") texte = `Rupturant${jours}`;
  else if (statut === "ABANDON") texte = "Abandon";
  if (texte && aRisque) texte += " · à risque";
  return texte;
}
