/**
 * What the server may say and log of an error, when it comes from the database.
 *
 * - Never the values of a query. drizzle's DrizzleQueryError writes them into its message (« Failed query: … params:
 *   Martin,Léa,2009-03-02,lea@… »), and so does every stack trace printed whole. For a batch of 2,000 dossiers, that
 *   is megabytes of minors' names, birth dates and contacts in the log at each failure.
 * - Never the detail of a PostgreSQL error (« Key (email)=(…) already exists »), nor its message when the error is
 *   about a value (class 22, data exception: « invalid input syntax for type date: "…" »).
 * - Whether the database is unavailable (connection refused, closed, not allowed, too many): the API then answers
 *   503 with Retry-After, for the ERP to send again later, instead of a 500.
 */

interface ErreurBase {
  name?: string;
  message?: string;
  code?: string;
  stack?: string;
  cause?: unknown;
  query?: unknown;
  params?: unknown;
  parameters?: unknown;
}

/** Codes of postgres.js and Node (the connection) and of PostgreSQL (SQLSTATE) that say the database is not there. */
const CODES_INDISPONIBLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01", // admin_shutdown (backend terminated)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "53300", // too_many_connections
  "55000", // object_not_in_prerequisite_state: « database … is not currently accepting connections »
  "55P03", // lock_not_available: a lock held longer than lock_timeout (db/client.server.ts), the base busy
  "3D000", // invalid_catalog_name: the database of DATABASE_URL does not exist (dropped, mistyped)
  "28P01", // invalid_password
  "28000", // invalid_authorization_specification: the role does not exist or may not connect
]);

/** The error and its causes, outermost first (drizzle wraps the driver's error in `cause`). */
function chaine(error: unknown): ErreurBase[] {
  const out: ErreurBase[] = [];
  let e: unknown = error;
  while (e && typeof e === "object" && out.length < 5) {
    out.push(e as ErreurBase);
    e = (e as ErreurBase).cause;
  }
  return out;
}

/** Whether the error says the database is unreachable or refuses connections (not a bug nor bad input). */
export function estIndisponibilite(error: unknown): boolean {
  return chaine(error).some((e) => {
    const code = typeof e.code === "string" ? e.code : "";
    return CODES_INDISPONIBLE.has(code) || code.startsWith("08"); // class 08: connection exception
  });
}

/** One error of the chain, said without values: its name, its code, its message unless it may hold a value. */
function decrire(e: ErreurBase): string {
  // drizzle's errors keep the name « Error »: their class says what they are
  const name = e.name && e.name !== "Error" ? e.name : ((e as object).constructor?.name ?? "Error");
  const code = typeof e.code === "string" ? e.code : undefined;
  // drizzle's DrizzleQueryError: its message is the query and its parameters. postgres.js's PostgresError carries
  // them too (`query`, `parameters`), but apart from its message, which is PostgreSQL's: its code and message are kept
  if (e.params !== undefined || (typeof e.message === "string" && e.message.startsWith("Failed query"))) return `${name} (requête et paramètres non journalisés)`;
  const message = typeof e.message === "string" ? e.message : "";
  const peutContenirUneValeur = code?.startsWith("22") || /params:|\$\d|Key \(/.test(message);
  return [name, code ? `[${code}]` : null, peutContenirUneValeur ? "(message non journalisé : il peut contenir une valeur reçue)" : message]
    .filter(Boolean)
    .join(" ");
}

/** The error, said without the values it carries: each error of its chain, then the frames of its stack. */
export function descriptionSansDonnees(error: unknown): string {
  if (!error || typeof error !== "object") return String(error);
  const causes = chaine(error).map(decrire).join(" ← ");
  const pile = ((error as ErreurBase).stack ?? "")
    .split("\n")
    .filter((ligne) => /^\s+at /.test(ligne))
    .slice(0, 12)
    .join("\n");
  return pile ? `${causes}\n${pile}` : causes;
}

/** Logs an error of the server with what it was doing, never the values of its query. */
export function journaliserErreur(contexte: string, error: unknown): void {
  console.error(`${contexte} : ${descriptionSansDonnees(error)}`);
}

/** « la base de données ne répond pas » or « erreur de la base de données (code …) » or « erreur interne »: for a user. */
export function raisonEnFrancais(error: unknown): string {
  if (chaine(error).some((e) => e.code === "55P03")) return "la base de données est occupée (une table est restée verrouillée trop longtemps)";
  if (estIndisponibilite(error)) return "la base de données ne répond pas ou a interrompu la connexion";
  const code = chaine(error)
    .map((e) => e.code)
    .find((c): c is string => typeof c === "string" && /^[0-9A-Z]{5}$/.test(c));
  return code ? `erreur de la base de données (code ${code})` : "erreur interne du serveur";
}

/**
 * The answer of an API route that failed: 503 with Retry-After when the database is unavailable (an ERP sends
 * again later), else a French 500 and the error logged without its values; in JSON, as every answer of the API.
 */
export function reponseApiEnEchec(error: unknown, contexte: string, options: { lecture?: boolean } = {}): Response {
  const indisponible = estIndisponibilite(error);
  if (!indisponible) journaliserErreur(contexte, error);
  // the référentiel's read API (v1) says `erreur` and has nothing to record; the write API (v3) speaks the ERPs' format
  const corps = options.lecture
    ? {
        erreur: indisponible
          ? "Service momentanément indisponible : la base de données ne répond pas. Réessayez dans quelques minutes."
          : "Erreur interne du serveur. Réessayez ; si l'erreur persiste, signalez-la à l'équipe du tableau de bord.",
      }
    : indisponible
      ? {
          error: "service_unavailable",
          message:
            "Service momentanément indisponible : la base de données ne répond pas. Rien n'a été enregistré pour cette requête : renvoyez-la dans quelques minutes.",
        }
      : {
          error: "internal_error",
          message: "Erreur interne du serveur : rien n'a été enregistré pour cette requête. Réessayez ; si l'erreur persiste, signalez-la à l'équipe du tableau de bord.",
        };
  const headers: Record<string, string> = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };
  if (indisponible) headers["Retry-After"] = "60";
  return new Response(JSON.stringify(corps), { status: indisponible ? 503 : 500, headers });
}

