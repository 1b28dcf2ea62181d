/**
 * One learner of a CFA: identity, formation, contracts, the parcours as a timeline chart, the ERP's statut
 * history. A named record: each view is written to the audit log; contact fields only when the viewer may see them.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { notFound } from "~/auth/policy.server";
import { NO_STORE } from "~/auth/responses.server";
import { parseId, requireEspaceCfa } from "~/cfa/acces.server";
import { COULEURS_STATUT, LIBELLES_STATUT, MOTIFS_STATUT } from "~/cfa/apprenants";
import { consulterFiche } from "~/cfa/consultations.server";
import { StatutBadge, codesFormation, formatDateHeure, libelleAnneeFormation, titreEspace, type HandleFilAriane } from "~/cfa/ui";
import { Chart } from "~/components/Chart";
import { motif } from "~/components/echarts";
import { TableauFiche } from "~/referentiel/components";
import { NIVEAU_LABELS } from "~/referentiel/labels";
import { todayIso } from "~/statut/annee-scolaire";
import { formatDate, pluriel } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => [
  { title: titreEspace(data ? `${data.fiche.identite.nom} ${data.fiche.identite.prenom}` : "Apprenant", matches) },
];
export const headers = () => NO_STORE;
export const handle: HandleFilAriane = {
  filAriane: (data) => {
    const identite = (data as { fiche?: { identite: { nom: string; prenom: string } } } | undefined)?.fiche?.identite;
    return identite ? `${identite.nom} ${identite.prenom}` : null;
  },
};

const INTROUVABLE = "Cet apprenant n'existe pas ou n'appartient pas à cet organisme (il a peut-être été supprimé ou fusionné).";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const id = parseId(params.effectifId);
  if (id === null) throw notFound(INTROUVABLE);
  const today = todayIso();
  const { fiche, motif } = await consulterFiche(context.database, espace, id, today);
  if (!fiche) throw notFound(motif ?? INTROUVABLE);
  return { organismeId: espace.organismeId, today, fiche };
}

const DAY = 86_400_000;
const toMs = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

function ouiNon(v: boolean | null): string {
  return v === null ? "Non renseigné" : v ? "Oui" : "Non";
}

export default function FicheApprenant() {
  const { organismeId, today, fiche } = useLoaderData<typeof loader>();
  const { identite: id, formation: fo, contrats, periodes, aujourdhui, statutsErp, organismes } = fiche;
  const base = `/cfa/${organismeId}`;
  const debut = periodes.length ? toMs(periodes[0].debut) : 0;
  const fin = toMs(fo.dateFin);
  const bornes = periodes.map((p, i) => {
    const start = toMs(p.debut);
    const end = p.fin ? toMs(p.fin) + DAY : Math.max(fin + DAY, start + 30 * DAY);
    return { ...p, start, end, i };
  });
  const total = bornes.length ? bornes[bornes.length - 1].end - debut : 0;
  const statutsVus = [...new Set(periodes.map((p) => p.statut))];
  const jj = (ms: number) => formatDate(new Date(ms).toISOString());
  const contacts = fiche.contacts;
  const lignesContacts: [string, ReactNode][] = contacts
    ? [
        ["E-mail", contacts.email ?? "Non renseigné"],
        ["Téléphone", contacts.telephone ?? "Non renseigné"],
        ["Adresse", [contacts.adresse, contacts.codePostal].filter(Boolean).join(", ") || "Non renseignée"],
        ["Responsables légaux", [contacts.responsableMail1, contacts.responsableMail2].filter(Boolean).join(", ") || "Non renseignés"],
      ]
    : [];
  const identiteLignes: [string, ReactNode][] = [
    // no age for a birth date to come (a data error the page « Qualité des données » points at)
    ["Date de naissance", id.age >= 0 ? `${formatDate(id.dateDeNaissance)} (${id.age} ${id.age > 1 ? "ans" : "an"})` : formatDate(id.dateDeNaissance)],
    ["Sexe", id.sexe === "M" ? "Masculin" : id.sexe === "F" ? "Féminin" : "Non renseigné"],
    ["Identifiant ERP", id.idErpApprenant],
    ["INE", id.ine ?? "Non renseigné"],
    ["Commune de résidence", id.commune ? `${id.commune} (${id.codeCommuneInsee})` : (id.codeCommuneInsee ?? "Non renseignée")],
    ["RQTH", id.rqth ? `Oui${id.dateRqth ? ` depuis le ${formatDate(id.dateRqth)}` : ""}` : ouiNon(id.rqth)],
    ["NIR transmis", id.nirFourni ? "Oui (jamais conservé)" : "Non"],
    ...lignesContacts,
  ];
  const organisme = (o: { nom: string; uai: string | null }) => `${o.nom}${o.uai ? ` (UAI ${o.uai})` : ""}`;
  const formationLignes: ([string, ReactNode] | null)[] = [
    [
      "Formation",
      fo.formationId ? <Link to={`/formations/${fo.formationId}`}>{fo.intitule ?? fo.libelleErp}</Link> : `${fo.libelleErp ?? "Non renseignée"} (inconnue du catalogue)`,
    ],
    ["Codes", codesFormation(fo.cfd, fo.rncp) || "Aucun code transmis"],
    ["Niveau", (fo.niveau && NIVEAU_LABELS[fo.niveau]) || "–"],
    ["Année scolaire", `${fo.anneeScolaire}${fo.anneeFormation ? `, ${libelleAnneeFormation(fo.anneeFormation)}` : ""}`],
    ["Inscription", formatDate(fo.dateInscription)],
    ["Entrée en formation", formatDate(fo.dateEntree)],
    ["Fin de formation", formatDate(fo.dateFin)],
    fo.dateExclusion ? ["Exclusion", `${formatDate(fo.dateExclusion)}${fo.causeExclusion ? ` (${fo.causeExclusion})` : ""}`] : null,
    ["Diplôme obtenu", ouiNon(fo.obtentionDiplome)],
    ["Organisme formateur", organisme(organismes.formateur)],
    ["Organisme responsable", organisme(organismes.responsable)],
    organismes.lieu ? ["Lieu de formation", organismes.lieu] : null,
  ];
  return (
    <>
      <p className="fr-mb-1w">
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to={`${base}/apprenants`}>
          Tous les apprenants
        </Link>
      </p>
      <h1 className="fr-h2">
        {id.nom} {id.prenom}
      </h1>
      <div className="fr-mb-3w" data-testid="statut-actuel">
        Statut au {formatDate(today)} : <StatutBadge statut={aujourdhui.statut} />
        {aujourdhui.joursSansContrat !== null ? ` sans contrat depuis ${pluriel(aujourdhui.joursSansContrat, "jour")}` : ""}
        {aujourdhui.debutRupture ? ` (rupture le ${formatDate(aujourdhui.debutRupture)})` : ""}
        {aujourdhui.aRisque ? (
          <>
            {" "}
            <span className="fr-badge fr-badge--sm fr-badge--warning">À risque</span>
          </>
        ) : null}
      </div>

      <section aria-labelledby="titre-parcours" className="fr-mb-4w" data-testid="parcours">
        <h2 id="titre-parcours" className="fr-h4">
          Parcours
        </h2>
        {periodes.length === 0 ? (
          <p>Aucun parcours calculable : les dates de formation transmises sont incohérentes.</p>
        ) : (
          <Chart
            title="Parcours de l'apprenant"
            description={`Statut jour par jour, du ${formatDate(periodes[0].debut)} à la fin de formation (${formatDate(fo.dateFin)}), calculé à partir des dates de formation et de contrat.`}
            height={170}
            option={{
              tooltip: {
                trigger: "item",
                formatter: (p: { seriesIndex: number }) => {
                  const b = bornes[p.seriesIndex];
                  return b ? `${LIBELLES_STATUT[b.statut]} : du ${formatDate(b.debut)}${b.fin ? ` au ${formatDate(b.fin)}` : ""}` : "";
                },
              },
              legend: { top: 0, data: statutsVus.map((s) => LIBELLES_STATUT[s]) },
              grid: { left: 16, right: 24, top: 40, bottom: 32, containLabel: true },
              xAxis: {
                type: "value",
                min: 0,
                max: total / DAY,
                axisLabel: { formatter: (v: number) => jj(debut + v * DAY) },
                splitNumber: 6,
              },
              yAxis: { type: "category", data: ["Parcours"], axisLabel: { show: false }, axisTick: { show: false } },
              series: bornes.map((b) => ({
                name: LIBELLES_STATUT[b.statut],
                type: "bar",
                stack: "parcours",
                barWidth: 36,
                data: [(b.end - b.start) / DAY],
                itemStyle: { color: COULEURS_STATUT[b.statut], decal: motif(MOTIFS_STATUT[b.statut]) },
              })),
            }}
            data={{
              fileName: `parcours-${fiche.id}`,
              columns: ["Statut", "Du", "Au"],
              rows: periodes.map((p) => [LIBELLES_STATUT[p.statut], formatDate(p.debut), p.fin ? formatDate(p.fin) : "et après"]),
            }}
          />
        )}
        <ol className="fr-text--sm" aria-label="Étapes du parcours">
          {periodes.map((p) => (
            <li key={p.debut}>
              {LIBELLES_STATUT[p.statut]} {p.fin ? `du ${formatDate(p.debut)} au ${formatDate(p.fin)}` : `à partir du ${formatDate(p.debut)}`}
            </li>
          ))}
        </ol>
      </section>

      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-lg-6" aria-labelledby="titre-identite">
          <h2 id="titre-identite" className="fr-h4">
            Identité
          </h2>
          <TableauFiche caption="Identité" lignes={identiteLignes} petit />
        </section>
        <section className="fr-col-12 fr-col-lg-6" aria-labelledby="titre-formation">
          <h2 id="titre-formation" className="fr-h4">
            Formation
          </h2>
          <TableauFiche caption="Formation" lignes={formationLignes} petit />
        </section>
      </div>

      <section aria-labelledby="titre-contrats" className="fr-mt-3w">
        <h2 id="titre-contrats" className="fr-h4">
          Contrats
        </h2>
        {contrats.length === 0 ? (
          <p>Aucun contrat transmis.</p>
        ) : (
          <div className="fr-table">
            <table tabIndex={0}>
              <caption className="fr-sr-only">Contrats d'apprentissage</caption>
              <thead>
                <tr>
                  <th scope="col">N°</th>
                  <th scope="col">Employeur (SIRET)</th>
                  <th scope="col">Début</th>
                  <th scope="col">Fin prévue</th>
                  <th scope="col">Rupture</th>
                </tr>
              </thead>
              <tbody>
                {contrats.map((c) => (
                  <tr key={c.rang}>
                    <td>{c.rang}</td>
                    <td>{c.siretEmployeur ?? "Non renseigné"}</td>
                    <td>{formatDate(c.dateDebut)}</td>
                    <td>{formatDate(c.dateFin)}</td>
                    <td>{c.dateRupture ? `${formatDate(c.dateRupture)}${c.causeRupture ? ` (${c.causeRupture})` : ""}` : "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="titre-statuts-erp" className="fr-mt-3w">
        <h2 id="titre-statuts-erp" className="fr-h4">
          Statuts déclarés par l'ERP
        </h2>
        <p className="fr-text--sm">
          Le statut affiché dans le tableau de bord est calculé à partir des dates ; celui que déclare votre ERP est conservé pour comparaison.
        </p>
        {statutsErp.length === 0 ? (
          <p>Aucun statut déclaré par l'ERP.</p>
        ) : (
          <div className="fr-table">
            <table tabIndex={0}>
              <caption className="fr-sr-only">Historique des statuts déclarés par l'ERP</caption>
              <thead>
                <tr>
                  <th scope="col">Statut déclaré</th>
                  <th scope="col">Date de mise à jour dans l'ERP</th>
                  <th scope="col">Reçu le</th>
                </tr>
              </thead>
              <tbody>
                {statutsErp.map((s, i) => (
                  <tr key={i}>
                    <td>{s.libelle}</td>
                    <td>{formatDate(s.dateMiseAJour)}</td>
                    <td>{formatDateHeure(s.recuLe)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="fr-text--xs">
          Source : {fiche.source === "API" ? "API" : fiche.source === "FICHIER" ? "fichier téléversé" : "jeu de démonstration"} · créé le{" "}
          {formatDateHeure(fiche.createdAt)} · mis à jour le {formatDateHeure(fiche.updatedAt)}
          {fiche.derniereTransmission ? ` · dernière modification transmise le ${formatDateHeure(fiche.derniereTransmission)}` : ""}
        </p>
      </section>
    </>
  );
}
