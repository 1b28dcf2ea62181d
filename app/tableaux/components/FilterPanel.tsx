/**
 * The filter panel (DSFR): a GET form, so every filter lives in the URL (shareable, back button), works without
 * JavaScript, and is a client-side navigation once hydrated. Searches (territory, CFA, formation) are resolved by
 * the loader into canonical URLs; a CFA or formation search that finds nothing keeps its text, with the reason under
 * the field. Active filters are listed as tags, each a link removing it; "Réinitialiser"
 * goes back to the page without parameters. A bad value of the address marks its field in error, with the message
 * (app/tableaux/champs.ts); the server checks every value (noValidate: no browser bubble, in English in some).
 * Once filters are applied, a status message says what the figures now are; the focus goes back to the field or
 * button that sent them, or to the page's title when they lead to another page (a territory's).
 */
import { useEffect, useRef, useState } from "react";
import { Form, Link, useLocation } from "@remix-run/react";
import { formatMois } from "~/ui/format";
import { focaliser } from "~/ui/focus-navigation";
import { ariaErreur, MessageErreur } from "~/ui/champ-en-erreur";
import { erreursParChamp } from "../champs";
import { OPTIONS_AGE, OPTIONS_NIVEAU, OPTIONS_RQTH, OPTIONS_SEXE, choixSelect, type OptionSelect } from "../options";
import type { Panneau, OptionTerritoire, SaisieRecherche } from "../types";

/** The attributes and message of a field in error (DSFR: the message read with the field). */
function etatErreur(id: string, erreur: string | undefined) {
  return {
    groupe: erreur ? " fr-select-group--error" : "",
    champ: erreur ? " fr-select--error" : "",
    attributs: ariaErreur(id, erreur),
    message: <MessageErreur id={id} erreur={erreur} />,
  };
}

/** A filter's select: every value of the address shown and kept by the next submission (`choixSelect`). */
function Select({
  id,
  name,
  label,
  valeurs,
  options: base,
  vide,
  hint,
  erreur,
}: {
  id: string;
  name: string;
  label: string;
  valeurs: (string | number)[] | undefined;
  options: OptionSelect[];
  vide: string;
  hint?: string;
  erreur?: string;
}) {
  const { options, value } = choixSelect(base, valeurs);
  const e = etatErreur(id, erreur);
  return (
    <div className={`fr-select-group${e.groupe}`}>
      <label className="fr-label" htmlFor={id}>
        {label}
        {hint ? <span className="fr-hint-text">{hint}</span> : null}
      </label>
      <select className={`fr-select${e.champ}`} id={id} name={name} defaultValue={value} {...e.attributs}>
        <option value="">{vide}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {e.message}
    </div>
  );
}

