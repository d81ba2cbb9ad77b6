import { CHAT_AGENT, CODER_AGENT, GatewaySettings, openclawConfig, renderEnvFile, renderOpenclawJson } from "../../gateway/openclawConfig";

const base: GatewaySettings = {
  tailnetHost: "claw.tail1234.ts.net",
  models: { anthropic: true, openai: false },
  sandboxImage: "openclaw-sandbox:coder-abc",
  sandboxNetwork: "none",
};

describe("openclawConfig", () => {
  it("binds to loopback with token auth from the environment, leaves Serve to the configure step, and exposes nothing else", () => {
    const c = openclawConfig(base);
    expect(c.gateway).toMatchObject({
      mode: "local",
      bind: "loopback",
      port: 18789,
      auth: { mode: "token", token: { source: "env", provider: "default", id: "OPENCLAW_GATEWAY_TOKEN" }, allowTailscale: false },
      // The configure step owns the Serve route; the gateway managing it too would fight it.
      tailscale: { mode: "off" },
      trustedProxies: ["127.0.0.1"],
      controlUi: { enabled: true, allowedOrigins: ["https://claw.tail1234.ts.net"] },
      terminal: { enabled: false },
    });
    expect(c.gateway.auth.rateLimit.exemptLoopback).toBe(false);
    expect(c.discovery.mdns.mode).toBe("off");
    expect(c.browser.enabled).toBe(false);
    expect(c.commands).toEqual({ config: false, bash: false });
    expect(c.tools.elevated.enabled).toBe(false);
    // Code Mode would run the model's JavaScript in the gateway's process, outside the sandbox.
    expect(c.tools.codeMode).toBe(false);
  });

  it("sandboxes every agent in Docker, read-only, without capabilities, as uid 1000", () => {
    const c = openclawConfig({ ...base, sandboxNetwork: "bridge" });
    expect(c.agents.defaults.sandbox).toEqual({
      mode: "all",
      scope: "agent",
      workspaceAccess: "none",
      docker: {
        image: "openclaw-sandbox:coder-abc",
        network: "bridge",
        readOnlyRoot: true,
        capDrop: ["ALL"],
        pidsLimit: 256,
        memory: "1g",
        user: "1000:1000",
      },
    });
    expect(c.agents.entries[CHAT_AGENT].tools.profile).toBe("messaging");
    expect(c.agents.entries[CHAT_AGENT].tools.deny).toEqual(expect.arrayContaining(["group:runtime", "group:fs", "group:automation"]));
    expect(c.agents.entries[CODER_AGENT]).toMatchObject({ sandbox: { mode: "all" }, tools: { profile: "coding" } });
    expect(c.agents.defaults.systemAgent.agentId).toBe(CHAT_AGENT);
  });

  it("leaves Telegram out entirely without a bot token, and never loads every plugin", () => {
    const c = openclawConfig(base);
    expect(c.channels).toBeUndefined();
    expect(c.bindings).toBeUndefined();
    expect(c.plugins.allow).toEqual(["memory-core"]);
  });

  it("turns Telegram on with the token by reference, groups off, the owner pre-approved, never a wildcard", () => {
    const c = openclawConfig({ ...base, telegram: { dmPolicy: "pairing", ownerId: "42" } });
    expect(c.channels?.telegram).toEqual({
      enabled: true,
      botToken: { source: "env", provider: "default", id: "TELEGRAM_BOT_TOKEN" },
      dmPolicy: "pairing",
      allowFrom: ["42"],
      groupPolicy: "disabled",
      configWrites: false,
    });
    expect(c.plugins.allow).toEqual(["telegram"]);
    expect(c.bindings).toEqual([expect.objectContaining({ agentId: CHAT_AGENT, match: { channel: "telegram", accountId: "*" } })]);
    const withoutOwner = openclawConfig({ ...base, telegram: { dmPolicy: "pairing" } });
    expect(withoutOwner.channels?.telegram.allowFrom).toBeUndefined();
  });

  it("picks the Anthropic model only when its key is set", () => {
    expect(openclawConfig(base).agents.defaults.model).toEqual({ primary: "anthropic/claude-sonnet-5" });
    expect(openclawConfig({ ...base, models: { anthropic: false, openai: true } }).agents.defaults.model).toBeUndefined();
  });

  it("renders deterministic JSON with sorted keys and no secret in it", () => {
    const text = renderOpenclawJson({ ...base, telegram: { dmPolicy: "allowlist", ownerId: "42" } });
    expect(text).toBe(renderOpenclawJson({ ...base, telegram: { dmPolicy: "allowlist", ownerId: "42" } }));
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual([...keys].sort());
    expect(text).not.toMatch(/sk-ant|tskey|\d{5,}:[A-Za-z0-9_-]{20,}/);
  });
});

describe("renderEnvFile", () => {
  it("writes one line per secret that is set, the gateway token first", () => {
    expect(renderEnvFile({ gatewayToken: "ab12", anthropicApiKey: "sk-ant-x", telegramBotToken: "1:AA" })).toBe(
      "OPENCLAW_GATEWAY_TOKEN=ab12\nTELEGRAM_BOT_TOKEN=1:AA\nANTHROPIC_API_KEY=sk-ant-x\n",
    );
  });

  it("refuses a value that would break the file, without showing it", () => {
    expect(() => renderEnvFile({ gatewayToken: "ab", openaiApiKey: "sk-1\nEVIL=1" })).toThrow("OPENAI_API_KEY: unexpected characters in the value");
  });

  it("requires the gateway token", () => {
    expect(() => renderEnvFile({ anthropicApiKey: "sk-ant-x" })).toThrow("the gateway token is required");
  });
});
