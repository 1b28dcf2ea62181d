import { describe, expect, it } from "vitest";
import { describeJsonError, jsonErrorOffset } from "../../app/shared/json";

function errorOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return describeJsonError(text, error);
  }
  throw new Error("valid JSON");
}

describe("describeJsonError", () => {
  it("says in French the line, the column and the character where JSON.parse stopped", () => {
    expect(errorOf('[\n  {"nom": "a"},\n  {nom: "b"}\n]')).toBe("erreur de syntaxe ligne 3, colonne 4 : « n » n'est pas attendu à cet endroit");
    expect(errorOf('["a", 1 2]')).toBe("erreur de syntaxe ligne 1, colonne 9 : « 2 » n'est pas attendu à cet endroit");
    // « Unexpected token »: V8 does not give the position, found again by jsonErrorOffset
    expect(errorOf('["a",]')).toBe("erreur de syntaxe ligne 1, colonne 6 : « ] » n'est pas attendu à cet endroit");
    expect(errorOf('[\n  {"siret": "35600000000010", "uai": "0691234S"},\n]')).toBe("erreur de syntaxe ligne 3, colonne 1 : « ] » n'est pas attendu à cet endroit");
    expect(errorOf('[{"siret": "1"}\n, x]')).toBe("erreur de syntaxe ligne 2, colonne 3 : « x » n'est pas attendu à cet endroit");
    expect(errorOf('["a\tb"]')).toBe("erreur de syntaxe ligne 1, colonne 4 : un caractère de contrôle (U+0009) n'est pas attendu à cet endroit");
  });

  it("says when the text stops before the end", () => {
    for (const text of ["", "[", '[{"a": "b', '{"a": ', "tru"])
      expect(errorOf(text)).toBe("le texte s'arrête avant la fin (un tableau, un objet ou une chaîne n'est pas fermé)");
  });

  it("finds where a text stops being JSON as JSON.parse does, or null for valid JSON", () => {
    const texts = ['[{"a":1,}]', '{"a" 1}', '[1,2', '["a\tb"]', "12a", '"\\x"', "[] []", '{"a":1}}', '{"a":[{"b":"c\\u00e9"}],"d":-1.5e3}', "[1, 2]", " {} "];
    for (const text of texts) {
      let position: number | null = null;
      try {
        JSON.parse(text);
      } catch (error) {
        const m = /at position (\d+)/.exec((error as Error).message);
        position = m ? Number(m[1]) : text.length;
      }
      expect(jsonErrorOffset(text), text).toBe(position);
    }
    // 10 000 levels of nesting: no recursion
    expect(jsonErrorOffset("[".repeat(10_000) + "]".repeat(10_000))).toBe(null);
  });
});
