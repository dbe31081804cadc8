// Table-driven tests of the fix catalogue: a cell's source in, the exact edited source out, and the
// edited source still parses as TypeScript. Each fix also has the cases where it must not apply.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import type { FixId } from '../../../src/protocol/health';
import { applyFix, FIXES, type FixTarget } from '../../../src/fixes/applyFix';

/** Start offset of the `nth` occurrence of `needle` in `src`. */
function at(src: string, needle: string, nth = 0): number {
  let p = -1;
  for (let i = 0; i <= nth; i++) {
    p = src.indexOf(needle, p + 1);
    if (p < 0) throw new Error(`'${needle}' #${nth} not in source`);
  }
  return p;
}

interface Case {
  name: string;
  fix: FixId;
  src: string;
  target: (src: string) => FixTarget;
  /** The edited cell, or undefined when the fix must not apply. */
  out: string | undefined;
}

function syntaxErrors(text: string): string[] {
  const r = ts.transpileModule(text, {
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return (r.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const seqArray = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [8] }),
    tf.layers.dropout({ rate: 0.2 }),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});
`;

const seqAdd = `const model = tf.sequential();
model.add(tf.layers.dense({ units: 32, activation: 'tanh', kernelInitializer: 'heNormal', inputShape: [4] }));
model.add(tf.layers.dropout({ rate: 0.3 }));
model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
`;

const cases: Case[] = [
  // --- activations
  {
    name: 'selu on two relu layers of a layers array, dropout becomes alphaDropout, output untouched',
    fix: 'activation-selu', src: seqArray,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 0), at(s, 'tf.layers.dense', 1), at(s, 'tf.layers.dense', 2)] }),
    out: `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'selu', inputShape: [8], kernelInitializer: 'leCunNormal' }),
    tf.layers.alphaDropout({ rate: 0.2 }),
    tf.layers.dense({ units: 64, activation: 'selu', kernelInitializer: 'leCunNormal' }),
    tf.layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});
`,
  },
  {
    name: 'selu on a tanh layer of a model.add run replaces its He initializer',
    fix: 'activation-selu', src: seqAdd,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 0)] }),
    out: `const model = tf.sequential();
model.add(tf.layers.dense({ units: 32, activation: 'selu', kernelInitializer: 'leCunNormal', inputShape: [4] }));
model.add(tf.layers.alphaDropout({ rate: 0.3 }));
model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
`,
  },
  { name: 'selu not applied to the output layer', fix: 'activation-selu', src: seqArray,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 2)] }), out: undefined },
  { name: 'selu not applied without a target layer', fix: 'activation-selu', src: seqArray, target: () => ({}), out: undefined },
  {
    name: 'leaky ReLU: activation removed, leakyReLU layer added after it (model.add)',
    fix: 'activation-leaky-relu', src: seqAdd,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 1)] }),
    out: `const model = tf.sequential();
