/**
 * Seeded models and batches for the probe's recorded-results test (probeRecorded.test.ts): an MLP, a
 * convolutional net (valid and same padding, a stride, a convolution without bias, pooling) and a
 * two stacked SimpleRNNs (tanh, then ReLU), each small enough for the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';

/** One model and its batch, both the same on every call. */
export interface ProbeCase {
  name: string;
  build(): tf.LayersModel;
  data(): [tf.Tensor, tf.Tensor];
}

const glorot = (seed: number) => tf.initializers.glorotNormal({ seed });
const bias = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.1 });

export const CASES: ProbeCase[] = [
  {
    name: 'mlp',
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ units: 12, activation: 'relu', inputShape: [10], kernelInitializer: glorot(1), biasInitializer: bias(2) }),
      tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: glorot(3), biasInitializer: bias(4) }),
      tf.layers.dense({ units: 3, activation: 'sigmoid', kernelInitializer: glorot(5) }),
    ] }),
    data: () => [tf.randomNormal([16, 10], 0, 1, 'float32', 11), tf.randomUniform([16, 3], 0, 1, 'float32', 12)],
  },
  {
    name: 'cnn',
    build: () => tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [9, 9, 2], kernelInitializer: glorot(1), biasInitializer: bias(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: glorot(3), biasInitializer: bias(4) }),
      tf.layers.conv2d({ filters: 3, kernelSize: 2, useBias: false, activation: 'elu', kernelInitializer: glorot(5) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, kernelInitializer: glorot(6) }),
    ] }),
    data: () => [tf.randomNormal([8, 9, 9, 2], 0, 1, 'float32', 13), tf.randomNormal([8, 2], 0, 1, 'float32', 14)],
  },
  {
    name: 'rnn',
    build: () => tf.sequential({ layers: [
      tf.layers.simpleRNN({ units: 6, returnSequences: true, inputShape: [5, 3], kernelInitializer: glorot(1), recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }), biasInitializer: bias(3) }),
      tf.layers.simpleRNN({ units: 4, activation: 'relu', kernelInitializer: glorot(4), recurrentInitializer: tf.initializers.orthogonal({ seed: 5 }), biasInitializer: bias(6) }),
      tf.layers.dense({ units: 1, kernelInitializer: glorot(7) }),
    ] }),
    data: () => [tf.randomNormal([8, 5, 3], 0, 1, 'float32', 15), tf.randomNormal([8, 1], 0, 1, 'float32', 16)],
  },
];
