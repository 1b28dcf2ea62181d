/**
 * The product's chart: rendered on the server as SVG (readable without JavaScript), then hydrated by ECharts in the
 * browser; an accessible title and description, a "Voir les données" table alternative and a CSV download of
 * exactly that table (UTF-8 with BOM, `;`, decimal comma), and its XLSX (made in the browser, codes kept as text,
 * days as dates, its sheet named short and whole). Both say what the figures count when the caller tells it
 * (`data.parametres`: a « Filtres » column, and the XLSX's « Paramètres » sheet). Cells may hold masked counts
 * ("< 5") and links; numbers are formatted in French in the table.
 * - The server SVG is cached by option and size (svg-cache.server.ts: the dashboards draw the same charts for every
 *   visitor of a page), or given by the caller (`serverSvg`: maps draw their shapes once and recolour them per
 *   page, app/tableaux/components/carte-svg.ts).
 * - The server SVG's ids and class names (patterns, clip paths, hover styles) are the chart's own
 *   (`prefixeSvg`, from React's useId): the same cached SVG, or the same map shapes, drawn twice on a page never
 *   defines an id twice (RGAA 8.2). The browser draws its own SVG over it on hydration (ECharts numbers its
 *   renderers in the page: "zr0-", "zr1-"…, never a server prefix).
 * - `testId` marks the figure for the browser tests.
 * - The graphic is named by the visible title and described by the visible description (references, said once: the
 *   figure itself bears no other name), in the DSFR theme's colours, redrawn when the theme changes.
 */
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "@remix-run/react";
import { echarts, prefixSvgIds, withDefaults, type EChartsOption } from "./echarts";
import { cachedSvg } from "./svg-cache.server";
import { useThemeSombre } from "~/ui/theme";
import { csvField } from "~/shared/csv-field";
import { lignesDeTelechargement, type ChartCell, type ChartData } from "./chart-donnees";

export type { ChartCell, ChartData };

/** What ECharts passes to a click handler (the fields the app uses). */
export interface ChartClickParams {
  componentType: string;
  seriesIndex?: number;
  dataIndex: number;
  name: string;
  value: unknown;
  data: unknown;
}

export interface ChartProps {
  title: string;
  description: string;
  option: EChartsOption;
  height?: number;
  data: ChartData;
  /** Click on a chart element (browser only; the table links are the path without JavaScript or mouse). */
  onClick?: (params: ChartClickParams) => void;
  testId?: string;
  /** Heading level of the title (default h3). */
  heading?: "h2" | "h3" | "h4";
  /** The server SVG, when the caller draws it faster than ECharts would (maps: carte-svg.ts); width 800. */
  serverSvg?: (width: number, height: number) => string;
}

const SSR_WIDTH = 800;

/** The prefix of a chart's server SVG ids and classes: its React id (":R1l:") as a CSS-safe name ("graphique-R1l"). */
export function prefixeSvg(reactId: string): string {
  return `graphique-${reactId.replace(/[^A-Za-z0-9_-]/g, "")}`;
}

export function Chart({ title, description, option, height = 360, data, onClick, testId, heading = "h3", serverSvg }: ChartProps) {
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  const onClickRef = useRef(onClick);
  onClickRef.current = onClick;
  const [showTable, setShowTable] = useState(false);
  // the XLSX is made in the browser: its button shows once React runs (without JavaScript, the CSV link remains)
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const svg =
    typeof document === "undefined" ? prefixSvgIds(serverSvg ? serverSvg(SSR_WIDTH, height) : cachedSvg(option, SSR_WIDTH, height), prefixeSvg(id)) : "";
  const optionKey = JSON.stringify(option);
  const sombre = useThemeSombre();

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.innerHTML = "";
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(withDefaults(option, { sombre }));
    chart.on("click", (params) => onClickRef.current?.(params as never));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [optionKey, sombre]);

  const Heading = heading;
  return (
    <figure className="fr-mb-4w" style={{ margin: 0 }} data-testid={testId}>
      <Heading id={`${id}-title`} className="fr-h6 fr-mb-1w">
        {title}
      </Heading>
      <p id={`${id}-desc`} className="fr-text--sm fr-mb-1w">
        {description}
      </p>
      <div
        ref={ref}
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        className="chart-canvas"
        style={{ width: "100%", height }}
        suppressHydrationWarning
        dangerouslySetInnerHTML={{ __html: svg }}
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
          {/* the chart's title, for whoever lists a page's buttons and links (screen readers, voice control): 9 alike else */}
          <span className="fr-sr-only"> : {title}</span>
        </button>
        <a className="fr-btn fr-btn--tertiary fr-btn--sm fr-mr-1w" href={csvHref(data)} download={`${data.fileName}.csv`} data-action="csv">
          Télécharger (CSV)<span className="fr-sr-only"> : {title}</span>
        </a>
        <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm" hidden={!hydrated} onClick={() => void telechargerXlsx(title, data)} data-action="xlsx">
          Télécharger (XLSX)<span className="fr-sr-only"> : {title}</span>
        </button>
        <noscript>
          <DataTable title={title} data={data} />
        </noscript>
        <div id={`${id}-table`} hidden={!showTable}>
          {showTable ? <DataTable title={title} data={data} /> : null}
        </div>
      </div>
    </figure>
  );
}

const frenchNumber = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

export function DataTable({ title, data }: { title: string; data: ChartData }) {
  return (
    <div className="fr-table fr-table--sm fr-mt-1w fr-mb-0">
      <table data-role="donnees" tabIndex={0}>
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
                    <ChartCellContenu cell={cell} />
                  </th>
                ) : (
                  <td key={j}>
                    <ChartCellContenu cell={cell} />
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

function ChartCellContenu({ cell }: { cell: ChartCell }) {
  if (typeof cell === "number") return <>{frenchNumber.format(cell)}</>;
  if (cell !== null && typeof cell === "object") return <Link to={cell.href}>{cell.text}</Link>;
  return <>{cell ?? ""}</>;
}

/**
 * A number in a `;` CSV as French spreadsheets read it: no thousands separator, a decimal comma ("6,7", not "6.7",
 * which Excel in French takes for a date or a text).
 */
export function nombreCsv(n: number): string {
  return String(n).replace(".", ",");
}

/**
 * CSV (UTF-8 with BOM, `;`) of exactly the table's cells (link texts, raw numbers with a decimal comma, "< 5" as
 * is), and its « Filtres » column (`lignesDeTelechargement`).
 */
export function chartCsv(data: ChartData): string {
  const escape = (v: ChartCell) => (v == null ? "" : typeof v === "number" ? nombreCsv(v) : csvField(typeof v === "object" ? v.text : String(v)));
  return "\uFEFF" + lignesDeTelechargement(data).map((r) => r.map(escape).join(";")).join("\r\n") + "\r\n";
}

/** Downloads the table as an XLSX made here (the writer is loaded on the first click only). */
async function telechargerXlsx(title: string, data: ChartData): Promise<void> {
  const { XLSX_CONTENT_TYPE, chartXlsx } = await import("./chart-xlsx");
  const url = URL.createObjectURL(new Blob([chartXlsx(title, data)], { type: XLSX_CONTENT_TYPE }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `${data.fileName}.xlsx`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function csvHref(data: ChartData): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(chartCsv(data))}`;
}