/**
 * Runs an API route, answering its failures with `reponseApiEnEchec` (a Response thrown is an answer: kept);
 * `lecture`: a route of the read API (v1), which records nothing.
 */
export async function avecErreursApi(contexte: string, route: () => Promise<Response>, options: { lecture?: boolean } = {}): Promise<Response> {
  try {
    return await route();
  } catch (error) {
    if (error instanceof Response) throw error;
    return reponseApiEnEchec(error, contexte, options);
  }
}

/** Refusals the user can act on (base embarquée already open, port taken, DATABASE_URL not an address): their message. */
const REFUS_ATTENDUS = new Set(["PGLITE_LOCKED", "EADDRINUSE", "DATABASE_URL_INVALIDE"]);

function refusAttendu(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && REFUS_ATTENDUS.has(code);
}

/** Whether the user can act on the error (a refusal said in its message, the database unreachable): messageImpossible says it. */
export function impossibleDeSonFait(error: unknown): boolean {
  return refusAttendu(error) || estIndisponibilite(error);
}

/**
 * Why a process that needs the database could not start or run (`npm start`, `npm run serve`, a CLI command), in
 * one French line with what to check, for the errors a user can act on; anything else said without its values
 * (descriptionSansDonnees). Never the URL: it may hold a password.
 */
export function messageImpossible(quoi: "Démarrage" | "Commande", error: unknown): string {
  if (refusAttendu(error)) return `${quoi} impossible : ${(error as Error).message}`;
  if (estIndisponibilite(error)) {
    // for whoever configures the server (not a page's visitor): which part of DATABASE_URL to check
    const codes = chaine(error).map((e) => e.code);
    const raison = codes.includes("3D000")
      ? "la base de données nommée dans DATABASE_URL n'existe pas"
      : codes.includes("28P01") || codes.includes("28000")
        ? "l'utilisateur ou le mot de passe de DATABASE_URL est refusé par le serveur"
        : codes.some((c) => c === "ECONNREFUSED" || c === "ENOTFOUND" || c === "EAI_AGAIN")
          ? "aucun serveur PostgreSQL ne répond à l'adresse de DATABASE_URL"
          : raisonEnFrancais(error);
    return (
      `${quoi} impossible : le serveur PostgreSQL de DATABASE_URL ne répond pas ou refuse la connexion (${raison}). ` +
      "Vérifiez qu'il est démarré, que la base existe et que l'utilisateur peut s'y connecter, puis relancez."
    );
  }
  return descriptionSansDonnees(error);
}
