/**
 * Demo data generator: a France that looks real (organismes in every département, formations, three school years
 * of effectifs with their contracts), as plain row objects matching the drizzle schema.
 *
 * Pure and deterministic: no I/O, no clock, no Math.random. The territories are passed in (see
 * `loadDemoTerritories()` in seed.server.ts); the same seed + today + territories always give the same rows.
 * Organismes and formations are built in memory; effectifs are produced by a generator (`world.effectifs()` /
 * `world.effectifChunks(n)`) so millions of them never sit in memory at once. Each learner ("cycle") draws from
 * its own PRNG seeded by (seed, cycle number), so the stream does not depend on how it is chunked.
 */

import type {
  contrats as contratsTable,
  effectifStatutsErp as effectifStatutsErpTable,
  effectifs as effectifsTable,
  formations as formationsTable,
  organismeRelations as organismeRelationsTable,
  offresFormation as offresFormationTable,
  organismes as organismesTable,
} from "../../db/schema";
import { luhnCompletion, uaiCheckLetter } from "../referentiel/codes";
import { daysFromCivil, fromDay, toDay } from "../statut/days";
import { computeParcours, type ParcoursStep, type Statut } from "../statut/engine";

// ================================================================================================ public types

export interface DemoOptions {
  /** Number of effectif rows to produce (one row per learner and school year). */
  effectifs: number;
  seed: number;
  /** "YYYY-MM-DD": the demo's present; data is as known on that day. */
  today: string;
}

/** Structurally compatible with `TerritoryData` (readTerritoryData()), plus optional commune populations. */
export interface DemoTerritories {
  regions: { code: string; nom: string }[];
  departements: { code: string; nom: string; regionCode: string; academieCode: string }[];
  communes: {
    code: string;
    nom: string;
    departementCode: string;
    regionCode: string;
    academieCode: string;
    codesPostaux: string[];
    type: string;
  }[];
  /** Code commune INSEE → population; used to prefer big communes (all communes weigh the same without it). */
  populations?: Record<string, number>;
}

export type OrganismeRow = typeof organismesTable.$inferInsert & { id: number };
export type OrganismeRelationRow = typeof organismeRelationsTable.$inferInsert;
export type OffreFormationRow = typeof offresFormationTable.$inferInsert;
export type FormationRow = typeof formationsTable.$inferInsert & { id: number };
export type EffectifRow = typeof effectifsTable.$inferInsert & { id: number; parcours: ParcoursStep[] };
export type ContratRow = typeof contratsTable.$inferInsert & { id: number };
export type StatutErpRow = typeof effectifStatutsErpTable.$inferInsert & { id: number };

/** One effectif with its contracts and its ERP statut history. */
export interface EffectifBundle {
  effectif: EffectifRow;
  contrats: ContratRow[];
  statutsErp: StatutErpRow[];
}

export interface DemoWorld {
  options: DemoOptions;
  /** The three school years of the data, oldest first ("2024-2025", …). */
  anneesScolaires: string[];
  organismes: OrganismeRow[];
  relations: OrganismeRelationRow[];
  formations: FormationRow[];
  /** The catalogue's offer: each teaching CFA's formations at its own commune, and one of them at each of its lieux. */
  offres: OffreFormationRow[];
  /** Every effectif, in id order (ids 1..options.effectifs); restartable, deterministic. */
  effectifs(): Generator<EffectifBundle>;
  /** The same stream cut in arrays of `size` bundles. */
  effectifChunks(size?: number): Generator<EffectifBundle[]>;
}

// ================================================================================================ PRNG

/** mulberry32: tiny, fast, good enough for demo data. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two integers into a 32-bit seed (murmur3 finaliser). */
function mix(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul(b >>> 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

type Rng = () => number;

function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function normal(rng: Rng): number {
  const u = rng() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function digits(rng: Rng, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 10);
  return s;
}

/** Cumulative weights for `pickIndex`. */
function cumulative(weights: readonly number[]): Float64Array {
  const cum = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i] > 0 ? weights[i] : 0;
    cum[i] = total;
  }
  return cum;
}

function pickIndex(cum: Float64Array, u: number): number {
  const target = u * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function weighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of items) total += w;
  let u = rng() * total;
  for (const [item, w] of items) {
    u -= w;
    if (u < 0) return item;
  }
  return items[items.length - 1][0];
}

// ================================================================================================ dates

const day = daysFromCivil;

/** "YYYY-MM-DD" of a day number, from a table (the same few thousand dates are formatted millions of times). */
const ISO_BASE = daysFromCivil(1980, 1, 1);
const ISO_TABLE: string[] = [];
function iso(dayNumber: number): string {
  const i = dayNumber - ISO_BASE;
  if (i < 0 || i > 30_000) return fromDay(dayNumber);
  return (ISO_TABLE[i] ??= fromDay(dayNumber));
}

function yearOf(dayNumber: number): number {
  let y = Math.floor(dayNumber / 365.2425) + 1970;
  while (daysFromCivil(y, 1, 1) > dayNumber) y--;
  while (daysFromCivil(y + 1, 1, 1) <= dayNumber) y++;
  return y;
}

/** Start year of the school year (1 Aug → 31 Jul) containing the day. */
function schoolYearOf(dayNumber: number): number {
  const y = yearOf(dayNumber);
  return dayNumber >= daysFromCivil(y, 8, 1) ? y : y - 1;
}

function timestamp(dayNumber: number, minutesOfDay: number): Date {
  return new Date(dayNumber * 86_400_000 + minutesOfDay * 60_000);
}

// ================================================================================================ names

const PRENOMS_M = (
  "Lucas,Hugo,Louis,Gabriel,Arthur,Jules,Raphaël,Adam,Léo,Maël,Nathan,Tom,Noah,Ethan,Théo,Paul,Sacha,Mathis,Enzo," +
  "Maxime,Alexandre,Antoine,Thomas,Clément,Baptiste,Quentin,Romain,Nicolas,Julien,Kevin,Dylan,Florian,Valentin," +
  "Corentin,Benjamin,Alexis,Victor,Mathéo,Yanis,Rayan,Mohamed,Ilyes,Bilal,Mehdi,Amine,Ibrahim,Kylian,Evan,Noé," +
  "Timéo,Axel,Lenny,Loïc,Jordan,Anthony,Pierre,Simon,Martin,Samuel,Aurélien,Jérémy,Killian,Mattéo,Lorenzo,Esteban," +
  "Gaël,Tristan,Dorian,Bastien,Rémi,Damien,Adrien,Cyril,Sébastien,Jean,Marius,Nolan,Sami,Younes,Wassim,Moussa," +
  "Mamadou,Kenzo,Gabin,Aymeric,Erwan,Yann,Luca,Malo,Titouan,Elias,Ayoub,Issa,Rayane,Ismaël,Loris,Hamza"
).split(",");
const PRENOMS_F = (
  "Emma,Jade,Louise,Alice,Chloé,Léa,Manon,Camille,Inès,Sarah,Lina,Zoé,Lola,Juliette,Clara,Anna,Léna,Rose,Mila," +
  "Ambre,Eva,Julia,Lou,Romane,Agathe,Margaux,Pauline,Marie,Laura,Océane,Mathilde,Élise,Justine,Marine,Anaïs,Lucie," +
  "Charlotte,Morgane,Mélanie,Audrey,Amandine,Émilie,Coralie,Maëlys,Yasmine,Nour,Aya,Salomé,Maëlle,Noémie," +
  "Élodie,Clémence,Célia,Kenza,Assia,Fatoumata,Aïcha,Mariam,Shaïna,Naomi,Lisa,Mélissa,Cassandra,Alicia,Lilou," +
  "Capucine,Apolline,Gabrielle,Héloïse,Victoire,Constance,Ophélie,Estelle,Solène,Axelle,Tiphaine,Nina,Jeanne," +
  "Louna,Elsa,Candice,Léonie,Flavie,Mélina,Kelly,Sabrina,Jessica,Samia,Imane,Hanna,Iris,Luna,Thaïs,Maya,Valentine"
).split(",");
const NOMS = (
  "Martin,Bernard,Thomas,Petit,Robert,Richard,Durand,Dubois,Moreau,Laurent,Simon,Michel,Lefebvre,Leroy,Roux,David," +
  "Bertrand,Morel,Fournier,Girard,Bonnet,Dupont,Lambert,Fontaine,Rousseau,Vincent,Muller,Lefèvre,Faure,André," +
  "Mercier,Blanc,Guérin,Boyer,Garnier,Chevalier,François,Legrand,Gauthier,Garcia,Perrin,Robin,Clément,Morin," +
  "Nicolas,Henry,Roussel,Mathieu,Gautier,Masson,Marchand,Duval,Denis,Dumont,Marie,Lemaire,Noël,Meyer,Dufour," +
  "Meunier,Brun,Blanchard,Giraud,Joly,Rivière,Lucas,Brunet,Gaillard,Barbier,Arnaud,Martinez,Gérard,Roche,Renard," +
  "Schmitt,Roy,Leroux,Colin,Vidal,Caron,Picard,Roger,Fabre,Aubert,Lemoine,Renaud,Dumas,Lacroix,Olivier,Philippe," +
  "Bourgeois,Pierre,Benoît,Rey,Leclerc,Payet,Rolland,Leclercq,Guillaume,Lecomte,Lopez,Jean,Dupuy,Guillot,Hubert," +
  "Berger,Carpentier,Sanchez,Dupuis,Moulin,Louis,Deschamps,Huet,Vasseur,Perez,Boucher,Fleury,Royer,Klein,Jacquet," +
  "Adam,Paris,Poirier,Marty,Aubry,Guyot,Carré,Charles,Renault,Charpentier,Ménard,Maillard,Baron,Bertin,Bailly," +
  "Hervé,Schneider,Fernandez,Le Gall,Collet,Léger,Bouvier,Julien,Prévost,Millet,Perrot,Daniel,Le Roux,Cousin," +
  "Germain,Breton,Besson,Langlois,Rémy,Le Goff,Pelletier,Lévêque,Perrier,Leblanc,Barré,Lebrun,Marchal,Weber," +
  "Mallet,Hamon,Boulanger,Jacob,Monnier,Michaud,Rodriguez,Guichard,Gillet,Étienne,Grondin,Poulain,Tessier," +
  "Chevallier,Collin,Chauvin,Da Silva,Bouchet,Gay,Lemaître,Bénard,Maréchal,Humbert,Reynaud,Antoine,Hoarau," +
  "Perret,Barthélemy,Cordier,Pichon,Lejeune,Gilbert,Lamy,Delaunay,Pasquier,Carlier,Laporte,Diallo,Traoré,Cissé," +
  "Benali,Haddad,Mendy,Diop,N'Diaye,Camara,Bensaïd,Mansour,Ferreira,Pereira,Rodrigues,Nguyen,Tran,Kone,Sylla"
).split(",");

