import { describe, expect, it } from "vitest";
import {
  filtresExclusParLaPage,
  dateDuMois,
  datesDeComparaison,
  datesSerie,
  dernierJourDuMois,
  filtersToSearchParams,
  moisDecale,
  parseDateParams,
  parseFilters,
  parseFiltersLenient,
  parseRepartition,
  sansFiltre,
  type IndicateursFilters,
} from "../../app/indicateurs/filters";
import { memeJourUnAnAvant } from "../../app/statut/days";
import { parseIndicateursArgs, UsageError } from "../../cli/commands/indicateurs";

const ok = (query: string): IndicateursFilters => {
  const r = parseFilters(new URLSearchParams(query));
  if (!r.ok) throw new Error(r.errors.join("; "));
  return r.value;
};
const errors = (query: string): string[] => {
  const r = parseFilters(new URLSearchParams(query));
  return r.ok ? [] : r.errors;
};

describe("filtres des indicateurs", () => {
  it("parses every filter, repeated or comma-separated, normalised", () => {
    expect(
      ok(
        "region=84&region=94&departement=69,2a&academie=10,27&bassin=8405&organisme=130 005 937 00011&organisme=0693500e" +
          "&reseau=CCI&nature=formateur&cfd=32033422&rncp=35185&niveau=5,6&annee_formation=1&age=moins_18,26_plus&sexe=h&rqth=oui&autre=x",
      ),
    ).toEqual({
      region: ["84", "94"],
      departement: ["69", "2A"],
      academie: ["10", "27"],
      bassinEmploi: ["8405"],
      organisme: ["13000593700011", "0693500E"],
      reseau: ["CCI"],
      nature: ["formateur"],
      cfd: ["32033422"],
      rncp: ["RNCP35185"],
      niveau: [5, 6],
      anneeFormation: [1],
      trancheAge: ["moins_18", "26_plus"],
      sexe: ["M"],
      rqth: true,
    });
    expect(ok("")).toEqual({});
    expect(ok("rqth=non")).toEqual({ rqth: false });
    expect(ok("region=84,84")).toEqual({ region: ["84"] });
  });

  it("gives a French message naming the parameter for each bad value", () => {
    expect(errors("region=99")[0]).toMatch(/^region : code région inconnu « 99 »/);
    expect(errors("departement=20")[0]).toMatch(/^departement : code département invalide « 20 »/);
    expect(errors("departement=975")).toHaveLength(1);
    expect(errors("academie=05")[0]).toMatch(/^academie : code académie inconnu/);
    expect(errors("organisme=13000593700012")[0]).toMatch(/^organisme : SIRET invalide/);
    expect(errors("organisme=0693500X")[0]).toMatch(/^organisme : UAI invalide/);
    expect(errors("organisme=abc")[0]).toMatch(/^organisme : SIRET \(14 chiffres\) ou UAI/);
    expect(errors("nature=cfa")[0]).toMatch(/^nature : nature inconnue « cfa »/);
    expect(errors("cfd=123")[0]).toMatch(/^cfd : code formation diplôme invalide/);
    expect(errors("rncp=RNCP1")[0]).toMatch(/^rncp : code RNCP invalide/);
    expect(errors("niveau=2")[0]).toMatch(/^niveau : niveau invalide « 2 »/);
    expect(errors("annee_formation=6")[0]).toMatch(/^annee_formation : /);
    expect(errors("age=mineur")[0]).toMatch(/^age : tranche d'âge inconnue/);
    // the codes a URL takes, each with the label users see in the filter
    expect(errors("age=mineur")[0]).toContain("moins_18 pour « Moins de 18 ans », 18_20 pour « 18 à 20 ans »");
    expect(errors("nature=cfa")[0]).toContain("responsable_formateur pour « ");
    expect(errors("sexe=X")[0]).toMatch(/^sexe : « M » ou « F » attendu/);
    expect(errors("rqth=peut-être")[0]).toMatch(/^rqth : « oui » ou « non » attendu/);
    expect(errors("region=99&niveau=9")).toHaveLength(2);
  });

  it("serialises filters back to the same filters", () => {
    const filters = ok(
      "region=84,94&departement=2A&organisme=0693500E&nature=formateur,responsable&niveau=5&age=18_20&sexe=F&rqth=non&cfd=32033422",
    );
    const params = filtersToSearchParams(filters, new URLSearchParams("mois=2025-03&region=01"));
    expect(params.get("mois")).toBe("2025-03");
    expect(params.get("region")).toBe("84,94");
    expect(ok(params.toString())).toEqual(filters);
    expect(sansFiltre({})).toBe(true);
    expect(sansFiltre({ region: [] })).toBe(true);
    expect(sansFiltre(filters)).toBe(false);
  });

  it("refuses territories that cannot hold together, saying where the département or the académie is", () => {
    expect(errors("region=84&departement=75")).toEqual([
      "departement : le département 75 (Paris) n'est pas dans la région Auvergne-Rhône-Alpes (84) mais dans la région Île-de-France (11) : " +
        "ces deux filtres s'excluent",
    ]);
    expect(errors("region=11&academie=10")).toEqual([
      "academie : l'académie de Lyon (10) n'est pas dans la région Île-de-France (11) mais dans la région Auvergne-Rhône-Alpes (84) : " +
        "ces deux filtres s'excluent",
    ]);
    expect(errors("academie=10&departement=38")[0]).toMatch(
      /^departement : le département 38 \(Isère\) n'est pas dans l'académie de Lyon \(10\) mais dans l'académie de Grenoble \(08\)/,
    );
    expect(errors("region=84,53&departement=75")[0]).toMatch(/^departement : le département 75 \(Paris\) n'est dans aucune des régions demandées \(84, 53\) mais dans la région Île-de-France \(11\)/);
    // one value out of several: that one only
    expect(errors("region=84&departement=69,75")).toHaveLength(1);
    // the same territory at each level, or one of the régions asked: nothing to say
    expect(ok("region=84&academie=10&departement=69")).toEqual({ region: ["84"], academie: ["10"], departement: ["69"] });
    expect(ok("region=84,11&departement=75")).toEqual({ region: ["84", "11"], departement: ["75"] });
    expect(ok("region=94&departement=2a&academie=27")).toEqual({ region: ["94"], departement: ["2A"], academie: ["27"] });
    expect(ok("region=04&departement=974&academie=28")).toEqual({ region: ["04"], departement: ["974"], academie: ["28"] });
  });

  it("leaves a contradicting territory out on a dashboard, and says so, within the page's territory too", () => {
    const url = parseFiltersLenient(new URLSearchParams("region=84&departement=69,75&niveau=4"));
    expect(url.filters).toEqual({ region: ["84"], departement: ["69"], niveau: [4] });
    expect(url.invalidParams).toEqual(["departement"]);
    expect(url.ecartes).toEqual([{ param: "departement", code: "75", message: url.errors[0] }]);
    const page = parseFiltersLenient(new URLSearchParams("departement=75"), { niveau: "region", code: "84" });
    expect(page.filters).toEqual({});
    expect(page.errors).toEqual([
      "departement : ce tableau de bord est celui de la région Auvergne-Rhône-Alpes (84) : le département 75 (Paris) n'en fait pas partie " +
        "mais appartient à la région Île-de-France (11) ; retirez ce filtre ou ouvrez le tableau de bord du département 75 (Paris)",
    ]);
    expect(parseFiltersLenient(new URLSearchParams("region=11"), { niveau: "departement", code: "69" }).errors).toEqual([
      "region : ce tableau de bord est celui du département 69 (Rhône), qui n'est pas dans la région Île-de-France (11) mais dans la région " +
        "Auvergne-Rhône-Alpes (84) ; retirez ce filtre",
    ]);
    expect(parseFiltersLenient(new URLSearchParams("academie=01"), { niveau: "academie", code: "10" }).errors[0]).toMatch(
      /^academie : ce tableau de bord est celui de l'académie de Lyon \(10\) : l'académie de Paris \(01\) n'en fait pas partie/,
    );
    // within the page's territory: kept, nothing said
    expect(parseFiltersLenient(new URLSearchParams("departement=69&region=84&academie=10"), { niveau: "region", code: "84" })).toEqual({
      filters: { region: ["84"], academie: ["10"], departement: ["69"] },
      errors: [],
      invalidParams: [],
    });
  });

  it("parses the breakdown", () => {
    expect(parseRepartition("departement")).toEqual({ ok: true, value: "departement" });
    expect(parseRepartition(null)).toEqual({ ok: true, value: undefined });
    expect(parseRepartition("commune")).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^by : répartition inconnue « commune »/)],
    });
  });
});

