import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler } from '../../../src/diagnostics/sampler';

test('adaptive sampling probes the first and the last step even when the first probe ate the budget', () => {
  const s = new Sampler(0, 9, 0, 0.03);
  const probed: number[] = [];
  for (let step = 0; step <= 9; step++) {
    s.stepBegan();
    const due = s.due(step);
    s.stepEnded();
    if (due) {
      probed.push(step);
      s.spent(1e6, 1e6); // far more than 3 % of any training time here
    }
  }
  assert.deepEqual(probed, [0, 9]);
});

test('fixed sampling probes every N steps and the last', () => {
  const s = new Sampler(0, 10, 4, 0.03);
  assert.deepEqual([...Array(11).keys()].filter((k) => s.due(k)), [0, 4, 8, 10]);
});

test('adaptive sampling counts the per-step gradient-norm metering against its budget', () => {
  const s = new Sampler(0, 99, 0, 0.03);
  const probed: number[] = [];
  for (let step = 0; step <= 99; step++) {
    s.stepBegan();
    const due = s.due(step);
    s.stepEnded(1e6); // each step spends far more than 3 % of any training time measuring norms
    if (due) {
      probed.push(step);
      s.spent(0, 0); // the probes themselves cost nothing here
    }
  }
  assert.deepEqual(probed, [0, 99]);
});
