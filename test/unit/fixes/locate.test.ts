// Mapping a call site recorded at run time back to the call in the cell as it is now, including
// after edits above the layer and after the layer was removed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceLocation } from '../../../src/protocol/health';
import { locate, offsetOf } from '../../../src/fixes/locate';

const cell = 'vscode-notebook-cell:/nb.tfnb#W1sZmlsZQ%3D%3D';

const runText = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [8] }),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 1 }),
  ],
});
model.compile({ optimizer: 'adam', loss: 'mse' });
`;

/** A recorded location: 1-based line and column of `needle` (+ `shift` chars) in `text`. */
function loc(text: string, needle: string, call: string, shift = 0, nth = 0): SourceLocation {
  let p = -1;
  for (let i = 0; i <= nth; i++) p = text.indexOf(needle, p + 1);
  p += shift;
  const before = text.slice(0, p).split('\n');
  return { cell, line: before.length, column: before[before.length - 1].length + 1, call };
}

/** The text of the line the located call starts on. */
function lineAt(text: string, r: { start: number } | undefined): string | undefined {
  if (!r) return undefined;
  const s = text.lastIndexOf('\n', r.start - 1) + 1;
  const e = text.indexOf('\n', r.start);
  return text.slice(s, e < 0 ? undefined : e).trim();
}

describe('offsetOf', () => {
  test('converts 1-based line/column and rejects positions outside the text', () => {
    assert.equal(offsetOf('ab\ncd', 2, 2), 4);
    assert.equal(offsetOf('ab\ncd', 3, 1), undefined);
    assert.equal(offsetOf('ab\ncd', 1, 9), undefined);
    assert.equal(offsetOf('ab\ncd', 0, 1), undefined);
  });
});

describe('locate', () => {
  test('unchanged cell: the column on the callee name or on the expression start finds the same layer', () => {
    const onName = locate(loc(runText, 'dense', 'tf.layers.dense', 0, 1), runText, runText);
    const onStart = locate(loc(runText, 'tf.layers.dense', 'tf.layers.dense', 0, 1), runText, runText);
    assert.equal(lineAt(runText, onName), "tf.layers.dense({ units: 64, activation: 'relu' }),");
    assert.deepEqual(onStart, onName);
    assert.equal(runText.slice(onName!.start, onName!.end), "tf.layers.dense({ units: 64, activation: 'relu' })");
  });

  test('the model and compile calls are found by their own names', () => {
    const model = locate(loc(runText, 'sequential', 'tf.sequential'), runText, runText);
    assert.equal(runText.slice(model!.start, model!.start + 14), 'tf.sequential(');
    const compile = locate(loc(runText, 'compile', 'model.compile'), runText, runText);
    assert.equal(lineAt(runText, compile), "model.compile({ optimizer: 'adam', loss: 'mse' });");
  });

  test('lines inserted above the layer: same layer on its new line', () => {
    const now = runText.replace("import * as tf from '@tensorflow/tfjs';\n", "import * as tf from '@tensorflow/tfjs';\n// data\nconst n = 10;\n\n");
    const r = locate(loc(runText, 'dense', 'tf.layers.dense', 0, 1), runText, now);
    assert.equal(lineAt(now, r), "tf.layers.dense({ units: 64, activation: 'relu' }),");
    assert.equal(now.slice(0, r!.start).split('\n').length, 8);
  });

  test('lines removed above the layer and a layer of another kind inserted: same layer', () => {
    const now = runText
      .replace("import * as tf from '@tensorflow/tfjs';\n", '')
      .replace("inputShape: [8] }),\n", "inputShape: [8] }),\n    tf.layers.batchNormalization(),\n");
    const r = locate(loc(runText, 'dense', 'tf.layers.dense', 0, 1), runText, now);
    assert.equal(lineAt(now, r), "tf.layers.dense({ units: 64, activation: 'relu' }),");
    assert.equal(now.slice(0, r!.start).split('\n').length, 5);
  });

  test('a removed layer drops the location instead of pointing at its neighbour', () => {
    const now = runText.replace("    tf.layers.dense({ units: 64, activation: 'relu' }),\n", '');
    assert.equal(locate(loc(runText, 'dense', 'tf.layers.dense', 0, 1), runText, now), undefined);
  });

  test('an explicit layer name finds the layer even when others were added before it', () => {
    const named = runText.replace("units: 64, activation: 'relu' })", "units: 64, activation: 'relu', name: 'hidden2' })");
    const now = named.replace('  layers: [\n', "  layers: [\n    tf.layers.dense({ units: 16, inputShape: [8] }),\n");
    const r = locate(loc(named, 'dense', 'tf.layers.dense', 0, 1), named, now);
    assert.equal(lineAt(now, r), "tf.layers.dense({ units: 64, activation: 'relu', name: 'hidden2' }),");
    const gone = named.replace(", name: 'hidden2'", ", name: 'h2'");
    assert.equal(locate(loc(named, 'dense', 'tf.layers.dense', 0, 1), named, gone), undefined);
  });

  test('a layer made through a helper is recorded under the tfjs factory name', () => {
    const text = "const l = gs.layers.seluDense(100, { inputShape: [4] });\n";
    const r = locate(loc(text, 'seluDense', 'tf.layers.dense'), text, text);
    assert.equal(text.slice(r!.start, r!.end), 'gs.layers.seluDense(100, { inputShape: [4] })');
  });

  test('a position with no such call, or outside the cell, gives nothing', () => {
    assert.equal(locate({ cell, line: 1, column: 1, call: 'tf.layers.dense' }, runText, runText), undefined);
    assert.equal(locate({ cell, line: 99, column: 1, call: 'tf.layers.dense' }, runText, runText), undefined);
  });
});
