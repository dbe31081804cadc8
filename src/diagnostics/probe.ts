/**
 * One probe of a model on one batch: a forward and backward pass that measures, per layer with weights,
 * the sensitivity s^k = ∂L/∂n^k (n^k the net input, before the activation), the l2 norm of ∂L/∂W^k,
 * activation saturation and batch-norm statistics.
 *
 * tfjs fuses the activation into Dense/Conv layers, so n^k is never a tensor of the model's own graph.
 * For the probe, each such layer gets the linear activation (so its own fused kernel computes n^k) and
 * a call hook that records n^k and then applies the real activation; recurrent cells get a wrapped
 * activation instead. Each recorded n^k joins the tensors the backward pass differentiates with
 * respect to (tfjs's engine reads that list after the forward pass, 4.22.0 is pinned and checked), so
 * ∂L/∂n^k comes back as one of the gradients: no extra op on the tape.
 * Everything is restored afterwards, and the forward pass runs in training mode with the batch-norm
 * moving statistics saved and written back. A Dense layer on rank-2 inputs, a channels-last Conv2D
 * and a SimpleRNN cell without dropout compute n with the plain ops (matMul or conv2d, then the bias)
 * instead of the fused kernels: tfjs's fused ops compute the gradients of all their inputs in their
 * backward pass whether asked or not, the plain ops only those on a path from the tensors
 * differentiated (so a probe without weight gradients skips every ∂L/∂W product, and the first
 * layer's ∂L/∂x). Same values, to float rounding.
 * Supported: Dense, Conv1D/2D/3D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose (net input =
 * pre-activation), SimpleRNN (pre-activation of every time step, RMS over batch × time), LSTM and GRU
 * (net input = every gate's pre-activation, z = x·W + h·U + b split per gate, at every time step: RMS
 * over batch × time × gates), and layers without an activation such as BatchNormalization, Embedding,
 * LayerNormalization, PReLU (net input = the layer's output). Not supported (sensitivity null, gradient
 * norm still measured): ConvLSTM2D, Bidirectional, TimeDistributed and generic RNN cells. Model
 * regularization losses are not part of L.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossFn } from '../training/observer';
import { fusedActivationOf, kindOfActivationName, standaloneActivationKind, type ActivationLike } from '../engine/activations';
import { sumSqOf } from '../engine/hostValues';
import { readOut, type ProbeLayer, type Slot } from './probeStats';

export type { ProbeLayer } from './probeStats';
import { GATES, captureGates, plainSimpleRnnCell, wrapActivation } from './recurrentCapture';
import { sourceOf } from '../engine/graph';

/** Options of {@link probeModel}. */
export interface ProbeArgs {
  /** Run the forward pass in training mode (dropout active). Defaults to true. */
  training?: boolean;
  /** Measure saturation and batch-norm statistics too. Defaults to true. */
  saturation?: boolean;
  /**
   * Measure ‖∂L/∂W‖ per layer. Defaults to true. Without them the backward pass differentiates with
   * respect to the recorded net inputs only and skips every ∂L/∂W product where the layer's net input
   * is computed with the plain ops: the training loop already measures the step's own weight gradients.
   */
  weightGrads?: boolean;
  /** Called with each layer's recorded activations (with saturation on) before they are freed. Defaults to none. */
  onActivations?: (layer: tf.layers.Layer, activations: tf.Tensor[]) => void;
}

/** Result of {@link probeModel}. */
export interface ProbeResult {
  loss: number;
  layers: ProbeLayer[];
}

const UNSUPPORTED = new Set(['ConvLSTM2D', 'RNN', 'Bidirectional', 'TimeDistributed']);

function hasWeights(layer: tf.layers.Layer): boolean {
  return layer.weights.length > 0;
}

/**
 * Probes `model` on one batch. Leaves the model exactly as it was (activations, call methods and
 * batch-norm moving statistics are restored) and disposes every tensor it creates.
 */
