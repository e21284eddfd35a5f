// npm run scenario -- FILE [--dump OUT.json] [--keep]   (docs/scenarios.md)
import { readFile } from 'node:fs/promises';
import { describeSambaDc } from '../stack/samba.js';
import { createLogger } from '../../shared/logging.js';
import { exitWithUsage, parseCommandLine } from '../command-line.js';
import { runScenario } from './runner.js';
import { parseScenario, ScenarioError } from './validate.js';

const USAGE = `usage: npm run scenario -- FILE [--dump OUT.json] [--keep]
  FILE             a scenario (docs/scenarios.md)
  --dump OUT.json  write what AD and the status table hold at the end (and at each checkpoint)
  --keep           leave the Samba DC and the run's OUs in place afterwards, and print how to reach them`;

async function main(): Promise<number> {
  const args = parseCommandLine(USAGE, { allowPositionals: true, options: { dump: { type: 'string' }, keep: { type: 'boolean', default: false } } });
  const file = args.positionals[0];
  if (file === undefined) exitWithUsage(USAGE, 'a scenario FILE is required');
  if (args.positionals.length > 1) exitWithUsage(USAGE, `one scenario FILE, not ${args.positionals.length}`);
  let scenario;
  try {
    scenario = parseScenario(await readFile(file, 'utf8'));
  } catch (e) {
    if (e instanceof ScenarioError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(`${file}: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
  const log = createLogger('scenario', process.env['LOG_LEVEL'] ?? 'warn');
  const result = await runScenario(scenario, {
    log,
    keep: args.values.keep,
    ...(args.values.dump !== undefined ? { dumpPath: args.values.dump } : {}),
  });
  for (const f of result.failures) console.error(`pipeline failure: ${f}`);
  console.log(`${scenario.name}: ${result.dump.groups.length} group(s) in ${result.dump.ou}${result.exitCode === 0 ? '' : ' (with failures)'}`);
  if (result.stack) {
    console.log(describeSambaDc(result.stack.dc));
    console.log(`writeback OU: ${result.stack.writebackOu}`);
    console.log('the DC keeps running; the rest of the pipeline stops with this process.');
    await result.stack.stop({ keepAd: true });
  }
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
