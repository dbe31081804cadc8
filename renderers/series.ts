/**
 * Turns payload series into chart points. Long series are reduced per pixel bucket to the bucket's
 * minimum and maximum (in step order), so a 10 000-step run draws about as fast as a short one and a
 * single spike still shows. A non-finite value (`null`) in a bucket is kept as a gap.
 */
import type { Series } from '../src/protocol/health';

/** A chart point; `y: null` breaks the line. */
export interface Point { x: number; y: number | null }

/** Default number of points per line: about two per horizontal pixel at notebook width. */
export const MAX_POINTS = 1200;

/** Points per line when `lines` lines share one chart: the total stays near 24 000 so drawing stays fast. */
export function pointsPerLine(lines: number): number {
  return Math.max(240, Math.min(MAX_POINTS, Math.floor(24_000 / Math.max(1, lines))));
}

/**
 * Converts a series to points, reduced to at most about `maxPoints` points. When the kernel already
 * downsampled the series (`min`/`max` present), each bucket is drawn from its envelope, so a spike
 * averaged away in `value` still shows.
 * @example toPoints(layer.sensitivityRms) // [{ x: 0, y: 0.012 }, …]
 */
export function toPoints(s: Series, maxPoints = MAX_POINTS, map?: (v: number, i: number) => number | null): Point[] {
  const n = s.step.length;
  const num = (v: unknown, i: number): number | null => {
    if (typeof v !== 'number') return null;
    return map ? map(v, i) : v;
  };
  const envelope = Array.isArray(s.min) && Array.isArray(s.max);
  if (!envelope && n <= maxPoints) {
    const out = new Array<Point>(n);
    for (let i = 0; i < n; i++) out[i] = { x: s.step[i], y: num(s.value[i], i) };
    return out;
  }
  // Plain loops over the arrays (no per-point closures): this runs over every point of every layer.
  const vals = s.value as unknown[];
  const mins = (envelope ? s.min : s.value) as unknown[];
  const maxs = (envelope ? s.max : s.value) as unknown[];
  const buckets = Math.max(1, Math.min(n, Math.floor(maxPoints / 3)));
  const size = n / buckets;
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size), to = Math.min(n, Math.floor((b + 1) * size));
    let iMin = -1, iMax = -1, iNull = -1;
    let vMin = Infinity, vMax = -Infinity;
    for (let i = from; i < to; i++) {
      // A null mean means the bucket held a non-finite value: keep the gap even if min/max are finite.
      let lo = vals[i] === null ? null : mins[i];
      let hi = vals[i] === null ? null : maxs[i];
      if (map && typeof lo === 'number' && typeof hi === 'number') { lo = map(lo, i); hi = map(hi, i); }
      if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi)) { if (iNull < 0) iNull = i; continue; }
      if (lo < vMin) { vMin = lo; iMin = i; }
      if (hi > vMax) { vMax = hi; iMax = i; }
    }
    const picks: [number, number | null][] = [];
    if (iMin >= 0) picks.push([iMin, vMin]);
    if (iMax >= 0 && (iMax !== iMin || vMax !== vMin)) picks.push([iMax, vMax]);
    if (iNull >= 0) picks.push([iNull, null]);
    picks.sort((a, c) => a[0] - c[0]);
    for (const [i, y] of picks) out.push({ x: s.step[i], y });
  }
  return out;
}

/** Smallest and largest finite value of a series (undefined when it has none). */
export function finiteRange(s: Series, positiveOnly = false): { min: number; max: number } | undefined {
  let min = Infinity, max = -Infinity;
  for (const v of s.value) {
    if (typeof v !== 'number' || !Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : undefined;
}

/** Value of the series at step `step`, or the latest sample before it (series steps ascend). */
export function valueAt(s: Series, step: number): number | null | undefined {
  let lo = 0, hi = s.step.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s.step[mid] <= step) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found < 0 ? undefined : s.value[found];
}
