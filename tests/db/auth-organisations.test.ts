/**
 * A CFA's organisation when its SIRET is carried by several organismes (several UAIs): the UAI is required and names
 * the organisation (sign-up, invitation, `cli user:create --siret`, which all resolve it with resolveOrganisationInput).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { createUser } from "../../app/auth/accounts.server";
import { createSignupRequest } from "../../app/auth/signup.server";
import { OrganisationError, resolveOrganisationInput } from "../../app/auth/organisations.server";
import { PASSWORD, seedReferentiel, siretOf, uaiOf, type Referentiel } from "./auth-fixtures";

let t: TestDatabase;
let ref: Referentiel;
/** A second organisme with R's SIRET, another UAI. */
let autreUai: string;

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  autreUai = uaiOf(40);
  await t.database.rows(sql`
    insert into organismes (siret, uai, nature, raison_sociale, region_code, departement_code, academie_code, reseaux)
    values (${ref.R.siret}, ${autreUai}, 'formateur', 'CFA Responsable Lyon, site de Vénissieux', '84', '69', '10', '{}')`);
});
afterAll(async () => t?.drop());

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
}

describe("a SIRET several organismes carry", () => {
  it("is refused without its UAI, the message listing the UAIs and names", async () => {
    const refus = resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", siret: ref.R.siret });
    await expect(refus).rejects.toBeInstanceOf(OrganisationError);
    await expect(refus).rejects.toMatchObject({
      field: "uai",
      message: expect.stringContaining(`Plusieurs organismes du référentiel ont le SIRET ${ref.R.siret} : `),
    });
    const message = ((await refus.catch((e: Error) => e)) as Error).message;
    expect(message).toContain(`UAI ${ref.R.uai} (CFA Responsable Lyon)`);
    expect(message).toContain(`UAI ${autreUai} (CFA Responsable Lyon, site de Vénissieux)`);
    expect(message).toContain("Indiquez aussi l'UAI de votre organisme.");
  });

  it("with its UAI, covers that organisme only, and the organisation's name gives the UAI: two organisations never share a name", async () => {
    const un = await resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", siret: ref.R.siret, uai: ref.R.uai });
    const deux = await resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", siret: ref.R.siret, uai: autreUai });
    expect(un).toMatchObject({ uai: ref.R.uai, nom: `CFA Responsable Lyon (SIRET ${ref.R.siret}, UAI ${ref.R.uai})`, organismeIds: [ref.R.id] });
    expect(deux).toMatchObject({ uai: autreUai, nom: `CFA Responsable Lyon, site de Vénissieux (SIRET ${ref.R.siret}, UAI ${autreUai})` });
    expect(un.nom).not.toBe(deux.nom);
    // by its UAI alone, the same organisation
    expect(await resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", uai: autreUai })).toMatchObject({ siret: ref.R.siret, uai: autreUai, nom: deux.nom });
  });

  it("a unique SIRET needs no UAI and keeps its name without it", async () => {
    expect(await resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", siret: ref.X.siret })).toMatchObject({
      uai: null,
      nom: `CFA Hors Périmètre Paris (SIRET ${ref.X.siret})`,
    });
    expect(await resolveOrganisationInput(t.database, { type: "ORGANISME_FORMATION", siret: ref.X.siret, uai: ref.X.uai })).toMatchObject({ uai: null });
  });

  it("the sign-up form and user:create (createUser) refuse it without the UAI", async () => {
    const demande = await createSignupRequest(
      t.database,
      form({ email: "cfa@test.fr", nom: "N", prenom: "P", fonction: "", type: "ORGANISME_FORMATION", siret: ref.R.siret, message: "" }),
      null,
      "http://localhost",
    );
    expect(demande).toMatchObject({ ok: false, fieldErrors: { uai: expect.stringContaining(`UAI ${autreUai}`) } });
    await expect(
      createUser(t.database, { email: "cli@test.fr", password: PASSWORD, organisation: { type: "ORGANISME_FORMATION", siret: ref.R.siret } }),
    ).rejects.toThrow(`Plusieurs organismes du référentiel ont le SIRET ${ref.R.siret}`);
    const { organisation } = await createUser(t.database, {
      email: "cli@test.fr",
      password: PASSWORD,
      organisation: { type: "ORGANISME_FORMATION", siret: ref.R.siret, uai: autreUai },
    });
    expect(organisation).toMatchObject({ siret: ref.R.siret, uai: autreUai });
    expect(siretOf(1)).toBe(ref.R.siret);
  });
});
