/**
 * The fast part of the labelled corpus (test/bench/corpus/scenarios.ts, scenarios marked `fast`):
 * each scenario trains as its source does and must get every finding an expert expects, none that
 * is neither expected nor allowed, and name the layers it must. The whole corpus, with precision,
 * recall and the confusion matrix, is `npm run bench -- corpus`.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { scenarios } from '../../bench/corpus/scenarios';
import { report, runScenario, type Outcome } from '../../bench/corpus/evaluate';

describe('labelled corpus (fast subset)', () => {
  const outcomes: Outcome[] = [];
  before(async () => { await tf.setBackend('cpu'); });
  after(() => { if (outcomes.length) console.log(report(outcomes)); });

  test('the fast subset has healthy and broken scenarios', () => {
    const fast = scenarios.filter((s) => s.fast);
    assert.ok(fast.some((s) => s.healthy) && fast.some((s) => !s.healthy));
    assert.ok(scenarios.length >= 30, `${scenarios.length} scenarios`);
  });

  for (const s of scenarios.filter((x) => x.fast)) {
    test(`${s.id} (${s.source}): ${s.expect.length ? s.expect.join(', ') : 'no finding'}`, async () => {
      const o = await runScenario(s);
      outcomes.push(o);
      const detail = o.snapshot.findings.map((f) => `${f.code}: ${f.message}`).join('\n');
      assert.deepEqual(o.missed, [], `missed; found:\n${detail}`);
      assert.deepEqual(o.falsePositives, [], `false findings:\n${detail}`);
      assert.deepEqual(o.wrongLayers, [], 'findings on the wrong layers');
    });
  }
});
