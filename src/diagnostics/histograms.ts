/**
 * Histograms over time of each layer's weights, weight gradients and activations, sampled with the
 * probes. The bin edges of each layer and kind are fixed at its first sample: the range of those values
 * widened by {@link HEADROOM} of its span on each side (values outside fall into the under- and overflow
 * counts, non-finite ones are counted apart), so frames of one run are comparable bin for bin. Each
 * sample reads at most {@link SAMPLE_VALUES} values per tensor, at positions drawn once per tensor
 * (seeded), so a histogram costs the same for a 100-unit and a 10 000-unit layer; the counts are of
 * those values. Memory is bounded: past {@link MAX_FRAMES} frames, neighbours merge pairwise (each
 * then covers twice as many probes), as the series buffers do. The monitor takes a sample only at
 * the probes that keep the histograms' time within {@link DEFAULT_HISTOGRAM_SHARE} of its own (see
 * {@link histogramDue}), so long runs get evenly spread frames and short ones at least the first.
 */
import * as tf from '@tensorflow/tfjs';
import type { Histogram, LayerHistograms } from '../protocol/health';
import { hostView } from '../engine/hostValues';
import { seededRandom } from './probeBatch';

/** Bins between the edges. */
export const BINS = 24;
/** Share of the first sample's span added below and above it for the fixed edges. */
export const HEADROOM = 0.5;
/** Values read from each tensor per sample. */
export const SAMPLE_VALUES = 512;
/** Frames kept per histogram before neighbours merge. */
export const MAX_FRAMES = 64;

/** Share of the monitor's own time the histograms may take. */
export const DEFAULT_HISTOGRAM_SHARE = 0.005;

/**
 * True when a probe should take histograms: always the first (it fixes the edges); later ones while the
 * histograms' time so far (`spentMs`) plus the last sample's cost stays within `share` of the rest of
 * the monitor's time (`monitorMs` includes `spentMs`). A share of 1 or more takes them at every probe.
 */
export function histogramDue(samples: number, spentMs: number, lastCostMs: number, monitorMs: number, share: number): boolean {
  if (samples === 0 || share >= 1) return true;
  return spentMs + lastCostMs <= share * Math.max(0, monitorMs - spentMs);
}

/** What a histogram is of. */
export type HistogramKind = keyof LayerHistograms;

interface Frame { step: number; probes: number; counts: Uint32Array; under: number; over: number; nonFinite: number }

/** Positions read from a tensor of `size` values: all of them, or {@link SAMPLE_VALUES} drawn at random, ascending. */
function positions(size: number, seed: number): Int32Array | undefined {
  if (size <= SAMPLE_VALUES) return undefined;
  const rnd = seededRandom(seed);
  const out = new Int32Array(SAMPLE_VALUES);
  for (let i = 0; i < SAMPLE_VALUES; i++) out[i] = Math.floor(rnd() * size);
  return out.sort();
}

/** One histogram over time (one layer, one kind). */
export class HistogramBuffer {
  private lo = 0;
  private scale = 0;
  private edges?: number[];
  private frames: Frame[] = [];
  private width = 1;
  private readonly picks = new Map<string, Int32Array | undefined>();
  private seed = 1;
  private cached?: { maxFrames: number; h: Histogram };
  /** The most recent sample, unmerged (what an exporter writes for that step). */
  latest?: { step: number; counts: Uint32Array; under: number; over: number; nonFinite: number };
  /** Milliseconds spent in {@link add} and {@link toHistogram} so far (the monitor reports it as `cost.histogramMs`). */
  spentMs = 0;

  /** Bin edges (undefined before the first sample). */
  get binEdges(): readonly number[] | undefined {
    return this.edges;
  }

  /** Frames kept. */
  get length(): number {
    return this.frames.length;
  }

