/** Builds the Remix app when build/ is missing or older than its sources (used by `npm start` and `npm test`). */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function buildIfNeeded(): void {
  const output = path.resolve("build/index.js");
  const built = fs.existsSync(output) ? fs.statSync(output).mtimeMs : 0;
  const sources = Math.max(newestMtime("app"), newestMtime("db"), fs.statSync("remix.config.js").mtimeMs, fs.statSync("package.json").mtimeMs);
  if (built >= sources && fs.existsSync("public/build") && fs.existsSync("public/dsfr")) return;
  console.log("Construction de l'application…");
  execFileSync("npm", ["run", "-s", "build"], { stdio: "inherit" });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) buildIfNeeded();
