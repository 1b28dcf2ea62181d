/**
 * UI pieces of the référentiel pages (browser-safe): GET filter forms that work without JavaScript, sortable
 * column headers (aria-sort), DSFR pagination, badges, empty states, breadcrumb, record tables.
 */
import { Link, useLocation } from "@remix-run/react";
import type { ReactNode } from "react";
import { formatDate, formatNombre, majuscule } from "~/ui/format";
import { FRAICHEUR_BADGES, FRAICHEUR_LABELS, libelleDepartement } from "./labels";
import type { OffreFormation } from "./catalogue.server";
import type { CodeInconnu } from "./repertoire.server";
import type { Page } from "~/shared/pagination";
import type { EtatFocus } from "~/ui/focus-navigation";
import { ariaErreur, MessageErreur } from "~/ui/champ-en-erreur";

/** A URL keeping the current search params, with some replaced (undefined/"" removes). */
export function withParams(search: string, changes: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === "") p.delete(k);
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : "?";
}

export function SortHeader({ label, column, tri, ordre, search }: { label: string; column: string; tri: string; ordre: "asc" | "desc"; search: string }) {
  const active = tri === column;
  const next = active && ordre === "asc" ? "desc" : "asc";
  return (
    <th scope="col" aria-sort={active ? (ordre === "asc" ? "ascending" : "descending") : "none"}>
      <Link to={withParams(search, { tri: column, ordre: next, page: undefined })} title={`Trier par ${label.toLowerCase()} (${next === "asc" ? "croissant" : "décroissant"})`}>
        {label}
        {active ? <span aria-hidden="true">{ordre === "asc" ? " ▲" : " ▼"}</span> : null}
      </Link>
    </th>
  );
}

/**
 * DSFR pagination of a list whose page is the search parameter `param` (page 1 without it). `voisines`: pages
 * shown on each side of the current one. `cible`: the id of the list's table. A page followed sends the focus to
 * that table, scrolled to its top (EtatFocus, app/ui/focus-navigation.ts): the new rows are read from their first
 * one, and the next Tab goes through them instead of on to the footer, whether the list is the page's or one table
 * among others (a dashboard's). Without JavaScript the link's fragment scrolls to the table.
 */
