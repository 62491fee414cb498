// Builds the front end into static/build/ (git-ignored): `npm run build`.
//
// - static/scss/app.scss   -> static/build/app.css   (GOV.UK Frontend + MOJ timeline + app styles)
// - static/scss/print.scss -> static/build/print.css (linked with media="print")
// - GOV.UK Frontend's ES module JS (+ its source map, which collectstatic's manifest needs)
// - GOV.UK Frontend's images and manifest.json, and the one MOJ image the timeline CSS names.
//   Never the fonts: GDS Transport is for GOV.UK services only.
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const moj = join(root, "node_modules", "@ministryofjustice", "frontend", "moj");

const stylesheets = [
  ["static/scss/app.scss", "app.css"],
  ["static/scss/print.scss", "print.css"],
];

// GOV.UK Frontend 5.x is written with @import; its own deprecations are quiet (quietDeps),
// our entry files' @import of it is the only warning left.
const sassOptions = {
  style: "compressed",
  loadPaths: [join(root, "node_modules"), root],
  quietDeps: true,
  silenceDeprecations: ["import"],
};

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  return to;
}

function main() {
  const started = Date.now();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const written = [];

  for (const [source, target] of stylesheets) {
    const { css } = sass.compile(join(root, source), sassOptions);
    if (/GDS Transport/.test(css)) {
      throw new Error(`${source} compiled with "GDS Transport": that font is for GOV.UK alone`);
    }
    const path = join(out, target);
    writeFileSync(path, css);
    written.push(path);
  }

  written.push(copy(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js")));
  written.push(copy(join(govuk, "govuk-frontend.min.js.map"), join(out, "govuk-frontend.min.js.map")));

  const images = join(out, "assets", "images");
  cpSync(join(govuk, "assets", "images"), images, { recursive: true });
  written.push(images + "/");
  if (existsSync(join(govuk, "assets", "manifest.json"))) {
    written.push(copy(join(govuk, "assets", "manifest.json"), join(out, "assets", "manifest.json")));
  }
  // The MOJ timeline's document links name this icon; collectstatic's manifest fails without it.
  written.push(copy(join(moj, "assets", "images", "icon-document.svg"), join(images, "icon-document.svg")));

  const cssSize = (name) => `${(statSync(join(out, name)).size / 1024).toFixed(1)} KB`;
  console.log(
    `build-assets: wrote ${written.map((p) => relative(root, p)).join(", ")} ` +
      `(app.css ${cssSize("app.css")}, print.css ${cssSize("print.css")}) in ${Date.now() - started} ms`,
  );
}

try {
  main();
} catch (error) {
  console.error(`build-assets: ${error.message ?? error}`);
  process.exit(1);
}
