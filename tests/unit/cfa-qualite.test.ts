/** Data quality rules of the CFA space (app/cfa/qualite.ts). */
import { describe, expect, it } from "vitest";
import { anomaliesEffectif, niveauQualite, scoreQualite, type EffectifQualite } from "../../app/cfa/qualite";

const complet: EffectifQualite = {
  sexe: "F",
  codeCommuneInsee: "69123",
  codePostal: "69001",
  communeConnue: true,
  formationCfd: "50022141",
  formationRncp: null,
  formationId: 1,
  dateDeNaissance: "2006-03-28",
  dateEntreeFormation: "2024-09-02",
  dateFinFormation: "2026-06-30",
  anneeScolaire: "2024-2025",
  statutApprenant: 3,
  contrats: [{ dateDebut: "2024-09-02", dateFin: "2026-08-31", dateRupture: null }],
};

const types = (e: Partial<EffectifQualite>) => anomaliesEffectif({ ...complet, ...e }).map((a) => a.type);

describe("anomaliesEffectif", () => {
  it("finds nothing on a complete effectif", () => {
    expect(anomaliesEffectif(complet)).toEqual([]);
  });
  it("sexe and commune", () => {
    expect(types({ sexe: null })).toEqual(["sexe_manquant"]);
    expect(types({ codeCommuneInsee: null })).toEqual(["commune_manquante"]);
    const inconnue = anomaliesEffectif({ ...complet, codeCommuneInsee: "69001", communeConnue: false });
    expect(inconnue).toEqual([{ type: "commune_inconnue", detail: "code reçu 69001, identique au code postal" }]);
    // not checked (no territories): not an anomaly
    expect(types({ communeConnue: null })).toEqual([]);
  });
  it("contract dates", () => {
    expect(types({ contrats: [{ dateDebut: "2024-09-02", dateFin: null, dateRupture: null }] })).toEqual(["contrat_sans_date_fin"]);
    expect(types({ contrats: [{ dateDebut: "2024-09-02", dateFin: "2024-08-31", dateRupture: null }] })).toEqual(["contrat_dates_incoherentes"]);
    const rupture = anomaliesEffectif({ ...complet, contrats: [{ dateDebut: "2024-09-02", dateFin: "2026-08-31", dateRupture: "2024-09-01" }] });
    expect(rupture).toEqual([{ type: "contrat_dates_incoherentes", detail: "contrat n° 1 : début le 02/09/2024, rupture le 01/09/2024" }]);
    expect(types({ contrats: [{ dateDebut: "2026-09-01", dateFin: "2027-08-31", dateRupture: null }] })).toEqual(["contrat_apres_formation"]);
    expect(types({ contrats: [] })).toEqual(["contrat_manquant"]);
    expect(types({ contrats: [], statutApprenant: 2 })).toEqual([]);
  });
  it("formation codes", () => {
    expect(types({ formationCfd: null, formationRncp: null, formationId: null })).toEqual(["formation_sans_code"]);
    const inconnue = anomaliesEffectif({ ...complet, formationCfd: "99999999", formationRncp: "RNCP1", formationId: null });
    expect(inconnue).toEqual([{ type: "formation_inconnue", detail: "CFD 99999999, RNCP1" }]);
  });
  it("a birth date that makes the learner younger than 14 at the entry in formation", () => {
    expect(types({ dateDeNaissance: "2010-09-02" })).toEqual([]); // 14 on the day of entry
    expect(anomaliesEffectif({ ...complet, dateDeNaissance: "2010-09-03" })).toEqual([
      { type: "age_improbable", detail: "né(e) le 03/09/2010, entré(e) en formation le 02/09/2024" },
    ]);
    expect(types({ dateDeNaissance: "2030-01-01" })).toEqual(["age_improbable"]);
  });
  it("an année scolaire that the formation's dates do not meet", () => {
    // a formation of two years meets its first and its second année scolaire, and the calendar years it spans
    for (const anneeScolaire of ["2024-2025", "2025-2026", "2024-2024", "2026-2026"]) expect(types({ anneeScolaire })).toEqual([]);
    expect(types({ anneeScolaire: "2026-2027" })).toEqual(["annee_scolaire_hors_formation"]); // ends 30/06/2026
    expect(types({ anneeScolaire: "2023-2024" })).toEqual(["annee_scolaire_hors_formation"]); // before 02/09/2024
    expect(anomaliesEffectif({ ...complet, anneeScolaire: "2027-2027" })).toEqual([
      { type: "annee_scolaire_hors_formation", detail: "année scolaire 2027-2027, formation du 02/09/2024 au 30/06/2026" },
    ]);
    expect(types({ anneeScolaire: "2024-2025", dateEntreeFormation: "2025-07-31" })).toEqual([]); // last day of the year
    expect(types({ anneeScolaire: "2024-2025", dateEntreeFormation: "2025-08-01" })).toEqual(["annee_scolaire_hors_formation"]);
  });
  it("reports every anomaly of an effectif", () => {
    expect(types({ sexe: null, codeCommuneInsee: null, formationCfd: null, formationId: null, contrats: [] })).toEqual([
      "sexe_manquant",
      "commune_manquante",
      "contrat_manquant",
      "formation_sans_code",
    ]);
  });
});

describe("score", () => {
  it("is the share of effectifs without anomaly", () => {
    expect(scoreQualite(0, 0)).toBe(1);
    expect(scoreQualite(200, 10)).toBe(0.95);
    expect(scoreQualite(10, 10)).toBe(0);
    expect([1, 0.95, 0.9, 0.85, 0.8, 0.7, 0.5].map(niveauQualite)).toEqual([
      "tres_bonne",
      "tres_bonne",
      "bonne",
      "bonne",
      "a_ameliorer",
      "a_ameliorer",
      "insuffisante",
    ]);
  });
});
