/** Pieces of downloaded files' names. Pure, browser-safe. */

/** A file name's piece: ASCII letters, digits and "_" (accents dropped, anything else becomes "_"). */
export function segmentFichier(value: string): string {
  return value
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
}
