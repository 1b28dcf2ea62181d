/**
 * One field of a CSV file users open in a spreadsheet (server exports and the charts' CSV, so browser-safe and tiny).
 *
 * - A text beginning with `=`, `+`, `-`, `@`, a tab or a carriage return would be run by Excel or LibreOffice as a
 *   formula (CSV injection: a learner's name sent by an ERP as `=HYPERLINK(…)`): it is written after an apostrophe,
 *   which spreadsheets show as text. Numbers (`-12`, `-3,5`) are left as they are.
 * - A field holding the delimiter, a quote or a line break is quoted.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;

export function csvField(value: string, delimiter = ";"): string {
  const s = FORMULA_START.test(value) && !NUMBER.test(value) ? `'${value}` : value;
  return s.includes(delimiter) || s.includes('"') || s.includes("\n") || s.includes("\r") ? `"${s.replace(/"/g, '""')}"` : s;
}
