/**
 * In the browser bundle a `*.server` module is an empty module: a value imported from it is `undefined` there. A
 * route module may use such a value only in `loader`, `action` and `headers` (which the compiler removes from the
 * browser bundle), never in its component, `meta` or a helper the component calls. Two pages broke this way once
 * React had hydrated them (the CSRF field of /admin/imports, the statut labels of /referentiel/non-transmetteurs):
 * this reads every route module with the TypeScript parser and names any other use.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SERVER_ONLY_EXPORTS = new Set(["loader", "action", "headers"]);

/** "module: declaration uses NAME" for each value of a `*.server` module used outside the server-only exports. */
function clientUsesOfServerValues(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const serverValues = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.importClause;
    if (!/\.server$/.test(statement.moduleSpecifier.text) || !clause || clause.isTypeOnly) continue;
    if (clause.name) serverValues.add(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) if (!e.isTypeOnly) serverValues.add(e.name.text);
    if (bindings && ts.isNamespaceImport(bindings)) serverValues.add(bindings.name.text);
  }
  const uses: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) continue;
    const names = ts.isFunctionDeclaration(statement)
      ? [statement.name?.text ?? "default"]
      : ts.isVariableStatement(statement)
        ? statement.declarationList.declarations.map((d) => d.name.getText(source))
        : [ts.SyntaxKind[statement.kind]];
    if (names.every((n) => SERVER_ONLY_EXPORTS.has(n))) continue;
    const found = new Set<string>();
    const visit = (node: ts.Node) => {
      const isMemberName = ts.isPropertyAccessExpression(node.parent) && node.parent.name === node;
      const isKey = ts.isPropertyAssignment(node.parent) && node.parent.name === node;
      if (ts.isIdentifier(node) && serverValues.has(node.text) && !isMemberName && !isKey) found.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(statement);
    for (const name of found) uses.push(`${fileName}: ${names.join(", ")} uses ${name}`);
  }
  return uses;
}

describe("route modules and *.server values", () => {
  const dir = path.join(process.cwd(), "app", "routes");
  const modules = [
    ...fs.readdirSync(dir).filter((f) => f.endsWith(".tsx")).map((f) => path.join(dir, f)),
    path.join(process.cwd(), "app", "root.tsx"),
  ];

  it("no route module uses a *.server value in what runs in the browser", () => {
    expect(modules.length).toBeGreaterThan(40);
    const uses = modules.flatMap((file) => clientUsesOfServerValues(path.relative(process.cwd(), file), fs.readFileSync(file, "utf8")));
    expect(uses).toEqual([]);
  });

  it("names the uses it is meant to catch, and lets loaders and actions be", () => {
    const text = `
      import { CSRF_FIELD, csrfToken } from "~/auth/csrf.server";
      import { LABELS } from "~/x/labels.server";
      import type { Row } from "~/x/rows.server";
      export async function loader() { return { token: await csrfToken(), row: null as Row | null }; }
      export const headers = () => ({ field: CSRF_FIELD });
      export const meta = () => [{ title: LABELS.titre }];
      function Champ() { return <input name={CSRF_FIELD} />; }
      export default function Page() { return <p>{{ LABELS: 1 }.LABELS}<Champ /></p>; }
    `;
    expect(clientUsesOfServerValues("page.tsx", text)).toEqual(["page.tsx: meta uses LABELS", "page.tsx: Champ uses CSRF_FIELD"]);
  });
});
