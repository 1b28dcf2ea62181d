/**
 * `npm run cli -- user:create --email … --password-stdin --organisation-type DREETS --region 84 [--admin]
 *   [--departement 69] [--academie 10] [--reseau NOM] [--siret 14 chiffres] [--uai 0123456A] [--nom …] [--prenom …]`
 * Creates an account in the organisation of that type and scope (created when missing). The password is never
 * printed. It is read from the standard input (`--password-stdin`), or given by `--password`, which other users of the
 * machine may see (process list, shell history).
 */
import { parseArgs } from "node:util";
import { getDatabase } from "../../db/client.server";
import { ensureTerritories } from "../../app/referentiel/territoires.server";
import { AccountError, createUser } from "../../app/auth/accounts.server";
import { describeScope, isOrganisationType, OrganisationError } from "../../app/auth/organisations.server";
import { ORGANISATION_TYPE_LABELS } from "../../app/auth/labels";
import { ORGANISATION_TYPES } from "../../db/schema";
import { runCommand, UsageError, type Usage } from "../usage";

export const USAGE: Usage = {
  synopsis:
    "npm run cli -- user:create --email ADRESSE (--password-stdin | --password MOT_DE_PASSE) --organisation-type TYPE " +
    "[--region CODE | --departement CODE | --academie CODE | --reseau NOM | --siret SIRET [--uai UAI]] [--admin] [--nom NOM] [--prenom PRÉNOM]",
  description:
    "Crée un compte dans l'organisation de ce type et de ce périmètre (l'organisation est créée si elle n'existe pas). " +
    "Le mot de passe n'est jamais affiché.",
  options: [
    ["--email ADRESSE", "adresse e-mail du compte (obligatoire)"],
    ["--password-stdin", "lit le mot de passe, 12 caractères au moins, sur l'entrée standard (première ligne)"],
    ["--password MOT_DE_PASSE", "ou le mot de passe en argument : visible des autres utilisateurs de la machine (liste des processus, historique du shell)"],
    ["--organisation-type TYPE", `type d'organisation : ${ORGANISATION_TYPES.join(", ")} (obligatoire)`],
    ["--region CODE", "région de l'organisation, par exemple 84 (DREETS, DRAAF, CONSEIL_REGIONAL, CARIF_OREF_REGIONAL)"],
    ["--departement CODE", "département de l'organisation, par exemple 69 (DDETS)"],
    ["--academie CODE", "académie de l'organisation, par exemple 10 (ACADEMIE)"],
    ["--reseau NOM", "réseau d'organismes du référentiel (TETE_DE_RESEAU)"],
    ["--siret SIRET", "SIRET de l'organisme (ORGANISME_FORMATION)"],
    ["--uai UAI", "UAI de l'organisme, obligatoire seulement si plusieurs organismes ont ce SIRET (facultatif)"],
    ["--admin", "le compte administre son organisation (facultatif, défaut : membre)"],
    ["--nom NOM", "nom de la personne (facultatif)"],
    ["--prenom PRÉNOM", "prénom de la personne (facultatif)"],
  ],
  notes: [
    "Exemple : printf '%s\\n' \"$MOT_DE_PASSE\" | npm run -s cli -- user:create --email agent@dreets.fr --password-stdin --organisation-type DREETS --region 84",
    "ADMINISTRATEUR et OPERATEUR_PUBLIC_NATIONAL n'ont pas de périmètre ; chaque autre type prend l'option de son périmètre.",
    "Codes de sortie : 0 compte créé, 1 refusé (adresse déjà prise, mot de passe trop faible, périmètre inconnu…), 2 arguments invalides.",
  ],
};

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

type UserCreateArgs = ReturnType<typeof parseUserCreateArgs>;

function parseUserCreateArgs(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        email: { type: "string" },
        password: { type: "string" },
        "password-stdin": { type: "boolean", default: false },
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
    throw new UsageError(`${parseArgsMessage(error)}.`);
  }
  if (values.password !== undefined && values["password-stdin"]) {
    throw new UsageError("--password et --password-stdin s'excluent : donnez le mot de passe d'une seule façon.");
  }
  if (values["password-stdin"] && process.stdin.isTTY) {
    throw new UsageError("--password-stdin lit le mot de passe sur l'entrée standard : redirigez-la (printf '%s\\n' \"$MOT_DE_PASSE\" | npm run -s cli -- user:create …).");
  }
  const missing = (["email", "password", "organisation-type"] as const).filter((k) => !values[k] && !(k === "password" && values["password-stdin"]));
  if (missing.length) {
    throw new UsageError(`Option${missing.length > 1 ? "s" : ""} manquante${missing.length > 1 ? "s" : ""} : ${missing.map((m) => `--${m}`).join(", ")}.`);
  }
  const type = values["organisation-type"]!;
  if (!isOrganisationType(type.trim().toUpperCase())) {
    throw new UsageError(`--organisation-type : type inconnu « ${type} » (attendu : ${ORGANISATION_TYPES.join(", ")}).`);
  }
  return values;
}

export function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, argv, parseUserCreateArgs, createAccount);
}

/** The first line of the standard input, without its end of line. */
async function motDePasseLu(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

async function createAccount(values: UserCreateArgs): Promise<number> {
  const database = await getDatabase();
  try {
    await ensureTerritories(database);
    const { user, organisation } = await createUser(database, {
      email: values.email!,
      password: values["password-stdin"] ? await motDePasseLu() : values.password!,
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
