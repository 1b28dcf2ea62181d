/**
 * What the files say, on a small référentiel: the non-transmetteurs export in French (dates dd/MM/yyyy, the nature's
 * label, the académie's name), `/tableau.json` and `/tableau.csv` refusing `date=` and any parameter they do not read
 * (a 400 saying to use mois=AAAA-MM) instead of answering today's figures, and a filtered indicators export that says
 * it is filtered (file name, "Filtres" column, the XLSX "Paramètres" sheet) with "Produit le" in French.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { sessions } from "../helpers/sessions";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { exportNonTransmetteurs } from "../../app/referentiel/non-transmetteurs-export.server";
import { chargerTableau } from "../../app/tableaux/page.server";
import { tableauCsv, tableauJson } from "../../app/tableaux/ressources.server";
import { dateHeureParis, lireExport, telechargerExport } from "../../app/exports/export.server";
import { chargerPageExports } from "../../app/exports/page.server";
import { parseCsv } from "../../app/shared/csv";
import { readXlsx } from "../../app/shared/xlsx.server";
import { isoToExcelSerial } from "../../app/shared/excel-dates";
import { cellulesBrutes, colonneBrute } from "../helpers/xlsx";
import { todayIso } from "../../app/statut/annee-scolaire";
import { seedReferentiel, type Referentiel } from "./auth-fixtures";

const TODAY = todayIso();
const MOIS = TODAY.slice(0, 7);
let t: TestDatabase;
let ref: Referentiel;

const { compte, requete } = sessions(() => t.database);

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  // R stopped transmitting long ago; F never transmitted
  await t.database.rows(sql`
    update organismes set nature = 'responsable_formateur', first_transmission_at = '2021-09-16T08:00:00Z', last_transmission_at = '2026-01-10T10:00:00Z'
    where id = ${ref.R.id}`);
  await compte("admin", { type: "ADMINISTRATEUR" });
  await compte("dreets", { type: "DREETS", regionCode: "84" });
  await compte("ddets", { type: "DDETS", departementCode: "69" });
});
afterAll(async () => t?.drop());

describe("non-transmetteurs export", () => {
  it("writes dates dd/MM/yyyy, the nature's label and the académie's name, in CSV and XLSX", async () => {
    const csv = await exportNonTransmetteurs(requete("/referentiel/non-transmetteurs.csv", "dreets"), t.database, "csv");
    expect(csv.status).toBe(200);
    const parsed = parseCsv(await csv.text());
    expect(parsed.header).toEqual([
      "Statut",
      "Raison sociale",
      "Enseigne",
      "SIRET",
      "UAI",
      "Nature",
      "Code postal",
      "Commune",
      "Département",
      "Région",
      "Académie",
      "Réseaux",
      "Première transmission",
      "Dernière transmission",
    ]);
    const lignes = Object.fromEntries(parsed.records.map((r) => [r.fields[1], r.fields]));
    expect(lignes["CFA Responsable Lyon"]).toEqual([
      "A cessé de transmettre",
      "CFA Responsable Lyon",
      "",
      ref.R.siret,
      ref.R.uai,
      "Responsable et formateur",
      "",
      "",
      "69",
      "Auvergne-Rhône-Alpes",
      "Lyon",
      "RESEAU-A",
      "16/09/2021",
      "10/01/2026",
    ]);
    expect(lignes["Site formateur Ain"]).toMatchObject({ 0: "N'a jamais transmis", 5: "Formateur", 10: "Lyon", 12: "", 13: "" });

    const xlsx = await exportNonTransmetteurs(requete("/referentiel/non-transmetteurs.xlsx", "dreets"), t.database, "xlsx");
    const bytes = new Uint8Array(await xlsx.arrayBuffer());
    const [sheet] = readXlsx(bytes);
    const row = sheet.rows.find((r) => r[1] === "CFA Responsable Lyon")!;
    expect(row.slice(5, 6)).toEqual(["Responsable et formateur"]);
    expect(row.slice(9)).toEqual(["Auvergne-Rhône-Alpes", "Lyon", "RESEAU-A", "16/09/2021", "10/01/2026"]);
    // in Excel: the transmissions are real dates (dd/mm/yyyy), the codes texts ("01" keeps its zero)
    const ligne = sheet.rows.indexOf(row) + 1;
    const cellules = cellulesBrutes(bytes);
    expect(cellules.get(`M${ligne}`)).toEqual({ type: "date", valeur: "44455", format: "dd/mm/yyyy" });
    expect(cellules.get(`N${ligne}`)).toMatchObject({ type: "date", format: "dd/mm/yyyy" });
    expect(cellules.get(`D${ligne}`)).toMatchObject({ type: "texte", valeur: ref.R.siret });
    expect(cellules.get(`E${ligne}`)).toMatchObject({ type: "texte", valeur: ref.R.uai });
    const ain = sheet.rows.findIndex((r) => r[1] === "Site formateur Ain") + 1;
    expect(cellules.get(`I${ain}`)).toMatchObject({ type: "texte", valeur: "01" });
  });

  it("refuses a territory outside the viewer's scope (403 saying which), never an empty file", async () => {
    const exporter = (chemin: string, qui: string, format: "csv" | "xlsx" = "csv") =>
      exportNonTransmetteurs(requete(`/referentiel/non-transmetteurs.${format}${chemin}`, qui), t.database, format);
    const cas: [string, string, string][] = [
      ["ddets", "?departement=75", "paramètre « departement » : le département 75 (Paris) est hors du périmètre de votre organisation, qui est le département 69 (Rhône)"],
      ["ddets", "?region=11", "paramètre « region » : la région 11 (Île-de-France) est hors du périmètre de votre organisation, qui est le département 69 (Rhône)"],
      ["ddets", "?departement=01", "paramètre « departement » : le département 01 (Ain) est hors du périmètre"],
      ["dreets", "?departement=75&statut=jamais", "paramètre « departement » : le département 75 (Paris) est hors du périmètre de votre organisation, qui est la région 84 (Auvergne-Rhône-Alpes)"],
      ["dreets", "?academie=01", "paramètre « academie » : l'académie 01 (Paris) est hors du périmètre"],
    ];
    for (const [qui, chemin, message] of cas) {
      for (const format of ["csv", "xlsx"] as const) {
        const reponse = await exporter(chemin, qui, format);
        expect(reponse.status, `${qui} ${chemin} ${format}`).toBe(403);
        expect(reponse.headers.get("content-disposition"), `${qui} ${chemin}`).toBeNull();
        const texte = await reponse.text();
        expect(texte, `${qui} ${chemin}`).toMatch(/^Export impossible : paramètre « /);
        expect(texte, `${qui} ${chemin}`).toContain(message);
      }
    }
    // inside the scope (or the nation's), the filter applies
    const rhone = await exporter("?departement=69", "ddets");
    expect(rhone.status).toBe(200);
    expect(parseCsv(await rhone.text()).records.map((r) => r.fields[1])).toEqual(["CFA Responsable Lyon"]);
    expect((await exporter("?departement=01", "dreets")).status).toBe(200);
    const paris = await exporter("?departement=75", "admin");
    expect(paris.status).toBe(200);
    expect(parseCsv(await paris.text()).records.map((r) => r.fields[1])).toEqual(["CFA Hors Périmètre Paris"]);
  });
});

describe("/tableau.json and /tableau.csv read what they are asked, or refuse it", () => {
  it("refuses date= with a French 400 saying to use mois=AAAA-MM (never today's figures instead)", async () => {
    const json = await tableauJson(requete("/tableau.json?vue=national&date=2026-03-15"), t.database);
    expect(json.status).toBe(400);
    const body = (await json.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["erreur"]);
    expect(body.erreur).toContain("date : les tableaux de bord se lisent par mois, pas à un jour : utilisez mois=AAAA-MM (par exemple mois=2026-03)");
    const csv = await tableauCsv(requete("/tableau.csv?vue=national&table=chiffres&date=2026-03-15"), t.database);
    expect(csv.status).toBe(400);
    expect(csv.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await csv.text()).toMatch(/^Paramètres invalides : date : .*utilisez mois=AAAA-MM/);
  });

  it("refuses a parameter it does not read (the panel's searches, an unknown name), naming it", async () => {
    const inconnu = await tableauJson(requete("/tableau.json?vue=national&annee=2026"), t.database);
    expect(inconnu.status).toBe(400);
    expect(((await inconnu.json()) as { erreur: string }).erreur).toMatch(/^Paramètres invalides : annee : paramètre inconnu \(paramètres acceptés : vue, table, mois=AAAA-MM, perimetre=mien\|france, region, /);
    const recherche = await tableauCsv(requete("/tableau.csv?vue=national&table=serie&formation=BTS"), t.database);
    expect(recherche.status).toBe(400);
    expect(await recherche.text()).toContain("formation : recherche du formulaire de la page, non lue ici : utilisez cfd= ou rncp=");
  });

  it("still answers the month asked with mois=, the filters and the tables' sort", async () => {
    const json = await tableauJson(requete(`/tableau.json?vue=national&mois=${MOIS}&region=84&tri_o=libelle`), t.database);
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ mois: MOIS, date: TODAY, filtres: { region: ["84"] } });
    const csv = await tableauCsv(requete(`/tableau.csv?vue=national&table=chiffres&mois=${MOIS}`), t.database);
    expect(csv.status).toBe(200);
  });

  it("writes its dates JJ/MM/AAAA (Excel in French reads them as dates) and its months AAAA-MM, as mois= is written", async () => {
    const chiffres = parseCsv(await (await tableauCsv(requete(`/tableau.csv?vue=national&table=chiffres&mois=${MOIS}`), t.database)).text());
    expect(chiffres.header).toEqual(["Indicateur", "Date", "Valeur", "Mois précédent (date)", "Mois précédent", "Un an avant (date)", "Un an avant", "Filtres"]);
    const jj = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
    expect(chiffres.records[0].fields[1]).toBe(jj(TODAY));
    for (const r of chiffres.records) for (const i of [1, 3, 5]) expect(r.fields[i]).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    const serie = parseCsv(await (await tableauCsv(requete(`/tableau.csv?vue=national&table=serie&mois=${MOIS}`), t.database)).text());
    expect(serie.header.slice(0, 2)).toEqual(["Mois (AAAA-MM)", "Date (JJ/MM/AAAA)"]);
    expect(serie.records.at(-1)!.fields.slice(0, 2)).toEqual([MOIS, jj(TODAY)]);
    for (const r of serie.records) {
      expect(r.fields[0]).toMatch(/^\d{4}-\d{2}$/);
      expect(r.fields[1]).toMatch(new RegExp(`^\\d{2}/${r.fields[0].slice(5)}/${r.fields[0].slice(0, 4)}$`));
    }
  });

  it("the pages report date= in French too (and show the month's figures)", async () => {
    const page = await chargerTableau(requete("/?date=2026-03-15&niveau=3"), t.database, { kind: "national" }, { today: TODAY });
    expect(page.erreurs).toEqual([expect.stringContaining("date : les tableaux de bord se lisent par mois")]);
    expect(page.mois).toBe(MOIS);
    expect(page.resultat).not.toBeNull();
    expect(page.recherche).toBe("?niveau=3");
  });

  it("a tracking tag on a dashboard's address (utm_source, fbclid) is not carried on to its links: its downloads answer", async () => {
    const page = await chargerTableau(requete("/?utm_source=lettre&region=84&fbclid=abc&tri_o=libelle"), t.database, { kind: "national" }, { today: TODAY });
    expect(page.erreurs).toEqual([]);
    expect(page.recherche).toBe("?region=84&tri_o=libelle");
    const json = await tableauJson(requete(`/tableau.json${page.recherche}&vue=national`), t.database);
    expect(json.status).toBe(200);
  });
});

describe("a filtered indicators export says it is filtered", () => {
  const periode = `repartition=total&repartition=region&periode=mois&debut=${MOIS}&fin=${MOIS}`;

  it("CSV: the file name carries the filters, every row names them in French", async () => {
    const response = await telechargerExport(requete(`/exports/telechargement?${periode}&region=84&niveau=3&age=moins_18&format=csv`, "admin"), t.database);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="indicateurs-apprentissage-${MOIS}_${MOIS}-region-84-niveau-3-age-moins_18.csv"`);
    const csv = parseCsv(await response.text());
    expect(csv.header.at(-1)).toBe("Filtres");
    expect(csv.records.length).toBeGreaterThan(0);
    // the month as debut= and fin= write it, the day as Excel in French reads a date
    expect(csv.header.slice(0, 2)).toEqual(["Mois (AAAA-MM)", "Date (JJ/MM/AAAA)"]);
    for (const r of csv.records) expect(r.fields.slice(0, 2)).toEqual([MOIS, `${TODAY.slice(8, 10)}/${TODAY.slice(5, 7)}/${TODAY.slice(0, 4)}`]);
    for (const r of csv.records) expect(r.fields.at(-1)).toBe("Région : Auvergne-Rhône-Alpes · Niveau : 3 (CAP, BEP) · Âge : moins de 18 ans");
    expect(csv.records.find((r) => r.fields[2] === "Total")!.fields.length).toBe(csv.header.length);

    const national = await telechargerExport(requete(`/exports/telechargement?${periode}&format=csv`, "admin"), t.database);
    expect(national.headers.get("content-disposition")).toBe(`attachment; filename="indicateurs-apprentissage-${MOIS}_${MOIS}.csv"`);
    expect(parseCsv(await national.text()).records.map((r) => r.fields.at(-1))).toContain("aucun");
  });

  it("XLSX: the Paramètres sheet lists each filter by its label and value label, and 'Produit le' dd/MM/yyyy HH:mm", async () => {
    const response = await telechargerExport(requete(`/exports/telechargement?${periode}&region=84&niveau=3&age=moins_18&format=xlsx`, "admin"), t.database);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="indicateurs-apprentissage-${MOIS}_${MOIS}-region-84-niveau-3-age-moins_18.xlsx"`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const sheets = readXlsx(bytes);
    const parametres = Object.fromEntries(sheets[0].rows.map((r) => [r[0], r[1]]));
    expect(parametres).toMatchObject({
      "Filtre : région": "Auvergne-Rhône-Alpes",
      "Filtre : niveau": "3 (CAP, BEP)",
      "Filtre : âge": "moins de 18 ans",
    });
    expect(parametres).not.toHaveProperty("Filtres");
    expect(parametres["Produit le"]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} \(heure de Paris\)$/);
    expect(sheets[1].rows[0].at(-1)).toBe("Filtres");
    expect(sheets[1].rows[1].at(-1)).toBe("Région : Auvergne-Rhône-Alpes · Niveau : 3 (CAP, BEP) · Âge : moins de 18 ans");
    // in Excel: the Date column holds real dates, the month is a text (as debut= and fin= write it)
    for (const feuille of sheets.slice(1)) expect(feuille.rows[0].slice(0, 2)).toEqual(["Mois (AAAA-MM)", "Date (JJ/MM/AAAA)"]);
    expect(colonneBrute(bytes, "B", 2)).toEqual([{ type: "date", valeur: String(isoToExcelSerial(TODAY)), format: "dd/mm/yyyy" }]);
    expect(colonneBrute(bytes, "A", 2)).toEqual([{ type: "texte", valeur: MOIS, format: "General" }]);
    expect(sheets[1].rows[1].slice(0, 2)).toEqual([MOIS, `${TODAY.slice(8, 10)}/${TODAY.slice(5, 7)}/${TODAY.slice(0, 4)}`]);
    // the Paramètres sheet's texts stay texts
    expect(cellulesBrutes(bytes, 1).get("B2")).toMatchObject({ type: "texte" });

    const national = await telechargerExport(requete(`/exports/telechargement?${periode}&format=xlsx`, "admin"), t.database);
    const [feuille] = readXlsx(new Uint8Array(await national.arrayBuffer()));
    expect(Object.fromEntries(feuille.rows.map((r) => [r[0], r[1]]))).toMatchObject({ Filtres: "aucun" });
  });

  it("'Produit le' is Paris time, winter and summer", () => {
    expect(dateHeureParis(new Date("2026-07-01T22:30:00Z"))).toBe("02/07/2026 00:30");
    expect(dateHeureParis(new Date("2026-12-06T06:14:45.662Z"))).toBe("06/12/2026 07:14");
  });
});

describe("export parameters are read as strictly as the dashboards' (same bounds, unknown parameters refused)", () => {
  const fichier = (query: string) => telechargerExport(requete(`/exports/telechargement?repartition=total&${query}&format=csv`, "admin"), t.database).catch((e: unknown) => e);

  it.each([
    [`periode=mois&debut=1900-01&fin=${MOIS}`, "Du mois : janvier 1900 est trop ancien (janvier 2000 au plus tôt)"],
    [`periode=mois&debut=2000-01&fin=1999-12`, "Au mois : décembre 1999 est trop ancien (janvier 2000 au plus tôt)"],
    ["periode=date&date=0001-01-31", "Date : le 31/01/0001 est trop ancien (le 01/01/2000 au plus tôt)"],
    [`periode=mois&debut=${MOIS}&fin=${MOIS}&regoin=84`, "regoin : paramètre inconnu (paramètres acceptés : repartition, periode, date=AAAA-MM-JJ, debut=AAAA-MM, fin=AAAA-MM, format, region, departement"],
    [`periode=mois&debut=${MOIS}&fin=${MOIS}&mois=${MOIS}`, "mois : non lu par les exports : utilisez periode=mois&debut=AAAA-MM&fin=AAAA-MM (ou periode=date&date=AAAA-MM-JJ)"],
  ])("%s: no file, the form says why in French (400)", async (query, message) => {
    const lu = lireExport(new URLSearchParams(`repartition=total&${query}`), TODAY);
    expect(lu.valeur).toBeNull();
    expect(lu.erreurs).toContainEqual(expect.stringContaining(message));
    const refus = (await fichier(query)) as Response;
    expect(refus).toBeInstanceOf(Response);
    expect(refus.status).toBe(302);
    const location = refus.headers.get("location")!;
    expect(location).toBe(`/exports?apercu=1&repartition=total&${query}&format=csv`);
    const page = (await chargerPageExports(requete(location, "admin"), t.database)) as unknown as { data: { erreurs: string[] }; init: ResponseInit };
    expect(page.init.status).toBe(400);
    expect(page.data.erreurs).toContainEqual(expect.stringContaining(message));
  });

  it("builds no stored aggregate for a refused date; the page's own fields (apercu) are not unknown", async () => {
    for (const query of ["periode=date&date=0001-01-31", "periode=mois&debut=1900-01&fin=1900-02"]) {
      const reponse = await fichier(query);
      // a file is read to its end (its queries run as it is read)
      if (reponse instanceof Response && reponse.status === 200) await reponse.text();
    }
    expect(await t.database.rows(sql`select jour from indicateurs_jours where jour < '2000-01-01'`)).toEqual([]);
    const page = (await chargerPageExports(requete(`/exports?apercu=1&repartition=total&periode=mois&debut=${MOIS}&fin=${MOIS}&date=&format=csv&region=&niveau=`, "admin"), t.database)) as unknown as {
      data: { erreurs: string[] };
      init: ResponseInit;
    };
    expect(page.data.erreurs).toEqual([]);
    expect(page.init.status).toBe(200);
    expect(lireExport(new URLSearchParams("repartition=total&periode=date&date=2000-01-01"), TODAY).erreurs).toEqual([]);
  });
});

describe("the /exports form's « Télécharger » button", () => {
  const fichier = (query: string) => telechargerExport(requete(`/exports/telechargement?${query}`, "admin"), t.database).catch((e: unknown) => e);
  const page = async (location: string) =>
    (await chargerPageExports(requete(location, "admin"), t.database)) as unknown as { data: { erreurs: string[]; apercu: unknown }; init: ResponseInit };

  it("downloads the file: the form's preview switch (apercu=1), sent by both buttons, is accepted and changes nothing", async () => {
    const avecApercu = (await fichier(`apercu=1&repartition=region&periode=date&date=${TODAY}&format=csv&region=&niveau=`)) as Response;
    expect(avecApercu).toBeInstanceOf(Response);
    expect(avecApercu.status).toBe(200);
    expect(avecApercu.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(avecApercu.headers.get("content-disposition")).toBe(`attachment; filename="indicateurs-apprentissage-${TODAY}.csv"`);
    const sans = (await fichier(`repartition=region&periode=date&date=${TODAY}&format=csv`)) as Response;
    expect(await avecApercu.text()).toBe(await sans.text());
    const xlsx = (await fichier(`apercu=1&repartition=total&periode=mois&debut=${MOIS}&fin=${MOIS}&format=xlsx`)) as Response;
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-disposition")).toContain(".xlsx");
  });

  it("a JJ/MM/AAAA date, as the field's hint writes it, is read", async () => {
    const jj = `${TODAY.slice(8, 10)}/${TODAY.slice(5, 7)}/${TODAY.slice(0, 4)}`;
    const reponse = (await fichier(`apercu=1&repartition=total&periode=date&date=${encodeURIComponent(jj)}&format=csv`)) as Response;
    expect(reponse.status).toBe(200);
    expect(reponse.headers.get("content-disposition")).toBe(`attachment; filename="indicateurs-apprentissage-${TODAY}.csv"`);
  });

  it.each([
    ["no répartition ticked", `periode=date&date=${TODAY}&format=csv`, "Répartitions : choisissez au moins une répartition"],
    ["no répartition, from the form", `apercu=1&periode=date&date=${TODAY}&format=csv`, "Répartitions : choisissez au moins une répartition"],
    ["an empty date", "apercu=1&repartition=total&periode=date&date=&format=csv", "Date : indiquez la date (JJ/MM/AAAA)"],
    ["a future date", "repartition=total&periode=date&date=2999-01-01&format=csv", "Date : le 01/01/2999 est dans le futur"],
    ["an unknown parameter beside the form's", `apercu=1&repartition=total&periode=date&date=${TODAY}&format=csv&regoin=84`, "regoin : paramètre inconnu"],
  ])("a refused download (%s) goes back to the form, which says why in French (never a silent 302)", async (_cas, query, message) => {
    const refus = (await fichier(query)) as Response;
    expect(refus).toBeInstanceOf(Response);
    expect(refus.status).toBe(302);
    const location = refus.headers.get("location")!;
    expect(location).toMatch(/^\/exports\?apercu=1&/);
    const formulaire = await page(location);
    expect(formulaire.init.status).toBe(400);
    expect(formulaire.data.erreurs).toContainEqual(expect.stringContaining(message));
    expect(formulaire.data.apercu).toBeNull();
  });
});
