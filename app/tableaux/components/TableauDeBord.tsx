/** One dashboard page (national, territory, organisme, formation): every route renders this with its loader's data. */
import { Link, useLoaderData } from "@remix-run/react";
import { FilAriane } from "~/referentiel/components";
import { de, formatDate, formatMois } from "~/ui/format";
import { erreurDuPanneau } from "../champs";
import { lienFormation, lienOrganisme, lienTerritoire } from "../liens";
import type { CartesTerritoriales, LigneFormation, LigneOrganisme, Panneau, TableauPage } from "../types";
import { PARAMETRES_TABLES, rechercheTransmise, vueEnParametre, type NiveauTerritoire } from "../vues";
import { CarteTerritoires } from "./CarteTerritoires";
import { ChiffresCles } from "./ChiffresCles";
import { Couverture } from "./Couverture";
import { Decrochage } from "./Decrochage";
import { CHOIX_RECHERCHE, FilterPanel } from "./FilterPanel";
import { RepartitionNiveau } from "./RepartitionNiveau";
import { SerieMensuelle } from "./SerieMensuelle";
import { TableComptes } from "./TableComptes";
import { lienVersLeChamp } from "~/ui/focus-navigation";

function ressource(page: TableauPage, format: "csv" | "json", table?: string): string {
  const p = new URLSearchParams(rechercheTransmise(page.recherche));
  for (const k of PARAMETRES_TABLES) p.delete(k);
  p.set("vue", vueEnParametre(page.info.vue));
  if (table) p.set("table", table);
  return `/tableau.${format}?${p.toString()}`;
}

function FilArianeTableau({ page }: { page: TableauPage }) {
  if (page.info.filAriane.length === 0) return null;
  const courant = page.info.vue.kind === "organisme" || page.info.vue.kind === "formation" ? "Tableau de bord" : page.info.titre;
  return <FilAriane liens={page.info.filAriane} courant={courant} className="fr-mt-0 fr-mb-2w" />;
}

const ORDRE_NIVEAUX: Record<string, number> = { departement: 0, region: 1 };

/** Whether the filter panel shows a field (some are for signed-in viewers, or not on every page). */
function champAffiche(panneau: Panneau, id: string): boolean {
  const selon: Record<string, boolean> = {
    "filtre-territoire": panneau.territoires !== null,
    "filtre-reseau": panneau.reseaux !== null,
    "filtre-cfa": panneau.cfa,
    "filtre-formation": panneau.formation,
    "filtre-rqth": panneau.rqth,
  };
  return selon[id] ?? true;
}

function Cartes({ page, cartes, mesure }: { page: TableauPage; cartes: CartesTerritoriales[]; mesure: "apprenants" | "tauxRupture" }) {
  const date = formatDate(page.date);
  const fichier = page.fichiers.nom;
  const parametres = page.fichiers.parametres;
  const liste = mesure === "tauxRupture" ? cartes.slice(0, 1) : [...cartes].sort((a, b) => ORDRE_NIVEAUX[a.niveau] - ORDRE_NIVEAUX[b.niveau]);
  if (liste.length === 0) return null;
  return (
    <div className="fr-grid-row fr-grid-row--gutters">
      {liste.map((c) => {
        const niveau: NiveauTerritoire = c.niveau;
        const nom = c.niveau === "departement" ? "département" : "région";
        const href = (code: string) => lienTerritoire(page, niveau, code);
        const clic =
          page.liens === "aucun" ? "" : ` Un clic sur un${c.niveau === "region" ? "e" : ""} ${nom} ${page.liens === "page" ? "ouvre son tableau de bord" : "filtre cette page"}.`;
        const contexte = c.contexte === "national" ? " Toutes les régions, avec les mêmes filtres hors territoire." : "";
        const col = liste.length > 1 ? "fr-col-12 fr-col-lg-6" : "fr-col-12";
        return (
          <div key={c.niveau} className={col}>
            {mesure === "apprenants" ? (
              <CarteTerritoires
                testId={`carte-apprenants-${c.niveau}`}
                niveau={c.niveau}
                mesure="nombre"
                valueLabel="Apprenants"
                lignes={c.apprenants}
                title={`Apprenants par ${nom}`}
                description={`Nombre d'apprenants au ${date} par ${nom} de l'organisme formateur (départements et régions d'outre-mer en encarts).${contexte}${clic}`}
                hrefFor={page.liens === "aucun" ? undefined : href}
                fileName={`${fichier}-apprenants-par-${c.niveau}`}
                parametres={parametres}
                tousLesTerritoires={c.contexte === "national" || (page.info.vue.kind === "national" && !page.info.perimetre)}
                height={liste.length > 1 ? 460 : 560}
              />
            ) : (
              <CarteTerritoires
                testId={`carte-rupture-${c.niveau}`}
                niveau={c.niveau}
                mesure="taux"
                valueLabel="Taux de rupture"
                numerateur="Rupturants"
                denominateur="Apprentis et rupturants"
                lignes={c.tauxRupture}
                title={`Taux de rupture par ${nom}`}
                description={`Part des rupturants parmi les apprentis et rupturants au ${date}, par ${nom} de l'organisme formateur.${contexte}${clic}`}
                hrefFor={page.liens === "aucun" ? undefined : href}
                fileName={`${fichier}-taux-de-rupture-par-${c.niveau}`}
                parametres={parametres}
              />
            )}
          </div>
        );
      })}
    </div>
  );
}