const PERSONNALITES = (
  "Jean Moulin,Jules Ferry,Victor Hugo,Marie Curie,Louis Pasteur,Jean Jaurès,Simone Veil,Gustave Eiffel," +
  "Léonard de Vinci,Antoine de Saint-Exupéry,Camille Claudel,Paul Langevin,Jacques Prévert,Albert Camus," +
  "Denis Diderot,George Sand,Émile Zola,Lucie Aubrac,Germaine Tillion,Louise Michel,Aristide Briand,Jean Monnet," +
  "Condorcet,Voltaire,Montesquieu,Jean Rostand,Marcel Pagnol,Jean Macé,Pierre Mendès France,Olympe de Gouges," +
  "Nelson Mandela,Rosa Parks,Frédéric Mistral,Hélène Boucher,Gustave Ferrié,Joseph Cugnot,Nicéphore Niépce," +
  "Louis Armand,Eugène Freyssinet,Henri Becquerel,Sonia Delaunay,Jean Prouvé,Le Corbusier,Édouard Branly," +
  "Charles Péguy,Paul Éluard,Guillaume Apollinaire,Arthur Rimbaud,Jules Verne,Antoine Lavoisier,Blaise Pascal," +
  "René Cassin,Joséphine Baker,Aimé Césaire,Gaston Monnerville,Toussaint Louverture,Félix Éboué,Frantz Fanon"
).split(",");

const VOIES = ["rue", "rue", "rue", "avenue", "avenue", "boulevard", "chemin", "allée", "impasse", "place", "route"];
const NOMS_VOIES = (
  "Victor Hugo,de la République,Jean Jaurès,du Général de Gaulle,Pasteur,de la Gare,des Écoles,du Moulin,de l'Église," +
  "des Lilas,de la Paix,Gambetta,Jules Ferry,du Stade,des Tilleuls,de la Libération,Émile Zola,Voltaire,Carnot," +
  "du Château,des Acacias,de Verdun,du 8 Mai 1945,de la Mairie,des Roses,du Commerce,Anatole France,de Paris," +
  "Jean Moulin,des Peupliers,Marcel Pagnol,Paul Bert,Saint-Exupéry,de l'Industrie,des Artisans,de la Forêt"
).split(",");
const ADRESSES_ORGANISMES = (
  "rue de l'Industrie,avenue des Métiers,rue des Compagnons,boulevard de l'Europe,rue Ampère,avenue Pierre Mendès France," +
  "rue du Professeur Calmette,allée des Sciences,rue des Artisans,avenue de l'Université,chemin du Campus," +
  "rue de la Formation,parc d'activités du Moulin,avenue Jean Monnet,rue Gustave Eiffel,rue Denis Papin,quai des Arts"
).split(",");

const MAIL_DOMAINS: readonly (readonly [string, number])[] = [
  ["gmail.com", 50],
  ["hotmail.fr", 12],
  ["outlook.fr", 8],
  ["yahoo.fr", 6],
  ["orange.fr", 6],
  ["icloud.com", 6],
  ["free.fr", 4],
  ["laposte.net", 3],
  ["sfr.fr", 3],
  ["live.fr", 2],
];

const CAUSES_RUPTURE = [
  "Rupture d'un commun accord",
  "Rupture pendant la période d'essai",
  "Rupture à l'initiative de l'apprenti",
  "Licenciement pour faute grave",
  "Licenciement pour inaptitude",
  "Liquidation judiciaire de l'employeur",
  "Démission de l'apprenti",
];
const CAUSES_EXCLUSION = [
  "Abandon de formation",
  "Exclusion disciplinaire",
  "Réorientation",
  "Déménagement",
  "Raisons de santé",
  "Absences répétées",
];

const ERPS: readonly (readonly [string, number])[] = [
  ["Ypareo", 34],
  ["Gesti", 12],
  ["SC Form", 10],
  ["FCA Manager", 8],
  ["Aimaira", 7],
  ["Cactus", 4],
  ["MyClic", 3],
  ["Gescicca", 4],
  ["Formasup", 3],
  ["Charlemagne", 4],
  ["Ammon", 2],
  ["OFA-Link", 2],
  ["Filiz", 3],
  ["Hyperplanning", 2],
  ["Auriga", 2],
];

const asciiCache = new Map<string, string>();

/** Lowercase ASCII slug ("Léa" → "lea", "Le Gall" → "le-gall"), cached (names repeat). */
function ascii(value: string): string {
  let out = asciiCache.get(value);
  if (out === undefined) {
    out = slug(value);
    if (asciiCache.size < 10_000) asciiCache.set(value, out);
  }
  return out;
}

