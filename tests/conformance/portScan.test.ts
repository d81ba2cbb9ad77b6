/**
 * Proof by attack: the rendered host firewall, applied in network namespaces, leaves no TCP
 * port open to the internet while SSH answers over the tailnet (tests/conformance/netns-scan.sh).
 */
import { join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { limitMs } from "../limits";

it("a full TCP scan from the internet finds 0 open ports; the tailnet reaches SSH but not the gateway", async () => {
  const [first] = await renderMatrix();
  const results = runResultScript(join(__dirname, "netns-scan.sh"), [first.dir], limitMs(150));
  expect(results).toMatchObject({
    // With the rendered firewall: nothing open from the internet, over IPv4 or IPv6.
    scan_A_inet_v4_ports: "65535",
    scan_A_inet_v4_open: "0",
    scan_A_inet_v6_ports: "65535",
    scan_A_inet_v6_open: "0",
    internet_gateway_18789: "timeout",
    // Over the tailnet: SSH answers; the gateway does not (it listens on loopback only).
    tailnet_ssh_v4: "open",
    tailnet_ssh_v6: "open",
    tailnet_gateway_18789: "refused",
    // Controls: the scanner does see an allowed port through the same rules, and open ports without them.
    scan_B_inet_v4_open: "1",
    scan_C_inet_v4_open: "2",
  });
});
