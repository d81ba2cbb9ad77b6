/**
 * Servers of the local cloud that are booted hosts: when OPENCLAW_VPS_HOSTS names a hosts
 * file (written by `npm run rehearse`), a server the hcloud or digitalocean stand-in creates
 * is a fresh copy of the rehearsal's Debian 12 image, booted with systemd-nspawn in the
 * rehearsal's server namespace (rehearsal/machine.sh), given exactly the user data the
 * provider was sent as its NoCloud seed; deleting the server powers the host off and removes
 * its disk. The rehearsal's network has one server address, so the cloud has room for one
 * server at a time: a second create while one exists is refused (the program replaces its
 * server delete-before-replace, so it never asks for two).
 */
import { spawn } from "child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";

export interface HostsConfig {
  /** The rehearsal's work directory (machine.sh's WORK). */
  readonly work: string;
  /** The rehearsal's run id (its namespaces' prefix). */
  readonly run: string;
  /** The built root filesystem every server starts from. */
  readonly image: string;
  /** The npm cache the host's first boot installs from (bound into the host). */
  readonly npmCache: string;
  /** rehearsal/machine.sh. */
  readonly machineScript: string;
  /** The server's addresses on the rehearsal's internet (machine.sh). */
  readonly ipv4: string;
  readonly ipv6: string;
}

/** A bound on copying the image and starting the host. */
const BOOT_TIMEOUT_SECONDS = 600;

export class Hosts {
  private constructor(readonly config: HostsConfig) {}

  static fromEnv(env: NodeJS.ProcessEnv): Hosts | undefined {
    const file = env.OPENCLAW_VPS_HOSTS;
    if (!file) return undefined;
    return new Hosts(JSON.parse(readFileSync(file, "utf8")) as HostsConfig);
  }

  /** Writes the hosts file the stand-ins read, and returns its path. */
  static write(config: HostsConfig): string {
    const file = join(config.work, "hosts.json");
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  private get currentFile(): string {
    return join(this.config.work, "servers", "current");
  }

  /** The server running now: its cloud id and its root filesystem, if any. */
  current(): { id: string; root: string } | undefined {
    if (!existsSync(this.currentFile)) return undefined;
    const id = readFileSync(this.currentFile, "utf8").trim();
    return { id, root: this.rootOf(id) };
  }

  rootOf(id: string): string {
    return join(this.config.work, "servers", id.replace(/[^A-Za-z0-9_-]/g, "_"), "root");
  }

  /** Boots a new host as server `id` with `userData` as its NoCloud seed: its addresses. */
  async boot(id: string, hostname: string, userData: string): Promise<{ ipv4: string; ipv6: string }> {
    const running = this.current();
    if (running) throw new Error(`the local cloud has room for one server, and server ${running.id} exists`);
    const root = this.rootOf(id);
    mkdirSync(join(root, ".."), { recursive: true });
    await run(["cp", "-a", "--reflink=auto", this.config.image, root], this.config.work);
    const seed = join(root, "var/lib/cloud/seed/nocloud");
    mkdirSync(seed, { recursive: true });
    writeFileSync(join(seed, "user-data"), userData);
    // A new instance id: cloud-init runs its first boot for each new server.
    writeFileSync(join(seed, "meta-data"), `instance-id: server-${id}\nlocal-hostname: ${hostname}\n`);
    writeFileSync(this.currentFile, id);
    await run(["bash", this.config.machineScript, "boot", this.config.work, this.config.run, root, this.config.npmCache], this.config.work);
    return { ipv4: this.config.ipv4, ipv6: this.config.ipv6 };
  }

  /** Powers server `id` off and removes its disk. */
  async remove(id: string): Promise<void> {
    const running = this.current();
    if (running?.id === id) {
      await run(["bash", this.config.machineScript, "stop", this.config.work], this.config.work);
      rmSync(this.currentFile, { force: true });
    }
    // Mounts the container left behind are gone with it (machine.sh stop waits for it).
    rmSync(join(this.rootOf(id), ".."), { recursive: true, force: true });
  }
}

/**
 * Runs a machine.sh command in a session of its own: the host it boots must outlive this
 * provider, whose whole process group the engine kills when a run ends.
 */
function run(argv: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), BOOT_TIMEOUT_SECONDS * 1000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${argv.slice(0, 3).join(" ")} … exited ${code}: ${out.trim().split("\n").slice(-10).join("\n")}`));
    });
  });
}
