// Runs a helper of components/local/ for a command that names it by its former path,
// scripts/<helper>.js, with the same arguments, environment and standard streams, and exits
// with its status. See scripts/README.md.
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");

module.exports = function forward(helper) {
  const target = path.join(__dirname, "..", "components", "local", `${helper}.js`);
  const r = spawnSync(process.execPath, [target, ...process.argv.slice(2)], { stdio: "inherit" });
  if (r.error) {
    console.error(`scripts/${helper}.js: could not run ${target}: ${r.error.message}`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
};