function slug(value: string): string {
  return value
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

// ================================================================================================ formations

type Domain =
  | "btp"
  | "energie"
  | "auto"
  | "industrie"
  | "commerce"
  | "tertiaire"
  | "informatique"
  | "hotellerie"
  | "alimentation"
  | "coiffure"
  | "sante_social"
  | "agriculture"
  | "transport"
  | "sport";

interface Kind {
  /** Prefix of the intitulé ("" for RNCP titles that are named by their specialty only). */
  label: string;
  niveau: number;
  annees: number;
  /** First three characters of the CFD (first digit: old level; third "3": agriculture). Null: no CFD. */
  cfd: string;
  /** Entries all year round, duration in months (titres professionnels…). */
  rolling?: [number, number];
}

const KINDS: Record<string, Kind> = {
  CAP: { label: "CAP", niveau: 3, annees: 2, cfd: "500" },
  CAPA: { label: "CAP agricole", niveau: 3, annees: 2, cfd: "503" },
  MC3: { label: "Mention complémentaire", niveau: 3, annees: 1, cfd: "501", rolling: [10, 12] },
  MC4: { label: "Mention complémentaire", niveau: 4, annees: 1, cfd: "461", rolling: [10, 12] },
  BACPRO: { label: "Bac pro", niveau: 4, annees: 3, cfd: "400" },
  BACPROA: { label: "Bac pro", niveau: 4, annees: 3, cfd: "403" },
  BP: { label: "BP", niveau: 4, annees: 2, cfd: "450" },
  BPA: { label: "BP", niveau: 4, annees: 2, cfd: "453" },
  BTM: { label: "BTM", niveau: 4, annees: 2, cfd: "421" },
  BPJEPS: { label: "BPJEPS", niveau: 4, annees: 1, cfd: "45J", rolling: [10, 14] },
  DEJEPS: { label: "DEJEPS", niveau: 5, annees: 2, cfd: "35J" },
  BTS: { label: "BTS", niveau: 5, annees: 2, cfd: "320" },
  BTSA: { label: "BTSA", niveau: 5, annees: 2, cfd: "323" },
  TP3: { label: "Titre professionnel", niveau: 3, annees: 1, cfd: "56T", rolling: [6, 9] },
  TP4: { label: "Titre professionnel", niveau: 4, annees: 1, cfd: "46T", rolling: [8, 12] },
  TP5: { label: "Titre professionnel", niveau: 5, annees: 1, cfd: "36T", rolling: [10, 16] },
  TP6: { label: "Titre professionnel", niveau: 6, annees: 1, cfd: "26T", rolling: [12, 18] },
  BUT: { label: "BUT", niveau: 6, annees: 3, cfd: "251" },
  LP: { label: "Licence pro", niveau: 6, annees: 1, cfd: "250" },
  BACHELOR: { label: "Bachelor", niveau: 6, annees: 1, cfd: "26X" },
  RNCP6: { label: "", niveau: 6, annees: 1, cfd: "26C" },
  MASTER: { label: "Master", niveau: 7, annees: 2, cfd: "135" },
  RNCP7: { label: "", niveau: 7, annees: 2, cfd: "16C" },
  ING: { label: "Titre ingénieur", niveau: 7, annees: 3, cfd: "170" },
  INGA: { label: "Titre ingénieur", niveau: 7, annees: 3, cfd: "173" },
};

/** [kind, domain, popularity, specialties separated by "|" (each may end with "*weight")]. */
const CATALOGUE: [string, Domain, string][] = [
  ["CAP", "hotellerie", "Cuisine*10|Commercialisation et services en hôtel-café-restaurant*5|Production et service en restaurations (rapide, collective, cafétéria)*2"],
  ["CAP", "alimentation", "Pâtissier*8|Boulanger*7|Boucher*3|Charcutier-traiteur*1.5|Chocolatier-confiseur*0.8|Poissonnier écailler*0.5|Crémier-fromager*0.4|Primeur*0.3|Glacier fabricant*0.3"],
  ["CAP", "coiffure", "Métiers de la coiffure*7|Esthétique cosmétique parfumerie*4"],
  ["CAP", "btp", "Maçon*3|Menuisier fabricant*2|Peintre applicateur de revêtements*2|Menuisier installateur*1.5|Couvreur*1.5|Charpentier bois*1.2|Plâtrier-plaquiste*1.2|Carreleur mosaïste*1|Serrurier métallier*1|Constructeur de routes et d'aménagements urbains*0.5|Ébéniste*0.5|Métiers du plâtre et de l'isolation*0.4|Constructeur de réseaux de canalisations de travaux publics*0.3"],
  ["CAP", "energie", "Électricien*6|Monteur en installations thermiques*2|Monteur en installations sanitaires*2|Installateur en froid et conditionnement d'air*0.6"],
  ["CAP", "auto", "Maintenance des véhicules option voitures particulières*6|Réparation des carrosseries*2.5|Peinture en carrosserie*1.2|Maintenance des véhicules option véhicules de transport routier*1|Maintenance des véhicules option motocycles*1|Maintenance des matériels option matériels de parcs et jardins*0.6"],
  ["CAP", "commerce", "Équipier polyvalent du commerce*5|Fleuriste*1.5"],
  ["CAP", "transport", "Opérateur/opératrice logistique*2|Conducteur routier de marchandises*0.8|Conducteur livreur de marchandises*0.4"],
  ["CAP", "sante_social", "Accompagnant éducatif petite enfance*3|Agent accompagnant au grand âge*1|Agent de propreté et d'hygiène*0.8"],
  ["CAP", "industrie", "Réalisations industrielles en chaudronnerie ou soudage*1|Conducteur d'installations de production*0.8|Opérateur/opératrice de fabrication industrielle*0.3"],
  ["CAPA", "agriculture", "Jardinier paysagiste*3|Métiers de l'agriculture*2|Services aux personnes et vente en espace rural*1|Palefrenier soigneur*0.8|Maréchal-ferrant*0.4|Travaux forestiers*0.4|Opérateur en industries agroalimentaires*0.3"],
  ["MC3", "hotellerie", "Cuisinier en desserts de restaurant*0.6"],
  ["MC3", "alimentation", "Pâtisserie boulangère*0.4|Employé traiteur*0.3|Boulangerie spécialisée*0.3"],
  ["MC4", "hotellerie", "Sommellerie*0.3|Organisateur de réceptions*0.2"],
  ["MC4", "energie", "Technicien en énergies renouvelables*0.2"],
  ["BACPRO", "auto", "Maintenance des véhicules option A voitures particulières*3|Réparation des carrosseries*0.8|Maintenance des matériels option A matériels agricoles*0.6|Maintenance des véhicules option C motocycles*0.3"],
  ["BACPRO", "commerce", "Métiers du commerce et de la vente option A animation et gestion de l'espace commercial*3|Métiers du commerce et de la vente option B prospection clientèle et valorisation de l'offre commerciale*1.5|Métiers de l'accueil*1"],
  ["BACPRO", "tertiaire", "Assistance à la gestion des organisations et de leurs activités*1.5|Métiers de la sécurité*0.3"],
  ["BACPRO", "transport", "Logistique*1.2|Conducteur transport routier marchandises*0.7|Organisation de transport de marchandises*0.4"],
  ["BACPRO", "hotellerie", "Cuisine*2|Commercialisation et services en restauration*1"],
  ["BACPRO", "energie", "Métiers de l'électricité et de ses environnements connectés*3|Installateur en chauffage, climatisation et énergies renouvelables*1|Maintenance et efficacité énergétique*0.7|Métiers du froid et des énergies renouvelables*0.6"],
  ["BACPRO", "btp", "Technicien du bâtiment : organisation et réalisation du gros œuvre*0.8|Technicien menuisier agenceur*0.8|Aménagement et finition du bâtiment*0.6|Technicien d'études du bâtiment option A études et économie*0.5|Ouvrages du bâtiment : métallerie*0.5|Travaux publics*0.5|Menuiserie aluminium-verre*0.3|Interventions sur le patrimoine bâti option maçonnerie*0.2|Technicien géomètre-topographe*0.2"],
  ["BACPRO", "industrie", "Maintenance des systèmes de production connectés*1.5|Technicien en chaudronnerie industrielle*0.8|Technicien en réalisation de produits mécaniques option réalisation et suivi de productions*0.6|Pilote de ligne de production*0.6|Modélisation et prototypage 3D*0.2|Plastiques et composites*0.2|Microtechniques*0.1|Procédés de la chimie, de l'eau et des papiers-cartons*0.2"],
  ["BACPRO", "alimentation", "Boulanger-pâtissier*1.5|Boucher charcutier traiteur*0.6|Poissonnier écailler traiteur*0.1"],
  ["BACPRO", "coiffure", "Esthétique cosmétique parfumerie*0.6|Métiers de la coiffure*0.8"],
  ["BACPRO", "sante_social", "Accompagnement, soins et services à la personne*0.6|Animation – enfance et personnes âgées*0.3|Hygiène, propreté, stérilisation*0.2"],
  ["BACPRO", "informatique", "Cybersécurité, informatique et réseaux, électronique*0.8"],
  ["BACPROA", "agriculture", "Conduite et gestion de l'entreprise agricole*1.5|Aménagements paysagers*1.5|Agroéquipement*0.7|Productions horticoles*0.5|Forêt*0.4|Conduite et gestion de l'entreprise hippique*0.4|Technicien conseil vente en animalerie*0.4|Gestion des milieux naturels et de la faune*0.3|Bio-industries de transformation*0.2|Conduite et gestion d'une entreprise du secteur canin et félin*0.2"],
  ["BP", "alimentation", "Boulanger*2.5|Boucher*0.8|Charcutier-traiteur*0.3"],
  ["BP", "coiffure", "Coiffure*3|Esthétique cosmétique parfumerie*1.2"],
  ["BP", "hotellerie", "Arts de la cuisine*1.2|Arts du service et commercialisation en restauration*0.5|Barman*0.4|Sommelier*0.3"],
  ["BP", "btp", "Maçon*0.6|Menuisier*0.5|Couvreur*0.4|Peintre applicateur de revêtements*0.3|Carrelage mosaïque*0.2|Métallier*0.2|Charpentier de marine*0.05"],
  ["BP", "energie", "Électricien*1.2|Monteur en installations du génie climatique et sanitaire*0.6"],
  ["BP", "sante_social", "Préparateur en pharmacie*1.5"],
  ["BP", "commerce", "Fleuriste*0.6"],
  ["BPA", "agriculture", "Responsable d'entreprise agricole*1|Aménagements paysagers*0.7|Responsable d'atelier de productions horticoles*0.2|Responsable de chantiers forestiers*0.1"],
  ["BTM", "alimentation", "Pâtissier confiseur glacier traiteur*0.5|Chocolatier confiseur*0.1"],
  ["BPJEPS", "sport", "Éducateur sportif mention activités de la forme*1.2|Animateur mention loisirs tous publics*0.6|Éducateur sportif mention activités aquatiques et de la natation*0.5|Éducateur sportif mention activités physiques pour tous*0.5"],
  ["DEJEPS", "sport", "Perfectionnement sportif*0.3|Animation socio-éducative ou culturelle*0.2"],
  ["BTS", "commerce", "Management commercial opérationnel*12|Négociation et digitalisation de la relation client*7|Conseil et commercialisation de solutions techniques*1.5|Commerce international*0.8"],
  ["BTS", "tertiaire", "Gestion de la PME*5|Comptabilité et gestion*3|Support à l'action managériale*2|Professions immobilières*1.8|Banque, conseiller de clientèle (particuliers)*1.5|Communication*1|Assurance*0.8|Tourisme*0.8|Collaborateur juriste notarial*0.4|Management opérationnel de la sécurité*0.2"],
  ["BTS", "transport", "Gestion des transports et logistique associée*1.2"],
  ["BTS", "informatique", "Services informatiques aux organisations option A solutions d'infrastructure, systèmes et réseaux*2|Services informatiques aux organisations option B solutions logicielles et applications métiers*2|Cybersécurité, informatique et réseaux, électronique option A informatique et réseaux*0.8"],
  ["BTS", "hotellerie", "Management en hôtellerie-restauration*1.2"],
  ["BTS", "auto", "Maintenance des véhicules option A voitures particulières*1.2|Maintenance des matériels de construction et de manutention*0.4"],
  ["BTS", "energie", "Électrotechnique*2|Fluides, énergies, domotique option A génie climatique et fluidique*0.7|Maintenance des systèmes option B systèmes énergétiques et fluidiques*0.4"],
  ["BTS", "industrie", "Maintenance des systèmes option A systèmes de production*1.8|Conception et réalisation de systèmes automatiques*0.7|Conception des produits industriels*0.5|Conception des processus de réalisation de produits*0.5|Contrôle industriel et régulation automatique*0.3|Europlastics et composites*0.2|Bioqualité*0.2|Pilotage de procédés*0.2"],
  ["BTS", "btp", "Bâtiment*0.8|Travaux publics*0.6|Management économique de la construction*0.5|Métiers du géomètre-topographe et de la modélisation numérique*0.3|Études et réalisation d'agencement*0.3|Systèmes constructifs bois et habitat*0.2|Aménagement finition*0.2|Enveloppe des bâtiments : conception et réalisation*0.1"],
  ["BTS", "coiffure", "Métiers de l'esthétique-cosmétique-parfumerie option management*0.8|Métiers de la coiffure*0.4"],
  ["BTS", "sante_social", "Opticien-lunetier*0.8|Services et prestations des secteurs sanitaire et social*0.4|Économie sociale familiale*0.3|Diététique et nutrition*0.2"],
  ["BTSA", "agriculture", "Technico-commercial*1.2|Analyse, conduite et stratégie de l'entreprise agricole*1|Aménagements paysagers*0.6|Gestion et protection de la nature*0.5|Génie des équipements agricoles*0.4|Viticulture-œnologie*0.4|Agronomie et cultures durables*0.3|Sciences et technologies des aliments*0.3|Gestion forestière*0.2|Développement, animation des territoires ruraux*0.2|Productions horticoles*0.1|Gestion et maîtrise de l'eau*0.1"],
  ["TP3", "transport", "Préparateur de commandes en entrepôt*0.8|Agent magasinier*0.5|Conducteur du transport routier de marchandises sur porteur*0.4"],
  ["TP3", "hotellerie", "Cuisinier*0.8|Agent de restauration*0.4|Serveur en restauration*0.3"],
  ["TP3", "commerce", "Employé commercial en magasin*1"],
  ["TP3", "btp", "Maçon*0.3|Plaquiste*0.2"],
  ["TP3", "energie", "Électricien d'équipement du bâtiment*0.4"],
  ["TP3", "industrie", "Soudeur assembleur industriel*0.2"],
  ["TP3", "sante_social", "Assistant de vie aux familles*0.5|Agent de propreté et d'hygiène*0.3"],
  ["TP4", "commerce", "Vendeur conseil en magasin*1|Conseiller relation client à distance*0.4"],
  ["TP4", "tertiaire", "Secrétaire assistant*0.6|Comptable assistant*0.6|Employé administratif et d'accueil*0.3"],
  ["TP4", "informatique", "Technicien d'assistance en informatique*0.6"],
  ["TP5", "commerce", "Négociateur technico-commercial*1.2|Manager d'unité marchande*1|Assistant commercial*0.5"],
  ["TP5", "tertiaire", "Gestionnaire de paie*1|Assistant ressources humaines*0.8|Gestionnaire comptable et fiscal*0.6|Assistant de direction*0.4"],
  ["TP5", "informatique", "Développeur web et web mobile*1.2|Technicien supérieur systèmes et réseaux*0.8"],
  ["TP5", "industrie", "Technicien supérieur de maintenance industrielle*0.4"],
  ["TP6", "informatique", "Concepteur développeur d'applications*0.8|Administrateur d'infrastructures sécurisées*0.6"],
  ["TP6", "tertiaire", "Responsable de petite et moyenne structure*1.2"],
  ["TP6", "btp", "Chargé d'affaires en rénovation énergétique du bâtiment*0.2"],
  ["BUT", "commerce", "Techniques de commercialisation*3"],
  ["BUT", "tertiaire", "Gestion des entreprises et des administrations*2|Carrières juridiques*0.3|Information-communication*0.2"],
  ["BUT", "informatique", "Informatique*1.5|Réseaux et télécommunications*0.6|Métiers du multimédia et de l'internet*0.6|Statistique et informatique décisionnelle*0.1"],
  ["BUT", "industrie", "Génie électrique et informatique industrielle*0.8|Génie mécanique et productique*0.8|Qualité, logistique industrielle et organisation*0.6|Génie industriel et maintenance*0.4|Chimie*0.3|Hygiène, sécurité, environnement*0.3|Mesures physiques*0.2|Génie biologique*0.2|Science et génie des matériaux*0.1|Packaging, emballage et conditionnement*0.1"],
  ["BUT", "btp", "Génie civil – construction durable*0.5"],
  ["BUT", "energie", "Génie thermique et énergie*0.2"],
  ["BUT", "transport", "Management de la logistique et des transports*0.5"],
  ["LP", "informatique", "Métiers de l'informatique : administration et sécurité des systèmes et des réseaux*1|Métiers de l'informatique : conception, développement et test de logiciels*1|Métiers du numérique : conception, rédaction et réalisation web*0.4"],
  ["LP", "commerce", "Commerce et distribution*1.2|Technico-commercial*0.8|E-commerce et marketing numérique*0.6"],
  ["LP", "tertiaire", "Métiers de la gestion et de la comptabilité : comptabilité et paie*0.8|Métiers des ressources humaines : assistant*0.6|Management et gestion des organisations*0.6|Assurance, banque, finance : chargé de clientèle*0.8|Métiers de l'immobilier : gestion et administration de biens*0.4|Métiers de la communication : chargé de communication*0.4"],
  ["LP", "transport", "Logistique et pilotage des flux*0.6"],
  ["LP", "industrie", "Maintenance et technologie : systèmes pluritechniques*0.4|Métiers de l'industrie : conception et amélioration de processus et procédés industriels*0.4|Qualité, hygiène, sécurité, santé, environnement*0.3"],
  ["LP", "energie", "Métiers de l'énergétique, de l'environnement et du génie climatique*0.4"],
  ["LP", "btp", "Métiers du BTP : bâtiment et construction*0.4"],
  ["BACHELOR", "commerce", "Responsable marketing et commercial*1.5|Responsable du développement commercial*3|Chargé de gestion commerciale*1.5|Responsable opérationnel de la distribution*0.8"],
  ["BACHELOR", "tertiaire", "Responsable en gestion administrative et ressources humaines*1.5|Chef de projet digital*1|Responsable de la communication*0.8|Gestionnaire des ressources humaines*0.8|Chargé de projet événementiel*0.5|Responsable d'affaires immobilières*0.4"],
  ["RNCP6", "informatique", "Administrateur systèmes, réseaux et sécurité*0.8|Développeur full stack*0.8|Concepteur designer UI*0.4"],
  ["RNCP6", "transport", "Responsable logistique*0.5"],
  ["RNCP6", "btp", "Chargé d'affaires en bâtiment*0.3"],
  ["RNCP6", "sante_social", "Responsable de secteur en services à la personne*0.2"],
  ["MASTER", "tertiaire", "Management et administration des entreprises*1.5|Gestion des ressources humaines*1.2|Contrôle de gestion et audit organisationnel*1|Comptabilité – contrôle – audit*1|Finance*0.8|Droit des affaires*0.5|Entrepreneuriat et management de projets*0.5|Communication des organisations*0.3|Économie de l'entreprise et des marchés*0.2"],
  ["MASTER", "commerce", "Marketing, vente*1.2|Management et commerce international*0.6"],
  ["MASTER", "informatique", "Informatique*1.2|Méthodes informatiques appliquées à la gestion des entreprises (MIAGE)*1|Réseaux et télécommunication*0.3"],
  ["MASTER", "industrie", "Électronique, énergie électrique, automatique*0.4|Ingénierie des systèmes complexes*0.3|Mécanique*0.3|Qualité, hygiène, sécurité*0.3"],
  ["MASTER", "btp", "Génie civil*0.3"],
  ["MASTER", "sport", "Management du sport*0.2"],
  ["RNCP7", "tertiaire", "Manager des ressources humaines*1.5|Manager en stratégie et développement d'entreprise*0.8|Manager en ingénierie financière*0.5|Manager de la communication*0.5"],
  ["RNCP7", "commerce", "Manager du développement d'affaires*1.5|Expert en stratégie digitale*0.8|Manager de projets marketing digital*0.8"],
  ["RNCP7", "informatique", "Expert en informatique et systèmes d'information*1|Expert en management des systèmes d'information*0.8|Expert en cybersécurité*0.5|Architecte logiciel*0.4"],
  ["RNCP7", "transport", "Manager de la supply chain*0.5"],
  ["RNCP7", "hotellerie", "Manager des entreprises de l'hôtellerie-restauration*0.2"],
  ["ING", "industrie", "Génie industriel*1|Mécanique*0.8|Mécatronique*0.4|Génie des procédés*0.3|Matériaux*0.2"],
  ["ING", "informatique", "Informatique*1.2|Réseaux et télécommunications*0.4|Systèmes embarqués*0.3"],
  ["ING", "btp", "Génie civil*0.6|Bâtiment et travaux publics*0.4"],
  ["ING", "energie", "Électronique et informatique industrielle*0.6|Génie électrique*0.4|Énergétique*0.4"],
  ["INGA", "agriculture", "Agronomie*0.3|Agroalimentaire*0.3"],
];

const CERTIFICATEURS = (
  "CESI,IGS,ISCOD,Institut F2I,IPAC,EFAB,ESGCV,IFOCOP,Groupe IGENSIA,NEXA,Studi,OpenClassrooms,EPSI,WIS,ESG,MBway," +
  "PIGIER,ISEG,IIM,IFAG,Sup de Vinci,EDC,Excelia,INSEEC,ISTEC,AFTRAL,Promotrans,CCI France,CMA France,Digital Campus"
).split(",");
const UNIVERSITES = (
  "Lyon 3,Lille,Bordeaux,Toulouse Capitole,Aix-Marseille,Strasbourg,Montpellier,Nantes,Rennes 1,Grenoble Alpes," +
  "Paris-Est Créteil,Paris Nanterre,Cergy Paris,Rouen Normandie,Caen Normandie,Tours,Orléans,Poitiers,Limoges," +
  "Clermont Auvergne,Dijon,Besançon,Reims,Picardie Jules Verne,Lorraine,Haute-Alsace,Brest,Angers,Le Mans,La Rochelle," +
  "Pau,Perpignan,Nîmes,Avignon,Côte d'Azur,Toulon,Savoie Mont Blanc,Saint-Étienne,La Réunion,Antilles,Guyane,Corse"
).split(",");
const ECOLES_INGENIEURS = (
  "CESI,ITII Île-de-France,ITII Normandie,ITII Pays de la Loire,ITII Auvergne-Rhône-Alpes,ITII Bretagne,INSA Lyon," +
  "INSA Toulouse,Arts et Métiers,ISTP,EIGSI,ECAM,ESTP,ESIEE,ISEN,EPF,EPITA,ENSAM,Polytech Lille,Polytech Nantes," +
  "Polytech Montpellier,ENSISA,UTC,UTBM,ESIGELEC,ENSIL-ENSCI,CNAM,ISA Lille"
).split(",");

interface FormationInfo {
  row: FormationRow;
  domain: Domain;
  weight: number;
  kind: Kind;
}

interface Template {
  kind: Kind;
  kindKey: string;
  domain: Domain;
  spec: string;
  weight: number;
}

function templates(): Template[] {
  const list: Template[] = [];
  for (const [kindKey, domain, specs] of CATALOGUE) {
    for (const s of specs.split("|")) {
      const [spec, w] = s.split("*");
      list.push({ kind: KINDS[kindKey], kindKey, domain, spec, weight: w ? Number(w) : 1 });
    }
  }
  // Most popular first (stable), so small catalogues keep what is common.
  return list.map((t, i) => ({ t, i })).sort((a, b) => b.t.weight - a.t.weight || a.i - b.i).map(({ t }) => t);
}

function intitule(t: Template): string {
  if (t.kindKey === "ING" || t.kindKey === "INGA") return `Titre ingénieur spécialité ${t.spec.toLowerCase()}`;
  return t.kind.label ? `${t.kind.label} ${t.spec}` : t.spec;
}

function buildFormations(rng: Rng, count: number, todayDay: number): FormationInfo[] {
  const base = templates();
  const chosen: { t: Template; suffix: string | null }[] = base.slice(0, Math.min(count, base.length)).map((t) => ({ t, suffix: null }));
  // Variants beyond the national catalogue: the same title by other certifiers / universities / schools.
  if (chosen.length < count) {
    const pools: { t: Template; suffixes: string[] }[] = [];
    for (const t of base) {
      if (t.kindKey === "BACHELOR" || t.kindKey === "RNCP6" || t.kindKey === "RNCP7") pools.push({ t, suffixes: CERTIFICATEURS });
      else if (t.kindKey === "MASTER" || t.kindKey === "LP" || t.kindKey === "BUT") pools.push({ t, suffixes: UNIVERSITES.map((u) => `Université ${u}`) });
      else if (t.kindKey === "ING") pools.push({ t, suffixes: ECOLES_INGENIEURS });
      else if (t.kindKey.startsWith("TP") || t.kindKey === "BTS") pools.push({ t, suffixes: ["parcours renforcé", "parcours international", "parcours numérique"] });
    }
    for (let round = 0; chosen.length < count; round++) {
      let added = false;
      for (const pool of pools) {
        if (chosen.length >= count) break;
        if (round < pool.suffixes.length) {
          chosen.push({ t: pool.t, suffix: pool.suffixes[(round * 7 + pool.t.spec.length) % pool.suffixes.length] });
          added = true;
        }
      }
      if (!added) {
        // Exhausted: numbered options (never reached with the sizes this demo is meant for).
        for (const t of base) {
          if (chosen.length >= count) break;
          chosen.push({ t, suffix: `option ${round + 1}` });
        }
      }
    }
  }
  const cfds = new Set<string>();
  const rncps = new Set<number>();
  const out: FormationInfo[] = [];
  for (let i = 0; i < chosen.length; i++) {
    const { t, suffix } = chosen[i];
    let cfd: string | null = null;
    const privateTitle = t.kindKey === "BACHELOR" || t.kindKey === "RNCP6" || t.kindKey === "RNCP7";
    if (!privateTitle || rng() < 0.7) {
      do cfd = t.kind.cfd + digits(rng, 5);
      while (cfds.has(cfd));
      cfds.add(cfd);
    }
    let rncp: number;
    do rncp = int(rng, rng() < 0.15 ? 1000 : 30000, 39999);
    while (rncps.has(rncp));
    rncps.add(rncp);
    const long = suffix ? `${intitule(t)} (${suffix})` : intitule(t);
    const rolling = t.kind.rolling;
    const dureeMois = rolling ? int(rng, rolling[0], rolling[1]) : t.kind.annees * 12;
    const ouverture = day(int(rng, 2012, 2023), 9, 1);
    out.push({
      row: {
        id: i + 1,
        cfd,
        rncp: `RNCP${rncp}`,
        niveau: t.kind.niveau,
        intituleCourt: (t.kind.label ? `${t.kind.label} ${t.spec}` : t.spec).toUpperCase().slice(0, 60),
        intituleLong: long,
        dureeAnnees: Math.max(1, Math.round(dureeMois / 12)),
        dureeMois,
        dateOuverture: fromDay(ouverture),
        dateFermeture: rng() < 0.05 ? fromDay(day(yearOf(todayDay) + int(rng, 1, 3), 8, 31)) : null,
      },
      domain: t.domain,
      weight: suffix ? t.weight * 0.25 : t.weight,
      kind: t.kind,
    });
  }
  return out;
}

// ================================================================================================ organismes

type FamilyKey =
  | "lycee"
  | "cci"
  | "cma"
  | "btp"
  | "mfr"
  | "agri"
  | "compagnons"
  | "univ"
  | "ingenieur"
  | "ecole_commerce"
  | "prive"
  | "industrie"
  | "sante_social"
  | "transport"
  | "sport"
  | "hotellerie";

interface Family {
  weight: number;
  domains: Domain[];
  niveaux: [number, number];
  reseau?: string;
  /** Share of its organismes in `reseau` (1 when absent). */
  reseauShare?: number;
  public?: boolean;
  typeCfa: string;
  /** Formateur names; {ville} {dep} {region} {personne} {acronyme}. */
  names: string[];
  /** Names of a pure responsable heading formateurs of this family. */
  responsables: string[];
  /** Relative size (effectifs). */
  size: number;
}

const FAMILIES: Record<FamilyKey, Family> = {
  lycee: {
    weight: 18, domains: ["industrie", "energie", "commerce", "tertiaire", "hotellerie", "auto", "btp", "sante_social"], niveaux: [3, 5],
    public: true, typeCfa: "05", size: 0.5,
    names: ["Lycée professionnel {personne}", "Lycée polyvalent {personne}", "Lycée des métiers {personne}", "UFA du lycée professionnel {personne}"],
    responsables: ["GRETA-CFA {dep}", "CFA académique {region}"],
  },
  cci: {
    weight: 7, domains: ["commerce", "tertiaire", "hotellerie", "informatique"], niveaux: [3, 7], reseau: "CCI France", typeCfa: "02", size: 1.6,
    names: ["CFA de la CCI {dep}", "CCI {ville} — Campus de l'alternance", "École de gestion et de commerce de la CCI {dep}", "Campus des métiers de la CCI {ville}"],
    responsables: ["CCI {region}", "CFA de la CCI {region}"],
  },
  cma: {
    weight: 9, domains: ["alimentation", "coiffure", "auto", "hotellerie", "commerce"], niveaux: [3, 5], reseau: "CMA France", typeCfa: "02", size: 1.3,
    names: ["Campus des métiers et de l'artisanat de {ville}", "Faculté des métiers — {dep}", "CFA de la chambre de métiers et de l'artisanat {dep}", "Université régionale des métiers et de l'artisanat — {ville}"],
    responsables: ["Chambre de métiers et de l'artisanat {region}", "CMA {region}"],
  },
  btp: {
    weight: 7, domains: ["btp", "energie"], niveaux: [3, 6], reseau: "BTP CFA", typeCfa: "04", size: 1.2,
    names: ["CFA BTP {dep}", "BTP CFA {dep}", "CFA du bâtiment de {ville}"],
    responsables: ["BTP CFA {region}", "Association régionale des CFA du BTP {region}"],
  },
  mfr: {
    weight: 8, domains: ["agriculture", "sante_social", "commerce", "alimentation", "btp"], niveaux: [3, 5], reseau: "MFR", typeCfa: "08", size: 0.5,
    names: ["MFR de {ville}", "Maison familiale rurale de {ville}", "MFR {ville}"],
    responsables: ["Fédération départementale des MFR {dep}", "CFA des MFR {region}"],
  },
  agri: {
    weight: 5, domains: ["agriculture", "alimentation"], niveaux: [3, 7], public: true, typeCfa: "06", size: 0.7,
    names: ["CFA agricole {dep}", "CFPPA de {ville}", "Lycée agricole de {ville}", "CFA des métiers de l'agriculture {dep}"],
    responsables: ["EPLEFPA {dep}", "CFA régional agricole {region}"],
  },
  compagnons: {
    weight: 2, domains: ["btp", "alimentation", "industrie", "energie"], niveaux: [3, 5], reseau: "Compagnons du Devoir", typeCfa: "04", size: 0.8,
    names: ["Compagnons du Devoir — Maison de {ville}", "Compagnons du Devoir et du Tour de France — {ville}"],
    responsables: ["Association ouvrière des Compagnons du Devoir — {region}"],
  },
  univ: {
    weight: 6, domains: ["informatique", "tertiaire", "industrie", "commerce", "transport", "btp"], niveaux: [5, 7], public: true, typeCfa: "07", size: 1.6,
    names: ["IUT de {ville}", "IUT {personne}", "CFA de l'université de {ville}", "Institut d'administration des entreprises de {ville}", "Université de {ville} — Service alternance"],
    responsables: ["CFA universitaire {region}", "Formasup {region}"],
  },
  ingenieur: {
    weight: 3, domains: ["industrie", "informatique", "btp", "energie"], niveaux: [6, 7], typeCfa: "07", size: 1,
    names: ["École d'ingénieurs de {ville}", "Institut supérieur de technologie de {ville}", "ITII {region} — site de {ville}"],
    responsables: ["ITII {region}"],
  },
  ecole_commerce: {
    weight: 7, domains: ["commerce", "tertiaire"], niveaux: [5, 7], reseau: "Excellence Pro", reseauShare: 0.35, typeCfa: "02", size: 1.5,
    names: ["École supérieure de commerce de {ville}", "{ville} Business School", "Institut supérieur de gestion de {ville}", "{acronyme} Business School {ville}"],
    responsables: ["Groupe {acronyme} Éducation", "{acronyme} Alternance"],
  },
  prive: {
    weight: 13, domains: ["commerce", "tertiaire", "informatique", "sante_social"], niveaux: [4, 7], reseau: "Excellence Pro", reseauShare: 0.25, typeCfa: "02", size: 0.9,
    names: ["Institut de formation en alternance de {ville}", "{acronyme} Formation {ville}", "Campus de l'alternance {ville}", "École de l'alternance {ville}", "Centre de formation {personne}", "{acronyme} Campus {ville}"],
    responsables: ["{acronyme} Formation", "Groupe {acronyme}"],
  },
  industrie: {
    weight: 5, domains: ["industrie", "energie", "auto"], niveaux: [3, 7], reseau: "UIMM", typeCfa: "04", size: 1.3,
    names: ["Pôle formation UIMM {dep}", "CFAI {dep}", "AFPI {dep} — {ville}"],
    responsables: ["Pôle formation UIMM {region}", "AFPI {region}"],
  },
  sante_social: {
    weight: 3, domains: ["sante_social"], niveaux: [3, 6], typeCfa: "09", size: 0.8,
    names: ["Institut de formation sanitaire et sociale de {ville}", "IRTS {region} — site de {ville}", "CFA des métiers de la santé et du social {dep}"],
    responsables: ["CFA sanitaire et social {region}", "IRTS {region}"],
  },
  transport: {
    weight: 2, domains: ["transport", "auto"], niveaux: [3, 6], typeCfa: "03", size: 0.9,
    names: ["CFA transport et logistique de {ville}", "Campus du transport {ville}", "Centre de formation transport et logistique {dep}"],
    responsables: ["CFA transport et logistique {region}"],
  },
  sport: {
    weight: 2, domains: ["sport"], niveaux: [4, 7], typeCfa: "10", size: 0.6,
    names: ["CFA Sport, Animation, Tourisme et Loisirs {dep}", "CFA des métiers du sport de {ville}"],
    responsables: ["CFA Sport, Animation, Tourisme et Loisirs {region}"],
  },
  hotellerie: {
    weight: 3, domains: ["hotellerie", "alimentation"], niveaux: [3, 7], typeCfa: "02", size: 0.9,
    names: ["École hôtelière de {ville}", "CFA des métiers de l'hôtellerie et de la restauration de {ville}", "Institut culinaire de {ville}"],
    responsables: ["CFA régional de l'hôtellerie-restauration {region}"],
  },
};
const FAMILY_KEYS = Object.keys(FAMILIES) as FamilyKey[];
const ACRONYMES = "IFA,ISFA,IPFA,EFAP,ICFA,ASFO,IFRIA,IRFA,AFIPE,ESFA,IFPA,ACFA,IEFA,ADFA,SOFIP,FORMAPI,ALTIS,ALTERNIS".split(",");

interface CommuneRef {
  code: string;
  nom: string;
  codePostal: string[];
  departementCode: string;
  regionCode: string;
  academieCode: string;
}

interface DeptInfo {
  code: string;
  nom: string;
  regionCode: string;
  regionNom: string;
  academieCode: string;
  population: number;
  /** Communes for learners (the biggest ones, weighted by population). */
  communes: CommuneRef[];
  communesCum: Float64Array;
  /** Communes for organismes: the biggest ones, weighted by population^1.3. */
  villes: CommuneRef[];
  villesCum: Float64Array;
}

interface OrgInfo {
  row: OrganismeRow;
  family: FamilyKey;
  dept: DeptInfo;
  /** Has learners (formateur or responsable_formateur) and transmits. */
  size: number;
  responsables: number[];
  lieux: OrgInfo[];
  offer: FormationInfo[];
  offerCum: Float64Array;
  /** Data known up to this day (last transmission); null: never transmitted. */
  cutoff: number | null;
  erpIdPrefix: string;
  referent: { nom: string; prenom: string; email: string };
}

/** Départements with communes, populations, and cumulative weights. */
function buildDepartements(territories: DemoTerritories): DeptInfo[] {
  const pop = territories.populations;
  const regionNom = new Map(territories.regions.map((r) => [r.code, r.nom]));
  const parentsWithArrondissements = new Set<string>();
  for (const c of territories.communes) {
    if (c.type === "arrondissement-municipal") {
      // 75101 → Paris 75056, 13201 → 13055, 69381 → 69123
      if (c.code.startsWith("751")) parentsWithArrondissements.add("75056");
      else if (c.code.startsWith("132")) parentsWithArrondissements.add("13055");
      else if (c.code.startsWith("6938")) parentsWithArrondissements.add("69123");
    }
  }
  const byDept = new Map<string, CommuneRef[]>();
  const weights = new Map<string, number>();
  const deptPop = new Map<string, number>();
  for (const c of territories.communes) {
    if (c.type !== "commune-actuelle" && c.type !== "arrondissement-municipal") continue;
    const p = pop ? (pop[c.code] ?? 0) : 1000;
    if (c.type === "commune-actuelle") deptPop.set(c.departementCode, (deptPop.get(c.departementCode) ?? 0) + p);
    if (parentsWithArrondissements.has(c.code) || c.codesPostaux.length === 0) continue;
    let list = byDept.get(c.departementCode);
    if (!list) byDept.set(c.departementCode, (list = []));
    list.push({
      code: c.code,
      nom: c.nom,
      codePostal: c.codesPostaux,
      departementCode: c.departementCode,
      regionCode: c.regionCode,
      academieCode: c.academieCode,
    });
    weights.set(c.code, Math.max(p, 1));
  }
  const out: DeptInfo[] = [];
  for (const d of [...territories.departements].sort((a, b) => (a.code < b.code ? -1 : 1))) {
    const list = (byDept.get(d.code) ?? []).sort((a, b) => weights.get(b.code)! - weights.get(a.code)! || (a.code < b.code ? -1 : 1));
    if (list.length === 0) continue;
    const communes = list.slice(0, 400);
    const villes = list.slice(0, 12);
    out.push({
      code: d.code,
      nom: d.nom,
      regionCode: d.regionCode,
      regionNom: regionNom.get(d.regionCode) ?? d.regionCode,
      academieCode: d.academieCode,
      population: deptPop.get(d.code) ?? 1,
      communes,
      communesCum: cumulative(communes.map((c) => weights.get(c.code)!)),
      villes,
      villesCum: cumulative(villes.map((c) => Math.pow(weights.get(c.code)!, 1.3))),
    });
  }
  return out;
}

/** Largest-remainder apportionment of `total` over weights, each getting at least `min`. */
function apportion(total: number, weights: number[], min: number): number[] {
  const counts = weights.map(() => min);
  let rest = total - min * weights.length;
  if (rest <= 0) return counts;
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * rest);
  const floors = exact.map(Math.floor);
  for (let i = 0; i < counts.length; i++) counts[i] += floors[i];
  rest -= floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ r: e - floors[i], i })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < rest; k++) counts[order[k % order.length].i]++;
  return counts;
}

