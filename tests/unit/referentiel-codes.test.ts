import { describe, expect, it } from "vitest";
import {
  cleSiretFausse,
  codePostalContredit,
  departementsDuCodePostal,
  isValidCfd,
  isValidRncp,
  isValidSiret,
  isValidUai,
  luhnCompletion,
  luhnValid,
  niveauFromCfd,
  normalizeRncp,
  problemeSiret,
  problemeUai,
  REGLE_SIRET_LA_POSTE,
  uaiCheckLetter,
} from "../../app/referentiel/codes";
import { CODES_DEPARTEMENTS, detectAnomalies } from "../../app/referentiel/anomalies";
import { fraicheurOf, threeMonthsBefore } from "../../app/referentiel/repertoire.server";

describe("codes", () => {
  it("checks UAI check letters, case-insensitively", () => {
    expect(uaiCheckLetter("0751234")).toBe("J");
    expect(isValidUai("0751234J")).toBe(true);
    expect(isValidUai(" 0751234j ")).toBe(true);
    expect(isValidUai("0751234A")).toBe(false);
    expect(isValidUai("075123J")).toBe(false);
  });

  it("says what is wrong with a UAI or a SIRET: the check letter or key, or the shape", () => {
    expect(problemeUai("0693456G")).toBeNull();
    expect(problemeUai(" 0693456g ")).toBeNull();
    // the former example of the sign-up form: 7 digits and a letter, but not its check letter
    expect(problemeUai("0693456X")).toBe("lettre de contrôle incorrecte");
    expect(problemeUai("069345X")).toBe("7 chiffres suivis d'une lettre de contrôle attendus");
    expect(problemeUai("06934567")).toBe("7 chiffres suivis d'une lettre de contrôle attendus");
    const siret = "1300000000001" + luhnCompletion("1300000000001");
    expect(problemeSiret(siret)).toBeNull();
    expect(problemeSiret("12345678901234")).toBe("clé de contrôle incorrecte");
    expect(problemeSiret("123")).toBe("14 chiffres attendus");
  });

  it("checks SIRET with Luhn, and La Poste with its digit-sum rule", () => {
    const siret = "1300000000001" + luhnCompletion("1300000000001");
    expect(isValidSiret(siret)).toBe(true);
    expect(isValidSiret("130 000 000 000 1" + luhnCompletion("1300000000001"))).toBe(true);
    expect(isValidSiret("12345678901234")).toBe(false);
    // La Poste: SIREN 356000000, digit sum multiple of 5 (Luhn would refuse this one)
    expect(isValidSiret("35600000000010")).toBe(true);
    expect(isValidSiret("35600000000011")).toBe(false);
  });

  it("says La Poste's rule, not the Luhn key, of a SIRET of La Poste that fails it", () => {
    // Luhn right, digit sum 19
    expect(luhnValid("35600000010013")).toBe(true);
    expect(isValidSiret("35600000010013")).toBe(false);
    expect(REGLE_SIRET_LA_POSTE).toBe("la somme des chiffres d'un SIRET de La Poste (SIREN 356000000) doit être un multiple de 5");
    expect(cleSiretFausse("35600000010013")).toBe(REGLE_SIRET_LA_POSTE);
    expect(cleSiretFausse("356 000 000 10013")).toBe(REGLE_SIRET_LA_POSTE);
    expect(cleSiretFausse("12345678901234")).toBe("la clé de contrôle (Luhn) est fausse");
    expect(problemeSiret("35600000010013")).toBe(REGLE_SIRET_LA_POSTE);
    expect(problemeSiret("35600000000010")).toBeNull();
  });

  it("reads the département(s) a postal code designates, and only warns of a clear contradiction", () => {
    const d = (cp: string) => departementsDuCodePostal(cp, CODES_DEPARTEMENTS);
    expect(d("13001")).toEqual(["13"]);
    expect(d("01000")).toEqual(["01"]);
    expect(d("20000")).toEqual(["2A", "2B"]); // Corsica: the postal code does not tell which
    expect(d("20600")).toEqual(["2A", "2B"]);
    expect(d("97400")).toEqual(["974"]);
    expect(d("97133")).toEqual(["971"]); // Saint-Barthélemy (97701) has a postal code of Guadeloupe's…
    expect(codePostalContredit("97133", "977", ["97133"], CODES_DEPARTEMENTS)).toBe(false); // …that its commune lists
    expect(d("98000")).toBeNull(); // Monaco
    expect(d("00100")).toBeNull();
    expect(d("1300")).toBeNull();
    const contredit = (cp: string, dep: string, codes?: string[]) => codePostalContredit(cp, dep, codes, CODES_DEPARTEMENTS);
    expect(contredit("13001", "69", ["69003"])).toBe(true);
    expect(contredit("69003", "69", ["69003"])).toBe(false);
    expect(contredit("69441", "69", ["69003"])).toBe(false); // CEDEX of the same département
    expect(contredit("13441", "69")).toBe(true); // CEDEX of another one, commune unknown
    expect(contredit("05110", "04", ["05110"])).toBe(false); // 04058 Claret has a postal code of the Hautes-Alpes
    expect(contredit("20000", "2A", ["20000"])).toBe(false);
    expect(contredit("20200", "2A")).toBe(false); // Corsica for Corsica: never contradictory
    expect(contredit("20000", "13")).toBe(true);
    expect(contredit("97400", "971")).toBe(true);
    expect(contredit("98000", "06")).toBe(false); // Monaco
    expect(codePostalContredit(null, "69", undefined, CODES_DEPARTEMENTS)).toBe(false);
    expect(codePostalContredit("13001", null, undefined, CODES_DEPARTEMENTS)).toBe(false);
  });

  it("checks CFD and RNCP formats", () => {
    expect(isValidCfd("50022137")).toBe(true);
    expect(isValidCfd("3203121A")).toBe(true);
    expect(isValidCfd("5002213")).toBe(false);
    expect(isValidRncp("RNCP34566")).toBe(true);
    expect(isValidRncp("34566")).toBe(true);
    expect(normalizeRncp(" 34566 ")).toBe("RNCP34566");
    expect(isValidRncp("RNCP1")).toBe(false);
    expect(niveauFromCfd("50022137")).toBe(3);
    expect(niveauFromCfd("13512345")).toBe(7);
  });
});

