/**
 * The runs of this process (in a notebook: of the kernel session): every run the health monitor
 * observed, with its final snapshot and its option summary, newest last. Bounded: it keeps the last
 * {@link MAX_RUNS} runs; an older run leaves `gs.runs()` (its handle, e.g. `history.run`, keeps
 * working, since the handle holds the snapshot). A kernel restart starts an empty registry.
 */
import type * as tf from '@tensorflow/tfjs';
import type { HealthSnapshot, RunOptions } from '../../protocol/health';

/** Runs `gs.runs()` keeps; older ones are dropped from the list, oldest first. */
export const MAX_RUNS = 20;

/**
 * One finished (or failed, or interrupted) training run.
 * @example
 * const h = await gs.fit(model, x, y, { epochs: 5 });
 * h.run.label = 'sigmoid';
 * h.run.options.activations; // 'sigmoid ×10, sigmoid'
 */
export class Run {
  /** Legend label of the run in comparisons. Defaults to `run N`. */
  label: string;

  constructor(
    /** 1-based position among the runs of this session. */
    readonly index: number,
    /** The final health snapshot (what the run's panel shows). */
    readonly snapshot: HealthSnapshot,
  ) {
    this.label = `run ${index}`;
  }

  /** The snapshot's run id (the panel's `data-run-id`). */
  get id(): string {
    return this.snapshot.runId;
  }

  get status(): HealthSnapshot['status'] {
    return this.snapshot.status;
  }

  /** What the run was trained with. */
  get options(): RunOptions | undefined {
    return this.snapshot.options;
  }

  get findings(): HealthSnapshot['findings'] {
    return this.snapshot.findings;
  }

  /** One line: label, status, shape, activations, optimizer and findings. */
  toString(): string {
    const o = this.options;
    const what = o ? `${o.shape}, ${o.activations}, ${o.optimizer} ${o.learningRate ?? ''}`.trim() : 'options unknown';
    const found = this.findings.length ? this.findings.map((f) => f.code).join(', ') : 'no findings';
    return `${this.label} (${this.status}): ${what}; ${found}`;
  }
}

/** The session's runs and, per model, its latest run (how gs.fit finds the run it just made). */
export class RunRegistry {
  private readonly list: Run[] = [];
  private readonly byModel = new WeakMap<object, Run>();
  private count = 0;
  /** Runs dropped from the list so far (the oldest ones). */
  dropped = 0;

  constructor(readonly max = MAX_RUNS) {}

  /** Records a run's final snapshot; returns its handle. */
  record(snapshot: HealthSnapshot, model?: tf.LayersModel): Run {
    const run = new Run(++this.count, snapshot);
    this.list.push(run);
    if (this.list.length > this.max) {
      this.list.splice(0, this.list.length - this.max);
      this.dropped = this.count - this.max;
    }
    if (model) this.byModel.set(model, run);
    return run;
  }

  /** Runs recorded so far, including dropped ones (the next run's index minus one). */
  get total(): number {
    return this.count;
  }

  /** The kept runs, oldest first. */
  runs(): Run[] {
    return [...this.list];
  }

  /** The latest run of `model` recorded after the `total` given (the one a gs.fit call made), if any. */
  latestOf(model: tf.LayersModel, after: number): Run | undefined {
    const run = this.byModel.get(model);
    return run && run.index > after ? run : undefined;
  }

  /** Forgets every run (tests). */
  clear(): void {
    this.list.length = 0;
    this.count = 0;
    this.dropped = 0;
  }
}

/** The process's registry, which the health monitor records into. */
export const runRegistry = new RunRegistry();
