#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian 12 machine (as root): Debian packages for the
# local stack (Samba AD DC, ldap-utils), a Node 22 runtime when the machine's node is older, and the
# npm packages. Idempotent: a second run only checks. Source it to get Node 22 on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_MAJOR=22

log() { printf '[bootstrap] %s\n' "$*" >&2; }

need_apt=()
command -v samba >/dev/null 2>&1 || need_apt+=(samba samba-ad-dc samba-dsdb-modules samba-vfs-modules samba-ad-provision winbind)
command -v ldapmodify >/dev/null 2>&1 || need_apt+=(ldap-utils)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then log "need root to install: ${need_apt[*]}"; exit 1; fi
  log "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The packages' own services are not wanted: the project starts its own DC on loopback.
  for svc in samba-ad-dc smbd nmbd winbind; do (service "$svc" stop >/dev/null 2>&1 || true); done
fi

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major node)" -lt "$NODE_MAJOR" ]; then
  if [ ! -x "$TOOLS/node/node_modules/node/bin/node" ]; then
    log "machine node is $(node --version 2>/dev/null || echo none); installing Node $NODE_MAJOR from the npm registry"
    mkdir -p "$TOOLS/node"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS/node" "node@$NODE_MAJOR" >/dev/null
  fi
  export PATH="$TOOLS/node/node_modules/node/bin:$PATH"
fi
log "node $(node --version), npm $(npm --version 2>/dev/null)"

cd "$ROOT"
stamp="node_modules/.bootstrap-stamp"
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  log "installing npm packages"
  # npm ci installs exactly the lock and never rewrites it (git status stays clean after the quick start);
  # the lock lists every platform's optional packages, as this npm writes it.
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