describe("anomaly rules", () => {
  const shared = "0691234" + uaiCheckLetter("0691234");
  const ctx = { siretsByUai: new Map([[shared, new Set(["11111111111111", "22222222222222"])]]), hasResponsable: new Set([2]) };
  const base: { id: number; siret: string; uai: string | null; nature: string; etat_administratif: string; departement_code?: string | null } = {
    id: 1,
    siret: "1300000000001" + luhnCompletion("1300000000001"),
    uai: null,
    nature: "responsable",
    etat_administratif: "actif",
    departement_code: "69",
  };

  it("finds nothing on a sound organisme", () => {
    expect(detectAnomalies(base, ctx)).toEqual([]);
  });

  it("flags invalid UAI, invalid or closed SIRET, unknown nature, shared UAI, formateur without responsable", () => {
    const types = (o: Partial<typeof base>) => detectAnomalies({ ...base, ...o }, ctx).map((a) => a.type);
    expect(types({ uai: "0751234A" })).toEqual(["uai_invalide"]);
    expect(types({ siret: "12345678901234" })).toEqual(["siret_invalide"]);
    expect(types({ etat_administratif: "ferme" })).toEqual(["siret_ferme"]);
    expect(types({ nature: "inconnue" })).toEqual(["nature_inconnue"]);
    expect(types({ uai: shared, siret: "11111111111111" })).toEqual(["siret_invalide", "uai_plusieurs_sirets"]);
    expect(types({ nature: "formateur" })).toEqual(["formateur_sans_responsable"]);
    expect(types({ id: 2, nature: "formateur" })).toEqual([]);
    // no département (commune absent or unknown): its learners count in no territory
    expect(types({ departement_code: null })).toEqual(["territoire_inconnu"]);
    expect(types({ departement_code: undefined })).toEqual([]);
    expect(detectAnomalies({ ...base, uai: shared, siret: "11111111111111" }, ctx)[1].message).toBe(`UAI ${shared} également porté par le SIRET 22222222222222`);
  });

  it("words a SIRET's anomaly by what is wrong: La Poste's rule, the Luhn key, the shape", () => {
    const message = (siret: string) => detectAnomalies({ ...base, siret }, ctx)[0].message;
    expect(message("35600000010013")).toBe(`SIRET 35600000010013 : ${REGLE_SIRET_LA_POSTE}`);
    expect(message("12345678901234")).toBe("SIRET 12345678901234 : la clé de contrôle est fausse");
    expect(message("1234")).toBe("SIRET 1234 : 14 chiffres attendus");
  });

  it("flags a postal code of another département than its commune's, unless the commune lists it", () => {
    const codes = new Map([["69383", ["69003"]], ["04058", ["05110"]]]);
    const anomalies = (o: Partial<typeof base> & { code_postal?: string | null; code_commune?: string | null }) =>
      detectAnomalies({ ...base, ...o }, { ...ctx, codesPostauxDesCommunes: codes });
    expect(anomalies({ code_postal: "13001", code_commune: "69383", departement_code: "69" })).toEqual([
      {
        type: "code_postal_incoherent",
        message: "Code postal 13001 (département 13) et commune 69383 (département 69) : l'un des deux est faux ; l'organisme compte dans le département 69",
      },
    ]);
    expect(anomalies({ code_postal: "69003", code_commune: "69383", departement_code: "69" })).toEqual([]);
    expect(anomalies({ code_postal: "05110", code_commune: "04058", departement_code: "04" })).toEqual([]);
    expect(anomalies({ code_postal: "98000", code_commune: null, departement_code: "06" })).toEqual([]);
    // not looked at without the postal code
    expect(anomalies({ code_postal: undefined, code_commune: "69383", departement_code: "69" })).toEqual([]);
  });
});

