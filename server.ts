/**
 * The HTTP server: static assets, /healthz, and the Remix app with the database in its load context.
 * `npm run serve` runs it directly; `npm start` (scripts/start.ts) builds, migrates and seeds first.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import compression from "compression";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { getDatabase, type Database } from "./db/client.server";
import { startJobs } from "./app/jobs/jobs.server";
import { CSRF_ERROR, origineEtrangere } from "./app/auth/csrf.server";
import { journaliserErreur, messageImpossible } from "./app/shared/erreurs-base.server";
import { pageErreur } from "./app/shared/page-erreur.server";
import { attendreImportsEnCours } from "./app/referentiel/import-jobs.server";
import { ensureTerritories } from "./app/referentiel/territoires.server";

const HEALTHZ_TIMEOUT_MS = 2000;

export async function createApp(database: Database) {
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  if (process.env.TRUST_PROXY) app.set("trust proxy", Number(process.env.TRUST_PROXY) || process.env.TRUST_PROXY);
  app.use(securityHeaders);
  app.use(jeterLeCorpsNonLu);
  app.use(refuseTrace);
  app.use(compression());
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  // browsers ask for /favicon.ico on pages that do not name an icon (JSON of the API, downloads): the DSFR's one
  app.get("/favicon.ico", (_req, res) => res.sendFile(path.resolve("public/dsfr/favicon/favicon.ico"), { maxAge: "1d" }));
  app.get("/healthz", async (_req, res) => {
    try {
      // within 2 s: a pool of connections all taken (a long lock) is a failing health, not a probe that hangs
      let delai: NodeJS.Timeout | undefined;
      await Promise.race([
        database.rows(sql`select 1`),
        new Promise((_resolve, reject) => (delai = setTimeout(() => reject(new Error("délai dépassé")), HEALTHZ_TIMEOUT_MS))),
      ]).finally(() => clearTimeout(delai));
      res.json({ status: "ok", database: database.kind });
    } catch {
      res.status(503).json({ status: "error", database: database.kind });
    }
  });
  // no parameter of the app admits a NUL character: refused here once, in French, for every route
  app.use((req, _res, next) => next(/%00|\u0000/i.test(req.originalUrl) ? { status: 400, motif: ADRESSE_NUL } : undefined));
  app.use(refuseForeignOrigin);
  app.use(refuseLecturesSansReponse);
  app.all(
    "*",
    createRequestHandler({
      build,
      getLoadContext: (req, res) => ({ database, clientIp: req.ip ?? req.socket.remoteAddress ?? null, cspNonce: res.locals.cspNonce }),
    }),
  );
  app.use(expressErrorPage);
  return app;
}

/**
 * Headers of every answer (pages, API, downloads, static files, error pages):
 * - no framing by another site: its one-click forms (a new API key that revokes the ERP's, an account disabled)
 *   cannot be clickjacked; no <base> nor plugin injected;
 * - no content sniffing: a CSV of learners is never run as a page;
 * - the address of a page (which may hold a learner's name in a search) never leaves the site as a referrer;
 * - HTTPS only, once the site was reached over HTTPS (behind a proxy: TRUST_PROXY);
 * - the content security policy of politiqueDeContenu.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

/**
 * Content security policy (decision 042): no framing, no <base>, no plugin, forms sent to the site only, and scripts
 * from the site itself or inline ones carrying the answer's nonce (Remix's context and module loader, rendered with it
 * by entry.server and root). A script injected into a page through a learner's name, a file's cell or a search would
 * not run. Without a nonce (an answer written on the socket, outside Express), no script at all.
 */
export function politiqueDeContenu(nonce?: string): string {
  const scripts = nonce ? `'self' 'nonce-${nonce}'` : "'none'";
  return `frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'; script-src ${scripts}`;
}

function securityHeaders(req: express.Request, res: express.Response, next: express.NextFunction) {
  // one nonce per answer, 128 random bits, given to the pages through the load context
  const nonce = randomBytes(16).toString("base64");
  res.locals.cspNonce = nonce;
  // set as defaults when the headers go out: a route's own value (the token pages' "no-referrer") is not doubled
  const writeHead = res.writeHead;
  res.writeHead = function (this: express.Response, ...args: Parameters<typeof writeHead>) {
    if (!this.hasHeader("Content-Security-Policy")) this.setHeader("Content-Security-Policy", politiqueDeContenu(nonce));
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!this.hasHeader(name)) this.setHeader(name, value);
    if (req.secure && !this.hasHeader("Strict-Transport-Security")) this.setHeader("Strict-Transport-Security", "max-age=31536000");
    return writeHead.apply(this, args);
  } as typeof writeHead;
  next();
}

