import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getViewer } from "~/auth/policy.server";
import { chiffresParRegion } from "~/indicateurs/accueil.server";
import { anneeScolaireOf, todayIso } from "~/statut/annee-scolaire";
import { Chart } from "~/components/Chart";
import { formatDate, formatNombre } from "~/ui/format";

export const meta: MetaFunction = () => [{ title: "Indicateurs nationaux - Tableau de bord de l'apprentissage" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await getViewer(request, context.database);
  const date = todayIso();
  const regions = await chiffresParRegion(context.database, viewer, date);
  return { date, anneeScolaire: anneeScolaireOf(date), regions };
}

export default function Accueil() {
  const { date, anneeScolaire, regions } = useLoaderData<typeof loader>();
  const total = (key: "effectifs" | "organismes" | "formations") => regions.reduce((s, r) => s + r[key], 0);
  const empty = total("effectifs") === 0;
  return (
    <div className="fr-container fr-my-5w">
      <h1>L'apprentissage en France</h1>
      <p className="fr-text--lead">
        Année scolaire {anneeScolaire}, données au {formatDate(date)}.
      </p>
      {empty ? (
        <div className="fr-alert fr-alert--info fr-mb-4w">
          <h2 className="fr-alert__title">Aucun effectif pour l'instant</h2>
          <p>Les données apparaîtront dès la première transmission d'un CFA.</p>
        </div>
      ) : null}
      <div className="fr-grid-row fr-grid-row--gutters fr-mb-4w">
        {[
          { label: "Effectifs", value: total("effectifs") },
          { label: "Organismes de formation", value: total("organismes") },
          { label: "Formations suivies", value: total("formations") },
        ].map((c) => (
          <div key={c.label} className="fr-col-12 fr-col-md-4">
            <div className="fr-tile fr-enlarge-link stat-card" data-testid={`chiffre-${c.label}`}>
              <div className="fr-tile__body">
                <p className="fr-tile__title fr-h2 fr-mb-0">{formatNombre(c.value)}</p>
                <p className="fr-tile__desc">{c.label}</p>
              </div>
            </div>
          </div>
        ))}
      </div>
      <Chart
        title="Effectifs, organismes et formations par région"
        description={`Nombre d'effectifs de l'année scolaire ${anneeScolaire}, d'organismes actifs et de formations suivies, par région de l'organisme formateur.`}
        height={480}
        option={{
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          legend: { top: 0 },
          grid: { left: 160, right: 24, top: 36, bottom: 24 },
          xAxis: { type: "value" },
          yAxis: { type: "category", data: regions.map((r) => r.nom), inverse: true },
          series: (["effectifs", "organismes", "formations"] as const).map((key) => ({
            name: key === "effectifs" ? "Effectifs" : key === "organismes" ? "Organismes" : "Formations",
            type: "bar" as const,
            data: regions.map((r) => r[key]),
          })),
        }}
        data={{
          fileName: `effectifs-par-region-${date}`,
          columns: ["Code région", "Région", "Effectifs", "Organismes", "Formations"],
          rows: regions.map((r) => [r.code, r.nom, r.effectifs, r.organismes, r.formations]),
        }}
      />
    </div>
  );
}
