/**
 * `gs.callbacks.reduceLROnPlateau`: performance scheduling (as Keras `ReduceLROnPlateau`). At the
 * end of each epoch, when the monitored metric has not improved by more than `minDelta` for
 * `patience` epochs, the learning rate is multiplied by `factor` (not below `minLR`), then nothing
 * more happens for `cooldown` epochs. A `tf.Callback`, so it works with plain `model.fit` too.
 *
 * @example
 * ```ts
 * await gs.fit(model, x, y, {
 *   epochs: 50, validationSplit: 0.2,
 *   callbacks: [gs.callbacks.reduceLROnPlateau({ factor: 0.5, patience: 5 })],
 * });
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import type { RunEventSink, RunEventSource } from './history';
import { getLearningRate, setLearningRate } from './learningRate';
import { improves, monitorMode, type Mode } from './monitorMode';

/** Arguments of {@link reduceLROnPlateau}. */
export interface ReduceLROnPlateauArgs {
  /** The epoch log to watch. Defaults to 'val_loss'. */
  monitor?: string;
  /** Multiplier of the learning rate at each reduction, in (0, 1). Defaults to 0.5. */
  factor?: number;
  /** Epochs without improvement before a reduction. Defaults to 5. */
  patience?: number;
  /** Smallest change that counts as an improvement. Defaults to 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Defaults to 0. */
  cooldown?: number;
  /** Lower bound of the learning rate. Defaults to 0. */
  minLR?: number;
  /** 'min', 'max', or 'auto' (max for metrics whose name contains 'acc'). Defaults to 'auto'. */
  mode?: Mode;
}

/** The callback {@link reduceLROnPlateau} returns. */
export class ReduceLROnPlateau extends tf.Callback implements RunEventSource {
  /** Marks the callback for gs.fit, which refuses a `schedule` alongside it. */
  readonly isPlateauScheduler = true;
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLR: number;
  readonly mode: 'min' | 'max';
  /** Learning rate after each epoch (what this callback left in place). */
  readonly lrHistory: number[] = [];
  private best = NaN;
  private wait = 0;
  private cooldownLeft = 0;
  private sink?: RunEventSink;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.factor = args.factor ?? 0.5;
    if (!(this.factor > 0 && this.factor < 1)) {
      throw new Error(`gs.callbacks.reduceLROnPlateau: \`factor\` must be in (0, 1), got ${this.factor}`);
    }
    this.patience = args.patience ?? 5;
    this.minDelta = Math.abs(args.minDelta ?? 1e-4);
    this.cooldown = args.cooldown ?? 0;
    this.minLR = args.minLR ?? 0;
    for (const [k, v] of [['patience', this.patience], ['cooldown', this.cooldown], ['minLR', this.minLR]] as const) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`gs.callbacks.reduceLROnPlateau: \`${k}\` must be ≥ 0, got ${v}`);
    }
    this.mode = monitorMode(this.monitor, args.mode ?? 'auto', 'reduceLROnPlateau');
  }

  setEventSink(sink: RunEventSink | undefined): void {
    this.sink = sink;
  }

  override async onTrainBegin(): Promise<void> {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownLeft = 0;
  }

  override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    const optimizer = (this.model as tf.LayersModel).optimizer;
    const current = logs?.[this.monitor];
    if (typeof current !== 'number') {
      console.warn(`gs.callbacks.reduceLROnPlateau: '${this.monitor}' is not in the epoch logs (${Object.keys(logs ?? {}).join(', ')}); nothing done`);
      return;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
    }
    if (improves(current, this.best, this.minDelta, this.mode)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownLeft === 0) {
      this.wait++;
      if (this.wait >= this.patience) {
        const old = getLearningRate(optimizer);
        if (old > this.minLR) {
          const lr = Math.max(old * this.factor, this.minLR);
          setLearningRate(optimizer, lr);
          this.sink?.('lr-reduced', `${this.monitor} did not improve for ${this.wait} epochs: learning rate ${old} → ${lr}`);
          this.cooldownLeft = this.cooldown;
          this.wait = 0;
        }
      }
    }
    this.lrHistory.push(getLearningRate(optimizer));
  }
}

/** Creates a {@link ReduceLROnPlateau} callback (see {@link ReduceLROnPlateauArgs}). */
export function reduceLROnPlateau(args: ReduceLROnPlateauArgs = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(args);
}