export function probeModel(
  model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], loss: LossFn | LossFn[], args: ProbeArgs = {},
): ProbeResult {
  const training = args.training ?? true;
  const wantSaturation = args.saturation ?? true;
  const weightGrads = args.weightGrads ?? true;
  const slots: Slot[] = [];
  const restore: (() => void)[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => tf.keep(t);
  // What the backward pass differentiates with respect to: fixed sources first, then every net input
  // the forward pass records (`capture`), with the slot each belongs to.
  const xs: tf.Tensor[] = [];
  const owners: Slot[] = [];
  const capture = (slot: Slot) => (n: tf.Tensor): tf.Tensor => {
    xs.push(n);
    owners.push(slot);
    return n;
  };
  let grads: (tf.Tensor | undefined)[] = [];
  let unused: tf.Tensor | undefined;
  try {
    const slotOf = new Map<tf.layers.Layer, Slot>();
    const standalone: tf.layers.Layer[] = [];
    model.layers.forEach((layer, index) => {
      if (hasWeights(layer)) {
        const slot: Slot = { layer, index, supported: !UNSUPPORTED.has(layer.getClassName()), grads: [], dys: [], nets: [], acts: [], bnInputs: [] };
        slots.push(slot);
        slotOf.set(layer, slot);
        if (!slot.supported) return;
        const cell = (layer as unknown as { cell?: tf.layers.Layer }).cell;
        const owner = cell ?? layer;
        const act = fusedActivationOf(owner);
        if (cell && GATES[layer.getClassName()]) {
          captureGates(cell, layer.getClassName() === 'LSTM', capture(slot), restore);
        } else if (act && cell) {
          // A recurrent cell applies its activation once per time step: wrap it.
          slot.kind = kindOfActivationName(act.getClassName());
          setActivation(owner, wrapActivation(act, capture(slot), slot, wantSaturation, keep), act, restore);
          const plain = plainSimpleRnnCell(cell);
          if (plain) patchCall(cell, restore, (_inputs, out) => out, plain);
        } else if (act) {
          // Dense/Conv: make the layer compute n (with the plain ops where they apply, else its own
          // fused kernel with no activation) and apply the activation after recording n ourselves.
          slot.kind = kindOfActivationName(act.getClassName());
          setActivation(owner, LINEAR, act, restore);
          patchCall(layer, restore, (_inputs, n) => {
            const net = capture(slot)(n);
            const a = act.apply(net);
            if (wantSaturation) { slot.nets.push(keep(tf.reshape(net, net.shape))); slot.acts.push(keep(tf.reshape(a, a.shape))); }
            return a;
          }, plainDense(layer) ?? plainConv2d(layer));
        } else {
          const isBn = layer.getClassName() === 'BatchNormalization';
          patchCall(layer, restore, (inputs, out) => {
            if (isBn && wantSaturation) slot.bnInputs.push(keep(single(inputs)));
            return capture(slot)(out);
          });
        }
      } else if (standaloneActivationKind(layer)) {
        standalone.push(layer);
      }
    });
    // A Dense(linear) followed by a ReLU layer is one "layer with an activation" for the user: the
    // activation belongs to the layer whose output it transforms in the graph (not the one listed
    // before it, which in a functional model may be another branch's).
    for (const layer of wantSaturation ? standalone : []) {
      const source = sourceOf(model, layer);
      const target = source && slotOf.get(source);
      if (!target || (target.kind !== undefined && target.kind !== 'linear')) continue;
      target.kind = standaloneActivationKind(layer);
      // Views (reshape shares the data): in inference mode the model's executor disposes its
      // intermediate tensors as soon as no layer needs them, keep() or not.
      patchCall(layer, restore, (inputs, out) => {
        const net = single(inputs);
        target.nets.push(keep(tf.reshape(net, net.shape)));
        target.acts.push(keep(tf.reshape(out, out.shape)));
        return out;
      });
    }

    const savedState = snapshotNonTrainable(model);
    restore.push(() => savedState.restore());

    const vars = weightGrads ? slots.flatMap((s) => s.layer.trainableWeights.map((w) => ({ slot: s, v: w.read() }))) : [];
    xs.push(...vars.map((e) => e.v));
    // tfjs wants a source before the forward pass. Without weight gradients, a scalar the forward
    // pass never uses: the net inputs recorded during it are the sources that matter, and no weight
    // (not even a bias, whose gradient is a reduction over the batch) is differentiated.
    if (xs.length === 0) xs.push(unused = tf.scalar(0));
    const fixed = xs.length;
    const result = tf.engine().gradients(() => {
      const pred = model.apply(x, { training }) as tf.Tensor | tf.Tensor[];
      return totalLoss(loss, y, pred);
    }, xs, undefined, true);
    grads = result.grads;
    if (grads.length !== xs.length) {
      throw new Error(`this tfjs (${tf.version_core}) does not differentiate with respect to tensors of the forward pass; the probe needs tfjs 4.22.0`);
    }
    vars.forEach((e, i) => {
      const g = grads[i];
      if (g) e.slot.grads.push(sumSqOf(g));
    });
    owners.forEach((slot, j) => {
      const g = grads[fixed + j];
      if (g) slot.dys.push(g);
    });
    for (const slot of slots) {
      // A gated cell that did not call its activations as tfjs 4.22 does: its pre-activations are unknown.
      const gates = GATES[slot.layer.getClassName()];
      if (gates && owners.filter((o) => o === slot).length % gates !== 0) slot.supported = false;
    }
    const { value } = result;
    const lossValue = value.dataSync()[0];
    value.dispose();
    restore.splice(0).reverse().forEach((f) => f());
    const layers = readOut(slots);
    if (args.onActivations) for (const s of slots) if (s.acts.length) args.onActivations(s.layer, s.acts);
    return { loss: lossValue, layers };
  } finally {
    restore.reverse().forEach((f) => f());
    for (const s of slots) tf.dispose([...s.nets, ...s.acts, ...s.bnInputs]);
    for (const g of grads) g?.dispose();
    unused?.dispose();
  }
}

/**
 * For a Dense layer: n = x·W (+ b) with the plain ops (see the file comment), for rank-2 inputs;
 * other ranks return undefined and take the layer's own (fused) path.
 */
function plainDense(layer: tf.layers.Layer): ((inputs: tf.Tensor | tf.Tensor[]) => tf.Tensor | undefined) | undefined {
  if (layer.getClassName() !== 'Dense') return undefined;
  const d = layer as unknown as { kernel?: tf.LayerVariable; bias?: tf.LayerVariable | null };
  const kernel = d.kernel;
  if (!kernel) return undefined;
  return (inputs) => {
    const x = single(inputs);
    if (x.rank !== 2 || x.dtype !== 'float32') return undefined;
    return tf.tidy(() => {
      const xw = tf.matMul(x, kernel.read());
      return d.bias ? tf.add(xw, d.bias.read()) : xw;
    });
  };
}

/**
 * For a Conv2D in channels-last layout with dilation 1: n = conv2d(x, W) (+ b) with the plain ops (see
 * the file comment), for rank-4 float32 inputs; anything else returns undefined and takes the layer's
 * own (fused) path.
 */
function plainConv2d(layer: tf.layers.Layer): ((inputs: tf.Tensor | tf.Tensor[]) => tf.Tensor | undefined) | undefined {
  if (layer.getClassName() !== 'Conv2D') return undefined;
  const c = layer as unknown as {
    kernel?: tf.LayerVariable; bias?: tf.LayerVariable | null; strides: number[]; padding: string; dataFormat: string; dilationRate: number | number[];
  };
  const kernel = c.kernel;
  if (!kernel) return undefined;
  const dilations = Array.isArray(c.dilationRate) ? c.dilationRate : [c.dilationRate];
  if (c.dataFormat !== 'channelsLast' || (c.padding !== 'valid' && c.padding !== 'same') || !dilations.every((d) => d === 1) || c.strides.length !== 2) return undefined;
  const strides = [c.strides[0], c.strides[1]] as [number, number];
  const pad = c.padding;
  return (inputs) => {
    const x = single(inputs);
    if (x.rank !== 4 || x.dtype !== 'float32') return undefined;
    return tf.tidy(() => {
      const xw = tf.conv2d(x as tf.Tensor4D, kernel.read() as tf.Tensor4D, strides, pad, 'NHWC');
      return c.bias ? tf.add(xw, c.bias.read()) : xw;
    });
  };
}

/** The identity under the name tfjs fuses as "no activation". */
const LINEAR: ActivationLike = { getClassName: () => 'linear', apply: (x) => x };

function setActivation(owner: tf.layers.Layer, to: ActivationLike, original: ActivationLike, restore: (() => void)[]): void {
  const o = owner as unknown as { activation: ActivationLike };
  o.activation = to;
  restore.push(() => { o.activation = original; });
}

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/**
 * Replaces the layer's call for the probe: `compute` (when given and it answers) or the original call,
 * then `after` on its single output.
 */
function patchCall(
  layer: tf.layers.Layer, restore: (() => void)[], after: (inputs: tf.Tensor | tf.Tensor[], out: tf.Tensor) => tf.Tensor,
  compute?: (inputs: tf.Tensor | tf.Tensor[]) => tf.Tensor | tf.Tensor[] | undefined,
): void {
  const target = layer as unknown as { call: CallFn };
  const original = target.call;
  target.call = function (this: unknown, inputs, kwargs) {
    const out = compute?.(inputs) ?? original.call(layer, inputs, kwargs);
    return Array.isArray(out) ? out : after(inputs, out);
  };
  restore.push(() => { delete (target as { call?: CallFn }).call; if (target.call !== original) target.call = original; });
}

function single(t: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(t) ? t[0] : t;
}

/** The sum over outputs of each output's loss (`loss[i]` for output i, or one function for all), as model.fit's total. */
function totalLoss(loss: LossFn | LossFn[], y: tf.Tensor | tf.Tensor[], pred: tf.Tensor | tf.Tensor[]): tf.Scalar {
  const ys = Array.isArray(y) ? y : [y];
  const ps = Array.isArray(pred) ? pred : [pred];
  if (ys.length !== ps.length) throw new Error(`probe: ${ys.length} targets for ${ps.length} model outputs`);
  if (Array.isArray(loss) && loss.length !== ps.length) throw new Error(`probe: ${loss.length} losses for ${ps.length} model outputs`);
  const of = (i: number) => (Array.isArray(loss) ? loss[i] : loss);
  let total = of(0)(ys[0], ps[0]);
  for (let i = 1; i < ys.length; i++) total = tf.add(total, of(i)(ys[i], ps[i]));
  return total;
}

/** Training-mode batch norm updates its moving statistics; the probe must not change the model. */
function snapshotNonTrainable(model: tf.LayersModel): { restore(): void } {
  // A reshape view keeps the old data alive without copying (batch norm updates with variable.write).
  const saved = model.layers.flatMap((l) => l.nonTrainableWeights.map((w) => { const v = w.read(); return { w, value: tf.keep(tf.reshape(v, v.shape)) }; }));
  let done = false;
  return {
    restore() {
      if (done) return;
      done = true;
      for (const { w, value } of saved) { w.write(value); value.dispose(); }
    },
  };
}