/**
 * A POST (PUT, PATCH, DELETE) whose Origin header names another host than the one addressed (X-Forwarded-Host, else
 * Host), an unreadable one or "null": refused here, in French. Remix makes the same check before any action of a
 * page, but answers an empty 500 and writes a stack trace to the log at each attempt (throwIfPotentialCSRFAttack);
 * the forms' own check (csrf.server.ts) comes after it. Not the API (/api/): it is called with a key, never with the
 * session's cookie, so another site's page gains nothing from it; and an ERP's HTTP client or proxy may add an Origin.
 * Its one page (/api/doc, a document route Remix checks like the others) is not API.
 */
function refuseForeignOrigin(req: express.Request, res: express.Response, next: express.NextFunction) {
  if (!["POST", "PUT", "PATCH", "DELETE"].includes(req.method) || estAppelDeLApi(req.path)) return next();
  const host = req.get("x-forwarded-host")?.split(",")[0]?.trim() || req.get("host");
  if (!origineEtrangere(req.get("origin"), host)) return next();
  res.status(403).type("html").send(pageErreur("Formulaire refusé", "Formulaire refusé", CSRF_ERROR));
}

/** How much of a body left unread by its answer is still read and dropped (jeterLeCorpsNonLu). */
const CORPS_NON_LU_MAX_OCTETS = 64 * 1024 * 1024;

/**
 * A body the app answered without reading it all (a file over the upload's limit, refused on its declared size or
 * once the limit was reached): once the answer is sent, the rest is read and dropped, never kept, up to
 * CORPS_NON_LU_MAX_OCTETS. A browser reads the answer only once it has sent its whole request, and a connection
 * closed on data left unread is reset: the visitor would see the browser's network error, not the page saying the
 * file is too large. The answer itself is not delayed (a client that reads it early has it at once). Past the
 * limit, the connection is cut.
 */
function jeterLeCorpsNonLu(req: express.Request, res: express.Response, next: express.NextFunction) {
  res.once("finish", () => {
    if (req.complete || req.destroyed || req.readableEnded) return;
    let lus = 0;
    // the app's reader of the body (Remix's stream) is done with it: its listeners are dropped, the data flows here
    req.removeAllListeners("data");
    req.on("data", (chunk: Buffer) => {
      lus += chunk.length;
      if (lus > CORPS_NON_LU_MAX_OCTETS) req.destroy();
    });
    req.on("error", () => {});
    req.resume();
  });
  next();
}

/**
 * TRACE: no route of the app answers it, and the Fetch API Remix builds its request with cannot represent it (it
 * throws: a 500 and a stack trace in the log at each call, which anyone could repeat). A 405 saying which methods
 * the app answers, as for the other methods no route has (PROPFIND…).
 */
function refuseTrace(req: express.Request, res: express.Response, next: express.NextFunction) {
  if (req.method !== "TRACE") return next();
  res.status(405).set("Allow", "GET, HEAD, POST").type("text/plain; charset=utf-8").send("Méthode HTTP non prise en charge : TRACE.");
}

/**
 * Two ways to run a page's loader without receiving what it read, refused before Remix so that a named list's loader
 * does not log a view (or a download) that disclosed nothing, and the access log stays the record of what was shown:
 * - `?_data=` (Remix's former data requests: with single fetch, Remix still runs the loader, then answers an empty
 *   body); the app's own data requests end in `.data`;
 * - HEAD on the pages and downloads that name learners (a CFA's space, the territories' named lists, an upload's
 *   preview).
 */
function refuseLecturesSansReponse(req: express.Request, res: express.Response, next: express.NextFunction) {
  // read as Remix reads them: every parameter of the address (Express's parser keeps the first 1,000 only), the
  // path decoded
  if (new URL(req.originalUrl, "http://localhost").searchParams.has("_data")) return next({ status: 400, motif: DONNEES_SANS_REPONSE });
  if (req.method === "HEAD" && PAGES_NOMINATIVES.test(cheminDecode(req.path))) {
    res.status(405).set("Allow", "GET, POST").end();
    return;
  }
  next();
}

/** The pages and downloads that show learners by name: a CFA's space, the territories' lists, an upload's preview. */
const PAGES_NOMINATIVES = /^\/(cfa|listes|televersement)(\/|\.|$)/i;

