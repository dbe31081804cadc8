/**
 * The health monitor on plain `model.fit` in a Gradscope kernel: the kernel calls
 * {@link observeModelFit} once, which wraps `tf.LayersModel.prototype.fit` (and Sequential's) so that
 * a cell's `await model.fit(x, y, {...})` is observed as `gs.fit` is, and a loop of fit calls on one
 * model from one cell continues one run (the monitor's per-model timeline). The call itself is
 * model.fit's own: the same arguments (only a callback appended, after the user's callbacks put in
 * the form model.fit itself gives them), the same History, errors and return value.
 *
 * What is measured: loss, metrics, learning rate and validation per step and epoch, and the per-layer
 * probes on a probe batch drawn from the call's `x`/`y` (for model.fitDataset, from a copy of the
 * first batch, as gs.fitDataset's; the dataset is passed on through an identity `map`). The global gradient norm of each step is
 * not: that needs gs.fit's metering optimizer, so the panel shows no per-step gradient-norm chart
 * (the probes measure each layer's gradient on the probe batch). A kernel interrupt stops an observed
 * call at the end of its batch, through `model.stopTraining`, and the cell with an `Interrupted`
 * error whose `history` is the call's History, as gs.fit does. Outside a kernel, or after
 * `gs.monitorModelFit(false)`, model.fit runs untouched.
 *
 * @example
 * ```ts
 * for (let i = 0; i < 100; i++) await model.fit(x, y, { epochs: 1 }); // one health panel
 * gs.monitorModelFit(false); // plain model.fit is no longer observed in this kernel
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { interruptedError, kernelHooks } from '../protocol/kernelHooks';
import { healthMonitor } from '../diagnostics';
import { ObserverHub } from '../training/observerHub';
import { internals } from '../engine/modelInternals';
import { getLearningRate } from '../training/learningRate';
import { hasPlateau } from '../training/callbackList';

const WRAPPED = Symbol.for('gradscope.observedFit');

let enabled = true;
/** True while an observed fit call runs its synchronous start (Sequential.fit calls its inner model's fit there). */
let nested = false;

/**
 * Turns the observation of plain `model.fit` in the kernel on or off for this kernel session
 * (`gs.fit` is not affected: its `diagnostics` option governs it). Defaults to on.
 */
export function monitorModelFit(on: boolean): void {
  if (typeof on !== 'boolean') throw new TypeError(`gs.monitorModelFit: pass true or false, got ${String(on)}`);
  enabled = on;
}

type FitFn = (this: tf.LayersModel, x: unknown, y: unknown, args?: tf.ModelFitArgs) => Promise<tf.History>;
type FitDatasetFn = (this: tf.LayersModel, dataset: unknown, args?: tf.ModelFitDatasetArgs<tf.TensorContainer>) => Promise<tf.History>;
type Tensors = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };
type Wrapped<F> = F & { [WRAPPED]?: true };

