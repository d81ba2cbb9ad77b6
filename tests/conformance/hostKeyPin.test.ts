/**
 * Host-key pinning with the real sshd and the real OpenSSH client (tests/conformance/host-key-pin.sh):
 * the rendered sshd drop-in offers only the ED25519 key cloud-init installs, and the options
 * every local step uses (components/local/ssh-pin.js) and the wait step (components/local/wait-for-host.js)
 * refuse any other key before anything is sent.
 */
import { join } from "path";
import { renderMatrix } from "./matrix";
import { runResultScript } from "./tools";
import { limitMs } from "../limits";

it("only the server with the stack's host key receives what is sent; impostors get nothing", async () => {
  const [first] = await renderMatrix();
  const r = runResultScript(join(__dirname, "host-key-pin.sh"), [first.dir, join(__dirname, "../..")], limitMs(30));
  // The drop-in's HostKey replaces sshd's default list, although the image's RSA and ECDSA keys exist.
  expect(r.effective_hostkeys).toBe("/etc/ssh/ssh_host_ed25519_key");
  expect(r.offered_types).toBe("ssh-ed25519");
  // The server this stack created.
  expect(r).toMatchObject({ genuine_wait_exit: "0", genuine_ssh_exit: "0", genuine_received: "CANARY-genuine" });
  expect(r.genuine_wait_output).toContain(`shows the pinned host key ${r.stack_fingerprint}`);
  // Another ED25519 key at the same address: the wait step explains, ssh refuses, nothing arrives.
  expect(r).toMatchObject({ impostor_wait_exit: "1", impostor_ssh_exit: "255", impostor_received: "none" });
  expect(r.impostor_wait_output).toContain(`answers with host key ${r.impostor_fingerprint}, not this stack's ${r.stack_fingerprint}`);
  expect(r.impostor_ssh_error).toContain("Host key verification failed");
  // A server offering only another key type cannot be negotiated into acceptance.
  expect(r).toMatchObject({ ecdsa_wait_exit: "1", ecdsa_ssh_exit: "255", ecdsa_received: "none" });
  expect(r.ecdsa_ssh_error).toContain("no matching host key type found");
});
