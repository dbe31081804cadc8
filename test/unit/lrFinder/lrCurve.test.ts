/** The range test's arithmetic on curves whose answers are known in closed form. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SmoothedLoss, analyzeCurve, rateAt } from '../../../src/diagnostics/lrCurve';

const args = (steps: number, more = {}) => ({ start: 1e-6, end: 1, steps, beta: 0.9, divergeFactor: 4, burnIn: 5, ...more });
const rates = (steps: number) => Array.from({ length: steps }, (_, i) => rateAt(1e-6, 1, steps, i));

describe('learning-rate curve', () => {
  test('rates grow exponentially from start to end', () => {
    const r = rates(7);
    assert.ok(Math.abs(r[0] - 1e-6) < 1e-18 && Math.abs(r[6] - 1) < 1e-12);
    for (let i = 1; i < 7; i++) assert.ok(Math.abs(r[i] / r[i - 1] - 10) < 1e-9, 'one decade per step');
  });

  test('bias correction: a constant loss smooths to itself from the first step', () => {
    const s = new SmoothedLoss(0.98);
    for (let i = 0; i < 20; i++) assert.ok(Math.abs(s.push(3) - 3) < 1e-12);
  });

  test('a logistic drop in log10(rate) centred at 1e-3: steepest point there, suggestion with its reasons', () => {
    const lr = rates(121);
    // loss = 1 + 4 / (1 + e^(3 (log10 lr + 3))): falls fastest at lr = 1e-3.
    const loss = lr.map((r) => 1 + 4 / (1 + Math.exp(3 * (Math.log10(r) + 3))));
    const a = analyzeCurve(lr, loss, args(121, { beta: 0 }));
    assert.ok(a.steepest && Math.abs(Math.log10(a.steepest.lr) + 3) < 0.06, `steepest at ${a.steepest?.lr}`);
    assert.equal(a.suggestion.lr, a.steepest!.lr);
    assert.equal(a.diverged, undefined);
    assert.match(a.suggestion.reason.join('\n'), /did not diverge up to 1\.[\s\S]*steepest descent between there and the minimum at 0\.001:/);
    assert.match(a.suggestion.reason.at(-1)!, /still falling at the end of the range/);
  });

  test('divergence: the diverged step is reported and not judged', () => {
    const lr = rates(60);
    const loss = lr.map((r, i) => (i < 50 ? 1 + 4 / (1 + Math.exp(3 * (Math.log10(r) + 3))) : 1e3));
    const a = analyzeCurve(lr.slice(0, 51), loss.slice(0, 51), args(60, { beta: 0, diverged: { index: 50, why: 'test' } }));
    assert.equal(a.diverged?.index, 50);
    assert.ok(a.minimum!.index < 50);
    assert.match(a.suggestion.reason[1], /diverged at .*\(test\)/);
  });

  test('too few steps after the burn-in: no suggestion, and why', () => {
    const lr = rates(8);
    const a = analyzeCurve(lr, lr.map(() => 1), args(8, { burnIn: 6 }));
    assert.equal(a.suggestion.lr, undefined);
    assert.match(a.suggestion.reason.at(-1)!, /Too few steps after the burn-in/);
  });
});
