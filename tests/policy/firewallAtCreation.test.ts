/**
 * deny-all-firewall-at-creation on hand-written stacks: values are compared where known, and
 * where a preview does not know them (U), only a value coming from deny-all firewalls alone passes.
 */
import { PolicyResource } from "@pulumi/policy";
import { firewallAtCreation } from "../../policy/rules/firewallAtCreation";
import { UNKNOWN_VALUE as U, checkStack, stackResource as res } from "./harness";

const check = (...resources: PolicyResource[]) => checkStack(firewallAtCreation, resources);

describe("deny-all-firewall-at-creation on Hetzner", () => {
  const fw = (id: unknown, rules: unknown = [], name = "fw") => res("hcloud:index/firewall:Firewall", name, { id, rules });
  const server = (firewallIds: unknown, deps: PolicyResource[] = []) =>
    res("hcloud:index/server:Server", "s", firewallIds === undefined ? {} : { firewallIds }, { firewallIds: deps });

  it("passes a server whose firewallIds are the ids of deny-all firewalls of the stack", async () => {
    const a = fw("1001", [], "a");
    const b = fw("1002", [{ direction: "out", protocol: "tcp", port: "any" }], "b");
    expect(await check(a, b, server([1001, 1002], [a, b]))).toEqual([]);
  });

  it("passes a first preview: the id not known yet, coming from the deny-all firewall alone", async () => {
    const f = fw(U);
    expect(await check(f, server([U], [f]))).toEqual([]);
    expect(await check(f, server(U, [f]))).toEqual([]);
  });

  it("fails an id that is no firewall of the stack, even if the value depends on the firewall", async () => {
    const message = "firewallIds holds 999999, which is no firewall of this stack: every firewall the server is in must be a deny-all one of the stack";
    const created = fw("1001");
    const preview = fw(U);
    expect(await check(created, server([999999], [created]))).toEqual([message]);
    expect(await check(preview, server([999999], [preview]))).toEqual([message]);
    expect(await check(preview, server([U, 999999], [preview]))).toEqual([message]);
    expect(await check(created, server([1001, 999999], [created]))).toEqual([message]);
  });

  it("fails unknown ids that are not each a deny-all firewall still being created", async () => {
    const f = fw(U);
    expect(await check(f, server([U, U], [f]))).toEqual(["firewallIds has 2 ids not known yet, but only 1 deny-all firewall(s) they can be"]);
    expect(await check(f, server([U], []))).toEqual([
      "firewallIds is not known yet and comes from no deny-all firewall still being created: it cannot be shown to be one",
    ]);
    // The firewall exists already, so its id is known: an unknown value cannot be that id.
    const existing = fw("1001");
    expect(await check(existing, server([U], [existing]))).toEqual([
      "firewallIds is not known yet and comes from no deny-all firewall still being created: it cannot be shown to be one",
    ]);
    const n = res("random:index/randomInteger:RandomInteger", "n", { result: U });
    expect(await check(f, n, server([U], [f, n]))).toEqual([
      "firewallIds is not known yet and comes from RandomInteger n, not only from deny-all firewalls",
    ]);
  });

  it("fails a server without a firewall, or behind one that lets traffic in", async () => {
    const inbound = [{ direction: "in", port: "22" }];
    expect(await check(server(undefined))).toEqual(["the Hetzner server is not created with a firewall (firewallIds)"]);
    expect(await check(server([]))).toEqual(["the Hetzner server is not created with a firewall (firewallIds)"]);
    const open = fw("1001", inbound, "open");
    expect(await check(open, server([1001], [open]))).toEqual(["the Hetzner server's firewall open (id 1001) allows inbound traffic"]);
    const openPreview = fw(U, inbound, "open");
    expect(await check(openPreview, server([U], [openPreview]))).toEqual(["the Hetzner server's firewall open allows inbound traffic"]);
    // Rules a preview does not know count as open.
    const unsure = fw("1001", U);
    expect(await check(unsure, server([1001], [unsure]))).toEqual(["the Hetzner server's firewall fw (id 1001) allows inbound traffic"]);
  });
});