class Identifiers {
  private sirets = new Set<string>();
  private uais = new Set<string>();
  private nics = new Map<string, number>();
  constructor(private rng: Rng) {}

  siren(prefix: string): string {
    for (;;) {
      let s = prefix + digits(this.rng, 8 - prefix.length);
      if (s[0] === "0") s = "4" + s.slice(1);
      s += luhnCompletion(s);
      if (s !== "356000000" && !this.nics.has(s)) {
        this.nics.set(s, 0);
        return s;
      }
    }
  }

  /** Next establishment (NIC) of a SIREN: 4 digits + the Luhn digit of the whole SIRET. */
  siret(siren: string): string {
    for (;;) {
      const k = (this.nics.get(siren) ?? 0) + 1;
      this.nics.set(siren, k);
      const partial = siren + String(k).padStart(4, "0");
      const siret = partial + luhnCompletion(partial);
      if (!this.sirets.has(siret)) {
        this.sirets.add(siret);
        return siret;
      }
    }
  }

  uai(deptCode: string): string {
    const prefix = deptCode === "2A" ? "620" : deptCode === "2B" ? "720" : deptCode.length === 3 ? deptCode : "0" + deptCode;
    for (;;) {
      const seven = prefix + digits(this.rng, 4);
      const uai = seven + uaiCheckLetter(seven);
      if (!this.uais.has(uai)) {
        this.uais.add(uai);
        return uai;
      }
    }
  }
}

