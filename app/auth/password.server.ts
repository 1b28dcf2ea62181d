/**
 * Password hashing with node:crypto scrypt. Stored form: `scrypt$N$r$p$salt$hash` (salt and hash base64url), so
 * the cost can be raised later without invalidating existing hashes. Passwords are never logged.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

const N = 1 << 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 128 * N * R * 2;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize("NFC"), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAX_MEMORY });
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], "base64url");
  const expected = Buffer.from(parts[5], "base64url");
  if (!n || !r || !p || expected.length === 0) return false;
  const key = await scrypt(premiersCaracteres(password, PASSWORD_MAX_LENGTH), salt, expected.length, { N: n, r, p, maxmem: 128 * n * r * 2 });
  return timingSafeEqual(key, expected);
}

/** A hash of a random password, to spend the same time when the e-mail is unknown. */
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(password, await dummyHash);
}

/**
 * The characters of a password as a person counts them: code points of its NFC form (what is hashed), so that « é »
 * or an emoji is one character, not two UTF-16 units.
 */
export function caracteresDuMotDePasse(password: string): string[] {
  return [...password.normalize("NFC")];
}

/** The first `n` characters (code points, NFC) of a password: never half an emoji. */
function premiersCaracteres(password: string, n: number): string {
  return caracteresDuMotDePasse(password).slice(0, n).join("");
}

/** The French reason a new password is refused, or null. */
export function passwordProblem(password: string, email?: string): string | null {
  const longueur = caracteresDuMotDePasse(password).length;
  if (longueur < PASSWORD_MIN_LENGTH)
    return `Le mot de passe doit contenir au moins ${PASSWORD_MIN_LENGTH} caractères (il en contient ${longueur}).`;
  if (longueur > PASSWORD_MAX_LENGTH) return `Le mot de passe ne doit pas dépasser ${PASSWORD_MAX_LENGTH} caractères.`;
  if (new Set(password).size < 5) return "Le mot de passe doit contenir au moins 5 caractères différents.";
  if (email && password.toLowerCase().includes(email.toLowerCase().split("@")[0]) && email.split("@")[0].length >= 4)
    return "Le mot de passe ne doit pas contenir votre adresse e-mail.";
  return null;
}
