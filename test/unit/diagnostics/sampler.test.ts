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

test('adaptive sampling keeps everything the monitor spends, the forced last probe included, within its share', () => {
  // 300 steps of 10 ms with a 2 % share: 60 ms for the monitor, whatever one probe costs.
  for (const cost of [0.5, 1, 2, 3, 4.5, 6, 8]) {
    let clock = 0;
    const s = new Sampler(0, 299, 0, 0.02, () => clock);
    let probes = 0;
    for (let step = 0; step <= 299; step++) {
      s.stepBegan();
      const due = s.due(step);
      if (due) { clock += 0.3 * cost; s.spent(0.3 * cost); } // the weight snapshot, before the step
      clock += 10; // the training step
      s.stepEnded();
      if (due) { probes++; clock += 0.7 * cost; s.spent(0.7 * cost, cost); }
    }
    const { monitorMs, trainMs } = s.totals;
    assert.equal(trainMs, 3000);
    assert.ok(monitorMs <= 0.02 * trainMs, `probes of ${cost} ms: monitor ${monitorMs} ms of ${trainMs} ms training`);
    // …and it uses the budget rather than probing only the first and the last step.
    assert.ok(monitorMs >= 0.85 * 0.02 * trainMs, `probes of ${cost} ms: only ${probes} probes, ${monitorMs} ms`);
  }
});