/** Wraps model.fit and model.fitDataset on `tfjs`'s LayersModel and Sequential prototypes (once; the kernel calls this at start). */
export function observeModelFit(tfjs: typeof tf): void {
  const own = (proto: object, name: string) => Object.prototype.hasOwnProperty.call(proto, name) && !(proto as Record<string, Wrapped<object>>)[name][WRAPPED];
  for (const proto of [tfjs.LayersModel.prototype, tfjs.Sequential.prototype] as unknown as { fit: Wrapped<FitFn>; fitDataset: Wrapped<FitDatasetFn> }[]) {
    if (own(proto, 'fit')) {
      const original = proto.fit;
      const fit: Wrapped<FitFn> = function (this: tf.LayersModel, x, y, args) {
        if (nested || !enabled || !kernelHooks()) return original.call(this, x, y, args);
        const observer = new FitObserver(this, { x: x as Tensors, y: y as Tensors }, args?.callbacks, new Error().stack);
        return observed(observer, args, (a) => original.call(this, x, y, a), () => original.call(this, x, y, args));
      };
      fit[WRAPPED] = true;
      proto.fit = fit;
    }
    if (own(proto, 'fitDataset')) {
      const original = proto.fitDataset;
      const fitDataset: Wrapped<FitDatasetFn> = function (this: tf.LayersModel, dataset, args) {
        const map = (dataset as { map?: unknown } | null)?.map;
        if (nested || !enabled || !kernelHooks() || typeof map !== 'function') return original.call(this, dataset, args);
        const observer = new FitObserver(this, { dataset: true, initialEpoch: args?.initialEpoch ?? 0 }, args?.callbacks, new Error().stack);
        // The first batch (the probe batch's source, as gs.fitDataset's) is copied as it passes; the
        // mapped dataset yields the same elements and has the same size.
        let seen: tf.data.Dataset<tf.TensorContainer>;
        try {
          seen = (dataset as tf.data.Dataset<tf.TensorContainer>).map((el) => {
            observer.firstBatch(el);
            return el as tf.TensorContainer;
          });
        } catch {
          return original.call(this, dataset, args);
        }
        return observed(observer, args, (a) => original.call(this, seen, a), () => original.call(this, dataset, args));
      };
      fitDataset[WRAPPED] = true;
      proto.fitDataset = fitDataset;
    }
  }
}

/**
 * Runs one observed call: `train` with the observer's callback appended to `args.callbacks`; `plain`
 * (the call untouched) when the callbacks cannot be put in model.fit's form, so model.fit reports them.
 */
function observed<A extends { callbacks?: unknown; yieldEvery?: tf.ModelFitArgs['yieldEvery'] }>(
  observer: FitObserver, args: A | undefined, train: (args: A) => Promise<tf.History>, plain: () => Promise<tf.History>,
): Promise<tf.History> {
  let callbacks: object[];
  try {
    callbacks = withCallback(args?.callbacks, args?.yieldEvery, observer.callback);
  } catch {
    return plain();
  }
  // A kernel interrupt stops the call at the end of its batch (as gs.fit stops), through
  // model.stopTraining, and then stops the cell; the kernel waits for the running batch.
  const hooks = kernelHooks();
  const unsubscribe = hooks?.onInterrupt(() => observer.stop());
  const endRun = hooks?.activity?.('trainRun');
  const done = () => {
    unsubscribe?.();
    endRun?.();
  };
  let training: Promise<tf.History>;
  nested = true;
  try {
    training = train({ ...args, callbacks } as A);
  } catch (e) {
    done();
    throw e;
  } finally {
    nested = false;
  }
  return training.then(
    async (history) => {
      done();
      if (observer.interrupted || kernelHooks()?.interrupted) {
        await observer.end(undefined, true);
        throw interruptedError(`${observer.name} stopped after step ${observer.lastStep} (epoch ${observer.lastEpoch + 1}); the weights it trained are kept`, { history });
      }
      await observer.end();
      return history;
    },
    async (e: unknown) => {
      done();
      await observer.end(e);
      throw e;
    },
  );
}

/** tfjs's base class of callbacks (not exported by tfjs itself). */
const BaseCallback = Object.getPrototypeOf(tf.CustomCallback) as new () => object;

/**
 * The user's callbacks as model.fit would make them (tfjs's standardizeCallbacks: a list whose first
 * entry is a plain object has every entry wrapped in a CustomCallback with `yieldEvery`; none gives
 * one empty CustomCallback, which keeps model.fit's yielding), then `extra`.
 */
function withCallback(user: unknown, yieldEvery: tf.ModelFitArgs['yieldEvery'], extra: object): object[] {
  if (user == null) return [new tf.CustomCallback({}, yieldEvery), extra];
  if (user instanceof BaseCallback) return [user, extra];
  if (Array.isArray(user) && user[0] instanceof BaseCallback) return [...user, extra];
  const list = Array.isArray(user) ? user : [user];
  return [...list.map((c) => new tf.CustomCallback(c as tf.CustomCallbackArgs, yieldEvery)), extra];
}

