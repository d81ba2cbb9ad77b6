import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig } from "../../config";
import { Evaluation, Registration } from "../../commands/lib/mockRuntime";
import { TEST_AUTH_KEY, TestConfig, minimalConfig, run } from "../helpers/stack";

const BOT_TOKEN = "123456789:AAHfake-token_abcdefghijklmnopqrstuvw";

/** A real RSA-4096 public key (generated for this test; no private half is kept). */
const RSA_4096 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAACAQCt1x0MOF41NoN0luM1kDWDbNUM2ceJQaROR5eP8VUVaDKImVdqOIYn/fhJZ2+fPU5DUmV4hlmn7PI2dpc1Pyd9tcgyDpclq/aEAzHai8ztPtJuVe40L85npBjvi735yPDY2FRTRrX2a/odnuHgBM1fQ4jQ47sIT1oT+FTELo0C8ukW6jhn5oMwxCk4P/dMpjp3Z4H+MJ8Cvki4gDE29Jk6sDnUy4SqwYh7UfiOCd7OT9K0Ky/9dy68dqaKf2yBY1H7moJpxxlfPr+fsp2f9tattOMO3RYvRmA/rK79kw+MP9K0ZNF+DVMwRdUshv8FP24E8ukK4MEnf+VpN0BjonYIgUeBtq5ssQJ9axqfsJ4csMpialBXKNshtEav6XZaZmwOyxLwXhY6b0UCeKKSrp3J3ImpBTiYDSrYcC73pgoO4eQ/2Ln4ozAysk5InGNbXPADRCuxbQvART1GLL2HMI3QsRMX23uiaGH4jhuumxtZ74djB9RFJtjg0EyXki3VOpkOKdVxhBHn605D/idoavZGaMcmmsia4cYMO/y8N14RQlhEGWTtMFARy1NU+EFA5LaIdgL5D8fj29EjKRMHTR71OjWbXvycRrVykI6Yya9TFHWq93ffxZf7DsziZnUG/xQaz/xA5vH1bm4pzXHp1CMh8pwNLRzQWTqN1wZzZx6gDQ==";

async function failure(promise: Promise<unknown>): Promise<Error & { registrations: Registration[] }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { registrations: Registration[] };
  }
  throw new Error("expected the evaluation to fail");
}

/** The same stack config with the project's own keys under another project's name. */
function renamed(config: TestConfig, project: string): TestConfig {
  const move = (values: Readonly<Record<string, string>> = {}) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k.replace(/^openclaw-vps:/, `${project}:`), v]));
  return { plain: move(config.plain), secret: move(config.secret) };
}

