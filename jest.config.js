/** @type {import("jest").Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  // Each file evaluates the Pulumi program under the SDK's mock runtime, whose settings
  // are process-global: files must not share a process.
  maxWorkers: 2,
  testTimeout: 60000,
};
