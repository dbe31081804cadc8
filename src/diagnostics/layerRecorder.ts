/**
 * Per-layer series of one run: what each probe measured, appended into bounded buffers, and the
 * update-to-weight ratio ‖ΔW‖/‖W‖ from weights copied before a sampled step.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerSeries, SaturationSample } from '../protocol/health';
import { allOnHost, sqDiffOf } from '../engine/hostValues';
import type { ProbeLayer } from './probe';
import { median } from './ruleUtils';
import { SeriesBuffer, encodeNumber } from './series';
import type { LayerHistogramSet } from './histograms';

const SAT_FIELDS = ['zero', 'dead', 'saturated', 'negative', 'mean', 'std'] as const;
/** Probes whose update ratios the rules' median is taken over (kept at full resolution). */
const RECENT_UPDATES = 64;
type SatField = (typeof SAT_FIELDS)[number];

/** Buffers of one layer with weights. */
export class LayerRecorder {
  readonly sensitivityRms = new SeriesBuffer();
  readonly sensitivityMax = new SeriesBuffer();
  readonly gradNorm = new SeriesBuffer();
  readonly updateRatio = new SeriesBuffer();
  readonly saturation = new Map<SatField, SeriesBuffer>();
  latestSaturation?: SaturationSample;
  batchNorm?: LayerSeries['batchNorm'];
  netInputSize?: number;
  /** Histograms of weights, gradients and activations, when the monitor takes them. */
  histograms?: LayerHistogramSet;
  private readonly recentUpdates: number[] = [];

  constructor(readonly layer: tf.layers.Layer) {}

  /** Appends the ‖ΔW‖/‖W‖ of the step probed at `step`. */
  recordUpdateRatio(step: number, ratio: number): void {
    this.updateRatio.push(step, ratio);
    if (!Number.isFinite(ratio)) return;
    this.recentUpdates.push(ratio);
    if (this.recentUpdates.length > RECENT_UPDATES) this.recentUpdates.shift();
  }

  /** Median ‖ΔW‖/‖W‖ of the last probes, undefined before any. */
  get recentUpdateRatio(): number | undefined {
    return median(this.recentUpdates);
  }

  /** Appends one probe's measurements. */
  record(step: number, p: ProbeLayer): void {
    if (p.sensitivityRms !== null) this.sensitivityRms.push(step, p.sensitivityRms);
    if (p.netInputSize !== null) this.netInputSize = p.netInputSize;
    if (p.sensitivityMax !== null) this.sensitivityMax.push(step, p.sensitivityMax);
    if (p.gradNorm !== null) this.gradNorm.push(step, p.gradNorm);
    if (p.saturation) {
      this.latestSaturation = p.saturation;
      for (const f of SAT_FIELDS) {
        const v = p.saturation[f];
        // mean/std are charted for SELU only (the one kind judged on them); elsewhere only the latest.
        if (v === undefined || ((f === 'mean' || f === 'std') && p.saturation.kind !== 'selu')) continue;
        let b = this.saturation.get(f);
        if (!b) this.saturation.set(f, (b = new SeriesBuffer()));
        b.push(step, v);
      }
    }
    if (p.batchNorm) this.batchNorm = { step, ...p.batchNorm };
  }

  /** The layer's series, each downsampled to at most `maxPoints` points (histograms to `histogramFrames` frames). */
  toSeries(maxPoints: number, histogramFrames = maxPoints): LayerSeries {
    const out: LayerSeries = {
      layer: this.layer.name,
      sensitivityRms: this.sensitivityRms.toSeries(maxPoints),
      sensitivityMax: this.sensitivityMax.toSeries(maxPoints),
      gradNorm: this.gradNorm.toSeries(maxPoints),
      updateRatio: this.updateRatio.toSeries(maxPoints),
      ...(this.netInputSize !== undefined ? { netInputSize: this.netInputSize } : {}),
    };
    const recent = this.recentUpdateRatio;
    if (recent !== undefined) out.updateRatioMedian = encodeNumber(recent) ?? undefined;
    if (this.saturation.size > 0) {
      out.saturation = {};
      for (const [f, b] of this.saturation) out.saturation[f] = b.toSeries(maxPoints);
    }
    if (this.latestSaturation) {
      const s: SaturationSample = { kind: this.latestSaturation.kind };
      for (const f of SAT_FIELDS) {
        const v = this.latestSaturation[f];
        if (v !== undefined) s[f] = encodeNumber(v) ?? NaN;
      }
      out.latestSaturation = s;
    }
    const h = this.histograms?.toProtocol(histogramFrames);
    if (h) out.histograms = h;
    if (this.batchNorm) {
      const b = this.batchNorm;
      out.batchNorm = {
        step: b.step, batchMean: enc(b.batchMean), movingMean: enc(b.movingMean),
        batchVar: enc(b.batchVar), movingVar: enc(b.movingVar), maxMeanShift: enc(b.maxMeanShift),
      };
    }
    return out;
  }

