/**
 * When to probe. Two kinds of probes:
 *
 * - **Planned** probes, whatever they cost: every step of a run shorter than {@link SPREAD_MIN_STEPS};
 *   {@link SPREAD_PROBES} steps spread evenly from the first to the last step of a longer run of known
 *   length; for a run whose length is not known (a dataset of unknown size, or a timeline that later
 *   fit calls continue) every step of the first {@link SPREAD_MIN_STEPS}, then every 2nd step up to step
 *   128, every 4th up to 256, … (32 more per doubling of the run), so any prefix of the run has its
 *   probes spread over it. The per-layer series and the rules that read medians of recent probes need
 *   these points; a time budget alone gave two probes to a 1410-step run.
 * - **Extra** probes, within a time budget: a step is probed too when the probes' time so far plus this
 *   probe and one reserved for the last step stay ≤ maxOverhead × the training steps' time so far.
 *
 * With a fixed `sampleEvery` N it probes steps first, first + N, … and the last step instead.
 *
 * What the monitor spends is kept in two accounts. The per-step gradient-norm metering (done inside
 * every training step while diagnostics are on) is charged to its own account and reported, not to
 * the probes' budget: it is a fixed per-step price, and charging it to the budget left nothing for
 * the probes. Probes, weight snapshots and published snapshots are the budgeted account.
 */

/** A run this many steps long or longer gets {@link SPREAD_PROBES} planned probes; a shorter one every step. */
export const SPREAD_MIN_STEPS = 64;
/** Planned probes of a run of known length ≥ {@link SPREAD_MIN_STEPS}, spread evenly over it. */
export const SPREAD_PROBES = 32;

/** Options of {@link Sampler}. */
export interface SamplerArgs {
  /** The run's first step (global step number). */
  firstStep: number;
  /** The run's last step, or undefined when the run's length is not known. */
  lastStep?: number;
  /** Probe every `fixed` steps, or 0 to plan and adapt. */
  fixed: number;
  /** Share of training time the budgeted account may take (extra probes). */
  maxOverhead: number;
  /** The clock, in ms (performance.now; tests pass their own). */
  now?: () => number;
}

/** What the monitor spent, in ms, and how many probes it took. */
export interface SamplerTotals {
  /** All the monitor's time: probes, weight snapshots, published snapshots and the per-step metering. */
  monitorMs: number;
  /** The training steps' own time (without the monitor's). */
  trainMs: number;
  /** The part of `monitorMs` spent metering gradient norms in every step. */
  meterMs: number;
  /** Probes taken. */
  probes: number;
}

/** Decides which steps to probe and keeps the monitor's accounts. */
export class Sampler {
  private lastEnd?: number;
  private stepBegin?: number;
  private own = 0;
  private trainMs = 0;
  private budgetedMs = 0;
  private meterMs = 0;
  private probes = 0;
  private steps = 0;
  private readonly costs: number[] = [];
  private readonly firstStep: number;
  private lastStep?: number;
  private readonly fixed: number;
  private readonly maxOverhead: number;
  private readonly now: () => number;
  private open: boolean;

  constructor(args: SamplerArgs) {
    this.firstStep = args.firstStep;
    this.lastStep = args.lastStep;
    this.open = args.lastStep === undefined;
    this.fixed = args.fixed;
    this.maxOverhead = args.maxOverhead;
    this.now = args.now ?? (() => performance.now());
  }

  /**
   * A later fit call continues this run up to `lastStep`: the planned probes follow the
   * open-ended schedule from the run's own first step (the run's length was not known when it began).
   */
  continueTo(lastStep: number | undefined): void {
    this.open = true;
    this.lastStep = lastStep;
    this.lastEnd = undefined;
    this.stepBegin = undefined;
    this.own = 0;
  }

  /**
   * The run's length became known while it ran (a dataset of unknown size, after its first epoch):
   * the open-ended plan goes on and the last step is probed too.
   */
  lengthKnown(lastStep: number): void {
    this.open = true;
    this.lastStep = lastStep;
  }

  /** True when `step` is one of the planned probes (see the file comment). */
  planned(step: number): boolean {
    const r = step - this.firstStep;
    if (r < 0) return false;
    if (this.fixed > 0) return r % this.fixed === 0 || step === this.lastStep;
    if (r === 0 || step === this.lastStep) return true;
    if (this.open || this.lastStep === undefined) {
      if (r < SPREAD_MIN_STEPS) return true;
      // r in [64·2^j, 64·2^(j+1)): every 2^(j+1)-th step, 32 probes per doubling.
      const g = 2 ** (Math.floor(Math.log2(r / SPREAD_MIN_STEPS)) + 1);
      return r % g === 0;
    }
    const length = this.lastStep - this.firstStep + 1;
    if (length < SPREAD_MIN_STEPS) return true;
    const gap = (length - 1) / (SPREAD_PROBES - 1);
    return Math.round(Math.round(r / gap) * gap) === r;
  }

  /** True when `step` should be probed. */
  due(step: number): boolean {
    if (this.planned(step)) return true;
    if (this.fixed > 0) return false;
    // Two probes' cost: this one and the last step's, which is probed whatever the budget says.
    return this.costs.length > 0 && this.budgetedMs + 2 * this.cost() <= this.maxOverhead * this.trainMs;
  }

  /** Mean steps between probes so far (what the snapshot reports as `sampleEvery`). */
  get interval(): number {
    if (this.fixed > 0) return this.fixed;
    return Math.max(1, Math.round(this.steps / Math.max(1, this.probes)));
  }

  /** What the monitor spent so far and the training steps' own time, in ms. */
  get totals(): SamplerTotals {
    return { monitorMs: this.budgetedMs + this.meterMs, trainMs: this.trainMs, meterMs: this.meterMs, probes: this.probes };
  }

  /** Called first thing in onBatchBegin. */
  stepBegan(): void {
    if (this.lastEnd === undefined) this.stepBegin = this.now();
  }

  /**
   * Called first thing in onBatchEnd: the time since the last one, minus the monitor's, is the step's.
   * `meteredMs` is what the step itself spent measuring gradient norms for the monitor (every step
   * while diagnostics are on), charged to the metering account.
   */
  stepEnded(meteredMs = 0): void {
    const now = this.now();
    const from = this.lastEnd ?? this.stepBegin;
    this.meterMs += meteredMs;
    this.steps++;
    if (from !== undefined) this.trainMs += Math.max(0, now - from - this.own - meteredMs);
    this.lastEnd = now;
    this.own = 0;
  }

  /** The monitor spent `ms` (a probe's part, a snapshot…); `probeMs` marks the end of one probe costing that much. */
  spent(ms: number, probeMs?: number): void {
    this.own += ms;
    this.budgetedMs += ms;
    if (probeMs !== undefined) {
      this.probes++;
      this.costs.push(probeMs);
      if (this.costs.length > 3) this.costs.shift();
    }
  }

  // The cheapest of the last three probes: the first pays kernel warm-up, any one can pay a GC pause.
  private cost(): number {
    return this.costs.length ? Math.min(...this.costs) : 0;
  }
}
