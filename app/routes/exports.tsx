/**
 * `/exports`: the national team chooses breakdowns, a date or a range of months and the filters, previews, downloads.
 * "Prévisualiser" is a client-side navigation (the page is not reloaded: the focus is moved to what it answers, the
 * error summary or the preview); "Télécharger" stays a document request, so that the browser receives the file (a
 * refused download comes back to this page, which then focuses its errors).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation, useSubmit } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { chargerPageExports, type PageExports } from "~/exports/page.server";
import { COLONNES_EXPORT, LIBELLES_REPARTITION, MOIS_MAX, REPARTITIONS_EXPORT, celluleApercu } from "~/exports/libelles";
import { SelectField } from "~/referentiel/components";
import { NATURE_LABELS } from "~/referentiel/labels";
import { CONSEIL_XLSX, formatNombre } from "~/ui/format";
import { ErreurTableau } from "~/tableaux/components/ErreurTableau";
import { OPTIONS_AGE, OPTIONS_NIVEAU, OPTIONS_RQTH, OPTIONS_SEXE, optionsDe, type OptionSelect } from "~/tableaux/options";
import { titrePage } from "~/ui/erreur";
import { libelleDepartement } from "~/referentiel/labels";
import { focaliser, lienVersLeChamp } from "~/ui/focus-navigation";
import { ariaErreur, ChampDate, MessageErreur } from "~/ui/champ-en-erreur";
import { titreEnErreur } from "~/ui/titre";
export { pageSansFormulaire as action } from "~/shared/methode.server";

// « Erreur : » when the values sent are refused (a preview, a download refused comes back to this page)
export const meta: MetaFunction = ({ data, error }) => [
  { title: titrePage(titreEnErreur("Exports des indicateurs", Boolean((data as PageExports | undefined)?.erreurs?.length)), error) },
];

export function loader({ request, context }: LoaderFunctionArgs) {
  return chargerPageExports(request, context.database);
}

/** The messages about each field (by parameter), to show under it. */
type Erreurs = Record<string, string>;

/** The id of a parameter's field (the first box of a group), the target of its message in the summary. */
function idDuChamp(champ: string): string {
  if (champ === "repartition") return `export-repartition-${REPARTITIONS_EXPORT[0]}`;
  if (champ === "periode") return "export-periode-mois";
  if (champ === "format") return "export-format-csv";
  return `export-${champ}`;
}

function Select({ id, label, value, options, vide, erreurs }: { id: string; label: string; value: string; options: OptionSelect[]; vide: string; erreurs: Erreurs }) {
  return <SelectField id={`export-${id}`} name={id} label={label} value={value} options={options} empty={vide} erreur={erreurs[id]} />;
}

