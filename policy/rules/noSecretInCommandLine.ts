/**
 * Commands take secrets on stdin (remote) or in their local environment, never in a command
 * line: a command line shows up in process lists, logs and error messages. Remote commands
 * get no SSH environment either: it needs sshd's AcceptEnv and travels outside stdin.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, keys, read } from "../known";

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
  // A credential handed to a command by its place, whatever it looks like: a Hetzner API token
  // is 64 letters and digits of both cases, which no shape above matches.
  /\bBearer\s+[A-Za-z0-9._~+/-]{20,}/i,
  /--(token|api-?key|password|secret)(=|\s+)['"]?[^\s'"]{16,}/i,
];

/** Properties that are meant to hold secrets, and that Pulumi keeps encrypted. */
const SECRET_FIELDS = new Set(["stdin", "connection.privateKey", "connection.password", "connection.privateKeyPassword"]);

/**
 * Every string in a value, with the property path it was found at. A value a preview does
 * not know yet is skipped, not read: reading it would stop the whole check, and `pulumi up`
 * checks it once known.
 */
function strings(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) strings(read(value, i), `${path}[${i}]`, out);
  } else if (value !== null && typeof value === "object") {
    for (const k of keys(value)) strings(read(value, k), path ? `${path}.${k}` : k, out);
  }
  return out;
}

/** The printable stretches of decoded bytes: an encoded run may begin or end amid other text. */
const printable = (decoded: string): string[] => decoded.match(/[\x20-\x7e\n\r\t]{6,}/g) ?? [];

/** What the encoded runs in a text decode to: base64 (either alphabet), hex, escapes, percent-encoding. */
function decodeOnce(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/[A-Za-z0-9+/_-]{12,}={0,2}/g) ?? []) {
    const standard = run.replace(/-/g, "+").replace(/_/g, "/");
    // A run may start mid-word (`/tmp/<base64>`, `--k=<hex>`): try every alignment.
    for (let i = 0; i < 4; i++) out.push(...printable(Buffer.from(standard.slice(i), "base64").toString("latin1")));
  }
  for (const run of text.match(/[0-9a-fA-F]{16,}/g) ?? []) {
    for (let i = 0; i < 2; i++) out.push(...printable(Buffer.from(run.slice(i), "hex").toString("latin1")));
  }
  const escape = /\\x([0-9a-fA-F]{2})|\\([0-7]{3})/g;
  if (escape.test(text)) {
    out.push(text.replace(escape, (_m, hex?: string, octal?: string) => String.fromCharCode(hex ? parseInt(hex, 16) : parseInt(octal ?? "0", 8))));
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

/** The text and all it decodes to, through up to three layers (base64 of base64, base64 of hex...). */
function decodings(text: string): string[] {
  const seen = new Set([text]);
  let layer = [text];
  for (let depth = 0; depth < 3 && layer.length > 0; depth++) {
    layer = layer.flatMap(decodeOnce).filter((d) => !seen.has(d));
    for (const d of layer) seen.add(d);
  }
  return [...seen];
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
    const env = read(args.props, "environment");
    const names = env === UNKNOWN ? ["not known yet"] : keys(env);
    if (remote && names.length > 0) {
      reportViolation(`environment (${names.join(", ")}) is sent over SSH in the clear of any log; pass secrets on stdin`);
    }
  },
};
