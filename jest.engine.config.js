/** The real Pulumi engine on the program (tests/engine); needs `npm run toolchain` first. */
const base = require("./jest.config.js");

/** @type {import("jest").Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/tests/engine"],
  testPathIgnorePatterns: ["/node_modules/"],
  // Each file drives several CLI runs; two files at once fit two cores.
  maxWorkers: 2,
  testTimeout: 900000,
};
