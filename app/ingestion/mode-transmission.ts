/**
 * How an organisme's mode of transmission and ERP follow its transmissions (decision 022). Browser-safe: the CFA
 * space says the rule.
 *
 * An API transmission sets mode API and its ERP. A file upload records its software on the transmission only; it sets
 * mode FICHIER (and its software) only when the organisme has received no API transmission in the last
 * JOURS_MODE_API days: the ERP that sends every night stays the organisme's channel when a file is uploaded once.
 */
export const JOURS_MODE_API = 30;
