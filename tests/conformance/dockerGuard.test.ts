/**
 * The rendered Docker guard, proven by routing a "container" through Docker's own bridge
 * rules in network namespaces (tests/conformance/docker-guard-netns.sh).
 */
import { join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";

it("keeps containers off the metadata service, the tailnet and the host, and leaves them the internet", async () => {
  const [first] = await renderMatrix();
  const results = runResultScript(join(__dirname, "docker-guard-netns.sh"), [first.dir]);
  // Without the guard the container reaches everything: the probes can see reachability.
  expect(results).toMatchObject({
    before_internet: "open",
    before_metadata: "open",
    before_tailnet: "open",
    before_host_bridge: "open",
    before_host_public: "open",
  });
  expect(results).toMatchObject({
    after_internet: "open",
    after_metadata: "blocked",
    after_tailnet: "blocked",
    after_host_bridge: "blocked",
    after_host_public: "blocked",
    // Two runs of the script, each rule once (two per bridge pattern).
    docker_user_rules: "4",
  });
  // A published port: reachable from the internet with Docker's default binding (the
  // control), not with the rendered daemon.json's.
  expect(results).toMatchObject({ rendered_ip: "127.0.0.1", published_default_binding: "open", published_rendered_binding: "blocked" });
});