function SelectTerritoire({ options, value, erreur }: { options: OptionTerritoire[]; value: string; erreur?: string }) {
  const groupes = ["Plusieurs", "Régions", "Académies", "Départements"] as const;
  const libelles = { Plusieurs: "Territoires de l'adresse", Régions: "Régions", Académies: "Académies", Départements: "Départements" };
  // « France entière » (the public), « Tout mon périmètre » and « France entière (chiffres publics) » (decision 037)
  const france = options.filter((o) => o.groupe === "France");
  const e = etatErreur("filtre-territoire", erreur);
  return (
    <div className={`fr-select-group${e.groupe}`}>
      <label className="fr-label" htmlFor="filtre-territoire">
        Territoire
        <span className="fr-hint-text">Région, académie ou département de l'organisme formateur</span>
      </label>
      <select className={`fr-select${e.champ}`} id="filtre-territoire" name="territoire" defaultValue={value} {...e.attributs}>
        {france.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
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
      {e.message}
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
        aria-describedby={saisie.erreur ? idErreur : saisie.choix ? CHOIX_RECHERCHE : undefined}
      />
      {saisie.erreur ? (
        <p id={idErreur} className="fr-error-text" data-testid={`${id}-erreur`}>
          {saisie.erreur}
        </p>
      ) : null}
    </div>
  );
}

/** The list of a search's matches to choose from (TableauDeBord), which describes its field. */
export const CHOIX_RECHERCHE = "choix-recherche";

/**
 * What the status message says once filters are applied: the page, the month and the filters now shown; then a
 * search that awaits a choice among its matches (`choix`, the list's title), or found nothing (`recherches`' errors),
 * for the figures are shown without it.
 */
export function annonceFiltres(
  titre: string,
  mois: string,
  etiquettes: readonly { libelle: string }[],
  recherches: { choix?: string | null; erreurs?: readonly string[] } = {},
): string {
  const filtres = etiquettes.length ? `filtres : ${etiquettes.map((e) => e.libelle).join(", ")}` : "sans filtre";
  const suite = [recherches.choix ? `${recherches.choix} dans la liste sous les filtres.` : null, ...(recherches.erreurs ?? [])].filter(Boolean);
  return [`Indicateurs mis à jour : ${titre}, ${formatMois(mois)}, ${filtres}.`, ...suite].join(" ");
}

export function FilterPanel({
  panneau,
  action,
  recherche,
  titre,
  erreurs,
  choix = null,
}: {
  panneau: Panneau;
  action: string;
  recherche: string;
  titre: string;
  erreurs: string[];
  /** A search awaiting a choice among its matches: the title of their list. */
  choix?: string | null;
}) {
  const f = panneau.filtres;
  const { pathname } = useLocation();
  // the messages about the fields of the panel (the searches say theirs themselves, under their field)
  const enErreur = erreursParChamp(erreurs);
  const mois = etatErreur("filtre-mois", enErreur["filtre-mois"]);
  // The form is rebuilt for each search (its fields start from the new URL): the field or button that sent it gets
  // the focus back, so that a keyboard user goes on from where they were instead of from the top of the page — or,
  // when the filters lead to another page (a territory chosen), the new page's title, as a link followed does.
  const cle = `${pathname}|${recherche}|${panneau.recherches.cfa.valeur}|${panneau.recherches.formation.valeur}`;
  const formulaire = useRef<HTMLFormElement>(null);
  const focusEnvoi = useRef<{ source: string | null; page: string } | null>(null);
  // Said once the figures are updated (role="status", on the page before it is filled: a region added with its
  // message is not read): the button keeps the focus, nothing else would tell that the figures changed.
  const [annonce, setAnnonce] = useState("");
  useEffect(() => {
    const envoi = focusEnvoi.current;
    focusEnvoi.current = null;
    // the figures changed by a link (a tag removed, « Réinitialiser »): the message of the last submission is stale
    if (!envoi) return setAnnonce("");
    const erreursDesRecherches = [panneau.recherches.formation.erreur, panneau.recherches.cfa.erreur].filter((e): e is string => e !== null);
    setAnnonce(annonceFiltres(titre, panneau.mois, panneau.etiquettes, { choix, erreurs: erreursDesRecherches }));
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected && !formulaire.current?.contains(active)) return;
    // a search awaiting a choice: its list, where the keyboard goes on
    const liste = choix ? document.getElementById(`${CHOIX_RECHERCHE}-titre`) : null;
    if (liste) return focaliser(liste);
    const titrePage = document.querySelector<HTMLElement>("main h1");
    if (envoi.page !== pathname && titrePage) focaliser(titrePage, { preventScroll: true });
    else if (envoi.source) formulaire.current?.querySelector<HTMLElement>(`[data-focus="${envoi.source}"], [id="${envoi.source}"]`)?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cle]);
  return (
    <section aria-labelledby="titre-filtres" className="fr-mb-4w fr-p-3w" style={{ background: "var(--background-alt-blue-france)" }}>
      <h2 id="titre-filtres" className="fr-h5 fr-mb-2w">
        Filtres
      </h2>
      <p className="fr-sr-only" role="status" data-testid="annonce-filtres">
        {annonce}
      </p>
      <Form
        method="get"
        action={action}
        key={cle}
        ref={formulaire}
        preventScrollReset
        noValidate
        data-testid="filtres"
        onSubmit={(event) => {
          // the field where Enter was pressed, else the button clicked
          const active = document.activeElement;
          const source = active instanceof HTMLElement && event.currentTarget.contains(active) ? active : (event.nativeEvent as SubmitEvent).submitter;
          focusEnvoi.current = { source: source instanceof HTMLElement ? (source.id || source.dataset.focus || null) : null, page: pathname };
        }}
      >
        {panneau.conserves.map(([k, v], i) => (
          <input key={`${k}-${i}`} type="hidden" name={k} value={v} />
        ))}
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
            <div className={`fr-input-group${enErreur["filtre-mois"] ? " fr-input-group--error" : ""}`}>
              <label className="fr-label" htmlFor="filtre-mois">
                Mois
                <span className="fr-hint-text">Format AAAA-MM, pas de mois futur ; le mois en cours est compté à aujourd'hui</span>
              </label>
              <input
                className={`fr-input${enErreur["filtre-mois"] ? " fr-input--error" : ""}`}
                type="month"
                id="filtre-mois"
                name="mois"
                max={panneau.moisMax}
                min="2015-01"
                defaultValue={panneau.mois}
                pattern="[0-9]{4}-[0-9]{2}"
                {...mois.attributs}
              />
              {mois.message}
            </div>
          </div>
          {panneau.territoires ? (
            <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
              <SelectTerritoire options={panneau.territoires} value={panneau.territoire} erreur={enErreur["filtre-territoire"]} />
            </div>
          ) : null}
          {panneau.reseaux ? (
            <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
              <Select
                id="filtre-reseau"
                name="reseau"
                label="Réseau"
                valeurs={f.reseau}
                vide="Tous les réseaux"
                options={panneau.reseaux.map((r) => ({ value: r, label: r }))}
                erreur={enErreur["filtre-reseau"]}
              />
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
              erreur={enErreur["filtre-niveau"]}
            />
          </div>
          {panneau.formation ? (
            <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
              <Recherche id="filtre-formation" name="formation" label="Formation" hint="CFD, code RNCP ou mots de l'intitulé" saisie={panneau.recherches.formation} />
            </div>
          ) : null}
          {panneau.cfa ? (
            <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
              <Recherche id="filtre-cfa" name="cfa" label="CFA" hint="Nom, UAI, SIRET ou commune" saisie={panneau.recherches.cfa} />
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
              erreur={enErreur["filtre-age"]}
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
              erreur={enErreur["filtre-sexe"]}
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
                erreur={enErreur["filtre-rqth"]}
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
