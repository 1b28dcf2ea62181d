/**
 * Named export of a CFA's learners (issue 7, item 8): the list's filters, every row, with the statut and the
 * dropout signals at the date. CSV (UTF-8 with BOM, `;`, streamed page by page; dates JJ/MM/AAAA) or XLSX (real
 * dates, codes as text: decision 019). Each download is written
 * to the audit log of named lists (list "tous", action "download", the filters and the row count) before the
 * first byte is sent. Contact fields only when the viewer may see them (canSeeContacts).
 */
import type { Database } from "../../db/client.server";
import { logNamedListAccess, type NamedList, type Viewer } from "../auth/policy.server";
import { NO_STORE } from "../auth/responses.server";
import { dateValue, toCsv, type CsvValue } from "../shared/csv";
import { XLSX_CONTENT_TYPE } from "../shared/xlsx.server";
import { xlsxEnFlux } from "../exports/xlsx-flux.server";
import { fluxWeb } from "../shared/flux.server";
import type { EspaceCfa } from "./acces.server";
import { statutOfEtat, type Etat } from "../indicateurs/etats";
import { LIBELLES_STATUT, filtresPourJournal, type FiltresApprenants } from "./apprenants";
import { compterApprenants, parcourirApprenants, type LigneApprenant, type Perimetre } from "./apprenants.server";

/** Largest export (rows); above, the user is asked to narrow the filters. */
export const MAX_LIGNES_EXPORT = 100_000;

function colonnes(contacts: boolean): string[] {
  return [
    "Nom",
    "Prénom",
    "Date de naissance",
    "Identifiant ERP",
    "Année scolaire",
    "Année de formation",
    "Formation",
    "Code CFD",
    "Code RNCP",
    "Organisme formateur",
    "Date d'entrée en formation",
    "Date de fin de formation",
    "Date de référence",
    "Statut à la date",
    "Compté à la date",
    "Jours sans contrat",
    "Rupturant",
    "Sans contrat",
    "Abandon",
    "À risque",
    "Mineur à la date",
    "RQTH à la date",
    ...(contacts ? ["E-mail", "Téléphone"] : []),
  ];
}

const ouiNon = (b: boolean) => (b ? "oui" : "non");

function cellules(l: LigneApprenant, date: string, contacts: boolean): CsvValue[] {
  // the counters' columns (days, flags, à risque) are those of a learner counted at the date; one whose année
  // scolaire is not counted then (an earlier year's, a later one's) has none: empty cells, not "non" beside its statut
  const compte = l.etat !== null;
  const statut = compte ? statutOfEtat(l.etat as Etat) : null;
  const drapeau = (b: boolean) => (compte ? ouiNon(b) : "");
  return [
    l.nom,
    l.prenom,
    dateValue(l.dateDeNaissance),
    l.idErpApprenant,
    l.anneeScolaire,
    l.anneeFormation,
    l.formation,
    l.formationCfd,
    l.formationRncp,
    l.organismeFormateur,
    dateValue(l.dateEntreeFormation),
    dateValue(l.dateFinFormation),
    dateValue(date),
    l.statut ? LIBELLES_STATUT[l.statut] : "",
    ouiNon(compte),
    l.joursSansContrat,
    drapeau(statut === "RUPTURANT"),
    drapeau(statut === "INSCRIT"),
    drapeau(statut === "ABANDON"),
    drapeau(l.aRisque),
    ouiNon(l.mineur),
    ouiNon(l.rqth),
    ...(contacts ? [l.email ?? "", l.telephone ?? ""] : []),
  ];
}

/** What an export is of: whose learners, whether with contacts, and how the audit log and the file name call it. */
export interface CibleExport {
  perimetre: Perimetre;
  contacts: boolean;
  list: NamedList;
  /** Filters written to the audit log before the list's own (e.g. the organisme, the département). */
  journal: Record<string, unknown>;
  /** File name without extension. */
  fichier: string;
  /** What the request's filters got wrong (French): the export is refused rather than made with other filters. */
  erreurs: readonly string[];
}

/** The export of a CFA space's learners. */
export function cibleEspace(
  espace: Pick<EspaceCfa, "organismeId" | "organismeIds" | "contacts">,
  f: FiltresApprenants,
  erreurs: readonly string[],
): CibleExport {
  return {
    erreurs,
    perimetre: espace,
    contacts: espace.contacts,
    list: "tous",
    journal: { organisme: espace.organismeId },
    fichier: `apprenants-organisme-${espace.organismeId}-${f.date}`,
  };
}

export async function exporterApprenants(
  database: Database,
  viewer: Viewer,
  cible: CibleExport,
  f: FiltresApprenants,
  format: "csv" | "xlsx",
): Promise<Response> {
  if (cible.erreurs.length) {
    return new Response(
      `Export impossible : ${cible.erreurs.join(" ")} Corrigez les filtres sur la page de la liste, puis relancez l'export.`,
      { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  }
  const espace = { contacts: cible.contacts };
  const total = await compterApprenants(database, cible.perimetre, f);
  if (total > MAX_LIGNES_EXPORT) {
    return new Response(
      `L'export compte ${total} lignes, au-delà de la limite de ${MAX_LIGNES_EXPORT} : affinez les filtres (année scolaire, formation…) et recommencez.`,
      { status: 413, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  }
  await logNamedListAccess(database, viewer, {
    list: cible.list,
    action: "download",
    filters: { ...cible.journal, format, ...filtresPourJournal(f) },
    rowCount: total,
  });
  const header = colonnes(espace.contacts);
  const name = cible.fichier;
  // streamed as the rows are read, CSV and XLSX alike: a national named list (tens of thousands of minors) is never
  // held whole in the server's memory
  if (format === "xlsx") {
    const feuille = (async function* () {
      yield header;
      for await (const page of parcourirApprenants(database, cible.perimetre, f, espace.contacts)) {
        for (const l of page) yield cellules(l, f.date, espace.contacts);
      }
    })();
    return new Response(fluxWeb(xlsxEnFlux([{ nom: "Apprenants", lignes: feuille }]), "export d'une liste interrompu"), {
      headers: { ...NO_STORE, "Content-Type": XLSX_CONTENT_TYPE, "Content-Disposition": `attachment; filename="${name}.xlsx"` },
    });
  }
  const csv = (async function* () {
    yield toCsv([header]);
    for await (const page of parcourirApprenants(database, cible.perimetre, f, espace.contacts)) {
      yield toCsv(page.map((l) => cellules(l, f.date, espace.contacts)), { bom: false });
    }
  })();
  const stream = fluxWeb(csv, "export d'une liste interrompu");
  return new Response(stream, {
    headers: { ...NO_STORE, "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${name}.csv"` },
  });
}
