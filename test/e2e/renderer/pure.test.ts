/**
 * The renderer's pure parts in plain Node (no browser): series reduction keeps spikes and gaps,
 * validation names the first bad field, log-axis ticks and number formats read as a practitioner
 * expects.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logTick, xMax } from '../../../renderers/charts';
import { epochAxisMax, eventEpoch } from '../../../renderers/epochChart';
import { clipLine } from '../../../renderers/gradNormChart';
import { lossText } from '../../../renderers/header';
import { colorBarTicks } from '../../../renderers/heatmap';
import { constantLr, lrScale } from '../../../renderers/learningRateChart';
import { kindLabel } from '../../../renderers/saturation';
import { pickLayers } from '../../../renderers/section';
import { evidenceLabel } from '../../../renderers/words';
import { fmtNum, fmtPct } from '../../../renderers/format';
import { finiteRange, pointsPerLine, toPoints, valueAt } from '../../../renderers/series';
import { validateSnapshot } from '../../../renderers/validate';
import { earlyStopped, exploding, healthy, malformed, vanishingSigmoid } from './fixtures/scenarios';
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

describe('axes and words', () => {
  test('step axes end at the plan while training and where the data ends once the run ended', () => {
    const live = vanishingSigmoid(); // training, 600 of 1 000 steps
    assert.equal(xMax(live), 1000);
    const stopped = earlyStopped(); // stopped after 600 of 1 500 planned steps
    assert.equal(xMax(stopped), 600);
    const failed = exploding(); // NaN at 340, data to 360 of 400
    assert.equal(xMax(failed), 360);
    assert.equal(epochAxisMax(stopped), 12);
    assert.equal(epochAxisMax(live), 10);
  });

  test('the LR axis: log beyond 10×, constant when flat, linear between', () => {
    assert.equal(lrScale(healthy()), 'log'); // 0.01 → 1e-4
    assert.equal(lrScale(vanishingSigmoid()), 'constant');
    assert.equal(constantLr(vanishingSigmoid()), 0.01);
    assert.equal(lrScale(earlyStopped()), 'linear'); // 1e-3 → 5e-4
    const jitter = vanishingSigmoid();
    jitter.training.lr.value = jitter.training.lr.value.map((v, i) => (v as number) * (1 + (i % 2 ? 1e-8 : -1e-8)));
    assert.equal(lrScale(jitter), 'constant', 'float32 rounding is not a schedule');
  });

  test('heatmap colour bar: powers of ten, never fractional exponents', () => {
    const t = colorBarTicks(-7.3, -1.4, 260).map((x) => x.text);
    assert.deepEqual(t, ['0.01', '0.001', '1e-4', '1e-5', '1e-6', '1e-7']);
    assert.ok(t.every((x) => !/e-?\d+\.\d/.test(x)), t.join(' '));
    const narrow = colorBarTicks(-1.8, -1.2, 260).map((x) => x.text);
    assert.deepEqual(narrow, ['0.0631', '0.0158'], 'no power of ten inside: the ends as numbers');
    const thin = colorBarTicks(-12, 0, 40);
    assert.ok(thin.length <= 3 && thin[0].text === '1', thin.map((x) => x.text).join(' '));
  });

  test('evidence keys in words; unknown keys split from camelCase', () => {
    assert.equal(evidenceLabel('bestValLoss'), 'best validation loss');
    assert.equal(evidenceLabel('rmsFirst'), 'RMS of ∂L/∂net, first layer');
    assert.equal(evidenceLabel('someNewKey'), 'some new key');
    assert.equal(evidenceLabel('__proto__'), 'proto', 'no prototype lookup');
  });

  test('the header’s loss says which loss it is', () => {
    const stopped = earlyStopped();
    assert.match(lossText(stopped), /^loss [\d.]+ \(epoch 12 mean\)$/);
    assert.match(lossText(vanishingSigmoid()), /\(last batch\)$/);
    assert.equal(lossText(exploding()), 'loss non-finite (last batch)', 'a NaN stop is not hidden behind an earlier epoch mean');
  });

  test('saturation rows name the activation a layer carries', () => {
    assert.equal(kindLabel('sigmoid', 'saturated', { className: 'BatchNormalization' }), 'batch norm → sigmoid after it: saturated');
    assert.equal(kindLabel('sigmoid', 'saturated', { className: 'Dense', activation: 'sigmoid' }), 'sigmoid: saturated');
    assert.equal(kindLabel('relu', 'dead', { className: 'Dense', activation: 'linear' }), 'Dense → relu after it: dead');
  });

  test('clip threshold line and event epochs', () => {
    const s = earlyStopped();
    assert.deepEqual(clipLine(s), { value: 1, label: 'globalClipnorm 1 (bounds this norm)' });
    s.training.clip = { clipnorm: 0.5 };
    assert.match(clipLine(s)!.label, /^clipnorm 0\.5 \(bounds each weight tensor’s norm\)$/);
    s.training.clip = { clipvalue: 0.1 };
    assert.equal(clipLine(s), undefined);
    const [lr, stop, best] = earlyStopped().training.events;
    assert.deepEqual([eventEpoch(lr), eventEpoch(stop), eventEpoch(best)], [10, 12, 7]);
  });

  test('deep models: evenly spaced layers, first, last and the findings’ kept', () => {
    const layers = Array.from({ length: 1000 }, (_, i) => ({ layer: `l${i}` }));
    const { shown } = pickLayers(layers, 100, new Set(['l555']));
    assert.ok(shown.length <= 102 && shown[0].layer === 'l0' && shown.at(-1)!.layer === 'l999' && shown.some((l) => l.layer === 'l555'));
    for (let i = 1; i < shown.length; i++) assert.ok(Number(shown[i].layer.slice(1)) > Number(shown[i - 1].layer.slice(1)));
  });
});

describe('test harness', () => {
  test('a machine without Chromium gets a clear message, not a playwright stack', async () => {
    await assert.rejects(startHarness('/nonexistent/chromium'), /Chromium not found at \/nonexistent\/chromium.*apt-get install chromium/);
  });
});