describe("freshness", () => {
  const now = new Date("2025-03-15T12:00:00Z");
  it("classifies the last transmission", () => {
    expect(fraicheurOf(null, now)).toBe("jamais");
    expect(fraicheurOf("2025-03-10T00:00:00Z", now)).toBe("recente");
    expect(fraicheurOf("2025-01-01T00:00:00Z", now)).toBe("vieillissante");
    expect(fraicheurOf("2024-12-01T00:00:00Z", now)).toBe("ancienne");
  });

  it("counts three calendar months back to the last day of a shorter month, so it never goes back in time", () => {
    const last = "2025-03-02T12:00:00Z";
    // 31 May − 3 months is 28 February (not 3 March): a transmission of 2 March is under three months old…
    expect(threeMonthsBefore(new Date("2025-05-31T10:00:00Z")).toISOString()).toBe("2025-02-28T10:00:00.000Z");
    expect(fraicheurOf(last, new Date("2025-05-31T10:00:00Z"))).toBe("vieillissante");
    // …and stays so the next day
    expect(fraicheurOf(last, new Date("2025-06-01T10:00:00Z"))).toBe("vieillissante");
    expect(threeMonthsBefore(new Date("2024-05-31T00:00:00Z")).toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(threeMonthsBefore(new Date("2025-01-15T08:00:00Z")).toISOString()).toBe("2024-10-15T08:00:00.000Z");
    expect(fraicheurOf(last, new Date("2025-06-03T10:00:00Z"))).toBe("ancienne");
  });
});