model.add(tf.layers.dense({ units: 32, activation: 'tanh', kernelInitializer: 'heNormal', inputShape: [4] }));
model.add(tf.layers.dropout({ rate: 0.3 }));
model.add(tf.layers.dense({ units: 32 }));
model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
`,
  },
  {
    name: 'leaky ReLU not applied to a functional-API layer (no stack to insert into)',
    fix: 'activation-leaky-relu', src: `const h = tf.layers.dense({ units: 4, activation: 'relu' }).apply(input);\n`,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense')] }), out: undefined,
  },
  {
    name: 'elu keeps double quotes and one-line layout',
    fix: 'activation-elu',
    src: `const m = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: "relu", inputShape: [2] }), tf.layers.dense({ units: 1 })] });\n`,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense')] }),
    out: `const m = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: "elu", inputShape: [2] }), tf.layers.dense({ units: 1 })] });\n`,
  },
  { name: 'elu not applied to a tanh layer', fix: 'activation-elu', src: seqAdd,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 0)] }), out: undefined },
  {
    name: 'relu replaces tanh and keeps an explicit He initializer',
    fix: 'activation-relu', src: seqAdd,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 0)] }),
    out: seqAdd.replace("activation: 'tanh'", "activation: 'relu'"),
  },
  {
    name: 'relu replaces sigmoid and adds He-normal init',
    fix: 'activation-relu',
    src: `model.add(tf.layers.dense({ units: 16, activation: 'sigmoid' }));\nmodel.add(tf.layers.dense({ units: 1 }));\n`,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense')] }),
    out: `model.add(tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: 'heNormal' }));\nmodel.add(tf.layers.dense({ units: 1 }));\n`,
  },
  { name: 'relu not applied to a relu layer', fix: 'activation-relu', src: seqAdd,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 1)] }), out: undefined },

  // --- batch normalization and dropout
  {
    name: 'batchNormalization after a layer of a one-line array',
    fix: 'add-batchnorm',
    src: `const m = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [2] }), tf.layers.dense({ units: 1 })] });\n`,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense')] }),
    out: `const m = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [2] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1 })] });\n`,
  },
  {
    name: 'batchNormalization after a model.add layer',
    fix: 'add-batchnorm', src: seqAdd,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 1)] }),
    out: seqAdd.replace(
      "model.add(tf.layers.dense({ units: 32, activation: 'relu' }));\n",
      "model.add(tf.layers.dense({ units: 32, activation: 'relu' }));\nmodel.add(tf.layers.batchNormalization());\n",
    ),
  },
  {
    name: 'batchNormalization not added twice',
    fix: 'add-batchnorm',
    src: `const m = tf.sequential({ layers: [tf.layers.dense({ units: 8 }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1 })] });\n`,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense')] }), out: undefined,
  },
  {
    name: 'dropout after the top two hidden layers, one already has dropout after it',
    fix: 'add-dropout', src: seqArray, target: (s) => ({ model: at(s, 'tf.sequential') }),
    out: seqArray.replace(
      "    tf.layers.dense({ units: 64, activation: 'relu' }),\n",
      "    tf.layers.dense({ units: 64, activation: 'relu' }),\n    tf.layers.dropout({ rate: 0.2 }),\n",
    ),
  },
  {
    name: 'alpha dropout in a SELU stack built with model.add',
    fix: 'add-dropout',
    src: `const model = tf.sequential();