/** The tensors of `x` in the model's order (a map by input or output name), or undefined when they are not tensors. */
function tensorsOf(v: unknown, names: string[]): tf.Tensor[] | undefined {
  const list = v instanceof tf.Tensor ? [v] : Array.isArray(v) ? v : v && typeof v === 'object' ? names.map((n) => (v as Record<string, unknown>)[n]) : [];
  return list.length > 0 && list.every((t) => t instanceof tf.Tensor) ? (list as tf.Tensor[]) : undefined;
}

/**
 * Feeds one model.fit / model.fitDataset call's callback events to a health monitor through an
 * observer hub (which keeps the monitor's failures out of training).
 */
class FitObserver {
  readonly callback: tf.CustomCallback;
  private hub?: ObserverHub;
  /** Tensors this observer made (the training part of `x`/`y`, a copy of a dataset's first batch). */
  private owned: tf.Tensor[] = [];
  private first?: { x: tf.Tensor[]; y: tf.Tensor[] };
  private pending?: () => Promise<void>;
  private step = 0;
  private epoch = 0;
  private ended = false;
  private endStep?: () => void;
  /** True once a kernel interrupt asked this call to stop. */
  interrupted = false;

  constructor(
    readonly model: tf.LayersModel,
    private readonly data: { x: Tensors; y: Tensors } | { dataset: true; initialEpoch: number },
    private readonly userCallbacks: unknown,
    private readonly callStack: string | undefined,
  ) {
    // 'never': this callback adds no yielding of its own (the user's callbacks keep model.fit's).
    this.callback = new tf.CustomCallback({
      onTrainBegin: async () => this.begin(),
      onEpochBegin: async (epoch) => void (this.epoch = epoch),
      onBatchBegin: async () => {
        // Over a dataset the monitor starts at the first batch, which is read before this call.
        if (this.pending) await this.pending();
        this.poll();
        this.endStep = kernelHooks()?.activity?.('trainStep', this.step);
        await this.hub?.batchBegin(this.step, this.epoch);
      },
      onBatchEnd: async (_batch, logs) => this.batchEnd(logs ?? {}),
      onEpochEnd: async (epoch, logs) => {
        await this.hub?.epochEnd(epoch, { ...(logs ?? {}) } as Record<string, number>);
      },
    }, 'never');
  }

  /** Copies the first element of a dataset (`{ xs, ys }` or `[xs, ys]`) as the probe batch's source. */
  firstBatch(el: unknown): void {
    if (this.first || this.ended || el == null || typeof el !== 'object') return;
    const m = internals(this.model);
    const [x, y] = Array.isArray(el) ? el : [(el as { xs?: unknown }).xs, (el as { ys?: unknown }).ys];
    const xs = tensorsOf(x, m.inputNames);
    const ys = tensorsOf(y, m.outputNames);
    if (!xs || !ys) return;
    const copy = (ts: tf.Tensor[]) => ts.map((t) => tf.keep(t.clone()));
    this.first = { x: copy(xs), y: copy(ys) };
    this.owned.push(...this.first.x, ...this.first.y);
  }

