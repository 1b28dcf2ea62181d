/** CSV / XLSX export of the non-transmitting CFAs (the page's filters, every row). */
import type { Database } from "../../db/client.server";
import { canSeeNonTransmetteurs, filtresTerritoireHorsPerimetre, forbidden, requireUser } from "../auth/policy.server";
import { toCsv } from "../shared/csv";
import { XLSX_CONTENT_TYPE, writeXlsx } from "../shared/xlsx.server";
import { parseQuery } from "./filtres.server";
import { EXPORT_COLUMNS, allNonTransmetteurs, exportRow } from "./non-transmetteurs.server";
import { nonTransmetteursQuerySchema } from "./non-transmetteurs-query.server";

export async function exportNonTransmetteurs(request: Request, database: Database, format: "csv" | "xlsx"): Promise<Response> {
  const viewer = await requireUser(request, database);
  if (!canSeeNonTransmetteurs(viewer)) throw forbidden("Cette liste est réservée aux services de l'État, des régions et aux têtes de réseau.");
  const parsed = parseQuery(nonTransmetteursQuerySchema, new URL(request.url).searchParams);
  if (!parsed.ok) return new Response(`Paramètres invalides : ${parsed.errors.join(" ; ")}.`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  // a territory outside the viewer's would be written as an empty file, as if every organisme of it transmitted
  const horsPerimetre = filtresTerritoireHorsPerimetre(viewer, parsed.value);
  if (horsPerimetre.length) return forbidden(`Export impossible : ${horsPerimetre.map((h) => h.message).join(" ; ")}.`);
  const rows = await allNonTransmetteurs(database, viewer, { ...parsed.value, joursArret: parsed.value.jours });
  const date = new Date().toISOString().slice(0, 10);
  const name = `organismes-non-transmetteurs-${[parsed.value.region, parsed.value.departement, parsed.value.statut].filter(Boolean).join("-") || "tous"}-${date}`;
  const table = [EXPORT_COLUMNS, ...rows.map(exportRow)];
  if (format === "csv") {
    return new Response(toCsv(table), {
      headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${name}.csv"`, "Cache-Control": "private, no-store" },
    });
  }
  return new Response(new Uint8Array(writeXlsx([{ name: "Non transmetteurs", rows: table }])), {
    headers: { "Content-Type": XLSX_CONTENT_TYPE, "Content-Disposition": `attachment; filename="${name}.xlsx"`, "Cache-Control": "private, no-store" },
  });
}
