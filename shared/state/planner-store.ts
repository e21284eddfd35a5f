// Every repository the planner uses, over one StateTables.
import { DeltaTokenRepository } from './delta-tokens.js';
import { GroupCreationRepository } from './group-creations.js';
import { GroupRecheckRepository } from './group-rechecks.js';
import { GuardWindowRepository } from './guard-window.js';
import { HeldChangeRepository } from './held-changes.js';
import { MemberEntryRepository } from './member-entries.js';
import { NestingIndexRepository } from './nesting-index.js';
import { PlannedGroupRepository } from './planned-groups.js';
import { RoundJournalRepository } from './round-journal.js';
import { RoundMarkRepository } from './round-marks.js';
import { SafetyNetMarkRepository } from './safety-net-marks.js';
import type { TableStore } from '../ports/table-store.js';
import { TenantSettingsRepository } from './tenant-settings.js';

export interface PlannerStore {
  tokens: DeltaTokenRepository;
  groups: PlannedGroupRepository;
  members: MemberEntryRepository;
  settings: TenantSettingsRepository;
  journal: RoundJournalRepository;
  /** When the last successful round of each kind started (which pokes are already served). */
  marks: RoundMarkRepository;
  /** When the safety net last sent a poke. */
  safetyNet: SafetyNetMarkRepository;
  nesting: NestingIndexRepository;
  rechecks: GroupRecheckRepository;
  /** Deletion guard: the window and the held change sets. */
  guardWindow: GuardWindowRepository;
  held: HeldChangeRepository;
  /** Groups whose AD group is being created: their parents get the reference again once it landed. */
  creations: GroupCreationRepository;
}

export function createPlannerStore(tables: TableStore): PlannerStore {
  return {
    tokens: new DeltaTokenRepository(tables),
    groups: new PlannedGroupRepository(tables),
    members: new MemberEntryRepository(tables),
    settings: new TenantSettingsRepository(tables),
    journal: new RoundJournalRepository(tables),
    marks: new RoundMarkRepository(tables),
    safetyNet: new SafetyNetMarkRepository(tables),
    nesting: new NestingIndexRepository(tables),
    rechecks: new GroupRecheckRepository(tables),
    guardWindow: new GuardWindowRepository(tables),
    held: new HeldChangeRepository(tables),
    creations: new GroupCreationRepository(tables),
  };
}
