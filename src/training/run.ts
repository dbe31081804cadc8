/**
 * One training run of `gs.fit` / `gs.fitDataset`: the per-step work both share (learning rate,
 * train step through the model's own train function, one read of loss and metrics, NaN check,
 * callbacks, observers, interrupt) and the setup/teardown around it. Internal: the public entry
 * points are in fit.ts and fitDataset.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunEvent, RunStatus } from '../protocol/health';
import { interruptedError, kernelHooks } from '../protocol/kernelHooks';
import { FitHistory, NonFiniteLossError, isEventSource } from './history';
import { getLearningRate, setLearningRate } from './learningRate';
import type { LossFn, TrainingObserver } from './observer';
import { ObserverHub } from './observerHub';
import { ClippedOptimizer } from './optimizers';
import { toSchedule, type Schedule, type ScheduleLike } from './schedules';
import { callbackList, hasPlateau, type CallbackArg } from './callbackList';
import { internals, type ModelInternals } from '../engine/modelInternals';
import { monitorPlugin, type MonitorOptions } from './monitorSeam';

/** Arguments shared by `gs.fit` and `gs.fitDataset`. */
export interface TrainArgs {
  /** Number of epochs. Defaults to 1. */
  epochs?: number;
  /** Epoch to start from (resuming); the schedule starts at step initialEpoch × stepsPerEpoch. Defaults to 0. */
  initialEpoch?: number;
  /** Optimizer (instance or tfjs name); recompiles the model when given. Defaults to the compiled one. */
  optimizer?: tf.Optimizer | string;
  /** Loss (name or function); recompiles the model when given. Defaults to the compiled one. */
  loss?: string | LossFn;
  /** Metrics, as `model.compile`; recompiles the model when given. Defaults to the compiled ones. */
  metrics?: string | LossFn | readonly (string | LossFn)[];
  /** Learning rate per step: `(step) => lr` or a `gs.schedules.*` object. Defaults to the optimizer's constant rate. */
  schedule?: ScheduleLike;
  /** Clip each gradient element to [-clipvalue, clipvalue]. Defaults to none. */
  clipvalue?: number;
  /** Clip each gradient tensor to l2 norm ≤ clipnorm (Keras `clipnorm`). Defaults to none. */
  clipnorm?: number;
  /** Clip all gradients together to global norm ≤ globalClipnorm. Defaults to none. */
  globalClipnorm?: number;
  /** tfjs-shaped callbacks (`{ onEpochEnd() {…} }`, `tf.callbacks.earlyStopping()`, `gs.callbacks.*`). Defaults to none. */
  callbacks?: CallbackArg | CallbackArg[];
  /**
   * Gradient-health monitoring: true, false or the monitor's options (`gs.diagnostics.HealthMonitorArgs`).
   * Defaults to true inside a Gradscope kernel, false elsewhere.
   */
  diagnostics?: boolean | MonitorOptions;
  /** Extra training observers (the health monitor is added by `diagnostics`). Defaults to none. */
  observers?: TrainingObserver[];
  /** Stop with an error when the loss becomes NaN or infinite. Defaults to true. */
  terminateOnNaN?: boolean;
  /**
   * What a kernel interrupt does once the run stopped at the end of its step: `'stopCell'` throws an
   * `Interrupted` error (its `history` field holds the history) so the rest of the cell does not run;
   * `'return'` returns the history (`interrupted: true`) and the cell goes on. The trained weights are
   * kept either way. Defaults to `'stopCell'`.
   */
  onInterrupt?: 'stopCell' | 'return';
}

/** What the entry point (fit / fitDataset) knows about the run before it starts. */
export interface RunSetup {
  epochs: number;
  initialEpoch: number;
  stepsPerEpoch: number;
  batchSize?: number;
  samples?: number;
  doValidation: boolean;
  probe: { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] };
  probeFrom?: 'training set' | 'first batch';
  callStack?: string;
}

