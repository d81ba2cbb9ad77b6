// Connects to an OpenClaw gateway's WebSocket as a backend client with a token and reports
// what happened, as one JSON line. Exit 0: hello-ok; 2: closed before hello-ok; 3: timeout.
// Usage: node ws-auth-check.mjs ws://127.0.0.1:PORT/ TOKEN   (Node 22+: built-in WebSocket)
import { randomUUID } from "node:crypto";

const [url, token] = process.argv.slice(2);
const ws = new WebSocket(url);
let result = { helloOk: false, errorCode: null };
const timer = setTimeout(() => {
  console.log(JSON.stringify({ ...result, timeout: true }));
  process.exit(3);
}, 15000);

ws.addEventListener("message", (event) => {
  const frame = JSON.parse(String(event.data));
  if (frame.type === "event" && frame.event === "connect.challenge") {
    // The client's first frame answers the server's challenge with a connect request.
    ws.send(
      JSON.stringify({
        type: "req",
        id: randomUUID(),
        method: "connect",
        params: {
          minProtocol: 4,
          maxProtocol: 4,
          client: { id: "gateway-client", version: "1.0.0", platform: process.platform, mode: "backend" },
          role: "operator",
          scopes: ["operator.read"],
          auth: { token },
        },
      }),
    );
  } else if (frame.type === "res") {
    if (frame.ok && frame.payload?.type === "hello-ok") {
      result = { helloOk: true, protocol: frame.payload.protocol };
      ws.close(1000, "done");
    } else if (!frame.ok) {
      result.errorCode = frame.error?.details?.code ?? frame.error?.code ?? null;
    }
  }
});
ws.addEventListener("close", (event) => {
  clearTimeout(timer);
  console.log(JSON.stringify({ ...result, closeCode: event.code, closeReason: event.reason }));
  process.exit(result.helloOk ? 0 : 2);
});
ws.addEventListener("error", () => {});
