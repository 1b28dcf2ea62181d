/** Rows of a file without id column that would create a second learner (app/ingestion/ressemblances.ts). */
import { describe, expect, it } from "vitest";
import { datesARechercher, jourEtMoisInverses, messageRessemblance, ressemblances, type ApprenantCompare } from "../../app/ingestion/ressemblances";

const a = (nom: string, prenom: string, dateDeNaissance: string, id = `${nom}-${prenom}-${dateDeNaissance}`.toLowerCase()): ApprenantCompare => ({
  formateurId: 1,
  anneeScolaire: "2024-2025",
  id,
  nom,
  prenom,
  dateDeNaissance,
});

describe("learners that look like one already transmitted", () => {
  it("swaps day and month only when that is another real date", () => {
    expect(jourEtMoisInverses("2006-03-02")).toBe("2006-02-03");
    expect(jourEtMoisInverses("2006-03-03")).toBeNull();
    expect(jourEtMoisInverses("2006-03-25")).toBeNull();
    expect(datesARechercher([a("X", "Y", "2006-03-02")])).toEqual(["2006-03-02", "2006-02-03"]);
  });

  it("same prénom and birth date with another nom, or the birth date's day and month swapped: the stored learner", () => {
    const stored = [a("Compte", "Chloé", "2006-02-01"), a("Durand", "Léo", "2006-03-02")];
    const rows = [a("Comte", "Chloe", "2006-02-01"), a("DURAND", "Léo", "2006-02-03"), a("Martin", "Chloé", "2006-02-02"), a("Compte", "Chloé", "2006-02-01")];
    const found = ressemblances(rows, stored);
    expect([...found.keys()]).toEqual([0, 1]);
    expect(found.get(0)!.nom).toBe("Compte");
    expect(found.get(1)!.nom).toBe("Durand");
    expect(messageRessemblance(rows[0], found.get(0)!)).toBe(
      "Ressemble à l'apprenant Chloé Compte, né(e) le 01/02/2006, déjà transmis : vérifiez le nom ou la date de naissance, sinon un second apprenant sera créé.",
    );
  });

  it("same nom, prénom and birth date under another id (sent by an ERP, or a file with ids): counted twice unless told (QA)", () => {
    const stored = [a("Lefèvre", "Hélène", "2007-02-14", "ENC-001"), a("Lefevre", "Helene", "2007-02-15", "ENC-002")];
    const rows = [a("LEFEVRE", "Hélène", "2007-02-14"), a("Lefèvre", "Hélène", "2007-02-16")];
    const found = ressemblances(rows, stored);
    expect([...found.keys()]).toEqual([0]);
    expect(found.get(0)!.id).toBe("ENC-001");
    expect(messageRessemblance(rows[0], found.get(0)!)).toBe(
      "Même nom, même prénom et même date de naissance que l'apprenant Hélène Lefèvre, déjà transmis sous l'identifiant « ENC-001 » : " +
        "indiquez cet identifiant dans une colonne « Identifiant de l'apprenant », sinon un second apprenant sera créé.",
    );
  });

  it("another établissement or année scolaire, or a row updating a stored learner: no warning", () => {
    const stored = [a("Compte", "Chloé", "2006-02-01")];
    expect(ressemblances([{ ...a("Comte", "Chloé", "2006-02-01"), anneeScolaire: "2025-2026" }], stored).size).toBe(0);
    expect(ressemblances([{ ...a("Comte", "Chloé", "2006-02-01"), formateurId: 2 }], stored).size).toBe(0);
    expect(ressemblances([a("Comte", "Chloé", "2006-02-01", stored[0].id)], stored).size).toBe(0);
  });
});
