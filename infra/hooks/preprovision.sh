#!/bin/sh
# azd preprovision hook: makes sure the azd environment holds a clientState secret (CLIENT_STATE_SECRET) before
# infra/main.parameters.json is resolved. Generated once (256 random bits, hex), then kept: re-provisioning must
# not rotate it by accident. Rotation is explicit, see docs/deployment.md. The value is never printed.
set -eu

if current=$(azd env get-value CLIENT_STATE_SECRET 2>/dev/null) && [ -n "$current" ]; then
  echo "clientState secret: kept (CLIENT_STATE_SECRET is set in the azd environment)"
  exit 0
fi

secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
if [ "${#secret}" -ne 64 ]; then
  echo "clientState secret: could not read 32 random bytes from /dev/urandom" >&2
  exit 1
fi
azd env set CLIENT_STATE_SECRET "$secret" >/dev/null
echo "clientState secret: generated and stored in the azd environment (CLIENT_STATE_SECRET)"
