/** Coverage (CFAs that transmitted / CFAs of the référentiel) and the freshness of the CFAs' data. */
import type { ReactNode } from "react";
import { formatDate, formatPourcentage } from "~/ui/format";
import { nombre, valeurGraphique } from "../format";
import type { CouvertureData, Fraicheur, ParametreFichier } from "../types";
import { Chart } from "~/components/Chart";
import { Tuile } from "./Decrochage";

/** The freshness bars' colours: 3:1 at least against both DSFR themes' backgrounds, as the statuts' (COULEURS_STATUT). */
export const FRAICHEURS: { cle: Fraicheur; libelle: string; couleur: string }[] = [
  { cle: "recente", libelle: "Moins d'une semaine", couleur: "#18753c" },
  { cle: "vieillissante", libelle: "D'une semaine à 3 mois", couleur: "#b34000" },
  { cle: "ancienne", libelle: "Plus de 3 mois", couleur: "#ce0500" },
  { cle: "jamais", libelle: "Jamais transmis", couleur: "#666666" },
];

export function Couverture({ c, carte, fileName, parametres }: { c: CouvertureData; carte: ReactNode; fileName: string; parametres?: ParametreFichier[] }) {
  return (
    <div>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Tuile titre="Taux de couverture" valeur={formatPourcentage(c.taux)} testId="taux-couverture">
            {nombre(c.transmis)} CFA ont transmis leurs effectifs sur {nombre(c.organismes)} CFA du référentiel (organismes responsables ou formateurs
            actifs).
          </Tuile>
        </div>
        <div className="fr-col-12 fr-col-md-8">
          <Chart
            testId="fraicheur"
            title="Fraîcheur des données des CFA"
            description={`Nombre de CFA selon l'ancienneté de leur dernière transmission, au ${formatDate(c.date)}.`}
            height={240}
            option={{
              tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
              grid: { left: 170, right: 32, top: 8, bottom: 32 },
              xAxis: { type: "value" },
              yAxis: { type: "category", inverse: true, data: FRAICHEURS.map((f) => f.libelle) },
              series: [
                {
                  name: "CFA",
                  type: "bar" as const,
                  data: FRAICHEURS.map((f) => ({ value: valeurGraphique(c.fraicheur[f.cle]), itemStyle: { color: f.couleur } })),
                },
              ],
            }}
            data={{
              fileName: `${fileName}-fraicheur`,
              parametres,
              columns: ["Dernière transmission", "CFA"],
              rows: FRAICHEURS.map((f) => [f.libelle, c.fraicheur[f.cle]]),
            }}
          />
        </div>
      </div>
      {carte}
    </div>
  );
}
