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

export const noSecretInCommandLine: ResourceValidationPolicy = {
  name: "no-secret-in-command-line",
  description: "Commands carry no secret in their command lines; remote ones have no SSH environment.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const remote = args.type === "command:remote:Command";
    if (!remote && args.type !== "command:local:Command") return;
    for (const field of ["create", "update", "delete"]) {
      const text = args.props[field] as unknown;
      if (typeof text !== "string") continue;
      const hit = SECRET_PATTERNS.find((p) => p.test(text));
      if (hit) reportViolation(`the ${field} command line looks like it holds a secret (${hit.source}); pass it on stdin`);
    }
    const env = args.props.environment as Record<string, unknown> | undefined;
    if (remote && env && Object.keys(env).length > 0) {
      reportViolation(`environment (${Object.keys(env).join(", ")}) is sent over SSH in the clear of any log; pass secrets on stdin`);
    }
  },
};