function fill(template: string, rng: Rng, dept: DeptInfo, ville: CommuneRef): string {
  return elide(
    template
      .replace("{ville}", ville.nom.replace(/ \d+(er|e) Arrondissement$/, ""))
      .replace("{dep}", dept.nom)
      .replace("{region}", dept.regionNom)
      .replace("{personne}", pick(rng, PERSONNALITES))
      .replace("{acronyme}", pick(rng, ACRONYMES)),
  );
}

/** "de Antibes" → "d'Antibes", "de Le Havre" → "du Havre", "de Les Abymes" → "des Abymes". */
function elide(name: string): string {
  return name
    .replace(/ de Le /g, " du ")
    .replace(/ de Les /g, " des ")
    .replace(/ de ([AEIOUYÉÈÊÎÔ])/g, " d'$1");
}

interface BuiltOrganismes {
  orgs: OrgInfo[];
  relations: OrganismeRelationRow[];
  /** Organismes that receive learners (formateur / responsable_formateur that transmitted). */
  teaching: OrgInfo[];
}

function buildOrganismes(
  rng: Rng,
  options: DemoOptions,
  depts: DeptInfo[],
  formations: FormationInfo[],
  todayDay: number,
  windowStart: number,
): BuiltOrganismes {
  const nbCfa = Math.round(Math.min(3600, Math.max(160, options.effectifs / 850)));
  const nbTotal = Math.max(Math.round(options.effectifs / 250), Math.round(nbCfa * 1.25));
  const nbLieux = nbTotal - nbCfa;
  const perDept = apportion(nbCfa, depts.map((d) => d.population), 1);
  const ids = new Identifiers(rng);
  const names = new Set<string>();
  const orgs: OrgInfo[] = [];
  const relations: OrganismeRelationRow[] = [];
  const familyCum = cumulative(FAMILY_KEYS.map((k) => FAMILIES[k].weight));

  const uniqueName = (name: string, ville: CommuneRef): string => {
    let n = name;
    if (names.has(n)) n = `${name} — ${ville.nom}`;
    for (let k = 2; names.has(n); k++) n = `${name} (${k})`;
    names.add(n);
    return n;
  };

  const sirenPrefix = (family: Family, responsable: boolean): string =>
    family.public ? "19" : family.reseau === "CCI France" || family.reseau === "CMA France" ? "18" : responsable ? pick(rng, ["77", "78", "44", "50"]) : "";

  const newOrg = (
    nature: OrganismeRow["nature"],
    familyKey: FamilyKey,
    dept: DeptInfo,
    name: string,
    siret: string,
    withUai: boolean,
  ): OrgInfo => {
    const family = FAMILIES[familyKey];
    // Universities and schools sit in the biggest towns.
    const bigTown = familyKey === "univ" || familyKey === "ingenieur" || familyKey === "ecole_commerce";
    const ville = bigTown ? dept.villes[Math.floor(rng() * Math.min(2, dept.villes.length))] : dept.villes[pickIndex(dept.villesCum, rng())];
    const reseaux: string[] = [];
    if (family.reseau && rng() < (family.reseauShare ?? 0.97)) reseaux.push(family.reseau);
    if (reseaux.length === 0 && rng() < 0.04) reseaux.push("Excellence Pro");
    const row: OrganismeRow = {
      id: orgs.length + 1,
      siret,
      uai: withUai ? ids.uai(dept.code) : null,
      nature,
      raisonSociale: uniqueName(fill(name, rng, dept, ville), ville),
      enseigne: null,
      adresse: `${int(rng, 1, 150)} ${pick(rng, ADRESSES_ORGANISMES)}`,
      codePostal: pick(rng, ville.codePostal),
      codeCommune: ville.code,
      departementCode: dept.code,
      regionCode: dept.regionCode,
      academieCode: dept.academieCode,
      bassinEmploiCode: null,
      reseaux,
      qualiopi: rng() < 0.9,
      etatAdministratif: "actif",
      erp: null,
      modeTransmission: null,
      firstTransmissionAt: null,
      lastTransmissionAt: null,
    };
    const sexe = rng() < 0.6 ? "F" : "M";
    const prenom = pick(rng, sexe === "F" ? PRENOMS_F : PRENOMS_M);
    const nom = pick(rng, NOMS);
    const info: OrgInfo = {
      row,
      family: familyKey,
      dept,
      size: 0,
      responsables: [],
      lieux: [],
      offer: [],
      offerCum: new Float64Array(0),
      cutoff: null,
      erpIdPrefix: "",
      referent: { nom, prenom, email: `${ascii(prenom)}.${ascii(nom)}@${ascii(row.raisonSociale).slice(0, 20)}.fr` },
    };
    orgs.push(info);
    return info;
  };

  const formateurName = (familyKey: FamilyKey): string => pick(rng, FAMILIES[familyKey].names);

  // ---- CFAs, département by département, in groups (a responsable and its formateurs).
  const firstOfDept = new Set<OrgInfo>();
  for (let di = 0; di < depts.length; di++) {
    const dept = depts[di];
    let remaining = perDept[di];
    let first = true;
    while (remaining > 0) {
      const familyKey = FAMILY_KEYS[pickIndex(familyCum, rng())];
      const family = FAMILIES[familyKey];
      const r = rng();
      if (r < 0.22 && remaining >= 2) {
        // A pure responsable with 1–6 formateurs.
        const k = Math.min(remaining - 1, int(rng, 1, 6));
        const siren = ids.siren(sirenPrefix(family, true));
        const resp = newOrg("responsable", familyKey, dept, pick(rng, family.responsables), ids.siret(siren), true);
        for (let j = 0; j < k; j++) {
          const fk = rng() < 0.75 ? familyKey : FAMILY_KEYS[pickIndex(familyCum, rng())];
          const shareSiret = rng() < 0.05;
          const siret = shareSiret ? resp.row.siret : rng() < 0.45 ? ids.siret(siren) : ids.siret(ids.siren(sirenPrefix(FAMILIES[fk], false)));
          const f = newOrg("formateur", fk, dept, formateurName(fk), siret, true);
          f.responsables.push(resp.row.id);
          if (first) firstOfDept.add(f);
          first = false;
        }
        remaining -= k + 1;
      } else {
        const rf = newOrg("responsable_formateur", familyKey, dept, formateurName(familyKey), ids.siret(ids.siren(sirenPrefix(family, false))), true);
        rf.responsables.push(rf.row.id);
        if (first) firstOfDept.add(rf);
        first = false;
        remaining--;
        if (r > 0.8 && remaining >= 1) {
          const k = Math.min(remaining, int(rng, 1, 3));
          const siren = rf.row.siret.slice(0, 9);
          for (let j = 0; j < k; j++) {
            const f = newOrg("formateur", familyKey, dept, formateurName(familyKey), rng() < 0.6 ? ids.siret(siren) : ids.siret(ids.siren("")), true);
            f.responsables.push(rf.row.id);
          }
          remaining -= k;
        }
      }
    }
  }
  const cfas = orgs.slice();

  // A few formateurs also teach for a second responsable (a responsable_formateur) of the same département.
  const responsablesByDept = new Map<string, OrgInfo[]>();
  for (const o of cfas) {
    if (o.row.nature === "responsable_formateur") {
      const list = responsablesByDept.get(o.dept.code) ?? [];
      list.push(o);
      responsablesByDept.set(o.dept.code, list);
    }
  }
  for (const o of cfas) {
    if (o.row.nature !== "formateur") continue;
    if (rng() < 0.06) {
      const other = pick(rng, responsablesByDept.get(o.dept.code) ?? []);
      if (other && !o.responsables.includes(other.row.id)) o.responsables.push(other.row.id);
    }
    for (const r of o.responsables) relations.push({ formateurId: o.row.id, responsableId: r });
  }

  // ---- Transmission state of the teaching CFAs; a pure responsable follows its formateurs.
  const teachingCfas = cfas.filter((o) => o.row.nature !== "responsable");
  const lastDay = todayDay - 1;
  // The first CFA of each département always transmits: the others carry the national rates.
  const boost = teachingCfas.length / Math.max(1, teachingCfas.length - firstOfDept.size);
  for (const o of teachingCfas) {
    const row = o.row;
    const family = FAMILIES[o.family];
    o.size = Math.exp(0.85 * normal(rng)) * family.size;
    const forced = firstOfDept.has(o);
    const r = rng();
    let state: "never" | "stale" | "ageing" | "fresh" = forced
      ? "fresh"
      : r < 0.08 * boost
        ? "never"
        : r < 0.15 * boost
          ? "stale"
          : r < 0.24 * boost
            ? "ageing"
            : "fresh";
    if (!forced && rng() < 0.02 * boost) {
      row.etatAdministratif = "ferme";
      if (state === "fresh" || state === "ageing") state = "stale";
    }
    row.erp = weighted(rng, ERPS);
    row.modeTransmission = rng() < 0.75 ? "API" : "FICHIER";
    if (row.modeTransmission === "FICHIER" && rng() < 0.4) row.erp = null;
    o.erpIdPrefix = erpPrefix(row.erp, rng);
    if (state === "never") {
      row.modeTransmission = null;
      if (rng() < 0.5) row.erp = null;
      continue;
    }
    const last =
      state === "fresh" ? lastDay - int(rng, 0, 5) : state === "ageing" ? lastDay - int(rng, 7, 85) : lastDay - int(rng, 95, 420);
    const first = rng() < 0.82 ? windowStart - int(rng, 0, 1100) : Math.min(last, windowStart + int(rng, 0, Math.max(0, last - windowStart)));
    row.firstTransmissionAt = timestamp(Math.min(first, last), int(rng, 60, 300));
    row.lastTransmissionAt = timestamp(last, int(rng, 60, 300));
    if (row.lastTransmissionAt < row.firstTransmissionAt) row.firstTransmissionAt = row.lastTransmissionAt;
    o.cutoff = last;
  }
  for (const o of cfas) {
    if (o.row.nature !== "responsable") continue;
    const formateurs = teachingCfas.filter((f) => f.responsables[0] === o.row.id && f.row.lastTransmissionAt);
    if (formateurs.length === 0) continue;
    const best = formateurs.reduce((a, b) => (a.row.lastTransmissionAt! > b.row.lastTransmissionAt! ? a : b));
    o.row.erp = best.row.erp;
    o.row.modeTransmission = best.row.modeTransmission;
    o.row.firstTransmissionAt = formateurs.reduce((a, b) => (a.row.firstTransmissionAt! < b.row.firstTransmissionAt! ? a : b)).row.firstTransmissionAt;
    o.row.lastTransmissionAt = best.row.lastTransmissionAt;
  }

  // ---- Offers: formations matching the family's domains and levels.
  const byFamily = new Map<FamilyKey, FormationInfo[]>();
  for (const key of FAMILY_KEYS) {
    const f = FAMILIES[key];
    const list = formations.filter((x) => f.domains.includes(x.domain) && x.row.niveau! >= f.niveaux[0] && x.row.niveau! <= f.niveaux[1]);
    byFamily.set(key, list.length > 0 ? list : formations);
  }
  for (const o of teachingCfas) {
    const candidates = byFamily.get(o.family)!;
    const want = Math.max(2, Math.min(candidates.length, Math.round(3 + o.size * 6 + rng() * 6)));
    const cum = cumulative(candidates.map((c) => c.weight));
    const chosen = new Set<FormationInfo>();
    for (let tries = 0; chosen.size < want && tries < want * 20; tries++) chosen.add(candidates[pickIndex(cum, rng())]);
    o.offer = [...chosen].sort((a, b) => a.row.id - b.row.id);
    o.offerCum = cumulative(o.offer.map((f) => f.weight));
  }

  // ---- Lieux de formation: attached to teaching CFAs, in their département.
  const lieuHosts = teachingCfas;
  const hostCum = cumulative(lieuHosts.map((o) => 0.3 + o.size));
  for (let i = 0; i < nbLieux; i++) {
    const host = lieuHosts[pickIndex(hostCum, rng())];
    const dept = host.dept;
    const siret = rng() < 0.6 ? ids.siret(host.row.siret.slice(0, 9)) : ids.siret(ids.siren(""));
    const ville = dept.villes[pickIndex(dept.villesCum, rng())];
    const name = weighted(rng, [
      [elide(`${host.row.raisonSociale} — site de ${ville.nom.replace(/ \d+(er|e) Arrondissement$/, "")}`), 5],
      [elide(`Plateau technique de ${ville.nom.replace(/ \d+(er|e) Arrondissement$/, "")}`), 1],
      [`Antenne ${host.row.raisonSociale}`, 1],
    ] as const);
    const lieu = newOrg("lieu", host.family, dept, name.replace(/[{}]/g, ""), siret, rng() < 0.1);
    lieu.row.reseaux = [...(host.row.reseaux ?? [])];
    lieu.row.qualiopi = host.row.qualiopi;
    host.lieux.push(lieu);
  }

  const teaching = teachingCfas.filter((o) => o.cutoff !== null);
  return { orgs, relations, teaching };
}

