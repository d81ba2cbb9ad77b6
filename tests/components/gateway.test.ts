import { PROJECT_NAME } from "../../config/keys";
import { isSecretValue, Registration } from "../../commands/lib/mockRuntime";
import { parse } from "yaml";
import { minimalConfig, ofType, run, unwrap } from "../helpers/stack";
import { verificationSummary } from "../../components/gateway";
import { firstBootWait } from "../../components/firstBoot";

const k = (key: string) => `${PROJECT_NAME}:${key}`;
const step = (regs: readonly Registration[], name: string) => {
  const r = regs.find((x) => x.name === `openclaw-gateway-${name}`);
  if (!r) throw new Error(`no step ${name}`);
  return r;
};

describe("OpenClawGateway steps", () => {
  it("run in order over SSH as the admin user, after the server exists and a local wait", async () => {
    const ev = await run(minimalConfig({ secret: { [k("telegramBotToken")]: "123456789:AAHfake-token_abcdefghijklmnopqrstuvw" } }));
    const regs = [...ofType(ev, "command:remote:Command"), ...ofType(ev, "command:local:Command")];
    const server = ofType(ev, "hcloud:index/server:Server")[0];
    const wait = step(regs, "wait");
    expect(wait.type).toBe("command:local:Command");
    // The host key this stack generated, which cloud-init installs and every step pins.
    const hostKey = String((parse(ev.artifacts["cloud-init.yaml"]) as { ssh_keys: { ed25519_public: string } }).ssh_keys.ed25519_public);
    expect(ev.outputs.sshHostKey.value).toBe(hostKey);
    expect(hostKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/]+=*$/);
    expect(wait.inputs.create).toBe(`node components/local/wait-for-host.js openclaw.tail1234.ts.net 22 900 '${hostKey}'`);
    expect(wait.dependencies).toContain(server.urn);
    // Five sequential SSH steps: files (after first boot), host, install ∥ sandbox, configure, verify.
    expect(ofType(ev, "command:remote:Command").map((r) => r.name.replace("openclaw-gateway-", "")).sort()).toEqual(["configure", "files", "host", "install", "sandbox", "verify"]);
    // The files step waits for first boot with progress lines (tests/components/firstBoot.test.ts
    // runs this very text), keeps the check that decides, then installs the bundle from stdin.
    const filesCreate = String(step(regs, "files").inputs.create);
    expect(filesCreate).toBe(`${firstBootWait()} sudo bash -s`);
    expect(filesCreate).toMatch(/^started=\$\(date \+%s\); .* sleep 5; done; if ! sudo cloud-init status --wait --long >\/dev\/null; then .* test -f \/var\/lib\/openclaw-vps\/bootstrap-complete .* sudo bash -s$/);
    // Every step runs again on a new server: the server's id is in each one's triggers.
    for (const r of regs.filter((x) => x.name.startsWith("openclaw-gateway-"))) {
      expect((unwrap(r.inputs.triggers) as unknown[])[0]).toBe(server.id);
    }
    const order = ["wait", "files", "host", "install", "configure", "verify"];
    for (let i = 1; i < order.length; i++) {
      expect(step(regs, order[i]).dependencies).toContain(step(regs, order[i - 1]).urn);
    }
    expect(step(regs, "sandbox").dependencies).toContain(step(regs, "host").urn);
    expect(step(regs, "configure").dependencies).toContain(step(regs, "sandbox").urn);
    for (const r of ofType(ev, "command:remote:Command")) {
      // The whole connection (it carries the deploy key) is secret in state.
      expect(isSecretValue(r.inputs.connection)).toBe(true);
      const conn = (r.inputs.connection as { value: Record<string, unknown> }).value;
      expect(conn).toMatchObject({ host: "openclaw.tail1234.ts.net", user: "ops", dialErrorLimit: 20, perDialTimeout: 30, hostKey });
      expect(r.inputs.addPreviousOutputInEnv).toBe(false);
      expect(r.inputs.environment).toBeUndefined();
    }
  });

  it("sends secrets on stdin only: the configure step's stdin is secret, every command line is plain text", async () => {
    const ev = await run(minimalConfig({ secret: { [k("anthropicApiKey")]: "sk-ant-secretvalue-123456" } }), {
      overrides: { "random:index/randomBytes:RandomBytes": { hex: "ab".repeat(32) } },
    });
    const configure = step(ev.registrations, "configure");
    expect(isSecretValue(configure.inputs.stdin)).toBe(true);
    const env = (configure.inputs.stdin as { value: string }).value;
    expect(env).toBe(`OPENCLAW_GATEWAY_TOKEN=${"ab".repeat(32)}\nANTHROPIC_API_KEY=sk-ant-secretvalue-123456\n`);
    expect(configure.inputs.create).toBe("sudo /usr/local/lib/openclaw-vps/configure.sh openclaw");
    for (const r of ofType(ev, "command:remote:Command")) {
      expect(isSecretValue(r.inputs.create)).toBe(false);
      expect(String(r.inputs.create)).not.toMatch(/abab|sk-ant|tskey/);
    }
  });

  it("re-runs a step exactly when what it applies changes", async () => {
    const triggers = async (extra: Record<string, string>, name: string) =>
      JSON.stringify(step((await run(minimalConfig({ plain: extra }))).registrations, name).inputs.triggers);
    expect(await triggers({ [k("openclawVersion")]: "2026.9.5" }, "install")).not.toBe(await triggers({}, "install"));
    expect(await triggers({ [k("sandboxNetwork")]: "bridge" }, "install")).toBe(await triggers({}, "install"));
    expect(await triggers({ [k("sandboxNetwork")]: "bridge" }, "configure")).not.toBe(await triggers({}, "configure"));
    expect(await triggers({ [k("backups")]: "false" }, "configure")).toBe(await triggers({}, "configure"));
  });

  it("verification re-runs when anything an earlier step applies changes, and only then", async () => {
    const verifyTriggers = async (plain: Record<string, string>) => JSON.stringify(unwrap(step((await run(minimalConfig({ plain }))).registrations, "verify").inputs.triggers));
    const base = await verifyTriggers({});
    expect(await verifyTriggers({})).toBe(base);
    for (const change of [{ [k("openclawVersion")]: "2026.9.5" }, { [k("sandboxNetwork")]: "bridge" }, { [k("gatewayTokenVersion")]: "2" }]) {
      expect(await verifyTriggers(change)).not.toBe(base);
    }
    const v = step((await run(minimalConfig())).registrations, "verify");
    expect(v.inputs.update).toBe(v.inputs.create);
  });

  it("connects to the device's tailnet address when Tailscale API credentials exist", async () => {
    const ev = await run({ plain: { [k("tailnet")]: "tail1234.ts.net" }, secret: { "tailscale:apiKey": "tskey-api-x" } });
    const conn = (step(ev.registrations, "files").inputs.connection as { value: Record<string, unknown> }).value;
    expect(conn.host).toBe("100.64.0.10");
  });
});

describe("verificationSummary", () => {
  it("is the object on the step's last line", () => {
    const line = JSON.stringify({ ok: true, openclaw: "OpenClaw 2026.9.6", audit: { critical: 0, warn: 0, info: 1 }, listeners: [], ufw: "", serve: "", modes: "", telegram: "", problems: [] });
    expect(verificationSummary(`some note\n${line}\n`)).toEqual(JSON.parse(line));
  });

  it.each([["no JSON at all"], ["[1,2]"], ['{"audit":{}}'], [""]])("reports %j as not ok, naming what was printed", (printed) => {
    const summary = verificationSummary(printed);
    expect(summary.ok).toBe(false);
    expect(summary.problems).toEqual([`the verification step printed no summary; its last line: ${JSON.stringify(printed)}`]);
  });
});
