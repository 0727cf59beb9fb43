// Copy the front-end files jisheng serves from npm packages into
// src/jisheng/static/vendor/ (git-ignored; whitenoise serves them, no CDN).
// Run with `npm run copy-assets` after `npm ci`. Uses node's fs only.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const modules = path.join(root, "node_modules");
const target = path.join(root, "src", "jisheng", "static", "vendor");

// [package, file inside the package, destination inside vendor/]
const FILES = [
  ["bootstrap", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap", "dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"],
  ["bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap", "dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"],
  ["bootstrap", "LICENSE", "bootstrap/LICENSE"],
  ["bootstrap-icons", "font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons", "font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"],
  ["bootstrap-icons", "font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"],
  ["bootstrap-icons", "LICENSE", "bootstrap-icons/LICENSE"],
  ["htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"],
  ["htmx.org", "LICENSE", "htmx/LICENSE"],
  ["echarts", "dist/echarts.min.js", "echarts/echarts.min.js"],
  ["echarts", "LICENSE", "echarts/LICENSE"],
];

function version(pkg) {
  const meta = JSON.parse(fs.readFileSync(path.join(modules, pkg, "package.json"), "utf8"));
  return meta.version;
}

fs.rmSync(target, { recursive: true, force: true });
const versions = {};
for (const [pkg, source, dest] of FILES) {
  const from = path.join(modules, pkg, source);
  if (!fs.existsSync(from)) {
    console.error(`copy-assets: missing ${from}; run "npm ci" first`);
    process.exit(1);
  }
  const to = path.join(target, dest);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  versions[pkg] = version(pkg);
}
fs.writeFileSync(path.join(target, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`copy-assets: ${FILES.length} files into ${path.relative(root, target)}/`);
for (const [pkg, v] of Object.entries(versions)) console.log(`  ${pkg} ${v}`);
