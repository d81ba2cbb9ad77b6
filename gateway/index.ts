/**
 * Everything the gateway needs on the server, rendered from typed settings: OpenClaw's
 * config, the systemd unit, the sandbox Dockerfile, the step scripts and the lock of each
 * OpenClaw release, plus the one bundle script that installs them (each file written only
 * when it differs).
 */
import { createHash } from "crypto";
import { BACKUP_TIMER, BACKUP_UNIT, CODER_PLUGIN_DIR, GATEWAY_UNIT, LIB_DIR, LOCKS_DIR, OFFSITE_UNIT, POSTURE_FILE, RENDERED_DIR, HEALTH_TIMER, HEALTH_UNIT, SELFCHECK_TIMER, SELFCHECK_UNIT } from "./paths";
import { LOCK_FILES, OPENCLAW_VERSIONS, readLockFile } from "./locks";
import { GatewaySettings, renderOpenclawJson } from "./openclawConfig";
import { renderPostureJson } from "./posture";
import { MANIFEST_FILE, renderManifest, renderManifestJson } from "./manifest";
import { renderHostStep } from "./hostStep";
import { hereDocument, putFunction } from "./bundle";
import { CODER_PLUGIN_FILES, readCoderPluginFile, readGatewayScript } from "./scripts";
import { EGRESS_SCRIPT, EGRESS_UNIT, GITHUB_HOSTS, PROXY_ALLOW, PROXY_CONF, PROXY_UNIT, renderEgressUnit, renderProxyAllow, renderProxyConf, renderProxyUnit } from "./coding";
import { renderSandboxDockerfile } from "./sandbox";
import {
  OPENCLAW_ENTRY,
  renderBackupService,
  renderBackupTimer,
  renderGatewayUnit,
  renderHealthService,
  renderHealthTimer,
  renderOffsiteService,
  renderSelfcheckService,
  renderSelfcheckTimer,
} from "./unit";

export { renderEnvFile, renderOpenclawJson, ENV_NAMES } from "./openclawConfig";
export type { GatewaySettings, CodingSettings } from "./openclawConfig";
export { sandboxImageTag } from "./sandbox";
export { posture, renderPostureJson } from "./posture";
export { renderManifest, MANIFEST_FILE } from "./manifest";

export interface GatewayFile {
  readonly artifact: string;
  readonly path: string;
  readonly mode: "0755" | "0644";
  readonly content: string;
}

export const STEP_SCRIPTS = {
  install: `${LIB_DIR}/install.sh`,
  sandbox: `${LIB_DIR}/sandbox.sh`,
  configure: `${LIB_DIR}/configure.sh`,
  verify: `${LIB_DIR}/verify.sh`,
  backup: `${LIB_DIR}/backup.sh`,
  restore: `${LIB_DIR}/restore.sh`,
  rollback: `${LIB_DIR}/rollback.sh`,
  judge: `${LIB_DIR}/judge.js`,
  selfcheck: `${LIB_DIR}/selfcheck.sh`,
  alert: `${LIB_DIR}/alert.js`,
  health: `${LIB_DIR}/health.js`,
  drift: `${LIB_DIR}/drift.js`,
  offsite: `${LIB_DIR}/offsite.sh`,
} as const;

/** A wrapper so operators can run `sudo -u openclaw openclaw …` with the installed version. */
function renderCliWrapper(): string {
  return ["#!/bin/sh", "# Runs the installed OpenClaw with the Node.js it was installed for.", `exec /usr/bin/node ${OPENCLAW_ENTRY} "$@"`, ""].join("\n");
}

export function gatewayFiles(settings: GatewaySettings): readonly GatewayFile[] {
  const files = renderedFiles(settings);
  // What the drift check compares the host with: every file above and the host's own.
  return [...files, { artifact: "manifest.json", path: MANIFEST_FILE, mode: "0644", content: renderManifestJson(files, settings.coding !== undefined) }];
}

function renderedFiles(settings: GatewaySettings): GatewayFile[] {
  const script = (name: string, path: string): GatewayFile => ({
    artifact: `scripts/gateway-${name}`,
    path,
    mode: "0755",
    content: readGatewayScript(name),
  });
  return [
    script("install.sh", STEP_SCRIPTS.install),
    script("sandbox.sh", STEP_SCRIPTS.sandbox),
    script("configure.sh", STEP_SCRIPTS.configure),
    script("verify.sh", STEP_SCRIPTS.verify),
    script("backup.sh", STEP_SCRIPTS.backup),
    script("restore.sh", STEP_SCRIPTS.restore),
    script("rollback.sh", STEP_SCRIPTS.rollback),
    script("judge.js", STEP_SCRIPTS.judge),
    script("selfcheck.sh", STEP_SCRIPTS.selfcheck),
    script("alert.js", STEP_SCRIPTS.alert),
    script("health.js", STEP_SCRIPTS.health),
    script("drift.js", STEP_SCRIPTS.drift),
    { artifact: "scripts/openclaw", path: "/usr/local/bin/openclaw", mode: "0755", content: renderCliWrapper() },
    { artifact: "openclaw.json", path: `${RENDERED_DIR}/openclaw.json`, mode: "0644", content: renderOpenclawJson(settings) },
    // What verify.sh asserts on the live config, from the same settings (gateway/posture.ts).
    { artifact: "posture.json", path: POSTURE_FILE, mode: "0644", content: renderPostureJson(settings) },
    { artifact: `systemd/${GATEWAY_UNIT}`, path: `/etc/systemd/system/${GATEWAY_UNIT}`, mode: "0644", content: renderGatewayUnit() },
    { artifact: `systemd/${BACKUP_UNIT}`, path: `/etc/systemd/system/${BACKUP_UNIT}`, mode: "0644", content: renderBackupService(settings.offsite === true) },
    { artifact: `systemd/${BACKUP_TIMER}`, path: `/etc/systemd/system/${BACKUP_TIMER}`, mode: "0644", content: renderBackupTimer() },
    { artifact: `systemd/${SELFCHECK_UNIT}`, path: `/etc/systemd/system/${SELFCHECK_UNIT}`, mode: "0644", content: renderSelfcheckService() },
    { artifact: `systemd/${SELFCHECK_TIMER}`, path: `/etc/systemd/system/${SELFCHECK_TIMER}`, mode: "0644", content: renderSelfcheckTimer() },
    { artifact: `systemd/${HEALTH_UNIT}`, path: `/etc/systemd/system/${HEALTH_UNIT}`, mode: "0644", content: renderHealthService() },
    { artifact: `systemd/${HEALTH_TIMER}`, path: `/etc/systemd/system/${HEALTH_TIMER}`, mode: "0644", content: renderHealthTimer() },
    { artifact: "sandbox/Dockerfile", path: `${RENDERED_DIR}/sandbox/Dockerfile`, mode: "0644", content: renderSandboxDockerfile(settings.coding !== undefined) },
    ...lockFiles(),
    ...(settings.coding ? codingFiles() : []),
    // Off-site backups: the script (which also restores a new server) and the upload's unit.
    ...(settings.offsite
      ? [script("offsite.sh", STEP_SCRIPTS.offsite), { artifact: `systemd/${OFFSITE_UNIT}`, path: `/etc/systemd/system/${OFFSITE_UNIT}`, mode: "0644" as const, content: renderOffsiteService() }]
      : []),
  ];
}

