/**
 * The probe batch: the samples every probe of a run measures, drawn once per run at random (seeded)
 * from the whole training set, stratified by label when the labels are classes, so that a dataset
 * sorted by class (iris, any set built class by class) does not give the probe one class to look at.
 * The draw is described for the snapshot (size, out of how many, how drawn) so the panel can say
 * which samples its numbers are about.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbeBatchInfo } from '../protocol/health';

/** A drawn probe batch; `owned` are the tensors the draw created (the caller disposes them). */
export interface ProbeBatch {
  x: tf.Tensor | tf.Tensor[];
  y: tf.Tensor | tf.Tensor[];
  owned: tf.Tensor[];
  info: ProbeBatchInfo;
}

/** Labels with more distinct values than this are not treated as classes. */
const MAX_CLASSES = 1000;

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The class of each sample when `y` holds classes: one-hot rows (argmax), or one integer label per
 * sample (rank 1, or rank 2 with one column) with at most {@link MAX_CLASSES} distinct values;
 * undefined for anything else (regression targets, multi-label rows, sequences).
 */
export function classesOf(y: tf.Tensor): Int32Array | undefined {
  const n = y.shape[0];
  if (n === undefined || n === 0) return undefined;
  if (y.rank === 1 || (y.rank === 2 && y.shape[1] === 1)) {
    const v = y.dataSync();
    const out = new Int32Array(n);
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const c = v[i];
      if (!Number.isInteger(c)) return undefined;
      out[i] = c;
      seen.add(c);
      if (seen.size > MAX_CLASSES) return undefined;
    }
    return seen.size > 1 ? out : undefined;
  }
  if (y.rank === 2 && (y.shape[1] ?? 0) > 1) {
    const d = y.shape[1]!;
    const v = y.dataSync();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let hot = -1;
      for (let j = 0; j < d; j++) {
        const e = v[i * d + j];
        if (e === 1 && hot < 0) hot = j;
        else if (e !== 0) return undefined;
      }
      if (hot < 0) return undefined;
      out[i] = hot;
    }
    return out;
  }
  return undefined;
}

/** `k` of `0…n-1` drawn without replacement (partial Fisher–Yates), ascending. */
function sample(ids: number[], k: number, rand: () => number): number[] {
  const a = [...ids];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}

/**
 * Stratified draw: each class gets its share of `k` (largest remainders), at least one sample per
 * class when `k` allows, each class's samples drawn at random.
 */
function stratified(classes: Int32Array, k: number, rand: () => number): { ids: number[]; count: number } {
  const groups = new Map<number, number[]>();
  classes.forEach((c, i) => { let g = groups.get(c); if (!g) groups.set(c, (g = [])); g.push(i); });
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const n = classes.length;
  const exact = keys.map((c) => (k * groups.get(c)!.length) / n);
  const take = exact.map(Math.floor);
  if (k >= keys.length) take.forEach((t, i) => { if (t === 0) take[i] = 1; });
  let left = k - take.reduce((a, b) => a + b, 0);
  const order = keys.map((_, i) => i).sort((a, b) => (exact[b] - take[b]) - (exact[a] - take[a]) || a - b);
  for (let r = 0; left > 0 && r < 4 * order.length; r++) {
    const i = order[r % order.length];
    if (take[i] < groups.get(keys[i])!.length) { take[i]++; left--; }
  }
  for (let i = order.length - 1; left < 0 && i >= 0; i--) {
    const j = order[i];
    if (take[j] > 1) { take[j]--; left++; }
  }
  const ids = keys.flatMap((c, i) => sample(groups.get(c)!, Math.min(take[i], groups.get(c)!.length), rand));
  return { ids: ids.sort((a, b) => a - b), count: keys.length };
}

/**
 * Draws `k` samples of `source` (the training inputs and targets, first dimension = samples) with
 * `seed`. `from` says what `source` is: the whole training set, or a dataset's first batch (a
 * dataset of batches is not indexable). Without more than `k` samples it takes them all.
 */
export function drawProbeBatch(
  source: { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] }, k: number, seed: number, from: 'training set' | 'first batch' = 'training set',
): ProbeBatch {
  const xs = Array.isArray(source.x) ? source.x : [source.x];
  const ys = Array.isArray(source.y) ? source.y : [source.y];
  const n = xs[0]?.shape[0] ?? 0;
  const of = from === 'training set' ? `${n} training samples` : `the ${n} samples of the dataset's first batch`;
  if (n <= k) {
    return { x: source.x, y: source.y, owned: [], info: { size: n, of: n, drawn: 'all', seed, description: `all ${of}` } };
  }
  const rand = seededRandom(seed);
  const classes = ys.length > 0 && ys[0].rank > 0 ? classesOf(ys[0]) : undefined;
  let ids: number[];
  let info: ProbeBatchInfo;
  if (classes) {
    const s = stratified(classes, k, rand);
    ids = s.ids;
    info = { size: ids.length, of: n, drawn: 'stratified', classes: s.count, seed, description: `${ids.length} of ${of}, drawn at random per class (${s.count} classes), seed ${seed}` };
  } else {
    ids = sample([...Array(n).keys()], k, rand).sort((a, b) => a - b);
    info = { size: k, of: n, drawn: 'random', seed, description: `${k} of ${of}, drawn at random, seed ${seed}` };
  }
  const owned: tf.Tensor[] = [];
  const idx = tf.tensor1d(ids, 'int32');
  const pick = (t: tf.Tensor): tf.Tensor => {
    const g = tf.gather(t, idx);
    owned.push(g);
    return g;
  };
  try {
    const x = Array.isArray(source.x) ? source.x.map(pick) : pick(source.x);
    const y = Array.isArray(source.y) ? source.y.map(pick) : pick(source.y);
    return { x, y, owned, info };
  } finally {
    idx.dispose();
  }
}
