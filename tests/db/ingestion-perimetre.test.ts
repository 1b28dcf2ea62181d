/**
 * What a key may modify among the learners already stored, on the chain of the référentiel R → F → G
 * (tests/db/perimetre-fixtures.ts): a stored learner is modified only by a key whose perimeter holds it (decision 017:
 * its formateur is the sender or one of its formateurs, or the sender itself is its responsable), and a learner a CFA
 * deleted in its space blocks only the dossiers of that CFA's learner, not another organisme's dossier with the same
 * identity key. Through the pipeline that the API and the upload share. PGlite by default, the PostgreSQL server
 * when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { createSession } from "../../app/auth/session.server";
import { getViewer, type AuthenticatedViewer } from "../../app/auth/policy.server";
import { requireEspaceCfa } from "../../app/cfa/acces.server";
import { supprimerEffectif } from "../../app/cfa/doublons.server";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { anneeScolaireOf, todayIso } from "../../app/statut/annee-scolaire";
import { seedChaine, SECRET_G, type Chaine } from "./perimetre-fixtures";
import { dossier } from "./ingestion-fixtures";
import type { Organisme } from "./auth-fixtures";

let t: TestDatabase;
let c: Chaine;
const annee = anneeScolaireOf(todayIso());

beforeAll(async () => {
  t = await createTestDatabase();
  c = await seedChaine(t.database, { avecResponsableR: true });
}, 120_000);
afterAll(async () => t?.drop());

const o = (x: Organisme) => ({ id: x.id, siret: x.siret, uai: x.uai, raison_sociale: x.raisonSociale });
const d = (formateur: Organisme, responsable: Organisme, id: string, extra: Record<string, unknown> = {}) =>
  dossier(o(formateur), o(responsable), {
    annee_scolaire: annee,
    date_inscription_formation: `${annee.slice(0, 4)}-07-01`,
    date_entree_formation: `${annee.slice(0, 4)}-09-01`,
    date_fin_formation: `${Number(annee.slice(0, 4)) + 2}-06-30`,
    id_erp_apprenant: id,
    nom_apprenant: "Envoi",
    prenom_apprenant: id,
    ...extra,
  });

async function envoi(sender: Organisme, items: unknown[]) {
  const r = await ingestDossiers(t.database, items, { organismeId: sender.id, source: "API" });
  return r.results.map((i) => (i.status === "ok" ? "ok" : i.validation_errors.map((e) => e.message).join(" | ")));
}

async function ligne(id: string) {
  const [row] = await t.database.rows<{ nom: string; email: string | null; responsable: number }>(
    sql`select nom, email, organisme_responsable_id as responsable from effectifs where id_erp_apprenant = ${id}`,
  );
  return row;
}

describe("a stored learner outside the sender's perimeter", () => {
  it("R's key can neither take over nor modify the learners F has at its own formateur G, which R does not see", async () => {
    const { R, F } = c.ref;
    const avant = await ligne("G-1");
    expect(avant).toEqual({ nom: SECRET_G, email: "gamma1@exemple.fr", responsable: F.id });
    // naming itself responsable: the learner (and its contacts, which an empty value does not erase) would move to R
    const [prise] = await envoi(R, [d(c.G, R, "G-1", { email_contact: null })]);
    expect(prise).toMatch(/^id_erp_apprenant : .*« G-1 ».*déjà enregistré pour .* avec un autre établissement responsable : hors du périmètre de /);
    // keeping F as responsable: R would modify a learner it cannot see
    const [modification] = await envoi(R, [d(c.G, F, "G-1", { nom_apprenant: "Remplace" })]);
    expect(modification).toMatch(/^id_erp_apprenant : .*« G-1 ».*avec un autre établissement responsable/);
    expect(await ligne("G-1")).toEqual(avant);
  });

  it("R's key still modifies its own learner at G and creates new ones there; F's key modifies its own", async () => {
    const { R, F } = c.ref;
    expect(await envoi(R, [d(c.G, R, "RG-1", { nom_apprenant: "Modifie" }), d(c.G, R, "RG-2")])).toEqual(["ok", "ok"]);
    expect(await ligne("RG-1")).toMatchObject({ nom: "Modifie", responsable: R.id });
    expect(await ligne("RG-2")).toMatchObject({ responsable: R.id });
    expect(await envoi(F, [d(c.G, F, "G-2", { nom_apprenant: "Modifiepar F" })])).toEqual(["ok"]);
    expect(await ligne("G-2")).toMatchObject({ nom: "Modifiepar F", responsable: F.id });
    // a formateur of R: R's key modifies F's learners, whoever their responsable (F is in R's perimeter)
    expect(await envoi(R, [d(F, R, "F-1", { nom_apprenant: "Ferrandmodifie" })])).toEqual(["ok"]);
  });
});

describe("a learner deleted in a CFA space", () => {
  it("blocks that CFA's dossier of it, not another organisme's own dossier with the same identity key", async () => {
    const { F, X } = c.ref;
    // F files a learner under an organisme formateur the référentiel does not link to it (decision 014), then deletes it
    expect(await envoi(F, [d(X, F, "X-42")])).toEqual(["ok"]);
    const [row] = await t.database.rows<{ id: number }>(sql`select id from effectifs where id_erp_apprenant = 'X-42'`);
    const cookie = (await createSession(t.database, c.accounts.CFA_FORMATEUR.id, new Request("http://localhost/"))).split(";")[0];
    const request = new Request("http://localhost/", { headers: { cookie } });
    const viewer = (await getViewer(request, t.database)) as AuthenticatedViewer;
    await supprimerEffectif(t.database, viewer, await requireEspaceCfa(request, t.database, String(F.id)), Number(row.id), "Erreur de saisie");

    // F's ERP sending it again is told, and nothing comes back
    const [renvoi] = await envoi(F, [d(X, F, "X-42")]);
    expect(renvoi).toMatch(/^id_erp_apprenant : ce dossier a été supprimé le .* dans l'espace CFA/);
    // X's own learner with that id is X's: neither refused nor told what F deleted
    expect(await envoi(X, [d(X, X, "X-42", { nom_apprenant: "Apprenantde X" })])).toEqual(["ok"]);
    expect(await ligne("X-42")).toMatchObject({ nom: "Apprenantde X", responsable: X.id });
  });
});
