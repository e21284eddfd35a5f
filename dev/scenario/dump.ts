// The dump a scenario run writes (docs/scenarios.md, Dump): the writeback OU as AD holds it, plus the
// product's own per-group status.
export interface DumpGroup {
  cn: string;
  dn: string;
  objectGUID: string;
  objectSid: string;
  sAMAccountName: string;
  groupType: number;
  adminDescription: string | null;
  displayName: string | null;
  description: string | null;
  mail: string | null;
  mailNickname: string | null;
  proxyAddresses: string[];
  members: string[];
}

export interface DumpStatus {
  groupId: string;
  state: string;
  errors: { member: string; code: string; message: string }[];
}

export interface Dump {
  ou: string;
  groups: DumpGroup[];
  status: DumpStatus[];
  /** Only when the run did not settle: what was still in flight. */
  inFlight?: string[];
}

/** OUT.json -> OUT.<name>.json, as the format specifies for checkpoints. */
/** The checkpoint name of AD Connect's OU as the runner made it, before step 1 (ad.writtenByAadc); reserved. */
export const AADC_CHECKPOINT = 'writtenByAadc';

export function checkpointPath(out: string, name: string): string {
  return out.endsWith('.json') ? `${out.slice(0, -'.json'.length)}.${name}.json` : `${out}.${name}.json`;
}
