import type { AppLoadContext, EntryContext, HandleDataRequestFunction, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable, redirect } from "@remix-run/node";
import { RemixServer, isRouteErrorResponse } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { sansOctetsNuls } from "./shared/sans-octet-nul.server";
import { estIndisponibilite, journaliserErreur } from "./shared/erreurs-base.server";
import { pageErreur } from "./shared/page-erreur.server";
import { NonceProvider } from "./ui/nonce";

const ABORT_DELAY = 10_000;

/**
 * Server log of the errors of loaders, actions and rendering: a client's mistake answered 4xx (a POST to a page
 * without a form, an unknown address) and a request the client aborted are not server errors, so not logged with
 * their stack; everything else is, without the values of a failed query (journaliserErreur: a batch's learners).
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (estIndisponibilite(error)) indisponibles.add(request);
  // as Remix's own handler: nothing on an aborted request, nor under test (the tests check the answers)
  if (request.signal.aborted || process.env.NODE_ENV === "test") return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  journaliserErreur(`erreur de ${new URL(request.url).pathname}`, error);
};

/**
 * The requests whose loader or action failed because the database is unavailable (handleError sees the error before
 * Remix hides it behind « Unexpected Server Error »). Their page is not the generic 500 but a 503 that says so and
 * when to come back (`Retry-After`), as the API does: a short page of its own, since the layout's data could not be
 * read either.
 */
const indisponibles = new WeakSet<Request>();

const PAGE_INDISPONIBLE = pageErreur(
  "Service momentanément indisponible",
  "Service momentanément indisponible",
  "La base de données ne répond pas. Réessayez dans une minute ; si le problème dure, signalez-le à l'équipe du tableau de bord.",
);

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  if (responseStatusCode >= 500 && indisponibles.has(request)) {
    return new Response(PAGE_INDISPONIBLE, {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Retry-After": "60" },
    });
  }
  const bot = isbot(request.headers.get("user-agent") ?? "");
  // a page that refused the method (pageSansFormulaire): HTTP asks for the methods it takes
  if (responseStatusCode === 405 && !responseHeaders.has("Allow")) responseHeaders.set("Allow", "GET, HEAD");
  // a page is made for whoever asked (figures of a territory, of a CFA, named learners): kept by no cache, neither a
  // shared proxy nor the browser after a logout, unless its route says otherwise (`headers` export)
  if (!responseHeaders.has("Cache-Control")) responseHeaders.set("Cache-Control", "private, no-store");
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const nonce = loadContext.cspNonce;
    const page = (
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceProvider>
    );
    const { pipe, abort } = renderToPipeableStream(page, {
      nonce,
      [bot ? "onAllReady" : "onShellReady"]() {
        shellRendered = true;
        const body = sansOctetsNuls();
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        if (shellRendered) journaliserErreur("erreur du rendu d'une page", error);
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}

/**
 * The same outage met by a navigation or a form of the browser's client-side router (a `.data` request): its
 * answer can only be data, and Remix would hide the cause behind « Unexpected Server Error », shown as a generic
 * error. The browser is told instead to load the page itself as a document (`X-Remix-Reload-Document`): the answer
 * is the 503 page above while the database does not answer, the page once it is back. A form's action is never
 * replayed by this load (a GET): the action failed with its transaction, nothing was recorded.
 */
export const handleDataRequest: HandleDataRequestFunction = (response, { request }) => {
  if (!indisponibles.has(request)) {
    // the data of a page, as its document (handleRequest): kept by no cache unless its route says otherwise
    if (!response.headers.has("Cache-Control")) response.headers.set("Cache-Control", "private, no-store");
    return response;
  }
  const page = new URL(request.url);
  page.pathname = page.pathname.replace(/\.data$/, "").replace(/^\/_root$/, "/");
  page.searchParams.delete("_routes");
  page.searchParams.delete("index");
  return redirect(page.pathname + page.search, { headers: { "X-Remix-Reload-Document": "true", "Cache-Control": "no-store" } });
};
