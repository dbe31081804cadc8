/**
 * The static fallback of a health output (SVG charts and a text summary for viewers without the
 * Gradscope renderer): what it shows, that payload strings are escaped, and that its size stays
 * bounded for long runs and very deep models.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { drawProbeBatch } from '../../../src/diagnostics/probeBatch';
import { HEALTH_MIME, type HealthSnapshot } from '../../../src/protocol/health';
import { healthOutputData, healthSvg, healthText, SVG_MAX_BYTES, TEXT_MAX_CHARS } from '../../../src/kernel/staticHealth';
import { big, deadRelu, earlyStopped, exploding, manyLayers } from '../../e2e/renderer/fixtures/scenarios';

/** Checks that tags nest and close and that text has no raw `<` or stray `&` (well-formed XML, roughly). */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z0-9:-]+="[^"<]*")*)\s*(\/?)>/g;
  let at = 0;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    const between = svg.slice(at, m.index);
    assert.doesNotMatch(between, /<|&(?!(amp|lt|gt|quot|apos);)/, `raw markup in text: ${between.slice(0, 80)}`);
    at = re.lastIndex;
    if (m[4]) continue;
    if (m[1]) assert.equal(stack.pop(), m[2], `unbalanced </${m[2]}>`);
    else stack.push(m[2]);
  }
  assert.equal(at, svg.length, `unparsed tail: ${svg.slice(at, at + 80)}`);
  assert.deepEqual(stack, []);
}

