/**
 * The package's plugin entry (package.json "main"), in plain JavaScript. @pulumi/pulumi's
 * run-plugin registers ts-node *with type checking* under the tsconfig.json of the plugin's
 * working directory, which is the consumer's project: a TypeScript consumer whose tsconfig is
 * less strict than this package's could not start the plugin (TS2339 in config/settings.ts),
 * and every start type-checked the whole package. So before any file of ours is loaded, this
 * turns that registration off (ts-node's own `enabled(false)`: it then ignores every file)
 * and registers a transpile-only ts-node bound to this package's own tsconfig.json. The
 * package's types are checked where they belong: `npm run typecheck` in its own CI.
 */
"use strict";
const path = require("path");
const tsNode = require("ts-node");

const registered = process[tsNode.REGISTER_INSTANCE];
if (registered) registered.enabled(false);
tsNode.register({
  transpileOnly: true,
  project: path.join(__dirname, "..", "tsconfig.json"),
});

module.exports = require("./plugin.ts");
