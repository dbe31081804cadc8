/**
 * When to probe. With a fixed `sampleEvery` it probes every N steps. Adaptive (0): it measures the
 * training step's own time (between two onBatchEnd calls, minus the time the monitor spent) and the
 * cost of one probe, and spaces probes so that probe cost / (interval × step time) ≤ maxOverhead.
 */

/** Longest adaptive interval between probes, so that long runs still get a curve. */
export const MAX_INTERVAL = 1000;

/** Decides which steps to probe and tracks what probing costs. */
export class Sampler {
  /** Current distance between probes. */
  interval: number;
  private next: number;
  private lastEnd?: number;
  private own = 0;
  private stepMs?: number;
  private readonly costs: number[] = [];

  /**
   * @param firstStep the run's first step (probed)
   * @param fixed probe every `fixed` steps, or 0 to adapt
   * @param maxOverhead share of training time the probes may take when adapting
   */
  constructor(firstStep: number, private readonly fixed: number, private readonly maxOverhead: number) {
    this.next = firstStep;
    this.interval = fixed > 0 ? fixed : 1;
  }

  /** True when `step` should be probed. */
  due(step: number): boolean {
    return step >= this.next;
  }

  /** Called first thing in onBatchEnd: the time since the last one, minus the monitor's, is the step's. */
  stepEnded(): void {
    const now = performance.now();
    if (this.lastEnd !== undefined) {
      const train = Math.max(0, now - this.lastEnd - this.own);
      this.stepMs = this.stepMs === undefined ? train : 0.8 * this.stepMs + 0.2 * train;
    }
    this.lastEnd = now;
    this.own = 0;
  }

  /** The monitor spent `ms` of the current step's time. */
  spent(ms: number): void {
    this.own += ms;
  }

  /** A probe of `step` finished, having cost `ms` in all; schedules the next one. */
  probed(step: number, ms: number): void {
    this.costs.push(ms);
    // The cheapest of the last three: the first probe pays kernel warm-up, any one can pay a GC pause.
    if (this.costs.length > 3) this.costs.shift();
    if (this.fixed === 0 && this.stepMs !== undefined && this.stepMs > 0) {
      const cost = Math.min(...this.costs);
      this.interval = Math.min(MAX_INTERVAL, Math.max(1, Math.ceil(cost / (this.maxOverhead * this.stepMs))));
    }
    this.next = step + this.interval;
  }
}
