// Compares a scenario dump with an expectation file (test/scenarios/NAME.expect.json):
// - groups: the exact list of groups (by cn, in dump order); each listed field must equal the dump's value;
//   "$capture:X" remembers a value, "$same:X" requires the remembered one (a rename keeps objectGUID/SID).
// - status: per group id, an expected state and/or the member ids that carry errors.
import type { Dump } from '../../dev/scenario/dump.js';
import { isGroupAnchor } from '../../shared/domain/naming.js';

export interface ExpectedDump {
  groups?: Record<string, unknown>[];
  status?: Record<string, { state?: string; errorMembers?: string[] }>;
}

export interface ExpectationFile {
  checkpoints?: Record<string, ExpectedDump>;
  final: ExpectedDump;
}

export function compareDump(label: string, dump: Dump, expected: ExpectedDump, captures: Map<string, unknown>): string[] {
  const problems: string[] = [];
  if (expected.groups) {
    const cns = dump.groups.map((g) => g.cn);
    const want = expected.groups.map((g) => g['cn']);
    if (JSON.stringify(cns) !== JSON.stringify(want)) {
      problems.push(`${label}: groups are ${JSON.stringify(cns)}, expected ${JSON.stringify(want)}`);
    } else {
      expected.groups.forEach((eg, i) => {
        const g = dump.groups[i] as unknown as Record<string, unknown>;
        for (const [key, value] of Object.entries(eg)) {
          const actual = g[key];
          if (typeof value === 'string' && value.startsWith('$capture:')) {
            captures.set(value.slice('$capture:'.length), actual);
          } else if (typeof value === 'string' && value.startsWith('$same:')) {
            const name = value.slice('$same:'.length);
            if (!captures.has(name)) problems.push(`${label}: ${String(eg['cn'])}.${key}: nothing captured as ${name}`);
            else if (captures.get(name) !== actual)
              problems.push(`${label}: ${String(eg['cn'])}.${key} is ${String(actual)}, expected the same as before (${String(captures.get(name))})`);
          } else if (JSON.stringify(actual) !== JSON.stringify(value)) {
            problems.push(`${label}: ${String(eg['cn'])}.${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
          }
        }
        // Invariants every written-back group has, whatever the scenario.
        if (!isGroupAnchor(String(g['adminDescription'])))
          problems.push(`${label}: ${String(eg['cn'])} carries no anchor (adminDescription ${String(g['adminDescription'])})`);
        if (g['groupType'] !== 8 && g['groupType'] !== -2147483640)
          problems.push(`${label}: ${String(eg['cn'])} groupType ${String(g['groupType'])} is not universal`);
      });
    }
  }
  for (const [groupId, want] of Object.entries(expected.status ?? {})) {
    const st = dump.status.find((s) => s.groupId === groupId);
    if (!st) {
      problems.push(`${label}: no status for group ${groupId}`);
      continue;
    }
    if (want.state !== undefined && st.state !== want.state)
      problems.push(`${label}: status of ${groupId} is ${st.state}, expected ${want.state}`);
    if (want.errorMembers !== undefined) {
      const got = [...new Set(st.errors.map((e) => e.member))].sort();
      if (JSON.stringify(got) !== JSON.stringify([...want.errorMembers].sort()))
        problems.push(`${label}: members with errors in ${groupId} are ${JSON.stringify(got)}, expected ${JSON.stringify(want.errorMembers)}`);
    }
  }
  return problems;
}
