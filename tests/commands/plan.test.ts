/**
 * `npm run plan` end to end, as a user runs it: stack files in, text and exit codes out. The
 * process itself (its exit code, stdout into a pipe, no stack trace on stderr) is run as a
 * separate process where that is what is asserted; the other cases run the same command in
 * this process (`planHere`), which spares a Node.js and TypeScript start each.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "fs";
import { join } from "path";
import { hostFiles } from "../../cloud-init";
import { gatewayFiles } from "../../gateway";
import { execFile } from "child_process";
import { ROOT, plan, planHere, tempDir } from "../helpers/planCli";
import { limitMs } from "../limits";

const tmp = () => tempDir("plan-test-");

function stackFile(content: string): string {
  const path = join(tmp(), "Pulumi.test.yaml");
  writeFileSync(path, content);
  return path;
}

describe("npm run plan", () => {
  it("prints every resource with the facts that matter, and hides secrets", async () => {
    const r = await plan("--config", "examples/hetzner.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hcloud:index\/firewall:Firewall\s+openclaw-firewall-hcloud\s+openclaw-firewall/);
    expect(r.stdout).toContain("rules: none (all inbound dropped, all outbound allowed)");
    expect(r.stdout).toContain("firewalls at creation: openclaw-firewall-hcloud");
    expect(r.stdout).toContain("type cx23 in nbg1, image ubuntu-24.04");
    expect(r.stdout).toContain("user data: secret");
    // What rebuilds the server, and what does not.
    expect(r.stdout).toContain("changes ignored after creation: userData");
    const generation = /server generation ([0-9a-f]{16}); a new one rebuilds the server \(refused while protect is on\)/.exec(r.stdout)?.[1];
    expect(generation).toBeDefined();
    expect(r.stdout).toContain(`replaced when its trigger changes: ${generation ?? "?"}`);
    expect(r.stdout).toContain("openclaw-vps:tailscaleAuthKey is encrypted; the plan uses an obviously fake placeholder");
    expect(r.stdout).toMatch(/gatewayToken\s+\[secret\]/);
    expect(r.stdout).toMatch(/gatewayUrl\s+https:\/\/openclaw\.tail1234\.ts\.net\//);
    expect(r.stdout).not.toContain("PLANPLACEHOLDER");
  });

  it("shows DigitalOcean's outbound rules and the tag that binds the firewall", async () => {
    const r = await planHere("--config", "examples/digitalocean.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("inbound rules: none (all inbound dropped)");
    expect(r.stdout).toContain("outbound: allow tcp 1-65535 to 0.0.0.0/0, ::/0");
    expect(r.stdout).toContain("tags (firewall binding): openclaw-firewall-tag (openclaw-vps-prod-23509f58)");
    expect(r.stdout).toMatch(/tailscale:index\/tailnetKey:TailnetKey\s+openclaw-tailscale-minted/);
  });

  it("--json prints one document with every secret as [secret]", async () => {
    const r = await planHere("--config", "examples/hetzner.yaml", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      resources: { type: string; name: string; parent: string | null; inputs: Record<string, unknown> }[];
      outputs: Record<string, unknown>;
    };
    const server = doc.resources.find((x) => x.type === "hcloud:index/server:Server");
    expect(server?.inputs.userData).toBe("[secret]");
    expect(server?.parent).toMatch(/openclaw-vps:compute:Server::openclaw-server$/);
    expect(server?.inputs.firewallIds).toEqual([expect.any(Number)]);
    expect(doc.resources.find((x) => x.type === "pulumi:providers:hcloud")?.inputs.token).toBe("[secret]");
    expect(doc.outputs).toMatchObject({
      cloud: "hetzner",
      gatewayToken: "[secret]",
      gatewayUrlWithToken: "[secret]",
      deployPrivateKey: "[secret]",
      tailnetHost: "openclaw.tail1234.ts.net",
    });
    for (const x of doc.resources) expect(Object.keys(x).sort()).toEqual(["dependsOn", "inputs", "name", "parent", "type", "urn"]);
    expect(r.stdout).not.toMatch(/PLANPLACEHOLDER|MOCKMINTED|PRIVATE KEY/);
    // The order of the deployment, as edges: the server waits for its firewall and keys, each
    // step for the one before it.
    const after = (name: string) => (doc.resources.find((x) => x.name === name) as unknown as { dependsOn: string[] }).dependsOn;
    expect(after("openclaw-server-hcloud")).toEqual(expect.arrayContaining(["openclaw-firewall-hcloud", "openclaw-deploy-hcloud", "openclaw-host-key-key"]));
    expect(after("openclaw-gateway-files")).toContain("openclaw-gateway-wait");
    expect(after("openclaw-gateway-configure")).toEqual(expect.arrayContaining(["openclaw-gateway-install", "openclaw-gateway-sandbox"]));
    expect(after("openclaw-gateway-verify")).toContain("openclaw-gateway-configure");
    expect(after("openclaw-firewall-hcloud")).toEqual([]);
    // The table counts what the document lists.
    const table = await planHere("--config", "examples/hetzner.yaml");
    expect(table.stdout).toContain(`\n${doc.resources.length} resources.\n`);
  });

  it("the table says what runs after what, and shows whole commands, wrapped between words", async () => {
    const r = await planHere("--config", "examples/hetzner.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TYPE +NAME +PARENT +RUNS AFTER$/m);
    expect(r.stdout).toMatch(/^command:remote:Command +openclaw-gateway-verify +openclaw-gateway +.*openclaw-gateway-configure/m);
    // The wait step's whole command, host key included, across its wrapped lines.
    const lines = r.stdout.split("\n");
    const at = lines.findIndex((l) => l.includes("on this machine: node components/local/wait-for-host.js"));
    // The fact's first line and its continuation lines (indented under the text).
    const continued = lines.slice(at + 1).findIndex((l) => !/^ {21}\S/.test(l));
    const joined = lines.slice(at, at + 1 + continued).map((l) => l.trim()).join(" ");
    expect(joined).toMatch(/wait-for-host\.js openclaw\.tail1234\.ts\.net 22 900 'ssh-ed25519 AAAA[A-Za-z0-9+/]+=*'$/);
    // No fact line is longer than the wrap width unless it is a single word (the Outputs,
    // after the table, are whole values: commands to paste, one per line).
    for (const l of lines.slice(0, lines.indexOf("Outputs:")).filter((x) => x.startsWith("    "))) {
      if (l.length > 100) expect(l.trim().split(" ").length).toBe(1);
    }
  });

  it("--out writes every rendered artifact, readable by the owner only", async () => {
    const out = join(tmp(), "artifacts");
    const r = await planHere("--config", "examples/digitalocean.yaml", "--out", out);
    expect(r.code).toBe(0);
    const userData = readFileSync(join(out, "cloud-init.yaml"), "utf8");
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    expect(userData).toContain("hostname: claw");
    expect(readFileSync(join(out, "scripts/tailscale-join.sh"), "utf8")).toMatch(/^#!\/bin\/bash\n/);
    expect(statSync(join(out, "cloud-init.yaml")).mode & 0o777).toBe(0o600);
    // The user data, each host file, each gateway file, the bundle that installs them and the host step's script.
    const settings = { tailnetHost: "x", models: { anthropic: false, openai: false }, sandboxImage: "i", sandboxNetwork: "none" as const };
    expect(r.stdout).toContain(`Wrote ${hostFiles().length + gatewayFiles(settings).length + 3} artifacts to ${out}`);
    for (const f of hostFiles()) expect(readFileSync(join(out, f.artifact), "utf8")).toBe(f.content);
    expect(readFileSync(join(out, "openclaw.json"), "utf8")).toContain('"allowedOrigins": [\n        "https://claw.tail1234.ts.net"');
    expect(readFileSync(join(out, "scripts/gateway-files.sh"), "utf8")).toMatch(/^#!\/bin\/bash\n/);
    expect(readFileSync(join(out, "scripts/host-step.sh"), "utf8")).toMatch(/^#!\/bin\/bash\n/);
  });

  it("refuses invalid config with exit code 2, one line per key, and writes nothing", async () => {
    const out = join(tmp(), "never");
    const file = stackFile(
      [
        "config:",
        "  openclaw-vps:cloud: aws",
        "  openclaw-vps:tailnet: tail1234.ts.net",
        "  openclaw-vps:telegramDmPolicy: open",
        "  openclaw-vps:servertype: cx33",
        "  openclaw-vps:tailscaleAuthKey:",
        "    secure: v1:x:y",
      ].join("\n"),
    );
    const r = await planHere("--config", file, "--out", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid stack configuration (3 problems):");
    expect(r.stderr).toContain("openclaw-vps:servertype: given an unknown key; expected a known key: did you mean openclaw-vps:serverType?");
    expect(r.stderr).toContain('openclaw-vps:cloud: given "aws"; expected one of hetzner, digitalocean');
    expect(r.stderr).toContain('openclaw-vps:telegramDmPolicy: given "open"; expected pairing or allowlist');
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
  });

  it("reports a missing required key exactly as pulumi up would", async () => {
    const r = await planHere("--config", stackFile("config:\n  openclaw-vps:cloud: hetzner\n"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid stack configuration \(\d problems?\):\n {2}Stack 'prod' is missing configuration value 'tailnet'$/m);
  });

  it("`npm run --silent plan -- ... --json`, as the README writes it, prints one JSON document and nothing else", async () => {
    const line = "npm run --silent plan -- --config examples/digitalocean.yaml --json";
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain(`${line} > plan.json`);
    const stdout = await new Promise<string>((resolvePromise, reject) =>
      execFile("npm", line.split(" ").slice(1), { cwd: ROOT, maxBuffer: 16 << 20, timeout: limitMs(30) }, (err: Error | null, out: string) => (err ? reject(err) : resolvePromise(out))),
    );
    const doc = JSON.parse(stdout) as { resources: unknown[]; outputs: Record<string, unknown> };
    expect(doc.resources.length).toBeGreaterThan(10);
    expect(doc.outputs.cloud).toBe("digitalocean");
  });

  it("names every mistake at once: the CLI's type checks (which stop at the first) and the program's", async () => {
    const file = stackFile(
      [
        "config:",
        "  openclaw-vps:tailnet: tail1234.ts.net",
        "  openclaw-vps:backups: maybe",
        "  openclaw-vps:gatewayTokenVersion: two",
        "  openclaw-vps:cloud: aws",
        "  openclaw-vps:tailscaleAuthKey:",
        "    secure: v1:x:y",
      ].join("\n"),
    );
    const r = await planHere("--config", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      [
        "error: invalid stack configuration (3 problems):",
        "  Stack 'prod' with configuration key 'backups' must be of type 'boolean'",
        "  Stack 'prod' with configuration key 'gatewayTokenVersion' must be of type 'integer'",
        '  openclaw-vps:cloud: given "aws"; expected one of hetzner, digitalocean',
      ].join("\n"),
    );
  });

  it("refuses bad command lines and unreadable files with exit 2 and one line, never a stack trace", async () => {
    const dir = tmp();
    const yaml = join(dir, "bad.yaml");
    writeFileSync(yaml, "config:\n  openclaw-vps:tailnet: [oops\n");
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const cases: [string[], RegExp][] = [
      [["--config", yaml], /^plan: .*bad\.yaml is not valid YAML: .* at line 3, column 1:$/m],
      [["--config", dir], /^plan: .* is not a file: give a stack settings file/m],
      [["--bogus"], /^plan: Unknown option '--bogus'$/m],
      [["--config"], /^plan: Option '--config <value>' argument missing$/m],
      [["--config", "examples/hetzner.yaml", "--out", file], /^plan: --out .*a-file: exists and is not a directory/m],
      [["--stack", "../x"], /^plan: --stack "\.\.\/x": expected a stack name/m],
    ];
    for (const [args, message] of cases) {
      const r = await planHere(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe("");
    }
    // The same through the process: its exit code and its one line.
    const [args, message] = cases[0];
    const r = await plan(...args);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("reads Pulumi.<stack>.yaml by default and says when it does not exist", async () => {
    const shipped = await planHere();
    expect(shipped.code).toBe(2);
    expect(shipped.stderr).toContain("Pulumi.prod.yaml");
    const missing = await planHere("--stack", "nosuchstack");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Pulumi.nosuchstack.yaml");
  });

  it("--graph writes the dependency graph as DOT, or drawn as SVG by Graphviz, creating its directory; under --json stdout stays one document", async () => {
    const dir = tmp();
    const dotFile = join(dir, "plan.dot");
    const text = await planHere("--config", "examples/hetzner.yaml", "--graph", dotFile);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`\\nWrote the dependency graph \\(\\d+ resources in \\d+ components, \\d+ arrows; \\d+ implied by others left out\\) to ${dotFile}\\n$`));
    expect(readFileSync(dotFile, "utf8")).toMatch(/^digraph plan \{\n[\s\S]*subgraph "cluster_urn:pulumi:prod::openclaw-vps::[\s\S]*\}\n$/);
    const svgFile = join(dir, "new", "dir", "plan.svg");
    const json = await planHere("--config", "examples/hetzner.yaml", "--json", "--graph", svgFile);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { resources: unknown[] }).resources.length).toBeGreaterThan(10);
    expect(json.stderr).toContain(`Wrote the dependency graph (`);
    expect(json.stderr).toContain(`) to ${svgFile}`);
    const svg = readFileSync(svgFile, "utf8");
    expect(svg).toMatch(/^<\?xml [\s\S]*<svg [\s\S]*openclaw&#45;gateway&#45;verify[\s\S]*<\/svg>\n$/);
  });

  it("--graph refuses, with exit 2 before anything runs or is written, a path it cannot write and .svg without Graphviz", async () => {
    const dir = tmp();
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const cases: [string, RegExp][] = [
      [dir, /^plan: --graph .*: give a file ending in \.dot, \.svg or \.png$/m],
      [join(dir, "plan.txt"), /^plan: --graph .*plan\.txt: give a file ending in \.dot, \.svg or \.png$/m],
      [join(file, "plan.dot"), /^plan: --graph .*a-file\/plan\.dot: .*a-file is not a directory$/m],
    ];
    for (const [graph, message] of cases) {
      const r = await planHere("--config", "examples/hetzner.yaml", "--graph", graph);
      expect({ graph, code: r.code, stdout: r.stdout }).toEqual({ graph, code: 2, stdout: "" });
      expect(r.stderr).toMatch(message);
    }
    // A directory named like a graph file.
    const svgDir = join(dir, "plan.svg");
    mkdirSync(svgDir);
    const onDir = await planHere("--config", "examples/hetzner.yaml", "--graph", svgDir);
    expect({ code: onDir.code, stdout: onDir.stdout }).toEqual({ code: 2, stdout: "" });
    expect(onDir.stderr).toMatch(/^plan: --graph .*plan\.svg: is a directory; give a file ending in \.svg$/m);
    // Without Graphviz's dot on PATH: .svg is refused, naming dot and the .dot that works.
    const saved = process.env.PATH;
    process.env.PATH = tmp();
    const out = join(dir, "nodot", "plan.svg");
    let r;
    try {
      r = await planHere("--config", "examples/hetzner.yaml", "--graph", out);
    } finally {
      process.env.PATH = saved;
    }
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
    expect(r.stderr).toBe(
      `plan: --graph ${out}: .svg is rendered by Graphviz's dot, which is not on PATH; install graphviz (e.g. apt-get install graphviz), or write --graph ${join(dir, "nodot", "plan.dot")} and render it elsewhere\n`,
    );
    expect(existsSync(join(dir, "nodot"))).toBe(false);
  });
});
