/** Checks of the rendered artifacts with the real tools; see tests/conformance/README.md. */
const base = require("./jest.config.js");

const { testTimeoutMs } = require("./tests/limits");

/** @type {import("jest").Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/tests/conformance"],
  testPathIgnorePatterns: ["/node_modules/"],
  // Network namespaces and the real gateway are machine-wide: one file at a time.
  maxWorkers: 1,
  // Per test: tests/limits.json, the one place for time limits.
  testTimeout: testTimeoutMs("conformance"),
};
