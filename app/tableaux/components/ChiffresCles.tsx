/**
 * The headline cards: each counter at the date, its change against the end of the previous month and against the
 * same day one year before (docs/decisions/018), each comparison naming its day (dd/MM/yyyy).
 */
import { formatDate } from "~/ui/format";
import { nombre, variation } from "../format";
import type { ChiffreCle, Comparaison } from "../types";
import { DEFINITIONS_COMPTES, LIBELLES_COMPTES } from "../vues";

function Evolution({ libelle, c }: { libelle: string; c: Comparaison }) {
  const texte = variation(c.ecart, c.ratio);
  const sens = c.ecart === null || c.ecart === 0 ? "stable" : c.ecart > 0 ? "hausse" : "baisse";
  const icone = sens === "hausse" ? "fr-icon-arrow-right-up-line" : sens === "baisse" ? "fr-icon-arrow-right-down-line" : "fr-icon-arrow-right-line";
  return (
    <li className="fr-text--xs fr-mb-0">
      {texte === null ? (
        <>
          {libelle} ({formatDate(c.date)}) : {nombre(c.valeur)}, évolution non diffusée
        </>
      ) : (
        <>
          <span className={`${icone} fr-icon--sm`} aria-hidden="true" /> {texte}{" "}
          <span className="fr-text--xs">
            {libelle} ({formatDate(c.date)} : {nombre(c.valeur)})
          </span>
        </>
      )}
    </li>
  );
}

export function ChiffresCles({ chiffres, date }: { chiffres: ChiffreCle[]; date: string }) {
  return (
    <section aria-labelledby="titre-chiffres" className="fr-mb-5w">
      <h2 id="titre-chiffres" className="fr-h4">
        Chiffres clés au {formatDate(date)}
      </h2>
      <ul className="fr-grid-row fr-grid-row--gutters" style={{ listStyle: "none", padding: 0 }} data-testid="chiffres-cles">
        {chiffres.map((c) => (
          <li key={c.cle} className="fr-col-12 fr-col-sm-6 fr-col-lg-4" style={{ padding: "0.75rem" }}>
            <div className="fr-card fr-card--no-arrow" data-testid={`chiffre-${c.cle}`}>
              <div className="fr-card__body">
                <div className="fr-card__content">
                  <h3 className="fr-card__title fr-text--md fr-mb-1v">{LIBELLES_COMPTES[c.cle]}</h3>
                  <div className="fr-card__desc fr-mt-0">
                    <p className="fr-h2 fr-mb-1v" data-role="valeur">
                      {nombre(c.valeur)}
                    </p>
                    <p className="fr-text--xs fr-mb-1w" style={{ color: "var(--text-mention-grey)" }}>
                      {DEFINITIONS_COMPTES[c.cle]}
                    </p>
                    <ul style={{ listStyle: "none", padding: 0, margin: 0 }}>
                      <Evolution libelle="par rapport au mois précédent" c={c.moisPrecedent} />
                      <Evolution libelle="par rapport à l'année précédente" c={c.anneePrecedente} />
                    </ul>
                  </div>
                </div>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
