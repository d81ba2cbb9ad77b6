import { DenyAllFirewall } from "../../components/firewall";
import { digitaloceanTarget, evaluateComponents, hetzner } from "../helpers/component";
import { oneOfType } from "../helpers/stack";

describe("DenyAllFirewall on Hetzner", () => {
  it("is a Hetzner firewall with zero rules, labelled, under the component", async () => {
    const ev = await evaluateComponents(() => {
      const fw = new DenyAllFirewall("fw", { target: hetzner(), labels: { stack: "unit" }, project: "openclaw-vps", stack: "unit" });
      return { id: fw.attachment.cloud === "hetzner" ? fw.attachment.firewallId : "" };
    });
    const component = oneOfType(ev, "openclaw-vps:network:DenyAllFirewall");
    const fw = oneOfType(ev, "hcloud:index/firewall:Firewall");
    expect(fw.inputs.rules).toEqual([]);
    expect(fw.inputs.labels).toEqual({ stack: "unit" });
    expect(fw.parentUrn).toBe(component.urn);
    expect(fw.provider).toMatch(/pulumi:providers:hcloud::hcloud::/);
    // hcloud ids travel as numbers: a server's firewallIds would be null otherwise.
    expect(ev.outputs.id.value).toBe(Number(fw.id));
    expect(ofDigitalOcean(ev)).toHaveLength(0);
  });
});

function ofDigitalOcean(ev: Awaited<ReturnType<typeof evaluateComponents>>) {
  return ev.registrations.filter((r) => r.type.startsWith("digitalocean:index/"));
}

describe("DenyAllFirewall on DigitalOcean", () => {
  it("has no inbound rule, allows all outbound explicitly, and binds by tag", async () => {
    const ev = await evaluateComponents(() => {
      const fw = new DenyAllFirewall("fw", { target: digitaloceanTarget(), labels: {}, project: "openclaw-vps", stack: "unit" });
      return { tag: fw.attachment.cloud === "digitalocean" ? fw.attachment.tag : "" };
    });
    const tag = oneOfType(ev, "digitalocean:index/tag:Tag");
    const fw = oneOfType(ev, "digitalocean:index/firewall:Firewall");
    // The deployment's own random suffix: unique in the account, stable in state.
    expect(tag.inputs.name).toBe("openclaw-vps-unit-b1c7d955");
    expect(fw.inputs.inboundRules).toEqual([]);
    expect(fw.inputs.tags).toEqual(["openclaw-vps-unit-b1c7d955"]);
    expect(fw.dependencies).toContain(tag.urn);
    expect(ev.outputs.tag.value).toBe("openclaw-vps-unit-b1c7d955");
    // DigitalOcean blocks whatever is not allowed in both directions: all outbound must be listed.
    expect(fw.inputs.outboundRules).toEqual([
      { protocol: "tcp", portRange: "1-65535", destinationAddresses: ["0.0.0.0/0", "::/0"] },
      { protocol: "udp", portRange: "1-65535", destinationAddresses: ["0.0.0.0/0", "::/0"] },
      { protocol: "icmp", destinationAddresses: ["0.0.0.0/0", "::/0"] },
    ]);
  });
});
