/**
 * Excel's dates. A spreadsheet stores a date as a number of days (the "serial") counted from an epoch that depends on
 * the workbook: the 1900 system (Windows Excel, LibreOffice; serial 25569 = 1970-01-01, with Excel's fictitious
 * 29/02/1900 at 60) or the 1904 system (old Mac Excel workbooks, `<workbookPr date1904="1"/>`; serial 0 =
 * 1904-01-01). Only the cell's number format says that a number is a date: `isDateFormat`.
 */

/** Days between the two systems' epochs: a 1904 serial + 1462 is the same day's 1900 serial. */
const DAYS_1904_TO_1900 = 1462;
/** 31/12/9999, Excel's last day. */
const MAX_SERIAL = 2_958_465;

/**
 * Excel's fictitious 29/02/1900 in the 1900 system: Excel (after Lotus 1-2-3) counts 1900 as a leap year, so serial
 * 60 is that day, serials 1 to 59 are 01/01/1900 to 28/02/1900, and only from 61 (01/03/1900) on is the count of
 * days from 30/12/1899 right.
 */
const SERIAL_29_FEVRIER_1900 = 60;

/**
 * A serial → "YYYY-MM-DD" (the fractional part, a time, is dropped); null when it is not a real day Excel can show:
 * below 1, beyond 31/12/9999, and serial 60 of the 1900 system, Excel's 29/02/1900 (see `excelSerialAsShown`).
 * Serials 1 to 59 are the days Excel shows (01/01/1900 to 28/02/1900), one day after a plain count from 30/12/1899.
 */
export function excelSerialToIso(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial)) return null;
  const days = Math.floor(serial) + (date1904 ? DAYS_1904_TO_1900 : 0);
  if (days < 1 || days > MAX_SERIAL || days === SERIAL_29_FEVRIER_1900) return null;
  // before Excel's fictitious 29/02/1900 the count is one day short
  const reel = days < SERIAL_29_FEVRIER_1900 ? days + 1 : days;
  return new Date((reel - 25_569) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A serial as Excel shows it, "JJ/MM/AAAA": 29/02/1900 for serial 60 of the 1900 system (a day that does not exist,
 * that the upload then refuses as such, by the date as the spreadsheet showed it); null when Excel shows no day.
 */
export function excelSerialAsShown(serial: number, date1904 = false): string | null {
  if (Number.isFinite(serial) && !date1904 && Math.floor(serial) === SERIAL_29_FEVRIER_1900) return "29/02/1900";
  const iso = excelSerialToIso(serial, date1904);
  return iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : null;
}

/**
 * "YYYY-MM-DD" → its serial in the 1900 system (what the app's workbooks use); null when it is no real day, or a
 * day before 01/03/1900 (Excel counts a fictitious 29/02/1900: earlier serials are off by one) or after 31/12/9999.
 */
export function isoToExcelSerial(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  const serial = ms / 86_400_000 + 25_569;
  return serial < 61 || serial > MAX_SERIAL ? null : serial;
}

/** Excel's built-in number formats that show a date (14–17, 22; 27–36 and 50–58: East Asian dates). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/**
 * Whether a number format shows a date: a built-in date format, or a format code with a day or year token once its
 * literal texts ("…", \x), colours and locales ([Red], [$-40C]) are removed. Times alone (hh:mm, [h]:mm) are not dates.
 */
export function isDateFormat(numFmtId: number, code?: string): boolean {
  if (BUILTIN_DATE_FORMATS.has(numFmtId)) return true;
  if (!code) return false;
  const tokens = code
    .split(";")[0]
    .replace(/"[^"]*"/g, "")
    .replace(/\\./g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/general|standard/gi, "");
  return /[dy]/i.test(tokens);
}