function erpPrefix(erp: string | null | undefined, rng: Rng): string {
  switch (erp) {
    case "Ypareo":
      return "";
    case "Gesti":
      return "GE";
    case "SC Form":
      return "SC-";
    case "FCA Manager":
      return "FCA";
    case "Aimaira":
      return "AIM-";
    case null:
    case undefined:
      return "APP";
    default:
      return pick(rng, ["", "A", "ID", "E"]);
  }
}

// ================================================================================================ effectifs

const AGE_MOYEN: Record<number, number> = { 3: 16.2, 4: 16.9, 5: 18.7, 6: 20.5, 7: 21.9 };
const SHARE_MALE: Record<Domain, number> = {
  btp: 0.96,
  energie: 0.95,
  auto: 0.95,
  industrie: 0.85,
  commerce: 0.48,
  tertiaire: 0.38,
  informatique: 0.85,
  hotellerie: 0.62,
  alimentation: 0.6,
  coiffure: 0.1,
  sante_social: 0.12,
  agriculture: 0.7,
  transport: 0.82,
  sport: 0.6,
};

interface Contract {
  debut: number;
  fin: number;
  rupture: number | null;
  cause: string | null;
  siret: string;
}

/** The SIRET of employer number `index` (a pool of effectifs / 3 employers, never held in memory). */
function employerSiret(seed: number, index: number): string {
  const r = mulberry32(mix(seed ^ 0x5bd1e995, index));
  let siren = String(int(r, 3, 9)) + digits(r, 7);
  siren += luhnCompletion(siren);
  if (siren === "356000000") siren = "356000018";
  const nic = String(int(r, 1, 60)).padStart(4, "0");
  return siren + nic + luhnCompletion(siren + nic);
}

