/**
 * Where JSON.parse stopped, in French (its own message is V8's English): line and column from the position it gives,
 * and the character found there. To follow "JSON invalide : ".
 */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const position = /at position (\d+)/.exec(message);
  const at = position ? Number(position[1]) : null;
  if (/Unexpected end of JSON input/.test(message) || (at !== null && at >= text.length)) {
    return "le texte s'arrête avant la fin (un tableau, un objet ou une chaîne n'est pas fermé)";
  }
  if (at === null) {
    // short texts: V8 names the character but not where it is
    const token = /Unexpected token '(.+?)'/u.exec(message);
    return token ? `erreur de syntaxe : ${found(token[1].codePointAt(0)!)} n'est pas attendu à cet endroit` : "erreur de syntaxe";
  }
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const column = at - before.lastIndexOf("\n");
  return `erreur de syntaxe ligne ${line}, colonne ${column} : ${found(text.codePointAt(at)!)} n'est pas attendu à cet endroit`;
}

function found(char: number): string {
  return char < 0x20 ? `un caractère de contrôle (U+${char.toString(16).toUpperCase().padStart(4, "0")})` : `« ${String.fromCodePoint(char)} »`;
}
