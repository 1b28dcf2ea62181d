/**
 * UI pieces of the référentiel pages (browser-safe): GET filter forms that work without JavaScript, sortable
 * column headers (aria-sort), DSFR pagination, badges, empty states.
 */
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { FRAICHEUR_BADGES, FRAICHEUR_LABELS } from "./labels";

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

export function Pagination({ page, pages, search, label = "Pagination" }: { page: number; pages: number; search: string; label?: string }) {
  if (pages <= 1) return null;
  const href = (p: number) => withParams(search, { page: p === 1 ? undefined : p });
  const around = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  const items: ReactNode[] = [];
  around.forEach((p, i) => {
    if (i > 0 && p - around[i - 1] > 1) items.push(<li key={`gap-${p}`}><span className="fr-pagination__link fr-displayed-lg">…</span></li>);
    items.push(
      <li key={p}>
        {p === page ? (
          <a className="fr-pagination__link" aria-current="page" title={`Page ${p}`}>
            {p}
          </a>
        ) : (
          <Link className="fr-pagination__link" to={href(p)} title={`Page ${p}`}>
            {p}
          </Link>
        )}
      </li>,
    );
  });
  return (
    <nav role="navigation" className="fr-pagination fr-mt-3w" aria-label={label}>
      <ul className="fr-pagination__list">
        <li>
          {page > 1 ? (
            <Link className="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" to={href(page - 1)}>
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
            <Link className="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" to={href(page + 1)}>
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

export function SelectField({
  id,
  label,
  name,
  value,
  options,
  empty = "Tous",
}: {
  id: string;
  label: string;
  name: string;
  value: string | undefined;
  options: { value: string; label: string }[];
  empty?: string;
}) {
  return (
    <div className="fr-select-group">
      <label className="fr-label" htmlFor={id}>
        {label}
      </label>
      <select className="fr-select" id={id} name={name} defaultValue={value ?? ""}>
        <option value="">{empty}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
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
