#!/usr/bin/env node
// `gwb`, the group writeback admin command line (docs/admin.md): the process around cli/run.ts.
import { run } from './run.js';
import { processTerminal } from './terminal.js';

process.exitCode = await run(process.argv.slice(2), processTerminal());
