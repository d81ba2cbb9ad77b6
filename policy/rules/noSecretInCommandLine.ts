/**
 * Commands take secrets on stdin (remote) or in their local environment, never in a command
 * line: a command line shows up in process lists, logs and error messages. Remote commands
 * get no SSH environment either: it needs sshd's AcceptEnv and travels outside stdin.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";

/** What credentials this project handles look like. */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /tskey-[a-z]+-[A-Za-z0-9]+/,
  /sk-ant-[A-Za-z0-9_-]{8,}/,
  /\bsk-[A-Za-z0-9_-]{20,}/,
  /\d{5,}:[A-Za-z0-9_-]{30,}/,
  /\b[0-9a-f]{64}\b/,
  /dop_v1_[A-Za-z0-9]+/,
  /PRIVATE KEY/,
  /(TOKEN|API_KEY|SECRET)=\S/,
];

/** Properties that are meant to hold secrets, and that Pulumi keeps encrypted. */
const SECRET_FIELDS = new Set(["stdin", "connection.privateKey", "connection.password", "connection.privateKeyPassword"]);

/** Every string in a value, with the property path it was found at. */
function strings(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  }
  return out;
}

/** The text, and what its encoded runs decode to: base64, hex and percent-encoding. */
function decodings(text: string): string[] {
  const out = [text];
  for (const run of text.match(/[A-Za-z0-9+/_-]{24,}={0,2}/g) ?? []) {
    const decoded = Buffer.from(run.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
    if (/^[\x20-\x7e\n\r\t]+$/.test(decoded)) out.push(decoded);
  }
  for (const run of text.match(/(?:[0-9a-fA-F]{2}){16,}/g) ?? []) {
    const decoded = Buffer.from(run, "hex").toString("utf8");
    if (/^[\x20-\x7e\n\r\t]+$/.test(decoded)) out.push(decoded);
  }
  if (/%[0-9A-Fa-f]{2}/.test(text)) {
    try {
      out.push(decodeURIComponent(text));
    } catch {
      // not percent-encoding after all
    }
  }
  return out;
}

export const noSecretInCommandLine: ResourceValidationPolicy = {
  name: "no-secret-in-command-line",
  description: "Commands carry no secret outside stdin (and a local command's environment), in any form; remote ones have no SSH environment.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const remote = args.type === "command:remote:Command";
    if (!remote && args.type !== "command:local:Command") return;
    // A local command's environment stays on this machine: that is how its secrets travel.
    const allowed = (path: string) => SECRET_FIELDS.has(path) || (!remote && path.startsWith("environment."));
    for (const [path, text] of strings(args.props, "")) {
      if (allowed(path)) continue;
      const hit = decodings(text).map((t) => SECRET_PATTERNS.find((p) => p.test(t))).find((p) => p !== undefined);
      if (!hit) continue;
      const where = ["create", "update", "delete"].includes(path) ? `the ${path} command line` : path;
      reportViolation(`${where} looks like it holds a secret (${hit.source}); pass it on stdin`);
    }
    const env = args.props.environment as Record<string, unknown> | undefined;
    if (remote && env && Object.keys(env).length > 0) {
      reportViolation(`environment (${Object.keys(env).join(", ")}) is sent over SSH in the clear of any log; pass secrets on stdin`);
    }
  },
};
