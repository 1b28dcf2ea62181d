/**
 * GET /accessibilite: the accessibility statement the footer links to (RGAA: every public service site publishes
 * one). Static text: what was checked, what is known not to comply, how to report a problem, the legal remedies.
 */
import type { MetaFunction } from "@remix-run/node";
import { FilAriane } from "~/referentiel/components";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction = () => [{ title: "Déclaration d'accessibilité - Tableau de bord de l'apprentissage" }];

export default function Accessibilite() {
  return (
    <div className="fr-container fr-my-5w">
      <FilAriane liens={[{ libelle: "Accueil", href: "/" }]} courant="Accessibilité" />
      <h1>Déclaration d'accessibilité</h1>
      <p>
        Le Tableau de bord de l'apprentissage s'engage à rendre son service accessible, conformément à l'article 47 de la loi
        n° 2005-102 du 11 février 2005. Cette déclaration s'applique à l'ensemble du site.
      </p>

      <h2 className="fr-h4">État de conformité</h2>
      <p>
        Le site est <strong>non conforme</strong> au référentiel général d'amélioration de l'accessibilité (RGAA 4.1) : il n'a pas encore
        fait l'objet d'un audit de conformité par un organisme indépendant. Tant qu'un tel audit n'a pas eu lieu, la loi impose cette mention,
        quel que soit le travail déjà fait.
      </p>

      <h2 className="fr-h4">Ce qui est vérifié à chaque version</h2>
      <ul>
        <li>Le site utilise le système de design de l'État (DSFR) : contrastes, tailles de texte, thème clair ou sombre.</li>
        <li>
          Chaque page se parcourt au clavier : liens d'évitement, focus visible, focus replacé sur le message d'erreur ou le titre après
          l'envoi d'un formulaire, sur le tableau d'une liste après un changement de page, et sur le bouton qui l'a ouverte à la fermeture
          de la fenêtre « Paramètres d'affichage » ; des tests automatisés dans un vrai navigateur le vérifient.
        </li>
        <li>
          Chaque graphique a une description textuelle, un tableau de ses données (« Voir les données ») et un téléchargement CSV ; ses
          séries se distinguent aussi par un motif, pas seulement par leur couleur, et ses textes suivent le thème clair ou sombre.
        </li>
        <li>Chaque tableau a un titre ; les champs de formulaire ont une étiquette, et leurs erreurs sont liées au champ.</li>
        <li>Les pages restent lisibles sur un écran de téléphone (320 pixels de large pour les graphiques) et avec un zoom de 200 %.</li>
      </ul>

      <h2 className="fr-h4">Limites connues</h2>
      <ul>
        <li>Les cartes des territoires sont des images : leurs chiffres sont dans le tableau de données qui les accompagne.</li>
      </ul>

      <h2 className="fr-h4">Signaler un défaut d'accessibilité</h2>
      <p>
        Si vous ne pouvez pas accéder à un contenu ou à un service, écrivez à l'équipe du tableau de bord (adresse indiquée dans les
        e-mails du service) : nous vous répondrons et vous donnerons l'information sous une autre forme.
      </p>

      <h2 className="fr-h4">Voies de recours</h2>
      <p>
        Si vous avez signalé un défaut qui vous empêche d'accéder à un contenu et n'avez pas obtenu de réponse satisfaisante, vous pouvez
        saisir le Défenseur des droits : par le formulaire en ligne sur defenseurdesdroits.fr, auprès de l'un de ses délégués dans votre
        région, ou par courrier gratuit, sans timbre, à l'adresse : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.
      </p>
    </div>
  );
}
