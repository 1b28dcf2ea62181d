/** `/exports`: the national team chooses breakdowns, a date or a range of months and the filters, previews, downloads. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { chargerPageExports, type PageExports } from "~/exports/page.server";
import { COLONNES_EXPORT, LIBELLES_REPARTITION, MOIS_MAX, REPARTITIONS_EXPORT, celluleApercu } from "~/exports/libelles";
import { SelectField } from "~/referentiel/components";
import { NATURE_LABELS } from "~/referentiel/labels";
import { CONSEIL_XLSX, formatNombre } from "~/ui/format";
import { ErreurTableau } from "~/tableaux/components/ErreurTableau";
import { OPTIONS_AGE, OPTIONS_NIVEAU, OPTIONS_RQTH, OPTIONS_SEXE, optionsDe, type OptionSelect } from "~/tableaux/options";
import { titrePage } from "~/ui/erreur";
import { libelleDepartement } from "~/referentiel/labels";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = ({ error }) => [{ title: titrePage("Exports des indicateurs", error) }];

export function loader({ request, context }: LoaderFunctionArgs) {
  return chargerPageExports(request, context.database);
}

function Select({ id, label, value, options, vide }: { id: string; label: string; value: string; options: OptionSelect[]; vide: string }) {
  return <SelectField id={`export-${id}`} name={id} label={label} value={value} options={options} empty={vide} />;
}

function Texte({ id, label, hint, value }: { id: string; label: string; hint: string; value: string }) {
  return (
    <div className="fr-input-group">
      <label className="fr-label" htmlFor={`export-${id}`}>
        {label}
        <span className="fr-hint-text">{hint}</span>
      </label>
      <input className="fr-input" id={`export-${id}`} name={id} defaultValue={value} />
    </div>
  );
}

/** A choice of the period's radio group. */
function Periode({ id, value, checked, label }: { id: string; value: string; checked: boolean; label: string }) {
  return (
    <div className="fr-fieldset__element">
      <div className="fr-radio-group">
        <input type="radio" id={id} name="periode" value={value} defaultChecked={checked} />
        <label className="fr-label" htmlFor={id}>
          {label}
        </label>
      </div>
    </div>
  );
}

/** A month or date field of the period (no later than `max`). */
function Jour({ id, label, hint, type, name, max, value }: { id: string; label: string; hint: string; type: "month" | "date"; name: string; max: string; value: string }) {
  return (
    <div className="fr-fieldset__element fr-fieldset__element--inline">
      <div className="fr-input-group">
        <label className="fr-label" htmlFor={id}>
          {label} <span className="fr-hint-text">{hint}</span>
        </label>
        <input className="fr-input" type={type} id={id} name={name} max={max} defaultValue={value} />
      </div>
    </div>
  );
}

