import { describe, expect, it } from "vitest";
import { describeJsonError } from "../../app/shared/json";

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
    // a short text: V8 does not give the position
    expect(errorOf('["a",]')).toBe("erreur de syntaxe : « ] » n'est pas attendu à cet endroit");
    expect(errorOf('["a\tb"]')).toBe("erreur de syntaxe ligne 1, colonne 4 : un caractère de contrôle (U+0009) n'est pas attendu à cet endroit");
  });

  it("says when the text stops before the end", () => {
    for (const text of ["", "[", '[{"a": "b', '{"a": ', "tru"])
      expect(errorOf(text)).toBe("le texte s'arrête avant la fin (un tableau, un objet ou une chaîne n'est pas fermé)");
  });
});