describe("deny-all-firewall-at-creation on DigitalOcean", () => {
  const tag = (name: unknown, id: unknown = name) => res("digitalocean:index/tag:Tag", "t", { name, id });
  const fw = (tags: unknown, deps: PolicyResource[], inboundRules: unknown = []) =>
    res("digitalocean:index/firewall:Firewall", "dofw", { inboundRules, tags }, { tags: deps });
  const droplet = (tags: unknown, deps: PolicyResource[] = []) =>
    res("digitalocean:index/droplet:Droplet", "d", tags === undefined ? {} : { tags }, { tags: deps });

  it("passes a droplet whose tags a deny-all firewall of the stack applies", async () => {
    const t = tag("openclaw-vps-prod-1a2b3c4d");
    expect(await check(t, fw([t.props.name], [t]), droplet([t.props.name], [t]))).toEqual([]);
  });

  it("passes a first preview: the random tag name not known yet, the droplet's tag coming from that Tag alone", async () => {
    const t = tag(U);
    expect(await check(t, fw([U], [t]), droplet([U], [t]))).toEqual([]);
    expect(await check(t, fw(U, [t]), droplet(U, [t]))).toEqual([]);
    // A known name, its id (the name again, once created) still unknown.
    const named = tag("x", U);
    expect(await check(named, fw([U], [named]), droplet([U], [named]))).toEqual([]);
  });

  it("fails a tag that differs from the firewall's, even if the value depends on the Tag", async () => {
    const message = 'the droplet\'s tag "other" is applied by no firewall of this stack: every tag it carries must be a deny-all firewall\'s';
    const t = tag("x");
    expect(await check(t, fw(["x"], [t]), droplet(["other"], [t]))).toEqual([message]);
    const preview = tag(U);
    expect(await check(preview, fw([U], [preview]), droplet(["other"], [preview]))).toEqual([message]);
    expect(await check(t, fw(["x"], [t]), droplet(["x", "other"], [t]))).toEqual([message]);
  });

  it("fails unknown tags that do not each come from a Tag a deny-all firewall applies", async () => {
    const t = tag(U);
    const stray = res("digitalocean:index/tag:Tag", "stray", { name: U, id: U });
    expect(await check(t, stray, fw([U], [t]), droplet([U], [stray]))).toEqual([
      "the droplet's tag from stray is applied by no firewall of this stack: every tag it carries must be a deny-all firewall's",
    ]);
    // A firewall whose tags are known applies those, whatever Tag it depends on.
    expect(await check(t, fw(["x"], [t]), droplet([U], [t]))).toEqual([
      "the droplet's tag from t is applied by no firewall of this stack: every tag it carries must be a deny-all firewall's",
    ]);
    expect(await check(t, fw([U], [t]), droplet([U, U], [t]))).toEqual(["the droplet has 2 tags not known yet, but only 1 tag resource(s) they can be"]);
    const suffix = res("random:index/randomId:RandomId", "suffix", { hex: U });
    expect(await check(t, suffix, fw([U], [t]), droplet([U], [t, suffix]))).toEqual([
      "the droplet's tags are not known yet and come from RandomId suffix, not only from tags of deny-all firewalls",
    ]);
    expect(await check(t, fw([U], [t]), droplet([U]))).toEqual([
      "the droplet's tags are not known yet and come from no tag: they cannot be shown to be a deny-all firewall's",
    ]);
  });

  it("fails a droplet without a tag, or tagged for a firewall that lets traffic in", async () => {
    const t = tag("x");
    expect(await check(t, droplet(undefined))).toEqual(["the droplet carries no tag of a cloud firewall"]);
    expect(await check(t, droplet(["x"], [t]))).toEqual([
      'the droplet\'s tag "x" is applied by no firewall of this stack: every tag it carries must be a deny-all firewall\'s',
    ]);
    const open = [{ protocol: "tcp", portRange: "22" }];
    expect(await check(t, fw(["x"], [t], open), droplet(["x"], [t]))).toEqual(['the droplet\'s firewall allows inbound traffic (through tag "x")']);
    expect(await check(t, fw(["x"], [t], U), droplet(["x"], [t]))).toEqual(['the droplet\'s firewall allows inbound traffic (through tag "x")']);
    const preview = tag(U);
    expect(await check(preview, fw([U], [preview], open), droplet([U], [preview]))).toEqual([
      "the droplet's firewall allows inbound traffic (through tag from t)",
    ]);
  });
});
