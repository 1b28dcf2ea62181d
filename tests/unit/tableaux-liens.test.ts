/**
 * Pure parts of the dashboards' QA fixes: links between an organisme's and a formation's dashboards carry the page's
 * subject and filters; a filter's select keeps several values; a réseau or a bassin d'emploi unknown to the
 * référentiel is a bad value; a signed-in viewer outside its scope is shown the public page (policy).
 */
import { describe, expect, it } from "vitest";
import { lienFormation, lienOrganisme } from "../../app/tableaux/liens";
import { OPTIONS_NIVEAU, choixSelect } from "../../app/tableaux/options";
import { cheminVue } from "../../app/tableaux/vues";
import { parseFiltersLenient } from "../../app/indicateurs/filters";
import { PUBLIC_VIEWER, viewerOfAggregates, type Viewer } from "../../app/auth/policy.server";
import type { InfoVue } from "../../app/tableaux/types";

const info = (vue: InfoVue["vue"], filtre: InfoVue["filtre"]): InfoVue => ({ vue, chemin: cheminVue(vue), surtitre: "", titre: "", sousTitre: null, filAriane: [], perimetre: null, filtre });
const requete = (s: string) => Object.fromEntries(new URLSearchParams(s.slice(s.indexOf("?") + 1)));

describe("links between an organisme's and a formation's dashboards", () => {
  const organisme = info({ kind: "organisme", id: 98 }, { organisme: "18680998400013" });
  const formation = info({ kind: "formation", id: 1 }, { cfd: "32060568" });

  it("an organisme page's formation links carry the organisme and every filter of the page", () => {
    const lien = lienFormation({ recherche: "?sexe=F&mois=2026-03&niveau=5&region=84&tri_f=libelle&page_o=2", info: organisme }, 1);
    expect(lien.startsWith("/formations/1/tableau-de-bord?")).toBe(true);
    expect(requete(lien)).toEqual({ sexe: "F", mois: "2026-03", niveau: "5", region: "84", organisme: "18680998400013" });
    // the formation filters are the target's own: not repeated (decision 023)
    expect(requete(lienFormation({ recherche: "?cfd=40073955&rncp=RNCP5819", info: organisme }, 1))).toEqual({ organisme: "18680998400013" });
    // a page already narrowed to one of its formateurs keeps it (filter values are alternatives: both would widen it)
    expect(requete(lienFormation({ recherche: "?organisme=18680998400021", info: organisme }, 1))).toEqual({ organisme: "18680998400021" });
  });

  it("a formation page's organisme links carry the formation and every filter of the page, not the organisme filter", () => {
    const lien = lienOrganisme({ recherche: "?region=84&sexe=F&mois=2026-03&organisme=18680998400013&bassin=8405", info: formation }, 98);
    expect(lien.startsWith("/organismes/98/tableau-de-bord?")).toBe(true);
    expect(requete(lien)).toEqual({ region: "84", sexe: "F", mois: "2026-03", bassin: "8405", cfd: "32060568" });
    expect(requete(lienOrganisme({ recherche: "", info: info({ kind: "formation", id: 2 }, { rncp: "RNCP5819" }) }, 98))).toEqual({ rncp: "RNCP5819" });
    // an organisme's figures are never the public figures of all France (decision 037): a national user's shared address
    expect(requete(lienOrganisme({ recherche: "?perimetre=france&niveau=4", info: formation }, 98))).toEqual({ niveau: "4", cfd: "32060568" });
    expect(requete(lienFormation({ recherche: "?perimetre=france&niveau=4", info: formation }, 3))).toMatchObject({ perimetre: "france" });
  });

  it("an organisme page's formateur links do not repeat the page's organisme, which the target fixes", () => {
    expect(lienOrganisme({ recherche: "?niveau=5", info: organisme }, 99)).toBe("/organismes/99/tableau-de-bord?niveau=5");
    expect(lienOrganisme({ recherche: "?mois=2026-03", info: info({ kind: "region", code: "84" }, { region: "84" }) }, 99)).toBe(
      "/organismes/99/tableau-de-bord?mois=2026-03&region=84",
    );
  });
});