describe("a project renamed by pulumi new (its keys under its own name)", () => {
  const summary = (ev: Evaluation) => ev.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => `${r.type} ${r.name}`).sort();
  const output = (ev: Evaluation, name: string) => (ev.outputs[name] as { value: unknown }).value;

  it("builds the same deployment as the shipped project from the same values", async () => {
    const config = minimalConfig({ plain: { "openclaw-vps:hostname": "claw", "openclaw-vps:telegramOwnerId": "123456" }, secret: { "openclaw-vps:telegramBotToken": BOT_TOKEN } });
    const shipped = await run(config);
    const mine = await run(renamed(config, "my-claw"), { project: "my-claw" });
    expect(summary(mine)).toEqual(summary(shipped));
    // The values were read: the hostname and the bot token reached the server's files.
    expect(output(mine, "tailnetHost")).toBe("claw.tail1234.ts.net");
    expect(output(mine, "telegramPairing")).toMatchObject({ enabled: true });
  });

  it("names every problem by the project's own keys", async () => {
    const err = await failure(run({ plain: { "my-claw:cloud": "aws", "my-claw:tailnet": "t.ts.net" } }, { project: "my-claw" }));
    expect(err).toBeInstanceOf(ConfigError);
    const lines = err.message.split("\n");
    expect(lines[1]).toBe('my-claw:cloud: given "aws"; expected one of hetzner, digitalocean');
    expect(lines[2]).toMatch(/^my-claw:tailscaleAuthKey: given \(not set\); expected a way to join the tailnet: .*pulumi config set --secret my-claw:tailscaleAuthKey tskey-auth-/);
    expect(err.message).not.toContain("openclaw-vps:");
    expect(err.registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("refuses a plain-text secret in the project's own key", async () => {
    const err = await failure(run({ plain: { "my-claw:tailnet": "t.ts.net", "my-claw:tailscaleAuthKey": TEST_AUTH_KEY } }, { project: "my-claw" }));
    expect(err.message).toContain("my-claw:tailscaleAuthKey");
    expect(err.message).toContain("pulumi config set --secret my-claw:tailscaleAuthKey");
    expect(err.message).not.toContain(TEST_AUTH_KEY);
  });

  it("refuses keys left under openclaw-vps:, naming the key the program reads", async () => {
    const config = renamed(minimalConfig(), "my-claw");
    const err = await failure(run({ ...config, plain: { ...config.plain, "openclaw-vps:hostname": "claw" } }, { project: "my-claw" }));
    expect(err.message).toBe(
      "invalid stack configuration (1 problem):\n" +
        "openclaw-vps:hostname: given a key in the namespace openclaw-vps; expected my-claw:hostname: this project is named my-claw (Pulumi.yaml), " +
        "and the CLI keeps a project's own keys under its name (pulumi config set hostname ... writes it)",
    );
  });

  it("keeps the shipped project's stacks reading openclaw-vps: keys", async () => {
    const ev = await run(minimalConfig({ plain: { "openclaw-vps:hostname": "claw" } }));
    expect(output(ev, "tailnetHost")).toBe("claw.tail1234.ts.net");
  });
});

describe("loadConfig inside a Pulumi program", () => {
  it("refuses invalid config before registering any resource", async () => {
    const err = await failure(run({ plain: { "openclaw-vps:cloud": "aws", "openclaw-vps:tailnet": "t.ts.net" } }));
    expect(err).toBeInstanceOf(ConfigError);
    const lines = err.message.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("invalid stack configuration (2 problems):");
    expect(lines[1]).toBe('openclaw-vps:cloud: given "aws"; expected one of hetzner, digitalocean');
    expect(lines[2]).toMatch(/^openclaw-vps:tailscaleAuthKey: given \(not set\); expected a way to join the tailnet: /);
    // runInPulumiStack registers the stack itself; the program must register nothing.
    expect(err.registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("refuses operator keys that would make the user data too large, before registering anything", async () => {
    // 30 RSA-4096 keys: each line is 700-odd bytes; the document would pass 32 KiB.
    const keys = Array.from({ length: 30 }, () => RSA_4096);
    const err = await failure(run(minimalConfig({ plain: { "openclaw-vps:operatorSshKeys": JSON.stringify(keys) } })));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(
      /^invalid stack configuration \(1 problem\):\nopenclaw-vps:operatorSshKeys: given 30 keys, making the user data up to \d+ bytes; expected keys that keep the user data within 32768 bytes/,
    );
    expect(err.registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
    // Twenty fit.
    const ok = await run(minimalConfig({ plain: { "openclaw-vps:operatorSshKeys": JSON.stringify(keys.slice(0, 20)) } }));
    expect(ok.registrations.length).toBeGreaterThan(10);
  });

  it("is a RunError, so Pulumi prints the message without a stack trace", async () => {
    const err = await failure(run({ plain: { "openclaw-vps:tailnet": "t.ts.net" } }));
    expect(pulumi.RunError.isInstance(err)).toBe(true);
  });

  it("returns secrets as secret outputs and provider credentials likewise", async () => {
    await pulumi.runtime.setMocks(
      { newResource: () => ({ id: "x", state: {} }), call: () => { throw new Error("no invokes"); } },
      "openclaw-vps",
      "test",
    );
    pulumi.runtime.setAllConfig(
      {
        "openclaw-vps:tailnet": "tail1234.ts.net",
        "openclaw-vps:tailscaleAuthKey": TEST_AUTH_KEY,
        "openclaw-vps:telegramBotToken": "123456789:AAHfake-token_abcdefghijklmnopqrstuvw",
        "hcloud:token": "hcloudTokenValue".padEnd(64, "0"),
      },
      ["openclaw-vps:tailscaleAuthKey", "openclaw-vps:telegramBotToken", "hcloud:token"],
    );
    const cfg = loadConfig({});
    expect(cfg.project).toBe("openclaw-vps");
    expect(cfg.stack).toBe("test");
    expect(Object.keys(cfg.secrets).sort()).toEqual(["tailscaleAuthKey", "telegramBotToken"]);
    for (const secret of [cfg.secrets.tailscaleAuthKey, cfg.secrets.telegramBotToken, cfg.providerCredentials.hcloudToken]) {
      expect(secret).toBeDefined();
      expect(await pulumi.isSecret(secret as pulumi.Output<string>)).toBe(true);
    }
    expect(cfg.providerCredentials.digitaloceanToken).toBeUndefined();
  });

  it("mints the Tailscale key when the environment carries API credentials", async () => {
    const ev = await run({ plain: { "openclaw-vps:tailnet": "t.ts.net" } }, { env: { TAILSCALE_API_KEY: "tskey-api-x" } });
    expect(ev.registrations.some((r) => r.type === "tailscale:index/tailnetKey:TailnetKey")).toBe(true);
  });

  it("evaluates the minimal config", async () => {
    const ev = await run(minimalConfig());
    expect(ev.outputs.cloud.value).toBe("hetzner");
  });
});
