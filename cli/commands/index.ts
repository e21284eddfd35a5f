// Every gwb command, in the order `gwb --help` lists them.
import type { Command } from '../command.js';
import { approveCommand, rejectCommand } from './approve.js';
import { deadLettersCommand, resubmitCommand } from './dead-letters.js';
import { groupCommand } from './group.js';
import { heldCommand } from './held.js';
import { previewCommand } from './preview.js';
import { relaysCommand } from './relays.js';
import { resyncCommand } from './resync.js';
import { settingsCommand } from './settings.js';
import { statusCommand } from './status.js';
import { syncCommand } from './sync.js';
import { writebackCommand } from './writeback.js';

export const COMMANDS: readonly Command[] = [
  statusCommand,
  groupCommand,
  previewCommand,
  syncCommand,
  resyncCommand,
  heldCommand,
  approveCommand,
  rejectCommand,
  settingsCommand,
  relaysCommand,
  deadLettersCommand,
  resubmitCommand,
  writebackCommand,
];
