/**
 * Bounded series for runs of any length. A {@link SeriesBuffer} keeps at most `capacity` buckets; when
 * full it merges neighbours pairwise (each bucket then covers twice as many steps), so memory and the
 * cost of a push stay constant. Each bucket keeps sum, count, min and max, so a downsampled series is
 * the bucket mean with its min/max envelope: a one-step spike stays visible however long the run.
 */
import type { Series } from '../protocol/health';

interface Bucket {
  step: number;
  n: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  nonFinite: boolean;
}

/** Significant digits kept in snapshots: enough for any chart or threshold, and ~12 bytes a number. */
export const SNAPSHOT_DIGITS = 5;

/** Rounds to {@link SNAPSHOT_DIGITS} significant digits; NaN and ±Infinity become null. */
export function encodeNumber(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  return v === 0 ? 0 : Number(v.toPrecision(SNAPSHOT_DIGITS));
}

/** A streaming min/max/mean downsampler over (step, value) points. */
export class SeriesBuffer {
  private buckets: Bucket[] = [];
  private width = 1;
  private lastValue = NaN;
  private total = 0;

  /** @param capacity most buckets kept; must be even and ≥ 4. */
  constructor(readonly capacity = 512) {
    if (capacity < 4 || capacity % 2 !== 0) throw new RangeError(`SeriesBuffer: capacity must be an even number ≥ 4, got ${capacity}`);
  }

  /** Number of points pushed so far (not buckets). */
  get length(): number {
    return this.total;
  }

  /** The last value pushed (NaN when empty). */
  get last(): number {
    return this.lastValue;
  }

  /** Appends one point; steps must not decrease. NaN/±Infinity are kept as non-finite markers. */
  push(step: number, value: number): void {
    this.lastValue = value;
    this.total++;
    let b = this.buckets[this.buckets.length - 1];
    if (!b || b.n >= this.width) {
      b = { step, n: 0, count: 0, sum: 0, min: Infinity, max: -Infinity, nonFinite: false };
      this.buckets.push(b);
    }
    b.n++;
    if (Number.isFinite(value)) {
      b.count++;
      b.sum += value;
      if (value < b.min) b.min = value;
      if (value > b.max) b.max = value;
    } else {
      b.nonFinite = true;
    }
    if (this.buckets.length > this.capacity) {
      const merged: Bucket[] = [];
      for (let i = 0; i < this.buckets.length; i += 2) merged.push(mergeBuckets(this.buckets.slice(i, i + 2)));
      this.buckets = merged;
      this.width *= 2;
    }
  }

  /**
   * The series with at most `maxPoints` points (≥ 1). A point whose bucket saw a NaN/Infinity is null
   * (so divergence shows as a gap); min/max are present when any point covers more than one step.
   */
  toSeries(maxPoints = Infinity): Series {
    const n = this.buckets.length;
    const m = Math.max(1, Math.floor(maxPoints));
    let groups: Bucket[] = this.buckets;
    if (n > m) {
      // m groups of ⌊n/m⌋ or ⌈n/m⌉ buckets: a fixed group size would give ⌈n/m⌉-sized groups, and as
      // few as half the points allowed (391 buckets into 387 points made 196).
      groups = [];
      for (let g = 0; g < m; g++) groups.push(mergeBuckets(this.buckets.slice(Math.floor((g * n) / m), Math.floor(((g + 1) * n) / m))));
    }
    const s: Series = {
      step: groups.map((g) => g.step),
      value: groups.map((g) => (g.nonFinite || g.count === 0 ? null : encodeNumber(g.sum / g.count))),
    };
    if (groups.some((g) => g.n > 1)) {
      s.min = groups.map((g) => (g.count ? encodeNumber(g.min) : null));
      s.max = groups.map((g) => (g.count ? encodeNumber(g.max) : null));
    }
    return s;
  }
}

function mergeBuckets(bs: Bucket[]): Bucket {
  const out: Bucket = { step: bs[0].step, n: 0, count: 0, sum: 0, min: Infinity, max: -Infinity, nonFinite: false };
  for (const b of bs) {
    out.n += b.n;
    out.count += b.count;
    out.sum += b.sum;
    out.min = Math.min(out.min, b.min);
    out.max = Math.max(out.max, b.max);
    out.nonFinite ||= b.nonFinite;
  }
  return out;
}