  /** Number of series {@link toSeries} emits (for the snapshot's size budget). */
  get seriesCount(): number {
    return 4 + this.saturation.size;
  }
}

// Non-finite batch-norm statistics are serialized by JSON.stringify as null, which is the schema's encoding.
function enc(v: number): number {
  return encodeNumber(v) ?? NaN;
}

/** Copies of the trainable weights taken before a sampled step, per layer. */
export class WeightSnapshot {
  private constructor(private readonly copies: { rec: LayerRecorder; before: tf.Tensor[] }[]) {}

  /**
   * Holds on to every trainable weight's current values. A reshape shares the variable's data
   * without copying (clone copies on wasm); optimizers update with variable.assign, which points the
   * variable at new data and leaves this view on the old.
   */
  static take(recorders: LayerRecorder[]): WeightSnapshot {
    return new WeightSnapshot(recorders
      .filter((r) => r.layer.trainableWeights.length > 0)
      .map((rec) => ({ rec, before: rec.layer.trainableWeights.map((w) => { const v = w.read(); return tf.keep(tf.reshape(v, v.shape)); }) })));
  }

  /**
   * Appends ‖W_now − W_before‖ / ‖W_before‖ per layer at `step`, then frees the copies. On the values
   * in place where the backend holds them on the host (wasm, cpu; see hostValues.ts), else with one
   * squared-difference and one sum-of-squares kernel per weight and one read-back.
   */
  finish(step: number): void {
    try {
      const plan = this.copies
        .map(({ rec, before }) => ({ rec, before, now: rec.layer.trainableWeights.map((w) => w.read()) }))
        .filter((p) => p.now.length === p.before.length && p.now.every((w, i) => w.size === p.before[i].size));
      const all = plan.flatMap((p) => [...p.now, ...p.before]);
      let sums: ArrayLike<number>;
      if (allOnHost(all)) {
        sums = plan.flatMap((p) => {
          const r = p.now.map((w, i) => sqDiffOf(w, p.before[i]));
          return [...r.map((x) => x.diff), ...r.map((x) => x.base)];
        });
      } else {
        const flat = tf.tidy(() => {
          const scalars = plan.flatMap((p) => [
            ...p.now.map((w, i) => tf.sum(tf.squaredDifference(w, p.before[i]))),
            ...p.before.map((w) => tf.sum(tf.square(w))),
          ]);
          return scalars.length ? tf.stack(scalars) : tf.zeros([0]);
        });
        sums = flat.dataSync();
        flat.dispose();
      }
      let k = 0;
      for (const { rec, now } of plan) {
        let d = 0;
        let b = 0;
        for (let i = 0; i < now.length; i++) d += sums[k++];
        for (let i = 0; i < now.length; i++) b += sums[k++];
        if (b > 0) rec.recordUpdateRatio(step, Math.sqrt(d) / Math.sqrt(b));
      }
    } finally {
      this.dispose();
    }
  }

  /** Frees the copies without measuring. */
  dispose(): void {
    for (const c of this.copies) tf.dispose(c.before);
    this.copies.length = 0;
  }
}

/** ‖∂L/∂W‖ over the layer's trainable weights from the step's Σg² per variable; null when frozen or not all measured. */
export function gradNormOf(layer: tf.layers.Layer, squares: ReadonlyMap<string, number>): number | null {
  const ws = layer.trainableWeights;
  if (ws.length === 0) return null;
  let total = 0;
  for (const w of ws) {
    const v = squares.get(w.name);
    if (v === undefined) return null;
    total += v;
  }
  return Math.sqrt(total);
}
