#!/usr/bin/env bash
# The whole test suite: installs what it needs, then type check, lint, layer rules, and every test
# (unit, integration against a real Samba AD DC and Azurite, end-to-end scenarios).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started=$SECONDS
phase() { echo "== $1 (at $((SECONDS - started)) s)"; }
phase bootstrap
# shellcheck source=bootstrap.sh
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
# The status page is tested in a real browser: Debian's chromium, driven by playwright-core (never a downloaded one).
if ! command -v chromium >/dev/null 2>&1; then
  phase "installing chromium (Debian)"
  if [ "$(id -u)" != 0 ]; then echo "need root to install chromium" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
fi
phase typecheck; npx tsc -p tsconfig.json --noEmit
phase lint; npx eslint . --max-warnings=0
phase "layer rules"; npx depcruise --config .dependency-cruiser.cjs functions shared relay cli dev
phase tests; npx vitest run "$@"
phase done
