/**
 * The learning-rate range test's arithmetic, on plain numbers: the smoothed loss (exponential moving
 * average with bias correction), the divergence test, and the suggestion with its reasons. The
 * suggestion is the rate of the steepest descent of the smoothed loss against log10(rate), looked for
 * between the end of the starting plateau and the smoothed minimum (the slope of a least-squares line through the
 * smoothed loss over a few steps either side, so one noisy batch does not make the steepest point); the
 * minimum and the divergence point are reported beside it. A descent counts only when the raw losses
 * around the minimum are below those just after the burn-in by at least {@link MIN_DROP} of their
 * level and by more than {@link NOISE_SIGMAS} standard errors of the batches' noise; otherwise no
 * rate is suggested and the reason says why (a wrong number costs more than none).
 */
import type { LrFinderPayload, LrPoint, LrSuggestion } from '../protocol/lrFinder';
import { formatNumber as fmtNum } from '../protocol/numberFormat';

/** Smallest fall of the smoothed loss, from its value at the burn-in to its minimum, that counts as a descent. */
export const MIN_DROP = 0.05;
/** Standard errors of the batch-to-batch noise the fall must exceed to count as a descent. */
export const NOISE_SIGMAS = 3;

/** Exponential smoothing state: `push` returns the bias-corrected average (NaN stays NaN). */
export class SmoothedLoss {
  private avg = 0;
  private n = 0;
  constructor(readonly beta: number) {}
  push(loss: number): number {
    this.n++;
    this.avg = this.beta * this.avg + (1 - this.beta) * loss;
    return this.avg / (1 - this.beta ** this.n);
  }
}

/** The rate of step `i` of `steps`: start × (end/start)^(i/(steps−1)), exponential as in Smith (2017). */
export function rateAt(start: number, end: number, steps: number, i: number): number {
  return steps <= 1 ? start : start * (end / start) ** (i / (steps - 1));
}

/** Options of {@link analyzeCurve} (what the finder ran with). */
export interface CurveArgs {
  start: number; end: number; steps: number; beta: number; divergeFactor: number; burnIn: number;
  /** Why the run stopped early, with the index of its last step, when it diverged. */
  diverged?: { index: number; why: string };
}

type Analysis = Pick<LrFinderPayload, 'steepest' | 'minimum' | 'diverged' | 'suggestion' | 'smoothed'>;

/** Smoothed curve, steepest descent, minimum, divergence and the suggestion, from each step's rate and loss. */
export function analyzeCurve(lr: number[], loss: number[], a: CurveArgs): Analysis {
  const sm = new SmoothedLoss(a.beta);
  const smooth = loss.map((l) => sm.push(l));
  const smoothed = smooth.map((v) => (Number.isFinite(v) ? v : null));
  const point = (i: number): LrPoint => ({ index: i, lr: lr[i], loss: smooth[i] });
  const diverged = a.diverged ? { ...point(a.diverged.index), why: a.diverged.why } : undefined;
  // The curve judged: after the burn-in, and without the diverged step (its loss is the blow-up).
  const last = (a.diverged ? a.diverged.index - 1 : lr.length - 1);
  const from = Math.min(a.burnIn, last);
  let min = -1;
  for (let i = from; i <= last; i++) if (Number.isFinite(smooth[i]) && (min < 0 || smooth[i] < smooth[min])) min = i;
  const minimum = min >= 0 ? point(min) : undefined;
  // Half-width of the slope's window: 2 steps per 50 (at least 1).
  const k = Math.max(1, Math.round(lr.length / 25));
  const fall = minimum ? significantFall(loss, from, minimum.index, last, k) : undefined;
  // The descent: from the last step where the smoothed loss was still at its starting level (the mean
  // of the batches just after the burn-in) to the minimum. Before it, slopes are the batches' noise.
  let descent = from;
  if (fall && minimum) for (let i = minimum.index; i >= from; i--) if (smooth[i] >= fall.before) { descent = i; break; }
  let steep = -1;
  let slope = 0;
  for (let i = Math.max(descent, 1); i <= min && i < last; i++) {
    const g = slopeAt(lr, smooth, Math.max(from, i - k), Math.min(last, i + k));
    if (Number.isFinite(g) && g < slope) { slope = g; steep = i; }
  }
  const steepest = steep >= 0 ? { ...point(steep), slope } : undefined;
  const suggestion = suggest(a, lr, smooth, from, minimum, steepest, diverged, last, fall, lr[descent]);
  return { smoothed, ...(steepest ? { steepest } : {}), ...(minimum ? { minimum } : {}), ...(diverged ? { diverged } : {}), suggestion };
}

