/**
 * Turns what a probe recorded (kept tensors per layer) into numbers, with one read-back for the whole
 * model: every statistic is a scalar tensor, they are stacked and read with one dataSync.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationKind, SaturationSample } from '../protocol/health';
import { combineNorms, normTensors, readNorms, type NormParts } from './norms';
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

type Field = keyof Omit<SaturationSample, 'kind'>;

/** Reads all statistics of all slots; tensors stay owned by the slots (the caller disposes them). */
export function readOut(slots: Slot[]): ProbeLayer[] {
  const scalars: tf.Tensor[] = [];
  const at = (t: tf.Tensor): number => scalars.push(t) - 1;
  type Plan = {
    norms: number;
    sat: [Field, number][];
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
    const flat = scalars.length > 0 ? tf.stack(scalars.map((t) => tf.cast(tf.reshape(t, []), 'float32'))) : tf.zeros([0]);
    return { plans, flat: flat as tf.Tensor };
  });
  const v = values.flat.dataSync();
  values.flat.dispose();
  return slots.map((s, i) => {
    const plan = values.plans[i];
    const g = readNorms(s.grads, v, plan.norms);
    const n = readNorms(s.sens, v, g.next);
    const sens = s.supported && n.nums.length > 0 ? combineNorms(n.nums) : undefined;
    const grad = g.nums.length > 0 ? combineNorms(g.nums) : undefined;
    const out: ProbeLayer = {
      layer: s.layer.name,
      index: s.index,
      sensitivityRms: sens ? sens.rms : null,
      sensitivityMax: sens ? sens.max : null,
      gradNorm: grad ? grad.norm : null,
    };
    if (s.kind && plan.sat.length > 0) {
      const sample: SaturationSample = { kind: s.kind };
      for (const [field, idx] of plan.sat) sample[field] = v[idx];
      out.saturation = sample;
    }
    if (plan.bn) {
      const [batchMean, movingMean, batchVar, movingVar, maxMeanShift] = plan.bn.map((k) => v[k]);
      out.batchNorm = { batchMean, movingMean, batchVar, movingVar, maxMeanShift };
    }
    return out;
  });
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

function saturationStats(kind: ActivationKind, nets: tf.Tensor[], acts: tf.Tensor[]): [Field, tf.Tensor][] {
  const a = asMatrix(acts);
  const out: [Field, tf.Tensor][] = [];
  if (kind === 'relu' || kind === 'relu6') {
    const nonZero = tf.cast(tf.notEqual(a, 0), 'float32');
    out.push(['zero', tf.sub(1, tf.mean(nonZero))]);
    // A dead unit is zero for every sample: its column of nonZero is all 0.
    out.push(['dead', fraction(tf.equal(tf.max(nonZero, 0), 0))]);
  } else if (kind === 'sigmoid') {
    out.push(['saturated', fraction(tf.logicalOr(tf.less(a, SIGMOID_LOW), tf.greater(a, SIGMOID_HIGH)))]);
  } else if (kind === 'tanh') {
    out.push(['saturated', fraction(tf.greater(tf.abs(a), TANH_SATURATED))]);
  } else if (kind === 'leakyRelu' || kind === 'elu' || kind === 'selu') {
    out.push(['negative', fraction(tf.less(asMatrix(nets), 0))]);
  }
  const { mean, variance } = tf.moments(a);
  out.push(['mean', mean], ['std', tf.sqrt(variance)]);
  return out;
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
