/** Helpers shared by the health rules (pure, over snapshot data). */
import type { HealthSnapshot, LayerSeries, Series } from '../protocol/health';

/** What the rules read: everything of a snapshot except the findings. */
export type RunView = Omit<HealthSnapshot, 'findings'>;

export const pct = (v: number): string => `${Math.round(v * 100)} %`;
export const sci = (v: number): string => (Number.isFinite(v) ? v.toExponential(1) : String(v));

/** Last non-null value of a series with its step, or undefined. */
export function lastOf(s: Series | undefined): { step: number; value: number } | undefined {
  if (!s) return undefined;
  for (let i = s.value.length - 1; i >= 0; i--) {
    const v = s.value[i];
    if (v !== null) return { step: s.step[i], value: v };
  }
  return undefined;
}

export function finiteValues(s: Series): number[] {
  return s.value.filter((v): v is number => v !== null);
}

/** The median of `v` (the upper one of an even count); undefined when empty. */
export function median(v: number[]): number | undefined {
  const sorted = [...v].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * A layer's typical update ratio ‖ΔW‖/‖W‖: the median of its last probes (the producer's, taken before
 * the series was downsampled into bucket means; else the series'), with the last probe's step. One
 * step's update can be small or large by chance (at a noise floor, under Adam); a stuck layer or too
 * low a rate keeps most updates small.
 */
export function typicalUpdateRatio(l: LayerSeries): { step: number; value: number } | undefined {
  const last = lastOf(l.updateRatio);
  const m = l.updateRatioMedian ?? median(finiteValues(l.updateRatio));
  return last && m !== undefined ? { step: last.step, value: m } : undefined;
}

export function mean(a: number[]): number {
  return a.reduce((x, y) => x + y, 0) / a.length;
}

function sampleVariance(x: number[]): number {
  if (x.length < 2) return 0;
  const m = mean(x);
  return x.reduce((s, y) => s + (y - m) ** 2, 0) / (x.length - 1);
}

export function thirds(v: number[]): { first: number; last: number; noise: number } {
  const k = Math.max(1, Math.floor(v.length / 3));
  const a = v.slice(0, k);
  const b = v.slice(-k);
  const first = mean(a);
  const last = mean(b);
  const variance = (x: number[], m: number) => (x.length > 1 ? x.reduce((s, y) => s + (y - m) ** 2, 0) / (x.length - 1) : 0);
  // Standard error of last − first: what batch-to-batch noise alone makes the two means differ by.
  return { first, last, noise: Math.sqrt(variance(a, first) / a.length + variance(b, last) / b.length) };
}

/**
 * Weighted layers whose sensitivity was measured, input side first, with their latest RMS and the
 * per-sample norm ‖s^k‖ = RMS × √(values per sample) the depth rules compare. Variance-preserving
 * initialization (He, Glorot, LeCun) keeps n_k·Var[s^k] constant from layer to layer, so the norm is
 * what stays level in a healthy net; the per-value RMS changes with width (a 28×28×32 convolution's
 * RMS is ~50× below a 10-unit output's when nothing vanishes). Without a size, the norm is the RMS.
 */
export function sensitivityProfile(run: RunView): { layer: LayerSeries; step: number; rms: number; norm: number }[] {
  const out: { layer: LayerSeries; step: number; rms: number; norm: number }[] = [];
  for (const l of run.layers) {
    const last = lastOf(l.sensitivityRms);
    if (last) out.push({ layer: l, step: last.step, rms: last.value, norm: last.value * Math.sqrt(l.netInputSize ?? 1) });
  }
  return out;
}

export function activationOf(run: RunView, layer: string): string | undefined {
  return run.model.layers.find((l) => l.name === layer)?.activation;
}

export function trainable(run: RunView, layer: string): boolean {
  const info = run.model.layers.find((l) => l.name === layer);
  return !!info && info.trainable && info.params.trainable > 0;
}


/** How much the loss fell: over the whole run, over its last half, and the validation loss over its last half. */
export interface LossProgress {
  /** Relative decrease from the first third's mean to the last third's. */
  overall: number;
  /** Relative decrease from the third quarter's mean to the last quarter's. */
  recent: number;
  /** Standard error of `recent` from the two quarters' batch-to-batch noise (relative, like it). */
  recentNoise: number;
  /** Relative decrease of the best validation loss of the later half of the epochs over the earlier half's; absent under 4 epochs. */
  valRecent?: number;
  /** Loss points judged. */
  points: number;
}

/** The loss's progress, or undefined with fewer than `minPoints` finite points. */
export function lossProgress(run: RunView, minPoints: number): LossProgress | undefined {
  const v = finiteValues(run.training.loss);
  if (v.length < Math.max(4, minPoints)) return undefined;
  const { first, last } = thirds(v);
  const q = Math.max(1, Math.floor(v.length / 4));
  const third = v.slice(v.length - 2 * q, v.length - q);
  const fourth = v.slice(v.length - q);
  const before = mean(third);
  const after = mean(fourth);
  const se = Math.sqrt(sampleVariance(third) / third.length + sampleVariance(fourth) / fourth.length);
  const out: LossProgress = {
    overall: (first - last) / Math.abs(first || 1), recent: (before - after) / Math.abs(before || 1), recentNoise: se / Math.abs(before || 1), points: v.length,
  };
  const val = run.training.epochValLoss ? finiteValues(run.training.epochValLoss) : [];
  if (val.length >= 4) {
    const h = Math.floor(val.length / 2);
    const a = Math.min(...val.slice(0, h));
    const b = Math.min(...val.slice(h));
    out.valRecent = (a - b) / Math.abs(a || 1);
  }
  return out;
}

/**
 * How many times the layer's sensitivity relative to the output layer's fell from its first probes to
 * its latest (medians of up to three probes each end, at the steps both were measured); undefined
 * with fewer than four such probes. As a model learns, every sensitivity shrinks with the loss; only
 * the ratio to the output's says that less of the gradient gets through this layer.
 */
export function relativeSensitivityDrop(layer: LayerSeries, output: LayerSeries): { drop: number; from: number; to: number } | undefined {
  const out = new Map<number, number>();
  output.sensitivityRms.step.forEach((s, i) => { const v = output.sensitivityRms.value[i]; if (v !== null && v > 0) out.set(s, v); });
  const rel: { step: number; r: number }[] = [];
  layer.sensitivityRms.step.forEach((s, i) => {
    const v = layer.sensitivityRms.value[i];
    const o = out.get(s);
    if (v !== null && o !== undefined) rel.push({ step: s, r: v / o });
  });
  if (rel.length < 4) return undefined;
  const k = Math.min(3, Math.floor(rel.length / 2));
  const early = median(rel.slice(0, k).map((e) => e.r))!;
  const late = median(rel.slice(-k).map((e) => e.r))!;
  if (!(late > 0)) return { drop: Infinity, from: rel[0].step, to: rel[rel.length - 1].step };
  return { drop: early / late, from: rel[0].step, to: rel[rel.length - 1].step };
}
