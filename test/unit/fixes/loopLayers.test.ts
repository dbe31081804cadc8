/**
 * Models built in a loop: the layer written inside the loop is a hidden layer when a later layer
 * follows it, so the activation fixes apply to it; the layer added last (after the loop, or as the
 * loop's last statement with nothing after it) is the output layer and is never touched.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix } from '../../../src/fixes/applyFix';
import { at, syntaxErrors } from './fixTable';

function fixed(fix: Parameters<typeof applyFix>[0], src: string, needle: string, nth = 0): string | undefined {
  assert.deepEqual(syntaxErrors(src), []);
  const r = applyFix(fix, src, { layers: [at(src, needle, nth)] });
  if (r) assert.deepEqual(syntaxErrors(r.text), [], r.text);
  return r?.text;
}

const addLoop = `const model = tf.sequential();
for (let i = 0; i < 8; i++) {
  model.add(tf.layers.dense({ units: 64, activation: 'sigmoid', inputShape: i === 0 ? [20] : undefined }));
}
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
`;

describe('fixes on layers built in a loop', () => {
  test('model.add in a loop: the loop\'s layer (the model\'s first) is hidden and switches to ReLU; the output stays', () => {
    assert.equal(fixed('activation-relu', addLoop, 'tf.layers.dense'), `const model = tf.sequential();
for (let i = 0; i < 8; i++) {
  model.add(tf.layers.dense({ units: 64, activation: 'relu', inputShape: i === 0 ? [20] : undefined, kernelInitializer: 'heNormal' }));
}
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
`);
    assert.equal(fixed('activation-relu', addLoop, 'tf.layers.dense', 1), undefined, 'the output layer was changed');
  });

  test('a loop without braces: a leaky-ReLU layer is added inside the loop, at every iteration', () => {
    const src = `const model = tf.sequential();
model.add(tf.layers.dense({ units: 32, activation: 'relu', inputShape: [4] }));
for (let i = 0; i < 3; i++) model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
`;
    assert.equal(fixed('activation-leaky-relu', src, 'tf.layers.dense', 1), `const model = tf.sequential();
model.add(tf.layers.dense({ units: 32, activation: 'relu', inputShape: [4] }));
for (let i = 0; i < 3; i++) model.add(tf.layers.dense({ units: 32 })), model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
`);
  });

  test('a layer added last, even inside a loop, is the output layer and is not touched', () => {
    const src = `const model = tf.sequential();
model.add(tf.layers.dense({ units: 16, activation: 'tanh', inputShape: [4] }));
for (const units of [16, 1]) {
  model.add(tf.layers.dense({ units, activation: 'sigmoid' }));
}
`;
    assert.equal(fixed('activation-relu', src, 'tf.layers.dense', 1), undefined);
    assert.match(fixed('activation-relu', src, 'tf.layers.dense', 0) ?? '', /units: 16, activation: 'relu'/);
  });

  test('a layers array grown by push in a loop: its first element is not the output layer', () => {
    const src = `const layers = [tf.layers.dense({ units: 64, activation: 'tanh', inputShape: [20] })];
for (let i = 0; i < 6; i++) layers.push(tf.layers.dense({ units: 64, activation: 'tanh' }));
layers.push(tf.layers.dense({ units: 10, activation: 'softmax' }));
const model = tf.sequential({ layers });
`;
    assert.match(fixed('activation-relu', src, 'tf.layers.dense') ?? '', /^const layers = \[tf\.layers\.dense\(\{ units: 64, activation: 'relu', inputShape: \[20\], kernelInitializer: 'heNormal' \}\)\];/);
    const sigmoidOut = src.replace("units: 10, activation: 'softmax'", "units: 1, activation: 'sigmoid'").replace(/tanh/g, 'sigmoid');
    assert.equal(fixed('activation-relu', sigmoidOut, 'tf.layers.dense', 2), undefined, 'the pushed output layer was changed');
    assert.equal(fixed('add-batchnorm', src, 'tf.layers.dense', 1), `const layers = [tf.layers.dense({ units: 64, activation: 'tanh', inputShape: [20] })];
for (let i = 0; i < 6; i++) layers.push(tf.layers.dense({ units: 64, activation: 'tanh' })), layers.push(tf.layers.batchNormalization());
layers.push(tf.layers.dense({ units: 10, activation: 'softmax' }));
const model = tf.sequential({ layers });
`);
    const alone = `const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [3] })] });\n`;
    assert.equal(fixed('activation-relu', alone, 'tf.layers.dense'), undefined, 'a one-layer model\'s only layer is its output');
  });
});
