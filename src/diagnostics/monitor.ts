/** The gradient-health observer (first version: records nothing yet). */
import type { TrainingObserver } from '../training/observer';

/** Options of {@link healthMonitor}. */
export interface HealthMonitorArgs {
  /** Run the per-layer probes every N steps; 0 picks a rate keeping overhead within 5 %. Defaults to 0. */
  sampleEvery?: number;
  /** Outside a kernel, write the snapshots to this JSON file. Defaults to none. */
  file?: string;
}

/** Observes a training run and measures gradient health. */
export class HealthMonitor implements TrainingObserver {
  constructor(readonly args: HealthMonitorArgs = {}) {}
  onTrainBegin(): void {}
  onBatchBegin(): void {}
  onBatchEnd(): void {}
  onEpochEnd(): void {}
  onEvent(): void {}
  onTrainEnd(): void {}
}

/** Creates a {@link HealthMonitor}. */
export function healthMonitor(args?: HealthMonitorArgs): TrainingObserver {
  return new HealthMonitor(args);
}
