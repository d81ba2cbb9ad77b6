import * as pulumi from "@pulumi/pulumi";
import { DenyAllFirewall } from "../../components/firewall";
import { Server } from "../../components/server";
import { isSecretValue } from "../../commands/lib/mockRuntime";
import { digitaloceanTarget, evaluateComponents, hetzner } from "../helpers/component";
import { oneOfType } from "../helpers/stack";

function serverStack(target: () => ReturnType<typeof hetzner>, protect: boolean) {
  return evaluateComponents(() => {
    const t = target();
    const firewall = new DenyAllFirewall("fw", { target: t, labels: { stack: "unit" }, project: "openclaw-vps", stack: "unit" });
    const server = new Server("srv", {
      target: t,
      hostname: "claw",
      serverType: t.cloud === "hetzner" ? "cx33" : "s-4vcpu-8gb",
      location: t.cloud === "hetzner" ? "fsn1" : "ams3",
      backups: false,
      protect,
      firewall,
      sshKeyRef: "key-ref",
      userData: pulumi.secret("#cloud-config\n"),
      generation: "g1",
      labels: { stack: "unit" },
    });
    return { id: server.serverId, ip: server.publicIpv4 };
  });
}

describe("Server on Hetzner", () => {
  it("runs Ubuntu 24.04 behind the firewall from creation, with the deploy key and secret user data", async () => {
    const ev = await serverStack(hetzner, false);
    const fw = oneOfType(ev, "hcloud:index/firewall:Firewall");
    const s = oneOfType(ev, "hcloud:index/server:Server");
    expect(s.inputs).toMatchObject({
      name: "claw",
      serverType: "cx33",
      location: "fsn1",
      image: "ubuntu-24.04",
      backups: false,
      firewallIds: [Number(fw.id)],
      sshKeys: ["key-ref"],
      labels: { stack: "unit" },
      deleteProtection: false,
      rebuildProtection: false,
    });
    expect(isSecretValue(s.inputs.userData)).toBe(true);
    expect(s.dependencies).toContain(fw.urn);
    expect(s.ignoreChanges).toEqual(["userData"]);
    expect(s.deleteBeforeReplace).toBe(true);
    expect(s.protect).toBe(false);
    expect(ev.outputs.id.value).toBe(s.id);
    expect(ev.outputs.ip.value).toBe("203.0.113.10");
  });

  it("protects the server in Pulumi and in Hetzner when asked, with both protections equal", async () => {
    const s = oneOfType(await serverStack(hetzner, true), "hcloud:index/server:Server");
    expect(s.protect).toBe(true);
    expect(s.inputs.deleteProtection).toBe(true);
    expect(s.inputs.rebuildProtection).toBe(true);
  });
});

describe("Server on DigitalOcean", () => {
  it("carries the firewall's tag, the deploy key and secret user data", async () => {
    const ev = await serverStack(digitaloceanTarget, true);
    const fw = oneOfType(ev, "digitalocean:index/firewall:Firewall");
    const d = oneOfType(ev, "digitalocean:index/droplet:Droplet");
    expect(d.inputs).toMatchObject({
      name: "claw",
      size: "s-4vcpu-8gb",
      region: "ams3",
      image: "ubuntu-24-04-x64",
      backups: false,
      tags: ["openclaw-vps-unit-b1c7d955"],
      sshKeys: ["key-ref"],
    });
    expect(isSecretValue(d.inputs.userData)).toBe(true);
    expect(d.dependencies).toContain(fw.urn);
    expect(d.ignoreChanges).toEqual(["userData"]);
    expect(d.protect).toBe(true);
    expect(ev.outputs.ip.value).toBe("203.0.113.20");
  });

  it("refuses a firewall from the other cloud", async () => {
    await expect(
      evaluateComponents(() => {
        const firewall = new DenyAllFirewall("fw", { target: hetzner(), labels: {}, project: "openclaw-vps", stack: "unit" });
        new Server("srv", {
          target: digitaloceanTarget(),
          hostname: "claw",
          serverType: "s-2vcpu-4gb",
          location: "fra1",
          backups: true,
          protect: false,
          firewall,
          sshKeyRef: "k",
          userData: pulumi.secret(""),
          generation: "g1",
          labels: {},
        });
        return {};
      }),
    ).rejects.toThrow("firewall and server are on different clouds");
  });
});
