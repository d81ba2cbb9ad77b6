/** Checks of the rendered artifacts with the real tools; see tests/conformance/README.md. */
const base = require("./jest.config.js");

/** @type {import("jest").Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/tests/conformance"],
  testPathIgnorePatterns: ["/node_modules/"],
  // Network namespaces and the real gateway are machine-wide: one file at a time.
  maxWorkers: 1,
  testTimeout: 600000,
};
