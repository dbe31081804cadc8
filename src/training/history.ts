/**
 * What `gs.fit` and `gs.fitDataset` return: a `tf.History` (`h instanceof tf.History` holds, with
 * `epoch`, `history` and `params` as tfjs fills them) plus the per-step learning rates and gradient
 * norms, and how the run ended.
 *
 * @example
 * ```ts
 * const h = await gs.fit(model, x, y, { epochs: 3, schedule: gs.schedules.exponential({ initial: 0.01, steps: 100 }) });
 * h instanceof tf.History; // true
 * h.history.loss;          // per epoch, as tfjs
 * h.lr;                    // learning rate actually used at each step
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import type { RunEvent } from '../protocol/health';

/** The result of a `gs.fit` / `gs.fitDataset` run. */
export class FitHistory extends tf.History {
  /** Epoch numbers that completed (0-based, as tfjs). */
  declare epoch: number[];
  /** Per-epoch logs, e.g. `{ loss: [...], acc: [...], val_loss: [...] }` (means over the epoch's samples). */
  declare history: Record<string, number[]>;
  /** Run parameters, as tfjs's `History.params` (`epochs`, `samples`, `steps`, `batchSize`, `metrics`, …). */
  declare params: tf.History['params'];
  /** Learning rate used at each step (index = step of this run). */
  lr: number[] = [];
  /** Training loss of each step. */
  batchLoss: number[] = [];
  /** Global gradient norm before clipping at each step (present when gradients were measured). */
  gradNormPreClip?: number[];
  /** Global gradient norm after clipping at each step (present when gradients were measured). */
  gradNormPostClip?: number[];
  /** True when the kernel's interrupt stopped the run at a batch boundary (weights kept as they were). */
  interrupted = false;
  /** True when a callback (e.g. early stopping) set `model.stopTraining`. */
  stoppedEarly = false;
  /** Learning-rate reductions, early stopping, restored weights, interrupts, in order. */
  events: RunEvent[] = [];

  constructor() {
    super();
    this.epoch = [];
    this.history = {};
    this.params = {};
  }
}

/** Receives run events from gs callbacks; `gs.fit` fills in the step and epoch. */
export type RunEventSink = (kind: RunEvent['kind'], detail: string) => void;

/** Implemented by gs callbacks that report events (`lr-reduced`, `early-stop`, `restored-best`). */
export interface RunEventSource {
  setEventSink(sink: RunEventSink | undefined): void;
}

/** True when `cb` reports run events. */
export function isEventSource(cb: unknown): cb is RunEventSource {
  return cb != null && typeof (cb as RunEventSource).setEventSink === 'function';
}

/** Thrown when the loss turns NaN or infinite (with `terminateOnNaN`, the default). */
export class NonFiniteLossError extends Error {
  constructor(
    message: string,
    /** Global step at which the loss stopped being finite. */
    readonly step: number,
    /** The last finite loss and its step, if any. */
    readonly lastFinite: { step: number; loss: number } | undefined,
    /** What was recorded up to the failure. */
    readonly history: FitHistory,
  ) {
    super(message);
    this.name = 'NonFiniteLossError';
  }
}
