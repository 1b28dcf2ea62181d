/**
 * The tables by organisme and by formation: sortable headers (links, aria-sort), pagination (DSFR), a CSV of the
 * whole table. Sorting and paging are URL parameters (`tri_o`, `ordre_o`, `page_o` / `_f`): they work without
 * JavaScript, are shareable, and the back button undoes them.
 */
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { formatNombre } from "~/ui/format";
import { nombre } from "../format";
import type { Comptes, TableTriee } from "../types";
import { Pagination } from "~/referentiel/components";
import { COLONNES_COMPTES, LIBELLES_COMPTES, LIGNES_PAR_PAGE, avecParametres, type TriTable } from "../vues";

export interface ColonneIdentite<L> {
  libelle: string;
  /** The sortable column of the label ("libelle"), or none. */
  tri?: "libelle";
  rendu: (ligne: L) => ReactNode;
}

interface TableComptesProps<L extends { comptes: Comptes }> {
  id: string;
  suffixe: "o" | "f";
  titre: string;
  description: string;
  table: TableTriee<L>;
  colonnes: ColonneIdentite<L>[];
  recherche: string;
  csv: string;
  vide: string;
}

function EnteteTri({ label, colonne, table, recherche, suffixe }: { label: string; colonne: TriTable; table: TableTriee<unknown>; recherche: string; suffixe: string }) {
  const actif = table.tri === colonne;
  const suivant = actif ? (table.ordre === "asc" ? "desc" : "asc") : colonne === "libelle" ? "asc" : "desc";
  const href = avecParametres(recherche, { [`tri_${suffixe}`]: colonne, [`ordre_${suffixe}`]: suivant, [`page_${suffixe}`]: undefined }) || "?";
  return (
    <th scope="col" aria-sort={actif ? (table.ordre === "asc" ? "ascending" : "descending") : "none"}>
      <Link to={href} preventScrollReset title={`Trier par ${label.toLowerCase()}, ordre ${suivant === "asc" ? "croissant" : "décroissant"}`}>
        {label}
        <span aria-hidden="true">{actif ? (table.ordre === "asc" ? " ▲" : " ▼") : " ↕"}</span>
      </Link>
    </th>
  );
}

export function TableComptes<L extends { comptes: Comptes }>({ id, suffixe, titre, description, table, colonnes, recherche, csv, vide }: TableComptesProps<L>) {
  const debut = (table.page - 1) * LIGNES_PAR_PAGE + 1;
  return (
    <section aria-labelledby={`${id}-titre`} className="fr-mb-5w" data-testid={id}>
      <h3 id={`${id}-titre`} className="fr-h5 fr-mb-1w">
        {titre}
      </h3>
      <p className="fr-text--sm fr-mb-1w">{description}</p>
      {table.total === 0 ? (
        <p className="fr-text--sm">{vide}</p>
      ) : (
        <>
          <div className="fr-grid-row fr-grid-row--middle fr-mb-1w">
            <p className="fr-col fr-text--sm fr-mb-0" aria-live="polite">
              {formatNombre(table.total)} ligne{table.total > 1 ? "s" : ""}
              {table.pages > 1 ? `, lignes ${formatNombre(debut)} à ${formatNombre(Math.min(table.total, debut + table.lignes.length - 1))}` : ""}
            </p>
            <p className="fr-col-auto fr-mb-0">
              <a className="fr-btn fr-btn--tertiary fr-btn--sm fr-icon-download-line fr-btn--icon-left" href={csv} download>
                Télécharger toute la table (CSV)
              </a>
            </p>
          </div>
          <div className="fr-table fr-table--sm fr-mb-0">
            {/* Focusable: the table scrolls horizontally on narrow screens. */}
            <table tabIndex={0} id={`${id}-liste`}>
              <caption className="fr-sr-only">
                {titre}, page {formatNombre(table.page)} sur {formatNombre(table.pages)}
              </caption>
              <thead>
                <tr>
                  {colonnes.map((c) =>
                    c.tri ? (
                      <EnteteTri key={c.libelle} label={c.libelle} colonne={c.tri} table={table} recherche={recherche} suffixe={suffixe} />
                    ) : (
                      <th key={c.libelle} scope="col">
                        {c.libelle}
                      </th>
                    ),
                  )}
                  {COLONNES_COMPTES.map((k) => (
                    <EnteteTri key={k} label={LIBELLES_COMPTES[k]} colonne={k} table={table} recherche={recherche} suffixe={suffixe} />
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.lignes.map((l, i) => (
                  <tr key={i}>
                    {colonnes.map((c, j) =>
                      j === 0 ? (
                        <th key={c.libelle} scope="row">
                          {c.rendu(l)}
                        </th>
                      ) : (
                        <td key={c.libelle}>{c.rendu(l)}</td>
                      ),
                    )}
                    {COLONNES_COMPTES.map((k) => (
                      <td key={k} className="fr-cell--right" style={{ textAlign: "right", whiteSpace: "nowrap" }}>
                        {nombre(l.comptes[k])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={table.page} pages={table.pages} search={recherche} cible={`${id}-liste`} param={`page_${suffixe}`} label={`Pagination : ${titre.toLowerCase()}`} voisines={1} className="fr-mt-2w" />
        </>
      )}
    </section>
  );
}
