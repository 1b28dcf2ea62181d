/**
 * SQL helpers of the writers: retryable errors, JSON parameters and text PostgreSQL accepts. Running a query on a
 * database or a transaction whatever the driver is `execRows` of db/client.server.ts.
 */

/** PostgreSQL error codes worth retrying the whole transaction for: deadlock, serialization failure. */
export function isRetryableDbError(error: unknown): boolean {
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  return code === "40P01" || code === "40001";
}

/**
 * JSON text for a jsonb parameter. PostgreSQL refuses NUL characters and lone surrogates in jsonb (and text):
 * when the data holds any, they are dropped / replaced (U+FFFD) so that odd input never fails the batch.
 */
export function jsonParam(value: unknown): string {
  const json = JSON.stringify(value);
  // JSON.stringify escapes NUL as \u0000 and a lone surrogate as \udXXX (lower case): two plain searches
  if (!json.includes("\\u0000") && !json.includes("\\ud")) return json;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? storableText(v) : v));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text PostgreSQL accepts: NUL characters dropped, lone surrogates replaced by U+FFFD. */
export function storableText(value: string): string {
  return value.replace(/\u0000/g, "").replace(LONE_SURROGATE, "\ufffd");
}
