/**
 * The labelled corpus: training code written the way users write it (ports of the official tfjs
 * examples: iris, mnist-like MLP and CNN, addition-rnn's fit-in-a-loop, boston-housing; and of
 * Géron's ch. 11 cases), healthy and broken, each with the findings an expert expects (`expect`),
 * the ones that may accompany them (`allow`: a diverging run may also show exploding gradients);
 * any other finding is a false positive. Sizes are small and everything is seeded (cpu backend).
 * `fast` marks the subset the unit test runs.
 */
import * as tf from '@tensorflow/tfjs';
import * as gs from '../../../src/library';
import type { FindingCode, HealthSnapshot } from '../../../src/protocol/health';
import { additions, digits, housing, iris, regression, rng, sequences, tokens } from './data';

export interface Scenario {
  id: string;
  /** Where the code comes from. */
  source: string;
  healthy: boolean;
  expect: FindingCode[];
  allow?: FindingCode[];
  /** Layers (by the name the scenario gives them) a finding must name, by finding. */
  layers?: Partial<Record<FindingCode, string[]>>;
  fast?: boolean;
  /** Trains the scenario; `seed` (default 0) selects one seeded draw of its initial weights and shuffles. */
  run(seed?: number): Promise<HealthSnapshot>;
}

type Fit = Parameters<typeof gs.fit>[3];

/** One gs.fit call as a user writes it; returns the run's last snapshot (also after a NaN stop). */
async function train(model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: Fit): Promise<HealthSnapshot> {
  let last: HealthSnapshot | undefined;
  try {
    await gs.fit(model, x, y, { ...args, diagnostics: { onSnapshot: (s) => (last = s) } });
  } catch (e) {
    if (!last) throw e;
  }
  return last!;
}

/** `n` one-epoch fit calls on the same model, as tfjs-examples/addition-rnn trains. */
async function trainLoop(n: number, model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: Fit): Promise<HealthSnapshot> {
  let last: HealthSnapshot | undefined;
  for (let i = 0; i < n; i++) {
    try {
      await gs.fit(model, x, y, { ...args, epochs: 1, diagnostics: { onSnapshot: (s) => (last = s) } });
    } catch (e) {
      if (!last) throw e;
      break;
    }
  }
  return last!;
}

const dense = tf.layers.dense;
let seedCounter = 100;
/** A seeded Glorot initializer, so every scenario trains the same every time. */
const glorot = () => tf.initializers.glorotUniform({ seed: seedCounter++ });
const he = () => tf.initializers.heNormal({ seed: seedCounter++ });

