import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SPREAD_MIN_STEPS, SPREAD_PROBES, Sampler } from '../../../src/diagnostics/sampler';

/** Steps probed over `first…last` by a sampler whose probes cost `probeMs` and steps `stepMs` (own clock). */
function simulate(s: Sampler, first: number, last: number, probeMs: number, stepMs = 10, meterMs = 0, clock = { t: 0 }): number[] {
  const probed: number[] = [];
  for (let step = first; step <= last; step++) {
    s.stepBegan();
    const due = s.due(step);
    if (due) { clock.t += 0.3 * probeMs; s.spent(0.3 * probeMs); } // the weight copy, before the step
    clock.t += stepMs + meterMs;
    s.stepEnded(meterMs);
    if (due) { probed.push(step); clock.t += 0.7 * probeMs; s.spent(0.7 * probeMs, probeMs); }
  }
  return probed;
}

const maxGap = (v: number[]) => Math.max(...v.slice(1).map((x, i) => x - v[i]));

test('a long run gets its 32 spread probes even when each probe costs far more than the budget', () => {
  const clock = { t: 0 };
  const s = new Sampler({ firstStep: 0, lastStep: 1409, fixed: 0, maxOverhead: 0.02, now: () => clock.t });
  const probed = simulate(s, 0, 1409, 1e4, 10, 0, clock);
  assert.equal(probed.length, SPREAD_PROBES);
  assert.equal(probed[0], 0);
  assert.equal(probed.at(-1), 1409);
  assert.ok(maxGap(probed) <= Math.ceil(1409 / 31), `gaps up to ${maxGap(probed)}`);
  assert.equal(s.totals.probes, 32);
  assert.equal(s.interval, Math.round(1410 / 32));
});

test('a run shorter than 64 steps is probed at every step; one of 64 steps at 32 spread ones', () => {
  const short = new Sampler({ firstStep: 100, lastStep: 139, fixed: 0, maxOverhead: 0.02 });
  assert.deepEqual(simulate(short, 100, 139, 1e4), Array.from({ length: 40 }, (_, i) => 100 + i));
  const just = new Sampler({ firstStep: 0, lastStep: SPREAD_MIN_STEPS - 1, fixed: 0, maxOverhead: 0.02 });
  const p = simulate(just, 0, SPREAD_MIN_STEPS - 1, 1e4);
  assert.equal(p.length, 32);
  assert.ok(maxGap(p) <= 3);
});

test('within the budget it probes more than the planned 32, and keeps the extras within its share', () => {
  // 3000 steps of 10 ms with a 2 % share: 600 ms for the monitor.
  for (const cost of [0.5, 1, 2, 4.5, 8, 15]) {
    const clock = { t: 0 };
    const s = new Sampler({ firstStep: 0, lastStep: 2999, fixed: 0, maxOverhead: 0.02, now: () => clock.t });
    const probed = simulate(s, 0, 2999, cost, 10, 0, clock);
    const { monitorMs, trainMs } = s.totals;
    assert.equal(trainMs, 30000);
    assert.ok(monitorMs <= 0.02 * trainMs + 2 * cost, `probes of ${cost} ms: monitor ${monitorMs} ms of ${trainMs} ms`);
    assert.ok(monitorMs >= 0.85 * 0.02 * trainMs, `probes of ${cost} ms: only ${probed.length} probes, ${monitorMs} ms`);
    assert.ok(probed.length > 32, `${probed.length} probes`);
    assert.ok(Math.abs(s.interval - 3000 / probed.length) <= 1, `sampleEvery ${s.interval} for ${probed.length} probes`);
  }
});

test('the per-step gradient-norm metering is its own account and leaves the probes their budget', () => {
  const clock = { t: 0 };
  const s = new Sampler({ firstStep: 0, lastStep: 2999, fixed: 0, maxOverhead: 0.02, now: () => clock.t });
  // Metering costs half a step, every step; probes cost 1 ms.
  const probed = simulate(s, 0, 2999, 1, 10, 5, clock);
  const t = s.totals;
  assert.equal(t.meterMs, 3000 * 5);
  assert.ok(Math.abs(t.trainMs - 30000) < 1e-6, `${t.trainMs}`);
  assert.ok(Math.abs(t.monitorMs - t.meterMs - probed.length) < 1e-6, 'monitorMs = metering + probes');
  assert.ok(probed.length >= 0.85 * 600, `${probed.length} probes of 1 ms in a 600 ms budget`);
});

test('a run of unknown length is probed throughout: every step of the first 64, then 32 per doubling', () => {
  const s = new Sampler({ firstStep: 0, fixed: 0, maxOverhead: 0.02 });
  const probed = simulate(s, 0, 4095, 1e4);
  assert.deepEqual(probed.slice(0, 64), [...Array(64).keys()]);
  for (const end of [64, 100, 500, 1000, 4095]) {
    const within = probed.filter((p) => p <= end);
    assert.ok(within.length >= 32, `${within.length} probes up to step ${end}`);
    assert.ok(end - within.at(-1)! <= Math.max(1, end / 32), `last probe ${within.at(-1)} before step ${end}`);
  }
  assert.equal(probed.filter((p) => p >= 2048).length, 32);
  assert.equal(probed.length, 64 + 32 * Math.log2(4096 / 64));
});

test('fit calls continuing one run follow the open-ended plan: a loop of 100 × 36 steps is probed throughout, not at every step', () => {
  const s = new Sampler({ firstStep: 0, lastStep: 35, fixed: 0, maxOverhead: 0.02 });
  const probed = simulate(s, 0, 35, 1e4);
  assert.equal(probed.length, 36, 'a 36-step first call: every step');
  for (let call = 1; call < 100; call++) {
    s.continueTo(call * 36 + 35);
    probed.push(...simulate(s, call * 36, call * 36 + 35, 1e4));
  }
  assert.ok(probed.length < 400, `${probed.length} probes in 3600 steps`);
  assert.ok(probed.filter((p) => p >= 1800).length >= 32, 'the second half has its share');
  assert.ok(maxGap(probed) <= 64, `gaps up to ${maxGap(probed)}`);
});

test('fixed sampling probes every N steps and the last', () => {
  const s = new Sampler({ firstStep: 0, lastStep: 10, fixed: 4, maxOverhead: 0.03 });
  assert.deepEqual([...Array(11).keys()].filter((k) => s.due(k)), [0, 4, 8, 10]);
});
