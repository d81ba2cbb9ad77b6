/**
 * The package as Pulumi runs it: the Node.js language host starts a source plugin with
 * `node @pulumi/pulumi/cmd/run-plugin <package directory> <engine address>`
 * (sdk/nodejs/cmd/pulumi-language-nodejs RunPlugin), which loads package.json's "main"
 * (pkg/plugin.js, which loads pkg/plugin.ts through a transpile-only ts-node). The test does exactly that, and plays the engine's part
 * over gRPC: it asks for the schema and version (what `pulumi package add` asks), and sends
 * the Construct call the engine makes when a program in another language creates an
 * OpenClawGateway through its generated SDK, with the resource monitor the plugin then
 * registers every child with served from this process (the SDK's mock monitor).
 */
import { ChildProcess, spawn } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { ConstructRequest, ConstructResponse, GetSchemaRequest } from "@pulumi/pulumi/proto/provider_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import { SupportsFeatureResponse } from "@pulumi/pulumi/proto/resource_pb";
import { GetRootResourceResponse } from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { RecordingMonitor, isSecretValue, mocksFor } from "../../commands/lib/mockRuntime";
import { DEFAULT_INVOKES } from "../../commands/lib/mockState";
import { OPENCLAW_GATEWAY_TYPE } from "../../pkg";
import { TEST_AUTH_KEY } from "../helpers/stack";
import { limitMs } from "../limits";

const ROOT = join(__dirname, "..", "..");
const RUN_PLUGIN = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [ROOT] });
const PROJECT_NAME = "py-infra";
const STACK = "dev";
const STACK_URN = `urn:pulumi:${STACK}::${PROJECT_NAME}::pulumi:pulumi:Stack::${PROJECT_NAME}-${STACK}`;

let plugin: ChildProcess | undefined;
let client: ResourceProviderClient | undefined;
let server: grpc.Server | undefined;
let serverPort = 0;
let monitor: RecordingMonitor | undefined;
let consumerDir: string | undefined;
const logs: string[] = [];

/** The port a plugin prints on its first line, as the engine reads it; bounded in time. */
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

/** A gRPC handler from a method taking (request, callback), as the SDK's mock monitor has them. */
type Unary = (req: unknown, cb: (err: unknown, res?: unknown) => void) => unknown;
function unary(fn: Unary): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    void fn(call.request, (err, res) => callback(err as grpc.ServiceError | null, res));
  };
}

beforeAll(async () => {
  // The engine's two services, on one loopback port: the resource monitor and the engine
  // (logs, the root resource).
  await pulumi.runtime.setMocks({ newResource: () => ({ id: undefined, state: {} }), call: () => ({}) }, PROJECT_NAME, STACK);
  monitor = new RecordingMonitor(mocksFor({ project: PROJECT_NAME, stack: STACK, config: {}, secretKeys: [], invokes: DEFAULT_INVOKES }));
  const m = monitor as unknown as Record<string, Unary>;
  const notHere = unary((_req, cb) => cb({ code: grpc.status.UNIMPLEMENTED, message: "not in this test's engine" }));
  const monitorImpl: Record<string, grpc.handleUnaryCall<unknown, unknown>> = {};
  // The mock monitor answers two calls with plain objects, which gRPC cannot send: the messages they stand for.
  const asMessage: Record<string, (res: unknown) => unknown> = {
    supportsFeature: (res) => new SupportsFeatureResponse().setHassupport((res as { getHassupport(): boolean }).getHassupport()),
    registerResourceOutputs: () => new Empty(),
  };
  for (const method of Object.keys(ResourceMonitorService)) {
    const fn = m[method];
    const convert = asMessage[method] ?? ((res: unknown) => res);
    monitorImpl[method] =
      typeof fn === "function" ? unary((req, cb) => fn.call(monitor, req, (err: unknown, res?: unknown) => cb(err, err ? undefined : convert(res)))) : notHere;
  }
  server = new grpc.Server();
  server.addService(ResourceMonitorService, monitorImpl);
  server.addService(EngineService, {
    log: unary((req, cb) => {
      logs.push((req as { getMessage(): string }).getMessage());
      cb(null, new Empty());
    }),
    getRootResource: unary((_req, cb) => cb(null, new GetRootResourceResponse().setUrn(STACK_URN))),
    setRootResource: unary((_req, cb) => cb(null, new Empty())),
    startDebugging: notHere,
    requirePulumiVersion: unary((_req, cb) => cb(null, new Empty())),
  });
  serverPort = await new Promise<number>((resolve, reject) =>
    server!.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );

  // The language host runs a resource plugin in the directory `pulumi` runs in (RunPlugin:
  // cmd.Dir = req.Pwd): the consumer's project, here an empty one of another language.
  consumerDir = mkdtempSync(join(tmpdir(), "py-infra-"));
  writeFileSync(join(consumerDir, "Pulumi.yaml"), "name: py-infra\nruntime: python\n");
  plugin = spawn(process.execPath, [RUN_PLUGIN, ROOT, `127.0.0.1:${serverPort}`], { cwd: consumerDir, stdio: ["ignore", "pipe", "pipe"] });
  const p = await port(plugin, limitMs(25) / 1000);
  client = new ResourceProviderClient(`127.0.0.1:${p}`, grpc.credentials.createInsecure());
}, limitMs(30));

