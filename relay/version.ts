// The relay's version, reported in every result and heartbeat. The bundle (dev/relay/bundle.ts) writes it in
// at build time, since a single-file install has no package.json; a run from a checkout or from `npm run
// build` output reads the nearest package.json of this product instead.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __RELAY_VERSION__: string | undefined;

const PACKAGE_NAME = 'group-writeback';

function fromPackageJson(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

let cached: string | undefined;

/** Read once per process. */
export function relayVersion(): string {
  cached ??= typeof __RELAY_VERSION__ === 'string' ? __RELAY_VERSION__ : fromPackageJson();
  return cached;
}
