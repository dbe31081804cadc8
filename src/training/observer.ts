/**
 * What `gs.fit` tells an observer while it trains: the seam between the training loop (src/training)
 * and the gradient-health monitor (src/diagnostics). The training loop owns the order of calls; an
 * observer must never throw into it (a failing probe is reported, training goes on) and must dispose
 * every tensor it creates.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunEvent, RunStatus } from '../protocol/health';

/** Loss function with the tfjs shape: mean loss over the batch as a scalar. */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** Handed to {@link TrainingObserver.onTrainBegin} once per `gs.fit` call. */
export interface TrainBeginInfo {
  model: tf.LayersModel;
  epochs: number;
  stepsPerEpoch: number;
  /**
   * The samples a probe batch is drawn from (kept alive until onTrainEnd): the whole training set
   * for gs.fit, the first batch for gs.fitDataset (see `probeFrom`).
   */
  probe: { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] };
  /** What `probe` holds. Defaults to 'training set'. */
  probeFrom?: 'training set' | 'first batch';
  /** The loss the model is trained with (of the first output, for a model with several). */
  loss: LossFn;
  /**
   * Each output's compiled loss, in the order of the model's outputs; the training loss is their sum
   * (tfjs 4.22's compile has no loss weights: each output counts once). Absent from older producers.
   */
  losses?: LossFn[];
  optimizer: tf.Optimizer;
  /** `constant`, `power`, `exponential`, `piecewise`, `cosine`, `oneCycle`, `plateau`, … */
  scheduleKind: string;
  /** Global step at which this run starts (0 for a fresh fit). */
  initialStep: number;
  /** Samples per step, when the run has a fixed batch size (gs.fit's `batchSize`; a dataset's batches have none). */
  batchSize?: number;
  /** `new Error().stack` captured synchronously at the gs.fit call (maps the fit call to its cell). */
  callStack?: string;
}

/** Handed to {@link TrainingObserver.onBatchEnd} after each optimizer step. */
export interface BatchEndInfo {
  epoch: number;
  /** Loss of this batch (NaN/Infinity are passed as they are). */
  loss: number;
  /** Learning rate used for this step. */
  lr: number;
  /** Global gradient l2 norm before and after clipping (present when gs.fit computed gradients). */
  gradNormPreClip?: number;
  gradNormPostClip?: number;
  /** Σg² of each weight's gradient this step before clipping, by variable name (present with the norms). */
  gradSquares?: ReadonlyMap<string, number>;
  /** Milliseconds of this step spent measuring the norms (inside the training step; monitors budget it). */
  meterMs?: number;
  /** Batch metrics, e.g. `{ acc: 0.91 }`. */
  metrics: Record<string, number>;
}

/**
 * Receives the training loop's events, in order: onTrainBegin, then per step onBatchBegin/onBatchEnd,
 * per epoch onEpochEnd, and onTrainEnd exactly once (also after an error or an interrupt). Observers
 * that measure ‖ΔW‖/‖W‖ snapshot the weights they need in onBatchBegin and compare in onBatchEnd.
 */
export interface TrainingObserver {
  onTrainBegin(info: TrainBeginInfo): void | Promise<void>;
  onBatchBegin(step: number, epoch: number): void | Promise<void>;
  onBatchEnd(step: number, info: BatchEndInfo): void | Promise<void>;
  onEpochEnd(epoch: number, logs: Record<string, number>): void | Promise<void>;
  /** Learning-rate reductions, early stopping, restored weights, NaN, interrupts. */
  onEvent(event: RunEvent): void;
  onTrainEnd(status: RunStatus, error?: string): void | Promise<void>;
}
