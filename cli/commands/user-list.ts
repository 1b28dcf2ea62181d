/**
 * `npm run cli -- user:list [--organisation-type TYPE] [--json]`: the accounts, their organisation, scope, role,
 * state and last login.
 */
import { parseArgs } from "node:util";
import { getDatabase } from "../../db/client.server";
import { listUsers } from "../../app/auth/accounts.server";
import { describeScope, isOrganisationType, listOrganisations } from "../../app/auth/organisations.server";
import { ORGANISATION_TYPES } from "../../db/schema";
import { runCommand, UsageError, type Usage } from "../usage";
import { parseArgsMessage } from "./user-create";

export const USAGE: Usage = {
  synopsis: "npm run cli -- user:list [--organisation-type TYPE] [--json]",
  description: "Liste les comptes : organisation, périmètre, rôle, état et dernière connexion.",
  options: [
    ["--organisation-type TYPE", `seulement les comptes des organisations de ce type : ${ORGANISATION_TYPES.join(", ")} (facultatif, défaut : tous)`],
    ["--json", "écrit la liste en JSON (facultatif, défaut : tableau texte)"],
  ],
};

function parseUserListArgs(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { "organisation-type": { type: "string" }, json: { type: "boolean", default: false } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${parseArgsMessage(error)}.`);
  }
  const type = values["organisation-type"];
  if (type !== undefined && !isOrganisationType(type.trim().toUpperCase())) {
    throw new UsageError(`--organisation-type : type inconnu « ${type} » (attendu : ${ORGANISATION_TYPES.join(", ")}).`);
  }
  return values;
}

export function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, argv, parseUserListArgs, listAccounts);
}

async function listAccounts(values: ReturnType<typeof parseUserListArgs>): Promise<number> {
  const database = await getDatabase();
  try {
    const type = values["organisation-type"]?.trim().toUpperCase();
    const scopes = new Map<number, string>();
    for (const organisation of await listOrganisations(database)) scopes.set(organisation.id, await describeScope(database, organisation));
    const rows = (await listUsers(database))
      .filter((u) => !type || u.organisationType === type)
      .map((u) => ({
        email: u.email,
        type: u.organisationType,
        organisation: u.organisationNom,
        perimetre: scopes.get(u.organisationId) ?? "",
        role: u.role,
        etat: u.disabled ? "désactivé" : "actif",
        derniere_connexion: u.lastLoginAt ?? "",
      }));
    if (values.json) {
      console.log(JSON.stringify(rows, null, 2));
    } else if (!rows.length) {
      console.log("Aucun compte.");
    } else {
      const columns = Object.keys(rows[0]) as (keyof (typeof rows)[number])[];
      const widths = columns.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => String(r[c]).length))));
      const line = (cells: string[]) => cells.map((cell, i) => cell.slice(0, widths[i]).padEnd(widths[i])).join("  ").trimEnd();
      console.log(line(columns));
      console.log(line(widths.map((w) => "-".repeat(w))));
      for (const row of rows) console.log(line(columns.map((c) => String(row[c]))));
      console.log(`${rows.length} compte${rows.length > 1 ? "s" : ""}.`);
    }
    return 0;
  } finally {
    await database.close();
  }
}
