/**
 * Layers for self-normalizing networks (Klambauer et al. 2017). A stack of dense SELU layers keeps
 * each layer's outputs at mean 0 and standard deviation 1 during training — so gradients neither
 * vanish nor explode — but ONLY under these conditions:
 * - the inputs are standardized (mean 0, standard deviation 1 per feature);
 * - every hidden layer is initialized with LeCun normal initialization (`kernelInitializer: 'leCunNormal'`);
 * - the network is a plain sequential stack of dense layers (no skip connections, no recurrent or
 *   convolutional layers — CNNs may still benefit, but the guarantee is lost);
 * - regularization keeps the mean and variance: use alpha dropout, not ordinary dropout, and no l1/l2
 *   or max-norm constraints.
 *
 * @example
 * ```ts
 * const model = tf.sequential();
 * model.add(gs.layers.seluDense(100, { inputShape: [28 * 28] }));
 * for (let i = 0; i < 19; i++) model.add(gs.layers.seluDense(100));
 * model.add(gs.layers.alphaDropout({ rate: 0.1 }));
 * model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
 * ```
 */
import * as tf from '@tensorflow/tfjs';

/** Arguments of {@link seluDense}: those of `tf.layers.dense` except `units`, `activation` and `kernelInitializer`. */
export type SeluDenseArgs = Omit<Parameters<typeof tf.layers.dense>[0], 'units' | 'activation' | 'kernelInitializer'>;

/**
 * A Dense layer with `selu` activation and LeCun normal initialization (std = 1/√fan_in), the
 * building block of a self-normalizing network (see the module comment for the conditions).
 */
export function seluDense(units: number, args: SeluDenseArgs = {}): ReturnType<typeof tf.layers.dense> {
  if (!Number.isInteger(units) || units < 1) throw new Error(`gs.layers.seluDense: \`units\` must be a positive integer, got ${units}`);
  const a = args as Record<string, unknown>;
  if ('activation' in a || 'kernelInitializer' in a) {
    throw new Error('gs.layers.seluDense: `activation` and `kernelInitializer` are fixed (selu, leCunNormal); use tf.layers.dense otherwise');
  }
  return tf.layers.dense({ ...args, units, activation: 'selu', kernelInitializer: 'leCunNormal' });
}

/**
 * tfjs's alpha dropout: drops inputs to SELU's negative saturation value and rescales so that mean
 * and variance are kept — the dropout to use in a self-normalizing network. Active in training only.
 */
export const alphaDropout: typeof tf.layers.alphaDropout = (args) => tf.layers.alphaDropout(args);
