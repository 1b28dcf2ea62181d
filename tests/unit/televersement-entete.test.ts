/**
 * Where the table of an uploaded file starts (app/ingestion/entete.ts, decision 026): the header row under a title,
 * a file without a header row, the sheet of a workbook holding the effectifs.
 */
import { describe, expect, it } from "vitest";
import { DOSSIER_V3_FIELDS } from "../../app/ingestion/dossier-schema.server";
import { buildAliasIndex, matchHeader } from "../../app/ingestion/mapping";
import { choisirEntete, choisirFeuille, ressembleAUneDonnee } from "../../app/ingestion/entete";

const INDEX = buildAliasIndex(DOSSIER_V3_FIELDS.map((f) => ({ field: f.field, label: f.label, required: f.required })));
const reconnue = (cell: string) => matchHeader(cell, INDEX) !== null;

const ENTETE = ["Nom", "Prénom", "Date de naissance", "UAI", "SIRET", "Date d'entrée en formation"];
const LIGNE = ["Dupont", "Jean", "01/02/2006", "0751234J", "13002456000018", "02/09/2024"];

describe("the header row", () => {
  it("is the first row when it names the columns", () => {
    expect(choisirEntete([ENTETE, LIGNE], reconnue)).toEqual({ index: 0, reconnues: 6, premiere: 0 });
  });

  it("is found under a title and blank rows (a merged title cell is one cell)", () => {
    const rows = [["Export des apprenants au 07/12/2026"], [], ENTETE, LIGNE];
    expect(choisirEntete(rows, reconnue)).toEqual({ index: 2, reconnues: 6, premiere: 0 });
    // a row of groups above the names: fewer names, skipped
    expect(choisirEntete([["Apprenant", "", "", "Établissement"], ENTETE, LIGNE], reconnue).index).toBe(1);
  });

  it("is sought among the first ten rows with a value only", () => {
    const titres = Array.from({ length: 10 }, (_, i) => [`Titre ${i + 1}`]);
    expect(choisirEntete([...titres, ENTETE, LIGNE], reconnue).index).toBe(0);
    expect(choisirEntete([...titres.slice(1), ENTETE, LIGNE], reconnue).index).toBe(9);
  });

  it("a learner's row is no header, even with a value that is a column's name", () => {
    // « Formation » is a name of a field, but the row's dates and codes say it is a learner's
    expect(choisirEntete([["Dupont", "Formation", "01/02/2006", "0751234J"]], reconnue)).toEqual({ index: null, reconnues: 0, premiere: 0 });
  });

  it("no header row: the first row looks like a learner's (dates, UAI, SIRET, NIR), it is data", () => {
    expect(choisirEntete([LIGNE, LIGNE], reconnue)).toEqual({ index: null, reconnues: 0, premiere: 0 });
    expect(choisirEntete([[], LIGNE], reconnue)).toEqual({ index: null, reconnues: 0, premiere: 1 });
  });

  it("names the mapping does not know stay the header, as before (associated by hand)", () => {
    expect(choisirEntete([["Élève", "Naiss."], ["Dupont", "01/02/2006"]], reconnue)).toEqual({ index: 0, reconnues: 0, premiere: 0 });
  });

  it("tells a learner's values from columns' names", () => {
    for (const v of ["01/02/2006", "2006-02-01", "1/2/06", "0751234J", "13002456000018", "130 024 560 00018", "2 06 03 75 112 042", "a@b.fr", "2024-2025", "12", "3,5"]) {
      expect(ressembleAUneDonnee(v), v).toBe(true);
    }
    for (const v of ["Nom", "Date de naissance (JJ/MM/AAAA)", "UAI", "Export des apprenants au 07/12/2026", "", "Colonne 2"]) {
      expect(ressembleAUneDonnee(v), v).toBe(false);
    }
  });
});

describe("the sheet of a workbook", () => {
  const lisezMoi = { nom: "Lisez-moi", masquee: false, lignes: [["Ce classeur contient les effectifs de l'année."], ["Nom : le nom de l'apprenant"]] };
  const effectifs = { nom: "Effectifs", masquee: false, lignes: [ENTETE, LIGNE] };
  const parametres = { nom: "Paramètres", masquee: true, lignes: [["Nom", "Prénom", "Date de naissance", "UAI", "SIRET", "Date d'entrée en formation", "Sexe"], ["x"]] };

  it("is the visible sheet whose header row has the most known names, not the first with a value", () => {
    expect(choisirFeuille([lisezMoi, parametres, effectifs], reconnue)).toEqual({
      index: 2,
      ignorees: [
        { nom: "Lisez-moi", masquee: false },
        { nom: "Paramètres", masquee: true },
      ],
    });
  });

  it("on a tie, the first; without a known name, the first visible sheet with a value", () => {
    expect(choisirFeuille([effectifs, { ...effectifs, nom: "Copie" }], reconnue).index).toBe(0);
    expect(choisirFeuille([{ nom: "Vide", masquee: false, lignes: [] }, lisezMoi, { ...lisezMoi, nom: "Autre" }], reconnue)).toEqual({
      index: 1,
      ignorees: [{ nom: "Autre", masquee: false }],
    });
  });

  it("a hidden sheet only when no visible sheet has a value", () => {
    expect(choisirFeuille([{ nom: "Vide", masquee: false, lignes: [[""]] }, parametres], reconnue)).toEqual({ index: 1, ignorees: [] });
    expect(choisirFeuille([{ nom: "Vide", masquee: false, lignes: [] }], reconnue)).toEqual({ index: null, ignorees: [] });
  });
});