export default function Exports() {
  const { saisie, filtres, erreurs, apercu, telechargement, territoires, reseaux, aujourdhui } = useLoaderData() as unknown as PageExports;
  const mois = aujourdhui.slice(0, 7);
  return (
    <div className="fr-container fr-my-5w">
      <h1>Exports des indicateurs</h1>
      <p className="fr-text--lead">
        Effectifs par statut (apprentis, inscrits sans contrat, rupturants, abandons, fins de formation), durées de rupture et de recherche de contrat,
        apprenants à risque : à une date ou mois par mois ({MOIS_MAX} mois au plus), avec les répartitions et les filtres de votre choix.
      </p>
      {erreurs.length ? (
        <div className="fr-alert fr-alert--error fr-mb-4w" role="alert" data-testid="erreurs">
          <h2 className="fr-alert__title">L'export ne peut pas être produit</h2>
          <ul>
            {erreurs.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form method="get" action="/exports" reloadDocument data-testid="formulaire-export">
        {/* sent by both buttons: the download accepts and ignores it (PARAMETRES_DU_FORMULAIRE) */}
        <input type="hidden" name="apercu" value="1" />
        <fieldset className="fr-fieldset" aria-labelledby="export-repartitions-legende">
          <legend className="fr-fieldset__legend" id="export-repartitions-legende">
            Répartitions
            <span className="fr-hint-text">Une ligne par valeur de chaque répartition choisie (une feuille par répartition en XLSX).</span>
          </legend>
          {REPARTITIONS_EXPORT.map((r) => (
            <div key={r} className="fr-fieldset__element fr-fieldset__element--inline">
              <div className="fr-checkbox-group">
                <input type="checkbox" id={`export-repartition-${r}`} name="repartition" value={r} defaultChecked={saisie.repartitions.includes(r)} />
                <label className="fr-label" htmlFor={`export-repartition-${r}`}>
                  {LIBELLES_REPARTITION[r]}
                </label>
              </div>
            </div>
          ))}
        </fieldset>

        <fieldset className="fr-fieldset" aria-labelledby="export-periode-legende">
          <legend className="fr-fieldset__legend" id="export-periode-legende">
            Période
            <span className="fr-hint-text">Un mois passé est compté à son dernier jour, le mois en cours à aujourd'hui.</span>
          </legend>
          <Periode id="export-periode-mois" value="mois" checked={saisie.periode !== "date"} label="Mois par mois" />
          <Jour id="export-debut" label="Du mois" hint="AAAA-MM" type="month" name="debut" max={mois} value={saisie.debut} />
          <Jour id="export-fin" label="Au mois" hint="AAAA-MM" type="month" name="fin" max={mois} value={saisie.fin} />
          <Periode id="export-periode-date" value="date" checked={saisie.periode === "date"} label="À une date" />
          <Jour id="export-date" label="Date" hint="JJ/MM/AAAA" type="date" name="date" max={aujourdhui} value={saisie.date} />
        </fieldset>

        <fieldset className="fr-fieldset" aria-labelledby="export-filtres-legende">
          <legend className="fr-fieldset__legend" id="export-filtres-legende">
            Filtres
            <span className="fr-hint-text">Les mêmes que ceux des tableaux de bord ; laissez vide pour tout exporter.</span>
          </legend>
          <div className="fr-fieldset__element">
            <div className="fr-grid-row fr-grid-row--gutters">
              <div className="fr-col-12 fr-col-md-4">
                <Select id="region" label="Région" value={filtres.region} vide="Toutes" options={territoires.regions.map((r) => ({ value: r.code, label: r.nom }))} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="academie" label="Académie" value={filtres.academie} vide="Toutes" options={territoires.academies.map((a) => ({ value: a.code, label: a.nom }))} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select
                  id="departement"
                  label="Département"
                  value={filtres.departement}
                  vide="Tous"
                  options={territoires.departements.map((d) => ({ value: d.code, label: libelleDepartement(d.code, d.nom) }))}
                />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="reseau" label="Réseau" value={filtres.reseau} vide="Tous" options={reseaux.map((r) => ({ value: r, label: r }))} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select
                  id="nature"
                  label="Nature de l'organisme"
                  value={filtres.nature}
                  vide="Toutes"
                  options={optionsDe(NATURE_LABELS)}
                />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Texte id="organisme" label="Organisme" hint="SIRET ou UAI" value={filtres.organisme} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="niveau" label="Niveau" value={filtres.niveau} vide="Tous" options={OPTIONS_NIVEAU} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Texte id="cfd" label="Code formation diplôme (CFD)" hint="8 caractères, par exemple 50022141" value={filtres.cfd} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Texte id="rncp" label="Code RNCP" hint="Par exemple RNCP35185" value={filtres.rncp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="age" label="Âge à la date" value={filtres.age} vide="Tous" options={OPTIONS_AGE} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="sexe" label="Sexe" value={filtres.sexe} vide="Tous" options={OPTIONS_SEXE} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="rqth" label="RQTH" value={filtres.rqth} vide="Tous" options={OPTIONS_RQTH} />
              </div>
            </div>
          </div>
        </fieldset>

        <fieldset className="fr-fieldset" aria-labelledby="export-format-legende">
          <legend className="fr-fieldset__legend" id="export-format-legende">
            Format
          </legend>
          {[
            { value: "csv", label: "CSV (UTF-8, séparateur « ; »)", hint: CONSEIL_XLSX },
            { value: "xlsx", label: "Classeur Excel (XLSX), une feuille par répartition", hint: null },
          ].map((f) => (
            <div key={f.value} className="fr-fieldset__element">
              <div className="fr-radio-group">
                <input type="radio" id={`export-format-${f.value}`} name="format" value={f.value} defaultChecked={(saisie.format || "csv") === f.value} />
                <label className="fr-label" htmlFor={`export-format-${f.value}`}>
                  {f.label}
                  {f.hint ? <span className="fr-hint-text">{f.hint}</span> : null}
                </label>
              </div>
            </div>
          ))}
        </fieldset>

        <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
          <li>
            <button className="fr-btn fr-btn--secondary" type="submit">
              Prévisualiser
            </button>
          </li>
          <li>
            <button className="fr-btn fr-icon-download-line fr-btn--icon-left" type="submit" formAction="/exports/telechargement">
              Télécharger
            </button>
          </li>
          <li>
            <Link className="fr-btn fr-btn--tertiary" to="/exports" reloadDocument>
              Réinitialiser
            </Link>
          </li>
        </ul>
      </Form>

      {apercu && telechargement ? (
        <section className="fr-mt-5w" aria-labelledby="titre-apercu" data-testid="apercu">
          <h2 id="titre-apercu" className="fr-h4">
            Aperçu
          </h2>
          <p>
            {formatNombre(apercu.requetes)} calcul{apercu.requetes > 1 ? "s" : ""} (une répartition à une date chacun). Premières lignes de la première
            répartition, à la dernière date :
          </p>
          {apercu.lignes.length === 0 ? (
            <p>Aucune ligne : aucun effectif pour ces filtres à cette date.</p>
          ) : (
            <div className="fr-table fr-table--sm">
              <table tabIndex={0}>
                <caption>Aperçu de l'export</caption>
                <thead>
                  <tr>
                    {COLONNES_EXPORT.slice(0, 15).map((c) => (
                      <th key={c} scope="col">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {apercu.lignes.map((l, i) => (
                    <tr key={i}>
                      {l.slice(0, 15).map((v, j) => (
                        <td key={j}>{celluleApercu(v, j)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <a className="fr-btn fr-icon-download-line fr-btn--icon-left" href={telechargement} download data-testid="telecharger">
            Télécharger l'export ({saisie.format === "xlsx" ? "XLSX" : "CSV"})
          </a>
        </section>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = ErreurTableau;
