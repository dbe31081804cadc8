/**
 * Monte Carlo dropout (Gal & Ghahramani 2016): run the model with dropout active `samples` times
 * on the same inputs and average. The mean is usually a better estimate than one inference-mode
 * prediction, and the standard deviation shows how unsure the model is.
 *
 * @example
 * ```ts
 * const { mean, std } = gs.mcDropout.predict(model, xTest, { samples: 100 });
 * mean.argMax(-1).print();
 * ```
 */
import * as tf from '@tensorflow/tfjs';

/** Arguments of {@link predict}. */
export interface McDropoutArgs {
  /** Number of stochastic forward passes. Defaults to 30. */
  samples?: number;
}

/**
 * Runs `model` in training mode (dropout active; note that BatchNormalization then also uses the
 * batch statistics) `samples` times and returns the elementwise mean and population standard
 * deviation of the outputs. The caller disposes both tensors.
 */
export function predict(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  args: McDropoutArgs = {},
): { mean: tf.Tensor; std: tf.Tensor } {
  const n = args.samples ?? 30;
  if (!Number.isInteger(n) || n < 1) throw new Error(`gs.mcDropout.predict: \`samples\` must be a positive integer, got ${n}`);
  if (!(model instanceof tf.LayersModel)) throw new Error('gs.mcDropout.predict: the first argument must be a tf.LayersModel');
  // A seeded tfjs dropout layer draws the same mask on every call, so all samples agree and std is 0.
  const seeded = model.layers.filter((l) => /dropout/i.test(l.getClassName()) && (l.getConfig() as { seed?: unknown }).seed != null);
  if (seeded.length) {
    throw new Error(`gs.mcDropout.predict: ${seeded.map((l) => l.name).join(', ')} ${seeded.length > 1 ? 'have' : 'has'} a fixed \`seed\`, so every sample draws the same dropout mask and the std would be 0; build the dropout layers without a seed`);
  }
  return tf.tidy(() => {
    const runs: tf.Tensor[] = [];
    for (let i = 0; i < n; i++) {
      const out = model.apply(x, { training: true });
      if (Array.isArray(out)) throw new Error('gs.mcDropout.predict: models with several outputs are not supported');
      runs.push(out as tf.Tensor);
    }
    const { mean, variance } = tf.moments(tf.stack(runs), 0);
    return { mean, std: tf.sqrt(variance) };
  });
}