function cheminDecode(chemin: string): string {
  try {
    return decodeURIComponent(chemin);
  } catch {
    return chemin;
  }
}

const DONNEES_SANS_REPONSE =
  "Adresse invalide : le paramètre « _data » n'est pas pris en charge. Ouvrez la page sans ce paramètre, ou ajoutez « .data » à son chemin pour en lire les données.";

function estAppelDeLApi(path: string) {
  return path.startsWith("/api/") && path.replace(/\/+$/, "").toLowerCase() !== "/api/doc";
}

/**
 * What Express itself refuses before the app (an address that cannot be decoded, such as /%ZZ, or that holds a NUL
 * character) or a failure outside Remix: a French answer, JSON under /api/, never Express's English page nor a stack trace.
 */
const ADRESSE_NUL = "Adresse invalide : elle contient un caractère nul (%00), qu'aucun paramètre n'admet. Vérifiez le lien.";

function expressErrorPage(
  error: { status?: number; statusCode?: number; motif?: string },
  req: express.Request,
  res: express.Response,
  next: express.NextFunction,
) {
  if (res.headersSent) return next(error);
  const status = Number(error.status ?? error.statusCode ?? 500);
  const client = status >= 400 && status < 500;
  if (!client) journaliserErreur("erreur du serveur HTTP", error);
  const message = client
    ? (error.motif ??
      "Adresse invalide : elle contient des caractères mal encodés (par exemple un « % » qui n'est pas suivi de deux chiffres hexadécimaux). Vérifiez le lien.")
    : "Erreur interne du serveur : la requête n'a pas pu être traitée. Réessayez dans un instant.";
  const code = client ? status : 500;
  if (req.path.startsWith("/api/")) {
    res.status(code).json({ erreur: message });
    return;
  }
  res
    .status(code)
    .type("html")
    .send(pageErreur(client ? "Adresse invalide" : "Erreur", client ? "Adresse invalide" : "Erreur du serveur", message));
}

/**
 * What Node's HTTP parser refuses before Express sees the request — an address or headers too long (431), a request
 * it cannot read (400), a request too slow to arrive (408) — answered like Node does (status, connection closed)
 * but with a short French page instead of an empty body.
 */
const ERREURS_CLIENT: Record<string, { statut: number; raison: string; titre: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    statut: 431,
    raison: "Request Header Fields Too Large",
    titre: "Adresse trop longue",
    message:
      "L'adresse demandée est trop longue (ou les en-têtes de la requête trop volumineux) : le serveur ne peut pas la lire. Raccourcissez la recherche ou les filtres, puis réessayez.",
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    statut: 413,
    raison: "Payload Too Large",
    titre: "Requête trop volumineuse",
    message: "La requête envoyée est trop volumineuse : le serveur ne peut pas la lire.",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    statut: 408,
    raison: "Request Timeout",
    titre: "Requête trop lente",
    message: "La requête n'est pas arrivée à temps : réessayez.",
  },
};
const REQUETE_ILLISIBLE = {
  statut: 400,
  raison: "Bad Request",
  titre: "Requête invalide",
  message: "La requête reçue est mal formée : le serveur ne peut pas la lire. Vérifiez l'adresse, puis réessayez.",
};

/** How long a refused connection may take to read the answer before it is cut. */
const FERMETURE_ERREUR_CLIENT_MS = 5_000;

export function repondreErreurClient(error: NodeJS.ErrnoException, socket: Duplex) {
  // nothing to answer on a connection the client closed, or whose answer has begun (Node's own rule)
  const enCours = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || enCours?.headersSent) {
    socket.destroy();
    return;
  }
  const e = ERREURS_CLIENT[error.code ?? ""] ?? REQUETE_ILLISIBLE;
  const corps = pageErreur(e.titre, e.titre, e.message);
  const entetes = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(corps)),
    "Cache-Control": "no-store",
    "Content-Security-Policy": politiqueDeContenu(),
    ...SECURITY_HEADERS,
    Connection: "close",
  };
  socket.end(
    `HTTP/1.1 ${e.statut} ${e.raison}\r\n${Object.entries(entetes)
      .map(([nom, valeur]) => `${nom}: ${valeur}`)
      .join("\r\n")}\r\n\r\n${corps}`,
  );
  // the rest of the request is read and dropped (unread data would make the close a reset, losing the answer); a
  // client that never closes its side is cut after a while
  socket.resume();
  setTimeout(() => socket.destroy(), FERMETURE_ERREUR_CLIENT_MS).unref();
}