  /** The values this sample counts, by tensor key (`key` identifies a tensor across probes: same positions each time). */
  private sampled(key: string, t: tf.Tensor): { v: ArrayLike<number>; at?: Int32Array } {
    let at = this.picks.get(key);
    if (!this.picks.has(key) || (at && at[at.length - 1] >= t.size)) {
      at = positions(t.size, this.seed++);
      this.picks.set(key, at);
    }
    const view = hostView(t);
    if (view) return { v: view, at };
    // Native and GPU backends: download only the sampled values.
    if (!at) return { v: t.dataSync() as ArrayLike<number> };
    const picked = tf.tidy(() => tf.gather(tf.reshape(t, [-1]), tf.tensor1d(at, 'int32')));
    const v = picked.dataSync() as ArrayLike<number>;
    picked.dispose();
    return { v };
  }

  /** Adds a frame at `step` from `tensors` (keyed, see above); tensors the backend cannot read are skipped by the caller. */
  add(step: number, tensors: [string, tf.Tensor][]): void {
    const t0 = performance.now();
    try {
      this.addFrame(step, tensors);
    } finally {
      this.spentMs += performance.now() - t0;
    }
  }

  private addFrame(step: number, tensors: [string, tf.Tensor][]): void {
    const views = tensors.filter(([, t]) => t.size > 0).map(([k, t]) => this.sampled(k, t));
    if (views.length === 0) return;
    if (!this.edges) this.fix(views);
    const counts = new Uint32Array(BINS);
    const tail = { under: 0, over: 0, nonFinite: 0 };
    for (const { v, at } of views) binInto(v, at, this.lo, this.scale, counts, tail);
    const { under, over, nonFinite } = tail;
    this.latest = { step, counts: counts.slice(), under, over, nonFinite };
    this.push({ step, probes: 1, counts, under, over, nonFinite });
  }

  /** Fixes the edges from the first sample: its finite range widened by {@link HEADROOM} each side. */
  private fix(views: { v: ArrayLike<number>; at?: Int32Array }[]): void {
    let min = Infinity, max = -Infinity;
    for (const { v, at } of views) {
      const n = at ? at.length : v.length;
      for (let i = 0; i < n; i++) {
        const x = v[at ? at[i] : i];
        if (x < min) min = x;
        if (x > max) max = x;
      }
    }
    if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) { min = -1; max = 1; }
    let span = max - min;
    // All values equal (a zero-initialized bias, a constant): a span around them, relative when they are not 0.
    if (!(span > 0)) span = Math.max(Math.abs(min), 1e-6) * 2;
    const lo = min - HEADROOM * span;
    const hi = max + HEADROOM * span;
    this.lo = lo;
    this.scale = BINS / (hi - lo);
    this.edges = Array.from({ length: BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / BINS);
  }

  private push(f: Frame): void {
    this.cached = undefined;
    const last = this.frames[this.frames.length - 1];
    if (last && last.probes < this.width) {
      merge(last, f);
    } else {
      this.frames.push(f);
    }
    if (this.frames.length > MAX_FRAMES) {
      const merged: Frame[] = [];
      for (let i = 0; i < this.frames.length; i += 2) {
        const a = this.frames[i];
        if (this.frames[i + 1]) merge(a, this.frames[i + 1]);
        merged.push(a);
      }
      this.frames = merged;
      this.width *= 2;
    }
  }

  /** The histogram with at most `maxFrames` frames (neighbours summed, evenly), undefined before any sample. */
  toHistogram(maxFrames: number): Histogram | undefined {
    if (!this.edges || this.frames.length === 0) return undefined;
    // Snapshots are built far more often than frames are added: build once per change.
    if (this.cached?.maxFrames === maxFrames) return this.cached.h;
    const t0 = performance.now();
    try {
      const h = this.build(maxFrames, this.edges);
      this.cached = { maxFrames, h };
      return h;
    } finally {
      this.spentMs += performance.now() - t0;
    }
  }

