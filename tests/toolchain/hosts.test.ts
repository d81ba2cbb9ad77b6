/**
 * The local cloud's servers as booted hosts (toolchain/providers/hosts.ts), with a recording
 * stand-in for rehearsal/machine.sh: what a server's disk gets (the image, the user data the
 * provider was sent as its NoCloud seed, a new instance id), one server at a time, and a
 * deleted server's host stopped and its disk gone. The real machine.sh boots them in
 * `npm run rehearse`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Hosts } from "../../toolchain/providers/hosts";

let work: string;
let hosts: Hosts;
const calls = () => (fs.existsSync(path.join(work, "calls")) ? fs.readFileSync(path.join(work, "calls"), "utf8").trim().split("\n") : []);

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-hosts-"));
  const image = path.join(work, "image");
  fs.mkdirSync(path.join(image, "etc"), { recursive: true });
  fs.writeFileSync(path.join(image, "etc", "os-release"), "ID=debian\n");
  const machine = path.join(work, "machine.sh");
  fs.writeFileSync(machine, `#!/bin/bash\necho "$*" >> ${JSON.stringify(path.join(work, "calls"))}\n`, { mode: 0o755 });
  const file = Hosts.write({ work, run: "ocr1", image, npmCache: "/cache", machineScript: machine, ipv4: "203.0.113.10", ipv6: "2001:db8::10" });
  hosts = Hosts.fromEnv({ OPENCLAW_VPS_HOSTS: file }) as Hosts;
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

it("boots a server from a copy of the image, with the provider's user data as its seed", async () => {
  expect(await hosts.boot("17", "openclaw", "#cloud-config\nruncmd: [true]\n")).toEqual({ ipv4: "203.0.113.10", ipv6: "2001:db8::10" });
  const root = hosts.rootOf("17");
  expect(fs.readFileSync(path.join(root, "etc", "os-release"), "utf8")).toBe("ID=debian\n");
  expect(fs.readFileSync(path.join(root, "var/lib/cloud/seed/nocloud/user-data"), "utf8")).toBe("#cloud-config\nruncmd: [true]\n");
  expect(fs.readFileSync(path.join(root, "var/lib/cloud/seed/nocloud/meta-data"), "utf8")).toBe("instance-id: server-17\nlocal-hostname: openclaw\n");
  expect(calls()).toEqual([`boot ${work} ocr1 ${root} /cache`]);
  expect(hosts.current()).toEqual({ id: "17", root });
});

it("has room for one server at a time", async () => {
  await hosts.boot("17", "openclaw", "a");
  await expect(hosts.boot("18", "openclaw", "b")).rejects.toThrow("the local cloud has room for one server, and server 17 exists");
});

it("stops a deleted server's host and removes its disk; the next server boots fresh", async () => {
  await hosts.boot("17", "openclaw", "a");
  await hosts.remove("17");
  expect(fs.existsSync(hosts.rootOf("17"))).toBe(false);
  expect(hosts.current()).toBeUndefined();
  await hosts.boot("18", "openclaw", "b");
  expect(calls().map((c) => c.split(" ")[0])).toEqual(["boot", "stop", "boot"]);
});

it("fails the create when the host does not start, with what the machine said", async () => {
  fs.writeFileSync(path.join(work, "machine.sh"), "#!/bin/bash\necho 'machine: the host did not start' >&2\nexit 1\n");
  await expect(hosts.boot("17", "openclaw", "a")).rejects.toThrow("machine: the host did not start");
});
