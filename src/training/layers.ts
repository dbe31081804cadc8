/**
 * Layers for self-normalizing networks (Klambauer et al. 2017). A stack of dense SELU layers keeps
 * each layer's outputs at mean 0 and standard deviation 1 during training — so gradients neither
 * vanish nor explode — but ONLY under these conditions:
 * - the inputs are standardized (mean 0, standard deviation 1 per feature);
 * - every hidden layer is initialized with LeCun normal initialization, std 1/√fan_in ({@link leCunNormal};
 *   tfjs's `'leCunNormal'` string gives std 0.88/√fan_in, see there);
 * - the network is a plain sequential stack of dense layers (no skip connections, no recurrent or
 *   convolutional layers — CNNs may still benefit, but the guarantee is lost);
 * - regularization keeps the mean and variance: use alpha dropout ({@link alphaDropout}; tfjs's own
 *   `tf.layers.alphaDropout` has a sign error), not ordinary dropout, and no l1/l2 or max-norm constraints.
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

/** Standard deviation of a unit normal truncated at ±2, the factor Keras divides LeCun normal's stddev by. */
const TRUNCATED_STD = 0.87962566103423978;

/**
 * LeCun normal initialization as Keras defines it: weights with standard deviation exactly
 * 1/√fan_in. (tfjs's `'leCunNormal'` draws a normal truncated at 2σ with σ = 1/√fan_in but does
 * not correct for the truncation, so its weights have std 0.88/√fan_in and a deep SELU stack drifts
 * towards zero.)
 */
export function leCunNormal(args: { seed?: number } = {}): ReturnType<typeof tf.initializers.varianceScaling> {
  return tf.initializers.varianceScaling({ scale: 1 / TRUNCATED_STD ** 2, mode: 'fanIn', distribution: 'normal', seed: args.seed });
}

/**
 * A Dense layer with `selu` activation and LeCun normal initialization (std exactly 1/√fan_in, see
 * {@link leCunNormal}), the building block of a self-normalizing network (see the module comment
 * for the conditions).
 */
export function seluDense(units: number, args: SeluDenseArgs = {}): ReturnType<typeof tf.layers.dense> {
  if (!Number.isInteger(units) || units < 1) throw new Error(`gs.layers.seluDense: \`units\` must be a positive integer, got ${units}`);
  const a = args as Record<string, unknown>;
  if ('activation' in a || 'kernelInitializer' in a) {
    throw new Error('gs.layers.seluDense: `activation` and `kernelInitializer` are fixed (selu, LeCun normal); use tf.layers.dense otherwise');
  }
  return tf.layers.dense({ ...args, units, activation: 'selu', kernelInitializer: leCunNormal() });
}

/** Arguments of {@link alphaDropout}. */
export interface AlphaDropoutArgs {
  /** Fraction of the inputs to drop, in [0, 1). Required. */
  rate: number;
  /** Shape of the keep/drop mask (broadcast over the input). Defaults to the input's shape. */
  noiseShape?: number[];
  /** Input shape when this is the first layer. Defaults to none. */
  inputShape?: number[];
  /** Layer name. Defaults to a generated one. */
  name?: string;
}

const ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;

/**
 * Alpha dropout (Klambauer et al. 2017, as Keras `AlphaDropout`): in training, each input is kept
 * with probability 1 − rate or set to SELU's negative saturation value α' = −λα, then the result is
 * mapped by a·x + b with a = ((1 − rate)(1 + rate·α'²))^(−1/2), b = −a·α'·rate, so that standardized
 * inputs keep mean 0 and variance 1. Identity at inference.
 */
export class AlphaDropout extends tf.layers.Layer {
  static className = 'GradscopeAlphaDropout';
  readonly rate: number;
  readonly noiseShape?: number[];

  constructor(args: AlphaDropoutArgs) {
    super(args as ConstructorParameters<typeof tf.layers.Layer>[0]);
    if (!(args?.rate >= 0 && args.rate < 1)) throw new Error(`gs.layers.alphaDropout: \`rate\` must be in [0, 1), got ${args?.rate}`);
    this.rate = args.rate;
    this.noiseShape = args.noiseShape;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const c: tf.serialization.ConfigDict = { ...super.getConfig(), rate: this.rate };
    if (this.noiseShape) c.noiseShape = this.noiseShape;
    return c;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!kwargs?.training || this.rate === 0) return x.clone();
      const p = this.rate;
      // tfjs's own AlphaDropout fills dropped units with +λα instead of −λα (a sign slip), which
      // shifts the mean; this is the Keras formula.
      const keep = tf.cast(tf.greaterEqual(tf.randomUniform(this.noiseShape ?? x.shape), p), 'float32');
      const a = ((1 - p) * (1 + p * ALPHA_P ** 2)) ** -0.5;
      const b = -a * ALPHA_P * p;
      const masked = tf.add(tf.mul(x, keep), tf.mul(tf.sub(1, keep), ALPHA_P));
      return tf.add(tf.mul(masked, a), b);
    });
  }
}
tf.serialization.registerClass(AlphaDropout);

/** Creates an {@link AlphaDropout} layer: the dropout to use in a self-normalizing network. */
export function alphaDropout(args: AlphaDropoutArgs): AlphaDropout {
  return new AlphaDropout(args);
}
