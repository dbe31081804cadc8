/**
 * How the probe records the net inputs of recurrent layers, whose cell applies its activations once
 * (SimpleRNN) or several times (LSTM, GRU) per time step inside the layer's loop: by wrapping the
 * cell's activation objects for the duration of the probe. The caller restores them.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationLike } from '../engine/activations';
import type { Slot } from './probeStats';

/** Gated recurrent layers and the number of pre-activations their cell computes per time step. */
export const GATES: Record<string, number> = { LSTM: 4, GRU: 3 };

/**
 * `act` applied to what `net` returns for its argument (the argument itself, recorded), then `pair`
 * told of the net input and the activation.
 */
function recording(act: ActivationLike, net: (n: tf.Tensor) => tf.Tensor, pair?: (n: tf.Tensor, a: tf.Tensor) => void): ActivationLike {
  return {
    getClassName: () => 'gradscopeProbe',
    apply(n: tf.Tensor, axis?: number) {
      const x = net(n);
      const a = axis === undefined ? act.apply(x) : act.apply(x, axis);
      pair?.(x, a);
      return a;
    },
  };
}

/** A SimpleRNN cell's activation that records its argument (the net input) and, with `record`, the pair. */
export function wrapActivation(
  act: ActivationLike, cap: (n: tf.Tensor) => tf.Tensor, slot: Slot, record: boolean, keep: <T extends tf.Tensor>(t: T) => T,
): ActivationLike {
  return recording(act, cap, record ? (n, a) => { slot.nets.push(keep(n)); slot.acts.push(keep(a)); } : undefined);
}

/**
 * Records an LSTM's or GRU's gate pre-activations: every argument of the cell's `recurrentActivation`,
 * and of its `activation` except, in an LSTM, every second call, which squashes the cell state c
 * (tfjs 4.22's LSTMCell applies `activation` to z₂ and then to c at each step; GRUCell applies both
 * activations to pre-activations only).
 */
export function captureGates(cell: tf.layers.Layer, lstm: boolean, cap: (n: tf.Tensor) => tf.Tensor, restore: (() => void)[]): void {
  const c = cell as unknown as { activation: ActivationLike; recurrentActivation: ActivationLike };
  const { activation, recurrentActivation } = c;
  let calls = 0;
  c.recurrentActivation = recording(recurrentActivation, cap);
  c.activation = recording(activation, (n) => (lstm && calls++ % 2 === 1 ? n : cap(n)));
  restore.push(() => { c.activation = activation; c.recurrentActivation = recurrentActivation; });
}

/**
 * A SimpleRNN cell's step with the plain ops: n = x·W + b + h·U, then the cell's (wrapped) activation,
 * as tfjs 4.22's SimpleRNNCell computes it, whose fused matMuls compute ∂L/∂W, ∂L/∂U and ∂L/∂x at
 * every time step of the probe's backward pass whether asked or not. Undefined for a cell with dropout
 * (its masks are the cell's own business) or of another class; the step falls back to the cell's own
 * call on inputs it does not expect.
 */
export function plainSimpleRnnCell(cell: tf.layers.Layer): ((inputs: tf.Tensor | tf.Tensor[]) => tf.Tensor[] | undefined) | undefined {
  const c = cell as unknown as {
    kernel?: tf.LayerVariable; recurrentKernel?: tf.LayerVariable; bias?: tf.LayerVariable | null;
    dropout?: number; recurrentDropout?: number; activation?: ActivationLike;
  };
  if (cell.getClassName() !== 'SimpleRNNCell' || !c.kernel || !c.recurrentKernel || (c.dropout ?? 0) > 0 || (c.recurrentDropout ?? 0) > 0) return undefined;
  const { kernel, recurrentKernel } = c;
  return (inputs) => {
    if (!Array.isArray(inputs) || inputs.length !== 2) return undefined;
    const [x, h] = inputs;
    if (x.rank !== 2 || h.rank !== 2 || x.dtype !== 'float32' || h.dtype !== 'float32') return undefined;
    return tf.tidy(() => {
      let xw = tf.matMul(x, kernel.read());
      if (c.bias) xw = tf.add(xw, c.bias.read());
      let out = tf.add(xw, tf.matMul(h, recurrentKernel.read()));
      if (c.activation) out = c.activation.apply(out);
      return [out, out];
    });
  };
}
