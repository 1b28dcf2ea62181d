/**
 * A long piece of work that says it is alive (a référentiel import, an upload's import): it writes a heartbeat at
 * least every HEARTBEAT_MS; one without heartbeat for INTERRUPTED_AFTER_SECONDS was interrupted (process stopped,
 * crash) and may be taken back. Browser-safe constants.
 */
export const HEARTBEAT_MS = 30_000;
export const INTERRUPTED_AFTER_SECONDS = 120;