const YIELD_MS = 20;

/** Shared state and per-step logic of one run. */
export class TrainingRun {
  readonly history = new FitHistory();
  private readonly m: ModelInternals;
  private readonly names: string[];
  private readonly schedule?: Schedule;
  private readonly hub: ObserverHub;
  private readonly callbacks: ReturnType<typeof callbackList>;
  private readonly trainFn: (data: tf.Tensor[]) => tf.Scalar[];
  private readonly saved: { optimizer: tf.Optimizer; owned: boolean };
  private readonly meter?: ClippedOptimizer;
  private readonly initialStep: number;
  private step = 0;
  private epoch = 0;
  private lastFinite: { step: number; loss: number } | undefined;
  private interruptFlag = false;
  private unsubscribe?: () => void;
  private endActivity?: () => void;
  private totals: Record<string, number> = {};
  private seen = 0;
  private lastYield = Date.now();
  private ended = false;

  constructor(readonly model: tf.LayersModel, readonly args: TrainArgs, readonly setup: RunSetup) {
    this.m = internals(model);
    this.schedule = toSchedule(args.schedule);
    this.callbacks = callbackList(args.callbacks);
    if (this.schedule && hasPlateau(this.callbacks.items)) {
      throw new Error('gs.fit: `schedule` and gs.callbacks.reduceLROnPlateau both set the learning rate; use one of them');
    }
    const observers = [...(args.observers ?? [])];
    const plugin = monitorPlugin();
    const diag = args.diagnostics ?? (plugin !== undefined && kernelHooks() != null);
    if (diag) {
      if (!plugin) throw new Error("gs.fit: `diagnostics` needs the health monitor; import fit from 'gradscope' (the library entry installs it)");
      observers.unshift(plugin.create(diag === true ? undefined : diag));
    }
    this.hub = new ObserverHub(observers);
    this.names = this.m.getDedupedMetricsNames();
    this.initialStep = setup.initialEpoch * setup.stepsPerEpoch;
    this.saved = { optimizer: this.m.optimizer_, owned: this.m.isOptimizerOwned };
    const clip = args.clipnorm != null || args.clipvalue != null || args.globalClipnorm != null;
    // A health monitor passed among the observers wants the step's gradient norms as gs.fit's own does.
    const monitored = plugin !== undefined && observers.some((o) => plugin.wantsGradients(o));
    if (clip || (monitored && !(this.saved.optimizer instanceof ClippedOptimizer))) {
      // Only wrap when gradients must be clipped or measured: the plain path stays model.fit's own.
      this.meter = new ClippedOptimizer(this.saved.optimizer, {
        clipnorm: args.clipnorm, clipvalue: args.clipvalue, globalClipnorm: args.globalClipnorm,
      });
      this.m.optimizer_ = this.meter;
    } else if (this.saved.optimizer instanceof ClippedOptimizer) {
      this.meter = this.saved.optimizer;
    }
    this.trainFn = this.m.makeTrainFunction();
  }

  /** The optimizer whose learning rate the run sets and reports. */
  get optimizer(): tf.Optimizer {
    return this.m.optimizer_;
  }

  /** True once an interrupt or `model.stopTraining` asks the run to stop at this batch boundary. */
  get stopRequested(): boolean {
    return this.interrupted || this.m.stopTraining_;
  }

  /** True once the kernel asked to interrupt (polled and subscribed). */
  get interrupted(): boolean {
    if (!this.interruptFlag && kernelHooks()?.interrupted) this.interruptFlag = true;
    return this.interruptFlag;
  }

  /** Records an event at `step`, by default the last completed step. */
  private emit(kind: RunEvent['kind'], detail: string, step = Math.max(this.initialStep, this.initialStep + this.step - 1)): void {
    const e: RunEvent = { step, epoch: this.epoch, kind, detail };
    this.history.events.push(e);
    this.hub.event(e);
  }

