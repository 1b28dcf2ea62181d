/**
 * Fixtures of the access tests: a small référentiel in two territories and one account per organisation type.
 *
 *   in scope (Auvergne-Rhône-Alpes, 84 / académie de Lyon, 10 / Rhône, 69, réseau "RESEAU-A"):
 *     responsable  R  (69, réseau RESEAU-A) with its formateur F (01, no réseau)
 *   out of scope (Île-de-France, 11 / académie de Paris, 01 / Paris, 75, réseau "RESEAU-B"):
 *     responsable  X  (75, réseau RESEAU-B)
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import type { AccountOrganisationType } from "../../db/schema";
import { siretOf, uaiOf, type TestOrganisme } from "./ingestion-fixtures";
import { createUser } from "../../app/auth/accounts.server";
import type { OrganisationInput } from "../../app/auth/organisations.server";

export { siretOf, uaiOf };

export const PASSWORD = "Mot-de-passe-de-test-42";

export interface Organisme {
  id: number;
  siret: string;
  uai: string;
  raisonSociale: string;
}

async function insertOrganisme(
  database: Database,
  n: number,
  o: { nature: string; region: string; departement: string; academie: string; reseaux: string[]; raisonSociale: string },
): Promise<Organisme> {
  const siret = siretOf(n);
  const uai = uaiOf(n);
  const [row] = await database.rows<{ id: number }>(sql`
    insert into organismes (siret, uai, nature, raison_sociale, region_code, departement_code, academie_code, reseaux)
    values (${siret}, ${uai}, ${o.nature}, ${o.raisonSociale}, ${o.region}, ${o.departement}, ${o.academie},
            ${sql.raw(`ARRAY[${o.reseaux.map((r) => `'${r}'`).join(",")}]::text[]`)})
    returning id`);
  return { id: row.id, siret, uai, raisonSociale: o.raisonSociale };
}

/** An organisme of the référentiel as the ingestion fixtures take it (`dossier(formateur, responsable)`). */
export function pourDossier(o: Organisme): TestOrganisme {
  return { id: o.id, siret: o.siret, uai: o.uai, raison_sociale: o.raisonSociale };
}

export interface Referentiel {
  R: Organisme;
  F: Organisme;
  X: Organisme;
}

export async function seedReferentiel(database: Database): Promise<Referentiel> {
  const R = await insertOrganisme(database, 1, {
    nature: "responsable",
    region: "84",
    departement: "69",
    academie: "10",
    reseaux: ["RESEAU-A"],
    raisonSociale: "CFA Responsable Lyon",
  });
  const F = await insertOrganisme(database, 2, {
    nature: "formateur",
    region: "84",
    departement: "01",
    academie: "10",
    reseaux: [],
    raisonSociale: "Site formateur Ain",
  });
  const X = await insertOrganisme(database, 3, {
    nature: "responsable",
    region: "11",
    departement: "75",
    academie: "01",
    reseaux: ["RESEAU-B"],
    raisonSociale: "CFA Hors Périmètre Paris",
  });
  await database.rows(sql`insert into organisme_relations (formateur_id, responsable_id) values (${F.id}, ${R.id})`);
  return { R, F, X };
}

export type Persona = AccountOrganisationType | "DREETS_ADMIN" | "CFA_FORMATEUR";

export const PERSONAS: Persona[] = [
  "ADMINISTRATEUR",
  "OPERATEUR_PUBLIC_NATIONAL",
  "DREETS",
  "DREETS_ADMIN",
  "DRAAF",
  "CONSEIL_REGIONAL",
  "CARIF_OREF_REGIONAL",
  "ACADEMIE",
  "DDETS",
  "TETE_DE_RESEAU",
  "ORGANISME_FORMATION",
  "CFA_FORMATEUR",
];

export function emailOf(persona: Persona): string {
  return `${persona.toLowerCase().replace(/_/g, "-")}@test.fr`;
}

export function organisationOf(persona: Persona, ref: Referentiel): OrganisationInput {
  switch (persona) {
    case "DREETS":
    case "DREETS_ADMIN":
      return { type: "DREETS", regionCode: "84" };
    case "DRAAF":
    case "CONSEIL_REGIONAL":
    case "CARIF_OREF_REGIONAL":
      return { type: persona, regionCode: "84" };
    case "ACADEMIE":
      return { type: "ACADEMIE", academieCode: "10" };
    case "DDETS":
      return { type: "DDETS", departementCode: "69" };
    case "TETE_DE_RESEAU":
      return { type: "TETE_DE_RESEAU", reseau: "RESEAU-A" };
    case "ORGANISME_FORMATION":
      return { type: "ORGANISME_FORMATION", siret: ref.R.siret };
    case "CFA_FORMATEUR":
      return { type: "ORGANISME_FORMATION", siret: ref.F.siret };
    default:
      return { type: persona };
  }
}

/** One account per persona (members, except DREETS_ADMIN and the national administrator). */
export async function seedAccounts(database: Database, ref: Referentiel): Promise<Record<Persona, { id: number; email: string }>> {
  const accounts = {} as Record<Persona, { id: number; email: string }>;
  for (const persona of PERSONAS) {
    const { user } = await createUser(database, {
      email: emailOf(persona),
      password: PASSWORD,
      prenom: "Test",
      nom: persona,
      role: persona === "DREETS_ADMIN" || persona === "ADMINISTRATEUR" ? "admin" : "member",
      organisation: organisationOf(persona, ref),
    });
    accounts[persona] = { id: user.id, email: user.email };
  }
  return accounts;
}

/** A Request carrying cookies (for the server functions called directly). */
export function requestWith(cookies: string[] = [], url = "http://localhost/"): Request {
  return new Request(url, { headers: cookies.length ? { cookie: cookies.join("; ") } : {} });
}

/** "name=value" of a Set-Cookie header. */
export function cookiePair(setCookie: string): string {
  return setCookie.split(";")[0];
}

/** A minimal browser for HTTP tests: a cookie jar, form posts, the CSRF token of a page. Never follows redirects. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method: init.method ?? (init.form ? "POST" : "GET"), headers, body, redirect: "manual" });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (/Max-Age=0/i.test(setCookie) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { form, headers });
  }

  /** GETs the page and returns the CSRF token of its forms. */
  async csrf(path: string): Promise<string> {
    const response = await this.get(path);
    const html = await response.text();
    const token = html.match(/name="csrf" value="([A-Za-z0-9_-]{43})"/)?.[1];
    if (!token) throw new Error(`Pas de jeton CSRF sur ${path} (statut ${response.status})`);
    return token;
  }

  async login(email: string, password: string): Promise<Response> {
    const csrf = await this.csrf("/connexion");
    return this.post("/connexion", { csrf, email, password, redirectTo: "/compte" });
  }
}
