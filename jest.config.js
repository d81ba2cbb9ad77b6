const { testTimeoutMs } = require("./tests/limits");

/** @type {import("jest").Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // Checks with real host tools (cloud-init, shellcheck, sshd, UFW in network namespaces,
  // OpenClaw itself) run with `npm run test:conformance`, which needs those tools installed.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/conformance/", "<rootDir>/tests/engine/"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }] },
  // Each file evaluates the Pulumi program under the SDK's mock runtime, whose settings
  // are process-global: files must not share a process.
  maxWorkers: 2,
  // Per test: tests/limits.json, the one place for time limits.
  testTimeout: testTimeoutMs("unit"),
};
