// Secrets in the relay's config: the file names where a secret is (an environment variable or a file),
// never the secret itself, and errors name the setting, never the value. RelayConfigError is the one error
// for a wrong configuration: the relay process exits with code 2 on it (docs/relay.md, "Start").
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export class RelayConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid relay configuration: ${issues.join('; ')}`);
    this.name = 'RelayConfigError';
  }
}

/** Where a secret comes from. Inline secrets are rejected (strict object: no `value` key). */
export const secretSourceSchema = z.union(
  [
    z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name') }).strict(),
    z.object({ file: z.string().min(1, 'expected a file path') }).strict(),
  ],
  { error: 'expected {"env": "VARIABLE_NAME"} or {"file": "/path/to/secret"} (never the secret itself)' },
);
export type SecretSource = z.infer<typeof secretSourceSchema>;

/** Reads a secret from its source; `setting` is its JSON path, named in errors (never the value). */
export async function readSecret(source: SecretSource, env: NodeJS.ProcessEnv = process.env, setting = 'ldap.bindPassword'): Promise<string> {
  if ('env' in source) {
    const value = env[source.env];
    if (value === undefined || value === '') {
      throw new RelayConfigError([`${setting}.env: environment variable ${source.env} is not set`]);
    }
    return value;
  }
  let value: string;
  try {
    value = await readFile(source.file, 'utf8');
  } catch (error) {
    throw new RelayConfigError([`${setting}.file: ${source.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  // A trailing newline from `echo > file` is not part of the secret.
  value = value.replace(/\r?\n$/, '');
  if (value === '') throw new RelayConfigError([`${setting}.file: ${source.file} is empty`]);
  return value;
}

/** A file the relay needs at start (CA, certificate): readable, or a configuration error naming the setting. */
export async function readConfiguredFile(path: string, setting: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new RelayConfigError([`${setting}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}
