/** gateway/scripts/alert.js against a loopback stand-in for the Telegram Bot API. */
import { execFile } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { tmpdir } from "os";
import { join } from "path";

const ALERT = join(__dirname, "../../gateway/scripts/alert.js");
const TOKEN = "123456789:AAHstandin-token_abcdefghijklmnopqrs";
let server: Server;
let api = "";
let requests: { path?: string; body: string }[] = [];
let status = 200;
let state = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      requests.push({ path: req.url, body });
      res.writeHead(status).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  requests = [];
  status = 200;
  state = mkdtempSync(join(tmpdir(), "alert-"));
});
afterEach(() => rmSync(state, { recursive: true, force: true }));

function setUp(env: string, config: unknown): void {
  writeFileSync(join(state, ".env"), env);
  writeFileSync(join(state, "openclaw.json"), JSON.stringify(config));
}

function alert(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [ALERT], { env: { OPENCLAW_VPS_STATE_DIR: state, OPENCLAW_VPS_TELEGRAM_API: api } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, out: stdout + stderr }),
    );
    child.stdin?.end(text);
  });
}

const withOwner = { channels: { telegram: { botToken: "${TELEGRAM_BOT_TOKEN}", dmPolicy: "pairing", allowFrom: ["123456789"] } } };

describe("alert.js", () => {
  it("sends the text to the owner with the gateway's bot", async () => {
    setUp(`OPENCLAW_GATEWAY_TOKEN=ab\nTELEGRAM_BOT_TOKEN=${TOKEN}\n`, withOwner);
    const r = await alert("not clean: a listener on 0.0.0.0");
    expect(r).toEqual({ code: 0, out: "alert: sent to the owner on Telegram\n" });
    expect(requests).toHaveLength(1);
    expect(requests[0].path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(JSON.parse(requests[0].body)).toEqual({ chat_id: "123456789", text: "not clean: a listener on 0.0.0.0", disable_web_page_preview: true });
  });

  it("sends nothing without a bot token or without an owner id, and says so", async () => {
    setUp("OPENCLAW_GATEWAY_TOKEN=ab\n", withOwner);
    expect(await alert("x")).toEqual({ code: 0, out: "alert: Telegram is off or has no owner id (telegramOwnerId): nothing sent\n" });
    setUp(`TELEGRAM_BOT_TOKEN=${TOKEN}\n`, { channels: { telegram: { dmPolicy: "pairing" } } });
    expect((await alert("x")).code).toBe(0);
    expect(requests).toEqual([]);
  });

  it("fails on a refusal with the status only: the token never appears", async () => {
    setUp(`TELEGRAM_BOT_TOKEN=${TOKEN}\n`, withOwner);
    status = 401;
    const r = await alert("x");
    expect(r).toEqual({ code: 1, out: "alert: Telegram answered HTTP 401; nothing sent\n" });
    expect(r.out).not.toContain("AAHstandin");
  });

  it("keeps a message within Telegram's limit", async () => {
    setUp(`TELEGRAM_BOT_TOKEN=${TOKEN}\n`, withOwner);
    await alert("p".repeat(10_000));
    expect((JSON.parse(requests[0].body) as { text: string }).text).toHaveLength(4000);
  });
});