function statutAtDay(parcours: ParcoursStep[], dayIso: string): Statut | null {
  let statut: Statut | null = null;
  for (let i = 0; i < parcours.length; i++) {
    if (parcours[i].date > dayIso) break;
    statut = parcours[i].statut;
  }
  return statut;
}

export function createDemoWorld(options: DemoOptions, territories: DemoTerritories): DemoWorld {
  if (!Number.isInteger(options.effectifs) || options.effectifs < 0) throw new Error("effectifs : entier positif attendu");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new Error("today : date AAAA-MM-JJ attendue");
  const seed = options.seed >>> 0;
  const rng = mulberry32(mix(seed, 0x7a3b));
  const todayDay = toDay(options.today);
  const current = schoolYearOf(todayDay);
  const windowFirst = current - 2;
  const windowStart = day(windowFirst, 8, 1);
  const anneesScolaires = [windowFirst, windowFirst + 1, current].map((y) => `${y}-${y + 1}`);

  const depts = buildDepartements(territories);
  if (depts.length === 0) throw new Error("Aucun département : données territoriales vides");
  const nbFormations = Math.max(60, Math.round(300 * Math.pow(Math.max(options.effectifs, 1) / 50_000, 0.62)));
  const formations = buildFormations(rng, nbFormations, todayDay);
  const { orgs, relations, teaching } = buildOrganismes(rng, options, depts, formations, todayDay, windowStart);
  const teachingCum = cumulative(teaching.map((o) => o.size));
  const nbEmployers = Math.max(500, Math.round(options.effectifs / 3));
  const regionDepts = new Map<string, DeptInfo[]>();
  for (const d of depts) regionDepts.set(d.regionCode, [...(regionDepts.get(d.regionCode) ?? []), d]);
  const metroDepts = depts.filter((d) => d.code.length === 2);

  function* effectifs(): Generator<EffectifBundle> {
    if (teaching.length === 0) return;
    let effectifId = 0;
    let contratId = 0;
    let statutId = 0;
    const total = options.effectifs;
    let idle = 0; // consecutive learners producing no row (guards against an endless loop on odd inputs)
    for (let cycle = 0; effectifId < total; cycle++) {
      if (++idle > 100_000) throw new Error("Génération impossible : aucun effectif ne tombe dans les trois années scolaires");
      const r = mulberry32(mix(seed, cycle + 1));
      const org = teaching[pickIndex(teachingCum, r())];
      const formation = org.offer[pickIndex(org.offerCum, r())];
      const cutoff = org.cutoff!;
      const kind = formation.kind;
      const years = formation.row.dureeAnnees!;

      // ---- Formation dates (true life, then censored at the organisme's last transmission).
      let entree: number;
      let fin: number;
      let calendar = false;
      if (kind.rolling) {
        const y = int(r, windowFirst - 1, current);
        entree = day(y, 8, 1) + int(r, 0, 364);
        fin = entree + Math.round(formation.row.dureeMois! * 30.44) + int(r, -15, 15);
        calendar = yearOf(entree) === yearOf(fin);
      } else {
        const y = int(r, windowFirst - (years - 1), current);
        const u = r();
        const offset = u < 0.05 ? int(r, -16, -1) : u < 0.62 ? int(r, 0, 29) : u < 0.88 ? int(r, 30, 75) : u < 0.97 ? int(r, 76, 180) : int(r, 181, 300);
        entree = day(y, 9, 1) + offset;
        fin = day(y + years, 6, 30) + int(r, -25, 20);
        if (fin - entree < 150) fin = entree + 300;
      }
      if (entree > cutoff) continue;
      const inscription = entree - (r() < 0.7 ? int(r, 0, 120) : 0);

      // ---- Contracts.
      const contracts: Contract[] = [];
      let exclusion: number | null = null;
      let causeExclusion: string | null = null;
      const employer = (): string => employerSiret(seed, int(r, 0, nbEmployers - 1));
      const contractEnd = (): number => {
        const u = r();
        return u < 0.5 ? fin : u < 0.8 ? fin + int(r, 1, 60) : fin - int(r, 1, 20);
      };
      const start = r();
      let firstDebut: number | null;
      if (start < 0.87) {
        const u = r();
        firstDebut = u < 0.15 ? entree - int(r, 1, 45) : u < 0.75 ? entree + int(r, 0, 14) : entree + int(r, 15, 60);
      } else {
        const u = r();
        firstDebut = u < 0.55 ? entree + int(r, 10, 90) : u < 0.63 ? entree + int(r, 91, 150) : null;
      }
      let debut = firstDebut;
      while (debut !== null && debut < fin - 20 && contracts.length < 4) {
        let siret = employer();
        while (contracts.length > 0 && siret === contracts[contracts.length - 1].siret) siret = employer();
        const c: Contract = { debut, fin: contractEnd(), rupture: null, cause: null, siret };
        contracts.push(c);
        debut = null;
        if (r() < (contracts.length === 1 ? 0.15 : 0.1)) {
          const length = c.fin - c.debut;
          const rupture = c.debut + (r() < 0.35 ? int(r, 3, 45) : int(r, 1, Math.max(1, length)));
          if (rupture < c.fin) {
            c.rupture = rupture;
            c.cause = rupture - c.debut <= 45 ? "Rupture pendant la période d'essai" : pick(r, CAUSES_RUPTURE);
            if (r() < 0.5) {
              debut = rupture + (r() < 0.6 ? int(r, 7, 60) : int(r, 61, 170));
            } else if (r() < 0.15) {
              exclusion = rupture + int(r, 30, 200);
              causeExclusion = "Abandon de formation";
            }
          }
        }
      }
      if (firstDebut === null && r() < 0.3) {
        exclusion = entree + int(r, 95, 160);
        causeExclusion = "Absence de contrat d'apprentissage";
      }
      if (exclusion === null && r() < 0.02) {
        exclusion = entree + int(r, 20, Math.max(21, fin - entree - 30));
        causeExclusion = pick(r, CAUSES_EXCLUSION);
        for (let i = 0; i < contracts.length; i++) {
          const c = contracts[i];
          if (c.debut >= exclusion) {
            contracts.length = i;
            break;
          }
          if (c.rupture === null && c.fin >= exclusion) {
            c.rupture = exclusion - int(r, 0, 10);
            if (c.rupture <= c.debut) c.rupture = c.debut + 1;
            c.cause = "Rupture à l'initiative de l'apprenti";
          }
        }
      }
      if (exclusion !== null && exclusion >= fin) {
        exclusion = null;
        causeExclusion = null;
      }

      // ---- Censoring: what the ERP knows at its last transmission.
      const known: Contract[] = [];
      for (const c of contracts) {
        if (c.debut > cutoff) break;
        known.push(c.rupture !== null && c.rupture > cutoff ? { ...c, rupture: null, cause: null } : c);
      }
      if (exclusion !== null && exclusion > cutoff) {
        exclusion = null;
        causeExclusion = null;
      }
      const lastContract = known[known.length - 1];
      let obtention: boolean | null = null;
      let dateObtention: number | null = null;
      if (exclusion === null && fin <= cutoff) {
        const completed = lastContract !== undefined && lastContract.rupture === null;
        const u = r();
        if (u < (completed ? 0.8 : 0.35)) {
          obtention = true;
          dateObtention = Math.min(cutoff, fin - int(r, 0, 25));
        } else if (u < 0.92) obtention = false;
      }

      const finIso = iso(fin);
      const input = {
        date_entree_formation: iso(entree),
        date_fin_formation: finIso,
        date_exclusion_formation: exclusion === null ? null : iso(exclusion),
        contrats: known.map((c) => ({
          date_debut: iso(c.debut),
          date_fin: iso(c.fin),
          date_rupture: c.rupture === null ? null : iso(c.rupture),
        })),
      };
      const parcours = computeParcours(input);

      // ---- Which school years this learner is sent for.
      const records: { annee: string; anneeFormation: number; until: number }[] = [];
      if (calendar) {
        const y = yearOf(entree);
        if (y >= windowFirst) records.push({ annee: `${y}-${y}`, anneeFormation: 1, until: Math.min(cutoff, day(y, 12, 31)) });
      } else {
        let index = 0;
        for (let y = schoolYearOf(entree); y <= schoolYearOf(fin); y++) {
          const from = Math.max(entree, day(y, 8, 1));
          const to = Math.min(fin, day(y + 1, 7, 31));
          if (to - from < 30 && !(y === schoolYearOf(entree) && schoolYearOf(fin) === y)) continue;
          index++;
          if (day(y, 8, 1) > cutoff || y > current) break;
          if (index > 1) {
            const s = statutAtDay(parcours, iso(day(y, 8, 1)));
            if (s !== "APPRENTI" && s !== "INSCRIT" && s !== "RUPTURANT") break;
          }
          if (y >= windowFirst) {
            records.push({ annee: `${y}-${y + 1}`, anneeFormation: index, until: Math.min(cutoff, day(y + 1, 7, 31)) });
          }
        }
      }
      if (records.length === 0) continue;

      // ---- The learner.
      const male = r() < SHARE_MALE[formation.domain];
      const prenom = pick(r, male ? PRENOMS_M : PRENOMS_F);
      const nom = pick(r, NOMS);
      let ageEntree = (AGE_MOYEN[formation.row.niveau!] ?? 19) + Math.abs(normal(r)) * (r() < 0.92 ? 1.5 : 4.5);
      if (kind.rolling && r() < 0.4) ageEntree += int(r, 2, 9);
      let ageToday = ageEntree + (todayDay - entree) / 365.25;
      if (ageToday > 30.8) ageToday = 24 + r() * 6.8;
      if (ageToday < 15.1) ageToday = 15.1 + r() * 0.8;
      let naissance = todayDay - Math.round(ageToday * 365.25) - int(r, 0, 20);
      if (naissance > entree - Math.round(15.05 * 365.25)) naissance = entree - Math.round(15.05 * 365.25) - int(r, 0, 60);
      if (naissance < todayDay - Math.round(30.9 * 365.25)) naissance = todayDay - Math.round(30.9 * 365.25) + int(r, 1, 30);
      const mineur = entree - naissance < 18 * 365.25;
      const dept = r() < 0.82 ? org.dept : r() < 0.8 ? pick(r, regionDepts.get(org.dept.regionCode)!) : pick(r, depts);
      const commune = dept.communes[pickIndex(dept.communesCum, r())];
      let naissanceCommune: CommuneRef | null = null;
      const un = r();
      if (un < 0.65) naissanceCommune = dept.communes[pickIndex(dept.communesCum, r())];
      else if (un < 0.88) {
        const d2 = pick(r, metroDepts);
        naissanceCommune = d2.communes[pickIndex(d2.communesCum, r())];
      }
      const prenomA = ascii(prenom);
      const nomA = ascii(nom);
      const email =
        r() < 0.86 ? `${prenomA}.${nomA}${r() < 0.4 ? int(r, 1, 99) : ""}@${weighted(r, MAIL_DOMAINS)}`.replace(/-/g, r() < 0.5 ? "" : "-") : null;
      const telephone = r() < 0.88 ? `0${r() < 0.6 ? 6 : 7}${digits(r, 8)}` : null;
      const ine = r() < 0.45 ? `${digits(r, 10)}${"ABCDEFGHJKLMNPRSTUVWXYZ"[int(r, 0, 22)]}` : null;
      const rqth = r() < 0.015;
      const parentPrenom = pick(r, r() < 0.5 ? PRENOMS_F : PRENOMS_M);
      const responsableMail1 = mineur && r() < 0.75 ? `${ascii(parentPrenom)}.${nomA}@${weighted(r, MAIL_DOMAINS)}` : null;
      const responsableMail2 =
        responsableMail1 && r() < 0.3 ? `${ascii(pick(r, PRENOMS_M))}.${nomA}@${weighted(r, MAIL_DOMAINS)}` : null;
      const lieu = org.lieux.length > 0 && r() < 0.5 ? pick(r, org.lieux) : null;
      const responsableId = org.responsables.length > 1 && r() < 0.2 ? org.responsables[1] : org.responsables[0];
      const idErp = `${org.erpIdPrefix}${String(1_000_000 + cycle)}`;
      const adresse = r() < 0.92 ? `${int(r, 1, 180)} ${pick(r, VOIES)} ${pick(r, NOMS_VOIES)}` : null;
      const presentielle = r() < 0.96 ? true : r() < 0.5 ? false : null;
      const nir = r() < 0.3;
      const withCfd = r() < 0.97;
      const withRncp = r() < 0.85;
      const dateRqth = rqth ? iso(entree - int(r, 30, 1500)) : null;
      const custom = r() < 0.1;

      idle = 0;
      for (let k = 0; k < records.length && effectifId < total; k++) {
        const rec = records[k];
        effectifId++;
        // ERP statut at the last update of this record.
        const untilIso = iso(rec.until);
        const s = statutAtDay(parcours, untilIso);
        let statutErp: number;
        let dateStatut = entree;
        if (exclusion !== null && exclusion <= rec.until) {
          statutErp = 0;
          dateStatut = exclusion;
        } else if (s === "APPRENTI") statutErp = 3;
        else if (s === "ABANDON") statutErp = rec.until % 10 < 7 ? 0 : 2;
        else if (s === "FIN_DE_FORMATION") statutErp = lastContract && lastContract.rupture === null ? 3 : 2;
        else statutErp = 2;
        if (statutErp !== 0) {
          for (const c of known) {
            if (c.debut <= rec.until && c.debut > dateStatut) dateStatut = c.debut;
            if (c.rupture !== null && c.rupture <= rec.until && c.rupture > dateStatut) dateStatut = c.rupture;
          }
        } else if (exclusion === null) {
          const abandon = parcours.find((p) => p.statut === "ABANDON");
          if (abandon) dateStatut = toDay(abandon.date);
        }
        if (dateStatut > rec.until) dateStatut = rec.until;
        const firstStatut = known.length > 0 && known[0].debut <= entree ? 3 : 2;
        const effectif: EffectifRow = {
          id: effectifId,
          organismeFormateurId: org.row.id,
          organismeResponsableId: responsableId,
          organismeLieuId: lieu ? lieu.row.id : null,
          formationId: formation.row.id,
          anneeScolaire: rec.annee,
          idErpApprenant: idErp,
          nom,
          prenom,
          dateDeNaissance: iso(naissance),
          ine,
          email,
          telephone,
          adresse,
          codePostal: commune.codePostal[0],
          codePostalNaissance: naissanceCommune ? naissanceCommune.codePostal[0] : null,
          codeCommuneInsee: commune.code,
          codeCommuneInseeNaissance: naissanceCommune ? naissanceCommune.code : null,
          sexe: male ? "M" : "F",
          rqth,
          dateRqth,
          responsableMail1,
          responsableMail2,
          nirFourni: nir,
          derniereSituation: null,
          dernierOrganismeUai: null,
          typeCfa: FAMILIES[org.family].typeCfa,
          formationCfd: withCfd ? formation.row.cfd : null,
          formationRncp: withRncp ? formation.row.rncp : null,
          libelleCourtFormation: formation.row.intituleCourt,
          anneeFormation: rec.anneeFormation,
          dureeTheoriqueMois: formation.row.dureeMois,
          formationPresentielle: presentielle,
          dateInscriptionFormation: iso(inscription),
          dateEntreeFormation: input.date_entree_formation,
          dateFinFormation: finIso,
          dateExclusionFormation: input.date_exclusion_formation,
          causeExclusionFormation: causeExclusion,
          obtentionDiplome: obtention,
          dateObtentionDiplome: dateObtention === null ? null : iso(dateObtention),
          referentHandicapNom: rqth ? org.referent.nom : null,
          referentHandicapPrenom: rqth ? org.referent.prenom : null,
          referentHandicapEmail: rqth ? org.referent.email : null,
          lieuUai: lieu ? lieu.row.uai : null,
          lieuSiret: lieu ? lieu.row.siret : null,
          lieuAdresse: lieu ? lieu.row.adresse : null,
          lieuCodePostal: lieu ? lieu.row.codePostal : null,
          statutApprenant: statutErp,
          dateMetierMiseAJourStatut: timestamp(dateStatut, 0),
          customStatutApprenant: custom ? (statutErp === 3 ? "Apprenti" : statutErp === 2 ? "Inscrit" : "Abandon") : null,
          parcours,
          source: "DEMO",
        };
        const contratRows: ContratRow[] = new Array(known.length);
        for (let i = 0; i < known.length; i++) {
          const c = known[i];
          contratRows[i] = {
            id: ++contratId,
            effectifId,
            rang: i + 1,
            siretEmployeur: c.siret,
            dateDebut: iso(c.debut),
            dateFin: iso(c.fin),
            dateRupture: c.rupture === null ? null : iso(c.rupture),
            causeRupture: c.cause,
          };
        }
        const received = (d: number): Date => timestamp(Math.min(d + 1, cutoff), 60 + (effectifId % 240));
        const statutsErp: StatutErpRow[] = [
          {
            id: ++statutId,
            effectifId,
            statutApprenant: firstStatut,
            dateMetierMiseAJourStatut: timestamp(Math.min(entree, rec.until), 0),
            receivedAt: received(Math.min(entree, rec.until)),
          },
        ];
        if (statutErp !== firstStatut) {
          statutsErp.push({
            id: ++statutId,
            effectifId,
            statutApprenant: statutErp,
            dateMetierMiseAJourStatut: effectif.dateMetierMiseAJourStatut,
            receivedAt: received(dateStatut),
          });
        }
        yield { effectif, contrats: contratRows, statutsErp };
      }
    }
  }

  function* effectifChunks(size = 25_000): Generator<EffectifBundle[]> {
    let chunk: EffectifBundle[] = [];
    for (const bundle of effectifs()) {
      chunk.push(bundle);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  const offres = new Map<string, OffreFormationRow>();
  for (const o of orgs) {
    const offre = (formation: FormationInfo, site: OrganismeRow) => {
      const row = {
        formationId: formation.row.id,
        organismeFormateurId: o.row.id,
        organismeResponsableId: o.responsables.find((r) => r !== o.row.id) ?? null,
        codeCommuneLieu: site.codeCommune ?? null,
      };
      offres.set(`${row.formationId}|${row.organismeFormateurId}|${row.organismeResponsableId}|${row.codeCommuneLieu}`, row);
    };
    for (const formation of o.offer) offre(formation, o.row);
    if (o.offer.length) o.lieux.forEach((lieu, k) => offre(o.offer[k % o.offer.length], lieu.row));
  }

  return {
    options,
    anneesScolaires,
    organismes: orgs.map((o) => o.row),
    relations,
    formations: formations.map((f) => f.row),
    offres: [...offres.values()],
    effectifs,
    effectifChunks,
  };
}
