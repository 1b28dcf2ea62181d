/**
 * Where JSON.parse stopped, in French (its own message is V8's English): line and column from the position it gives,
 * and the character found there. To follow "JSON invalide : ".
 */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const position = /at position (\d+)/.exec(message);
  // « Unexpected token » (a character where none of its kind may be): V8 names it but not where it is, found again here
  const at = position ? Number(position[1]) : /Unexpected end of JSON input/.test(message) ? text.length : jsonErrorOffset(text);
  if (at !== null && at >= text.length) {
    return "le texte s'arrête avant la fin (un tableau, un objet ou une chaîne n'est pas fermé)";
  }
  if (at === null) {
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

/** The JSON grammar's numbers and literals, read at a position. */
const SCALAR = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null/y;

/**
 * Where a text stops being JSON (RFC 8259): the offset of the first character that cannot be there, `text.length`
 * when the text stops too early, null for valid JSON. Iterative: any depth of nesting.
 */
export function jsonErrorOffset(text: string): number | null {
  const n = text.length;
  const stack: number[] = []; // the closing character expected by each open array or object
  let state: "value" | "valueOrClose" | "key" | "keyOrClose" | "colon" | "after" = "value";
  let i = 0;
  for (;;) {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
    if (i >= n) return state === "after" && stack.length === 0 ? null : n;
    const c = text[i];
    if (state === "after") {
      if (!stack.length) return i;
      const close = String.fromCharCode(stack.at(-1)!);
      if (c === ",") state = close === "]" ? "value" : "key";
      else if (c === close) stack.pop();
      else return i;
      i++;
      continue;
    }
    if (state === "colon") {
      if (c !== ":") return i;
      i++;
      state = "value";
      continue;
    }
    if ((state === "valueOrClose" && c === "]") || (state === "keyOrClose" && c === "}")) {
      stack.pop();
      i++;
      state = "after";
      continue;
    }
    const key: boolean = state === "key" || state === "keyOrClose";
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
      state = key ? "colon" : "after";
      continue;
    }
    if (key) return i;
    if (c === "[" || c === "{") {
      stack.push(c === "[" ? 0x5d : 0x7d);
      i++;
      state = c === "[" ? "valueOrClose" : "keyOrClose";
      continue;
    }
    SCALAR.lastIndex = i;
    const m = SCALAR.exec(text);
    if (!m) return i;
    i += m[0].length;
    state = "after";
  }
}

/** The offset after the string that opens at `start`, or -(offset of its error) - 1. */
function stringEnd(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x22) return j + 1;
    if (c < 0x20) return -j - 1;
    if (c === 0x5c) {
      const e = text[j + 1];
      if (e === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return -(j + 2) - 1;
        j += 5;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) j++;
      else return -(j + 1) - 1;
    }
  }
  return -text.length - 1;
}
