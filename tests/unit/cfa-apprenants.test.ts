/** URL parameters and signals of the CFA learners' list (app/cfa/apprenants.ts), and the ERP instructions. */
import { describe, expect, it } from "vitest";
import { ANNEES_COMPTEES, filtresPourJournal, jourDuParametre, libelleAnneesComptees, libelleSignal, parseFiltresApprenants } from "../../app/cfa/apprenants";
import { instructionsErp, normaliserErp, SANS_ERP } from "../../app/cfa/erp";

const TODAY = "2025-11-20";
const parse = (q: string) => parseFiltresApprenants(new URLSearchParams(q), TODAY);

describe("parseFiltresApprenants", () => {
  it("defaults", () => {
    expect(parse("")).toEqual({ filtres: { date: TODAY, tri: "nom", ordre: "asc", page: 1, limit: 25 }, erreurs: [] });
  });
  it("reads every filter", () => {
    const { filtres, erreurs } = parse(
      "q=%20Dupont%20&date=2025-03-31&statut=RUPTURANT&signal=a_risque&formation=RNCP35316&annee=2024-2025&annee_formation=2&formateur=12&tri=naissance&ordre=desc&page=3&limit=100",
    );
    expect(erreurs).toEqual([]);
    expect(filtres).toEqual({
      q: "Dupont",
      date: "2025-03-31",
      statut: "RUPTURANT",
      signal: "a_risque",
      formation: "RNCP35316",
      anneeScolaire: "2024-2025",
      anneeFormation: 2,
      formateur: 12,
      tri: "naissance",
      ordre: "desc",
      page: 3,
      limit: 100,
    });
    expect(filtresPourJournal(filtres)).toEqual({
      date: "2025-03-31",
      q: "Dupont",
      statut: "RUPTURANT",
      signal: "a_risque",
      formation: "RNCP35316",
      annee: "2024-2025",
      annee_formation: 2,
      formateur: 12,
    });
  });
  it("drops invalid values with a French message", () => {
    const { filtres, erreurs } = parse("date=2025-02-30&statut=X&signal=Y&formation=%3Cscript%3E&annee=2024-2026&annee_formation=9&formateur=abc&tri=x&page=-1&limit=7");
    expect(filtres).toEqual({ date: TODAY, tri: "nom", ordre: "asc", page: 1, limit: 25 });
    expect(erreurs).toHaveLength(7);
    expect(erreurs[0]).toMatch(/date/);
  });
  it("« comptees »: the années scolaires the counters count at the list's date", () => {
    expect(parse(`annee=${ANNEES_COMPTEES}&statut=RUPTURANT`)).toMatchObject({ filtres: { anneeScolaire: "comptees", statut: "RUPTURANT" }, erreurs: [] });
    expect(libelleAnneesComptees("2026-03-15")).toBe("Comptées au 15/03/2026 : 2025-2026 et 2026-2026 (année civile 2026)");
    expect(parse("annee=toutes").erreurs).toEqual([
      "L'année scolaire doit s'écrire AAAA-AAAA (ex. 2024-2025), ou « comptees » pour les années comptées à la date du statut.",
    ]);
  });
  it("a real date out of the accepted range is told the range, not that it is invalid", () => {
    expect(parse("date=1990-01-01").erreurs).toEqual([
      "Statut au : la date doit être comprise entre le 01/01/2000 et le 31/12/2100 (01/01/1990 est hors de cette période).",
    ]);
    expect(parse("date=2101-01-01").erreurs[0]).toMatch(/entre le 01\/01\/2000 et le 31\/12\/2100/);
    expect(parse("date=2000-01-01")).toMatchObject({ filtres: { date: "2000-01-01" }, erreurs: [] });
  });
  it("reads the date as AAAA-MM-JJ or jj/mm/aaaa, as the message says, and only a real calendar day", () => {
    // the message starts with the field's label (« Statut au », or the one given: « Situation au » for the named lists)
    const message = (recu: string) =>
      `Statut au : « ${recu} » n'est pas une date valide : saisissez un jour du calendrier au format jj/mm/aaaa (par exemple 31/03/2025) ou aaaa-mm-jj (2025-03-31).`;
    // the format the message asks for is accepted, and read as the same day as its ISO form
    expect(parse("date=06/12/2025")).toEqual(parse("date=2025-12-06"));
    expect(parse("date=06/12/2025")).toMatchObject({ filtres: { date: "2025-12-06" }, erreurs: [] });
    expect(parse("date=%2029/02/2024%20")).toMatchObject({ filtres: { date: "2024-02-29" }, erreurs: [] });
    // not a day of the calendar, in either format: refused with the formats accepted, the date left at today
    for (const recu of ["2025-02-30", "30/02/2026", "29/02/2025", "31/04/2025", "00/01/2025", "12/13/2025", "2025-13-01"]) {
      expect(parse(`date=${encodeURIComponent(recu)}`), recu).toEqual({
        filtres: { date: TODAY, tri: "nom", ordre: "asc", page: 1, limit: 25 },
        erreurs: [message(recu)],
        erreurDate: message(recu),
      });
    }
    for (const recu of ["6/12/2025", "06-12-2025", "2025/12/06", "06/12/25", "hier"]) expect(parse(`date=${encodeURIComponent(recu)}`).erreurs, recu).toEqual([message(recu)]);
    // the range is checked on the day, whatever its format
    expect(parse("date=01/01/1990").erreurs).toEqual([
      "Statut au : la date doit être comprise entre le 01/01/2000 et le 31/12/2100 (01/01/1990 est hors de cette période).",
    ]);
    expect(jourDuParametre("31/12/2025")).toBe("2025-12-31");
    expect(jourDuParametre("31/11/2025")).toBeNull();
  });
  it("with a last day (the territories' named lists), refuses a date after it, and keeps that day", () => {
    const options = { dateMax: TODAY };
    const lendemain = parseFiltresApprenants(new URLSearchParams("date=2025-11-21"), TODAY, options);
    const futur =
      "Statut au : le 21/11/2025 est dans le futur ; la liste dit qui est dans cette situation, pas qui le sera : choisissez une date passée ou aujourd'hui (le 20/11/2025 au plus tard).";
    expect(lendemain).toEqual({ filtres: { date: TODAY, tri: "nom", ordre: "asc", page: 1, limit: 25 }, erreurs: [futur], erreurDate: futur });
    expect(parseFiltresApprenants(new URLSearchParams("date=30/06/2027"), TODAY, { ...options, libelleDate: "Situation au" }).erreurs[0]).toMatch(
      /^Situation au : le 30\/06\/2027 est dans le futur/,
    );
    expect(parseFiltresApprenants(new URLSearchParams(`date=${TODAY}`), TODAY, options)).toMatchObject({ filtres: { date: TODAY }, erreurs: [] });
    expect(parseFiltresApprenants(new URLSearchParams("date=20/11/2025"), TODAY, options)).toMatchObject({ filtres: { date: TODAY }, erreurs: [] });
    expect(parseFiltresApprenants(new URLSearchParams("date=2024-06-30"), TODAY, options)).toMatchObject({ filtres: { date: "2024-06-30" }, erreurs: [] });
    // without a last day (a CFA's own list), a future date is a date like any other
    expect(parse("date=2027-06-30")).toMatchObject({ filtres: { date: "2027-06-30" }, erreurs: [] });
  });
});

describe("libelleSignal", () => {
  it("describes the dropout état at the date", () => {
    expect(libelleSignal(null, null, false)).toBeNull();
    expect(libelleSignal(1, null, false)).toBeNull();
    expect(libelleSignal(2, 1, true)).toBe("Sans contrat depuis 1 jour · à risque");
    expect(libelleSignal(6, 50, false)).toBe("Rupturant depuis 50 jours");
    expect(libelleSignal(8, null, false)).toBe("Abandon");
  });
});

describe("ERP instructions", () => {
  it("normalises the ERP name and gives steps for each mode", () => {
    expect(normaliserErp(" ypareo ")).toBe("Ypareo");
    expect(normaliserErp("")).toBeNull();
    const api = "https://exemple.fr/api/v3/dossiers-apprenants";
    expect(instructionsErp("Ypareo", api).mode).toBe("connecteur");
    expect(instructionsErp("Hyperplanning", api)).toMatchObject({ mode: "api" });
    expect(instructionsErp("Hyperplanning", api).etapes.join(" ")).toContain(`GET ${api}/test`);
    expect(instructionsErp(SANS_ERP, api).mode).toBe("fichier");
    expect(instructionsErp(null, api).etapes).toHaveLength(1);
  });
});
