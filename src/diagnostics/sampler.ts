/**
 * When to probe. With a fixed `sampleEvery` N it probes steps first, first + N, … and the last step.
 * Adaptive (0): it keeps a time budget: it measures each training step's own time (between two
 * onBatchEnd calls, minus the monitor's time) and everything the monitor spends (the per-step gradient
 * norm metering, probes, snapshots),
 * and probes only when the next probe, and the one kept for the last step, keep monitor time
 * ≤ maxOverhead × training time so far. The first step is always probed (the state at initialization is where vanishing gradients show first),
 * and so is the last (the state the user is left with; a short run whose first probe paid the kernels'
 * warm-up would otherwise show a single point).
 */

/** Decides which steps to probe and keeps the monitor's time budget. */
export class Sampler {
  private lastEnd?: number;
  private stepBegin?: number;
  private own = 0;
  private trainMs = 0;
  private spentMs = 0;
  private stepMs?: number;
  private probes = 0;
  private readonly costs: number[] = [];

  /**
   * @param firstStep the run's first step
   * @param lastStep the run's last step (probed too when sampling every N)
   * @param fixed probe every `fixed` steps, or 0 to adapt
   * @param maxOverhead share of training time the monitor may take when adapting
   * @param now the clock, in ms (performance.now; tests pass their own)
   */
  constructor(
    private readonly firstStep: number, private readonly lastStep: number, private readonly fixed: number, private readonly maxOverhead: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** True when `step` should be probed. */
  due(step: number): boolean {
    if (this.fixed > 0) return (step - this.firstStep) % this.fixed === 0 || step === this.lastStep;
    if (this.probes === 0 || step === this.lastStep) return true;
    // Two probes' cost: this one and the last step's, which is probed whatever the budget says.
    return this.spentMs + 2 * this.cost() <= this.maxOverhead * this.trainMs;
  }

  /** Steps between probes at the current rates (what the snapshot reports as `sampleEvery`). */
  get interval(): number {
    if (this.fixed > 0) return this.fixed;
    if (!this.stepMs || this.costs.length === 0) return 1;
    return Math.max(1, Math.ceil(this.cost() / (this.maxOverhead * this.stepMs)));
  }

  /** What the monitor spent so far (probes, metering, snapshots) and the training steps' own time, in ms. */
  get totals(): { monitorMs: number; trainMs: number } {
    return { monitorMs: this.spentMs, trainMs: this.trainMs };
  }

  /** Called first thing in onBatchBegin. */
  stepBegan(): void {
    if (this.lastEnd === undefined) this.stepBegin = this.now();
  }

  /**
   * Called first thing in onBatchEnd: the time since the last one, minus the monitor's, is the step's.
   * `meteredMs` is what the step itself spent measuring gradient norms for the monitor (every step
   * while diagnostics are on): monitor time, counted against the budget like the probes.
   */
  stepEnded(meteredMs = 0): void {
    const now = this.now();
    const from = this.lastEnd ?? this.stepBegin;
    this.spentMs += meteredMs;
    if (from !== undefined) {
      const train = Math.max(0, now - from - this.own - meteredMs);
      this.trainMs += train;
      this.stepMs = this.stepMs === undefined ? train : 0.8 * this.stepMs + 0.2 * train;
    }
    this.lastEnd = now;
    this.own = 0;
  }

  /** The monitor spent `ms` (a probe's part, a snapshot…); `probe` marks the end of one probe costing `probeMs`. */
  spent(ms: number, probeMs?: number): void {
    this.own += ms;
    this.spentMs += ms;
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
