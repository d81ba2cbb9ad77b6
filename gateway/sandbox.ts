/**
 * The agents' sandbox image: a coding image built on the server from a pinned base, with
 * git and the usual command-line tools, running as uid 1000. The tag carries a hash of the
 * Dockerfile, so the gateway's config names exactly the image that was built.
 */
import { createHash } from "crypto";

/** A pinned Debian point release, not a moving tag. */
export const SANDBOX_BASE_IMAGE = "debian:12.12-slim";

const PACKAGES = ["bash", "ca-certificates", "curl", "git", "jq", "less", "make", "python3", "ripgrep", "unzip", "xz-utils"];

/**
 * With coding, GitHub's CLI from the same Debian release: pinned by the release's signed
 * package index (apt verifies every package's checksum against it), version named here.
 */
export const CODING_PACKAGES = ["gh=2.23.0+dfsg1-1"];

export function renderSandboxDockerfile(coding = false): string {
  const packages = coding ? [...PACKAGES, ...CODING_PACKAGES] : PACKAGES;
  return [
    "# Managed by openclaw-vps: the agents' sandbox. Runs as uid 1000, root filesystem read-only at run time.",
    `FROM ${SANDBOX_BASE_IMAGE}`,
    "ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8",
    `RUN apt-get update && apt-get install -y --no-install-recommends ${packages.join(" ")} \\`,
    "  && rm -rf /var/lib/apt/lists/*",
    "RUN groupadd --gid 1000 sandbox && useradd --uid 1000 --gid 1000 --create-home --shell /bin/bash sandbox",
    "USER 1000:1000",
    "WORKDIR /home/sandbox",
    'CMD ["sleep", "infinity"]',
    "",
  ].join("\n");
}

export function sandboxImageTag(coding = false): string {
  const hash = createHash("sha256").update(renderSandboxDockerfile(coding)).digest("hex").slice(0, 12);
  return `openclaw-sandbox:coder-${hash}`;
}
