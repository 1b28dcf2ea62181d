/**
 * A web stream of an async generator, pulled as the client reads (back-pressure down to the queries): the exports
 * (CSV and XLSX) are written as their rows are read, never held whole in memory. An error after the first bytes
 * cuts the transfer (the client sees an incomplete download, not a truncated file served as complete); it is logged
 * without the values of a failed query (a named list's learners, the export's filters).
 */
import { journaliserErreur } from "./erreurs-base.server";

export function fluxWeb(gen: AsyncGenerator<Uint8Array | string>, contexte: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await gen.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === "string" ? encoder.encode(value) : value);
      } catch (error) {
        journaliserErreur(contexte, error);
        controller.error(error);
      }
    },
    async cancel() {
      await gen.return(undefined);
    },
  });
}