describe("a filter's select with several values", () => {
  it("shows them as one selected option that the next submission sends back whole", () => {
    const { options, value } = choixSelect(OPTIONS_NIVEAU, [3, 4]);
    expect(value).toBe("3,4");
    expect(options[0]).toEqual({ value: "3,4", label: "3 (CAP, BEP), 4 (Baccalauréat, BP)" });
    expect(options.slice(1)).toEqual(OPTIONS_NIVEAU);
    // what the form sends is read back as the same filter
    expect(parseFiltersLenient(new URLSearchParams({ niveau: value })).filters).toEqual({ niveau: [3, 4] });
  });

  it("keeps one value, even missing from the options, and shows « all » for none", () => {
    expect(choixSelect(OPTIONS_NIVEAU, [5])).toEqual({ options: OPTIONS_NIVEAU, value: "5" });
    expect(choixSelect([{ value: "CCI France", label: "CCI France" }], ["MFR"]).options.map((o) => o.value)).toEqual(["CCI France", "MFR"]);
    expect(choixSelect(OPTIONS_NIVEAU, undefined)).toEqual({ options: OPTIONS_NIVEAU, value: "" });
  });
});

describe("réseau and bassin unknown to the référentiel", () => {
  const connus = { reseaux: ["CCI France", "UIMM"], bassins: new Set(["8405"]) };

  it("reports an unknown value naming the parameter, the value and what is expected, and leaves it out", () => {
    const p = parseFiltersLenient(new URLSearchParams("reseau=zzz&reseau=UIMM&bassin=zzzz&niveau=4"), undefined, connus);
    expect(p.errors).toEqual([
      "bassin : aucun bassin d'emploi n'a le code « zzzz » (code à 4 caractères d'une zone d'emploi de l'Insee attendu)",
      "reseau : aucun organisme de votre périmètre n'appartient au réseau « zzz » (réseaux attendus : CCI France, UIMM)",
    ]);
    expect(p.filters).toEqual({ reseau: ["UIMM"], niveau: [4] });
    expect(p.invalidParams.sort()).toEqual(["bassin", "reseau"]);
    expect(parseFiltersLenient(new URLSearchParams("reseau=X"), undefined, { reseaux: [] }).errors).toEqual([
      "reseau : aucun organisme de votre périmètre n'appartient au réseau « X » (aucun réseau dans votre périmètre)",
    ]);
  });

  it("accepts known values, and checks nothing without the référentiel's values (CLI, exports)", () => {
    expect(parseFiltersLenient(new URLSearchParams("reseau=CCI France&bassin=8405"), undefined, connus)).toEqual({
      filters: { reseau: ["CCI France"], bassinEmploi: ["8405"] },
      errors: [],
      invalidParams: [],
    });
    expect(parseFiltersLenient(new URLSearchParams("reseau=zzz&bassin=ZZZZ")).filters).toEqual({ reseau: ["zzz"], bassinEmploi: ["ZZZZ"] });
  });
});

describe("a signed-in viewer outside its scope (policy viewerOfAggregates)", () => {
  const user = (organisationType: Viewer["organisationType"], scope: Viewer["scope"]): Viewer => ({
    userId: 1,
    organisationType,
    scope,
    user: { id: 1, email: "x@test.fr", nom: "", prenom: "", role: "member", organisationId: 1, organisationNom: "Org" },
  });
  const dreets = user("DREETS", { kind: "region", code: "84" });
  const reseau = user("TETE_DE_RESEAU", { kind: "reseau", nom: "A" });
  const cfa = user("ORGANISME_FORMATION", { kind: "organisme", organismeIds: [1], responsables: [1] });

  it("is shown as itself inside its scope, as the public outside it where the public sees, refused elsewhere", () => {
    expect(viewerOfAggregates(dreets, { kind: "region", code: "84" })).toBe(dreets);
    expect(viewerOfAggregates(dreets, { kind: "departement", code: "69" })).toBe(dreets);
    expect(viewerOfAggregates(dreets, { kind: "region", code: "11" })).toBe(PUBLIC_VIEWER);
    expect(viewerOfAggregates(reseau, { kind: "region", code: "84" })).toBe(PUBLIC_VIEWER);
    expect(viewerOfAggregates(cfa, { kind: "region", code: "84" })).toBe(PUBLIC_VIEWER);
    expect(viewerOfAggregates(cfa, { kind: "scope" })).toBe(cfa);
    // never less than the public, never more: what the public does not see stays refused
    expect(viewerOfAggregates(dreets, { kind: "departement", code: "75" })).toBeNull();
    expect(viewerOfAggregates(dreets, { kind: "academie", code: "01" })).toBeNull();
    expect(viewerOfAggregates(reseau, { kind: "reseau", nom: "B" })).toBeNull();
    expect(viewerOfAggregates(PUBLIC_VIEWER, { kind: "region", code: "11" })).toBe(PUBLIC_VIEWER);
    expect(viewerOfAggregates(PUBLIC_VIEWER, { kind: "departement", code: "69" })).toBeNull();
  });
});