function Texte({ id, label, hint, value, erreurs }: { id: string; label: string; hint: string; value: string; erreurs: Erreurs }) {
  const erreur = erreurs[id];
  return (
    <div className={`fr-input-group${erreur ? " fr-input-group--error" : ""}`}>
      <label className="fr-label" htmlFor={`export-${id}`}>
        {label}
        <span className="fr-hint-text">{hint}</span>
      </label>
      <input className={`fr-input${erreur ? " fr-input--error" : ""}`} id={`export-${id}`} name={id} defaultValue={value} {...ariaErreur(`export-${id}`, erreur)} />
      <MessageErreur id={`export-${id}`} erreur={erreur} />
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

/**
 * A month or date field of the period (no later than `max`, said by the period's hint): the server checks it and says
 * what is expected in French (the form is noValidate: a browser's bubble for `max` may be in English).
 */
function Jour({ id, label, hint, type, name, max, value, erreur }: { id: string; label: string; hint: string; type: "month" | "date"; name: string; max: string; value: string; erreur?: string }) {
  return (
    <div className="fr-fieldset__element fr-fieldset__element--inline">
      <ChampDate id={id} name={name} label={label} hint={hint} type={type} max={max} defaultValue={value} erreur={erreur} />
    </div>
  );
}

/** A fieldset's error state: its message is part of its name (DSFR), read when the focus enters the group. */
function groupe(id: string, erreur: string | undefined) {
  return {
    className: `fr-fieldset${erreur ? " fr-fieldset--error" : ""}`,
    role: "group",
    "aria-labelledby": erreur ? `${id}-legende ${id}-erreur` : `${id}-legende`,
  };
}

export default function Exports() {
  const { saisie, filtres, erreurs, champsDesErreurs, apercu, telechargement, territoires, reseaux, aujourdhui } = useLoaderData() as unknown as PageExports;
  const mois = aujourdhui.slice(0, 7);
  const submit = useSubmit();
  const { key } = useLocation();
  const resume = useRef<HTMLDivElement>(null);
  const titreApercu = useRef<HTMLHeadingElement>(null);
  const envoye = useRef(false);
  // each field's messages, under it; the summary links each message to its (first) field
  const parChamp: Erreurs = {};
  champsDesErreurs.forEach((champs, i) => champs.forEach((c) => (parChamp[c] = parChamp[c] ? `${parChamp[c]} ${erreurs[i]}` : erreurs[i])));
  // Once the page answers: its errors (summary focused, read by screen readers: a role="alert" inserted with the
  // page loaded is not announced), else the preview asked. On a page loaded with errors (a refused download comes
  // back here), the summary too.
  useEffect(() => {
    const demande = envoye.current;
    envoye.current = false;
    if (erreurs.length && resume.current) focaliser(resume.current);
    else if (demande && apercu && titreApercu.current) focaliser(titreApercu.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return (
    <div className="fr-container fr-my-5w">
      <h1>Exports des indicateurs</h1>
      <p className="fr-text--lead">
        Effectifs par statut (apprentis, inscrits sans contrat, rupturants, abandons, fins de formation), durées de rupture et de recherche de contrat,
        apprenants à risque : à une date ou mois par mois ({MOIS_MAX} mois au plus), avec les répartitions et les filtres de votre choix.
      </p>
      {erreurs.length ? (
        <div className="fr-alert fr-alert--error fr-mb-4w" role="alert" data-testid="erreurs" ref={resume} tabIndex={-1}>
          <h2 className="fr-alert__title">L'export ne peut pas être produit</h2>
          <ul>
            {erreurs.map((e, i) => (
              <li key={e}>{champsDesErreurs[i]?.length ? <a {...lienVersLeChamp(idDuChamp(champsDesErreurs[i][0]))}>{e}</a> : e}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form
        method="get"
        action="/exports"
        reloadDocument
        noValidate
        data-testid="formulaire-export"
        onSubmit={(event) => {
          // "Télécharger" (its own formAction) goes on as a document request: the browser receives the file
          const bouton = (event.nativeEvent as SubmitEvent).submitter;
          if (bouton?.hasAttribute("formaction")) return;
          event.preventDefault();
          envoye.current = true;
          submit(event.currentTarget, { method: "get", action: "/exports", preventScrollReset: true });
        }}
      >
        {/* sent by both buttons: the download accepts and ignores it (PARAMETRES_DU_FORMULAIRE) */}
        <input type="hidden" name="apercu" value="1" />
        <fieldset {...groupe("export-repartitions", parChamp.repartition)}>
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
          <MessageErreur id="export-repartitions" erreur={parChamp.repartition} />
        </fieldset>

        <fieldset {...groupe("export-periode", parChamp.periode)}>
          <legend className="fr-fieldset__legend" id="export-periode-legende">
            Période
            <span className="fr-hint-text">
              Un mois passé est compté à son dernier jour, le mois en cours à aujourd'hui ; pas de mois ni de date future, {MOIS_MAX} mois au plus.
            </span>
          </legend>
          <Periode id="export-periode-mois" value="mois" checked={saisie.periode !== "date"} label="Mois par mois" />
          <Jour id="export-debut" label="Du mois" hint="AAAA-MM" type="month" name="debut" max={mois} value={saisie.debut} erreur={parChamp.debut} />
          <Jour id="export-fin" label="Au mois" hint="AAAA-MM" type="month" name="fin" max={mois} value={saisie.fin} erreur={parChamp.fin} />
          <Periode id="export-periode-date" value="date" checked={saisie.periode === "date"} label="À une date" />
          <Jour id="export-date" label="Date" hint="JJ/MM/AAAA" type="date" name="date" max={aujourdhui} value={saisie.date} erreur={parChamp.date} />
          <MessageErreur id="export-periode" erreur={parChamp.periode} />
        </fieldset>

        <fieldset className="fr-fieldset" aria-labelledby="export-filtres-legende">
          <legend className="fr-fieldset__legend" id="export-filtres-legende">
            Filtres
            <span className="fr-hint-text">Les mêmes que ceux des tableaux de bord ; laissez vide pour tout exporter.</span>
          </legend>
          <div className="fr-fieldset__element">
            <div className="fr-grid-row fr-grid-row--gutters">
              <div className="fr-col-12 fr-col-md-4">
                <Select id="region" label="Région" value={filtres.region} vide="Toutes" options={territoires.regions.map((r) => ({ value: r.code, label: r.nom }))} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="academie" label="Académie" value={filtres.academie} vide="Toutes" options={territoires.academies.map((a) => ({ value: a.code, label: a.nom }))} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select
                  id="departement"
                  label="Département"
                  value={filtres.departement}
                  vide="Tous"
                  options={territoires.departements.map((d) => ({ value: d.code, label: libelleDepartement(d.code, d.nom) }))}
                  erreurs={parChamp}
                />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="reseau" label="Réseau" value={filtres.reseau} vide="Tous" options={reseaux.map((r) => ({ value: r, label: r }))} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="nature" label="Nature de l'organisme" value={filtres.nature} vide="Toutes" options={optionsDe(NATURE_LABELS)} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Texte id="organisme" label="Organisme" hint="SIRET ou UAI" value={filtres.organisme} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="niveau" label="Niveau" value={filtres.niveau} vide="Tous" options={OPTIONS_NIVEAU} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Texte id="cfd" label="Code formation diplôme (CFD)" hint="8 caractères, par exemple 50022141" value={filtres.cfd} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Texte id="rncp" label="Code RNCP" hint="Par exemple RNCP35185" value={filtres.rncp} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="age" label="Âge à la date" value={filtres.age} vide="Tous" options={OPTIONS_AGE} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="sexe" label="Sexe" value={filtres.sexe} vide="Tous" options={OPTIONS_SEXE} erreurs={parChamp} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Select id="rqth" label="RQTH" value={filtres.rqth} vide="Tous" options={OPTIONS_RQTH} erreurs={parChamp} />
              </div>
            </div>
          </div>
        </fieldset>

        <fieldset {...groupe("export-format", parChamp.format)}>
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
          <MessageErreur id="export-format" erreur={parChamp.format} />
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
          <h2 id="titre-apercu" className="fr-h4" ref={titreApercu}>
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
