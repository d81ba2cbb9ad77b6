import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig } from "../../config";
import { Registration } from "../../scripts/lib/mockRuntime";
import { TEST_AUTH_KEY, minimalConfig, run } from "../helpers/stack";

async function failure(promise: Promise<unknown>): Promise<Error & { registrations: Registration[] }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { registrations: Registration[] };
  }
  throw new Error("expected the evaluation to fail");
}

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
        "hcloud:token": "hcloud-token-value",
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
