/**
 * Layout of a CFA's space (/cfa/:organismeId/…): access check, the organisme's name and a DSFR side menu to the
 * sections, and "Téléverser un fichier". Logic in app/cfa/*.server.ts.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Outlet, useLoaderData, useLocation, useMatches } from "@remix-run/react";
import { SideMenu } from "@codegouvfr/react-dsfr/SideMenu";
import { requireEspaceCfa } from "~/cfa/acces.server";
import { enteteEspace } from "~/cfa/espace.server";
import { NO_STORE } from "~/auth/responses.server";
import { AuthErrorBoundary } from "~/auth/ui";
import type { HandleFilAriane } from "~/cfa/ui";
import { FilAriane } from "~/referentiel/components";
import { NATURE_LABELS } from "~/referentiel/labels";
import { titrePage } from "~/ui/erreur";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const headers = () => NO_STORE;
/** The sections have their own titles; an error shown by this layout's boundary (403, 404…) names itself. */
export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Espace CFA", error) }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  return { entete: await enteteEspace(context.database, espace) };
}

export default function EspaceCfa() {
  const { entete } = useLoaderData<typeof loader>();
  const { pathname } = useLocation();
  const matches = useMatches();
  const base = `/cfa/${entete.id}`;
  // the space's sections (the side menu, and the breadcrumb's page shown); the formateurs' only for a responsable
  const sections = [
    { libelle: "Transmissions", path: "/transmissions" },
    { libelle: "Clé d'API et ERP", path: "/cle-api" },
    { libelle: "Apprenants", path: "/apprenants" },
    { libelle: "Doublons", path: "/doublons" },
    { libelle: "Qualité des données", path: "/qualite" },
    ...(entete.nbFormateurs > 0 ? [{ libelle: "Organismes formateurs", path: "/formateurs", menu: `Organismes formateurs (${entete.nbFormateurs})` }] : []),
  ];
  const item = (text: string, path: string) => ({
    text,
    linkProps: { to: `${base}${path}` },
    isActive: path === "" ? pathname === base || pathname === `${base}/` : pathname.startsWith(`${base}${path}`),
  });
  const items = [
    item("Accueil de l'espace CFA", ""),
    ...sections.map((s) => item(s.menu ?? s.libelle, s.path)),
    { text: "Téléverser un fichier", linkProps: { to: `/televersement?organisme=${entete.id}` }, isActive: false },
  ];
  // The breadcrumb ends on the page shown: the organisme is the space's home (a link, but on that home), then the
  // section, then a page below it (a day, a learner: its route's handle names it).
  const section = sections.find((s) => pathname === `${base}${s.path}` || pathname.startsWith(`${base}${s.path}/`));
  const feuille = matches
    .map((m) => (m.handle as Partial<HandleFilAriane> | undefined)?.filAriane?.(m.data) ?? null)
    .filter((nom): nom is string => nom !== null)
    .pop();
  return (
    <div className="fr-container fr-my-4w">
      <FilAriane
        className="fr-mt-0"
        liens={[
          { libelle: "Accueil", href: "/" },
          ...(entete.autresEspaces ? [{ libelle: "Espace CFA", href: "/cfa" }] : []),
          ...(entete.responsable ? [{ libelle: entete.responsable.nom, href: `/cfa/${entete.responsable.id}` }] : []),
          ...(section ? [{ libelle: entete.nom, href: base }] : []),
          ...(section && feuille ? [{ libelle: section.libelle, href: `${base}${section.path}` }] : []),
        ]}
        courant={section ? (feuille ?? section.libelle) : entete.nom}
      />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <SideMenu
            align="left"
            burgerMenuButtonText="Sections de l'espace CFA"
            title={entete.nom}
            items={items}
          />
          <p className="fr-text--xs fr-mt-1w">
            {NATURE_LABELS[entete.nature] ?? entete.nature} · SIRET {entete.siret}
            {entete.uai ? ` · UAI ${entete.uai}` : ""}
          </p>
        </div>
        <div className="fr-col-12 fr-col-md-9">
          <Outlet />
        </div>
      </div>
    </div>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
