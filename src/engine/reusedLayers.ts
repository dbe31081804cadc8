/**
 * Which layers came from another model through `gs.transfer.reuse`. The mark is a property on the
 * layer object under a registered symbol, so the gradient-health panel's frozen-layer map (built by
 * the monitor) and `gs.transfer.frozenMap` agree whichever bundle made the layer.
 */
import type * as tf from '@tensorflow/tfjs';

const REUSED = Symbol.for('gradscope.transfer.reused');

/** Marks `layer` as reused from a base model. */
export function markReused(layer: tf.layers.Layer): void {
  (layer as unknown as Record<symbol, boolean>)[REUSED] = true;
}

/** True when `layer` was reused from a base model. */
export function isReused(layer: tf.layers.Layer): boolean {
  return (layer as unknown as Record<symbol, boolean>)[REUSED] === true;
}
