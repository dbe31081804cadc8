/**
 * Each rule on constructed series: built to trigger it, and a healthy run that must not. (The same
 * rules on real small trainings are in monitor.test.ts.)
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules } from '../../../src/diagnostics/rules';
import { DEFAULT_THRESHOLDS } from '../../../src/diagnostics/thresholds';
import { healthyLoss, runView, type LayerSpec } from './runView';

const codes = (v: ReturnType<typeof runView>) => evaluateRules(v).map((f) => f.code);
const healthyLayers: LayerSpec[] = [
  { name: 'd1', sens: 2e-3, updateRatio: 1e-3, gradNorm: [0.5, 0.4, 0.45], saturation: { kind: 'relu', zero: 0.5, dead: 0.02 } },
  { name: 'd2', sens: 4e-3, updateRatio: 2e-3, gradNorm: [0.5, 0.4, 0.45], saturation: { kind: 'relu', zero: 0.45, dead: 0.0 } },
  { name: 'out', activation: 'softmax', sens: 1e-2, updateRatio: 1e-3, gradNorm: [0.3, 0.3, 0.3], saturation: { kind: 'softmax', mean: 0.1, std: 0.2 } },
];

describe('rules on constructed series', () => {
  test('a healthy run has no findings', () => {
    assert.deepEqual(codes(runView({ layers: healthyLayers, loss: healthyLoss(60), epochLoss: [1, 0.6, 0.4, 0.3], epochValLoss: [1.1, 0.7, 0.5, 0.45], gradNormPreClip: [1, 1.2, 0.9, 1.1] })), []);
  });

  test('vanishing-gradient: sensitivity RMS falls more than 100× from last to first layer', () => {
    const layers: LayerSpec[] = [
      { name: 'd1', activation: 'sigmoid', sens: 1e-7, updateRatio: 1e-3 }, { name: 'd2', activation: 'sigmoid', sens: 1e-5, updateRatio: 1e-3 },
      { name: 'out', activation: 'sigmoid', sens: 1e-3, updateRatio: 1e-3 },
    ];
    const f = evaluateRules(runView({ layers, loss: healthyLoss(20) })).find((x) => x.code === 'vanishing-gradient');
    assert.ok(f);
    assert.deepEqual(f.layers, ['d1']);
    assert.equal(f.evidence.ratio, 1e4);
    assert.equal(f.fixes[0], 'activation-relu', 'sigmoid layers: switch to ReLU first (Géron ch. 11)');
    // exactly at the factor: not yet
    layers[0].sens = 1e-5;
    assert.ok(!codes(runView({ layers, loss: healthyLoss(20) })).includes('vanishing-gradient'));
  });

  test('vanishing-gradient: a first layer that gets no gradient at all is said so, not "Infinity×"', () => {
    const layers: LayerSpec[] = [
      { name: 'd1', activation: 'relu', sens: 0, updateRatio: 1e-3 }, { name: 'out', activation: 'sigmoid', sens: 1e-3, updateRatio: 1e-3 },
    ];
    const f = evaluateRules(runView({ layers, loss: healthyLoss(20) })).find((x) => x.code === 'vanishing-gradient');
    assert.ok(f);
    assert.match(f.message, /^no gradient reaches d1 \(sensitivity RMS 0, out 1(\.0)?e-3\)/);
    assert.doesNotMatch(f.message, /Infinity/);
  });

  test('vanishing-gradient: a layer whose update ratio is below 1e-5 while others learn', () => {
    const layers = healthyLayers.map((l) => ({ ...l }));
    layers[0].updateRatio = 3e-6;
    const f = evaluateRules(runView({ layers, loss: healthyLoss(20) })).find((x) => x.code === 'vanishing-gradient');
    assert.deepEqual(f?.layers, ['d1']);
    // Over the last probes, not the last one: stuck but for one larger last step still fires; one small last step does not.
    layers[0].updateRatio = [3e-6, 2e-6, 3e-6, 2e-6, 4e-3];
    assert.ok(codes(runView({ layers, loss: healthyLoss(20) })).includes('vanishing-gradient'));
    layers[0].updateRatio = [2e-3, 1e-3, 3e-3, 2e-3, 3e-6];
    assert.ok(!codes(runView({ layers, loss: healthyLoss(20) })).includes('vanishing-gradient'));
  });

  test('exploding-gradient: global norm up by 3 orders of magnitude, or a NaN gradient', () => {
    assert.ok(codes(runView({ layers: healthyLayers, loss: healthyLoss(20), gradNormPreClip: [1, 2, 10, 100, 1e3, 5e3] })).includes('exploding-gradient'));
    assert.ok(!codes(runView({ layers: healthyLayers, loss: healthyLoss(20), gradNormPreClip: [1, 2, 10, 100, 500] })).includes('exploding-gradient'));
    const layers = healthyLayers.map((l) => ({ ...l }));
    layers[1].gradNorm = [0.5, null];
    const f = evaluateRules(runView({ layers, loss: healthyLoss(20) })).find((x) => x.code === 'exploding-gradient');
    assert.equal(f?.severity, 'error');
    assert.deepEqual(f?.layers, ['d2']);
  });

  test('nan-loss: a null (NaN/Infinity) loss point', () => {
    const loss: (number | null)[] = healthyLoss(20);
    loss[12] = null;
    const f = evaluateRules(runView({ layers: healthyLayers, loss })).find((x) => x.code === 'nan-loss');
    assert.equal(f?.evidence.step, 12);
    assert.equal(f?.severity, 'error');
  });

  test('dead-relu: more than 40 % dead units', () => {
    const layers = healthyLayers.map((l) => ({ ...l }));
    layers[1].saturation = { kind: 'relu', zero: 0.8, dead: 0.55 };
    const f = evaluateRules(runView({ layers, loss: healthyLoss(20) })).filter((x) => x.code === 'dead-relu');
    assert.deepEqual(f.map((x) => x.layers), [['d2']]);
    assert.match(f[0].message, /d2: 55 % of units dead/);
    layers[1].saturation = { kind: 'relu', zero: 0.8, dead: DEFAULT_THRESHOLDS.deadReluFraction };
    assert.ok(!codes(runView({ layers, loss: healthyLoss(20) })).includes('dead-relu'));
  });

  test('saturated-sigmoid / saturated-tanh on hidden layers only, and only while learning is impaired', () => {
    const layers: LayerSpec[] = [
      { name: 'h1', activation: 'sigmoid', saturation: { kind: 'sigmoid', saturated: 0.6 }, updateRatio: 2e-6 },
      { name: 'h2', activation: 'tanh', saturation: { kind: 'tanh', saturated: 0.35 }, updateRatio: 5e-6 },
      { name: 'out', activation: 'sigmoid', saturation: { kind: 'sigmoid', saturated: 0.9 }, updateRatio: 3e-3 },
    ];
    const sat = (v: ReturnType<typeof runView>) => evaluateRules(v).filter((x) => x.code.startsWith('saturated')).map((x) => [x.code, x.layers[0]]);
    // Stalled: 2.30 falling under 1 % over the run.
    const stalled = Array.from({ length: 40 }, (_, i) => 2.3 - i * 1e-4 + 0.01 * Math.sin(i * 2.1));
    assert.deepEqual(sat(runView({ layers, loss: stalled })), [['saturated-sigmoid', 'h1'], ['saturated-tanh', 'h2']]);
    const f = evaluateRules(runView({ layers, loss: stalled })).find((x) => x.code === 'saturated-sigmoid')!;
    assert.match(f.message, /h1: 60 % of sigmoid activations saturated at step 39 \(threshold 30 %; .*the loss stalled: it fell 0 % over the last half of the run and 0 % overall \(stalled: under 1 %, the larger of 1 % and 3 standard errors of the batch noise, and under 50 % overall\)/);
    // A stall with every layer's updates tiny is the rate's (lr-too-low), not the saturation's.
    assert.deepEqual(sat(runView({ layers: layers.map((l) => ({ ...l, updateRatio: 1e-5 })), loss: stalled })), []);
    // The same saturation while the loss keeps falling is no finding.
    assert.deepEqual(sat(runView({ layers, loss: healthyLoss(40) })), []);
    // ... nor while training loss is flat but validation loss keeps falling.
    assert.deepEqual(sat(runView({ layers, loss: stalled, epochLoss: [2.3, 2.3, 2.3, 2.3, 2.3, 2.3], epochValLoss: [1, 0.8, 0.6, 0.5, 0.4, 0.3] })), []);
    layers[0].saturation = { kind: 'sigmoid', saturated: 0.2 };
    layers[1].saturation = { kind: 'tanh', saturated: 0.1 };
    assert.deepEqual(sat(runView({ layers, loss: stalled })), []);
  });

  test('saturated-tanh with a falling loss fires when the layer passes ever less of the output\'s gradient', () => {
    const layers: LayerSpec[] = [
      { name: 'rnn', activation: 'tanh', saturation: { kind: 'tanh', saturated: 0.5 }, sensSeries: [1e-2, 1e-2, 8e-3, 1e-3, 5e-4, 3e-4] },
      { name: 'out', activation: 'linear', sensSeries: [1e-2, 1e-2, 1e-2, 1e-2, 1e-2, 1e-2] },
    ];
    const f = evaluateRules(runView({ layers, loss: healthyLoss(40) })).find((x) => x.code === 'saturated-tanh');
    assert.ok(f);
    assert.equal(f.evidence.sensitivityDrop, 1e-2 / 5e-4);
    assert.match(f.message, /its sensitivity relative to out fell 2\.0e\+1× from step \d+ to step 39 \(threshold 10×\)/);
    // Both shrinking together (the loss falls, every gradient with it): saturation does no harm.
    layers[1].sensSeries = [1e-1, 1e-1, 8e-2, 1e-2, 5e-3, 3e-3];
    assert.ok(!codes(runView({ layers, loss: healthyLoss(40) })).includes('saturated-tanh'));
  });

  test('selu-not-normalizing: judged against the band self-normalization has at that depth and width', () => {
    const selu = (name: string, mean: number, std: number, units = 32): LayerSpec => ({ name, activation: 'selu', outputShape: [null, units], saturation: { kind: 'selu', negative: 0.4, mean, std } });
    const layers: LayerSpec[] = [selu('s1', 0.05, 0.97), selu('s2', 0.9, 2.1), selu('s3', 0.1, 1.5), selu('s4', 0.02, 4.3)];
    const f = evaluateRules(runView({ layers, loss: healthyLoss(20) })).filter((x) => x.code === 'selu-not-normalizing');
    // A deep layer of a healthy LeCun stack drifts to std 1.5 as training grows its weights (τ = Σw² to
    // ~1.2): inside the band. He init (τ = 2) pulls the output to std ~4.3: outside.
    assert.deepEqual(f.map((x) => x.layers[0]), ['s2', 's4']);
    assert.deepEqual(f[0].fixes, ['activation-selu']);
    assert.match(f[0].message, /s2: SELU output mean 0\.90, std 2\.10 at step 19, outside what self-normalization keeps at depth 2, 32 units, 32 probe samples \(mean -0\.\d\d to 0\.\d\d, std 0\.\d\d to 1\.\d\d\)/);
    // A 4-unit layer's statistics are noisier: the band is wider there.
    const narrow = evaluateRules(runView({ layers: [selu('n1', 0.5, 1.7, 4)], loss: healthyLoss(20) }));
    assert.deepEqual(narrow.map((x) => x.code), []);
    const wide = evaluateRules(runView({ layers: [selu('w1', 0.5, 1.7, 512)], loss: healthyLoss(20) }));
    assert.deepEqual(wide.map((x) => x.code), ['selu-not-normalizing']);
    // The same statistics on a convolution are not judged: the theorem is about dense layers.
    const conv = runView({ layers: [selu('c1', 0.5, 1.7, 512)], loss: healthyLoss(20) });
    conv.model.layers[0] = { ...conv.model.layers[0], className: 'Conv2D', outputShape: [null, 28, 28, 16] };
    assert.deepEqual(evaluateRules(conv).map((x) => x.code), []);
  });

  test('lr-too-high: loss rising, or oscillating without progress', () => {
    const rising = Array.from({ length: 30 }, (_, i) => 1 + i * 0.1);
    assert.ok(codes(runView({ layers: healthyLayers, loss: rising })).includes('lr-too-high'));
    const osc = Array.from({ length: 30 }, (_, i) => (i % 2 ? 0.3 : 2.5));
    assert.ok(codes(runView({ layers: healthyLayers, loss: osc })).includes('lr-too-high'));
    assert.ok(!codes(runView({ layers: healthyLayers, loss: rising.slice(0, DEFAULT_THRESHOLDS.minLossPoints - 1) })).includes('lr-too-high'), 'too few points to judge');
    const jumped = [4.5, 170, 340, 320, 56, 26, 35, 44, 74, 89, 42, 40, 47, 28, 45, 71, 15, 8.8, 20, 13, 33, 23, 14, 16];
    assert.ok(codes(runView({ layers: healthyLayers, loss: jumped })).includes('lr-too-high'), 'jumped far above the start and stayed');
    // A flat loss with ±25 % batch noise (and a low first batch) is not a learning-rate problem.
    const noisy = Array.from({ length: 40 }, (_, i) => (i === 0 ? 1.6 : 2 * (1 + 0.25 * Math.sin(i * 2.3))));
    assert.ok(!codes(runView({ layers: healthyLayers, loss: noisy })).includes('lr-too-high'));
    // A converged model's batch losses at its noise floor (±30 %): the last third's mean is 15 % above
    // the first's by chance, within the noise; the same 15 % on quiet batches is a real rise.
    const floor = [0.2, 0.35, 0.18, 0.3, 0.22, 0.16, 0.33, 0.2, 0.26, 0.21, 0.32, 0.2, 0.38, 0.19, 0.29];
    const chance = [...floor, ...floor.slice(5, 10).map((v) => v * 1.15)];
    assert.ok(!codes(runView({ layers: healthyLayers, loss: chance })).includes('lr-too-high'), 'a chance rise within the batch noise');
    const quiet = Array.from({ length: 15 }, (_, i) => 0.25 * (1 + 0.15 * i / 14) * (1 + 0.01 * Math.sin(i)));
    assert.ok(codes(runView({ layers: healthyLayers, loss: quiet })).includes('lr-too-high'), 'a 15 % rise on quiet batches');
  });

  test('lr-too-low: flat loss and every update ratio tiny', () => {
    const flat = Array.from({ length: 40 }, (_, i) => 2.3 - i * 1e-5);
    const layers = healthyLayers.map((l) => ({ ...l, updateRatio: 2e-6 }));
    assert.ok(codes(runView({ layers, loss: flat })).includes('lr-too-low'));
    assert.ok(!codes(runView({ layers: healthyLayers, loss: flat })).includes('lr-too-low'), 'normal update ratios: not the learning rate');
    const f = evaluateRules(runView({ layers, loss: flat })).find((x) => x.code === 'lr-too-low')!;
    assert.deepEqual(f.fixes, ['lr-multiply-10']);
    assert.equal(f.evidence.maxUpdateRatio, 2e-6);
  });

  test('lr-too-low judges each layer\'s updates over the run, not one probe', () => {
    const flat = Array.from({ length: 40 }, (_, i) => 0.25 * (1 + 0.2 * Math.sin(i * 2.1)));
    // A converged model at its noise floor: updates around 3e-4, the last probe's small by chance.
    const floor = healthyLayers.map((l) => ({ ...l, updateRatio: [3e-4, 2e-4, 4e-4, 3e-4, 5e-5] }));
    assert.ok(!codes(runView({ layers: floor, loss: flat })).includes('lr-too-low'));
    // Too low a rate: every update tiny, the last probe's larger by chance.
    const low = healthyLayers.map((l) => ({ ...l, updateRatio: [2e-6, 3e-6, 2e-6, 1e-6, 2e-4] }));
    assert.ok(codes(runView({ layers: low, loss: flat })).includes('lr-too-low'));
  });

  test('lr-too-high from the update ratios alone, while the loss falls', () => {
    const layers = healthyLayers.map((l) => ({ ...l }));
    layers[0].updateRatio = [3, 4, 3.5, 3.2, 3.8];
    const f = evaluateRules(runView({ layers, loss: healthyLoss(40) })).find((x) => x.code === 'lr-too-high');
    assert.ok(f);
    assert.deepEqual(f.layers, ['d1']);
    assert.equal(f.evidence.maxUpdateRatio, 3.5);
    assert.match(f.message, /d1: each step changes the weights by 3\.5e\+0 of their size .*threshold 1\.0e-1/);
    // A clipped regression at lr 1: ratios 0.5 to 1.
    layers[0].updateRatio = [0.5, 0.8, 1, 0.6, 0.7];
    assert.ok(codes(runView({ layers, loss: healthyLoss(40) })).includes('lr-too-high'));
    // One large step among ordinary ones is no evidence.
    layers[0].updateRatio = [2e-3, 3e-3, 0.5, 2e-3, 1e-3];
    assert.ok(!codes(runView({ layers, loss: healthyLoss(40) })).includes('lr-too-high'));
  });

  test('lr-too-low from the update ratios: a steady, slow descent with updates under the rule of thumb', () => {
    // Iris at lr 1e-4: 1.11 to 1.07 over 160 steps, update ratio 3.4e-4.
    const slow = Array.from({ length: 160 }, (_, i) => 1.11 - (0.04 * i) / 159 + 0.01 * Math.sin(i * 2.3));
    const layers = healthyLayers.map((l) => ({ ...l, updateRatio: 3.4e-4 }));
    const f = evaluateRules(runView({ layers, loss: slow, epochLoss: Array.from({ length: 40 }, (_, i) => 1.11 - 0.001 * i) }));
    assert.deepEqual(f.map((x) => x.code), ['lr-too-low'], 'no plateau beside it: its fixes would lower the rate');
    assert.deepEqual(f[0].fixes, ['lr-multiply-10']);
    assert.match(f[0].message, /falls steadily but slowly \(2\.\d % by step 159, under 10 %\) and every layer's update ratio ‖ΔW‖\/‖W‖ stays below 1\.0e-3/);
    // The same updates at a noise floor (no trend): a converged model, not a slow one.
    const floor = Array.from({ length: 160 }, (_, i) => 0.2 * (1 + 0.2 * Math.sin(i * 2.3)));
    assert.ok(!codes(runView({ layers, loss: floor })).includes('lr-too-low'));
    // A schedule lowering the rate on purpose is not judged.
    assert.ok(!codes(runView({ layers, loss: slow, scheduleKind: 'cosine' })).includes('lr-too-low'));
    // Ordinary updates: a hard problem, not the rate.
    assert.ok(!codes(runView({ layers: healthyLayers.map((l) => ({ ...l, updateRatio: 3e-3 })), loss: slow })).includes('lr-too-low'));
  });

  test('plateau never advises a lower rate when every update is under the rule of thumb', () => {
    const epochLoss = [2, 1, 0.5, 0.4, 0.4, 0.401, 0.399, 0.4, 0.398];
    const small = evaluateRules(runView({ layers: healthyLayers.map((l) => ({ ...l, updateRatio: 2e-4 })), loss: healthyLoss(20), epochLoss })).find((x) => x.code === 'plateau');
    assert.deepEqual(small?.fixes, ['lr-multiply-10']);
    assert.match(small!.message, /a higher rate, not a lower one/);
    const normal = evaluateRules(runView({ layers: healthyLayers.map((l) => ({ ...l, updateRatio: 3e-3 })), loss: healthyLoss(20), epochLoss })).find((x) => x.code === 'plateau');
    assert.deepEqual(normal?.fixes, ['add-plateau-callback', 'add-exponential-schedule']);
  });

  test('plateau: learned, then no 1 % improvement for 5 epochs', () => {
    const f = evaluateRules(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: [2, 1, 0.5, 0.4, 0.4, 0.401, 0.399, 0.4, 0.398] }));
    assert.ok(f.some((x) => x.code === 'plateau'));
    assert.ok(!codes(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: [2, 1, 0.5, 0.4, 0.38, 0.36, 0.34, 0.33, 0.32] })).includes('plateau'));
    assert.ok(!codes(runView({ layers: healthyLayers, loss: healthyLoss(20), scheduleKind: 'plateau', epochLoss: [2, 1, 0.5, 0.4, 0.4, 0.401, 0.399, 0.4, 0.398] })).includes('plateau'), 'already handled by a plateau schedule');
  });

  test('overfitting: validation loss rising beyond its own noise while training loss falls', () => {
    // Validation loss with the epoch-to-epoch jitter of a small validation set (±0.02): a U-shape,
    // best at epoch 9, then rising for 11 epochs while the training loss keeps falling.
    const jitter = (i: number) => 0.02 * Math.sin(i * 2.3);
    const train = Array.from({ length: 20 }, (_, i) => 1.2 * Math.exp(-i / 5) + 0.02);
    const u = Array.from({ length: 20 }, (_, i) => 0.6 + 0.004 * (i - 8) ** 2 + jitter(i));
    const f = evaluateRules(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: train, epochValLoss: u })).find((x) => x.code === 'overfitting');
    assert.ok(f, 'a rising validation loss');
    assert.equal(f.evidence.bestEpoch, 9);
    assert.match(f.message, /validation loss rose from .* \(epoch 9\) to .* more than 5 % and 2 standard errors \(epoch-to-epoch noise .*\) above/);
    assert.deepEqual(f.fixes, ['add-early-stopping', 'add-dropout']);
    // Still falling, however it jitters: no finding.
    const falling = Array.from({ length: 20 }, (_, i) => 1.1 - 0.02 * i + jitter(i));
    assert.ok(!codes(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: train, epochValLoss: falling })).includes('overfitting'));
  });

  test('overfitting is not the minimum of a noisy curve: a falling validation loss that bounced up after a low epoch', () => {
    // Curves of the iris example (40 epochs, 22 validation samples): a steady fall with ±0.05 jumps;
    // its lowest epoch is three from the end and the last three average 12 % above it, as noise makes.
    const train = Array.from({ length: 40 }, (_, i) => 1.07 * Math.exp(-i / 25) + 0.02);
    const iris = [1.588, 1.375, 1.240, 1.154, 1.137, 1.131, 1.071, 0.990, 0.925, 0.883, 0.845, 0.936, 0.931, 0.829, 0.806, 0.769, 0.828, 0.825, 0.804, 0.800,
      0.838, 0.788, 0.750, 0.738, 0.758, 0.730, 0.786, 0.784, 0.699, 0.647, 0.667, 0.753, 0.703, 0.682, 0.664, 0.592, 0.560, 0.699, 0.728, 0.586];
    assert.ok(!codes(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: train, epochValLoss: iris })).includes('overfitting'));
    // The same run with its untrained first epoch lowest (a one-class validation split): falling for 35 epochs is learning.
    const early = [0.285, 0.648, 1.118, ...iris.slice(3)];
    assert.ok(!codes(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: train, epochValLoss: early })).includes('overfitting'));
    // Noisy and still falling, far above the training loss: not "stopped improving".
    const noisy = iris.map((v, i) => v * 0.6 + 0.08 * Math.sin(i * 2.1));
    const low = train.map((v) => v * 0.5);
    assert.ok(!codes(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: low, epochValLoss: noisy })).includes('overfitting'));
  });

  test('overfitting without a rise: validation stalled far above a training loss that keeps falling', () => {
    const train = Array.from({ length: 20 }, (_, i) => 3 * Math.exp(-i / 3) + 0.001);
    const stalled = Array.from({ length: 20 }, (_, i) => (i < 8 ? 3 - i * 0.06 : 2.5 + 0.02 * Math.sin(i)));
    const f = evaluateRules(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: train, epochValLoss: stalled })).find((x) => x.code === 'overfitting');
    assert.ok(f);
    assert.match(f.message, /validation loss stopped improving at .* is \d\.\de\+\d× the training loss .*\(threshold 2×\)/);
    // A converged model whose validation loss flattens near its training loss is no finding.
    const close = train.map((v) => v * 1.3 + 0.3);
    const flat = close.map((v, i) => (i < 8 ? v : close[8] + 0.01 * Math.sin(i)));
    assert.ok(!codes(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: train.map((v) => v + 0.3), epochValLoss: flat })).includes('overfitting'));
    // 30 samples, two layers of 256: the best validation epoch is the 8th; 32 epochs on, the curve is
    // drifting down again but no lower than it was there, a thousand times above the training loss.
    const memorized = [3.159, 4.213, 3.012, 3.292, 3.511, 3.144, 2.493, 2.484, 2.893, 2.718, 2.730, 2.937, 2.984, 2.807, 2.533, 2.489, 2.550, 2.571, 2.597, 2.678,
      2.768, 2.809, 2.693, 2.613, 2.618, 2.612, 2.555, 2.549, 2.629, 2.732, 2.735, 2.715, 2.723, 2.703, 2.647, 2.610, 2.638, 2.655, 2.652, 2.659];
    const fit = Array.from({ length: 40 }, (_, i) => 6 * Math.exp(-i / 4) + 0.001);
    const m = evaluateRules(runView({ layers: healthyLayers, loss: healthyLoss(20), epochLoss: fit, epochValLoss: memorized })).find((x) => x.code === 'overfitting');
    assert.match(m?.message ?? '', /stopped improving at 2\.5e\+0 \(epoch 8; not beaten in the 32 epochs since/);
  });

  test('frozen-all: nothing trainable', () => {
    const layers = healthyLayers.map((l) => ({ ...l, trainable: false }));
    const f = evaluateRules(runView({ layers, loss: healthyLoss(20) }));
    assert.equal(f[0].code, 'frozen-all');
    assert.deepEqual(f[0].fixes, ['fine-tune-top']);
  });

  test('every finding carries a step in its evidence and known fix ids; errors sort first', () => {
    const loss: (number | null)[] = Array.from({ length: 30 }, (_, i) => 1 + i * 0.1);
    loss[20] = null;
    const layers = healthyLayers.map((l) => ({ ...l }));
    layers[0].saturation = { kind: 'relu', dead: 0.9, zero: 0.95 };
    const f = evaluateRules(runView({ layers, loss }));
    assert.ok(f.length >= 3);
    assert.equal(f[0].severity, 'error');
    for (const x of f) assert.equal(typeof x.evidence.step, 'number');
  });
});
