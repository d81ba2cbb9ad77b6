import { PROJECT } from "../../config/keys";
import { isSecretValue, Registration } from "../../scripts/lib/mockRuntime";
import { minimalConfig, ofType, run } from "../helpers/stack";

const k = (key: string) => `${PROJECT}:${key}`;
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
    expect(wait.inputs.create).toBe("node scripts/wait-for-host.js openclaw.tail1234.ts.net 22 900");
    expect(wait.dependencies).toContain(server.urn);
    const order = ["ready", "files", "install", "configure", "verify"];
    for (let i = 1; i < order.length; i++) {
      expect(step(regs, order[i]).dependencies).toContain(step(regs, order[i - 1]).urn);
    }
    expect(step(regs, "sandbox").dependencies).toContain(step(regs, "files").urn);
    expect(step(regs, "configure").dependencies).toContain(step(regs, "sandbox").urn);
    for (const r of ofType(ev, "command:remote:Command")) {
      // The whole connection (it carries the deploy key) is secret in state.
      expect(isSecretValue(r.inputs.connection)).toBe(true);
      const conn = (r.inputs.connection as { value: Record<string, unknown> }).value;
      expect(conn).toMatchObject({ host: "openclaw.tail1234.ts.net", user: "ops", dialErrorLimit: 20, perDialTimeout: 30 });
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
    expect(await triggers({ [k("openclawVersion")]: "2026.9.7" }, "install")).not.toBe(await triggers({}, "install"));
    expect(await triggers({ [k("sandboxNetwork")]: "bridge" }, "install")).toBe(await triggers({}, "install"));
    expect(await triggers({ [k("sandboxNetwork")]: "bridge" }, "configure")).not.toBe(await triggers({}, "configure"));
    expect(await triggers({ [k("backups")]: "false" }, "configure")).toBe(await triggers({}, "configure"));
  });

  it("verifies on every run: the run id is a trigger and updates re-run the check", async () => {
    const a = step((await run(minimalConfig(), { runId: "one" })).registrations, "verify");
    const b = step((await run(minimalConfig(), { runId: "two" })).registrations, "verify");
    expect(a.inputs.triggers).not.toEqual(b.inputs.triggers);
    expect(a.inputs.update).toBe(a.inputs.create);
  });

  it("connects to the device's tailnet address when Tailscale API credentials exist", async () => {
    const ev = await run({ plain: { [k("tailnet")]: "tail1234.ts.net" }, secret: { "tailscale:apiKey": "tskey-api-x" } });
    const conn = (step(ev.registrations, "ready").inputs.connection as { value: Record<string, unknown> }).value;
    expect(conn.host).toBe("100.64.0.10");
  });
});