export function TableauDeBord({ page }: { page: TableauPage }) {
  const r = page.resultat;
  // a formation no learner of the viewer's perimeter follows: its figures are elsewhere in France (decision 037)
  const ailleursEnFrance = page.info.vue.kind === "formation" ? page.franceEntiere : null;
  // the downloads' names and « Filtres »: what the page counts (territory or scope, filters, month), fichiers.ts
  const fichier = page.fichiers.nom;
  const parametres = page.fichiers.parametres;
  const courant = page.mois === page.aujourdhui.slice(0, 7);
  return (
    <div className="fr-container fr-my-4w">
      <FilArianeTableau page={page} />
      <p className="fr-badge fr-badge--blue-france fr-badge--no-icon fr-mb-1w">{page.info.surtitre}</p>
      <h1 className="fr-mb-1w">{page.info.titre}</h1>
      {page.info.sousTitre ? <p className="fr-text--lead fr-mb-1w">{page.info.sousTitre}</p> : null}
      <p className={page.franceEntiere ? "fr-mb-1w" : "fr-mb-3w"} data-testid="date-donnees">
        {courant
          ? `Données du mois en cours (${formatMois(page.mois)}), au ${formatDate(page.date)}.`
          : `Données ${de(formatMois(page.mois))}, au ${formatDate(page.date)} (dernier jour du mois).`}
      </p>
      {page.franceEntiere ? (
        <p className="fr-text--sm fr-mb-3w" data-testid="lien-france-entiere">
          Ces chiffres sont ceux de votre périmètre. <Link to={page.franceEntiere}>Voir les chiffres publics de toute la France</Link> (ceux de tout
          visiteur, arrondis).
        </p>
      ) : null}

      <FilterPanel
        panneau={page.panneau}
        action={page.info.chemin}
        recherche={page.recherche}
        titre={page.info.titre}
        erreurs={page.erreurs}
        choix={page.choix?.titre ?? null}
      />

      {page.erreurs.length ? (
        <div className="fr-alert fr-alert--error fr-mb-4w" role="alert" data-testid="erreurs">
          <h2 className="fr-alert__title">Certains paramètres de l'adresse sont invalides</h2>
          <ul>
            {/* said with the field's label, a link to that field (marked in error in the panel) */}
            {page.erreurs.map(erreurDuPanneau).map((e) => (
              <li key={e.texte}>{e.champ && champAffiche(page.panneau, e.champ) ? <a {...lienVersLeChamp(e.champ)}>{e.texte}</a> : e.texte}</li>
            ))}
          </ul>
          <p>
            {r ? "Ils sont ignorés : les chiffres ci-dessous tiennent compte des autres filtres. " : null}
            Corrigez-les dans les filtres ci-dessus, ou <Link to={page.panneau.reinitialiser}>revenez au tableau de bord sans filtre</Link>.
          </p>
        </div>
      ) : null}

      {page.choix ? (
        <div className="fr-alert fr-alert--info fr-mb-4w" data-testid="choix" id={CHOIX_RECHERCHE}>
          <h2 className="fr-alert__title" id={`${CHOIX_RECHERCHE}-titre`} tabIndex={-1}>
            {page.choix.titre}
          </h2>
          <ul>
            {page.choix.options.map((o) => (
              <li key={o.href}>
                <Link to={o.href}>{o.libelle}</Link> <span className="fr-text--xs">({o.detail})</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {page.horsPerimetre ? (
        <div className="fr-alert fr-alert--info fr-alert--sm fr-mb-3w" data-testid="hors-perimetre">
          <p>
            {page.horsPerimetre}{" "}
            {page.votrePerimetre ? <Link to={page.votrePerimetre}>Revenir aux chiffres de votre périmètre</Link> : <Link to="/">Tableau de bord de votre périmètre</Link>}
          </p>
        </div>
      ) : null}

      {r ? (
        <>
          {r.masque ? (
            <div className="fr-notice fr-notice--info fr-mb-3w">
              <div className="fr-container">
                <div className="fr-notice__body">
                  <p className="fr-notice__title">
                    Pour protéger les personnes, les effectifs de 1 à {r.seuil - 1} sont affichés « &lt; {r.seuil} », les autres sont arrondis à{" "}
                    {r.seuil} près, et les taux sont calculés sur ces chiffres arrondis ; les nombres de CFA (couverture, fraîcheur) sont exacts.
                    {page.horsPerimetre ? null : (
                      <>
                        {" "}
                        <Link to={`/connexion?redirectTo=${encodeURIComponent(page.info.chemin + page.recherche)}`}>Connectez-vous</Link> pour voir les chiffres de
                        votre périmètre.
                      </>
                    )}
                  </p>
                </div>
              </div>
            </div>
          ) : null}
          {r.vide ? (
            <div className="fr-alert fr-alert--info fr-mb-4w" data-testid="vide">
              {ailleursEnFrance ? (
                <h2 className="fr-alert__title">Aucun effectif de votre périmètre dans cette formation</h2>
              ) : (
                <h2 className="fr-alert__title">Aucun effectif {page.info.perimetre ? "de votre périmètre " : ""}pour ce mois et ces filtres</h2>
              )}
              {r.pourquoiVide.length ? (
                <ul data-testid="pourquoi-vide">
                  {r.pourquoiVide.map((raison) => (
                    <li key={raison}>{raison}</li>
                  ))}
                </ul>
              ) : null}
              {ailleursEnFrance ? (
                <p>
                  Aucun apprenant de votre périmètre{page.info.perimetre ? ` (${page.info.perimetre})` : ""} ne suit cette formation au {formatDate(page.date)}
                  {page.panneau.etiquettes.length ? " avec ces filtres" : ""}. Essayez un autre mois ou retirez un filtre, ou{" "}
                  <Link to={ailleursEnFrance}>voyez les chiffres publics de cette formation dans toute la France</Link>.
                </p>
              ) : (
                <p>
                  Aucun apprenant n'est compté au {formatDate(page.date)}{page.info.perimetre ? ` dans votre périmètre : ${page.info.perimetre}` : ""}. Essayez
                  un autre mois, retirez un filtre ou <Link to={page.panneau.reinitialiser}>réinitialisez les filtres</Link>. Les données apparaissent dès
                  la première transmission d'un CFA{page.info.perimetre ? " de votre périmètre" : ""}.
                </p>
              )}
            </div>
          ) : null}

          <ChiffresCles chiffres={r.chiffres} date={page.date} />

          <section aria-labelledby="titre-evolution" className="fr-mb-5w">
            <h2 id="titre-evolution" className="fr-h4">
              Évolution sur 24 mois
            </h2>
            <SerieMensuelle serie={r.serie} fileName={`${fichier}-serie-24-mois`} parametres={parametres} arrondis={r.masque} />
          </section>

          {r.cartes.length ? (
            <section aria-labelledby="titre-territoires" className="fr-mb-5w">
              <h2 id="titre-territoires" className="fr-h4">
                Répartition territoriale
              </h2>
              <Cartes page={page} cartes={r.cartes} mesure="apprenants" />
            </section>
          ) : null}

          <section aria-labelledby="titre-niveaux" className="fr-mb-5w">
            <h2 id="titre-niveaux" className="fr-h4">
              Répartition par niveau
            </h2>
            {r.niveaux.length ? <RepartitionNiveau lignes={r.niveaux} fileName={`${fichier}-par-niveau`} parametres={parametres} /> : <p>Aucun apprenant à la date.</p>}
          </section>

          {r.organismes || r.formations ? (
            <section aria-labelledby="titre-tables" className="fr-mb-5w">
              <h2 id="titre-tables" className="fr-h4">
                {r.organismes && r.formations ? "Organismes et formations" : r.organismes ? "Organismes" : "Formations"}
              </h2>
              {r.organismes ? (
                <TableComptes<LigneOrganisme>
                  id="table-organismes"
                  suffixe="o"
                  titre="Effectifs par organisme formateur"
                  description={`Effectifs au ${formatDate(page.date)} par organisme formateur : chaque apprenant compte une fois, pour l'organisme qui le forme. Le tableau de bord d'un organisme compte en plus les apprenants dont il est le responsable. Cliquer sur un en-tête de colonne trie la table.`}
                  table={r.organismes}
                  recherche={page.recherche}
                  csv={ressource(page, "csv", "organismes")}
                  vide="Aucun organisme n'a d'effectif à la date."
                  colonnes={[
                    {
                      libelle: "Organisme",
                      tri: "libelle",
                      rendu: (l) => (l.id === null ? l.libelle : <Link to={lienOrganisme(page, l.id)}>{l.libelle}</Link>),
                    },
                    { libelle: "SIRET", rendu: (l) => l.siret ?? "–" },
                    { libelle: "UAI", rendu: (l) => l.uai ?? "–" },
                  ]}
                />
              ) : null}
              {r.formations ? (
                <TableComptes<LigneFormation>
                  id="table-formations"
                  suffixe="f"
                  titre="Effectifs par formation"
                  description={`Effectifs au ${formatDate(page.date)} par formation suivie. Cliquer sur un en-tête de colonne trie la table.`}
                  table={r.formations}
                  recherche={page.recherche}
                  csv={ressource(page, "csv", "formations")}
                  vide="Aucune formation n'a d'effectif à la date."
                  colonnes={[
                    {
                      libelle: "Formation",
                      tri: "libelle",
                      rendu: (l) => (l.id === null ? l.libelle : <Link to={lienFormation(page, l.id)}>{l.libelle}</Link>),
                    },
                    { libelle: "CFD", rendu: (l) => l.cfd ?? "–" },
                    { libelle: "RNCP", rendu: (l) => l.rncp ?? "–" },
                  ]}
                />
              ) : null}
            </section>
          ) : null}

          <section aria-labelledby="titre-decrochage" className="fr-mb-5w">
            <h2 id="titre-decrochage" className="fr-h4">
              Ruptures et recherche de contrat
            </h2>
            <Decrochage d={r.decrochage} fileName={fichier} parametres={parametres} carte={<Cartes page={page} cartes={r.cartes} mesure="tauxRupture" />} />
            {page.listes.length ? (
              <p className="fr-mt-2w" data-testid="liens-listes">
                Les apprenants derrière ces chiffres, au {formatDate(page.date)} :{" "}
                {page.listes.map((l, i) => (
                  <span key={l.href}>
                    {i ? " · " : ""}
                    <Link to={l.href}>{`Liste nominative des ${l.titre.charAt(0).toLowerCase()}${l.titre.slice(1)}`}</Link>
                  </span>
                ))}
              </p>
            ) : null}
          </section>

          <section aria-labelledby="titre-couverture" className="fr-mb-5w">
            <h2 id="titre-couverture" className="fr-h4">
              Couverture et fraîcheur des données
            </h2>
            <Couverture
              c={r.couverture}
              fileName={fichier}
              parametres={parametres}
              carte={
                r.couverture.carte && r.couverture.carte.lignes.length ? (
                  <CarteTerritoires
                    testId={`carte-couverture-${r.couverture.carte.niveau}`}
                    niveau={r.couverture.carte.niveau}
                    mesure="taux"
                    valueLabel="Taux de couverture"
                    numerateur="CFA ayant transmis"
                    denominateur="CFA du référentiel"
                    lignes={r.couverture.carte.lignes}
                    title={`Taux de couverture par ${r.couverture.carte.niveau === "departement" ? "département" : "région"}`}
                    description={`Part des CFA du référentiel (responsables ou formateurs actifs) ayant transmis leurs effectifs au moins une fois au ${formatDate(page.date)}.${r.couverture.carte.contexte === "national" ? " Toutes les régions." : ""}`}
                    hrefFor={page.liens === "aucun" ? undefined : (code) => lienTerritoire(page, r.couverture.carte!.niveau, code)}
                    fileName={`${fichier}-taux-de-couverture`}
                    parametres={parametres}
                    feuille={`Couverture par ${r.couverture.carte.niveau === "departement" ? "département" : "région"}`}
                    tousLesTerritoires={r.couverture.carte.contexte === "national"}
                  />
                ) : null
              }
            />
          </section>

          <p className="fr-text--sm">
            Données de cette page : <a href={ressource(page, "json")}>au format JSON</a>.
          </p>
        </>
      ) : null}
    </div>
  );
}

/** The default export of every dashboard route: the page of its loader's data. */
export function PageTableau() {
  return <TableauDeBord page={useLoaderData() as unknown as TableauPage} />;
}
