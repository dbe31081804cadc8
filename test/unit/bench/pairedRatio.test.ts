/** The statistics the benchmarks' verdicts rest on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interval, robustInterval, wilcoxonK } from '../../bench/pairedRatio';

/** A seeded uniform [0, 1) generator (mulberry32), so the simulations repeat. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('the signed-rank critical values match the published table', () => {
  assert.deepEqual([10, 20, 30, 40].map(wilcoxonK), [8, 52, 137, 264]);
});

test('a run of identical ratios gives that ratio with a zero-width interval', () => {
  for (const f of [robustInterval, interval]) {
    const r = f(Array(30).fill(1.02));
    assert.ok(Math.abs(r.mean - 1.02) < 1e-12 && Math.abs(r.low - 1.02) < 1e-12 && Math.abs(r.high - 1.02) < 1e-12, JSON.stringify(r));
  }
});

/** 40 pair ratios around `truth` as on the shared VM: ±1.5 % mostly, one pair in ten off by up to ±35 %. */
function pairs(truth: number, next: () => number): number[] {
  return Array.from({ length: 40 }, () => {
    const noise = next() < 0.1 ? (next() - 0.5) * 0.7 : (next() + next() + next() - 1.5) * 0.03;
    return truth * Math.exp(noise);
  });
}

test('with heavy-tailed pairs the robust interval covers the true ratio at least 90 % of the time and is narrower than the t interval', () => {
  const next = rng(7);
  let covered = 0;
  let narrower = 0;
  const trials = 300;
  for (let i = 0; i < trials; i++) {
    const sample = pairs(1.02, next);
    const r = robustInterval(sample);
    const t = interval(sample);
    if (r.low <= 1.02 && 1.02 <= r.high) covered++;
    if (r.high - r.low < t.high - t.low) narrower++;
  }
  assert.ok(covered / trials >= 0.9, `covered ${covered} of ${trials}`);
  assert.ok(narrower / trials >= 0.8, `narrower in ${narrower} of ${trials}`);
});

test('a true ratio of 1.07 is never reported as within 1.05', () => {
  const next = rng(11);
  for (let i = 0; i < 200; i++) assert.ok(robustInterval(pairs(1.07, next)).high > 1.05);
});
