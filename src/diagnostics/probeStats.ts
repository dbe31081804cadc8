/**
 * Turns what a probe recorded (kept tensors per layer) into numbers, without engine kernels: on the
 * tensors' values where the backend holds them (see hostValues.ts: SIMD over the wasm heap, loops
 * over cpu arrays), with float64 sums that cannot underflow. A probe's tensors are small (probe
 * batch × units), and several kernels per statistic cost far more than reading them.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ActivationKind, SaturationSample } from '../protocol/health';
import { countOutside, momentsOf, valuesOf } from '../engine/hostValues';

/** What one probe measured on one layer with weights. */
export interface ProbeLayer {
  layer: string;
  index: number;
  /** RMS and max |∂L/∂n| over the batch; null when the layer kind is not supported. */
  sensitivityRms: number | null;
  sensitivityMax: number | null;
  /** l2 norm of ∂L/∂W over the layer's trainable weights; null when it has none or they were not measured. */
  gradNorm: number | null;
  /** Values of n^k per sample (units × positions × time steps × gates); null with the sensitivity. */
  netInputSize: number | null;
  saturation?: SaturationSample;
  batchNorm?: { batchMean: number; movingMean: number; batchVar: number; movingVar: number; maxMeanShift: number };
}

/** What the probe records for one layer with weights while the forward/backward pass runs. */
export interface Slot {
  layer: tf.layers.Layer;
  index: number;
  /** False for layers whose net input the probe cannot record (ConvLSTM2D, Bidirectional…). */
  supported: boolean;
  /** Σ(∂L/∂W)² of each trainable weight, when the probe differentiates with respect to the weights. */
  grads: number[];
  /** Each ∂L/∂n the backward pass delivered (one per activation call; several for recurrent layers). */
  dys: tf.Tensor[];
  kind?: ActivationKind;
  /** Net inputs and activations recorded on the forward pass (one per call; several for SimpleRNN). */
  nets: tf.Tensor[];
  acts: tf.Tensor[];
  /** BatchNormalization inputs. */
  bnInputs: tf.Tensor[];
}

/** Thresholds of the saturation probe, from the issue: sigmoid a < 0.01 or a > 0.99; tanh |a| > 0.99. */
export const SIGMOID_LOW = 0.01;
export const SIGMOID_HIGH = 0.99;
export const TANH_SATURATED = 0.99;

/** Reads all statistics of all slots; tensors stay owned by the slots (the caller disposes them). */
export function readOut(slots: Slot[]): ProbeLayer[] {
  return slots.map((s) => {
    const sens = s.supported && s.dys.length > 0 ? sensitivity(s.dys) : undefined;
    const out: ProbeLayer = {
      layer: s.layer.name,
      index: s.index,
      sensitivityRms: sens ? sens.rms : null,
      sensitivityMax: sens ? sens.max : null,
      netInputSize: sens ? s.dys.reduce((n, dy) => n + dy.size / Math.max(1, dy.shape[0] ?? 1), 0) : null,
      gradNorm: s.grads.length > 0 ? Math.sqrt(s.grads.reduce((a, b) => a + b, 0)) : null,
    };
    if (s.kind && s.acts.length > 0) out.saturation = saturation(s.kind, s.nets, s.acts, channelsFirst(s.layer));
    if (s.bnInputs.length > 0) {
      const bn = batchNormStats(s.layer, s.bnInputs[0]);
      if (bn) out.batchNorm = bn;
    }
    return out;
  });
}

/** RMS and max |∂L/∂n| over all the layer's ∂L/∂n (NaN when any is NaN). */
function sensitivity(dys: tf.Tensor[]): { rms: number; max: number } {
  let total = 0;
  let size = 0;
  let max = 0;
  for (const dy of dys) {
    const r = momentsOf(dy);
    total += r.sumSq;
    size += dy.size;
    max = Math.max(max, r.max);
  }
  return { rms: size > 0 ? Math.sqrt(total / size) : 0, max };
}

/** True for a convolution in channels-first layout, whose units (filters) are on axis 1. */
function channelsFirst(layer: tf.layers.Layer): boolean {
  return (layer.getConfig() as { dataFormat?: string }).dataFormat === 'channelsFirst';
}

/**
 * The units whose deadness is judged: a Dense layer's units, a convolution's filters (channels), a
 * recurrent layer's units. A unit is dead when it is zero for every sample, position and time step.
 * Value i of unit c lies at (o × count + c) × inner + k, for each outer index o and inner index k.
 */
