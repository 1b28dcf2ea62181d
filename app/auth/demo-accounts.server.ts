/**
 * Demo accounts: one per organisation type, all with the password DEMO_PASSWORD, listed in docs/comptes-demo.md.
 * For demonstration only: never created when NODE_ENV=production unless DEMO=1. Idempotent (an existing account
 * is left as it is). The territorial accounts share one story: Auvergne-Rhône-Alpes (région 84), académie de
 * Lyon (10), Rhône (69); the CFA account is the responsable with the most formateurs (preferably in région 84),
 * the tête de réseau the most common réseau there.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import type { AccountOrganisationType } from "../../db/schema";
import { createUser, findUserByEmail } from "./accounts.server";
import type { OrganisationInput } from "./organisations.server";

export const DEMO_PASSWORD = "Apprentissage-demo-2025";
export const DEMO_REGION = "84";

export interface DemoAccount {
  email: string;
  type: AccountOrganisationType;
  organisation: OrganisationInput;
}

export function demoAccountsAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_ENV !== "production" || env.DEMO === "1";
}

/**
 * The organisme of the demo CFA account (cfa@demo.test): the responsable with the most formateurs in the demo
 * région, and one of its formateurs (cfa-formateur@demo.test).
 */
export async function demoCfa(database: Database): Promise<{ id: number; siret: string; formateurSiret: string | null } | null> {
  const [row] = await database.rows<{ id: number; siret: string; formateur_siret: string | null }>(sql`
    with r as (
      select o.id, o.siret, o.region_code, count(rel.formateur_id)::int as n
      from organismes o left join organisme_relations rel on rel.responsable_id = o.id
      where o.nature in ('responsable', 'responsable_formateur') and o.etat_administratif = 'actif'
      group by o.id
    )
    select r.id, r.siret,
      (select f.siret from organisme_relations rel join organismes f on f.id = rel.formateur_id
       where rel.responsable_id = r.id and f.siret <> r.siret order by f.id limit 1) as formateur_siret
    from r
    order by (r.region_code = ${DEMO_REGION}) desc nulls last, r.n desc, r.id
    limit 1`);
  return row ? { id: Number(row.id), siret: row.siret, formateurSiret: row.formateur_siret } : null;
}

async function demoReseau(database: Database): Promise<string | null> {
  const [row] = await database.rows<{ reseau: string }>(sql`
    select reseau from (select unnest(reseaux) as reseau, region_code from organismes) x
    group by reseau order by count(*) filter (where region_code = ${DEMO_REGION}) desc, count(*) desc, reseau limit 1`);
  return row?.reseau ?? null;
}

/** The demo accounts this database can have (the CFA and réseau ones need a référentiel). */
export async function demoAccounts(database: Database): Promise<DemoAccount[]> {
  const accounts: DemoAccount[] = [
    { email: "administrateur@demo.test", type: "ADMINISTRATEUR", organisation: { type: "ADMINISTRATEUR" } },
    { email: "operateur-national@demo.test", type: "OPERATEUR_PUBLIC_NATIONAL", organisation: { type: "OPERATEUR_PUBLIC_NATIONAL" } },
    { email: "dreets@demo.test", type: "DREETS", organisation: { type: "DREETS", regionCode: DEMO_REGION } },
    { email: "draaf@demo.test", type: "DRAAF", organisation: { type: "DRAAF", regionCode: DEMO_REGION } },
    { email: "conseil-regional@demo.test", type: "CONSEIL_REGIONAL", organisation: { type: "CONSEIL_REGIONAL", regionCode: DEMO_REGION } },
    { email: "carif-oref@demo.test", type: "CARIF_OREF_REGIONAL", organisation: { type: "CARIF_OREF_REGIONAL", regionCode: DEMO_REGION } },
    { email: "academie@demo.test", type: "ACADEMIE", organisation: { type: "ACADEMIE", academieCode: "10" } },
    { email: "ddets@demo.test", type: "DDETS", organisation: { type: "DDETS", departementCode: "69" } },
  ];
  const reseau = await demoReseau(database);
  if (reseau) accounts.push({ email: "tete-de-reseau@demo.test", type: "TETE_DE_RESEAU", organisation: { type: "TETE_DE_RESEAU", reseau } });
  const cfa = await demoCfa(database);
  if (cfa) {
    accounts.push({ email: "cfa@demo.test", type: "ORGANISME_FORMATION", organisation: { type: "ORGANISME_FORMATION", siret: cfa.siret } });
    if (cfa.formateurSiret) {
      accounts.push({
        email: "cfa-formateur@demo.test",
        type: "ORGANISME_FORMATION",
        organisation: { type: "ORGANISME_FORMATION", siret: cfa.formateurSiret },
      });
    }
  }
  return accounts;
}

/** Creates the missing demo accounts; returns the e-mails created. Nothing in production unless DEMO=1. */
export async function ensureDemoAccounts(database: Database): Promise<{ created: string[]; skipped: string[] }> {
  if (!demoAccountsAllowed()) return { created: [], skipped: [] };
  const created: string[] = [];
  const skipped: string[] = [];
  for (const account of await demoAccounts(database)) {
    if (await findUserByEmail(database, account.email)) {
      skipped.push(account.email);
      continue;
    }
    await createUser(database, {
      email: account.email,
      password: DEMO_PASSWORD,
      prenom: "Compte",
      nom: "de démonstration",
      role: "admin",
      organisation: account.organisation,
    });
    created.push(account.email);
  }
  return { created, skipped };
}
