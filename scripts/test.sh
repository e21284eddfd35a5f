#!/usr/bin/env bash
# The whole test suite: installs what it needs, then type check, lint, layer rules, and every test
# (unit, integration against a real Samba AD DC and Azurite, end-to-end scenarios).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint . --max-warnings=0
echo "== layer rules"; npx depcruise --config .dependency-cruiser.cjs functions shared relay dev
echo "== tests"; npx vitest run "$@"
