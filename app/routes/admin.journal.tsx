import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Input } from "~/ui/champs-dsfr";
import { Select } from "~/ui/champs-dsfr";
import { Button } from "@codegouvfr/react-dsfr/Button";
import { listAuditLog, parseAuditFilters } from "~/auth/admin.server";
import { ACTION_LABELS, NAMED_LIST_LABELS, ORGANISATION_TYPE_LABELS } from "~/auth/labels";
import { requireNationalAdmin } from "~/auth/policy.server";
import { NO_STORE, refusSiInvalide } from "~/auth/responses.server";
import { AuthErrorBoundary, formatDateTime } from "~/auth/ui";
import { dateIsoEnFrancais, formatNombre, pluriel } from "~/ui/format";
import { ANNEES_COMPTEES, LIBELLES_STATUT, SIGNAUX } from "~/cfa/apprenants";
import { REGLES_QUALITE } from "~/cfa/qualite";
import { titrePage } from "~/ui/erreur";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Journal des accès aux listes nominatives", error) }];
export const headers = () => NO_STORE;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireNationalAdmin(request, context.database);
  const filters = parseAuditFilters(new URL(request.url));
  const log = await listAuditLog(context.database, viewer, filters);
  // A bad list or date is reported in its field and ignored: the page renders with the other filters, as a 400.
  return refusSiInvalide({ filters, ...log }, Object.values(filters.errors).filter(Boolean));
}

/** The filters' names as the pages call them (the log keeps the URL parameters' names). */
const FILTER_LABELS: Record<string, string> = {
  organisme: "organisme n°",
  departement: "département",
  region: "région",
  academie: "académie",
  date: "au",
  jour: "jour",
  q: "recherche",
  statut: "statut",
  signal: "signal",
  formation: "formation",
  annee: "année scolaire",
  annee_formation: "année de formation",
  formateur: "organisme formateur n°",
  page: "page",
  format: "format",
  televersement: "téléversement",
  effectif: "apprenant n°",
  archive: "fiche archivée",
  pageArchives: "page des archives",
  anomalie: "anomalie",
};

/** The values the log keeps as codes, as the pages say them. */
const VALUE_LABELS: Record<string, Record<string, string>> = {
  page: {
    doublons: "Doublons",
    transmissions: "Transmissions",
    qualite: "Qualité des données",
    "televersement-apercu": "Aperçu d'un téléversement",
    "televersement-resultat": "Résultat d'un téléversement",
  },
  anomalie: Object.fromEntries(Object.entries(REGLES_QUALITE).map(([code, r]) => [code, r.libelle])),
  statut: LIBELLES_STATUT,
  annee: { [ANNEES_COMPTEES]: "années comptées à la date" },
  signal: Object.fromEntries(Object.entries(SIGNAUX).map(([code, s]) => [code, s.libelle])),
};

function describeValue(value: unknown, key?: string): string {
  if (Array.isArray(value)) return value.map((v) => describeValue(v, key)).join(", ");
  if (typeof value === "boolean") return value ? "oui" : "non";
  return (key ? VALUE_LABELS[key]?.[String(value)] : undefined) ?? dateIsoEnFrancais(String(value));
}

function describeFilters(filters: Record<string, unknown>): string {
  const entries = Object.entries(filters).filter(([, v]) => v !== null && v !== undefined && v !== "");
  return entries.length ? entries.map(([k, v]) => `${FILTER_LABELS[k] ?? k} : ${describeValue(v, k)}`).join(" · ") : "aucun";
}

export default function Journal() {
  const { filters, entries, total, page: pageCourante, pages } = useLoaderData<typeof loader>();
  const pageUrl = (page: number) => {
    const params = new URLSearchParams();
    if (filters.email) params.set("email", filters.email);
    if (filters.list) params.set("liste", filters.list);
    if (filters.du) params.set("du", filters.du);
    if (filters.au) params.set("au", filters.au);
    params.set("page", String(page));
    return `?${params}`;
  };
  return (
    <div className="fr-container fr-my-7w">
      <h1>Journal des accès aux listes nominatives</h1>
      <p className="fr-text--lead">Chaque consultation et chaque téléchargement d'une liste nominative : qui, quand, quelle liste, quels filtres, combien de lignes.</p>
      <Form method="get" className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-3w">
        <div className="fr-col-12 fr-col-md-3">
          <Input label="Utilisateur (e-mail)" nativeInputProps={{ name: "email", defaultValue: filters.email ?? "" }} />
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Select
            label="Liste"
            nativeSelectProps={{ name: "liste", defaultValue: filters.list ?? "" }}
            state={filters.errors.liste ? "error" : "default"}
            stateRelatedMessage={filters.errors.liste}
          >
            <option value="">Toutes</option>
            {Object.entries(NAMED_LIST_LABELS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-6 fr-col-md-2">
          <Input
            label="Du"
            nativeInputProps={{ name: "du", type: "date", defaultValue: filters.saisie.du }}
            state={filters.errors.du ? "error" : "default"}
            stateRelatedMessage={filters.errors.du}
          />
        </div>
        <div className="fr-col-6 fr-col-md-2">
          <Input
            label="Au"
            nativeInputProps={{ name: "au", type: "date", defaultValue: filters.saisie.au }}
            state={filters.errors.au ? "error" : "default"}
            stateRelatedMessage={filters.errors.au}
          />
        </div>
        <div className="fr-col-12 fr-col-md-2 fr-mb-3w">
          <Button type="submit">Filtrer</Button>
        </div>
      </Form>
      <p>
        {pluriel(total, "entrée")}
        {pages > 1 ? ` — page ${formatNombre(pageCourante)} sur ${formatNombre(pages)}` : ""}.
      </p>
      {entries.length === 0 ? (
        <p className="fr-text--sm">Aucun accès à une liste nominative ne correspond à ces critères.</p>
      ) : (
        <div className="fr-table fr-table--no-caption">
        <table tabIndex={0}>
          <caption>Journal des accès</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Utilisateur</th>
              <th scope="col">Type d'organisation</th>
              <th scope="col">Liste</th>
              <th scope="col">Action</th>
              <th scope="col">Filtres</th>
              <th scope="col">Lignes</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.createdAt)}</td>
                <td>{e.userEmail}</td>
                <td>{ORGANISATION_TYPE_LABELS[e.organisationType as keyof typeof ORGANISATION_TYPE_LABELS] ?? e.organisationType}</td>
                <td>{NAMED_LIST_LABELS[e.list]}</td>
                <td>{ACTION_LABELS[e.action]}</td>
                <td>{describeFilters(e.filters)}</td>
                <td>{e.rowCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {pages > 1 ? (
        <p>
          {pageCourante > 1 ? (
            <Link className="fr-link fr-mr-3w" to={pageUrl(pageCourante - 1)}>
              Page précédente
            </Link>
          ) : null}
          {pageCourante < pages ? (
            <Link className="fr-link" to={pageUrl(pageCourante + 1)}>
              Page suivante
            </Link>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = AuthErrorBoundary;
