/** The Pulumi CLI's subcommands and flags that the docs check allows (tests/repo/readme.test.ts). */
/**
 * The Pulumi CLI's documented subcommands and flags (its reference pages, docs/iac/cli/commands:
 * pulumi_login, pulumi_stack_init, pulumi_stack_output, pulumi_config, pulumi_config_set,
 * pulumi_config_set-all, pulumi_new, pulumi_up, pulumi_preview, pulumi_destroy, pulumi_package_*, pulumi_install), with whether each flag takes a value. Flags every
 * command inherits are in GLOBAL. tests/engine/cliFlags.test.ts holds the table against the
 * real CLI's `--help` (it found `--stack` listed as global, and a `package add --server`
 * that 3.248 does not have).
 */
export const PULUMI_FLAGS: Readonly<Record<string, Readonly<Record<string, boolean>>>> = {
  login: { "--local": false, "--cloud-url": true, "--default-org": true, "--insecure": false },
  "stack init": { "--stack": true, "-s": true, "--secrets-provider": true, "--copy-config-from": true, "--no-select": false },
  "stack select": { "--stack": true, "-s": true, "--create": false, "--secrets-provider": true },
  "stack output": { "--stack": true, "-s": true, "--show-secrets": false, "--json": false, "-j": false, "--shell": false },
  "config rm": { "--stack": true, "-s": true, "--path": false },
  // `npm run plan` asks which stack is selected (commands/lib/selectedStack.ts).
  stack: { "--stack": true, "-s": true, "--show-name": false, "--show-secrets": false },
  // ESC (docs/configuration.md): pkg/cmd/pulumi/config (config env add) and the esc CLI it embeds (env).
  "config env add": { "--yes": false, "-y": false, "--show-secrets": false },
  "env edit": { "--file": true, "-f": true },
  "env open": { "--format": true, "-f": true },
  config: { "--stack": true, "-s": true, "--show-secrets": false, "--json": false, "-j": false, "--open": false },
  "config set": { "--stack": true, "-s": true, "--secret": false, "--plaintext": false, "--path": false, "--type": true },
  // pkg/cmd/pulumi/config/config.go: --json takes what `pulumi config --json` prints, a whole list included.
  "config set-all": { "--stack": true, "-s": true, "--json": true, "--path": false, "--plaintext": true, "--secret": true },
  // pkg/cmd/pulumi/project/newcmd/new.go: a template's prompts, answered or given with --config.
  new: { "--name": true, "-n": true, "--stack": true, "-s": true, "--config": true, "-c": true, "--description": true, "-d": true, "--dir": true, "--yes": false, "-y": false, "--generate-only": false, "-g": false, "--secrets-provider": true, "--force": false, "-f": false },
  up: { "--stack": true, "-s": true, "--yes": false, "-y": false, "--skip-preview": false, "-f": false, "--policy-pack": true, "--replace": true, "--target": true, "--refresh": false, "-r": false, "--diff": false },
  preview: { "--stack": true, "-s": true, "--policy-pack": true, "--expect-no-changes": false, "--diff": false, "--json": false, "-j": false, "--refresh": false, "-r": false },
  destroy: { "--stack": true, "-s": true, "--yes": false, "-y": false, "--skip-preview": false, "-f": false, "--target": true },
  refresh: { "--stack": true, "-s": true, "--yes": false, "-y": false, "--skip-preview": false, "-f": false },
  // pkg/cmd/pulumi/packagecmd: package_add.go, package_gen_sdk.go, package_extract_schema.go.
  "package add": { "--language": true },
  "package gen-sdk": { "--language": true, "--out": true, "-o": true, "--version": true, "--local": false },
  "package get-schema": {},
  "plugin install": { "--file": true, "--reinstall": false },
  "stack export": { "--stack": true, "-s": true, "--file": true },
  // pkg/cmd/pulumi/install: what a consumer of the package runs after `package add`.
  install: { "--no-dependencies": false, "--no-plugins": false, "--parallel": true, "--reinstall": false, "--use-language-version-tools": false },
};
export const GLOBAL: Readonly<Record<string, boolean>> = { "--cwd": true, "-C": true, "--non-interactive": false, "--color": true };
