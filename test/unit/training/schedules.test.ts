import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as schedules from '../../../src/training/schedules';

const close = (a: number, b: number, rel = 1e-12) =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

describe('learning-rate schedules reproduce their equations', () => {
  const ts = [0, 1, 7, 100, 499, 500, 1000, 2500, 10000];

  test('power: η0 / (1 + t/s)^c', () => {
    for (const c of [1, 0.5, 2]) {
      const s = schedules.power({ initial: 0.01, steps: 500, power: c });
      for (const t of ts) close(s.lr(t), 0.01 / (1 + t / 500) ** c);
    }
    assert.equal(schedules.power({ initial: 0.01, steps: 500 }).lr(500), 0.005);
    assert.equal(schedules.power({ initial: 0.01, steps: 500 }).kind, 'power');
  });

  test('exponential: η0 · 0.1^(t/s), ÷10 every s steps', () => {
    const s = schedules.exponential({ initial: 0.02, steps: 1000 });
    for (const t of ts) close(s.lr(t), 0.02 * 0.1 ** (t / 1000));
    close(s.lr(2000), 0.0002);
    close(s(1000), 0.002); // callable as a plain function too
  });

  test('piecewise: Keras PiecewiseConstantDecay boundaries (≤ keeps the earlier value)', () => {
    const s = schedules.piecewise({ boundaries: [10, 30], values: [0.1, 0.05, 0.01] });
    const expected: [number, number][] = [[0, 0.1], [10, 0.1], [11, 0.05], [30, 0.05], [31, 0.01], [1e6, 0.01]];
    for (const [t, v] of expected) assert.equal(s.lr(t), v);
  });

  test('cosine: min + (η0 − min)(1 + cos(π·min(t,s)/s))/2', () => {
    const s = schedules.cosine({ initial: 0.1, steps: 1000, min: 0.001 });
    for (const t of ts) close(s.lr(t), 0.001 + (0.099 * (1 + Math.cos((Math.PI * Math.min(t, 1000)) / 1000))) / 2);
    close(s.lr(500), 0.0505);
    close(s.lr(5000), 0.001);
  });

  test('oneCycle: up from max/10 to max, back down, then annihilation to start/1000', () => {
    const n = 1000;
    const s = schedules.oneCycle({ max: 0.05, steps: n });
    const lastSteps = Math.floor(n / 10) + 1; // 101
    const h = Math.floor((n - lastSteps) / 2); // 449
    close(s.lr(0), 0.005);
    close(s.lr(h), 0.05);
    close(s.lr(Math.floor(h / 2)), 0.005 + (0.045 * Math.floor(h / 2)) / h);
    close(s.lr(h + 100), 0.05 - (0.045 * 100) / h);
    close(s.lr(2 * h), 0.005);
    close(s.lr(2 * h + 50), 0.005 + ((0.000005 - 0.005) * 50) / (n - 2 * h));
    close(s.lr(n), 0.000005);
    close(s.lr(n + 10), 0.000005);
  });

  test('bad arguments get clear messages', () => {
    assert.throws(() => schedules.power({ initial: -1, steps: 10 }), /power: `initial` must be a positive/);
    assert.throws(() => schedules.exponential({ initial: 0.1, steps: 0 }), /`steps` must be a positive/);
    assert.throws(
      () => schedules.piecewise({ boundaries: [10], values: [0.1] }),
      /one more entry than `boundaries`/,
    );
    assert.throws(() => schedules.piecewise({ boundaries: [10, 5], values: [1, 2, 3] }), /strictly increasing/);
    assert.throws(() => schedules.cosine({ initial: 0.1, steps: 10, min: 1 }), /must not exceed/);
    assert.throws(() => schedules.exponential({ initial: 0.1, steps: 10 }).lr(-1), /step must be a number ≥ 0/);
  });

  test('toSchedule accepts plain functions and { lr } objects', () => {
    const f = schedules.toSchedule((t) => 1 / (t + 1))!;
    assert.equal(f.kind, 'custom');
    assert.equal(f.lr(3), 0.25);
    const o = schedules.toSchedule({ lr: (t: number) => t * 2, kind: 'mine' })!;
    assert.equal(o.lr(2), 4);
    assert.equal(o.kind, 'mine');
    assert.throws(() => schedules.toSchedule(42 as never), /`schedule` must be a function/);
  });
});