function unitsOf(t: tf.Tensor, first: boolean): { count: number; inner: number } {
  if (t.rank < 2) return { count: 1, inner: Math.max(1, t.size) };
  if (first && t.rank >= 3) return { count: t.shape[1] as number, inner: t.shape.slice(2).reduce((a, b) => a * b, 1) };
  return { count: t.shape[t.rank - 1] as number, inner: 1 };
}

/** The saturation sample of one layer over its recorded activations (and net inputs). */
function saturation(kind: ActivationKind, nets: tf.Tensor[], acts: tf.Tensor[], first = false): SaturationSample {
  const s: SaturationSample = { kind };
  const relu = kind === 'relu' || kind === 'relu6';
  let n = 0, sum = 0, sumSq = 0, counted = 0;
  for (const t of acts) {
    const m = momentsOf(t);
    sum += m.sum;
    sumSq += m.sumSq;
    n += t.size;
    if (relu) counted += countOutside(t, -Infinity, 0);
    else if (kind === 'sigmoid') counted += countOutside(t, SIGMOID_LOW, SIGMOID_HIGH);
    else if (kind === 'tanh') counted += countOutside(t, -TANH_SATURATED, TANH_SATURATED);
  }
  if (n === 0) return s;
  if (relu) {
    s.zero = 1 - counted / n;
    const units = unitsOf(acts[0], first);
    s.dead = 1 - aliveUnits(acts, units) / units.count;
  } else if (kind === 'sigmoid' || kind === 'tanh') {
    s.saturated = counted / n;
  } else if (kind === 'leakyRelu' || kind === 'elu' || kind === 'selu') {
    let neg = 0, m = 0;
    for (const t of nets) {
      neg += countOutside(t, 0, Infinity);
      m += t.size;
    }
    s.negative = m > 0 ? neg / m : 0;
  }
  s.mean = sum / n;
  s.std = Math.sqrt(Math.max(0, sumSq / n - s.mean * s.mean));
  return s;
}

/**
 * Units (see {@link unitsOf}) positive somewhere in the recorded activations. Each unit's values are
 * scanned until the first positive one: a live unit is found within a few, only dead ones are read in
 * full (a probe runs inside the training loop).
 */
function aliveUnits(acts: tf.Tensor[], { count, inner }: ReturnType<typeof unitsOf>): number {
  const alive = new Uint8Array(count);
  let live = 0;
  for (const t of acts) {
    const v = valuesOf(t);
    const stride = count * inner;
    for (let c = 0; c < count; c++) {
      if (alive[c]) continue;
      scan: for (let base = c * inner; base < v.length; base += stride) {
        for (let k = base; k < base + inner; k++) {
          if (v[k] > 0) { alive[c] = 1; live++; break scan; }
        }
      }
    }
  }
  return live;
}

/** Batch mean/variance of a BatchNormalization input against its moving statistics, averaged over channels. */
function batchNormStats(layer: tf.layers.Layer, input: tf.Tensor): ProbeLayer['batchNorm'] {
  const cfg = layer.getConfig() as { axis?: number; epsilon?: number };
  const axis = cfg.axis ?? -1;
  if (axis !== -1 && axis !== input.rank - 1) return undefined;
  const bn = layer as unknown as { movingMean?: { read(): tf.Tensor }; movingVariance?: { read(): tf.Tensor } };
  if (!bn.movingMean || !bn.movingVariance) return undefined;
  const channels = input.shape[input.rank - 1] as number;
  const x = valuesOf(input);
  const rows = x.length / channels;
  if (!(rows > 0)) return undefined;
  const mean = new Float64Array(channels);
  const sq = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) mean[i % channels] += x[i];
  for (let c = 0; c < channels; c++) mean[c] /= rows;
  for (let i = 0; i < x.length; i++) { const d = x[i] - mean[i % channels]; sq[i % channels] += d * d; }
  const mm = Array.from(valuesOf(bn.movingMean.read()));
  const mv = Array.from(valuesOf(bn.movingVariance.read()));
  const eps = cfg.epsilon ?? 1e-3;
  let batchMean = 0, movingMean = 0, batchVar = 0, movingVar = 0, maxMeanShift = 0;
  for (let c = 0; c < channels; c++) {
    const v = sq[c] / rows;
    batchMean += mean[c]; movingMean += mm[c]; batchVar += v; movingVar += mv[c];
    const shift = Math.abs(mean[c] - mm[c]) / Math.sqrt(mv[c] + eps);
    maxMeanShift = Number.isNaN(shift) || Number.isNaN(maxMeanShift) ? NaN : Math.max(maxMeanShift, shift);
  }
  return { batchMean: batchMean / channels, movingMean: movingMean / channels, batchVar: batchVar / channels, movingVar: movingVar / channels, maxMeanShift };
}
