// Runs the planner round after round the way the delta round does: the previous state and stored member
// entries go in, the next ones are kept, and every message is checked against the wire contract.
import { expect } from 'vitest';
import { writebackMessageSchema } from '../../../shared/contracts/writeback-message.js';
import { MemberIdentityList } from '../../../shared/domain/member-list.js';
import type { MemberEntry } from '../../../shared/domain/members.js';
import type { CloudGroup, GroupLifecycle, MemberIdentity, WritebackMessage } from '../../../shared/domain/model.js';
import type { PlannedGroup } from '../../../shared/domain/planned-state.js';
import { plan, type Membership, type PlanInput, type PlanMode, type PlanResult } from '../../../shared/domain/planner.js';
import type { TenantSettings } from '../../../shared/domain/settings.js';
import { settings as defaultSettings, TENANT } from './fixtures.js';

export interface Step {
  cloud?: CloudGroup | null;
  lifecycle?: GroupLifecycle;
  /** A complete list given by ids: the harness gives each the identity it knows (none: not found). */
  membership?: Membership | { kind: 'complete'; memberIds: readonly string[] };
  mode?: PlanMode;
  settings?: TenantSettings;
  repairAfterSeq?: number;
  budgetBytes?: number;
  /** The round's seq floor; 0 (none) unless a test is about it, so seqs here count 1, 2, 3... */
  seqFloor?: number;
}

export class GroupHarness {
  state: PlannedGroup | null = null;
  entries = new Map<string, MemberEntry>();
  sent: WritebackMessage[] = [];
  identities = new Map<string, MemberIdentity>();
  writtenGroups = new Set<string>();

  constructor(readonly groupId: string) {}

  know(...ids: MemberIdentity[]): this {
    for (const i of ids) this.identities.set(i.id, i);
    return this;
  }

  private membership(m: Step['membership']): Membership {
    if (m === undefined) return { kind: 'none' };
    if (m.kind !== 'complete' || !('memberIds' in m)) return m;
    const members = new MemberIdentityList();
    for (const id of m.memberIds) members.push(id, this.identities.get(id));
    return { kind: 'complete', members };
  }

  input(step: Step): PlanInput {
    return {
      tenantId: TENANT,
      groupId: this.groupId,
      mode: step.mode ?? 'delta',
      previous: this.state,
      previousMembers: new Map(this.entries),
      lifecycle: step.lifecycle ?? 'present',
      cloud: step.cloud === undefined ? null : step.cloud,
      membership: this.membership(step.membership),
      identities: this.identities,
      nestedWritten: (id) => this.writtenGroups.has(id),
      settings: step.settings ?? defaultSettings(),
      seqFloor: step.seqFloor ?? 0,
      ...(step.repairAfterSeq === undefined ? {} : { repairAfterSeq: step.repairAfterSeq }),
      ...(step.budgetBytes === undefined ? {} : { budgetBytes: step.budgetBytes }),
    };
  }

  /** Plans and applies (state saved, members stored, messages "sent"). */
  step(step: Step): PlanResult {
    const result = plan(this.input(step));
    for (const m of result.messages) {
      const parsed = writebackMessageSchema.safeParse(m);
      expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(m), 'utf8')).toBeLessThanOrEqual(step.budgetBytes ?? 192 * 1024);
    }
    this.sent.push(...result.messages);
    this.state = result.next;
    if (result.members?.kind === 'replace') this.entries = new Map([...result.members.entries.inIdOrder()].map((e) => [e.cloudId, e]));
    else if (result.members?.kind === 'patch') {
      for (const id of result.members.remove) this.entries.delete(id);
      for (const e of result.members.upsert) this.entries.set(e.cloudId, e);
    }
    return result;
  }
}
