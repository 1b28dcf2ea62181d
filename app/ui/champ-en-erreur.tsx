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

/**
 * A date (or month) field with its label, its hint and its error under it. `noValidate` on the form lets the server
 * say in French what is expected (a browser's bubble for `min` / `max` may be in English).
 */
export function ChampDate({
  id,
  name = id,
  label,
  hint,
  type = "date",
  min,
  max,
  defaultValue,
  erreur,
}: {
  id: string;
  name?: string;
  label: string;
  hint: string;
  type?: "date" | "month";
  min?: string;
  max?: string;
  defaultValue: string;
  erreur: string | undefined;
}) {
  return (
    <div className={`fr-input-group${erreur ? " fr-input-group--error" : ""}`}>
      <label className="fr-label" htmlFor={id}>
        {label} <span className="fr-hint-text">{hint}</span>
      </label>
      <input
        className={`fr-input${erreur ? " fr-input--error" : ""}`}
        type={type}
        id={id}
        name={name}
        min={min}
        max={max}
        defaultValue={defaultValue}
        {...ariaErreur(id, erreur)}
      />
      <MessageErreur id={id} erreur={erreur} />
    </div>
  );
}
