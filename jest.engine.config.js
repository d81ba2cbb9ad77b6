/** The real Pulumi engine on the program (tests/engine); needs `npm run toolchain` first. */
const base = require("./jest.config.js");

const { testTimeoutMs } = require("./tests/limits");

/** @type {import("jest").Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/tests/engine"],
  testPathIgnorePatterns: ["/node_modules/"],
  // Each file drives several CLI runs; two files at once fit two cores.
  maxWorkers: 2,
  // Per test: tests/limits.json, the one place for time limits.
  testTimeout: testTimeoutMs("engine"),
};
