/** Home of a CFA's space: identity, transmission, the school year's headline counters, alerts. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireEspaceCfa } from "~/cfa/acces.server";
import { ANNEES_COMPTEES } from "~/cfa/apprenants";
import { accueilCfa } from "~/cfa/espace.server";
import { JOURS_MODE_API } from "~/ingestion/mode-transmission";
import { Chiffre, descriptionTransmission, formatDateHeure, libelleMode, titreEspace } from "~/cfa/ui";
import { NO_STORE } from "~/auth/responses.server";
import { FraicheurBadge, TableauFiche } from "~/referentiel/components";
import { ETAT_LABELS, NATURE_LABELS } from "~/referentiel/labels";
import { formatDate, formatNombre, formatPourcentage, pluriel } from "~/ui/format";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = ({ matches }) => [{ title: titreEspace("Accueil", matches) }];
export const headers = () => NO_STORE;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  return accueilCfa(context.database, espace);
}

export default function AccueilEspace() {
  const { organisme: o, date, anneeScolaire, compteurs: c, cleActive, qualite, doublons, alertes, derniereTransmission: dt } = useLoaderData<typeof loader>();
  const base = `/cfa/${o.id}`;
  const identite: [string, React.ReactNode][] = [
    ["UAI", o.uai ?? "Non renseigné"],
    ["SIRET", o.siret],
    ["Nature", NATURE_LABELS[o.nature] ?? o.nature],
    ["État administratif", ETAT_LABELS[o.etat_administratif]],
    ["Adresse", [o.adresse, [o.code_postal, o.commune].filter(Boolean).join(" ")].filter(Boolean).join(", ") || "Non renseignée"],
    ["Certification Qualiopi", o.qualiopi ? "Oui" : "Non"],
    ["Réseaux", o.reseaux.length ? o.reseaux.join(", ") : "Aucun"],
  ];
  // each counter leads to the list of exactly the learners it counts: the années scolaires counted today (domain.md)
  const liste = (filtre: Record<string, string>) => `${base}/apprenants?${new URLSearchParams({ ...filtre, annee: ANNEES_COMPTEES })}`;
  const chiffres: { valeur: number; libelle: string; detail?: string; testId?: string; href?: string }[] = [
    { valeur: c.apprenants, libelle: "Apprenants aujourd'hui", detail: "apprentis, inscrits sans contrat et rupturants", testId: "chiffre-apprenants" },
    { valeur: c.apprentis, libelle: "Apprentis", testId: "chiffre-apprentis", href: liste({ statut: "APPRENTI" }) },
    { valeur: c.inscritsSansContrat, libelle: "Inscrits sans contrat", testId: "chiffre-inscrits", href: liste({ statut: "INSCRIT" }) },
    { valeur: c.rupturants, libelle: "Rupturants", testId: "chiffre-rupturants", href: liste({ statut: "RUPTURANT" }) },
    { valeur: c.abandons, libelle: "Abandons", testId: "chiffre-abandons", href: liste({ statut: "ABANDON" }) },
    { valeur: c.finsDeFormation, libelle: "Fins de formation", testId: "chiffre-fins", href: liste({ statut: "FIN_DE_FORMATION" }) },
    { valeur: c.aRisque, libelle: "À risque", detail: "sans contrat, mineurs ou RQTH", testId: "chiffre-a-risque", href: liste({ signal: "a_risque" }) },
    { valeur: doublons, libelle: "Doublons probables", testId: "chiffre-doublons", href: `${base}/doublons` },
  ];
  const mode = o.mode_transmission === "API" ? "API (ERP connecté)" : libelleMode(o.mode_transmission, "Non défini");
  return (
    <>
      <h1 className="fr-h2">{o.enseigne ?? o.raison_sociale}</h1>
      {o.enseigne ? <p className="fr-text--lead fr-mb-2w">{o.raison_sociale}</p> : null}

      {alertes.length ? (
        <section aria-labelledby="titre-alertes" className="fr-mb-4w">
          <h2 id="titre-alertes" className="fr-h4">
            À traiter
          </h2>
          {alertes.map((a) => (
            <div key={a.titre} className={`fr-alert fr-alert--${a.niveau} fr-alert--sm fr-mb-2w`} data-testid="alerte">
              <h3 className="fr-alert__title">{a.titre}</h3>
              <p>
                {a.description}
                {a.lien ? (
                  <>
                    {" "}
                    <Link to={a.lien.href}>{a.lien.texte}</Link>
                  </>
                ) : null}
              </p>
            </div>
          ))}
        </section>
      ) : (
        <div className="fr-alert fr-alert--success fr-alert--sm fr-mb-4w">
          <p>Tout est en ordre : vos données sont à jour, sans erreur ni doublon.</p>
        </div>
      )}

      <section aria-labelledby="titre-chiffres" className="fr-mb-4w">
        <h2 id="titre-chiffres" className="fr-h4">
          Vos effectifs au {formatDate(date)}
        </h2>
        <p className="fr-text--sm">
          Année scolaire {anneeScolaire}, votre organisme et ses formateurs ; statuts calculés à partir des dates de formation et de
          contrat transmises.
        </p>
        <div className="fr-grid-row fr-grid-row--gutters">
          {chiffres.map(({ valeur, ...chiffre }) => (
            <div key={chiffre.libelle} className="fr-col-6 fr-col-md-3">
              <Chiffre valeur={formatNombre(valeur)} {...chiffre} />
            </div>
          ))}
        </div>
        <ul className="fr-btns-group fr-btns-group--inline-md fr-mt-2w">
          <li>
            <Link className="fr-btn fr-btn--secondary" to={liste({ signal: "a_risque" })}>
              Voir les apprenants à risque
            </Link>
          </li>
          <li>
            <Link className="fr-btn fr-btn--secondary" to={liste({ statut: "RUPTURANT" })}>
              Voir les rupturants
            </Link>
          </li>
        </ul>
      </section>

      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-lg-6" aria-labelledby="titre-identite">
          <h2 id="titre-identite" className="fr-h4">
            Identité
          </h2>
          <TableauFiche caption="Identité de l'organisme" lignes={identite} petit />
          <p className="fr-text--sm">
            Une information erronée ? Elle vient du référentiel national des organismes :{" "}
            <Link to={`/organismes/${o.id}`}>voir la fiche du répertoire</Link>.
          </p>
        </section>
        <section className="fr-col-12 fr-col-lg-6" aria-labelledby="titre-transmission">
          <h2 id="titre-transmission" className="fr-h4">
            Transmission
          </h2>
          <div className="fr-mb-2w">
            <FraicheurBadge fraicheur={o.fraicheur} />
          </div>
          <ul>
            <li data-testid="mode-transmission">
              Mode de transmission : {mode}
              <br />
              <span className="fr-text--xs">
                Le mode et l'ERP sont ceux de vos envois habituels : un fichier téléversé ne les change pas tant que votre ERP a transmis par
                l'API au cours des {JOURS_MODE_API} derniers jours.
              </span>
            </li>
            <li>ERP : {o.erp ?? "non renseigné"}</li>
            <li data-testid="derniere-transmission">
              Dernière transmission : {o.last_transmission_at ? formatDateHeure(o.last_transmission_at) : "aucune"}
              {dt ? ` (${descriptionTransmission(dt)})` : null}
            </li>
            <li>Première transmission : {formatDate(o.first_transmission_at)}</li>
            <li>
              Clé d'API :{" "}
              {cleActive ? `active (${cleActive.prefix}…), dernière utilisation ${cleActive.lastUsedAt ? formatDateHeure(cleActive.lastUsedAt) : "jamais"}` : "aucune clé active"}
            </li>
            <li>
              Qualité des données :{" "}
              {qualite.total
                ? `${formatPourcentage(qualite.score)} des ${pluriel(qualite.total, "dossier d'apprenant", "dossiers d'apprenants")} de l'année scolaire ${anneeScolaire} sans anomalie`
                : `aucun dossier d'apprenant pour l'année scolaire ${anneeScolaire}`}{" "}
              {qualite.total ? <span className={`fr-badge fr-badge--sm fr-badge--no-icon ${qualite.badge}`}>{qualite.libelle}</span> : null}
            </li>
          </ul>
          <ul className="fr-btns-group fr-btns-group--inline-sm">
            <li>
              <Link className="fr-btn fr-btn--tertiary fr-btn--sm" to={`${base}/transmissions`}>
                Historique des transmissions
              </Link>
            </li>
            <li>
              <Link className="fr-btn fr-btn--tertiary fr-btn--sm" to={`${base}/cle-api`}>
                Clé d'API et ERP
              </Link>
            </li>
          </ul>
        </section>
      </div>
    </>
  );
}
