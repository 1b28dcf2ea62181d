import { useEffect, useId, useRef, useState } from "react";
import { Link } from "@remix-run/react";
import { echarts, renderChartToSvg, withDefaults, type EChartsOption } from "./echarts";

/** A table cell: a value, or a link (its text goes to the CSV). */
export type ChartCell = string | number | null | { text: string; href: string };

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
  /** Table alternative ("Voir les données") and CSV download of exactly the chart's data. */
  data?: { columns: string[]; rows: ChartCell[][]; fileName: string };
  /** Click on a chart element (browser only; the table links are the path without JavaScript or mouse). */
  onClick?: (params: ChartClickParams) => void;
}

const SSR_WIDTH = 800;

/**
 * A chart rendered on the server as SVG (readable without JavaScript), then hydrated by ECharts in the browser.
 */
export function Chart({ title, description, option, height = 360, data, onClick }: ChartProps) {
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  const onClickRef = useRef(onClick);
  onClickRef.current = onClick;
  const [showTable, setShowTable] = useState(false);
  const serverSvg = typeof document === "undefined" ? renderChartToSvg(option, SSR_WIDTH, height) : "";
  const optionKey = JSON.stringify(option);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.innerHTML = "";
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(withDefaults(option));
    chart.on("click", (params) => onClickRef.current?.(params as unknown as ChartClickParams));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [optionKey]);

  return (
    <figure className="fr-mb-4w" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} style={{ margin: 0 }}>
      <h3 id={`${id}-title`} className="fr-h6 fr-mb-1w">
        {title}
      </h3>
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
      {data ? (
        <div className="fr-mt-1w">
          <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm fr-mr-1w" aria-expanded={showTable} onClick={() => setShowTable((v) => !v)}>
            {showTable ? "Masquer les données" : "Voir les données"}
          </button>
          <a className="fr-btn fr-btn--tertiary fr-btn--sm" href={csvHref(data)} download={`${data.fileName}.csv`}>
            Télécharger (CSV)
          </a>
          <noscript>
            <DataTable title={title} data={data} />
          </noscript>
          {showTable ? <DataTable title={title} data={data} /> : null}
        </div>
      ) : null}
    </figure>
  );
}

function DataTable({ title, data }: { title: string; data: NonNullable<ChartProps["data"]> }) {
  return (
    <div className="fr-table fr-table--sm fr-mt-1w">
      <table>
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
              {row.map((cell, j) => (
                <td key={j}>
                  {typeof cell === "number" ? (
                    cell.toLocaleString("fr-FR")
                  ) : cell !== null && typeof cell === "object" ? (
                    <Link to={cell.href}>{cell.text}</Link>
                  ) : (
                    cell ?? ""
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** CSV (UTF-8 with BOM, `;`) of the chart's data as a data: URL. */
function csvHref(data: NonNullable<ChartProps["data"]>): string {
  const escape = (v: ChartCell) => {
    const s = v == null ? "" : typeof v === "object" ? v.text : String(v);
    return /[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [data.columns, ...data.rows].map((r) => r.map(escape).join(";"));
  return `data:text/csv;charset=utf-8,${encodeURIComponent("\uFEFF" + lines.join("\r\n"))}`;
}