afterAll(async () => {
  client?.close();
  // The plugin, then this test's servers: nothing of either is left running.
  if (plugin && plugin.exitCode === null) {
    const exited = new Promise<void>((resolve) => plugin!.once("exit", () => resolve()));
    plugin.kill("SIGKILL");
    await exited;
  }
  server?.forceShutdown();
  if (consumerDir) rmSync(consumerDir, { recursive: true, force: true });
});

describe("the package's plugin", () => {
  it("serves the checked-in schema", async () => {
    const served = await new Promise<string>((resolve, reject) =>
      client!.getSchema(new GetSchemaRequest(), (e, res) => (e ? reject(e) : resolve(res.getSchema()))),
    );
    const checkedIn = readFileSync(join(ROOT, "pkg", "schema.json"), "utf8");
    expect(JSON.parse(served)).toEqual(JSON.parse(checkedIn));
  }, limitMs(15));

  it("reports package.json's version", async () => {
    const version = await new Promise<string>((resolve, reject) =>
      client!.getPluginInfo(new Empty(), (e, res) => (e ? reject(e) : resolve(res.getVersion()))),
    );
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(version).toBe(pkg.version);
  });

  it("constructs a whole gateway for another language's program, every child registered with the engine", async () => {
    // The inputs as a generated SDK sends them: settings plain, credentials marked secret.
    const inputs = await pulumi.runtime.serializeProperties("test", {
      tailnet: "tail1234.ts.net",
      cloud: "digitalocean",
      hostname: "assistant",
      tailscaleAuthKey: pulumi.secret(TEST_AUTH_KEY),
      telegramBotToken: pulumi.secret("123456789:AAHfake-token_abcdefghijklmnopqrstuvw"),
    });
    const req = new ConstructRequest()
      .setProject(PROJECT_NAME)
      .setStack(STACK)
      .setParallel(1)
      .setDryrun(false)
      .setMonitorendpoint(`127.0.0.1:${serverPort}`)
      .setType(OPENCLAW_GATEWAY_TYPE)
      .setName("assistant")
      .setParent(STACK_URN)
      .setInputs(Struct.fromJavaScript(inputs as never));
    const res = await new Promise<ConstructResponse>((resolve, reject) =>
      client!.construct(req, (e, r) => (e ? reject(new Error(`${e.message}\nplugin logs:\n${logs.join("\n")}`)) : resolve(r))),
    );

    expect(res.getUrn()).toBe(`urn:pulumi:${STACK}::${PROJECT_NAME}::${OPENCLAW_GATEWAY_TYPE}::assistant`);
    const state = pulumi.runtime.deserializeProperties(res.getState() as never) as Record<string, unknown>;
    const schema = JSON.parse(readFileSync(join(ROOT, "pkg", "schema.json"), "utf8")) as {
      resources: Record<string, { properties: Record<string, { secret?: boolean }> }>;
    };
    expect(Object.keys(state).sort()).toEqual(Object.keys(schema.resources[OPENCLAW_GATEWAY_TYPE].properties).sort());
    expect(state.gatewayUrl).toBe("https://assistant.tail1234.ts.net/");
    for (const secret of ["gatewayToken", "gatewayUrlWithToken", "deployPrivateKey"]) expect({ secret, marked: isSecretValue(state[secret]) }).toEqual({ secret, marked: true });

    const registered = monitor!.registrations;
    const droplet = registered.find((r) => r.type === "digitalocean:index/droplet:Droplet");
    expect(droplet?.urn).toBe(`urn:pulumi:${STACK}::${PROJECT_NAME}::${OPENCLAW_GATEWAY_TYPE}$openclaw-vps:compute:Server$digitalocean:index/droplet:Droplet::assistant-server-do`);
    expect(droplet && isSecretValue(droplet.inputs.userData)).toBe(true);
    // The steps on the server, the firewall, the keys, the guard: the whole gateway.
    expect(registered.filter((r) => r.type.startsWith("command:")).map((r) => r.name).sort()).toEqual(
      ["configure", "files", "host", "install", "sandbox", "verify", "wait"].map((s) => `assistant-gateway-${s}`),
    );
    expect(registered.map((r) => r.type)).toEqual(
      expect.arrayContaining(["digitalocean:index/firewall:Firewall", "tls:index/privateKey:PrivateKey", "openclaw-vps:index:RebuildGuard", "openclaw-vps:index:DriftCheck"]),
    );
    // The guard and the drift check are the package's own resources: a program in another language needs no Node.js SDK.
    expect(registered.map((r) => r.type)).not.toContain("pulumi-nodejs:dynamic:Resource");
    // Run from the consumer's directory, the local commands run in the package's, where components/local/ is.
    const wait = registered.find((r) => r.name === "assistant-gateway-wait");
    expect(wait?.inputs.dir).toBe(ROOT);
    expect(wait?.ignoreChanges).toEqual(["dir"]);
    // No credential crossed in plain text.
    const dump = JSON.stringify(registered.map((r) => r.inputs), (_k, v: unknown) => (isSecretValue(v) ? "[secret]" : v));
    expect(dump).not.toContain(TEST_AUTH_KEY);
    expect(dump).not.toContain("AAHfake-token");
  }, limitMs(30));
});