/** Least-squares slope of `y[a..b]` against log10(lr[a..b]). */
function slopeAt(lr: number[], y: number[], a: number, b: number): number {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = a; i <= b; i++) {
    const x = Math.log10(lr[i]);
    n++; sx += x; sy += y[i]; sxx += x * x; sxy += x * y[i];
  }
  const d = n * sxx - sx * sx;
  return n >= 2 && d > 0 ? (n * sxy - sx * sy) / d : NaN;
}

/** The fall of the raw loss from just after the burn-in to around the minimum, and its standard error. */
export interface Fall { before: number; after: number; se: number }

/** Means of the raw losses over the 2·`k` (at least 3) steps after `from` and over as many up to `min`, with the standard error of their difference. */
export function significantFall(loss: number[], from: number, min: number, last: number, k: number): Fall | undefined {
  const w = Math.max(3, 2 * k);
  const a = loss.slice(from, Math.min(last + 1, from + w)).filter(Number.isFinite);
  const b = loss.slice(Math.max(from, min - w), Math.min(last, min) + 1).filter(Number.isFinite);
  if (a.length < 2 || b.length < 2) return undefined;
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const varOf = (v: number[], m: number) => v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
  const ma = mean(a), mb = mean(b);
  return { before: ma, after: mb, se: Math.sqrt(varOf(a, ma) / a.length + varOf(b, mb) / b.length) };
}

function suggest(
  a: CurveArgs, lr: number[], smooth: number[], from: number, minimum: LrPoint | undefined,
  steepest: (LrPoint & { slope: number }) | undefined, diverged: (LrPoint & { why: string }) | undefined, last: number,
  fall: Fall | undefined, descentFrom: number,
): LrSuggestion {
  const reason: string[] = [];
  const none = (why: string): LrSuggestion => ({ method: 'steepest', reason: [...reason, why] });
  reason.push(`${lr.length} steps from ${fmtNum(a.start)} toward ${fmtNum(a.end)}; loss smoothed with β = ${a.beta} (bias-corrected), the first ${a.burnIn} steps (burn-in) not judged.`);
  if (diverged) reason.push(`The loss diverged at ${fmtNum(diverged.lr)} (${diverged.why}); the test stopped there.`);
  else reason.push(`The loss did not diverge up to ${fmtNum(lr[lr.length - 1])}.`);
  if (last - from < 2 || !minimum) return none(`Too few steps after the burn-in to judge (${Math.max(0, last - from + 1)}): lower \`start\`, raise \`steps\` or shorten \`burnIn\`.`);
  reason.push(`Smoothed loss ${fmtNum(smooth[from])} after the burn-in (at ${fmtNum(lr[from])}), lowest ${fmtNum(minimum.loss)} at ${fmtNum(minimum.lr)}.`);
  if (!fall) return none('Too few finite losses around the minimum to judge a descent.');
  const drop = (fall.before - fall.after) / Math.abs(fall.before);
  const clear = drop >= MIN_DROP && fall.before - fall.after > NOISE_SIGMAS * fall.se;
  if (!clear || !steepest) {
    return none(`The batches' loss fell by ${fmtNum(Math.max(0, drop) * 100)} % (from ${fmtNum(fall.before)} to ${fmtNum(fall.after)}, noise ±${fmtNum(fall.se)}): less than ${MIN_DROP * 100} % or within ${NOISE_SIGMAS}× the noise, so no rate makes it fall clearly. Try a wider range (lower \`start\`, higher \`end\`) or check the data and loss.`);
  }
  reason.push(`The loss leaves its starting level at ${fmtNum(descentFrom)}; steepest descent between there and the minimum at ${fmtNum(steepest.lr)}: the smoothed loss falls by ${fmtNum(-steepest.slope)} per decade of rate there. Suggested: that rate (the steepest point, not the minimum: at the minimum the loss is about to blow up). ${fmtNum(minimum.lr / 10)} (a tenth of the minimum's rate) is the more cautious choice.`);
  if (!diverged && minimum.index >= last - 1) reason.push(`The loss was still falling at the end of the range: a higher \`end\` may show a steeper point.`);
  return { lr: steepest.lr, method: 'steepest', reason };
}
