/**
 * The coder's way out (docs/coding.md), proven with the real tinyproxy on the rendered
 * proxy.conf and allowlist, and the rendered Docker guard and coding-egress.sh rules, in
 * network namespaces (tests/conformance/coder-egress-netns.sh). The "host" forwards as if the
 * Docker network were not internal: the rules alone must keep the sandbox in.
 */
import { join } from "path";
import { renderCoding } from "./matrix";
import { runResultScript } from "./tools";

it("lets the coder's sandbox reach GitHub through the proxy, and nothing else", async () => {
  const out = await renderCoding();
  const results = runResultScript(join(__dirname, "coder-egress-netns.sh"), [out]);
  // Without the rules the "container" reaches everything: the probes can see reachability.
  expect(results).toMatchObject({
    before_internet: "open",
    before_metadata: "open",
    before_tailnet: "open",
    before_host_service: "open",
    before_host_public: "open",
  });
  expect(results).toMatchObject({
    after_internet: "blocked",
    after_metadata: "blocked",
    after_tailnet: "blocked",
    after_host_service: "blocked",
    after_host_public: "blocked",
    // GitHub's hosts through the proxy, and the far side answers in the tunnel.
    proxy_github: "200+answered",
    proxy_api_github: "200+answered",
    // tinyproxy's 403: a host not on the list, another port, an address, the metadata service.
    proxy_other_host: "403",
    proxy_github_other_port: "403",
    proxy_by_address: "403",
    proxy_metadata: "403",
    // Run twice: each rule once.
    input_accept_rules: "1",
    docker_user_coder_rules: "1",
  });
});
