/**
 * Properties over arbitrary valid configs on both clouds: the guarantees the product makes
 * must hold for every config a user can write, not only for the examples.
 */
import fc from "fast-check";
import { Evaluation, Registration } from "../commands/lib/mockRuntime";
import { CANARY, CANARY_OVERRIDES, configArb, detailsArb, shapeArb, toConfig } from "./helpers/arbitraries";
import { ofType, plaintextPart, run, unwrap } from "./helpers/stack";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 30);

function evaluateWithCanaries(config: Parameters<typeof run>[0]): Promise<Evaluation> {
  return run(config, { overrides: CANARY_OVERRIDES });
}

/** Whether JSON text holds a value (searched in its escaped form: canaries may contain newlines). */
function holds(json: string, value: string): boolean {
  return json.includes(JSON.stringify(value).slice(1, -1));
}

/** Where a canary appears in what a state file would hold in plain text. */
function leaks(ev: Evaluation, canaries: readonly string[]): string[] {
  const found: string[] = [];
  for (const r of ev.registrations) {
    const text = JSON.stringify(plaintextPart(r.inputs));
    for (const c of canaries) if (holds(text, c)) found.push(`${r.type} ${r.name} inputs hold ${c.slice(0, 24)}`);
  }
  for (const [key, out] of Object.entries(ev.outputs)) {
    if (out.secret) continue;
    const text = JSON.stringify(out.value);
    for (const c of canaries) if (holds(text, c)) found.push(`output ${key} holds ${c.slice(0, 24)}`);
  }
  return found;
}

function firewalls(ev: Evaluation): Registration[] {
  return ev.registrations.filter((r) => r.type === "hcloud:index/firewall:Firewall" || r.type === "digitalocean:index/firewall:Firewall");
}

function servers(ev: Evaluation): Registration[] {
  return ev.registrations.filter((r) => r.type === "hcloud:index/server:Server" || r.type === "digitalocean:index/droplet:Droplet");
}

describe("for every valid config", () => {
  it("no firewall has an inbound rule, and every server is created behind one", async () => {
    await fc.assert(
      fc.asyncProperty(configArb, async ({ shape, config }) => {
        const ev = await evaluateWithCanaries(config);
        expect(firewalls(ev)).toHaveLength(1);
        expect(servers(ev)).toHaveLength(1);
        const [fw] = firewalls(ev);
        const [server] = servers(ev);
        if (shape.cloud === "hetzner") {
          const rules = (fw.inputs.rules ?? []) as { direction?: string }[];
          expect(rules.filter((r) => r.direction !== "out")).toEqual([]);
          expect(server.inputs.firewallIds).toEqual([Number(fw.id)]);
        } else {
          expect(fw.inputs.inboundRules ?? []).toEqual([]);
          const fwTags = fw.inputs.tags as string[];
          expect((server.inputs.tags as string[]).some((t) => fwTags.includes(t))).toBe(true);
          // DigitalOcean denies what is not allowed in both directions: outbound must be explicit.
          const outbound = fw.inputs.outboundRules as { protocol: string; portRange?: string; destinationAddresses: string[] }[];
          for (const protocol of ["tcp", "udp", "icmp"]) {
            const rule = outbound.find((r) => r.protocol === protocol);
            expect(rule?.destinationAddresses).toEqual(["0.0.0.0/0", "::/0"]);
            if (protocol !== "icmp") expect(rule?.portRange).toBe("1-65535");
          }
        }
        // In place at creation: the server waits for the firewall.
        expect(server.dependencies).toContain(fw.urn);
      }),
      { numRuns: RUNS },
    );
  });

  it("no secret appears in any plain-text resource input or non-secret output", async () => {
    await fc.assert(
      fc.asyncProperty(configArb, async ({ shape, details, config }) => {
        const ev = await evaluateWithCanaries(config);
        const all = Object.values(CANARY);
        expect(leaks(ev, all)).toEqual([]);

        // The secrets in use do flow (as secrets): otherwise the search above proves nothing.
        const everything = JSON.stringify(ev.registrations.map((r) => unwrap(r.inputs))) + JSON.stringify(ev.outputs);
        const inUse = [CANARY.gatewayToken, CANARY.deployPrivateKey];
        if (shape.auth === "supplied") inUse.push(CANARY.tailscaleAuthKey);
        else inUse.push(CANARY.mintedKey, shape.auth === "apiKey" ? CANARY.tailscaleApiKey : CANARY.tailscaleOauthClientSecret);
        if (details.providerTokenInConfig) inUse.push(shape.cloud === "hetzner" ? CANARY.hcloudToken : CANARY.digitaloceanToken);
        if (details.telegram !== "off") inUse.push(CANARY.telegramBotToken);
        if (details.anthropic) inUse.push(CANARY.anthropicApiKey);
        if (details.openai) inUse.push(CANARY.openaiApiKey);
        for (const c of inUse) expect(holds(everything, c)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("resource names stay the same when values that do not decide a resource change", async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, detailsArb, detailsArb, async (shape, a, b) => {
        const names = (ev: Evaluation) => ev.registrations.map((r) => `${r.type}::${r.name}`).sort();
        const first = await run(toConfig(shape, a));
        const second = await run(toConfig(shape, b));
        expect(names(second)).toEqual(names(first));
      }),
      { numRuns: RUNS },
    );
  });

  it("registers exactly the same inputs twice for the same config (a no-op up changes nothing)", async () => {
    await fc.assert(
      fc.asyncProperty(configArb, async ({ config }) => {
        const snapshot = (ev: Evaluation) =>
          ev.registrations.map((r) => ({
            type: r.type,
            name: r.name,
            parent: r.parentUrn,
            inputs: r.inputs,
            protect: r.protect,
            ignoreChanges: r.ignoreChanges,
          }));
        const first = await evaluateWithCanaries(config);
        const second = await evaluateWithCanaries(config);
        expect(snapshot(second)).toEqual(snapshot(first));
        expect(second.outputs).toEqual(first.outputs);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the leak search itself", () => {
  it("finds a secret placed in a plain input or a plain output, and ignores it when secret", async () => {
    const ev = await evaluateWithCanaries(toConfig({ cloud: "hetzner", auth: "supplied" }, fc.sample(detailsArb, { numRuns: 1, seed: 7 })[0]));
    const server = ofType(ev, "hcloud:index/server:Server")[0];
    const leaky: Evaluation = {
      ...ev,
      registrations: [...ev.registrations, { ...server, name: "leaky", inputs: { userData: unwrap(server.inputs.userData) } }],
      outputs: {
        ...ev.outputs,
        token: { value: CANARY.gatewayToken, secret: false },
        key: { value: { nested: CANARY.deployPrivateKey }, secret: false },
      },
    };
    expect(leaks(ev, Object.values(CANARY))).toEqual([]);
    expect(leaks(leaky, Object.values(CANARY))).toEqual([
      `hcloud:index/server:Server leaky inputs hold ${CANARY.tailscaleAuthKey.slice(0, 24)}`,
      `output token holds ${CANARY.gatewayToken.slice(0, 24)}`,
      `output key holds ${CANARY.deployPrivateKey.slice(0, 24)}`,
    ]);
  });
});
