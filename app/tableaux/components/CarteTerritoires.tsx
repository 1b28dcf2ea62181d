/**
 * A choropleth of the départements (DROM as insets) or of the régions, clickable to drill down, with its table
 * ("Voir les données") and CSV: a count per territory, or a rate with its numerator and denominator.
 * Masked counts ("< 5") are grey on the map and written as such in the table.
 */
import { useNavigate } from "@remix-run/react";
import { franceMapOption, franceTerritories } from "~/components/maps/france-map";
import { pourcentageCellule } from "../format";
import type { LigneCarte, LigneTaux, NiveauCarte, ParametreFichier } from "../types";
import { svgCarte } from "./carte-svg";
import { Chart, type ChartCell } from "~/components/Chart";

interface Commun {
  niveau: NiveauCarte;
  title: string;
  description: string;
  /** Page of a territory (null: not a link). */
  hrefFor?: (code: string) => string | null;
  fileName: string;
  /** What the figures count, said by the downloads (fichiers.ts). */
  parametres?: ParametreFichier[];
  /** The XLSX sheet's name when the title is longer than Excel allows (31 characters). */
  feuille?: string;
  testId?: string;
  height?: number;
  /** List every territory of the level in the table (0 for those absent), not only those with data. */
  tousLesTerritoires?: boolean;
}

export type CarteTerritoiresProps = Commun &
  (
    | { mesure: "nombre"; valueLabel: string; lignes: LigneCarte[] }
    | { mesure: "taux"; valueLabel: string; numerateur: string; denominateur: string; lignes: LigneTaux[] }
  );

export function CarteTerritoires(props: CarteTerritoiresProps) {
  const navigate = useNavigate();
  const { niveau, title, description, hrefFor, fileName, parametres, feuille, testId, height = 520 } = props;
  const territoires = franceTerritories(niveau);
  const noms = new Map(territoires.map((t) => [t.code, t.nom]));
  const codes = props.tousLesTerritoires ? territoires.map((t) => t.code) : territoires.map((t) => t.code).filter((c) => props.lignes.some((l) => l.code === c));
  const nomDe = (code: string) => noms.get(code) ?? code;
  const lien = (code: string, text: string): ChartCell => {
    const href = hrefFor?.(code);
    return href ? { text, href } : text;
  };
  const territoire = niveau === "departement" ? "Département" : "Région";

  let values: { code: string; nom: string; value: number | null }[];
  let columns: string[];
  let rows: ChartCell[][];
  if (props.mesure === "nombre") {
    const byCode = new Map(props.lignes.map((l) => [l.code, l]));
    values = codes.map((code) => {
      const v = byCode.get(code)?.valeur ?? 0;
      return { code, nom: nomDe(code), value: typeof v === "number" ? v : null };
    });
    columns = [`Code ${territoire.toLowerCase()}`, territoire, props.valueLabel];
    rows = codes.map((code) => [code, lien(code, nomDe(code)), byCode.get(code)?.valeur ?? 0]);
  } else {
    const byCode = new Map(props.lignes.map((l) => [l.code, l]));
    values = codes.map((code) => ({ code, nom: nomDe(code), value: byCode.get(code)?.taux ?? null }));
    columns = [`Code ${territoire.toLowerCase()}`, territoire, `${props.valueLabel} (%)`, props.numerateur, props.denominateur];
    rows = codes.map((code) => {
      const l = byCode.get(code);
      return [
        code,
        lien(code, nomDe(code)),
        l && l.taux !== null ? pourcentageCellule(l.taux) : typeof l?.numerateur === "string" || typeof l?.denominateur === "string" ? "Non diffusé" : "Non disponible",
        l?.numerateur ?? 0,
        l?.denominateur ?? 0,
      ];
    });
  }

  // the grey territories say why they are grey (masked small counts for the public, or no data)
  const legende = values.some((v) => v.value === null)
    ? " En gris : territoires dont le chiffre n'est pas diffusé (trop peu d'apprenants pour être publié) ou pas disponible."
    : "";
  const format = props.mesure === "taux" ? "pourcentage" : "nombre";
  const option = franceMapOption({ level: niveau, values, valueLabel: props.valueLabel, format, clickable: Boolean(hrefFor) });

  return (
    <Chart
      title={title}
      description={description + legende}
      option={option}
      height={height}
      testId={testId}
      serverSvg={(width, h) => svgCarte(niveau, values, format, Boolean(hrefFor), width, h)}
      onClick={
        hrefFor
          ? (params) => {
              if (params.componentType !== "series" || !params.name || !noms.has(params.name)) return;
              const href = hrefFor(params.name);
              if (href) navigate(href);
            }
          : undefined
      }
      data={{ fileName, parametres, feuille, columns, rows }}
    />
  );
}
