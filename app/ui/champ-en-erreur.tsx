/**
 * A field in error, as the DSFR draws it: the field marked (`aria-invalid`) and described by its message, the
 * message under it (`<id>-erreur`). One place for every form of the app (browser-safe).
 */
export function ariaErreur(id: string, erreur: string | undefined): { "aria-invalid"?: true; "aria-describedby"?: string } {
  return erreur ? { "aria-invalid": true, "aria-describedby": `${id}-erreur` } : {};
}

export function MessageErreur({ id, erreur }: { id: string; erreur: string | undefined }) {
  return erreur ? (
    <p id={`${id}-erreur`} className="fr-error-text">
      {erreur}
    </p>
  ) : null;
}
