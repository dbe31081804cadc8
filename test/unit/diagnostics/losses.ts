/** Loss functions with the LossFn shape (mean over the batch as a scalar) for the diagnostics tests. */
import * as tf from '@tensorflow/tfjs';
import type { LossFn } from '../../../src/training/observer';

/** Mean squared error. */
export const mse: LossFn = (t, p) => tf.losses.meanSquaredError(t, p) as tf.Scalar;