export function Pagination({
  page,
  pages,
  search,
  cible,
  label = "Pagination",
  param = "page",
  voisines = 2,
  className = "fr-mt-3w",
}: {
  page: number;
  pages: number;
  search: string;
  cible: string;
  label?: string;
  param?: string;
  voisines?: number;
  className?: string;
}) {
  if (pages <= 1) return null;
  const href = (p: number) => `${withParams(search, { [param]: p === 1 ? undefined : p })}#${cible}`;
  const etat: EtatFocus = { focus: cible };
  // the table takes the focus and is scrolled to: no scroll to the top of the page in between
  const lien = { state: etat, preventScrollReset: true };
  const proches = Array.from({ length: 2 * voisines + 1 }, (_, i) => page - voisines + i);
  const shown = [...new Set([1, ...proches, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  // a gap of one page shows that page: "…" standing for a single number hides it for nothing
  const around = shown.flatMap((p, i) => (i > 0 && p - shown[i - 1] === 2 ? [p - 1, p] : [p]));
  const items: ReactNode[] = [];
  around.forEach((p, i) => {
    if (i > 0 && p - around[i - 1] > 1) items.push(<li key={`gap-${p}`}><span className="fr-pagination__link fr-displayed-lg">…</span></li>);
    items.push(
      <li key={p}>
        <Link className="fr-pagination__link" to={href(p)} {...lien} aria-current={p === page ? "page" : undefined} title={`Page ${formatNombre(p)}`}>
          {formatNombre(p)}
        </Link>
      </li>,
    );
  });
  return (
    <nav role="navigation" className={`fr-pagination ${className}`} aria-label={label}>
      <ul className="fr-pagination__list">
        <li>
          {page > 1 ? (
            <Link className="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" to={href(page - 1)} {...lien}>
              Page précédente
            </Link>
          ) : (
            <a className="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" aria-disabled="true" role="link">
              Page précédente
            </a>
          )}
        </li>
        {items}
        <li>
          {page < pages ? (
            <Link className="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" to={href(page + 1)} {...lien}>
              Page suivante
            </Link>
          ) : (
            <a className="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" aria-disabled="true" role="link">
              Page suivante
            </a>
          )}
        </li>
      </ul>
    </nav>
  );
}

/** A select of a filter form; `erreur`: the message of its refused value, shown under it (DSFR error state). */
export function SelectField({
  id,
  label,
  name,
  value,
  options,
  empty = "Tous",
  erreur,
  hint,
}: {
  id: string;
  label: string;
  name: string;
  value: string | undefined;
  options: { value: string; label: string }[];
  empty?: string;
  erreur?: string;
  /** What the choice means, under the label. */
  hint?: string;
}) {
  return (
    <div className={`fr-select-group${erreur ? " fr-select-group--error" : ""}`}>
      <label className="fr-label" htmlFor={id}>
        {label}
        {hint ? <span className="fr-hint-text">{hint}</span> : null}
      </label>
      <select
        className={`fr-select${erreur ? " fr-select--error" : ""}`}
        id={id}
        name={name}
        defaultValue={value ?? ""}
        {...ariaErreur(id, erreur)}
      >
        <option value="">{empty}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <MessageErreur id={id} erreur={erreur} />
    </div>
  );
}

export function SearchField({ id, label, hint, value }: { id: string; label: string; hint?: string; value: string | undefined }) {
  return (
    <div className="fr-input-group">
      <label className="fr-label" htmlFor={id}>
        {label}
        {hint ? <span className="fr-hint-text">{hint}</span> : null}
      </label>
      <input className="fr-input" type="search" id={id} name="q" defaultValue={value ?? ""} />
    </div>
  );
}

export function FraicheurBadge({ fraicheur }: { fraicheur: string }) {
  return <p className={`fr-badge fr-badge--sm fr-badge--no-icon ${FRAICHEUR_BADGES[fraicheur] ?? ""}`}>{FRAICHEUR_LABELS[fraicheur] ?? fraicheur}</p>;
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="fr-alert fr-alert--info fr-my-3w">
      <h2 className="fr-alert__title">{title}</h2>
      {children}
    </div>
  );
}

export function ErrorsAlert({ title = "Certains filtres sont invalides", errors }: { title?: string; errors: string[] }) {
  if (!errors.length) return null;
  return (
    <div className="fr-alert fr-alert--error fr-my-3w" role="alert">
      <h2 className="fr-alert__title">{title}</h2>
      <ul>
        {errors.map((e) => (
          <li key={e}>{e}</li>
        ))}
      </ul>
    </div>
  );
}

export function ResultCount({ total, singular, plural }: { total: number; singular: string; plural: string }) {
  return (
    <p className="fr-mb-1w" role="status" aria-live="polite">
      <strong>{new Intl.NumberFormat("fr-FR").format(total)}</strong> {total > 1 ? plural : singular}
    </p>
  );
}

/** The button to a page's dashboard (an organisme's, a formation's), under its title. */
export function BoutonTableauDeBord({ href }: { href: string }) {
  return (
    <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mb-4w">
      <li>
        <Link className="fr-btn fr-icon-line-chart-line fr-btn--icon-left" to={href}>
          Voir le tableau de bord
        </Link>
      </li>
    </ul>
  );
}

/** The DSFR breadcrumb: the links to the parent pages, then the current page. */
export function FilAriane({ liens, courant, className }: { liens: { libelle: string; href: string }[]; courant: ReactNode; className?: string }) {
  return (
    <nav role="navigation" className={className ? `fr-breadcrumb ${className}` : "fr-breadcrumb"} aria-label="vous êtes ici :">
      <ol className="fr-breadcrumb__list">
        {liens.map((l) => (
          <li key={l.href}>
            <Link className="fr-breadcrumb__link" to={l.href}>
              {l.libelle}
            </Link>
          </li>
        ))}
        <li>
          <a className="fr-breadcrumb__link" aria-current="page">
            {courant}
          </a>
        </li>
      </ol>
    </nav>
  );
}

/** A record's fields as a two-column table (label, value; null: no row), its caption for screen readers only. */
export function TableauFiche({ caption, lignes, petit = false }: { caption: string; lignes: ([string, ReactNode] | null)[]; petit?: boolean }) {
  return (
    <div className={`fr-table fr-table--no-caption${petit ? " fr-table--sm" : ""}`}>
      <table tabIndex={0}>
        <caption>{caption}</caption>
        <tbody>
          {lignes.map((ligne) =>
            ligne ? (
              <tr key={ligne[0]}>
                <th scope="row">{ligne[0]}</th>
                <td>{ligne[1]}</td>
              </tr>
            ) : null,
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A territory of the filters' lists (régions, départements with their région). */
interface TerritoireOption {
  code: string;
  nom: string;
}

/** The région filter of a GET form (name "region"). */
export function RegionSelect({ regions, value }: { regions: TerritoireOption[]; value: string | undefined }) {
  return <SelectField id="region" name="region" label="Région" value={value} empty="Toutes" options={regions.map((r) => ({ value: r.code, label: r.nom }))} />;
}

/** The département filter of a GET form (name "departement"), limited to the chosen région's départements. */
export function DepartementSelect({
  departements,
  region,
  value,
}: {
  departements: (TerritoireOption & { region_code: string })[];
  region: string | undefined;
  value: string | undefined;
}) {
  return (
    <SelectField
      id="departement"
      name="departement"
      label="Département"
      value={value}
      options={departements.filter((d) => !region || d.region_code === region).map((d) => ({ value: d.code, label: libelleDepartement(d.code, d.nom) }))}
    />
  );
}

/** Submit of a GET search form, and the link back to the unfiltered list when a filter is on. */
export function SearchButtons({ filtered, resetTo }: { filtered: boolean; resetTo: string }) {
  return (
    <ul className="fr-btns-group fr-btns-group--inline-md fr-mt-2w">
      <li>
        <button className="fr-btn" type="submit">
          Rechercher
        </button>
      </li>
      {filtered ? (
        <li>
          {/* a document load: every field of the form shows its empty value again (a client-side navigation would
              keep what was typed in the fields React does not control) */}
          <Link className="fr-btn fr-btn--secondary" to={resetTo} reloadDocument>
            Effacer les filtres
          </Link>
        </li>
      ) : null}
    </ul>
  );
}

/** The formation codes a CFA transmits that the catalogue does not know (organisme page, CFA data quality). */
export function CodesInconnusTable({
  codes,
  caption,
  captionHidden = false,
  effectifsLabel,
  testId,
}: {
  codes: CodeInconnu[];
  caption: string;
  captionHidden?: boolean;
  effectifsLabel: string;
  testId?: string;
}) {
  return (
    <div className="fr-table" data-testid={testId}>
      <table tabIndex={0}>
        <caption className={captionHidden ? "fr-sr-only" : undefined}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">CFD</th>
            <th scope="col">RNCP</th>
            <th scope="col">Libellé transmis</th>
            <th scope="col">{effectifsLabel}</th>
          </tr>
        </thead>
        <tbody>
          {codes.map((c) => (
            <tr key={`${c.cfd}-${c.rncp}`}>
              <td>{c.cfd ?? "–"}</td>
              <td>{c.rncp ?? "–"}</td>
              <td>{c.libelle ?? "–"}</td>
              <td>{formatNombre(c.effectifs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * What a page of a list shows: "Offres 51 à 55 sur 55.", "55 offres." (one page), or, past the end, "Aucune offre
 * sur cette page : 55 offres en tout." `nom`: singular, plural, and "none" (its gender: Aucune offre, Aucun organisme).
 */
export function ResumePage({ page: { data, pagination }, nom: [un, plusieurs, aucun] }: { page: Page<unknown>; nom: [string, string, string] }) {
  const { total } = pagination;
  const premiere = (pagination.page - 1) * pagination.limit + 1;
  const compte = (n: number) => `${formatNombre(n)} ${n > 1 ? plusieurs : un}`;
  const titre = majuscule(plusieurs);
  return (
    <p className="fr-text--sm fr-mb-1w">
      {total <= data.length
        ? `${compte(total)}.`
        : data.length === 0
          ? `${aucun} sur cette page : ${compte(total)} en tout.`
          : `${titre} ${formatNombre(premiere)} à ${formatNombre(premiere + data.length - 1)} sur ${formatNombre(total)}.`}
    </p>
  );
}

/**
 * The catalogue's offer (offres_formation) of a formation (`par: "organisme"`: who teaches it, where) or of an
 * organisme (`par: "formation"`: what it teaches, where).
 */
export function OffresTable({ offres: page, par, caption }: { offres: Page<OffreFormation>; par: "organisme" | "formation"; caption: string }) {
  const { search } = useLocation();
  const { data: offres, pagination } = page;
  const lieu = (o: OffreFormation) =>
    o.lieu ? `${o.lieu.nom ?? "Commune inconnue"} (${o.lieu.code})` : "Non précisé";
  return (
    <div className="fr-table" data-testid="offres-formation" id="offre">
      <ResumePage page={page} nom={["offre", "offres", "Aucune offre"]} />
      <table tabIndex={0} id="offres-table">
        <caption className="fr-sr-only">{caption}</caption>
        <thead>
          <tr>
            {par === "organisme" ? (
              <>
                <th scope="col">Organisme formateur</th>
                <th scope="col">Organisme responsable</th>
              </>
            ) : (
              <>
                <th scope="col">Formation</th>
                <th scope="col">Code (CFD / RNCP)</th>
                <th scope="col">Organisme formateur</th>
              </>
            )}
            <th scope="col">Lieu de formation</th>
            <th scope="col">Département</th>
            <th scope="col">Au catalogue le</th>
          </tr>
        </thead>
        <tbody>
          {offres.map((o) => (
            <tr key={`${o.formation.id}-${o.formateur.id}-${o.responsable?.id ?? ""}-${o.lieu?.code ?? ""}`}>
              {par === "organisme" ? (
                <>
                  <td>
                    <Link to={`/organismes/${o.formateur.id}`}>{o.formateur.raison_sociale}</Link>
                    <span className="fr-hint-text">
                      SIRET {o.formateur.siret}
                      {o.formateur.uai ? `, UAI ${o.formateur.uai}` : ""}
                    </span>
                  </td>
                  <td>{o.responsable ? <Link to={`/organismes/${o.responsable.id}`}>{o.responsable.raison_sociale}</Link> : "–"}</td>
                </>
              ) : (
                <>
                  <td>
                    <Link to={`/formations/${o.formation.id}`}>{o.formation.intitule_long}</Link>
                  </td>
                  <td>{o.formation.cfd ?? o.formation.rncp ?? "–"}</td>
                  <td>
                    <Link to={`/organismes/${o.formateur.id}`}>{o.formateur.raison_sociale}</Link>
                  </td>
                </>
              )}
              <td>{lieu(o)}</td>
              <td>{o.departement_code ?? "–"}</td>
              <td>{formatDate(o.updated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination page={pagination.page} pages={pagination.pages} search={search} cible="offres-table" param="offres" label="Pages de l'offre" />
    </div>
  );
}