  async begin(): Promise<void> {
    const hooks = kernelHooks();
    if (hooks) this.unsubscribe = hooks.onInterrupt(() => (this.interruptFlag = true));
    this.endActivity = hooks?.activity?.('trainRun');
    this.m.stopTraining_ = false;
    const { epochs, initialEpoch, stepsPerEpoch, batchSize, samples, doValidation } = this.setup;
    const metrics = doValidation ? [...this.names, ...this.names.map((n) => `val_${n}`)] : [...this.names];
    this.history.params = { epochs, initialEpoch, samples, steps: stepsPerEpoch, batchSize, verbose: 0, doValidation, metrics } as FitHistory['params'];
    for (const cb of this.callbacks.items) if (isEventSource(cb)) cb.setEventSink((k, d) => this.emit(k, d));
    this.callbacks.list.setModel(this.model);
    this.callbacks.list.setParams(this.history.params as tf.CustomCallbackArgs as never);
    await this.callbacks.list.onTrainBegin();
    const lossFns = this.m.lossFunctions;
    const mean = (fn: (typeof lossFns)[number]) => (yt: tf.Tensor, yp: tf.Tensor) => tf.tidy(() => tf.mean(fn(yt, yp)) as tf.Scalar);
    await this.hub.trainBegin({
      model: this.model,
      epochs,
      stepsPerEpoch,
      probe: this.setup.probe,
      probeFrom: this.setup.probeFrom,
      loss: mean(lossFns[0]),
      losses: lossFns.map(mean),
      optimizer: this.optimizer,
      scheduleKind: this.schedule?.kind ?? (hasPlateau(this.callbacks.items) ? 'plateau' : 'constant'),
      initialStep: this.initialStep,
      ...(batchSize !== undefined ? { batchSize } : {}),
      callStack: this.setup.callStack,
    });
  }

  async beginEpoch(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.totals = {};
    this.seen = 0;
    await this.callbacks.list.onEpochBegin(epoch);
  }

  /** One optimizer step on the batch `makeBatch()` builds (inside a tidy, so its tensors are freed). */
  async trainStep(makeBatch: () => tf.Tensor[], batch: number, size: number): Promise<void> {
    const t = this.initialStep + this.step;
    if (this.schedule) setLearningRate(this.optimizer, this.schedule.lr(t));
    const lr = getLearningRate(this.optimizer);
    const logs: Record<string, number> = { batch, size };
    if (this.callbacks.items.length) await this.callbacks.list.onBatchBegin(batch, logs);
    // The step (and the observers' work on it) ends by itself: an interrupt waits for it, then stops the
    // run. When it throws, the run's end clears the mark.
    const endStep = kernelHooks()?.activity?.('trainStep', t);
    if (!this.hub.empty) await this.hub.batchBegin(t, this.epoch);
    const measured = this.meter?.norms.pre.length ?? 0;
    let values: Float32Array | Int32Array | Uint8Array = new Float32Array(0);
    tf.tidy(() => {
      const outs = this.trainFn(makeBatch());
      values = outs.length === 1 ? outs[0].dataSync() : tf.stack(outs).dataSync();
      tf.dispose(outs); // the train function keep()s the metric tensors, which tidy would not free
    });
    const loss = values[0];
    this.history.lr.push(lr);
    this.history.batchLoss.push(loss);
    let pre: number | undefined;
    let post: number | undefined;
    const metered = this.meter && this.meter.norms.pre.length > measured ? this.meter : undefined;
    if (metered) {
      ({ pre, post } = metered.last!);
      (this.history.gradNormPreClip ??= []).push(pre);
      (this.history.gradNormPostClip ??= []).push(post);
    }
    const metrics: Record<string, number> = {};
    this.names.forEach((n, i) => {
      logs[n] = values[i];
      this.totals[n] = (this.totals[n] ?? 0) + values[i] * size;
      if (i > 0) metrics[n] = values[i];
    });
    this.seen += size;
    if (!this.hub.empty) {
      await this.hub.batchEnd(t, {
        epoch: this.epoch, loss, lr, gradNormPreClip: pre, gradNormPostClip: post, metrics,
        ...(metered ? { gradSquares: new Map(metered.lastSquares), meterMs: metered.lastMeterMs } : {}),
      });
    }
    endStep?.();
    if (!Number.isFinite(loss) && this.args.terminateOnNaN !== false) this.failNonFinite(t, loss, batch);
    if (Number.isFinite(loss)) this.lastFinite = { step: t, loss };
    this.step++;
    if (this.callbacks.items.length) await this.callbacks.list.onBatchEnd(batch, logs);
    // Let the kernel's interrupt message (and other I/O) in between batches.
    if (Date.now() - this.lastYield >= YIELD_MS) {
      await new Promise<void>((r) => setImmediate(r));
      this.lastYield = Date.now();
    }
  }

