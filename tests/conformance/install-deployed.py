"""install-deployed.py ARTIFACT_DIR: every file the deploy writes, where it writes it.

Run as root inside a private mount namespace laid out as the server (tests/conformance/lib.sh
deployed_files). The list is the manifest's (ARTIFACT_DIR/manifest.json, gateway/manifest.ts):
the files step's and first boot's files, each at its path with its mode, owned by root. Each
file's content is the plan's artifact with that SHA-256 (`npm run plan -- --out` writes every
one), so what is installed is exactly what was rendered, and a file the manifest names that
no artifact holds is an error.
"""
import hashlib
import json
import os
import sys

artifacts = sys.argv[1]
by_hash = {}
for root, _, names in os.walk(artifacts):
    for name in names:
        path = os.path.join(root, name)
        with open(path, "rb") as f:
            by_hash.setdefault(hashlib.sha256(f.read()).hexdigest(), path)

with open(os.path.join(artifacts, "manifest.json")) as f:
    manifest = json.load(f)
for entry in manifest["files"]:
    source = by_hash.get(entry["sha256"])
    if source is None:
        sys.exit(f"install-deployed.py: no artifact holds the rendered content of {entry['path']}")
    os.makedirs(os.path.dirname(entry["path"]), exist_ok=True)
    with open(source, "rb") as f:
        data = f.read()
    with open(entry["path"], "wb") as out:
        out.write(data)
    os.chown(entry["path"], 0, 0)
    os.chmod(entry["path"], int(entry["mode"], 8))
# And the manifest itself, where the files step puts it (gateway/manifest.ts MANIFEST_FILE).
os.makedirs("/etc/openclaw-vps", exist_ok=True)
with open(os.path.join(artifacts, "manifest.json"), "rb") as f, open("/etc/openclaw-vps/manifest.json", "wb") as out:
    out.write(f.read())
os.chmod("/etc/openclaw-vps/manifest.json", 0o644)
print(f"installed {len(manifest['files']) + 1} files")
