/**
 * The package as Pulumi runs it: the Node.js language host starts a source plugin with
 * `node @pulumi/pulumi/cmd/run-plugin <package directory> <engine address>`
 * (sdk/nodejs/cmd/pulumi-language-nodejs RunPlugin), which loads package.json's "main"
 * (pkg/plugin.ts) through ts-node. The test does exactly that, then asks the running
 * provider over gRPC what `pulumi package add` asks it: its schema and its version.
 */
import { ChildProcess, spawn } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest } from "@pulumi/pulumi/proto/provider_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";

const ROOT = join(__dirname, "..", "..");
const RUN_PLUGIN = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [ROOT] });

let plugin: ChildProcess | undefined;
let client: ResourceProviderClient | undefined;

/** The port the plugin prints on its first line, as the engine reads it; bounded in time. */
function port(child: ChildProcess, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no port from the plugin in ${seconds} s; stderr: ${err}`)), seconds * 1000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = /^(\d+)\s*\n/.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the plugin exited with ${code}: ${err}`));
    });
  });
}

beforeAll(async () => {
  // The engine address is never dialled for these calls; nothing listens on port 1.
  plugin = spawn(process.execPath, [RUN_PLUGIN, ROOT, "127.0.0.1:1"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const p = await port(plugin, 90);
  client = new ResourceProviderClient(`127.0.0.1:${p}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  plugin?.kill("SIGKILL");
});

describe("the package's plugin", () => {
  it("serves the checked-in schema", async () => {
    const served = await new Promise<string>((resolve, reject) =>
      client!.getSchema(new GetSchemaRequest(), (e, res) => (e ? reject(e) : resolve(res.getSchema()))),
    );
    const checkedIn = readFileSync(join(ROOT, "pkg", "schema.json"), "utf8");
    expect(JSON.parse(served)).toEqual(JSON.parse(checkedIn));
  }, 60_000);

  it("reports package.json's version", async () => {
    const version = await new Promise<string>((resolve, reject) =>
      client!.getPluginInfo(new Empty(), (e, res) => (e ? reject(e) : resolve(res.getVersion()))),
    );
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(version).toBe(pkg.version);
  });
});
