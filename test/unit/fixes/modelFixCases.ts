// Fix table rows for the fixes that edit the model definition: activations, batch norm, dropout.
import { at, type Case } from './fixTable';

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

/** Rows: model-definition fixes. */
export const modelFixCases: Case[] = [
  // --- activations
  {
    name: 'selu on two relu layers of a layers array, dropout becomes alphaDropout, output untouched',
    fix: 'activation-selu', src: seqArray,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 0), at(s, 'tf.layers.dense', 1), at(s, 'tf.layers.dense', 2)] }),
    out: `import * as tf from '@tensorflow/tfjs';
import * as gs from 'gradscope';
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'selu', inputShape: [8], kernelInitializer: gs.layers.leCunNormal() }),
    gs.layers.alphaDropout({ rate: 0.2 }),
    tf.layers.dense({ units: 64, activation: 'selu', kernelInitializer: gs.layers.leCunNormal() }),
    tf.layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});
`,
  },
  {
    name: 'selu on a tanh layer of a model.add run replaces its He init and switches the other hidden layer too',
    fix: 'activation-selu', src: seqAdd,
    target: (s) => ({ layers: [at(s, 'tf.layers.dense', 0)] }),
    out: `import * as gs from 'gradscope';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 32, activation: 'selu', kernelInitializer: gs.layers.leCunNormal(), inputShape: [4] }));
model.add(gs.layers.alphaDropout({ rate: 0.3 }));
model.add(tf.layers.dense({ units: 32, activation: 'selu', kernelInitializer: gs.layers.leCunNormal() }));
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
    name: 'batchNormalization after every hidden layer for a finding about the whole model',
    fix: 'add-batchnorm', src: seqArray,
    target: (s) => ({ model: at(s, 'tf.sequential') }),
    out: seqArray
      .replace("inputShape: [8] }),\n", "inputShape: [8] }),\n    tf.layers.batchNormalization(),\n")
      .replace("activation: 'relu' }),\n", "activation: 'relu' }),\n    tf.layers.batchNormalization(),\n"),
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
    name: 'alpha dropout (gradscope\'s, under the cell\'s alias) in a SELU stack built with model.add',
    fix: 'add-dropout',
    src: `import * as g from 'gradscope';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 100, activation: 'selu', kernelInitializer: 'leCunNormal', inputShape: [20] }));
model.add(tf.layers.dense({ units: 100, activation: 'selu', kernelInitializer: 'leCunNormal' }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
`,
    target: (s) => ({ model: at(s, 'tf.sequential') }),
    out: `import * as g from 'gradscope';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 100, activation: 'selu', kernelInitializer: 'leCunNormal', inputShape: [20] }));
model.add(g.layers.alphaDropout({ rate: 0.1 }));
model.add(tf.layers.dense({ units: 100, activation: 'selu', kernelInitializer: 'leCunNormal' }));
model.add(g.layers.alphaDropout({ rate: 0.1 }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
`,
  },
  {
    name: 'dropout not added when every top hidden layer has it',
    fix: 'add-dropout',
    src: `const m = tf.sequential({ layers: [tf.layers.dense({ units: 8 }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 1 })] });\n`,
    target: (s) => ({ model: at(s, 'tf.sequential') }), out: undefined,
  },

];