  private build(maxFrames: number, edges: number[]): Histogram {
    const n = this.frames.length;
    const m = Math.max(1, Math.min(n, Math.floor(maxFrames)));
    const groups: Frame[] = [];
    for (let g = 0; g < m; g++) {
      const part = this.frames.slice(Math.floor((g * n) / m), Math.floor(((g + 1) * n) / m));
      const f: Frame = { ...part[0], counts: part[0].counts.slice() };
      for (const p of part.slice(1)) merge(f, p);
      groups.push(f);
    }
    return {
      edges: edges.map((e) => Number(e.toPrecision(5))),
      step: groups.map((f) => f.step),
      probes: groups.map((f) => f.probes),
      counts: groups.map((f) => Array.from(f.counts)),
      under: groups.map((f) => f.under),
      over: groups.map((f) => f.over),
      nonFinite: groups.map((f) => f.nonFinite),
    };
  }
}

/**
 * Counts `v` (at positions `at`, or all of it) into `counts` on bins [lo + j/scale, lo + (j+1)/scale);
 * values outside into `tail.under`/`tail.over`, NaN and ±Infinity into `tail.nonFinite`. Two loops,
 * with and without positions, so the common path has no branch on them.
 */
function binInto(v: ArrayLike<number>, at: Int32Array | undefined, lo: number, scale: number, counts: Uint32Array, tail: { under: number; over: number; nonFinite: number }): void {
  let under = 0, over = 0, bad = 0;
  const count = (x: number) => {
    const b = Math.floor((x - lo) * scale);
    if (b >= 0 && b < BINS) counts[b]++;
    else if (b < 0) { if (x === -Infinity) bad++; else under++; } else if (b >= BINS) { if (x === Infinity) bad++; else over++; } else bad++;
  };
  if (at) for (let i = 0; i < at.length; i++) count(v[at[i]]);
  else for (let i = 0; i < v.length; i++) count(v[i]);
  tail.under += under;
  tail.over += over;
  tail.nonFinite += bad;
}

function merge(into: Frame, f: Frame): void {
  into.probes += f.probes;
  for (let i = 0; i < BINS; i++) into.counts[i] += f.counts[i];
  into.under += f.under;
  into.over += f.over;
  into.nonFinite += f.nonFinite;
}

/** The three histograms of one layer. */
export class LayerHistogramSet {
  readonly buffers: { [K in HistogramKind]: HistogramBuffer } = {
    weights: new HistogramBuffer(), gradients: new HistogramBuffer(), activations: new HistogramBuffer(),
  };

  /** The layer's histograms with at most `maxFrames` frames each; undefined when none has a sample. */
  toProtocol(maxFrames: number): LayerHistograms | undefined {
    const out: LayerHistograms = {};
    for (const k of ['weights', 'gradients', 'activations'] as const) {
      const h = this.buffers[k].toHistogram(maxFrames);
      if (h) out[k] = h;
    }
    return Object.keys(out).length ? out : undefined;
  }

  /** Milliseconds its three histograms took so far. */
  get spentMs(): number {
    return this.buffers.weights.spentMs + this.buffers.gradients.spentMs + this.buffers.activations.spentMs;
  }

  /** Histograms with at least one frame. */
  get count(): number {
    return (['weights', 'gradients', 'activations'] as const).filter((k) => this.buffers[k].length > 0).length;
  }
}

/** Share of the snapshot's byte budget the histograms may take. */
export const HISTOGRAM_SHARE = 0.15;
/** Bytes one frame of one histogram takes in JSON (BINS + 5 small integers). */
const FRAME_BYTES = (BINS + 5) * 4;

/** Frames per histogram that keep all `histograms` of a snapshot within {@link HISTOGRAM_SHARE} of `maxBytes` (at least 1). */
export function framesFor(histograms: number, maxBytes: number): number {
  if (histograms === 0) return MAX_FRAMES;
  return Math.max(1, Math.min(MAX_FRAMES, Math.floor((HISTOGRAM_SHARE * maxBytes) / (histograms * FRAME_BYTES))));
}
