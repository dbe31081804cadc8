/**
 * The renderer's pure parts in plain Node (no browser): series reduction keeps spikes and gaps,
 * validation names the first bad field, log-axis ticks and number formats read as a practitioner
 * expects.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logTick } from '../../../renderers/charts';
import { fmtNum, fmtPct } from '../../../renderers/format';
import { finiteRange, pointsPerLine, toPoints, valueAt } from '../../../renderers/series';
import { validateSnapshot } from '../../../renderers/validate';
import { healthy, malformed } from './fixtures/scenarios';
import { startHarness } from './harness';

describe('series reduction', () => {
  const n = 10_000;
  const steps = Array.from({ length: n }, (_, i) => i);
  const values: (number | null)[] = steps.map((i) => 1 + Math.sin(i / 50) * 0.1);
  values[4321] = 50; // one spike
  values[7000] = null; // one non-finite step

  test('short series pass through unchanged', () => {
    const pts = toPoints({ step: [1, 2, 3], value: [0.5, null, 2] });
    assert.deepEqual(pts, [{ x: 1, y: 0.5 }, { x: 2, y: null }, { x: 3, y: 2 }]);
  });

  test('a 10 000-point series is reduced to the budget yet keeps the spike, the gap and step order', () => {
    const pts = toPoints({ step: steps, value: values }, 600);
    assert.ok(pts.length <= 600, `${pts.length} points`);
    assert.ok(pts.some((p) => p.x === 4321 && p.y === 50), 'spike lost');
    assert.ok(pts.some((p) => p.x === 7000 && p.y === null), 'gap lost');
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i].x > pts[i - 1].x, `not ascending at ${i}`);
    const ys = pts.filter((p) => p.y !== null).map((p) => p.y as number);
    assert.equal(Math.min(...ys), Math.min(...(values.filter((v) => v !== null) as number[])));
  });

  test('a series the kernel downsampled is drawn from its min/max envelope, so an averaged spike shows', () => {
    const s = { step: [0, 100, 200], value: [1, 1.5, 1], min: [0.9, 0.95, 0.9], max: [1.1, 40, 1.1] };
    const pts = toPoints(s);
    assert.ok(pts.some((p) => p.x === 100 && p.y === 40), JSON.stringify(pts));
    assert.ok(pts.some((p) => p.x === 0 && p.y === 0.9));
    const gap = toPoints({ ...s, value: [1, null, 1] });
    assert.ok(gap.some((p) => p.x === 100 && p.y === null) && !gap.some((p) => p.y === 40));
  });

  test('point budget per chart shrinks with the number of lines but never below 240', () => {
    assert.equal(pointsPerLine(2), 1200);
    assert.ok(pointsPerLine(52) * 52 <= 24_000);
    assert.equal(pointsPerLine(1000), 240);
  });

  test('finiteRange and valueAt', () => {
    assert.deepEqual(finiteRange({ step: [0, 1, 2], value: [null, 0, 4] }, true), { min: 4, max: 4 });
    assert.equal(valueAt({ step: [0, 10, 20], value: [1, 2, 3] }, 15), 2);
    assert.equal(valueAt({ step: [5], value: [1] }, 1), undefined);
  });
});

describe('payload validation', () => {
  test('a generated healthy snapshot is accepted', () => {
    assert.equal(validateSnapshot(healthy()).ok, true);
  });
  for (const m of malformed()) {
    test(`rejects: ${m.name}`, () => {
      const v = validateSnapshot(m.payload);
      assert.equal(v.ok, false);
      assert.match((v as { error: string }).error, m.expect);
    });
  }
  test('a string where a series value must be a number is named by path', () => {
    const s = healthy();
    (s.layers[2].sensitivityRms.value as unknown[])[0] = 'NaN';
    const v = validateSnapshot(s);
    assert.equal(v.ok, false);
    assert.equal((v as { error: string }).error, 'layers[2].sensitivityRms.value[0] must be a number or null');
  });
});

describe('formatting', () => {
  test('log ticks label powers of ten only', () => {
    assert.deepEqual([1e-7, 2e-7, 5e-3, 1e-3, 0.1, 1, 10, 1e5].map(logTick), ['1e-7', '', '', '0.001', '0.1', '1', '10', '1e5']);
  });
  test('numbers keep 3 significant digits and say non-finite for null', () => {
    assert.equal(fmtNum(0.000123456), '1.23e-4');
    assert.equal(fmtNum(1e-4), '1e-4');
    assert.equal(fmtNum(0.00012), '1.2e-4');
    assert.equal(fmtNum(250000), '2.5e5');
    assert.equal(fmtNum(2.34567), '2.35');
    assert.equal(fmtNum(null), 'non-finite');
    assert.equal(fmtNum(undefined), '—');
    assert.equal(fmtPct(0.72), '72.0 %');
  });
});

describe('test harness', () => {
  test('a machine without Chromium gets a clear message, not a playwright stack', async () => {
    await assert.rejects(startHarness('/nonexistent/chromium'), /Chromium not found at \/nonexistent\/chromium.*apt-get install chromium/);
  });
});
