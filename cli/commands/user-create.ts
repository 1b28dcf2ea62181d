/**
 * `npm run cli -- user:create --email … --password … --organisation-type DREETS --region 84 [--admin]
 *   [--departement 69] [--academie 10] [--reseau NOM] [--siret 14 chiffres] [--uai 0123456A] [--nom …] [--prenom …]`
 * Creates an account in the organisation of that type and scope (created when missing). The password is never
 * printed.
 */
import { parseArgs } from "node:util";
import { getDatabase } from "../../db/client.server";
import { ensureTerritories } from "../../app/referentiel/territoires.server";
import { AccountError, createUser } from "../../app/auth/accounts.server";
import { describeScope, OrganisationError } from "../../app/auth/organisations.server";
import { ORGANISATION_TYPE_LABELS } from "../../app/auth/labels";

const USAGE =
  "Usage : npm run cli -- user:create --email ADRESSE --password MOT_DE_PASSE --organisation-type TYPE " +
  "[--region CODE | --departement CODE | --academie CODE | --reseau NOM | --siret SIRET [--uai UAI]] [--admin] [--nom NOM] [--prenom PRÉNOM]";

/** node:util parseArgs errors, in French, without echoing any value. */
export function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const option = message.match(/'(-[^' ]+)/)?.[1];
  const code = (error as { code?: string }).code;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `Option inconnue : ${option ?? "?"}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return `Valeur manquante ou invalide pour ${option ?? "une option"}`;
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return "Argument inattendu (chaque valeur suit son option, par exemple --region 84)";
  return "Arguments invalides";
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        email: { type: "string" },
        password: { type: "string" },
        "organisation-type": { type: "string" },
        region: { type: "string" },
        departement: { type: "string" },
        academie: { type: "string" },
        reseau: { type: "string" },
        siret: { type: "string" },
        uai: { type: "string" },
        nom: { type: "string" },
        prenom: { type: "string" },
        admin: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${parseArgsMessage(error)}. ${USAGE}`);
    return 2;
  }
  const missing = (["email", "password", "organisation-type"] as const).filter((k) => !values[k]);
  if (missing.length) {
    console.error(`Option${missing.length > 1 ? "s" : ""} manquante${missing.length > 1 ? "s" : ""} : ${missing.map((m) => `--${m}`).join(", ")}. ${USAGE}`);
    return 2;
  }
  const database = await getDatabase();
  try {
    await ensureTerritories(database);
    const { user, organisation } = await createUser(database, {
      email: values.email!,
      password: values.password!,
      nom: values.nom,
      prenom: values.prenom,
      role: values.admin ? "admin" : "member",
      organisation: {
        type: values["organisation-type"]!,
        regionCode: values.region,
        departementCode: values.departement,
        academieCode: values.academie,
        reseau: values.reseau,
        siret: values.siret,
        uai: values.uai,
      },
    });
    console.log(
      `Compte créé : ${user.email} — ${organisation.nom} (${ORGANISATION_TYPE_LABELS[organisation.type]}, ${await describeScope(database, organisation)})` +
        `${user.role === "admin" ? ", administrateur de l'organisation" : ""}.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof AccountError || error instanceof OrganisationError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
