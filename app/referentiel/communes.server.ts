/**
 * Code commune INSEE (or code postal + ville) → département, région, académie, bassin d'emploi, through the
 * communes and départements tables (loaded once per import: ~35,000 communes).
 */
import { sql } from "drizzle-orm";
import { chunkAfter, readByChunks, type Database } from "../../db/client.server";
import { simplifyName } from "./import-common.server";

export interface Territoire {
  codeCommune: string | null;
  departementCode: string | null;
  regionCode: string | null;
  academieCode: string | null;
  bassinEmploiCode: string | null;
}

interface CommuneRow {
  code: string;
  nom: string;
  departement_code: string;
  region_code: string;
  academie_code: string;
  bassin_emploi_code: string | null;
  codes_postaux: string[];
  type: string;
}

export interface CommuneIndex {
  byCode: Map<string, CommuneRow>;
  byPostal: Map<string, CommuneRow[]>;
  departements: Map<string, { regionCode: string; academieCode: string }>;
  /** Resolution from a code commune (exact, else its département from the code's prefix). */
  fromCodeCommune(code: string): { territoire: Territoire; known: boolean };
  /** Resolution from a code postal and a town name (the commune when unambiguous, else the common département). */
  fromCodePostal(codePostal: string, ville?: string | null): Territoire | null;
}

export function departementOfCodeCommune(code: string): string {
  return code.startsWith("97") ? code.slice(0, 3) : code.slice(0, 2);
}

export async function loadCommuneIndex(database: Database): Promise<CommuneIndex> {
  // by chunks (decision 021), in the order of `(type <> 'commune-actuelle'), code`: the communes actuelles first
  const all = await readByChunks(
    (after: string | undefined) =>
      database.rows<CommuneRow>(
        sql`select code, nom, departement_code, region_code, academie_code, bassin_emploi_code, codes_postaux, type from communes
            ${chunkAfter(sql`code`, after)}`,
      ),
    (c) => c.code,
  );
  const rows = [...all.filter((c) => c.type === "commune-actuelle"), ...all.filter((c) => c.type !== "commune-actuelle")];
  const deps = await database.rows<{ code: string; region_code: string; academie_code: string }>(
    sql`select code, region_code, academie_code from departements`,
  );
  const byCode = new Map<string, CommuneRow>();
  const byPostal = new Map<string, CommuneRow[]>();
  for (const r of rows) {
    byCode.set(r.code, r);
    for (const cp of r.codes_postaux ?? []) {
      const list = byPostal.get(cp);
      if (list) list.push(r);
      else byPostal.set(cp, [r]);
    }
  }
  const departements = new Map(deps.map((d) => [d.code, { regionCode: d.region_code, academieCode: d.academie_code }]));
  const ofCommune = (c: CommuneRow): Territoire => ({
    codeCommune: c.code,
    departementCode: c.departement_code,
    regionCode: c.region_code,
    academieCode: c.academie_code,
    bassinEmploiCode: c.bassin_emploi_code,
  });
  const ofDepartement = (code: string, codeCommune: string | null): Territoire | null => {
    const d = departements.get(code);
    return d ? { codeCommune, departementCode: code, regionCode: d.regionCode, academieCode: d.academieCode, bassinEmploiCode: null } : null;
  };
  return {
    byCode,
    byPostal,
    departements,
    fromCodeCommune(code) {
      const c = byCode.get(code);
      if (c) return { territoire: ofCommune(c), known: true };
      const dep = ofDepartement(departementOfCodeCommune(code), code);
      return {
        territoire: dep ?? { codeCommune: code, departementCode: null, regionCode: null, academieCode: null, bassinEmploiCode: null },
        known: false,
      };
    },
    fromCodePostal(codePostal, ville) {
      const candidates = byPostal.get(codePostal) ?? [];
      if (candidates.length === 0) {
        // CEDEX and unlisted postal codes: the département from the first digits
        const depCode = codePostal.startsWith("97") ? codePostal.slice(0, 3) : codePostal.startsWith("20") ? null : codePostal.slice(0, 2);
        return depCode ? ofDepartement(depCode, null) : null;
      }
      const actuelles = candidates.filter((c) => c.type === "commune-actuelle");
      if (candidates.length === 1 || actuelles.length === 1) return ofCommune(actuelles[0] ?? candidates[0]);
      if (ville) {
        const wanted = simplifyName(ville).replace(/\bst\b/g, "saint").replace(/\bste\b/g, "sainte").replace(/\s+cedex(\s+\d+)?$/, "");
        const match = candidates.filter((c) => simplifyName(c.nom) === wanted);
        if (match.length >= 1) return ofCommune(match[0]);
      }
      const depCodes = new Set(candidates.map((c) => c.departement_code));
      if (depCodes.size === 1) return ofDepartement([...depCodes][0], null);
      return null;
    },
  };
}

