/**
 * Turns what a probe recorded (kept tensors per layer) into numbers, with one read-back for the whole
 * model: every statistic is a scalar tensor, they are stacked and read with one dataSync.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationKind, SaturationSample } from '../protocol/health';
import { combineNorms, needsRescale, normTensors, readNorms, scaledNorm, type NormNumbers, type NormParts } from './norms';
import type { ProbeLayer } from './probe';

/** What the probe records for one layer with weights while the forward/backward pass runs. */
export interface Slot {
  layer: tf.layers.Layer;
  index: number;
  /** False for layers whose net input is not defined (LSTM, GRU…). */
  supported: boolean;
  /** Parts of ∂L/∂W (one per trainable weight) and of ∂L/∂n (one per activation call). */
  grads: NormParts[];
  sens: NormParts[];
  /** Views of each ∂L/∂n, for re-measuring scaled when the plain sum of squares left float32 range. */
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
  const scalars: tf.Tensor[] = [];
  const at = (t: tf.Tensor): number => scalars.push(t) - 1;
  type Plan = {
    norms: number;
    sat: [Raw, number][];
    bn?: [number, number, number, number, number];
  };
  const values = tf.tidy(() => {
    const plans: Plan[] = slots.map((s) => {
      const plan: Plan = { norms: scalars.length, sat: [] };
      scalars.push(...normTensors(s.grads), ...normTensors(s.sens));
      if (s.acts.length > 0 && s.kind) {
        for (const [field, t] of saturationStats(s.kind, s.nets, s.acts)) plan.sat.push([field, at(t)]);
      }
      if (s.bnInputs.length > 0) {
        const bn = batchNormStats(s.layer, s.bnInputs[0]);
        if (bn) plan.bn = bn.map(at) as Plan['bn'];
      }
      return plan;
    });
    // All statistics are float32 scalars already: stack them as they are (no per-scalar cast/reshape kernels).
    const flat = scalars.length > 0 ? tf.stack(scalars) : tf.zeros([0]);
    return { plans, flat: flat as tf.Tensor };
  });
  const v = values.flat.dataSync();
  values.flat.dispose();
  return slots.map((s, i) => {
    const plan = values.plans[i];
    const g = readNorms(s.grads, v, plan.norms);
    let n = readNorms(s.sens, v, g.next).nums;
    if (needsRescale(n)) n = rescaled(s.dys);
    const sens = s.supported && n.length > 0 ? combineNorms(n) : undefined;
    const grad = g.nums.length > 0 ? combineNorms(g.nums) : undefined;
    const out: ProbeLayer = {
      layer: s.layer.name,
      index: s.index,
      sensitivityRms: sens ? sens.rms : null,
      sensitivityMax: sens ? sens.max : null,
      gradNorm: grad ? grad.norm : null,
    };
    if (s.kind && plan.sat.length > 0) {
      const raw: Partial<Record<Raw, number>> = {};
      for (const [field, idx] of plan.sat) raw[field] = v[idx];
      out.saturation = toSample(s.kind, raw);
    }
    if (plan.bn) {
      const [batchMean, movingMean, batchVar, movingVar, maxMeanShift] = plan.bn.map((k) => v[k]);
      out.batchNorm = { batchMean, movingMean, batchVar, movingVar, maxMeanShift };
    }
    return out;
  });
}

/** The sensitivity parts measured scaled (exact at any float32 magnitude): vanishing or exploding layers. */
function rescaled(dys: tf.Tensor[]): NormNumbers[] {
  const parts = dys.map((d) => scaledNorm(d));
  const flat = tf.tidy(() => tf.stack(normTensors(parts)));
  const v = flat.dataSync();
  tf.dispose([flat, ...normTensors(parts)]);
  return readNorms(parts, v, 0).nums;
}

/** Rows = samples (× time steps), columns = units. */
function asMatrix(ts: tf.Tensor[]): tf.Tensor2D {
  const perSample = ts[0].shape.slice(1).reduce((a, b) => a * b, 1);
  const all = ts.length === 1 ? ts[0] : tf.concat(ts.map((t) => tf.reshape(t, [-1, perSample])), 0);
  return tf.reshape(all, [-1, perSample]);
}

function fraction(mask: tf.Tensor): tf.Tensor {
  return tf.mean(tf.cast(mask, 'float32'));
}

/** Raw per-layer statistics, turned into a {@link SaturationSample} by {@link toSample} after read-back. */
type Raw = 'positive' | 'alive' | 'saturated' | 'negative' | 'mean' | 'meanSq';

// Few kernels per layer (each costs a fixed ~20-40 µs on wasm whatever its size): 1 − x and the
// variance are finished in JS.
function saturationStats(kind: ActivationKind, nets: tf.Tensor[], acts: tf.Tensor[]): [Raw, tf.Tensor][] {
  const a = asMatrix(acts);
  const out: [Raw, tf.Tensor][] = [];
  if (kind === 'relu' || kind === 'relu6') {
    const positive = tf.cast(tf.greater(a, 0), 'float32');
    out.push(['positive', tf.mean(positive)]);
    // A unit is alive when positive for some sample: its column max is 1; dead = 1 − mean of those.
    out.push(['alive', tf.mean(tf.max(positive, 0))]);
  } else if (kind === 'sigmoid') {
    out.push(['saturated', fraction(tf.logicalOr(tf.less(a, SIGMOID_LOW), tf.greater(a, SIGMOID_HIGH)))]);
  } else if (kind === 'tanh') {
    out.push(['saturated', fraction(tf.greater(tf.abs(a), TANH_SATURATED))]);
  } else if (kind === 'leakyRelu' || kind === 'elu' || kind === 'selu') {
    out.push(['negative', fraction(tf.less(asMatrix(nets), 0))]);
  }
  out.push(['mean', tf.mean(a)], ['meanSq', tf.mean(tf.mul(a, a))]);
  return out;
}

/** The saturation sample from the raw statistics. */
function toSample(kind: ActivationKind, raw: Partial<Record<Raw, number>>): SaturationSample {
  const s: SaturationSample = { kind };
  if (raw.positive !== undefined) s.zero = 1 - raw.positive;
  if (raw.alive !== undefined) s.dead = 1 - raw.alive;
  if (raw.saturated !== undefined) s.saturated = raw.saturated;
  if (raw.negative !== undefined) s.negative = raw.negative;
  if (raw.mean !== undefined && raw.meanSq !== undefined) {
    s.mean = raw.mean;
    s.std = Math.sqrt(Math.max(0, raw.meanSq - raw.mean * raw.mean));
  }
  return s;
}

function batchNormStats(layer: tf.layers.Layer, input: tf.Tensor): tf.Tensor[] | undefined {
  const cfg = layer.getConfig() as { axis?: number; epsilon?: number };
  const axis = cfg.axis ?? -1;
  if (axis !== -1 && axis !== input.rank - 1) return undefined;
  const bn = layer as unknown as { movingMean?: { read(): tf.Tensor }; movingVariance?: { read(): tf.Tensor } };
  if (!bn.movingMean || !bn.movingVariance) return undefined;
  const channels = input.shape[input.rank - 1] as number;
  const { mean, variance } = tf.moments(tf.reshape(input, [-1, channels]), 0);
  const mm = bn.movingMean.read();
  const mv = bn.movingVariance.read();
  const shift = tf.max(tf.div(tf.abs(tf.sub(mean, mm)), tf.sqrt(tf.add(mv, cfg.epsilon ?? 1e-3))));
  return [tf.mean(mean), tf.mean(mm), tf.mean(variance), tf.mean(mv), shift];
}