describe("dates des indicateurs", () => {
  it("takes a past month's last day and today for the current month", () => {
    expect(dernierJourDuMois("2024-02-10")).toBe("2024-02-29");
    expect(dernierJourDuMois("2025-02")).toBe("2025-02-28");
    expect(dateDuMois("2025-03", "2025-11-20")).toBe("2025-03-31");
    expect(dateDuMois("2025-11", "2025-11-20")).toBe("2025-11-20");
    expect(moisDecale("2025-01-15", -1)).toBe("2024-12");
    expect(moisDecale("2025-01-15", -12)).toBe("2024-01");
    expect(moisDecale("2025-12-31", 1)).toBe("2026-01");
    expect(parseDateParams(new URLSearchParams("mois=2025-02"), "2025-11-20")).toEqual({
      ok: true,
      value: "2025-02-28",
    });
    expect(parseDateParams(new URLSearchParams(""), "2025-11-20")).toEqual({ ok: true, value: "2025-11-20" });
    expect(parseDateParams(new URLSearchParams("date=2025-02-30"), "2025-11-20")).toEqual({
      ok: false,
      errors: ["date : date invalide « 2025-02-30 » (AAAA-MM-JJ attendu)"],
    });
    expect(parseDateParams(new URLSearchParams("mois=2025-12"), "2025-11-20").ok).toBe(false);
    // a date after today (a typo: 2062) or before 2000 would give plausible figures: refused, as the dashboards' months
    expect(parseDateParams(new URLSearchParams("date=2025-11-20"), "2025-11-20")).toEqual({ ok: true, value: "2025-11-20" });
    expect(parseDateParams(new URLSearchParams("date=2025-11-21"), "2025-11-20")).toEqual({
      ok: false,
      errors: ["date : « 2025-11-21 » est dans le futur (aujourd'hui au plus tard : 2025-11-20)"],
    });
    expect(parseDateParams(new URLSearchParams("date=1999-12-31"), "2025-11-20")).toEqual({
      ok: false,
      errors: ["date : « 1999-12-31 » est trop ancienne (1er janvier 2000 au plus tôt)"],
    });
    expect(parseDateParams(new URLSearchParams("date=2000-01-01"), "2025-11-20").ok).toBe(true);
    expect(parseDateParams(new URLSearchParams("mois=1999-12"), "2025-11-20").ok).toBe(false);
  });

  it("compares with the end of the previous month and the same day a year before (29 February: 28 February)", () => {
    expect(datesDeComparaison("2025-09-05")).toEqual({ moisPrecedent: "2025-08-31", anneePrecedente: "2024-09-05" });
    expect(datesDeComparaison("2025-03-31")).toEqual({ moisPrecedent: "2025-02-28", anneePrecedente: "2024-03-31" });
    expect(memeJourUnAnAvant("2024-02-29")).toBe("2023-02-28");
    expect(memeJourUnAnAvant("2025-02-28")).toBe("2024-02-28");
    expect(memeJourUnAnAvant("2025-01-01")).toBe("2024-01-01");
    // a month's last day (a past month) is compared with the same month's last day, the series' point for it
    expect(datesDeComparaison("2025-02-28")).toEqual({ moisPrecedent: "2025-01-31", anneePrecedente: "2024-02-29" });
    expect(datesDeComparaison("2024-02-29")).toEqual({ moisPrecedent: "2024-01-31", anneePrecedente: "2023-02-28" });
    expect(datesDeComparaison("2025-02-27")).toMatchObject({ anneePrecedente: "2024-02-27" });
    for (const date of ["2025-02-28", "2025-06-30", "2024-02-29"]) {
      const serie = datesSerie(date);
      expect(serie.find((p) => p.mois === moisDecale(date, -12))!.date, date).toBe(datesDeComparaison(date).anneePrecedente);
    }
  });

  it("lists the 24 points of a series ending at the date", () => {
    const points = datesSerie("2025-11-20");
    expect(points).toHaveLength(24);
    expect(points[0]).toEqual({ mois: "2023-12", date: "2023-12-31" });
    expect(points[21]).toEqual({ mois: "2025-09", date: "2025-09-30" });
    expect(points[22]).toEqual({ mois: "2025-10", date: "2025-10-31" });
    expect(points[23]).toEqual({ mois: "2025-11", date: "2025-11-20" });
    expect(datesSerie("2024-03-31", 3).map((p) => p.date)).toEqual(["2024-01-31", "2024-02-29", "2024-03-31"]);
  });
});