/** Text contents of the SVG's <text> elements. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('static SVG of the health charts', () => {
  test('a stopped run: sensitivities, loss with events, clipped gradient norm with its threshold, loss per epoch', () => {
    const svg = healthSvg(earlyStopped());
    assertWellFormed(svg);
    const t = texts(svg);
    for (const title of ['Sensitivity RMS of ∂L/∂net per layer (log)', 'Training loss per step', 'Global gradient norm per step (log)', 'Loss per epoch']) {
      assert.ok(t.includes(title), `missing chart ${title}`);
    }
    assert.ok(t.includes('globalClipnorm 1') && t.includes('before clipping') && t.includes('after clipping') && t.includes('validation'));
    assert.ok(t.includes('early-stop') && t.includes('lr-reduced'));
    assert.match(t[0], /stopped · epoch 12\/30 · step 600\/1\u202f500 · overfitting/);
    // The step axes end where the stopped run's data ends (600), not at the 1 500 planned.
    assert.ok(t.includes('600') && !t.includes('1\u202f500'), t.join(' | '));
    assert.equal((svg.match(/<path /g) ?? []).length, 3 + 1 + 2 + 2, 'one path per line: 3 layers, loss, pre/post norm, train/val epoch loss');
  });

  test('a run without gradient norms or validation has no empty charts; NaN is a gap, not a line to zero', () => {
    const svg = healthSvg(exploding());
    assertWellFormed(svg);
    const t = texts(svg);
    assert.ok(!t.includes('Global gradient norm per step (log)'));
    assert.ok(t.includes('nan'), 'the NaN event is marked');
    const loss = /<text[^>]*>Training loss per step<\/text>[\s\S]*?<path d="([^"]+)"/.exec(svg)![1];
    const xs = [...loss.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
    // Loss is NaN from step 340 of 360: the path stops before the right end of the plot (x = 704).
    assert.ok(Math.max(...xs) < 704 * 0.96, `loss path reaches x=${Math.max(...xs)}`);
  });

  test('layer names and messages are escaped', () => {
    const evil = '<script>alert(1)</script>&';
    const svg = healthSvg(deadRelu([evil]));
    assertWellFormed(svg);
    assert.ok(!svg.includes('<script'));
    assert.ok(svg.includes('&lt;script&gt;'));
  });

  test('bounded: 10 000 steps × 50 layers and 10 000 layers stay under the limit and say what they show', () => {
    for (const s of [big(10_000, 50), manyLayers(10_000)]) {
      const svg = healthSvg(s);
      assert.ok(new TextEncoder().encode(svg).length <= SVG_MAX_BYTES, `${svg.length} bytes`);
      assertWellFormed(svg);
    }
    assert.ok(texts(healthSvg(manyLayers(10_000))).some((x) => x.endsWith(', 12 of 10000 layers')));
  });
});

describe('text summary of the findings', () => {
  test('status, model, validation, events and each finding with its id, evidence and fixes', () => {
    const text = healthText(earlyStopped());
    const lines = text.split('\n');
    assert.match(lines[0], /^Gradscope gradient health: stopped · epoch 12\/30 · step 600\/1\u202f500 · loss [\d.]+ \(epoch 12 mean\) · backend wasm$/);
    assert.match(text, /model wide_mlp: 3 of 3 layers with weights trainable/, 'the InputLayer is not counted');
    assert.match(text, /^validation loss \(epoch 12\): 1\.1$/m);
    assert.match(text, /event at step 599 \(epoch 12\): early-stop — val_loss did not improve/);
    assert.match(text, /⚠ warning overfitting: validation loss rose for 5 epochs while the training loss fell/);
    assert.match(text, /evidence: step 600, epoch 12, bestEpoch 7, bestValLoss 0\.6/);
    assert.match(text, /suggested fixes: add-dropout, add-early-stopping/);
  });

  test('the probe batch every per-layer number is measured on: its size and how it was drawn; nothing when the producer does not say', () => {
    // Three classes of 40, sorted by class as iris's file is.
    const y = tf.oneHot(tf.tensor1d([...Array(120).keys()].map((i) => Math.floor(i / 40)), 'int32'), 3);
    const x = tf.randomNormal([120, 4], 0, 1, 'float32', 1);
    const drawn = drawProbeBatch({ x, y }, 32, 0);
    const s = earlyStopped();
    s.probeBatch = drawn.info;
    assert.match(healthText(s), /^probe batch: 32 of 120 training samples, drawn at random per class \(3 classes\), seed 0$/m);
    delete s.probeBatch;
    assert.doesNotMatch(healthText(s), /probe batch/);
    for (const t of [x, y, ...drawn.owned]) t.dispose();
  });

  test('layers without weights (Activation, Dropout) are neither trainable nor frozen and are not counted', () => {
    const s = earlyStopped();
    const weighted = s.model.layers.filter((l) => l.className !== 'InputLayer').length;
    const proto = s.model.layers[s.model.layers.length - 1];
    s.model.layers = [...s.model.layers,
      { ...proto, name: 'act', className: 'Activation', index: 90, trainable: true, hasWeights: false, params: { trainable: 0, nonTrainable: 0 } },
      { ...proto, name: 'drop', className: 'Dropout', index: 91, trainable: true, hasWeights: false, params: { trainable: 0, nonTrainable: 0 } }];
    s.model.layers[1] = { ...s.model.layers[1], trainable: false };
    assert.match(healthText(s), new RegExp(`model wide_mlp: ${weighted - 1} of ${weighted} layers with weights trainable`));
  });

  test('a NaN stop shows the error and the non-finite last batch', () => {
    const text = healthText(exploding());
    assert.match(text, /loss non-finite \(last batch\)/);
    assert.match(text, /^error: Loss became NaN at step 340$/m);
    assert.match(text, /✖ error nan-loss: loss became NaN at step 340/);
  });

  test('bounded: many long findings are cut with a note', () => {
    const s = earlyStopped();
    s.findings = Array.from({ length: 50 }, (_, i) => ({ ...s.findings[0], message: `finding ${i} ${'x'.repeat(1000)}` }));
    const text = healthText(s);
    assert.ok(text.length <= TEXT_MAX_CHARS, `${text.length} chars`);
    assert.match(text, /… \(cut; the Gradscope panel in VS Code shows all 50 findings\)$/);
  });
});

describe('output data', () => {
  test('the health JSON with its SVG and text renderings', () => {
    const s = earlyStopped();
    const data = healthOutputData(HEALTH_MIME, s);
    assert.deepEqual(Object.keys(data), [HEALTH_MIME, 'image/svg+xml', 'text/plain']);
    assert.equal(data[HEALTH_MIME], s);
    assert.equal(data['text/plain'], healthText(s));
  });

  test('a snapshot the fallback cannot draw still publishes its JSON', () => {
    const partial = { version: 1, runId: 'r', status: 'training', progress: { step: 1 }, findings: [] } as unknown as HealthSnapshot;
    assert.deepEqual(healthOutputData(HEALTH_MIME, partial), { [HEALTH_MIME]: partial });
  });
});