  private failNonFinite(t: number, loss: number, batch: number): never {
    const last = this.lastFinite
      ? `the last finite loss was ${this.lastFinite.loss} at step ${this.lastFinite.step}`
      : 'no step before it had a finite loss';
    const msg =
      `gs.fit: the loss became ${loss} at step ${t} (epoch ${this.epoch + 1}, batch ${batch}); ${last}. ` +
      'Lower the learning rate or clip the gradients (e.g. clipnorm: 1).';
    this.emit('nan', `loss ${loss} at step ${t}; ${last}`, t);
    throw new NonFiniteLossError(msg, t, this.lastFinite, this.history);
  }

  /** Ends the epoch: mean logs over its samples plus `valLogs`, history, callbacks, observers. */
  async endEpoch(epoch: number, valLogs: Record<string, number> = {}): Promise<void> {
    const logs: Record<string, number> = {};
    for (const n of this.names) if (this.seen > 0) logs[n] = this.totals[n] / this.seen;
    Object.assign(logs, valLogs);
    this.history.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history.history[k] ??= []).push(v);
    await this.callbacks.list.onEpochEnd(epoch, logs);
    await this.hub.epochEnd(epoch, logs);
  }

  /**
   * Runs `epochs` (the caller's loop over epochs and batches) between {@link begin} and {@link end},
   * ending the run with the error when anything throws; returns the history.
   */
  async drive(epochs: () => Promise<void>): Promise<FitHistory> {
    try {
      await this.begin();
      await epochs();
      await this.end();
    } catch (e) {
      await this.end(e);
      throw e;
    }
    if (this.history.interrupted && kernelHooks() && this.args.onInterrupt !== 'return') {
      const last = this.initialStep + this.step - 1;
      throw interruptedError(`gs.fit stopped after step ${last} (epoch ${this.epoch + 1}); the weights it trained are kept`, { history: this.history });
    }
    return this.history;
  }

  /** Tears the run down (exactly once): optimizer back, callbacks and observers told how it ended. */
  async end(error?: unknown): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.m.optimizer_ = this.saved.optimizer;
    this.m.isOptimizerOwned = this.saved.owned;
    this.unsubscribe?.();
    this.endActivity?.();
    for (const cb of this.callbacks.items) if (isEventSource(cb)) cb.setEventSink(undefined);
    let status: RunStatus = 'finished';
    if (error) status = 'failed';
    else if (this.interrupted) {
      status = 'stopped';
      this.history.interrupted = true;
      this.emit('interrupted', `interrupted after step ${this.initialStep + this.step - 1}; weights kept`);
    } else if (this.m.stopTraining_) this.history.stoppedEarly = true;
    try {
      if (!error) await this.callbacks.list.onTrainEnd();
    } finally {
      const msg = error ? ((error as Error)?.message ?? String(error)) : undefined;
      await this.hub.trainEnd(status, msg);
    }
  }
}