model.add(tf.layers.dense({ units: 100, activation: 'selu', kernelInitializer: 'leCunNormal', inputShape: [20] }));
model.add(tf.layers.dense({ units: 100, activation: 'selu', kernelInitializer: 'leCunNormal' }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
`,
    target: (s) => ({ model: at(s, 'tf.sequential') }),
    out: `const model = tf.sequential();
model.add(tf.layers.dense({ units: 100, activation: 'selu', kernelInitializer: 'leCunNormal', inputShape: [20] }));
model.add(tf.layers.alphaDropout({ rate: 0.1 }));
model.add(tf.layers.dense({ units: 100, activation: 'selu', kernelInitializer: 'leCunNormal' }));
model.add(tf.layers.alphaDropout({ rate: 0.1 }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
`,
  },
  {
    name: 'dropout not added when every top hidden layer has it',
    fix: 'add-dropout',
    src: `const m = tf.sequential({ layers: [tf.layers.dense({ units: 8 }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 1 })] });\n`,
    target: (s) => ({ model: at(s, 'tf.sequential') }), out: undefined,
  },

  // --- clipping and the training call
  {
    name: 'clipnorm added to a multi-line options literal with a trailing comma',
    fix: 'add-clipnorm',
    src: `import * as gs from 'gradscope';\nawait gs.fit(model, xs, ys, {\n  epochs: 5,\n});\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }),
    out: `import * as gs from 'gradscope';\nawait gs.fit(model, xs, ys, {\n  epochs: 5,\n  clipnorm: 1.0,\n});\n`,
  },
  {
    name: 'clipnorm creates the options object (gs imported in another cell)',
    fix: 'add-clipnorm', src: `const h = await gs.fit(model, xs, ys);\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }),
    out: `const h = await gs.fit(model, xs, ys, { clipnorm: 1.0 });\n`,
  },
  {
    name: 'clipnorm on tfjs model.fit switches to gs.fit and imports gradscope',
    fix: 'add-clipnorm',
    src: `import * as tf from '@tensorflow/tfjs';\nawait model.fit(xs, ys, { epochs: 3 });\n`,
    target: (s) => ({ fit: at(s, 'model.fit') }),
    out: `import * as tf from '@tensorflow/tfjs';\nimport * as gs from 'gradscope';\nawait gs.fit(model, xs, ys, { epochs: 3, clipnorm: 1.0 });\n`,
  },
  { name: 'clipnorm not added when already 1.0', fix: 'add-clipnorm',
    src: `await gs.fit(model, xs, ys, { clipnorm: 1.0 });\n`, target: (s) => ({ fit: at(s, 'gs.fit') }), out: undefined },
  { name: 'clipnorm needs a fit call', fix: 'add-clipnorm', src: seqArray, target: () => ({}), out: undefined },
  {
    name: 'clipvalue replaces a larger clip value',
    fix: 'add-clipvalue', src: `await gs.fit(model, xs, ys, { epochs: 2, clipvalue: 5 });\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }),
    out: `await gs.fit(model, xs, ys, { epochs: 2, clipvalue: 1.0 });\n`,
  },
  {
    name: 'globalClipnorm goes into the options const the call passes',
    fix: 'add-global-clipnorm', src: `const opts = { epochs: 3 };\nawait gs.fit(model, x, y, opts);\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }),
    out: `const opts = { epochs: 3, globalClipnorm: 1.0 };\nawait gs.fit(model, x, y, opts);\n`,
  },
  { name: 'clipvalue not offered when the options come from another cell', fix: 'add-clipvalue',
    src: `await gs.fitDataset(model, ds, trainArgs);\n`, target: (s) => ({ fit: at(s, 'gs.fitDataset') }), out: undefined },
  { name: 'globalClipnorm not added over a shorthand globalClipnorm', fix: 'add-global-clipnorm',
    src: `const globalClipnorm = 5;\nawait gs.fit(model, x, y, { globalClipnorm });\n`, target: (s) => ({ fit: at(s, 'gs.fit') }), out: undefined },
  {
    name: 'an optimizer given by name is wrapped as the tf.train call tfjs makes for it',
    fix: 'wrap-optimizer-clipped',
    src: `import * as tf from '@tensorflow/tfjs';\nimport * as gs from 'gradscope';\nmodel.compile({ optimizer: 'adam', loss: 'meanSquaredError' });\n`,
    target: (s) => ({ compile: at(s, 'model.compile') }),
    out: `import * as tf from '@tensorflow/tfjs';\nimport * as gs from 'gradscope';\nmodel.compile({ optimizer: gs.optimizers.clipped(tf.train.adam(0.001), { clipnorm: 1 }), loss: 'meanSquaredError' });\n`,
  },
  { name: 'an already clipped optimizer is not wrapped again', fix: 'wrap-optimizer-clipped',
    src: `model.compile({ optimizer: gs.optimizers.clipped(tf.train.sgd(0.1), { clipnorm: 1 }), loss: 'mse' });\n`,
    target: (s) => ({ compile: at(s, 'model.compile') }), out: undefined },
  {
    name: 'model.fit becomes gs.fit under the cell\'s own gradscope alias',
    fix: 'switch-to-gs-fit',
    src: `import * as g from 'gradscope';\nconst h = await net.fit(x, y, {\n  epochs: 3,\n});\n`,
    target: (s) => ({ fit: at(s, 'net.fit') }),
    out: `import * as g from 'gradscope';\nconst h = await g.fit(net, x, y, {\n  epochs: 3,\n});\n`,
  },
  { name: 'gs.fit is not switched', fix: 'switch-to-gs-fit', src: `await gs.fit(model, x, y);\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }), out: undefined },

  // --- learning rate
  {
    name: 'lr ÷ 10 in the compiled optimizer', fix: 'lr-divide-10',
    src: `model.compile({ optimizer: tf.train.sgd(0.05), loss: 'mse' });\n`,
    target: (s) => ({ compile: at(s, 'model.compile') }),
    out: `model.compile({ optimizer: tf.train.sgd(0.005), loss: 'mse' });\n`,
  },
  {
    name: 'lr ÷ 10 at the const the optimizer reads, exponent notation kept', fix: 'lr-divide-10',
    src: `const lr = 3e-4;\nmodel.compile({ optimizer: tf.train.adam(lr), loss: 'mse' });\n`,
    target: (s) => ({ compile: at(s, 'model.compile') }),
    out: `const lr = 3e-5;\nmodel.compile({ optimizer: tf.train.adam(lr), loss: 'mse' });\n`,
  },
  {
    name: 'lr ÷ 10 in a config object (learningRate: 0.01)', fix: 'lr-divide-10',
    src: `const cfg = { learningRate: 0.01 };\nmodel.compile({ optimizer: tf.train.adam(cfg.learningRate), loss: 'mse' });\n`,
    target: (s) => ({ compile: at(s, 'model.compile') }),
    out: `const cfg = { learningRate: 0.001 };\nmodel.compile({ optimizer: tf.train.adam(cfg.learningRate), loss: 'mse' });\n`,
  },
  {
    name: 'lr ÷ 10 of a named optimizer uses its tfjs default (rmsprop 0.001)', fix: 'lr-divide-10',
    src: `model.compile({ optimizer: 'rmsprop', loss: 'mse' });\n`,
    target: (s) => ({ compile: at(s, 'model.compile') }),
    out: `model.compile({ optimizer: tf.train.rmsprop(0.0001), loss: 'mse' });\n`,
  },
  {
    name: 'lr ÷ 10 of tf.train.adam() fills in its default 0.001', fix: 'lr-divide-10',
    src: `model.compile({ optimizer: tf.train.adam(), loss: 'mse' });\n`,
    target: (s) => ({ compile: at(s, 'model.compile') }),
    out: `model.compile({ optimizer: tf.train.adam(0.0001), loss: 'mse' });\n`,
  },
  {
    name: 'lr ÷ 10 changes the schedule\'s start, which overrides the optimizer', fix: 'lr-divide-10',
    src: `model.compile({ optimizer: tf.train.adam(0.01), loss: 'mse' });\nawait gs.fit(model, x, y, { schedule: gs.schedules.power({ initial: 1, steps: 100 }) });\n`,
    target: (s) => ({ compile: at(s, 'model.compile'), fit: at(s, 'gs.fit') }),
    out: `model.compile({ optimizer: tf.train.adam(0.01), loss: 'mse' });\nawait gs.fit(model, x, y, { schedule: gs.schedules.power({ initial: 0.1, steps: 100 }) });\n`,
  },
  { name: 'lr ÷ 10 not offered for an optimizer made in another cell', fix: 'lr-divide-10',
    src: `model.compile({ optimizer: opt, loss: 'mse' });\n`,
    target: (s) => ({ compile: at(s, 'model.compile') }), out: undefined },
  {
    name: 'exponential schedule from the compiled rate over the whole run', fix: 'add-exponential-schedule',
    src: `model.compile({ optimizer: tf.train.adam(0.001), loss: 'mse' });\nawait gs.fit(model, xTrain, yTrain, { epochs: 10 });\n`,
    target: (s) => ({ compile: at(s, 'model.compile'), fit: at(s, 'gs.fit') }),
    out: `model.compile({ optimizer: tf.train.adam(0.001), loss: 'mse' });\nawait gs.fit(model, xTrain, yTrain, { epochs: 10, schedule: gs.schedules.exponential({ initial: 0.001, steps: 10 * Math.ceil(xTrain.shape[0] / 32) }) });\n`,
  },
  { name: 'exponential schedule not offered when the rate is not in the cell', fix: 'add-exponential-schedule',
    src: `await gs.fit(model, xTrain, yTrain, { epochs: 10 });\n`, target: (s) => ({ fit: at(s, 'gs.fit') }), out: undefined },
  { name: 'exponential schedule not offered over an existing schedule', fix: 'add-exponential-schedule',
    src: `await gs.fit(model, x, y, { optimizer: tf.train.sgd(0.1), schedule: s });\n`, target: (s) => ({ fit: at(s, 'gs.fit') }), out: undefined },
  {
    name: 'plateau callback appended to a multi-line callbacks array, monitoring val_loss',
    fix: 'add-plateau-callback',
    src: `await gs.fit(model, x, y, {\n  validationSplit: 0.2,\n  callbacks: [\n    logger,\n  ],\n});\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }),
    out: `await gs.fit(model, x, y, {\n  validationSplit: 0.2,\n  callbacks: [\n    logger,\n    gs.callbacks.reduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 5 }),\n  ],\n});\n`,
  },
  { name: 'plateau callback not added twice', fix: 'add-plateau-callback',
    src: `await gs.fit(model, x, y, { callbacks: [gs.callbacks.reduceLROnPlateau({ patience: 3 })] });\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }), out: undefined },
  {
    name: 'early stopping joins a single callback into an array',
    fix: 'add-early-stopping',
    src: `await gs.fit(model, x, y, { validationData: [xv, yv], callbacks: logger });\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }),
    out: `await gs.fit(model, x, y, { validationData: [xv, yv], callbacks: [logger, gs.callbacks.earlyStopping({ patience: 5, restoreBestWeights: true })] });\n`,
  },
  { name: 'early stopping not added twice', fix: 'add-early-stopping',
    src: `await gs.fit(model, x, y, { callbacks: [gs.callbacks.earlyStopping({ patience: 2 })] });\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }), out: undefined },

  // --- transfer learning
  {
    name: 'freeze the reused base before compile, with the upTo of the reuse call',
    fix: 'freeze-base',
    src: `import * as gs from 'gradscope';\nconst model = gs.transfer.reuse(base, { upTo: 'block3' });\nmodel.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));\nmodel.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });\n`,
    target: (s) => ({ compile: at(s, 'model.compile') }),
    out: `import * as gs from 'gradscope';\nconst model = gs.transfer.reuse(base, { upTo: 'block3' });\nmodel.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));\ngs.transfer.freeze(model, { upTo: 'block3' });\nmodel.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });\n`,
  },
  {
    name: 'freeze after the model.add run when compile is elsewhere, upTo from the finding',
    fix: 'freeze-base',
    src: `import * as gs from 'gradscope';\nconst model = tf.sequential();\nmodel.add(base);\nmodel.add(tf.layers.dense({ units: 1 }));\n`,
    target: (s) => ({ model: at(s, 'tf.sequential'), upTo: 4 }),
    out: `import * as gs from 'gradscope';\nconst model = tf.sequential();\nmodel.add(base);\nmodel.add(tf.layers.dense({ units: 1 }));\ngs.transfer.freeze(model, { upTo: 4 });\n`,
  },
  { name: 'freeze not offered without knowing the base', fix: 'freeze-base',
    src: `model.compile({ optimizer: 'adam', loss: 'mse' });\n`, target: (s) => ({ compile: at(s, 'model.compile') }), out: undefined },
  {
    name: 'fine-tune the top two layers before the fit statement, indented like it',
    fix: 'fine-tune-top',
    src: `async function train() {\n  const history = await gs.fit(model, x, y, { epochs: 4 });\n}\n`,
    target: (s) => ({ fit: at(s, 'gs.fit') }),
    out: `async function train() {\n  gs.transfer.fineTune(model, { top: 2, lrFactor: 0.1 });\n  const history = await gs.fit(model, x, y, { epochs: 4 });\n}\n`,
  },
  { name: 'fine-tune not added twice', fix: 'fine-tune-top',
    src: `gs.transfer.fineTune(model, { top: 1 });\nawait gs.fit(model, x, y);\n`, target: (s) => ({ fit: at(s, 'gs.fit') }), out: undefined },
];

describe('applyFix', () => {
  for (const c of cases) {
    test(`${c.fix}: ${c.name}`, () => {
      assert.deepEqual(syntaxErrors(c.src), [], 'the input cell itself must parse');
      const r = applyFix(c.fix, c.src, c.target(c.src));
      if (c.out === undefined) {
        assert.equal(r, undefined);
        return;
      }
      assert.ok(r, 'the fix should apply');
      assert.equal(r.text, c.out);
      assert.deepEqual(syntaxErrors(r.text), []);
    });
  }

  test('every fix id of the catalogue has an applied case and a not-applicable case', () => {
    for (const id of Object.keys(FIXES) as FixId[]) {
      assert.ok(cases.some((c) => c.fix === id && c.out !== undefined), `${id} has no applied case`);
      assert.ok(cases.some((c) => c.fix === id && c.out === undefined), `${id} has no not-applicable case`);
    }
  });

  test('an unknown fix id is a clear error', () => {
    assert.throws(() => applyFix('make-it-work' as FixId, '', {}), /unknown fix id 'make-it-work'/);
  });
});