/** Serves the app; `jobs` starts the scheduled jobs (purges, key expiry) — not in tests. */
export async function startServer(database: Database, port = Number(process.env.PORT ?? 3000), options: { jobs?: boolean } = {}) {
  const app = await createApp(database);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, () => resolve(listening));
    listening.once("error", (error: NodeJS.ErrnoException) => {
      const message = `Le port ${port} est déjà utilisé (un autre serveur tourne-t-il ?). Arrêtez-le, ou choisissez un autre port avec PORT=…`;
      reject(error.code === "EADDRINUSE" ? Object.assign(new Error(message), { code: error.code }) : error);
    });
  });
  server.on("clientError", repondreErreurClient);
  const stopJobs = options.jobs ? startJobs(database) : () => {};
  server.on("close", stopJobs);
  return server;
}

/** How long a stop waits for the requests in progress (an ERP's batch, an export) before closing anyway. */
const SHUTDOWN_GRACE_MS = Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000);
const DUPLICATE_SIGNAL_MS = 1_000;

/**
 * Stops cleanly on SIGTERM (a deployment, a process manager) or SIGINT (Ctrl-C on `npm start`): no new
 * connection, the requests in progress finish (a batch is committed or rolled back, never cut mid-answer), idle
 * keep-alive connections are closed, the scheduled jobs stop, then the database is closed, which for the embedded
 * PGlite writes a checkpoint and removes its lock file (decision 011). A second signal, or the grace period
 * running out, ends the process at once: the database's own atomicity still holds. A Ctrl-C reaches the process
 * more than once (from the terminal, and forwarded by npm): copies within DUPLICATE_SIGNAL_MS of the first are
 * the same request to stop, not a second one.
 */
export function stopOnSignals(server: Server, database: Database, log: (message: string) => void = console.log) {
  const stop = async (signal: NodeJS.Signals) => {
    log(`${signal} reçu : arrêt du serveur après les requêtes en cours (au plus ${Math.round(SHUTDOWN_GRACE_MS / 1000)} s)…`);
    const force = setTimeout(() => {
      log("Des requêtes étaient encore en cours à la fin du délai : elles sont interrompues.");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    const debut = performance.now();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(force);
    // a référentiel import running in the background ends within what is left of the grace period (decision 011)
    const importsFinis = await attendreImportsEnCours(SHUTDOWN_GRACE_MS - (performance.now() - debut));
    if (!importsFinis) log("Un import du référentiel était encore en cours : il est interrompu sans rien modifier ; relancez-le depuis la page Imports.");
    try {
      await database.close();
      log(importsFinis ? "Serveur arrêté, base de données fermée proprement." : "Serveur arrêté, base de données fermée.");
      process.exit(0);
    } catch (error) {
      log(`Fermeture de la base de données en échec : ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  };
  onStopSignal((signal) => void stop(signal), log);
}

/**
 * Calls `stop` on the first SIGTERM or SIGINT. Copies of it within DUPLICATE_SIGNAL_MS are ignored (a Ctrl-C reaches
 * the process from the terminal and again from npm); a later signal ends the process at once. Returns the function
 * that removes the listeners (`npm start` hands over from its set-up phase to the running server).
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void, log: (message: string) => void = console.log): () => void {
  let firstAt: number | null = null;
  const listener = (signal: NodeJS.Signals) => {
    if (firstAt !== null) {
      if (performance.now() - firstAt < DUPLICATE_SIGNAL_MS) return;
      log(`${signal} reçu de nouveau : arrêt immédiat.`);
      process.exit(1);
    }
    firstAt = performance.now();
    stop(signal);
  };
  const signals = ["SIGTERM", "SIGINT"] as const;
  for (const signal of signals) process.on(signal, listener);
  return () => {
    for (const signal of signals) process.off(signal, listener);
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    // migrated by getDatabase; the territories loaded on a new database (an image started on an empty base)
    const database = await getDatabase();
    await ensureTerritories(database);
    const port = Number(process.env.PORT ?? 3000);
    const server = await startServer(database, port, { jobs: true });
    stopOnSignals(server, database);
    const { port: listening } = server.address() as AddressInfo;
    console.log(`Tableau de bord de l'apprentissage sur http://localhost:${listening} (base : ${database.kind})`);
  } catch (error) {
    console.error(messageImpossible("Démarrage", error));
    process.exit(1);
  }
}
