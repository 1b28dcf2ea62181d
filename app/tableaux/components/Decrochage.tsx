/**
 * The dropout panel: rupturants by time since the rupture, inscrits sans contrat by days without a contract,
 * learners "à risque", and a map of the rupture rate.
 */
import type { ReactNode } from "react";
import { formatPourcentage } from "~/ui/format";
import { nombre, valeurGraphique } from "../format";
import type { Decrochage as DonneesDecrochage, Nombre, ParametreFichier } from "../types";
import { Chart } from "~/components/Chart";
import { COULEURS_STATUT, MOTIFS_STATUT } from "~/cfa/apprenants";
import { motif } from "~/components/echarts";
import type { Statut } from "~/statut/engine";

/** A headline figure with its explanation (also the coverage rate, Couverture.tsx). */
export function Tuile({ titre, valeur, children, testId }: { titre: string; valeur: string; children: ReactNode; testId: string }) {
  return (
    <div className="fr-callout fr-mb-2w" data-testid={testId}>
      <h3 className="fr-callout__title fr-h6">{titre}</h3>
      <p className="fr-h3 fr-mb-1w">{valeur}</p>
      <p className="fr-callout__text fr-text--sm">{children}</p>
    </div>
  );
}

function barres(categories: string[], valeurs: Nombre[], statut: Statut, nom: string) {
  return {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 64, right: 16, top: 16, bottom: 40 },
    xAxis: { type: "category", data: categories },
    yAxis: { type: "value" },
    series: [
      {
        name: nom,
        type: "bar" as const,
        barMaxWidth: 64,
        itemStyle: { color: COULEURS_STATUT[statut], decal: motif(MOTIFS_STATUT[statut]) },
        label: { show: true, position: "top", formatter: (p: { value: unknown }) => (typeof p.value === "number" ? p.value.toLocaleString("fr-FR") : "") },
        data: valeurs.map(valeurGraphique),
      },
    ],
    // A phone (~70 px per bar): each duration written in full on two lines under its bar, rather than some of them
    // left out (ECharts hides the labels that do not fit) or run over the value axis's "0".
    media: [{ query: { maxWidth: 560 }, option: { grid: { bottom: 56 }, xAxis: { axisLabel: { interval: 0, width: 64, overflow: "break", lineHeight: 18 } } } }],
  };
}

export function Decrochage({ d, carte, fileName, parametres }: { d: DonneesDecrochage; carte: ReactNode; fileName: string; parametres?: ParametreFichier[] }) {
  const ruptures = ["Moins de 45 jours", "45 à 89 jours", "90 à 180 jours"];
  const rupturesValeurs = [d.rupturantsParDuree.moins45j, d.rupturantsParDuree.de45a89j, d.rupturantsParDuree.de90a180j];
  const sansContrat = ["30 jours ou moins", "60 jours ou moins", "90 jours ou moins"];
  const sansContratValeurs = [d.sansContratParDuree.jusqua30j, d.sansContratParDuree.jusqua60j, d.sansContratParDuree.jusqua90j];
  return (
    <div>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Tuile titre="Rupturants" valeur={nombre(d.rupturants)} testId="tuile-rupturants">
            Contrat rompu sans nouveau contrat. Ils ont 6 mois (180 jours) pour trouver un nouvel employeur. Taux de rupture :{" "}
            {formatPourcentage(d.tauxRupture)} des apprentis et rupturants.
          </Tuile>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Tuile titre="Inscrits sans contrat" valeur={nombre(d.inscritsSansContrat)} testId="tuile-sans-contrat">
            En formation sans contrat d'apprentissage : ils ont 3 mois (90 jours) pour en signer un.
          </Tuile>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Tuile titre="À risque" valeur={nombre(d.aRisque)} testId="tuile-a-risque">
            Rupturants ou inscrits sans contrat, mineurs ou reconnus travailleurs handicapés (RQTH) à la date, sans nouveau contrat.
          </Tuile>
        </div>
      </div>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-lg-6">
          <Chart
            testId="rupturants-duree"
            title="Rupturants selon le temps écoulé depuis la rupture"
            description="Nombre de rupturants à la date selon le nombre de jours depuis la rupture de leur contrat (fenêtre légale de 180 jours pour retrouver un employeur)."
            height={280}
            option={barres(ruptures, rupturesValeurs, "RUPTURANT", "Rupturants")}
            data={{
              fileName: `${fileName}-rupturants-par-duree`,
              parametres,
              feuille: "Rupturants par durée",
              columns: ["Temps depuis la rupture", "Rupturants"],
              rows: ruptures.map((r, i) => [r, rupturesValeurs[i]]),
            }}
          />
        </div>
        <div className="fr-col-12 fr-col-lg-6">
          <Chart
            testId="sans-contrat-duree"
            title="Inscrits sans contrat selon le nombre de jours sans contrat"
            description="Nombre d'inscrits sans contrat à la date depuis 30, 60 et 90 jours au plus (chaque barre comprend les précédentes ; délai de 90 jours pour signer un contrat)."
            height={280}
            option={barres(sansContrat, sansContratValeurs, "INSCRIT", "Inscrits sans contrat")}
            data={{
              fileName: `${fileName}-sans-contrat-par-duree`,
              parametres,
              feuille: "Sans contrat par durée",
              columns: ["Jours sans contrat", "Inscrits sans contrat"],
              rows: sansContrat.map((r, i) => [r, sansContratValeurs[i]]),
            }}
          />
        </div>
      </div>
      {carte}
    </div>
  );
}
