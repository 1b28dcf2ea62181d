/**
 * The demo generator on its own (no database): sizes, identifiers, determinism, chunking, and the shape of the
 * effectifs (dates, contracts, statuts at today and at every past month-end).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, mulberry32, type DemoWorld, type EffectifBundle } from "../../app/demo/generator";
import { loadDemoTerritories } from "../../app/demo/seed.server";
import {
  CFD_PATTERN,
  RNCP_PATTERN,
  isAgricultureCfd,
  isValidSiret,
  isValidUai,
  niveauFromCfd,
} from "../../app/referentiel/codes";
import { STATUTS, computeParcours, statutAt, type Statut } from "../../app/statut/engine";

const TODAY = "2026-11-23";
const N = 50_000;

let world: DemoWorld;
let bundles: EffectifBundle[];

beforeAll(() => {
  world = createDemoWorld({ effectifs: N, seed: 1, today: TODAY }, loadDemoTerritories());
  bundles = [...world.effectifs()];
}, 60_000);

function take<T>(iterator: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const next = iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

function ageAt(birth: string, date: string): number {
  const [by, bm, bd] = birth.split("-").map(Number);
  const [y, m, d] = date.split("-").map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

describe("mulberry32", () => {
  it("is a deterministic stream in [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
  });
});

describe("demo world: référentiel", () => {
  it("scales organismes and formations with the number of effectifs", () => {
    expect(world.organismes.length).toBeGreaterThanOrEqual(180);
    expect(world.organismes.length).toBeLessThanOrEqual(260);
    expect(world.organismes.filter((o) => o.uai).length).toBeGreaterThanOrEqual(120);
    expect(world.formations.length).toBeGreaterThanOrEqual(250);
    expect(world.formations.length).toBeLessThanOrEqual(350);

    const national = createDemoWorld({ effectifs: 3_000_000, seed: 1, today: TODAY }, loadDemoTerritories());
    const withUai = national.organismes.filter((o) => o.uai).length;
    expect(withUai).toBeGreaterThanOrEqual(3_000);
    expect(withUai).toBeLessThanOrEqual(4_500);
    expect(new Set(national.organismes.map((o) => o.siret)).size).toBeGreaterThan(withUai * 2);
    expect(national.formations.length).toBeGreaterThanOrEqual(3_000);
    expect(new Set(national.formations.map((f) => f.cfd).filter(Boolean)).size).toBe(national.formations.filter((f) => f.cfd).length);
  });

  it("places CFAs in every département, weighted by population", () => {
    const territories = loadDemoTerritories();
    const cfas = world.organismes.filter((o) => o.nature !== "lieu");
    const departements = new Set(cfas.map((o) => o.departementCode));
    for (const d of territories.departements) expect(departements.has(d.code), d.code).toBe(true);
    const count = (region: string) => cfas.filter((o) => o.regionCode === region).length;
    expect(count("11")).toBeGreaterThan(count("06")); // Île-de-France > Mayotte
    expect(count("84")).toBeGreaterThan(count("94")); // Auvergne-Rhône-Alpes > Corse
    const communes = new Map(territories.communes.map((c) => [c.code, c]));
    for (const o of world.organismes) {
      const c = communes.get(o.codeCommune!);
      expect(c, o.codeCommune!).toBeDefined();
      expect([c!.departementCode, c!.regionCode, c!.academieCode]).toEqual([o.departementCode, o.regionCode, o.academieCode]);
      expect(c!.codesPostaux).toContain(o.codePostal);
    }
  });

  it("builds valid, unique identifiers", () => {
    const pairs = new Set<string>();
    for (const o of world.organismes) {
      expect(isValidSiret(o.siret), o.siret).toBe(true);
      expect(o.siret.startsWith("356000000")).toBe(false);
      if (o.uai) {
        expect(isValidUai(o.uai), o.uai).toBe(true);
        const prefix = o.departementCode === "2A" ? "620" : o.departementCode === "2B" ? "720" : o.departementCode!.padStart(3, "0");
        expect(o.uai.startsWith(prefix)).toBe(true);
      }
      const key = `${o.siret}|${o.uai ?? ""}`;
      expect(pairs.has(key)).toBe(false);
      pairs.add(key);
    }
  });

  it("gives the catalogue an offer: every formation taught by its learners' CFAs, at their communes and their lieux", () => {
    const organismes = new Map(world.organismes.map((o) => [o.id, o]));
    const formationIds = new Set(world.formations.map((f) => f.id));
    const keys = new Set<string>();
    for (const offre of world.offres) {
      const key = `${offre.formationId}|${offre.organismeFormateurId}|${offre.organismeResponsableId}|${offre.codeCommuneLieu}`;
      expect(keys.has(key)).toBe(false); // the unique key of offres_formation
      keys.add(key);
      expect(formationIds.has(offre.formationId)).toBe(true);
      const formateur = organismes.get(offre.organismeFormateurId)!;
      expect(formateur.nature).not.toBe("lieu");
      if (offre.organismeResponsableId !== null) {
        expect(world.relations).toContainEqual({ formateurId: formateur.id, responsableId: offre.organismeResponsableId });
      }
      expect(offre.codeCommuneLieu).toMatch(/^([0-9]{2}|2A|2B)[0-9]{3}$/);
    }
    // each (formateur, formation) of the learners generated is in the offer
    const offertes = new Set(world.offres.map((o) => `${o.organismeFormateurId}|${o.formationId}`));
    for (const b of bundles.slice(0, 2000)) {
      if (b.effectif.formationId != null) expect(offertes.has(`${b.effectif.organismeFormateurId}|${b.effectif.formationId}`)).toBe(true);
    }
    // some offers are at a lieu de formation, not at the CFA's own commune
    const lieux = new Set(world.organismes.filter((o) => o.nature === "lieu").map((o) => o.codeCommune));
    expect(world.offres.some((o) => lieux.has(o.codeCommuneLieu!) && o.codeCommuneLieu !== organismes.get(o.organismeFormateurId)!.codeCommune)).toBe(true);
  });

  it("gives responsables 1 to 6 formateurs and réseaux, Qualiopi, closures and transmissions in realistic shares", () => {
    const natures = new Set(world.organismes.map((o) => o.nature));
    expect([...natures].sort()).toEqual(["formateur", "lieu", "responsable", "responsable_formateur"]);
    const byResponsable = new Map<number, number>();
    for (const r of world.relations) byResponsable.set(r.responsableId, (byResponsable.get(r.responsableId) ?? 0) + 1);
    for (const o of world.organismes.filter((x) => x.nature === "responsable")) {
      const n = byResponsable.get(o.id) ?? 0;
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(6);
    }
    const national = createDemoWorld({ effectifs: 3_000_000, seed: 5, today: TODAY }, loadDemoTerritories());
    const cfas = national.organismes.filter((o) => o.nature !== "lieu");
    const share = (f: (o: (typeof cfas)[number]) => boolean) => cfas.filter(f).length / cfas.length;
    expect(share((o) => (o.reseaux ?? []).length > 0)).toBeGreaterThan(0.3);
    expect(share((o) => (o.reseaux ?? []).length > 0)).toBeLessThan(0.6);
    expect(share((o) => o.qualiopi === true)).toBeGreaterThan(0.85);
    expect(share((o) => o.etatAdministratif === "ferme")).toBeGreaterThan(0.005);
    expect(share((o) => o.etatAdministratif === "ferme")).toBeLessThan(0.04);
    expect(share((o) => o.firstTransmissionAt == null)).toBeGreaterThan(0.04);
    expect(share((o) => o.firstTransmissionAt == null)).toBeLessThan(0.12);
    const staleBefore = new Date("2026-08-23T00:00:00Z");
    expect(share((o) => o.lastTransmissionAt != null && o.lastTransmissionAt < staleBefore)).toBeGreaterThan(0.03);
    for (const o of cfas) {
      if (o.firstTransmissionAt && o.lastTransmissionAt) expect(o.firstTransmissionAt <= o.lastTransmissionAt).toBe(true);
      if (o.lastTransmissionAt) expect(o.lastTransmissionAt.toISOString() < TODAY).toBe(true);
    }
    const responsablesNames = national.organismes.map((o) => o.raisonSociale);
    expect(responsablesNames.some((n) => n.startsWith("CFA BTP "))).toBe(true);
    expect(responsablesNames.some((n) => n.startsWith("Lycée professionnel "))).toBe(true);
    expect(responsablesNames.some((n) => n.startsWith("IUT "))).toBe(true);
  });

  it("builds formations with plausible CFD, RNCP, niveau and durée", () => {
    for (const f of world.formations) {
      if (f.cfd) {
        expect(f.cfd).toMatch(CFD_PATTERN);
        expect(niveauFromCfd(f.cfd), f.intituleLong).toBe(f.niveau);
        const agricole = /^(CAP agricole|BTSA|Titre ingénieur spécialité agro)/.test(f.intituleLong);
        if (agricole) expect(isAgricultureCfd(f.cfd), f.intituleLong).toBe(true);
        if (/^(CAP (?!agricole)|BTS |Master |BUT )/.test(f.intituleLong)) expect(isAgricultureCfd(f.cfd), f.intituleLong).toBe(false);
      }
      expect(f.rncp).toMatch(RNCP_PATTERN);
      expect(f.dureeAnnees).toBeGreaterThanOrEqual(1);
      expect(f.dureeAnnees).toBeLessThanOrEqual(3);
    }
    const names = world.formations.map((f) => f.intituleLong);
    for (const expected of ["CAP Cuisine", "BTS Management commercial opérationnel", "Bac pro Maintenance des véhicules option A voitures particulières"]) {
      expect(names).toContain(expected);
    }
    expect(names.some((n) => n.startsWith("Licence pro Métiers de l'informatique"))).toBe(true);
    expect(names.some((n) => n.startsWith("Titre ingénieur"))).toBe(true);
    expect(world.formations.some((f) => f.cfd && isAgricultureCfd(f.cfd))).toBe(true);
  });

  it("rejects a malformed today", () => {
    expect(() => createDemoWorld({ effectifs: 10, seed: 1, today: "23/11/2026" }, loadDemoTerritories())).toThrow(/AAAA-MM-JJ/);
  });
});

describe("demo world: effectifs", () => {
  it("is deterministic and independent of chunking", () => {
    const again = createDemoWorld({ effectifs: N, seed: 1, today: TODAY }, loadDemoTerritories());
    expect(take(again.effectifs(), 1000)).toEqual(bundles.slice(0, 1000));
    const chunked: EffectifBundle[] = [];
    for (const chunk of again.effectifChunks(137)) {
      expect(chunk.length).toBeLessThanOrEqual(137);
      chunked.push(...chunk);
      if (chunked.length >= 2000) break;
    }
    expect(chunked.slice(0, 2000)).toEqual(bundles.slice(0, 2000));
    const otherSeed = createDemoWorld({ effectifs: N, seed: 2, today: TODAY }, loadDemoTerritories());
    expect(take(otherSeed.effectifs(), 50)).not.toEqual(bundles.slice(0, 50));
  });

  it("numbers effectifs, contrats and ERP statuts consecutively", () => {
    expect(bundles).toHaveLength(N);
    let contrat = 0;
    let statut = 0;
    bundles.forEach((b, i) => {
      expect(b.effectif.id).toBe(i + 1);
      for (const c of b.contrats) {
        expect(c.id).toBe(++contrat);
        expect(c.effectifId).toBe(b.effectif.id);
      }
      expect(b.statutsErp.length).toBeGreaterThanOrEqual(1);
      expect(b.statutsErp.length).toBeLessThanOrEqual(2);
      for (const s of b.statutsErp) expect(s.id).toBe(++statut);
    });
  });

  it("keeps (formateur, année scolaire, id_erp) unique and learners in formations of their formateur's catalogue", () => {
    const keys = new Set<string>();
    const organismes = new Map(world.organismes.map((o) => [o.id, o]));
    for (const { effectif: e } of bundles) {
      const key = `${e.organismeFormateurId}|${e.anneeScolaire}|${e.idErpApprenant}`;
      expect(keys.has(key)).toBe(false);
      keys.add(key);
      const formateur = organismes.get(e.organismeFormateurId)!;
      expect(["formateur", "responsable_formateur"]).toContain(formateur.nature);
      if (e.organismeLieuId) expect(organismes.get(e.organismeLieuId)!.nature).toBe("lieu");
      expect(e.anneeScolaire).toMatch(/^(\d{4})-(\d{4})$/);
    }
  });

  it("has dates and contracts an ERP would send, and the parcours of the statut engine", () => {
    for (const { effectif: e, contrats } of bundles) {
      expect(e.dateInscriptionFormation <= e.dateEntreeFormation).toBe(true);
      expect(e.dateEntreeFormation < e.dateFinFormation).toBe(true);
      expect(e.dateEntreeFormation <= TODAY).toBe(true);
      expect(contrats.length).toBeLessThanOrEqual(4);
      contrats.forEach((c, i) => {
        expect(c.rang).toBe(i + 1);
        expect(c.dateDebut <= TODAY).toBe(true);
        if (c.dateFin) expect(c.dateDebut < c.dateFin).toBe(true);
        if (c.dateRupture) {
          expect(c.dateDebut < c.dateRupture).toBe(true);
          expect(c.dateRupture <= TODAY).toBe(true);
          expect(c.causeRupture).toBeTruthy();
        }
        if (i > 0) expect(contrats[i - 1].dateRupture! <= c.dateDebut).toBe(true);
        expect(isValidSiret(c.siretEmployeur!)).toBe(true);
      });
      if (e.dateExclusionFormation) expect(e.dateExclusionFormation <= TODAY).toBe(true);
      if (e.dateObtentionDiplome) expect(e.dateObtentionDiplome <= TODAY).toBe(true);
      expect([0, 2, 3]).toContain(e.statutApprenant);
      expect(e.parcours).toEqual(
        computeParcours({
          date_entree_formation: e.dateEntreeFormation,
          date_fin_formation: e.dateFinFormation,
          date_exclusion_formation: e.dateExclusionFormation,
          contrats: contrats.map((c) => ({ date_debut: c.dateDebut, date_fin: c.dateFin, date_rupture: c.dateRupture })),
        }),
      );
    }
  });

  it("draws learners who look real", () => {
    const n = bundles.length;
    const share = (f: (b: EffectifBundle) => boolean) => bundles.filter(f).length / n;
    expect(share((b) => b.effectif.sexe === "M")).toBeGreaterThan(0.5);
    expect(share((b) => b.effectif.sexe === "M")).toBeLessThan(0.7);
    expect(share((b) => b.effectif.rqth === true)).toBeGreaterThan(0.008);
    expect(share((b) => b.effectif.rqth === true)).toBeLessThan(0.025);
    expect(share((b) => b.effectif.telephone !== null)).toBeGreaterThan(0.75);
    expect(share((b) => b.effectif.email !== null)).toBeGreaterThan(0.75);
    expect(share((b) => b.effectif.ine !== null)).toBeGreaterThan(0.2);
    expect(share((b) => b.effectif.ine !== null)).toBeLessThan(0.8);
    expect(share((b) => b.effectif.dateExclusionFormation !== null)).toBeGreaterThan(0.01);
    expect(share((b) => b.effectif.dateExclusionFormation !== null)).toBeLessThan(0.05);
    expect(share((b) => b.effectif.obtentionDiplome === true)).toBeGreaterThan(0.1);
    expect(share((b) => b.contrats.length === 0)).toBeGreaterThan(0.01);
    expect(share((b) => b.contrats.length >= 2 && b.contrats[0].siretEmployeur !== b.contrats[1].siretEmployeur)).toBeGreaterThan(0.01);
    const ages = bundles.map((b) => ageAt(b.effectif.dateDeNaissance, TODAY));
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(15);
    expect(Math.max(...ages)).toBeLessThanOrEqual(30);
    const atEntry = bundles.map((b) => ageAt(b.effectif.dateDeNaissance, b.effectif.dateEntreeFormation));
    expect(Math.min(...atEntry)).toBeGreaterThanOrEqual(15);
    expect(atEntry.filter((a) => a >= 16 && a <= 22).length / n).toBeGreaterThan(0.7);
    expect(new Set(bundles.map((b) => b.effectif.nom)).size).toBeGreaterThan(150);
    expect(new Set(bundles.map((b) => b.effectif.prenom)).size).toBeGreaterThan(150);
  });

  it("makes every statut visible at today and at every past month-end of the three school years", () => {
    const dates: string[] = [];
    for (let y = 2024; y <= 2026; y++) {
      for (let m = 1; m <= 12; m++) {
        const d = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
        if (d >= "2024-08-01" && d < TODAY) dates.push(d);
      }
    }
    dates.push(TODAY);
    for (const date of dates) {
      const y = Number(date.slice(0, 4));
      const start = Number(date.slice(5, 7)) >= 8 ? y : y - 1;
      const years = new Set([`${start}-${start + 1}`, `${y}-${y}`]);
      const counts = new Map<Statut, number>();
      for (const { effectif: e } of bundles) {
        if (!years.has(e.anneeScolaire)) continue;
        const statut = statutAt(e.parcours, date);
        if (statut) counts.set(statut, (counts.get(statut) ?? 0) + 1);
      }
      for (const statut of STATUTS) expect(counts.get(statut) ?? 0, `${statut} au ${date}`).toBeGreaterThan(0);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      expect((counts.get("APPRENTI") ?? 0) / total, date).toBeGreaterThan(0.4);
    }
  });

  it("keeps the ERP statut coherent with the dates", () => {
    let apprentis = 0;
    let coherent = 0;
    for (const { effectif: e, statutsErp } of bundles) {
      if (e.anneeScolaire === "2026-2027" && statutAt(e.parcours, TODAY) === "APPRENTI") {
        apprentis++;
        if (e.statutApprenant === 3) coherent++;
      }
      if (e.dateExclusionFormation && e.anneeScolaire === "2026-2027") expect(e.statutApprenant).toBe(0);
      expect(statutsErp.at(-1)!.statutApprenant).toBe(e.statutApprenant);
      if (statutsErp.length === 2) expect(statutsErp[0].statutApprenant).not.toBe(statutsErp[1].statutApprenant);
    }
    expect(apprentis).toBeGreaterThan(1000);
    expect(coherent).toBe(apprentis);
  });
});
