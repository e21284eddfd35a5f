// Every scenario under test/scenarios/ through the whole local pipeline (Graph simulator -> webhook ->
// planner -> queue -> relay -> Samba AD DC), checked against its NAME.expect.json.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../dev/scenario/runner.js';
import { parseScenario } from '../../dev/scenario/validate.js';
import { AADC_CHECKPOINT } from '../../dev/scenario/dump.js';
import { silentLogger } from '../../shared/logging.js';
import { compareDump, type ExpectationFile } from '../support/expect-dump.js';

const dir = join(import.meta.dirname, '..', 'scenarios');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

describe('scenarios', () => {
  it('has at least six scenarios, each with an expectation file', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const n of names) expect(() => readFileSync(join(dir, `${n}.expect.json`))).not.toThrow();
  });

  for (const name of names) {
    it(name, { timeout: 240_000 }, async () => {
      const scenario = parseScenario(readFileSync(join(dir, `${name}.json`), 'utf8'));
      const expected = JSON.parse(readFileSync(join(dir, `${name}.expect.json`), 'utf8')) as ExpectationFile;
      const result = await runScenario(scenario, { log: silentLogger() });
      const captures = new Map<string, unknown>();
      const problems: string[] = [...result.failures];
      // AD Connect's groups as made before step 1, the checkpoints in the order the scenario writes them, then
      // the final dump.
      const dumps = [AADC_CHECKPOINT, ...scenario.steps.flatMap((st) => (st.op === 'checkpoint' ? [st.name] : []))];
      for (const checkpoint of dumps) {
        const want = expected.checkpoints?.[checkpoint];
        const got = result.checkpoints.get(checkpoint);
        if (want && got) problems.push(...compareDump(`checkpoint ${checkpoint}`, got, want, captures));
        else if (want) problems.push(`checkpoint ${checkpoint} was not written`);
      }
      problems.push(...compareDump('final', result.dump, expected.final, captures));
      expect(problems, JSON.stringify(result.dump, null, 1).slice(0, 4000)).toEqual([]);
      expect(result.exitCode).toBe(0);
    });
  }
});
