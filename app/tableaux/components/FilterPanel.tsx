/**
 * The filter panel (DSFR): a GET form, so every filter lives in the URL (shareable, back button), works without
 * JavaScript, and is a client-side navigation once hydrated. Searches (territory, CFA, formation) are resolved by
 * the loader into canonical URLs; a CFA or formation search that finds nothing keeps its text, with the reason under
 * the field. Active filters are listed as tags, each a link removing it; "Réinitialiser"
 * goes back to the page without parameters.
 */
import { useEffect, useRef } from "react";
import { Form, Link } from "@remix-run/react";
import { OPTIONS_AGE, OPTIONS_NIVEAU, OPTIONS_RQTH, OPTIONS_SEXE, choixSelect, type OptionSelect } from "../options";
import type { Panneau, OptionTerritoire, SaisieRecherche } from "../types";

/** A filter's select: every value of the address shown and kept by the next submission (`choixSelect`). */
function Select({ id, name, label, valeurs, options: base, vide, hint }: { id: string; name: string; label: string; valeurs: (string | number)[] | undefined; options: OptionSelect[]; vide: string; hint?: string }) {
  const { options, value } = choixSelect(base, valeurs);
  return (
    <div className="fr-select-group">
      <label className="fr-label" htmlFor={id}>
        {label}
        {hint ? <span className="fr-hint-text">{hint}</span> : null}
      </label>
      <select className="fr-select" id={id} name={name} defaultValue={value}>
        <option value="">{vide}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function SelectTerritoire({ options, value }: { options: OptionTerritoire[]; value: string }) {
  const groupes = ["Plusieurs", "Régions", "Académies", "Départements"] as const;
  const libelles = { Plusieurs: "Territoires de l'adresse", Régions: "Régions", Académies: "Académies", Départements: "Départements" };
  const france = options.find((o) => o.groupe === "France");
  return (
    <div className="fr-select-group">
      <label className="fr-label" htmlFor="filtre-territoire">
        Territoire
        <span className="fr-hint-text">Région, académie ou département de l'organisme formateur</span>
      </label>
      <select className="fr-select" id="filtre-territoire" name="territoire" defaultValue={value}>
        {france ? <option value="">{france.label}</option> : null}
        {groupes.map((g) => {
          const items = options.filter((o) => o.groupe === g);
          return items.length ? (
            <optgroup key={g} label={libelles[g]}>
              {items.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </optgroup>
          ) : null;
        })}
      </select>
    </div>
  );
}

/** A search field: what was typed stays in it when it did not resolve, with the reason when it found nothing. */
function Recherche({ id, name, label, hint, saisie }: { id: string; name: string; label: string; hint: string; saisie: SaisieRecherche }) {
  const idErreur = `${id}-erreur`;
  return (
    <div className={`fr-input-group${saisie.erreur ? " fr-input-group--error" : ""}`}>
      <label className="fr-label" htmlFor={id}>
        {label}
        <span className="fr-hint-text">{hint}</span>
      </label>
      <input
        className={`fr-input${saisie.erreur ? " fr-input--error" : ""}`}
        type="search"
        id={id}
        name={name}
        defaultValue={saisie.valeur}
        autoComplete="off"
        aria-invalid={saisie.erreur ? true : undefined}
        aria-describedby={saisie.erreur ? idErreur : undefined}
      />
      {saisie.erreur ? (
        <p id={idErreur} className="fr-error-text" data-testid={`${id}-erreur`}>
          {saisie.erreur}
        </p>
      ) : null}
    </div>
  );
}

export function FilterPanel({ panneau, action, recherche }: { panneau: Panneau; action: string; recherche: string }) {
  const f = panneau.filtres;
  // The form is rebuilt for each search (its fields start from the new URL): the field or button that sent it gets
  // the focus back, so that a keyboard user goes on from where they were instead of from the top of the page.
  const cle = `${recherche}|${panneau.recherches.cfa.valeur}|${panneau.recherches.formation.valeur}`;
  const formulaire = useRef<HTMLFormElement>(null);
  const focusEnvoi = useRef<string | null>(null);
  useEffect(() => {
    const nom = focusEnvoi.current;
    focusEnvoi.current = null;
    if (!nom || !formulaire.current) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    formulaire.current.querySelector<HTMLElement>(`[data-focus="${nom}"], [id="${nom}"]`)?.focus();
  }, [cle]);
  return (
    <section aria-labelledby="titre-filtres" className="fr-mb-4w fr-p-3w" style={{ background: "var(--background-alt-blue-france)" }}>
      <h2 id="titre-filtres" className="fr-h5 fr-mb-2w">
        Filtres
      </h2>
      <Form
        method="get"
        action={action}
        key={cle}
        ref={formulaire}
        preventScrollReset
        data-testid="filtres"
        onSubmit={(event) => {
          // the field where Enter was pressed, else the button clicked
          const active = document.activeElement;
          const source = active instanceof HTMLElement && event.currentTarget.contains(active) ? active : (event.nativeEvent as SubmitEvent).submitter;
          focusEnvoi.current = source instanceof HTMLElement ? (source.id || source.dataset.focus || null) : null;
        }}
      >
        {panneau.conserves.map(([k, v], i) => (
          <input key={`${k}-${i}`} type="hidden" name={k} value={v} />
        ))}
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
            <div className="fr-input-group">
              <label className="fr-label" htmlFor="filtre-mois">
                Mois
                <span className="fr-hint-text">Format AAAA-MM ; le mois en cours est compté à aujourd'hui</span>
              </label>
              <input className="fr-input" type="month" id="filtre-mois" name="mois" max={panneau.moisMax} min="2015-01" defaultValue={panneau.mois} pattern="[0-9]{4}-[0-9]{2}" />
            </div>
          </div>
          {panneau.territoires ? (
            <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
              <SelectTerritoire options={panneau.territoires} value={panneau.territoire} />
            </div>
          ) : null}
          {panneau.reseaux ? (
            <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
              <Select id="filtre-reseau" name="reseau" label="Réseau" valeurs={f.reseau} vide="Tous les réseaux" options={panneau.reseaux.map((r) => ({ value: r, label: r }))} />
            </div>
          ) : null}
          <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
            <Select
              id="filtre-niveau"
              name="niveau"
              label="Niveau de formation"
              valeurs={f.niveau}
              vide="Tous les niveaux"
              options={OPTIONS_NIVEAU}
            />
          </div>
          {panneau.formation ? (
            <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
              <Recherche id="filtre-formation" name="formation" label="Formation" hint="CFD, code RNCP ou mots de l'intitulé" saisie={panneau.recherches.formation} />
            </div>
          ) : null}
          {panneau.cfa ? (
            <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
              <Recherche id="filtre-cfa" name="cfa" label="CFA" hint="Nom, UAI ou SIRET" saisie={panneau.recherches.cfa} />
            </div>
          ) : null}
          <div className="fr-col-12 fr-col-sm-6 fr-col-lg-2">
            <Select
              id="filtre-age"
              name="age"
              label="Âge à la date"
              valeurs={f.trancheAge}
              vide="Tous les âges"
              options={OPTIONS_AGE}
            />
          </div>
          <div className="fr-col-12 fr-col-sm-6 fr-col-lg-2">
            <Select
              id="filtre-sexe"
              name="sexe"
              label="Sexe"
              valeurs={f.sexe}
              vide="Tous"
              options={OPTIONS_SEXE}
            />
          </div>
          {panneau.rqth ? (
            <div className="fr-col-12 fr-col-sm-6 fr-col-lg-2">
              <Select
                id="filtre-rqth"
                name="rqth"
                label="RQTH"
                hint="Travailleur handicapé"
                valeurs={f.rqth === undefined ? [] : [f.rqth ? "oui" : "non"]}
                vide="Tous"
                options={OPTIONS_RQTH}
              />
            </div>
          ) : null}
        </div>
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-mt-2w fr-mb-0">
          <li>
            <button className="fr-btn" type="submit" data-focus="appliquer">
              Appliquer les filtres
            </button>
          </li>
          <li>
            <Link className="fr-btn fr-btn--secondary" to={panneau.reinitialiser}>
              Réinitialiser les filtres
            </Link>
          </li>
        </ul>
      </Form>
      {panneau.etiquettes.length ? (
        <div className="fr-mt-2w">
          <p className="fr-text--sm fr-mb-1v" id="titre-filtres-actifs">
            Filtres actifs (cliquer pour retirer) :
          </p>
          <ul className="fr-tags-group" aria-labelledby="titre-filtres-actifs" data-testid="filtres-actifs">
            {panneau.etiquettes.map((e) => (
              <li key={e.libelle}>
                <Link className="fr-tag fr-tag--sm fr-icon-close-line fr-tag--icon-left" to={e.href} aria-label={`Retirer le filtre ${e.libelle}`}>
                  {e.libelle}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
