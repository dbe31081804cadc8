/**
 * Histograms over time of each layer's weights, weight gradients and activations, sampled with the
 * probes. The bin edges of each layer and kind are fixed at its first sample: the range of those values
 * widened by {@link HEADROOM} of its span on each side (values outside fall into the under- and overflow
 * counts, non-finite ones are counted apart), so frames of one run are comparable bin for bin. Each
 * sample reads at most {@link SAMPLE_VALUES} values per tensor, at positions drawn once per tensor size
 * (seeded, one per stratum), so a histogram costs the same for a 100-unit and a 10 000-unit layer; the
 * counts are of those values, and so are the exact statistics kept with the latest sample (count, min,
 * max, sum, sum of squares of the finite values, from the same pass that copies them for binning).
 * Memory is bounded: past {@link MAX_FRAMES} frames, neighbours merge pairwise (each then covers twice
 * as many probes), as the series buffers do. The monitor takes a sample only at
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

/** Exact statistics of one sample's finite values, summed in float64 (what TensorBoard's HistogramProto carries). */
export interface SampleStats {
  /** Finite values counted (the bins and both tails). */
  num: number;
  min: number;
  max: number;
  sum: number;
  sumSquares: number;
}

/** One sample as counted, unmerged: its bins, tails and the statistics of its finite values. */
export interface Sample {
  step: number;
  counts: Uint32Array;
  under: number;
  over: number;
  nonFinite: number;
  stats: SampleStats;
}

interface Frame { step: number; probes: number; counts: Uint32Array; under: number; over: number; nonFinite: number }

/** Distinct tensor sizes whose positions are kept (a model has few; past this the cache starts over). */
const POSITION_SIZES = 256;
const positionCache = new Map<number, Int32Array>();

/**
 * Positions read from a tensor of `size` values: all of them (undefined), or one drawn at random in
 * each of {@link SAMPLE_VALUES} equal strata, so they come ascending without a sort, distinct, and
 * spread over the whole tensor (a stratified sample: no part of a kernel is left out by chance). Seeded
 * by the size and drawn once per size: every tensor of that size is read at the same positions, at
 * every probe, and a new run's first sample draws nothing for sizes seen before.
 */
export function positions(size: number): Int32Array | undefined {
  if (size <= SAMPLE_VALUES) return undefined;
  const known = positionCache.get(size);
  if (known) return known;
  const rnd = seededRandom(size);
  const out = new Int32Array(SAMPLE_VALUES);
  // Strata of whole positions, [lo, hi) with hi > lo since size > SAMPLE_VALUES: a stratum boundary
  // inside a position would let two neighbouring strata draw the same one.
  for (let i = 0, lo = 0; i < SAMPLE_VALUES; i++) {
    const hi = Math.floor(((i + 1) * size) / SAMPLE_VALUES);
    out[i] = lo + Math.floor(rnd() * (hi - lo));
    lo = hi;
  }
  if (positionCache.size >= POSITION_SIZES) positionCache.clear();
  positionCache.set(size, out);
  return out;
}

/** The finite values of the sample being counted (shared: one buffer counts at a time). */
let scratch = new Float64Array(4 * SAMPLE_VALUES);

/** Statistics accumulated over the tensors of one sample. */
interface Acc { n: number; bad: number; min: number; max: number; sum: number; sq: number }

/**
 * Copies the finite values of `v` (at positions `at`, or all of it) to the scratch from `acc.n` on and
 * adds them to `acc`'s statistics in the same pass; NaN and ±Infinity are only counted (`acc.bad`).
 * Two loops, with and without positions, so the common path has no branch on them.
 */
function gather(v: ArrayLike<number>, at: Int32Array | undefined, acc: Acc): void {
  const out = scratch;
  let n = acc.n, bad = acc.bad, min = acc.min, max = acc.max, sum = acc.sum, sq = acc.sq;
  if (at) {
    for (let i = 0; i < at.length; i++) {
      const x = v[at[i]];
      if (x - x === 0) { out[n++] = x; if (x < min) min = x; if (x > max) max = x; sum += x; sq += x * x; } else bad++;
    }
  } else {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x - x === 0) { out[n++] = x; if (x < min) min = x; if (x > max) max = x; sum += x; sq += x * x; } else bad++;
    }
  }
  acc.n = n; acc.bad = bad; acc.min = min; acc.max = max; acc.sum = sum; acc.sq = sq;
}

