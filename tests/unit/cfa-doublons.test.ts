/** Duplicate rules of the CFA space (app/cfa/doublons.ts). */
import { describe, expect, it } from "vitest";
import { cleDoublon, fusion, groupesDoublons, normaliserNom, validerMotif, type EffectifDoublon } from "../../app/cfa/doublons";

function e(id: number, over: Partial<EffectifDoublon> = {}): EffectifDoublon {
  return {
    id,
    organismeFormateurId: 1,
    anneeScolaire: "2025-2026",
    idErpApprenant: `ERP-${id}`,
    nom: "Le Gall",
    prenom: "Élodie",
    dateDeNaissance: "2007-04-12",
    formationCfd: "50022141",
    formationRncp: null,
    formationId: 3,
    libelleCourtFormation: "CAP Boulanger",
    updatedAt: "2025-10-01T00:00:00.000Z",
    nbContrats: 0,
    nbChampsRenseignes: 10,
    ...over,
  };
}

describe("normaliserNom", () => {
  it("ignores case, accents, spaces, hyphens and apostrophes", () => {
    expect(normaliserNom("Le Gall")).toBe("legall");
    expect(normaliserNom("LE-GALL")).toBe("legall");
    expect(normaliserNom("Élodie")).toBe("elodie");
    expect(normaliserNom("N'Diaye")).toBe("ndiaye");
    expect(normaliserNom("Cœur")).toBe("coeur");
  });

  it("keeps digits: names that differ by a digit are different names", () => {
    expect(normaliserNom("Testeur1")).toBe("testeur1");
    expect(normaliserNom("Testeur1")).not.toBe(normaliserNom("Testeur11"));
    expect(cleDoublon(e(1, { nom: "Masse0001" }))).not.toBe(cleDoublon(e(2, { nom: "Masse0002" })));
  });
});

describe("cleDoublon", () => {
  it("is the same for the same learner typed differently", () => {
    expect(cleDoublon(e(1))).toBe(cleDoublon(e(2, { nom: "LE GALL", prenom: "elodie" })));
  });
  it("differs on birth date, formation, school year or organisme formateur", () => {
    const k = cleDoublon(e(1));
    expect(cleDoublon(e(2, { dateDeNaissance: "2007-04-13" }))).not.toBe(k);
    expect(cleDoublon(e(2, { formationCfd: "50022142" }))).not.toBe(k);
    expect(cleDoublon(e(2, { anneeScolaire: "2024-2025" }))).not.toBe(k);
    expect(cleDoublon(e(2, { organismeFormateurId: 9 }))).not.toBe(k);
  });
  it("falls back on RNCP (prefix or not), catalogue formation, then label; none without any", () => {
    const rncp = (v: string) => cleDoublon(e(1, { formationCfd: null, formationRncp: v }));
    expect(rncp("RNCP35316")).toBe(rncp("35316"));
    expect(cleDoublon(e(1, { formationCfd: null, formationId: 7 }))).toMatch(/f:7$/);
    expect(cleDoublon(e(1, { formationCfd: null, formationId: null, libelleCourtFormation: "CAP boulanger" }))).toMatch(/l:capboulanger$/);
    expect(cleDoublon(e(1, { formationCfd: null, formationId: null, libelleCourtFormation: null }))).toBeNull();
    expect(cleDoublon(e(1, { nom: "  " }))).toBeNull();
  });
});

describe("groupesDoublons", () => {
  it("suggests the most recently written first: its identifier is the one sent today (the merged ones' sends are refused)", () => {
    const [groupe] = groupesDoublons([
      e(1, { idErpApprenant: "legall-elodie-2007-04-12", nbContrats: 1, nbChampsRenseignes: 14 }),
      e(2, { idErpApprenant: "ERP-77", updatedAt: "2025-10-02T00:00:00.000Z" }),
    ]);
    expect(groupe.suggestionConserveId).toBe(2);
  });
  it("groups duplicates and suggests, at the same time of writing, the one with most contracts, then most complete", () => {
    const groups = groupesDoublons([
      e(1),
      e(2, { nom: "LE GALL", nbContrats: 1 }),
      e(3, { prenom: "Marc" }),
      e(4, { prenom: "Marc", nbChampsRenseignes: 12 }),
      e(5, { prenom: "Marc", nbChampsRenseignes: 12, updatedAt: "2025-11-01T00:00:00.000Z" }),
      e(6, { prenom: "Seul" }),
    ]);
    expect(groups.map((g) => g.effectifs.map((x) => x.id))).toEqual([
      [5, 4, 3],
      [2, 1],
    ]);
    expect(groups.map((g) => g.suggestionConserveId)).toEqual([5, 2]);
  });
  it("finds nothing without duplicates", () => {
    expect(groupesDoublons([e(1), e(2, { prenom: "Autre" })])).toEqual([]);
  });
});

describe("fusion", () => {
  it("fills only what the kept effectif lacks, and takes the contracts when it has none", () => {
    const f = fusion(
      { sexe: "F", email: null, telephone: "", code_commune_insee: null, nom: "A" },
      { sexe: "M", email: "x@y.fr", telephone: "0612345678", code_commune_insee: "69123", nom: "B" },
      { conserve: 0, autre: 2 },
    );
    expect(f.champs).toEqual({ email: "x@y.fr", telephone: "0612345678", code_commune_insee: "69123" });
    expect(f.reprendContrats).toBe(true);
    expect(fusion({}, {}, { conserve: 1, autre: 2 }).reprendContrats).toBe(false);
  });
  it("does not link a catalogue formation that contradicts the kept CFD", () => {
    expect(fusion({ formation_cfd: "50022141", formation_id: null }, { formation_cfd: "50022142", formation_id: 4 }, { conserve: 0, autre: 0 }).champs).toEqual({});
    expect(fusion({ formation_cfd: null, formation_id: null }, { formation_cfd: "50022142", formation_id: 4 }, { conserve: 0, autre: 0 }).champs).toEqual({
      formation_cfd: "50022142",
      formation_id: 4,
    });
  });
});

describe("validerMotif", () => {
  it("requires 3 to 500 characters", () => {
    expect(validerMotif("  a ")).toMatchObject({ ok: false });
    expect(validerMotif(null)).toMatchObject({ ok: false });
    expect(validerMotif("x".repeat(501))).toMatchObject({ ok: false });
    expect(validerMotif("  Saisie   en double ")).toEqual({ ok: true, motif: "Saisie en double" });
  });
});
