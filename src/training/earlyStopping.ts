/**
 * `gs.callbacks.earlyStopping`: stops training when the monitored metric has not improved for
 * `patience` epochs, and, with `restoreBestWeights`, puts back the weights of the best epoch when it
 * stops (tfjs's own `tf.callbacks.earlyStopping` cannot). A `tf.Callback`, so plain `model.fit`
 * accepts it too. As Keras 2: when training runs all its epochs without stopping, the final weights
 * stay.
 *
 * @example
 * ```ts
 * const es = gs.callbacks.earlyStopping({ patience: 5, restoreBestWeights: true });
 * await gs.fit(model, x, y, { epochs: 100, validationSplit: 0.2, callbacks: [es] });
 * es.bestEpoch; // the epoch whose weights the model now has
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import type { RunEventSink, RunEventSource } from './history';
import { improves, monitorMode, type Mode } from './monitorMode';

/** Arguments of {@link earlyStopping}. */
export interface EarlyStoppingArgs {
  /** The epoch log to watch. Defaults to 'val_loss'. */
  monitor?: string;
  /** Epochs without improvement after which training stops. Defaults to 0. */
  patience?: number;
  /** Smallest change that counts as an improvement. Defaults to 0. */
  minDelta?: number;
  /** 'min', 'max', or 'auto' (max for metrics whose name contains 'acc'). Defaults to 'auto'. */
  mode?: Mode;
  /** When stopping, restore the weights of the epoch with the best monitored value. Defaults to false. */
  restoreBestWeights?: boolean;
}

/** The callback {@link earlyStopping} returns. */
export class EarlyStopping extends tf.Callback implements RunEventSource {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  /** Best monitored value so far and its epoch (-1 before the first epoch). */
  best = NaN;
  bestEpoch = -1;
  /** Epoch at which training was stopped, or -1. */
  stoppedEpoch = -1;
  private wait = 0;
  private bestWeights: tf.Tensor[] | undefined;
  private sink?: RunEventSink;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.patience = args.patience ?? 0;
    this.minDelta = Math.abs(args.minDelta ?? 0);
    if (!(this.patience >= 0) || !Number.isFinite(this.patience)) {
      throw new Error(`gs.callbacks.earlyStopping: \`patience\` must be ≥ 0, got ${this.patience}`);
    }
    this.mode = monitorMode(this.monitor, args.mode ?? 'auto', 'earlyStopping');
    this.restoreBestWeights = args.restoreBestWeights ?? false;
  }

  setEventSink(sink: RunEventSink | undefined): void {
    this.sink = sink;
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = -1;
    this.dropSnapshot();
  }

  override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    const current = logs?.[this.monitor];
    if (typeof current !== 'number') {
      console.warn(`gs.callbacks.earlyStopping: '${this.monitor}' is not in the epoch logs (${Object.keys(logs ?? {}).join(', ')}); not stopping`);
      return;
    }
    const model = this.model as tf.LayersModel;
    this.wait++;
    if (improves(current, this.best, this.minDelta, this.mode)) {
      this.best = current;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) {
        this.dropSnapshot();
        this.bestWeights = model.getWeights().map((w) => w.clone());
      }
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
      this.sink?.('early-stop', `${this.monitor} did not improve for ${this.wait} epochs (best ${brief(this.best)} at epoch ${this.bestEpoch + 1})`);
      if (this.restoreBestWeights && this.bestWeights) {
        model.setWeights(this.bestWeights);
        this.sink?.('restored-best', `restored the weights of epoch ${this.bestEpoch + 1} (${this.monitor} = ${brief(this.best)})`);
      }
      this.dropSnapshot();
    }
  }

  override async onTrainEnd(): Promise<void> {
    this.dropSnapshot();
  }

  private dropSnapshot(): void {
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = undefined;
  }
}

/** Creates an {@link EarlyStopping} callback (see {@link EarlyStoppingArgs}). */
export function earlyStopping(args: EarlyStoppingArgs = {}): EarlyStopping {
  return new EarlyStopping(args);
}

/** A monitored value as event details show it: 4 significant digits (6.846, not 6.845561981201172). */
function brief(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}
