import { describe, expect, it } from "vitest";
import { isValidCfd, isValidRncp, isValidSiret, isValidUai, luhnCompletion, niveauFromCfd, normalizeRncp, problemeSiret, problemeUai, uaiCheckLetter } from "../../app/referentiel/codes";
import { detectAnomalies } from "../../app/referentiel/anomalies";
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