/** tfjs-examples/iris: dense(10, sigmoid) → dense(3, softmax), Adam. */
function irisModel(opt: tf.Optimizer, hidden = 'sigmoid'): tf.LayersModel {
  const model = tf.sequential();
  model.add(dense({ units: 10, activation: hidden as never, inputShape: [4], kernelInitializer: glorot(), name: 'hidden' }));
  model.add(dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(), name: 'out' }));
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** A deep MLP of `depth` hidden layers of `width` units (Géron ch. 11's 100-unit stacks, narrower). */
function deep(depth: number, width: number, inputs: number, outputs: number, layer: (i: number) => Partial<Parameters<typeof tf.layers.dense>[0]>, out: string): tf.Sequential {
  const model = tf.sequential();
  for (let i = 0; i < depth; i++) model.add(dense({ units: width, ...(i === 0 ? { inputShape: [inputs] } : {}), ...layer(i), name: `h${i + 1}` }));
  model.add(dense({ units: outputs, activation: out as never, kernelInitializer: glorot(), name: 'out' }));
  return model;
}

/** A seed base from the scenario's id, so a scenario trains the same whatever else the corpus holds. */
function seedOf(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
  return 1000 + (h % 100000);
}

const written: Scenario[] = [
  // ---- tfjs-examples/iris ----
  {
    id: 'iris-adam', source: 'tfjs-examples/iris (Adam 0.01, 40 epochs, validation)', healthy: true, expect: [], fast: true,
    async run() {
      const { x, y } = iris();
      return train(irisModel(tf.train.adam(0.01)), x, y, { epochs: 40, batchSize: 32, validationSplit: 0.15, shuffle: true });
    },
  },
  {
    id: 'iris-tanh', source: 'iris with a tanh hidden layer on the raw features (Adam 0.01): a quarter of its units saturated, and learning', healthy: true, expect: [],
    async run() {
      const { x, y } = iris();
      return train(irisModel(tf.train.adam(0.01), 'tanh'), x, y, { epochs: 40, batchSize: 32, validationSplit: 0.15, shuffle: true });
    },
  },
  {
    id: 'iris-lr-1', source: 'iris with the example\'s learning-rate field set to 1 (Adam)', healthy: false, expect: ['lr-too-high'], allow: ['nan-loss', 'exploding-gradient', 'saturated-sigmoid', 'vanishing-gradient', 'plateau'], fast: true,
    async run() {
      const { x, y } = iris();
      return train(irisModel(tf.train.adam(1)), x, y, { epochs: 40, batchSize: 32 });
    },
  },
  {
    id: 'iris-lr-1e-4', source: 'iris at learning rate 1e-4 (Adam)', healthy: false, expect: ['lr-too-low'], fast: true,
    async run() {
      const { x, y } = iris();
      return train(irisModel(tf.train.adam(1e-4)), x, y, { epochs: 40, batchSize: 32 });
    },
  },
  {
    id: 'iris-relu-sorted', source: 'iris with ReLU on standardized features, class-sorted file, shuffled batches', healthy: true, expect: [],
    async run() {
      const { x: raw, y } = iris();
      const { mean, variance } = tf.moments(raw, 0);
      const x = raw.sub(mean).div(variance.sqrt());
      return train(irisModel(tf.train.adam(0.01), 'relu'), x, y, { epochs: 30, batchSize: 16 });
    },
  },
  // ---- mnist-like (8×8 digits) ----
  {
    id: 'digits-mlp', source: 'tfjs-examples/mnist dense model on 8×8 digits (Adam)', healthy: true, expect: [], fast: true,
    async run() {
      const { x, y } = digits(600);
      const model = tf.sequential({ layers: [
        dense({ units: 64, activation: 'relu', inputShape: [64], kernelInitializer: glorot() }),
        dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return train(model, x, y, { epochs: 8, batchSize: 32, validationSplit: 0.15 });
    },
  },
  {
    id: 'digits-cnn', source: 'tfjs-examples/mnist convnet on 8×8 digits', healthy: true, expect: [],
    async run() {
      const { x, y } = digits(400, 2, { image: true });
      const model = tf.sequential({ layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: glorot() }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return train(model, x, y, { epochs: 6, batchSize: 32, validationSplit: 0.1 });
    },
  },
  {
    id: 'digits-cnn-dead-filters', source: 'the convnet with bias initializer -5 on its convolution', healthy: false, expect: ['dead-relu'], allow: ['vanishing-gradient', 'plateau', 'lr-too-low'],
    layers: { 'dead-relu': ['conv'] },
    async run() {
      const { x, y } = digits(400, 2, { image: true });
      const model = tf.sequential({ layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3, activation: 'relu', biasInitializer: tf.initializers.constant({ value: -5 }), name: 'conv' }),
        tf.layers.flatten(),
        dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 4, batchSize: 32 });
    },
  },
  {
    id: 'digits-sgd-1e-5', source: 'the dense model with SGD at 1e-5', healthy: false, expect: ['lr-too-low'], fast: true,
    async run() {
      const { x, y } = digits(600);
      const model = tf.sequential({ layers: [
        dense({ units: 64, activation: 'relu', inputShape: [64], kernelInitializer: glorot() }),
        dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.sgd(1e-5), loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 6, batchSize: 32 });
    },
  },
  {
    id: 'digits-class-sorted', source: 'digits built class by class (sorted), shuffled by fit', healthy: true, expect: [],
    async run() {
      const { x, y } = digits(600, 5, { sorted: true });
      const model = tf.sequential({ layers: [
        dense({ units: 32, activation: 'relu', inputShape: [64], kernelInitializer: he() }),
        dense({ units: 32, activation: 'relu', kernelInitializer: he() }),
        dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return train(model, x, y, { epochs: 6, batchSize: 32 });
    },
  },
  {
    id: 'digits-dropout', source: 'dense model with dropout (mnist example variant)', healthy: true, expect: [],
    async run() {
      const { x, y } = digits(600, 6);
      const model = tf.sequential({ layers: [
        dense({ units: 128, activation: 'relu', inputShape: [64], kernelInitializer: glorot() }),
        tf.layers.dropout({ rate: 0.3 }),
        dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return train(model, x, y, { epochs: 6, batchSize: 32, validationSplit: 0.2 });
    },
  },
  // ---- Géron ch. 11: vanishing / exploding, activations, initialization ----
  {
    id: 'deep-sigmoid-sgd', source: 'Géron ch. 11: 10 sigmoid layers, Glorot, SGD', healthy: false, expect: ['vanishing-gradient'], allow: ['saturated-sigmoid', 'plateau'], fast: true,
    async run() {
      const { x, y } = digits(400, 7);
      const model = deep(10, 32, 64, 10, () => ({ activation: 'sigmoid', kernelInitializer: glorot() }), 'softmax');
      model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 4, batchSize: 32 });
    },
  },
  {
    id: 'deep-sigmoid-adam', source: 'the same 10 sigmoid layers under Adam (which hides the update sizes, not the sensitivities)', healthy: false, expect: ['vanishing-gradient'], allow: ['saturated-sigmoid', 'plateau'],
    async run() {
      const { x, y } = digits(400, 7);
      const model = deep(10, 32, 64, 10, () => ({ activation: 'sigmoid', kernelInitializer: glorot() }), 'softmax');
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 4, batchSize: 32 });
    },
  },
  {
    id: 'deep-tanh-big-init', source: 'Géron ch. 11: tanh with a normal(0, 1) initializer saturates', healthy: false, expect: ['saturated-tanh'], allow: ['vanishing-gradient', 'plateau', 'lr-too-low'],
    async run() {
      const { x, y } = digits(400, 8);
      const model = deep(6, 64, 64, 10, () => ({ activation: 'tanh', kernelInitializer: tf.initializers.randomNormal({ stddev: 1, seed: seedCounter++ }) }), 'softmax');
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 4, batchSize: 32 });
    },
  },
  {
    id: 'deep-sigmoid-big-init', source: 'Géron ch. 11: sigmoid with a normal(0, 1) initializer saturates', healthy: false, expect: ['saturated-sigmoid'], allow: ['vanishing-gradient', 'plateau', 'lr-too-low'],
    async run() {
      const { x, y } = digits(400, 8);
      const model = deep(6, 64, 64, 10, () => ({ activation: 'sigmoid', kernelInitializer: tf.initializers.randomNormal({ stddev: 1, seed: seedCounter++ }) }), 'softmax');
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 4, batchSize: 32 });
    },
  },
  {
    // Under SGD 0.05 some of the last layer's units die: a probe that finds 15 of 32 units zero on all
    // of its 32 samples (stratified over the ten classes) misses a unit active on 10 % of the data
    // with probability 3 %, so dead-relu reports a fact there, not a false alarm.
    id: 'deep-relu-he', source: 'Géron ch. 11: 10 ReLU layers with He initialization', healthy: true, expect: [], allow: ['dead-relu'], fast: true,
    async run() {
      const { x, y } = digits(400, 7);
      const model = deep(10, 32, 64, 10, () => ({ activation: 'relu', kernelInitializer: he() }), 'softmax');
      model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 4, batchSize: 32 });
    },
  },
  {
    id: 'deep-selu-lecun', source: 'Géron ch. 11: 10 SELU layers with LeCun normal init on standardized inputs (SGD)', healthy: true, expect: [], fast: true,
    async run() {
      const { x: raw, y } = digits(400, 9);
      const { mean, variance } = tf.moments(raw, 0);
      const x = raw.sub(mean).div(variance.sqrt().add(1e-6));
      const model = deep(10, 32, 64, 10, () => ({ activation: 'selu', kernelInitializer: gs.layers.leCunNormal() as never }), 'softmax');
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return train(model, x, y, { epochs: 5, batchSize: 32, validationSplit: 0.2 });
    },
  },
  {
    id: 'deep-selu-he', source: 'the same SELU stack with He initialization (not self-normalizing)', healthy: false, expect: ['selu-not-normalizing'], allow: ['exploding-gradient', 'nan-loss', 'lr-too-high'],
    async run() {
      const { x: raw, y } = digits(400, 9);
      const { mean, variance } = tf.moments(raw, 0);
      const x = raw.sub(mean).div(variance.sqrt().add(1e-6));
      const model = deep(10, 32, 64, 10, () => ({ activation: 'selu', kernelInitializer: he() }), 'softmax');
      model.compile({ optimizer: tf.train.sgd(1e-3), loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 3, batchSize: 32 });
    },
  },
  {
    id: 'deep-elu-he', source: 'Géron ch. 11: ELU with He initialization', healthy: true, expect: [],
    async run() {
      const { x, y } = digits(400, 10);
      const model = deep(6, 32, 64, 10, () => ({ activation: 'elu', kernelInitializer: he() }), 'softmax');
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 5, batchSize: 32 });
    },
  },
  {
    id: 'deep-sigmoid-batchnorm', source: 'Géron ch. 11: batch normalization after every sigmoid layer', healthy: true, expect: [],
    async run() {
      const { x, y } = digits(400, 7);
      const model = tf.sequential();
      for (let i = 0; i < 6; i++) {
        model.add(dense({ units: 32, ...(i === 0 ? { inputShape: [64] } : {}), kernelInitializer: glorot(), useBias: false }));
        model.add(tf.layers.batchNormalization());
        model.add(tf.layers.activation({ activation: 'sigmoid' }));
      }
      model.add(dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() }));
      model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return train(model, x, y, { epochs: 5, batchSize: 32 });
    },
  },
  {
    id: 'dead-relu-bias', source: 'Géron ch. 11 "dying ReLUs": a large negative bias', healthy: false, expect: ['dead-relu'], allow: ['vanishing-gradient', 'plateau', 'lr-too-low'], fast: true,
    layers: { 'dead-relu': ['h1'] },
    async run() {
      const { x, y } = regression(256, 8, 11);
      const model = tf.sequential({ layers: [
        dense({ units: 32, activation: 'relu', inputShape: [8], biasInitializer: tf.initializers.constant({ value: -6 }), kernelInitializer: glorot(), name: 'h1' }),
        dense({ units: 1, kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 4, batchSize: 32 });
    },
  },
  {
    id: 'deep-relu-big-init', source: 'ReLU stack with normal(0, 1) weights: activations and gradients explode', healthy: false, expect: ['nan-loss'], allow: ['exploding-gradient', 'lr-too-high', 'dead-relu'],
    async run() {
      const { x, y } = regression(256, 16, 12);
      const model = deep(8, 64, 16, 1, () => ({ activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ stddev: 1, seed: seedCounter++ }) }), 'linear');
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 3, batchSize: 32 });
    },
  },
  // ---- tfjs-examples/boston-housing ----
  {
    id: 'boston-linear', source: 'tfjs-examples/boston-housing linear regression (SGD 0.01, normalized)', healthy: true, expect: [],
    async run() {
      const { x, y } = housing(333, 13);
      const model = tf.sequential({ layers: [dense({ units: 1, inputShape: [13], kernelInitializer: glorot() })] });
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 20, batchSize: 40, validationSplit: 0.2 });
    },
  },
  {
    // It reaches its noise floor within the 30 epochs: plateau (an info) says so, as in loop-plateau.
    id: 'boston-mlp', source: 'boston-housing two hidden sigmoid layers of 50 (SGD 0.01)', healthy: true, expect: [], allow: ['plateau'], fast: true,
    async run() {
      const { x, y } = housing(333, 13);
      const model = tf.sequential({ layers: [
        dense({ units: 50, activation: 'sigmoid', inputShape: [13], kernelInitializer: 'leCunNormal' as never }),
        dense({ units: 50, activation: 'sigmoid', kernelInitializer: 'leCunNormal' as never }),
        dense({ units: 1 }),
      ] });
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 30, batchSize: 40, validationSplit: 0.2 });
    },
  },
  {
    id: 'boston-unnormalized', source: 'boston-housing without normalizing the features (SGD 0.01)', healthy: false, expect: ['nan-loss'], allow: ['exploding-gradient', 'lr-too-high'], fast: true,
    async run() {
      const { x, y } = housing(333, 13, false);
      const model = tf.sequential({ layers: [dense({ units: 1, inputShape: [13] })] });
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 10, batchSize: 40 });
    },
  },
  {
    id: 'boston-lr-1-clipped', source: 'boston MLP at SGD 1 with clipnorm 1 (the loss is held down, the updates are not)', healthy: false, expect: ['lr-too-high'], allow: ['exploding-gradient', 'saturated-sigmoid', 'plateau'],
    async run() {
      const { x, y } = housing(333, 13);
      const model = tf.sequential({ layers: [
        dense({ units: 50, activation: 'relu', inputShape: [13], kernelInitializer: glorot() }),
        dense({ units: 1, kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.sgd(1), loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 10, batchSize: 40, clipnorm: 1 });
    },
  },
  {
    id: 'regression-adam-3', source: 'an MLP regression with Adam at 3', healthy: false, expect: ['lr-too-high'], allow: ['nan-loss', 'exploding-gradient', 'dead-relu', 'plateau'],
    async run() {
      const { x, y } = regression(256, 8, 14);
      const model = tf.sequential({ layers: [dense({ units: 16, activation: 'relu', inputShape: [8] }), dense({ units: 1 })] });
      model.compile({ optimizer: tf.train.adam(3), loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 4, batchSize: 32, terminateOnNaN: false });
    },
  },
  {
    id: 'regression-sgd-momentum', source: 'an MLP regression with SGD + momentum 0.9', healthy: true, expect: [],
    async run() {
      const { x, y } = regression(512, 8, 15);
      const model = tf.sequential({ layers: [dense({ units: 32, activation: 'relu', inputShape: [8], kernelInitializer: he() }), dense({ units: 1, kernelInitializer: glorot() })] });
      model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 6, batchSize: 32, validationSplit: 0.2 });
    },
  },
  // ---- overfitting ----
  {
    id: 'overfit-small-data', source: 'Géron ch. 11: 30 samples, two layers of 256, validation on fresh data', healthy: false, expect: ['overfitting'], allow: ['plateau'],
    async run() {
      const train_ = regression(30, 8, 16, 1);
      const x = tf.randomNormal([200, 8], 0, 1, 'float32', 40);
      const w = tf.randomNormal([8, 1], 0, 1, 'float32', 17);
      const val = { x, y: tf.add(tf.matMul(x, w), tf.randomNormal([200, 1], 0, 1, 'float32', 41)) };
      const model = tf.sequential({ layers: [
        dense({ units: 256, activation: 'relu', inputShape: [8], kernelInitializer: glorot() }),
        dense({ units: 256, activation: 'relu', kernelInitializer: glorot() }),
        dense({ units: 1, kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
      return train(model, train_.x, train_.y, { epochs: 40, batchSize: 16, validationData: [val.x, val.y] });
    },
  },
  // ---- frozen ----
  {
    id: 'frozen-all', source: 'transfer learning with every layer frozen (compiled after freezing)', healthy: false, expect: ['frozen-all'], allow: ['plateau'], fast: true,
    async run() {
      const { x, y } = regression(128, 8, 18);
      const model = tf.sequential({ layers: [dense({ units: 16, activation: 'relu', inputShape: [8] }), dense({ units: 1 })] });
      for (const l of model.layers) l.trainable = false;
      model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 3, batchSize: 32 });
    },
  },
  {
    id: 'frozen-base-head', source: 'transfer learning: frozen base, trainable head', healthy: true, expect: [],
    async run() {
      const { x, y } = digits(400, 19);
      const base = dense({ units: 64, activation: 'relu', inputShape: [64], kernelInitializer: he(), name: 'base' });
      const model = tf.sequential({ layers: [base, dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() })] });
      base.trainable = false;
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 6, batchSize: 32 });
    },
  },
  // ---- functional graphs, multi-input, multi-output ----
  {
    id: 'functional-branches', source: 'tf.model with two branches (ReLU, and a linear layer + standalone sigmoid) concatenated', healthy: true, expect: [], fast: true,
    async run() {
      const { x, y } = digits(400, 20);
      const input = tf.input({ shape: [64] });
      const a = dense({ units: 32, activation: 'relu', kernelInitializer: he(), name: 'a_relu' }).apply(input) as tf.SymbolicTensor;
      const bLin = dense({ units: 32, kernelInitializer: glorot(), name: 'b_linear' }).apply(input) as tf.SymbolicTensor;
      const b = tf.layers.activation({ activation: 'sigmoid' }).apply(bLin) as tf.SymbolicTensor;
      const merged = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
      const out = dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(), name: 'out' }).apply(merged) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: out });
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 6, batchSize: 32 });
    },
  },
  {
    id: 'functional-dead-branch', source: 'the two-branch model with branch A\'s bias at -8', healthy: false, expect: ['dead-relu'], allow: ['plateau'],
    layers: { 'dead-relu': ['a_relu'] },
    async run() {
      const { x, y } = digits(400, 20);
      const input = tf.input({ shape: [64] });
      const a = dense({ units: 32, activation: 'relu', biasInitializer: tf.initializers.constant({ value: -8 }), name: 'a_relu' }).apply(input) as tf.SymbolicTensor;
      const bLin = dense({ units: 32, kernelInitializer: glorot(), name: 'b_linear' }).apply(input) as tf.SymbolicTensor;
      const b = tf.layers.activation({ activation: 'sigmoid' }).apply(bLin) as tf.SymbolicTensor;
      const merged = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
      const out = dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(), name: 'out' }).apply(merged) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: out });
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      return train(model, x, y, { epochs: 4, batchSize: 32 });
    },
  },
  {
    id: 'multi-output', source: 'a shared trunk with a softmax head (cross-entropy) and a regression head (MSE)', healthy: true, expect: [],
    async run() {
      const { x, y } = digits(400, 21);
      const target = tf.sum(x, 1, true).div(32);
      const input = tf.input({ shape: [64] });
      const trunk = dense({ units: 32, activation: 'relu', kernelInitializer: he(), name: 'trunk' }).apply(input) as tf.SymbolicTensor;
      const cls = dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(), name: 'cls' }).apply(trunk) as tf.SymbolicTensor;
      const reg = dense({ units: 1, kernelInitializer: glorot(), name: 'reg' }).apply(trunk) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: [cls, reg] });
      model.compile({ optimizer: 'adam', loss: ['categoricalCrossentropy', 'meanSquaredError'] });
      return train(model, x, [y, target], { epochs: 6, batchSize: 32 });
    },
  },
  {
    id: 'multi-input', source: 'two inputs (digits and a scalar feature) merged', healthy: true, expect: [],
    async run() {
      const { x, y } = digits(400, 22);
      const extra = tf.randomNormal([400, 1], 0, 1, 'float32', 23);
      const i1 = tf.input({ shape: [64] });
      const i2 = tf.input({ shape: [1] });
      const h = dense({ units: 32, activation: 'relu', kernelInitializer: he() }).apply(i1) as tf.SymbolicTensor;
      const merged = tf.layers.concatenate().apply([h, i2]) as tf.SymbolicTensor;
      const out = dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() }).apply(merged) as tf.SymbolicTensor;
      const model = tf.model({ inputs: [i1, i2], outputs: out });
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      return train(model, [x, extra], y, { epochs: 6, batchSize: 32 });
    },
  },
  // ---- recurrent ----
  {
    id: 'addition-rnn-loop', source: 'tfjs-examples/addition-rnn with SimpleRNN, trained in a loop of one-epoch fit calls', healthy: true, expect: [],
    async run() {
      const { x, y } = additions(600, 2);
      const model = tf.sequential();
      model.add(tf.layers.simpleRNN({ units: 32, inputShape: [5, 12], kernelInitializer: glorot(), recurrentInitializer: 'orthogonal' as never }));
      model.add(tf.layers.repeatVector({ n: 3 }));
      model.add(tf.layers.simpleRNN({ units: 32, returnSequences: true, kernelInitializer: glorot(), recurrentInitializer: 'orthogonal' as never, name: 'decoder' }));
      model.add(tf.layers.timeDistributed({ layer: dense({ units: 12, activation: 'softmax', kernelInitializer: glorot() }) }));
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const xv = x.slice(0, 100);
      const yv = y.slice(0, 100);
      return trainLoop(30, model, x.slice(100), y.slice(100), { batchSize: 32, validationData: [xv, yv] });
    },
  },
  {
    id: 'rnn-exploding', source: 'a ReLU SimpleRNN with identity recurrent init of gain 1.3 (IRNN past its edge) over 30 steps, SGD', healthy: false, expect: ['exploding-gradient'], allow: ['nan-loss', 'lr-too-high', 'dead-relu'], fast: true,
    async run() {
      const x = tf.randomNormal([128, 30, 4], 0, 1, 'float32', 24);
      const y = tf.sum(x, [1, 2]).reshape([128, 1]).div(10);
      const model = tf.sequential({ layers: [
        tf.layers.simpleRNN({ units: 16, activation: 'relu', inputShape: [30, 4], kernelInitializer: glorot(), recurrentInitializer: tf.initializers.identity({ gain: 1.3 }) }),
        dense({ units: 1, kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      return train(model, x, y, { epochs: 4, batchSize: 32 });
    },
  },
  {
    id: 'lstm-classifier', source: 'an LSTM sequence classifier (Adam)', healthy: true, expect: [],
    async run() {
      const { x, y } = sequences(256, 10, 4, 26);
      const model = tf.sequential({ layers: [tf.layers.lstm({ units: 16, inputShape: [10, 4] }), dense({ units: 1, activation: 'sigmoid' })] });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      return train(model, x, y, { epochs: 6, batchSize: 32, validationSplit: 0.2 });
    },
  },
  {
    // Adam 0.01 kills some of the 16 ReLU units on some draws (seed 3 of a sweep: 7 of 16 are zero on
    // all 512 training samples, not just on the probe's), so dead-relu there reports a fact.
    id: 'embedding-text', source: 'tfjs-examples/sentiment-style Embedding + GlobalAveragePooling1D', healthy: true, expect: [], allow: ['dead-relu'],
    async run() {
      const { x, y } = tokens(512, 20, 30, 27);
      const model = tf.sequential({ layers: [
        tf.layers.embedding({ inputDim: 30, outputDim: 8, inputLength: 20 }),
        tf.layers.globalAveragePooling1d(),
        dense({ units: 16, activation: 'relu', kernelInitializer: he() }),
        dense({ units: 1, activation: 'sigmoid', kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      return train(model, x, y, { epochs: 8, batchSize: 32, validationSplit: 0.2 });
    },
  },
  // ---- fit in a loop ----
  {
    id: 'loop-plateau', source: 'a linear model trained in a loop of 100 one-epoch fit calls past its noise floor', healthy: false, expect: ['plateau'], fast: true,
    async run() {
      const { x, y } = regression(64, 4, 28);
      const model = tf.sequential({ layers: [dense({ units: 1, inputShape: [4], kernelInitializer: glorot() })] });
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
      return trainLoop(100, model, x, y, { batchSize: 32 });
    },
  },
  {
    id: 'loop-overfit', source: 'small data, big net, validation data, trained in a loop of one-epoch fit calls', healthy: false, expect: ['overfitting'], allow: ['plateau'],
    async run() {
      const t = regression(30, 8, 16, 1);
      const x = tf.randomNormal([200, 8], 0, 1, 'float32', 40);
      const w = tf.randomNormal([8, 1], 0, 1, 'float32', 17);
      const vy = tf.add(tf.matMul(x, w), tf.randomNormal([200, 1], 0, 1, 'float32', 41));
      const model = tf.sequential({ layers: [
        dense({ units: 256, activation: 'relu', inputShape: [8], kernelInitializer: glorot() }),
        dense({ units: 256, activation: 'relu', kernelInitializer: glorot() }),
        dense({ units: 1, kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
      return trainLoop(40, model, t.x, t.y, { batchSize: 16, validationData: [x, vy] });
    },
  },
  {
    id: 'loop-learning', source: 'the digits model trained in a loop of 15 one-epoch fit calls, still improving', healthy: true, expect: [],
    async run() {
      const { x, y } = digits(600, 29);
      const model = tf.sequential({ layers: [
        dense({ units: 64, activation: 'relu', inputShape: [64], kernelInitializer: he() }),
        dense({ units: 10, activation: 'softmax', kernelInitializer: glorot() }),
      ] });
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return trainLoop(15, model, x, y, { batchSize: 32, validationSplit: 0.2 });
    },
  },
];

/**
 * The scenarios, each run with its own seeds: the initializers' and, for the run's duration,
 * Math.random's (fit's shuffling, dropout masks and unseeded tfjs random ops draw from it), so a
 * scenario trains the same every time; `seed` picks another draw of the same scenario (a seed sweep).
 */
export const scenarios: Scenario[] = written.map((s) => ({
  ...s,
  run: async (seed = 0) => {
    seedCounter = seedOf(s.id) + seed * 7919;
    const random = Math.random;
    Math.random = rng(seedOf(s.id) + 104729 * (seed + 1));
    try {
      return await s.run();
    } finally {
      Math.random = random;
    }
  },
}));
