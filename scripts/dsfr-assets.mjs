// Copies the DSFR's static assets (CSS, fonts, icons, favicon) from @codegouvfr/react-dsfr to public/dsfr,
// once per installed version.
import fs from "node:fs";
import path from "node:path";

const source = path.resolve("node_modules/@codegouvfr/react-dsfr/dsfr");
const target = path.resolve("public/dsfr");
const version = JSON.parse(fs.readFileSync("node_modules/@codegouvfr/react-dsfr/package.json", "utf8")).version;
const stamp = path.join(target, ".version");
if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === version) process.exit(0);
fs.rmSync(target, { recursive: true, force: true });
fs.cpSync(source, target, { recursive: true, filter: (p) => !p.endsWith(".map") && !p.includes(`${path.sep}example`) });
fs.writeFileSync(stamp, version);
console.log(`DSFR ${version} copié dans public/dsfr`);