/**
 * The coder's files (docs/coding.md), only when coding is on: the plugin that gates its writes
 * to GitHub, its egress script and units, the proxy's settings and allowlist. With coding
 * off the bundle is as it was, so stacks without coding see no change.
 */
function codingFiles(): GatewayFile[] {
  return [
    ...CODER_PLUGIN_FILES.map((name): GatewayFile => ({
      artifact: `plugins/coder-gate/${name}`,
      path: `${CODER_PLUGIN_DIR}/${name}`,
      mode: "0644",
      content: readCoderPluginFile(name),
    })),
    { artifact: "scripts/coding-egress.sh", path: EGRESS_SCRIPT, mode: "0755", content: readGatewayScript("coding-egress.sh") },
    { artifact: "coding/proxy.conf", path: PROXY_CONF, mode: "0644", content: renderProxyConf() },
    { artifact: "coding/proxy-allow", path: PROXY_ALLOW, mode: "0644", content: renderProxyAllow(GITHUB_HOSTS) },
    { artifact: `systemd/${EGRESS_UNIT}`, path: `/etc/systemd/system/${EGRESS_UNIT}`, mode: "0644", content: renderEgressUnit() },
    { artifact: `systemd/${PROXY_UNIT}`, path: `/etc/systemd/system/${PROXY_UNIT}`, mode: "0644", content: renderProxyUnit() },
  ];
}

/**
 * Every release's lock, the tree install.sh runs `npm ci` from. All of them, not only the
 * configured one's: the bundle then does not depend on openclawVersion, so a version change
 * re-runs only the steps it affects. Over SSH with the other files, never in the user data:
 * each lock is ~140 KB, the user data's limit 32 KiB.
 */
function lockFiles(): GatewayFile[] {
  return OPENCLAW_VERSIONS.flatMap((version) =>
    LOCK_FILES.map((name): GatewayFile => ({
      artifact: `locks/${version}/${name}`,
      path: `${LOCKS_DIR}/${version}/${name}`,
      mode: "0644",
      content: readLockFile(version, name),
    })),
  );
}


/**
 * One script that installs every file from quoted here-documents (no expansion inside),
 * writing a file only when its content or mode differs, so a second run changes nothing.
 */
export function renderFilesBundle(files: readonly GatewayFile[]): string {
  const out = [
    "#!/bin/bash",
    "# Installs the gateway's rendered files. Each is written only when it differs; a change to",
    "# the unit or the config marks the gateway for a restart by the configure step.",
    "set -euo pipefail",
    "",
    "changed=0",
    "restart=0",
    ...putFunction("files", "restart=1"),
    "",
    "main() {",
  ];
  for (const f of files) {
    // The gateway loads the coder gate's code at start: a new version needs a restart too.
    const restart = f.path.endsWith(".service") || f.path.endsWith("openclaw.json") || f.path.startsWith(`${CODER_PLUGIN_DIR}/`) ? " restart" : "";
    out.push(...hereDocument(`put ${f.mode} ${f.path}${restart}`, f.path, f.content));
  }
  out.push(
    '  if [ "$restart" = 1 ]; then',
    "    install -d -m 0755 /var/lib/openclaw-vps",
    "    touch /var/lib/openclaw-vps/restart-needed",
    "  fi",
    "  systemctl daemon-reload",
    '  echo "files: $changed changed"',
    "}",
    "",
    'main "$@"',
    "",
  );
  return out.join("\n");
}

/** A short content hash, for triggers: a step re-runs exactly when what it applies changes. */
export function contentHash(...parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

/** Every gateway artifact by name, for `npm run plan -- --out` and the conformance checks. */
export function gatewayArtifacts(settings: GatewaySettings): Record<string, string> {
  const files = gatewayFiles(settings);
  const coding = settings.coding !== undefined;
  const out: Record<string, string> = {
    "scripts/gateway-files.sh": renderFilesBundle(files),
    // The host step's script (gateway/hostStep.ts), as the host step sends it.
    "scripts/host-step.sh": renderHostStep(renderManifest(files, coding), coding),
  };
  for (const f of files) out[f.artifact] = f.content;
  return out;
}
