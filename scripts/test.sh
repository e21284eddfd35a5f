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
phase typecheck; npx tsc -p tsconfig.json --noEmit
phase lint; npx eslint . --max-warnings=0
phase "layer rules"; npx depcruise --config .dependency-cruiser.cjs functions shared relay dev
phase tests; npx vitest run "$@"
phase done
