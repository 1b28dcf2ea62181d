/** UI pieces of the CFA space (browser-safe). */
import type { ReactNode } from "react";
import { Link } from "@remix-run/react";
import type { Statut } from "../statut/engine";
import type { DerniereTransmission } from "./espace.server";
import { SelectField } from "../referentiel/components";
import { BADGES_STATUT, LIBELLES_STATUT, TAILLES_PAGE, type FiltresApprenants } from "./apprenants";
import { CONSEIL_XLSX, majuscule, pluriel } from "../ui/format";
import type { LigneResume } from "./erreurs";

/** "des 30 derniers jours", "des 12 derniers mois": a period of the transmissions' page (FENETRES). */
export function libellePeriode(jours: number): string {
  return jours === 365 ? "des 12 derniers mois" : `des ${jours} derniers jours`;
}

/**
 * What the transmissions' page says once another period is chosen (its status message): the period and its counters,
 * « Transmissions des 90 derniers jours : 12 transmissions, 340 dossiers reçus, 330 acceptés, 10 refusés. »
 */
export function annoncePeriode(jours: number, total: { transmissions: number; recus: number; acceptes: number; refuses: number }): string {
  const chiffres = total.transmissions
    ? [
        pluriel(total.transmissions, "transmission"),
        pluriel(total.recus, "dossier reçu", "dossiers reçus"),
        pluriel(total.acceptes, "accepté"),
        pluriel(total.refuses, "refusé"),
      ].join(", ")
    : "aucune transmission sur cette période";
  return `Transmissions ${libellePeriode(jours)} : ${chiffres}.`;
}

/** A learner's formation codes: "CFD 50022141 · RNCP12345", "" without any. */
export function codesFormation(cfd: string | null, rncp: string | null): string {
  return [cfd && `CFD ${cfd}`, rncp].filter(Boolean).join(" · ");
}

/** The transmission modes (organismes.mode_transmission, transmissions.source), named alike everywhere in the space. */
export const MODES_TRANSMISSION: Record<string, string> = { API: "API", FICHIER: "Téléversement de fichier" };

/** "API", "Téléversement de fichier", or `sinon` for an unknown or unset mode. */
export function libelleMode(mode: string | null | undefined, sinon = "–"): string {
  return (mode && MODES_TRANSMISSION[mode]) || sinon;
}

/** How the last transmission came: « téléversement de fichier « effectifs.csv », logiciel Ypareo », « API, ERP SC Form »… */
export function descriptionTransmission(t: DerniereTransmission): string {
  const parts = [
    t.source === "FICHIER" ? `téléversement de fichier${t.fileName ? ` « ${t.fileName} »` : ""}` : libelleMode(t.source),
    t.erp ? `${t.source === "FICHIER" ? "logiciel" : "ERP"} ${t.erp}` : null,
    t.expediteur ? `envoyée par ${t.expediteur}, votre responsable` : null,
  ];
  return parts.filter(Boolean).join(", ");
}

/** "1re année", "2e année"… */
export function libelleAnneeFormation(n: number): string {
  return n === 1 ? "1re année" : `${n}e année`;
}