  private begin(): void {
    const params = this.callback.params as { epochs?: number; initialEpoch?: number; samples?: number; steps?: number; batchSize?: number };
    const m = internals(this.model);
    const epochs = params.epochs ?? 1;
    const one = (ts: tf.Tensor[]) => (ts.length === 1 ? ts[0] : ts);
    const mean = (fn: (typeof m.lossFunctions)[number]) => (yt: tf.Tensor, yp: tf.Tensor) => tf.tidy(() => tf.mean(fn(yt, yp)) as tf.Scalar);
    const callbacks = this.userCallbacks;
    const common = {
      model: this.model, epochs,
      loss: mean(m.lossFunctions[0]), losses: m.lossFunctions.map(mean),
      optimizer: m.optimizer_,
      scheduleKind: hasPlateau(Array.isArray(callbacks) ? callbacks : [callbacks]) ? 'plateau' : 'constant',
      callStack: this.callStack,
    };
    if ('dataset' in this.data) {
      // model.fitDataset passes no initialEpoch to its callbacks; it starts at args.initialEpoch.
      const stepsPerEpoch = params.steps != null && Number.isFinite(params.steps) && params.steps > 0 ? params.steps : 0;
      const initialEpoch = this.data.initialEpoch;
      this.pending = async () => {
        this.pending = undefined;
        if (!this.first) return;
        this.step = initialEpoch * stepsPerEpoch;
        this.hub = new ObserverHub([healthMonitor()]);
        await this.hub.trainBegin({ ...common, stepsPerEpoch, probe: { x: one(this.first.x), y: one(this.first.y) }, probeFrom: 'first batch', initialStep: this.step });
      };
      return;
    }
    const xs = tensorsOf(this.data.x, m.inputNames);
    const ys = tensorsOf(this.data.y, m.outputNames);
    if (!xs || !ys) return;
    const batchSize = params.batchSize ?? 32;
    const samples = params.samples ?? xs[0].shape[0];
    const stepsPerEpoch = params.steps ?? Math.ceil(samples / batchSize);
    // The probe batch comes from the training samples (validationSplit takes the last ones apart).
    const train = (ts: tf.Tensor[]) => ts.map((t) => {
      if (t.shape[0] === samples) return t;
      const s = t.slice(0, samples);
      this.owned.push(s);
      return s;
    });
    this.step = (params.initialEpoch ?? 0) * stepsPerEpoch;
    this.hub = new ObserverHub([healthMonitor()]);
    this.pending = () => this.hub!.trainBegin({
      ...common, stepsPerEpoch, probe: { x: one(train(xs)), y: one(train(ys)) }, probeFrom: 'training set', initialStep: this.step, batchSize,
    }).then(() => void (this.pending = undefined));
  }

  /** `model.fit` or `model.fitDataset`, for messages. */
  get name(): string {
    return 'dataset' in this.data ? 'model.fitDataset' : 'model.fit';
  }

  /** The global step and epoch of the last batch that ran. */
  get lastStep(): number {
    return this.step - 1;
  }
  get lastEpoch(): number {
    return this.epoch;
  }

  /** Stops the call at the end of the running batch (model.fit reads `stopTraining` after each). */
  stop(): void {
    this.interrupted = true;
    this.model.stopTraining = true;
  }

  /** The kernel's interrupt flag is read at every batch too: its message may wait behind the training. */
  private poll(): void {
    if (!this.interrupted && kernelHooks()?.interrupted) this.stop();
  }

  private async batchEnd(logs: tf.Logs): Promise<void> {
    this.endStep?.();
    this.endStep = undefined;
    this.poll();
    if (!this.hub) {
      this.step++;
      return;
    }
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(logs)) if (k !== 'batch' && k !== 'size' && k !== 'loss' && typeof v === 'number') metrics[k] = v;
    const loss = typeof logs.loss === 'number' ? logs.loss : NaN;
    await this.hub.batchEnd(this.step, { epoch: this.epoch, loss, lr: getLearningRate(internals(this.model).optimizer_), metrics });
    this.step++;
  }

  /** Ends the monitor's run once: finished, stopped by an interrupt, or failed with model.fit's error. */
  async end(error?: unknown, interrupted = false): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.endStep?.();
    try {
      if (this.hub) {
        const status = interrupted || (error !== undefined && kernelHooks()?.interrupted) ? 'stopped' : error === undefined ? 'finished' : 'failed';
        await this.hub.trainEnd(status, error === undefined ? undefined : ((error as Error)?.message ?? String(error)));
      }
    } finally {
      tf.dispose(this.owned);
      this.owned = [];
    }
  }
}
