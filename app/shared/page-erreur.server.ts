/**
 * A short French error page that needs nothing but the DSFR's style sheet: answers given outside Remix (Express's
 * refusals, Node's parser) or when Remix's own page cannot be drawn (the database unavailable). Its texts are the
 * server's own, never the request's.
 */
export function pageErreur(titre: string, h1: string, message: string): string {
  return (
    `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${titre} - Tableau de bord de l'apprentissage</title>` +
    `<link rel="stylesheet" href="/dsfr/dsfr.min.css"></head><body><main class="fr-container fr-my-7w"><h1>${h1}</h1>` +
    `<p>${message}</p><p><a class="fr-link" href="/">Retour à l'accueil</a></p></main></body></html>`
  );
}