/** "12/03/2025 à 02:14" (Paris time). */
export function formatDateHeure(iso: string | null | undefined): string {
  if (!iso) return "–";
  const parts = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("day")}/${get("month")}/${get("year")} à ${get("hour")}:${get("minute")}`;
}

/** "02:14" (Paris time). */
export function formatHeure(iso: string): string {
  return new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function StatutBadge({ statut }: { statut: Statut | null }) {
  if (!statut) return <span className="fr-text--sm">Hors période</span>;
  return <p className={`fr-badge fr-badge--sm fr-badge--no-icon ${BADGES_STATUT[statut]}`}>{LIBELLES_STATUT[statut]}</p>;
}

/**
 * A headline figure; with `href`, the whole tile leads to the list of what it counts (the link reads the figure and
 * its label).
 */
export function Chiffre({ valeur, libelle, detail, testId, href }: { valeur: ReactNode; libelle: string; detail?: string; testId?: string; href?: string }) {
  return (
    <div className={`fr-tile stat-card${href ? " fr-enlarge-link" : ""}`} data-testid={testId}>
      <div className="fr-tile__body">
        <p className="fr-tile__title fr-h3 fr-mb-0">
          {href ? (
            <Link to={href}>
              {valeur}
              <span className="fr-sr-only">{` ${libelle}`}</span>
            </Link>
          ) : (
            valeur
          )}
        </p>
        <p className="fr-tile__desc" aria-hidden={href ? true : undefined}>
          {libelle}
        </p>
        {detail ? <p className="fr-tile__detail fr-text--xs">{detail}</p> : null}
      </div>
    </div>
  );
}

/**
 * The `handle` of a page of the CFA space below a section (a day of the transmissions, a learner): its name in the
 * breadcrumb, after the section's (app/routes/cfa.$organismeId.tsx), from its loader's data.
 */
export interface HandleFilAriane {
  filAriane: (data: unknown) => string | null;
}

export function titreEspace(section: string, matches: { id: string; data?: unknown }[]): string {
  const nom = (matches.find((m) => m.id === "routes/cfa.$organismeId")?.data as { entete?: { nom: string } } | undefined)?.entete?.nom;
  return [section, nom, "Espace CFA - Tableau de bord de l'apprentissage"].filter(Boolean).join(" - ");
}

// ------------------------------------------------------------------------ the form and links of a learners' list
// (a CFA space's list and the named lists of a territory, app/routes/listes.$liste.tsx)

/** The search field of a learners' list. */
export function ChampRechercheApprenants({ q }: { q: string | undefined }) {
  return (
    <div className="fr-input-group">
      <label className="fr-label" htmlFor="q">
        Rechercher
        <span className="fr-hint-text">Nom, prénom, identifiant ERP, code ou intitulé de formation</span>
      </label>
      <input className="fr-input" type="search" id="q" name="q" defaultValue={q ?? ""} />
    </div>
  );
}

/** The page size of a learners' list. */
export function ChampTaillePage({ label, limit }: { label: string; limit: number }) {
  return (
    <SelectField
      id="limit"
      name="limit"
      label={label}
      value={String(limit)}
      empty="25"
      options={TAILLES_PAGE.filter((n) => n !== 25).map((n) => ({ value: String(n), label: String(n) }))}
    />
  );
}

/** The sort chosen in the table's headers, kept when the filters are submitted. */
export function TriConserve({ f }: { f: Pick<FiltresApprenants, "tri" | "ordre"> }) {
  return (
    <>
      {f.tri !== "nom" ? <input type="hidden" name="tri" value={f.tri} /> : null}
      {f.ordre !== "asc" ? <input type="hidden" name="ordre" value={f.ordre} /> : null}
    </>
  );
}

/** The CSV and Excel exports of a list (`href` without extension; `query` the list's filters), and which to open in Excel. */
export function LiensExport({ href, query }: { href: string; query: string }) {
  return (
    <div className="fr-col-auto">
      <p className="fr-mb-0">
        <a className="fr-link fr-icon-download-line fr-link--icon-left fr-mr-2w" href={`${href}.csv${query}`} download>
          Exporter (CSV)
        </a>
        <a className="fr-link fr-icon-download-line fr-link--icon-left" href={`${href}.xlsx${query}`} download>
          Exporter (Excel)
        </a>
      </p>
      <p className="fr-text--xs fr-mb-0" data-testid="conseil-xlsx">
        {CONSEIL_XLSX}
      </p>
    </div>
  );
}

/** Ways to fix a category of errors shown in full; the others are counted (their dossiers say how to fix them). */
const CONSEILS_MONTRES = 5;

/**
 * The recurring errors of a period or of a day, by category: the fields concerned, the dossiers, and how to fix
 * them, one advice per place where the fields are entered (the learner's record, the establishment's settings, the
 * contract, the formation…), each naming its fields when there are several.
 */
export function TableErreursRecurrentes({ lignes, caption, testId }: { lignes: LigneResume[]; caption: string; testId: string }) {
  return (
    <div className="fr-table" data-testid={testId}>
      <table tabIndex={0}>
        <caption className="fr-sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Erreur</th>
            <th scope="col">Champs concernés</th>
            <th scope="col">Dossiers</th>
            <th scope="col">Comment la corriger</th>
          </tr>
        </thead>
        <tbody>
          {lignes.map((r) => (
            <tr key={r.categorie} data-categorie={r.categorie}>
              <td>{r.libelle}</td>
              <td>
                {r.champs.slice(0, 4).join(", ")}
                {r.champs.length > 4 ? ` et ${pluriel(r.champs.length - 4, "autre")}` : ""}
              </td>
              <td>{pluriel(r.dossiers, "dossier")}</td>
              <td className="fr-text--sm" data-testid="conseils">
                {r.conseils.length === 1 ? (
                  r.conseils[0].explication
                ) : (
                  <ul className="fr-my-0">
                    {r.conseils.slice(0, CONSEILS_MONTRES).map((c) => (
                      <li key={c.explication}>
                        <strong>{majuscule(c.champs.slice(0, 4).join(", "))}{c.champs.length > 4 ? "…" : ""}</strong> : {c.explication.charAt(0).toLowerCase()}
                        {c.explication.slice(1)}
                      </li>
                    ))}
                    {r.conseils.length > CONSEILS_MONTRES ? (
                      <li>Autres cas : voir chaque dossier refusé, qui dit comment le corriger.</li>
                    ) : null}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
