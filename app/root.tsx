import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLocation, useRouteError, useRouteLoaderData, Link } from "@remix-run/react";
import { headerNavigation, headerQuickAccess, headerUserOf } from "./auth/header.server";
import { getViewer } from "./auth/policy.server";
import { Header } from "@codegouvfr/react-dsfr/Header";
import { Footer } from "@codegouvfr/react-dsfr/Footer";
import { headerFooterDisplayItem } from "@codegouvfr/react-dsfr/Display";
import type { MouseEvent, ReactNode } from "react";
import { setLink } from "@codegouvfr/react-dsfr/link";
import { DsfrLink } from "./ui/DsfrLink";
import { describeRouteError, titrePage } from "./ui/erreur";
import { useFocusApresNavigation } from "./ui/focus-navigation";
import { estVisible, RetourDuFocus } from "./ui/focus-affichage";
import { useNonce } from "./ui/nonce";
import "./load-context";
export { pageSansFormulaire as action } from "./shared/methode.server";

// The server renders DSFR links with Remix's Link too (entry.client registers it for the browser).
setLink({ Link: DsfrLink as never });

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: "/dsfr/dsfr.min.css" },
  { rel: "stylesheet", href: "/dsfr/utility/icons/icons.min.css" },
  { rel: "stylesheet", href: "/app.css" },
  { rel: "icon", href: "/dsfr/favicon/favicon.svg", type: "image/svg+xml" },
  { rel: "apple-touch-icon", href: "/dsfr/favicon/apple-touch-icon.png" },
  ...["Marianne-Regular", "Marianne-Medium", "Marianne-Bold"].map((font) => ({
    rel: "preload",
    href: `/dsfr/fonts/${font}.woff2`,
    as: "font",
    type: "font/woff2",
    crossOrigin: "anonymous" as const,
  })),
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await getViewer(request, context.database);
  return { quickAccess: headerQuickAccess(headerUserOf(viewer)), navigation: headerNavigation(viewer) };
}

/** The site's title; an error that reaches this boundary (an unknown address…) names itself. */
export const meta: MetaFunction = ({ error }) => [{ title: error ? titrePage("", error) : "Tableau de bord de l'apprentissage" }];

/** A navigation link is the current page's: "/" exactly, any other on its own path and below. */
function isActive(href: string, pathname: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * The DSFR skip links. "Menu" goes to the header's navigation; on a narrow screen that navigation is inside the closed
 * mobile menu (hidden: the focus would not move), so the link goes to the menu's button instead.
 */
function LiensDEvitement() {
  const versLeMenu = (event: MouseEvent<HTMLAnchorElement>) => {
    const navigation = document.getElementById("fr-header-main-navigation");
    const bouton = document.getElementById("fr-header-menu-button");
    const cachee = navigation && !estVisible(navigation);
    if (cachee && bouton) {
      event.preventDefault();
      bouton.focus();
    }
  };
  const liens = [
    { href: "#contenu", texte: "Contenu" },
    { href: "#fr-header-main-navigation", texte: "Menu", onClick: versLeMenu },
    { href: "#footer", texte: "Pied de page" },
  ];
  return (
    <div className="fr-skiplinks">
      <nav className="fr-container" role="navigation" aria-label="Accès rapide">
        <ul className="fr-skiplinks__list">
          {liens.map((lien) => (
            <li key={lien.href}>
              <a className="fr-link" href={lien.href} onClick={lien.onClick}>
                {lien.texte}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}

function Layout({ children }: { children: ReactNode }) {
  const location = useLocation();
  const rootData = useRouteLoaderData<typeof loader>("root");
  const quickAccess = rootData?.quickAccess ?? [];
  const navigation = rootData?.navigation ?? [{ text: "Indicateurs nationaux", href: "/" }];
  useFocusApresNavigation();
  const nonce = useNonce();
  return (
    <html lang="fr" data-fr-scheme="light" data-fr-theme="light">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <LiensDEvitement />
        <RetourDuFocus />
        <Header
          brandTop={
            <>
              République
              <br />
              Française
            </>
          }
          homeLinkProps={{ href: "/", title: "Accueil - Tableau de bord de l'apprentissage" }}
          serviceTitle="Tableau de bord de l'apprentissage"
          serviceTagline="Les effectifs de l'apprentissage en temps réel"
          quickAccessItems={[
            ...quickAccess.map((item) => ({ iconId: item.iconId as never, text: item.text, linkProps: { to: item.href } })),
            headerFooterDisplayItem,
          ]}
          navigation={navigation.map((item) =>
            "menu" in item
              ? {
                  text: item.text,
                  isActive: item.menu.some((link) => isActive(link.href, location.pathname)),
                  menuLinks: item.menu.map((link) => ({ text: link.text, linkProps: { to: link.href }, isActive: isActive(link.href, location.pathname) })),
                }
              : { text: item.text, linkProps: { to: item.href }, isActive: isActive(item.href, location.pathname) },
          )}
        />
        <main id="contenu" role="main" tabIndex={-1}>
          {children}
        </main>
        <Footer
          id="footer"
          accessibility="non compliant"
          accessibilityLinkProps={{ to: "/accessibilite" }}
          contentDescription="Le tableau de bord de l'apprentissage suit les effectifs des centres de formation d'apprentis (CFA) : apprentis, inscrits sans contrat, rupturants et abandons, par territoire et par formation."
          bottomItems={[
            headerFooterDisplayItem,
            { text: "Documentation de l'API", linkProps: { to: "/api/doc" } },
            { text: "Données ouvertes (API du référentiel)", linkProps: { to: "/api/openapi.json", reloadDocument: true } },
          ]}
        />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return (
    <Layout>
      <Outlet />
    </Layout>
  );
}

export function ErrorBoundary() {
  const { status, title, message } = describeRouteError(useRouteError());
  return (
    <Layout>
      <div className="fr-container fr-my-7w">
        <h1>{title}</h1>
        <p className="fr-text--lead">{message}</p>
        <p>Erreur {status}</p>
        <Link className="fr-btn" to="/">
          Retour à l'accueil
        </Link>
      </div>
    </Layout>
  );
}
