#!/usr/bin/env bash
# The main job end-to-end on the embedded local stack (Samba AD DC, Azurite, embedded queue, Graph
# simulator, local Functions host, relay). Installs what it needs first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec npx tsx dev/demo.ts "$@"
