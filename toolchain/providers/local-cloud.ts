/**
 * The local cloud the provider stand-ins manage: what exists, by resource type and id, kept
 * in one JSON file per provider package under OPENCLAW_VPS_LOCAL_CLOUD, so a test can count
 * what a `pulumi destroy` left. It refuses what the real APIs refuse:
 * - Hetzner: a firewall still applied to a server cannot be deleted (`resource_in_use`);
 *   a server with delete protection cannot be deleted (`protected`).
 * - DigitalOcean: a tag still on a droplet cannot be deleted.
 * Each provider plugin is one process, and the engine's calls to it run one at a time in
 * its event loop, so a read-modify-write of its own file is never interleaved.
 */
import * as fs from "fs";
import * as path from "path";
import { unwrap } from "../../commands/lib/mockRuntime";

type Inputs = Record<string, unknown>;

interface CloudFile {
  serial: number;
  resources: Record<string, Record<string, Inputs>>;
}

/** A refusal in the words of the real API. */
export class CloudRefusal extends Error {}

export class LocalCloud {
  private readonly file: string | undefined;

  constructor(dir: string | undefined, pkg: string) {
    this.file = dir === undefined ? undefined : path.join(dir, `${pkg}.json`);
  }

  private read(): CloudFile {
    if (this.file === undefined || !fs.existsSync(this.file)) return { serial: 0, resources: {} };
    return JSON.parse(fs.readFileSync(this.file, "utf8")) as CloudFile;
  }

  private write(data: CloudFile): void {
    if (this.file === undefined) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(`${this.file}.tmp`, JSON.stringify(data, null, 2));
    fs.renameSync(`${this.file}.tmp`, this.file);
  }

  /** A number no earlier creation had: the generation of what is created next. */
  nextSerial(): number {
    const data = this.read();
    data.serial += 1;
    this.write(data);
    return data.serial;
  }

  add(type: string, id: string, inputs: Inputs): void {
    const data = this.read();
    (data.resources[type] ??= {})[id] = unwrap(inputs) as Inputs;
    this.write(data);
  }

  replaceInputs(type: string, id: string, inputs: Inputs): void {
    const data = this.read();
    const existing = data.resources[type]?.[id];
    if (existing === undefined) throw new CloudRefusal(`${type} ${id} not found`);
    data.resources[type][id] = unwrap(inputs) as Inputs;
    this.write(data);
  }

  remove(type: string, id: string): void {
    const data = this.read();
    const existing = data.resources[type]?.[id];
    if (existing === undefined) throw new CloudRefusal(`${type} ${id} not found`);
    refuseDelete(data, type, id, existing);
    delete data.resources[type][id];
    this.write(data);
  }

  /** What exists now, by type: the count a destroy must bring to zero. */
  static counts(dir: string): Record<string, number> {
    const out: Record<string, number> = {};
    if (!fs.existsSync(dir)) return out;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".json"))) {
      const data = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as CloudFile;
      for (const [type, byId] of Object.entries(data.resources)) out[type] = Object.keys(byId).length;
    }
    return out;
  }
}

function refuseDelete(data: CloudFile, type: string, id: string, existing: Inputs): void {
  switch (type) {
    case "hcloud:index/firewall:Firewall": {
      const users = Object.entries(data.resources["hcloud:index/server:Server"] ?? {}).filter(([, s]) =>
        (Array.isArray(s.firewallIds) ? s.firewallIds : []).map(String).includes(id),
      );
      if (users.length > 0) throw new CloudRefusal(`firewall is still in use (resource_in_use): applied to server ${users.map(([sid]) => sid).join(", ")}`);
      return;
    }
    case "hcloud:index/server:Server":
      if (existing.deleteProtection === true) throw new CloudRefusal("server deletion is protected (protected): turn off delete protection first");
      return;
    case "digitalocean:index/tag:Tag": {
      const users = Object.values(data.resources["digitalocean:index/droplet:Droplet"] ?? {}).filter((d) => Array.isArray(d.tags) && d.tags.includes(existing.name));
      if (users.length > 0) throw new CloudRefusal(`tag ${String(existing.name)} is still on a droplet`);
      return;
    }
    default:
      return;
  }
}
