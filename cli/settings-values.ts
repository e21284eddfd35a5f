// `key=value` pairs of `gwb settings set` as a partial of the stored tenant settings: the names are the
// domain's (shared/domain/settings.ts), each value typed like its default (true/false, a whole number, a
// word; the settings whose default is null also take null: newUnifiedGroupWritebackDefault = follow Graph,
// memberLimit = no limit, which also takes a whole number). The API checks the values' types and ranges.
import { DEFAULT_STORED_SETTINGS, type StoredTenantSettings } from '../shared/domain/settings.js';

export const SETTING_NAMES = Object.keys(DEFAULT_STORED_SETTINGS) as (keyof StoredTenantSettings)[];

function isSettingName(name: string): name is keyof StoredTenantSettings {
  return (SETTING_NAMES as string[]).includes(name);
}

function typed(name: keyof StoredTenantSettings, raw: string): boolean | number | string | null | Error {
  const example = DEFAULT_STORED_SETTINGS[name];
  if (example === null || typeof example === 'boolean') {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    if (example === null && raw === 'null') return null;
    if (example === null && /^\d+$/.test(raw)) return Number(raw);
    return new Error(`${name} takes ${example === null ? 'true, false, a whole number or null' : 'true or false'}`);
  }
  if (typeof example === 'number') return /^\d+$/.test(raw) ? Number(raw) : new Error(`${name} takes a whole number`);
  return raw;
}

/** The patch, or the first problem in words. */
export function parseSettings(pairs: readonly string[]): Partial<Record<keyof StoredTenantSettings, unknown>> | Error {
  const patch: Partial<Record<keyof StoredTenantSettings, unknown>> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    if (at < 0) return new Error(`"${pair}" is not key=value`);
    if (!isSettingName(name)) return new Error(`unknown setting "${name}"; settings: ${SETTING_NAMES.join(', ')}`);
    const value = typed(name, pair.slice(at + 1).trim());
    if (value instanceof Error) return value;
    patch[name] = value;
  }
  return patch;
}