/** One histogram over time (one layer, one kind). */
export class HistogramBuffer {
  private lo = 0;
  private scale = 0;
  private edges?: number[];
  /** The edges as the payload carries them (5 significant digits), rounded once when fixed. */
  private shown?: number[];
  private frames: Frame[] = [];
  private width = 1;
  private cached?: { maxFrames: number; h: Histogram };
  /** The most recent sample, unmerged (what an exporter writes for that step). */
  latest?: Sample;
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

  /**
   * Adds a frame at `step` from `tensors` (named; the positions read depend on a tensor's size only).
   * Tensors the backend holds on the host are read in place; the others' sampled values come in one download.
   */
  add(step: number, tensors: [string, tf.Tensor][]): void {
    const t0 = performance.now();
    try {
      this.addFrame(step, tensors);
    } finally {
      this.spentMs += performance.now() - t0;
    }
  }

  private addFrame(step: number, tensors: [string, tf.Tensor][]): void {
    const live = tensors.filter(([, t]) => t.size > 0);
    if (live.length === 0) return;
    const picks = live.map(([, t]) => positions(t.size));
    let total = 0;
    live.forEach(([, t], i) => (total += picks[i]?.length ?? t.size));
    if (scratch.length < total) scratch = new Float64Array(total);
    const acc: Acc = { n: 0, bad: 0, min: Infinity, max: -Infinity, sum: 0, sq: 0 };
    const device: tf.Tensor[] = [];
    const deviceAt: (Int32Array | undefined)[] = [];
    live.forEach(([, t], i) => {
      const view = hostView(t);
      if (view) gather(view, picks[i], acc);
      else { device.push(t); deviceAt.push(picks[i]); }
    });
    // Native and GPU backends: the sampled values of all the tensors in one download.
    if (device.length) gather(readSampled(device, deviceAt), undefined, acc);
    if (!this.edges) this.fix(acc.min, acc.max);
    const counts = new Uint32Array(BINS);
    const { under, over } = binInto(scratch, acc.n, this.lo, this.scale, counts);
    const stats = { num: acc.n, min: acc.min, max: acc.max, sum: acc.sum, sumSquares: acc.sq };
    this.latest = { step, counts: counts.slice(), under, over, nonFinite: acc.bad, stats };
    this.push({ step, probes: 1, counts, under, over, nonFinite: acc.bad });
  }

  /** Fixes the edges from the first sample's finite range, widened by {@link HEADROOM} each side. */
  private fix(min: number, max: number): void {
    if (!(min <= max)) { min = -1; max = 1; }
    let span = max - min;
    // All values equal (a zero-initialized bias, a constant): a span around them, relative when they are not 0.
    if (!(span > 0)) span = Math.max(Math.abs(min), 1e-6) * 2;
    const lo = min - HEADROOM * span;
    const hi = max + HEADROOM * span;
    this.lo = lo;
    this.scale = BINS / (hi - lo);
    this.edges = Array.from({ length: BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / BINS);
    this.shown = this.edges.map((e) => Number(e.toPrecision(5)));
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
      const h = this.build(maxFrames, this.shown!);
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
      edges,
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
 * Counts the `n` finite values of `v` into `counts` on bins [lo + j/scale, lo + (j+1)/scale); those
 * outside into the returned under- and overflow.
 */
function binInto(v: Float64Array, n: number, lo: number, scale: number, counts: Uint32Array): { under: number; over: number } {
  let under = 0, over = 0;
  for (let i = 0; i < n; i++) {
    const b = Math.floor((v[i] - lo) * scale);
    if (b >= 0 && b < BINS) counts[b]++;
    else if (b < 0) under++;
    else over++;
  }
  return { under, over };
}

/** The sampled values of `ts` (at `at[i]`, or all of tensor i) read back from the device in one download, as float32. */
function readSampled(ts: tf.Tensor[], at: (Int32Array | undefined)[]): ArrayLike<number> {
  const flat = tf.tidy(() => {
    const parts = ts.map((t, i) => {
      const f = tf.reshape(t, [-1]);
      const p = at[i] ? tf.gather(f, tf.tensor1d(at[i]!, 'int32')) : f;
      return p.dtype === 'float32' ? p : tf.cast(p, 'float32');
    });
    return parts.length === 1 ? parts[0] : tf.concat(parts);
  });
  try {
    return flat.dataSync() as ArrayLike<number>;
  } finally {
    flat.dispose();
  }
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