describe("arguments de la commande indicateurs", () => {
  it("reads the date, the filters and the breakdown", () => {
    expect(
      parseIndicateursArgs(
        [
          "--date",
          "2025-03-31",
          "--region",
          "84",
          "--departement=69",
          "--niveau",
          "5",
          "--cfd",
          "32033422",
          "--siret",
          "13000593700011",
          "--sexe",
          "F",
          "--by",
          "departement",
          "--annee-formation",
          "2",
          "--serie",
        ],
        "2025-11-20",
      ),
    ).toEqual({
      date: "2025-03-31",
      filters: {
        region: ["84"],
        departement: ["69"],
        niveau: [5],
        cfd: ["32033422"],
        organisme: ["13000593700011"],
        sexe: ["F"],
        anneeFormation: [2],
      },
      by: "departement",
      serie: true,
      couverture: false,
      exact: false,
    });
    expect(parseIndicateursArgs([], "2025-11-20").date).toBe("2025-11-20");
    expect(parseIndicateursArgs(["--mois", "2025-02"], "2025-11-20").date).toBe("2025-02-28");
  });

  it("refuses bad arguments with a French message", () => {
    const message = (argv: string[]) => {
      try {
        parseIndicateursArgs(argv, "2025-11-20");
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      return "";
    };
    expect(message(["--date", "2025-13-01"])).toMatch(/^--date : date invalide/);
    expect(message(["--region", "99"])).toMatch(/^--region : code région inconnu/);
    expect(message(["--region", "84", "--departement", "75"])).toMatch(
      /^--departement : le département 75 \(Paris\) n'est pas dans la région Auvergne-Rhône-Alpes \(84\) mais dans la région Île-de-France \(11\)/,
    );
    expect(message(["--annee-formation", "9"])).toMatch(/^--annee-formation : /);
    expect(message(["--by", "commune"])).toMatch(/^--by : répartition inconnue/);
    expect(message(["--couleur", "bleu"])).toMatch(/^Option inconnue : --couleur/);
    expect(message(["--region"])).toMatch(/^--region : valeur manquante/);
    expect(message(["--region", "--niveau", "5"])).toMatch(/^--region : valeur manquante/);
    expect(message(["--date", "2025-01-01", "--mois", "2025-01"])).toMatch(/ne peuvent pas être utilisés ensemble/);
    expect(message(["84"])).toMatch(/^Argument inconnu : 84/);
  });
});

describe("filtresExclusParLaPage", () => {
  it("names each filter none of whose values the page allows, and only those", () => {
    expect(filtresExclusParLaPage({ cfd: ["40320795"] }, { cfd: ["32022310", "50022137"], niveau: [4] })).toEqual([
      "cfd : « 32022310, 50022137 » exclut ce que montre cette page (cfd 40320795) ; retirez ce filtre.",
    ]);
    // one value allowed among several: the filter holds
    expect(filtresExclusParLaPage({ cfd: ["40320795"] }, { cfd: ["32022310", "40320795"] })).toEqual([]);
    expect(filtresExclusParLaPage({ rqth: true, region: ["84"] }, { rqth: false, region: ["11"] })).toEqual([
      "rqth : « non » exclut ce que montre cette page (rqth oui) ; retirez ce filtre.",
      "region : « 11 » exclut ce que montre cette page (region 84) ; retirez ce filtre.",
    ]);
    expect(filtresExclusParLaPage({}, { region: ["11"] })).toEqual([]);
  });
});
