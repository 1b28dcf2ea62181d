/**
 * A dashboard chart: the same contract as ~/components/Chart (server-rendered SVG hydrated by ECharts, accessible
 * title and description, "Voir les données" table, CSV of exactly the table), plus what the dashboards need:
 * - the server SVG is cached by option (the same charts are drawn for every visitor of a page), or given by the
 *   caller (maps: the shapes drawn once, recoloured per page, see carte-svg.ts);
 * - cells may hold masked counts ("< 5") and links, numbers are formatted in French in the table;
 * - a `testId` for the browser tests.
 * TODO(lead): fold the cache into renderChartToSvg and the masked cells into Chart, then use Chart here.
 */
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "@remix-run/react";
import { echarts, withDefaults, type EChartsOption } from "~/components/echarts";
import { svgEnCache } from "./svg-cache";

export type Cellule = string | number | null | { text: string; href: string };

export interface DonneesGraphique {
  columns: string[];
  rows: Cellule[][];
  fileName: string;
}

export interface GraphiqueProps {
  title: string;
  description: string;
  option: EChartsOption;
  height?: number;
  data: DonneesGraphique;
  onClick?: (params: { componentType: string; name: string; dataIndex: number }) => void;
  testId?: string;
  /** Heading level of the title (default h3). */
  titre?: "h3" | "h4";
  /** The server SVG, when the caller draws it faster than ECharts would (maps: carte-svg.ts); width 800. */
  svgServeur?: (width: number, height: number) => string;
}

const SSR_WIDTH = 800;

export function Graphique({ title, description, option, height = 360, data, onClick, testId, titre = "h3", svgServeur }: GraphiqueProps) {
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  const onClickRef = useRef(onClick);
  onClickRef.current = onClick;
  const [showTable, setShowTable] = useState(false);
  const serverSvg = typeof document === "undefined" ? (svgServeur ? svgServeur(SSR_WIDTH, height) : svgEnCache(option, SSR_WIDTH, height)) : "";
  const optionKey = JSON.stringify(option);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.innerHTML = "";
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(withDefaults(option));
    chart.on("click", (params) => onClickRef.current?.(params as never));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [optionKey]);

  const Titre = titre;
  return (
    <figure className="fr-mb-4w" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} style={{ margin: 0 }} data-testid={testId}>
      <Titre id={`${id}-title`} className="fr-h6 fr-mb-1w">
        {title}
      </Titre>
      <p id={`${id}-desc`} className="fr-text--sm fr-mb-1w">
        {description}
      </p>
      <div
        ref={ref}
        role="img"
        aria-label={`${title}. ${description}`}
        className="chart-canvas"
        style={{ width: "100%", height }}
        suppressHydrationWarning
        dangerouslySetInnerHTML={{ __html: serverSvg }}
      />
      <div className="fr-mt-1w">
        <button
          type="button"
          className="fr-btn fr-btn--tertiary fr-btn--sm fr-mr-1w"
          aria-expanded={showTable}
          aria-controls={`${id}-table`}
          onClick={() => setShowTable((v) => !v)}
          data-action="voir-donnees"
        >
          {showTable ? "Masquer les données" : "Voir les données"}
        </button>
        <a className="fr-btn fr-btn--tertiary fr-btn--sm" href={csvHref(data)} download={`${data.fileName}.csv`} data-action="csv">
          Télécharger (CSV)
        </a>
        <noscript>
          <TableDonnees title={title} data={data} />
        </noscript>
        <div id={`${id}-table`} hidden={!showTable}>
          {showTable ? <TableDonnees title={title} data={data} /> : null}
        </div>
      </div>
    </figure>
  );
}

const nombre = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

export function TableDonnees({ title, data }: { title: string; data: DonneesGraphique }) {
  return (
    <div className="fr-table fr-table--sm fr-mt-1w fr-mb-0">
      <table data-role="donnees">
        <caption className="fr-sr-only">Données : {title}</caption>
        <thead>
          <tr>
            {data.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) =>
                j === 0 ? (
                  <th key={j} scope="row">
                    <CelluleContenu cell={cell} />
                  </th>
                ) : (
                  <td key={j}>
                    <CelluleContenu cell={cell} />
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CelluleContenu({ cell }: { cell: Cellule }) {
  if (typeof cell === "number") return <>{nombre.format(cell)}</>;
  if (cell !== null && typeof cell === "object") return <Link to={cell.href}>{cell.text}</Link>;
  return <>{cell ?? ""}</>;
}

/** CSV (UTF-8 with BOM, `;`) of exactly the table's cells (link texts, raw numbers, "< 5" as is). */
export function csvTexte(data: DonneesGraphique): string {
  const escape = (v: Cellule) => {
    const s = v == null ? "" : typeof v === "object" ? v.text : String(v);
    return /[;"\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return "\uFEFF" + [data.columns, ...data.rows].map((r) => r.map(escape).join(";")).join("\r\n") + "\r\n";
}

function csvHref(data: DonneesGraphique): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(csvTexte(data))}`;
}
