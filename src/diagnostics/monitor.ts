/**
 * The gradient-health monitor: a {@link TrainingObserver} that `gs.fit` calls while it trains. Every
 * step it records loss, learning rate, metrics and clip norms; on the steps its {@link Sampler} picks
 * its {@link Prober} probes the model on the run's probe batch (drawn by {@link drawProbeBatch}) and
 * measures ‖ΔW‖/‖W‖ of that step; its {@link Publisher} sends snapshots to the kernel, `onSnapshot`
 * and a JSON file. The monitor itself catches nothing: the training loop's observer hub is the one
 * place that keeps an observer's failure out of training.
 */
import * as tf from '@tensorflow/tfjs';
import type { HealthSnapshot, RunEvent, RunStatus } from '../protocol/health';
import { kernelHooks } from '../protocol/kernelHooks';
import type { BatchEndInfo, TrainBeginInfo, TrainingObserver } from '../training/observer';
import { LayerRecorder } from './layerRecorder';
import { drawProbeBatch } from './probeBatch';
import { Prober } from './prober';
import { Publisher } from './publisher';
import { SeriesBuffer } from './series';
import { buildSnapshot, type RunState } from './snapshot';
import { summarizeModel, trainableSignature } from '../engine/modelSummary';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds';
import { Sampler } from './sampler';
import { ClippedOptimizer } from '../training/optimizers';
import { summarizeRunOptions } from './runs/options';
import { runRegistry } from './runs/registry';
import { DEFAULT_HISTOGRAM_SHARE, histogramDue } from './histograms';
import { ensureLogDir } from './export/tensorboard';
import { TensorBoardExport } from './export/tensorboardExport';

/** The adaptive sampler's default share of training time (see {@link HealthMonitorArgs.maxOverhead}). */
export const DEFAULT_MAX_OVERHEAD = 0.02;

/** Options of {@link healthMonitor}. */
export interface HealthMonitorArgs {
  /** Probe every N steps; 0 adapts N to keep the probes' cost within `maxOverhead`. Defaults to the setting gradscope.diagnostics.sampleEvery in a kernel, else 0. */
  sampleEvery?: number;
  /**
   * Share of training time that probes beyond the planned ones (and snapshots) may take. The planned
   * probes (every step of a run under 64 steps, 32 spread over a longer one; see sampler.ts) are taken
   * whatever they cost, and the per-step gradient-norm metering is accounted apart (snapshot `cost`).
   * Defaults to 0.02 (test/bench/diagnostics.bench.ts measures the cost side by side).
   */
  maxOverhead?: number;
  /** Outside a kernel: write snapshots to this JSON file (every few seconds and at the end). Defaults to none. */
  file?: string;
  /** Least time between two published snapshots, in ms. Defaults to 400. */
  publishIntervalMs?: number;
  /**
   * The clock, in ms, of the monitor's time budget and publishing cadence. Defaults to performance.now.
   * A benchmark that trains two models turn by turn passes one that stops while this run waits.
   */
  clock?: () => number;
  /** Called with each published snapshot (same cadence as the kernel). Defaults to none. */
  onSnapshot?: (snapshot: HealthSnapshot) => void;
  /** Overrides of the rules' thresholds. Defaults to the gradscope.diagnostics.* settings in a kernel, else DEFAULT_THRESHOLDS. */
  thresholds?: Partial<Thresholds>;
  /** Run the probe forward pass in training mode (dropout active). Defaults to true. */
  probeTraining?: boolean;
  /**
   * Samples in the probe batch, drawn once per run at random from the whole training set (per class
   * when the targets are classes; a dataset's first batch for gs.fitDataset). Defaults to 32 (what a
   * probe costs beside a training step: test/bench/diagnostics.bench.ts);
   * a unit active on 10 % of inputs is wrongly counted dead with probability 0.9^32 ≈ 3 %, far from
   * moving a layer past the 40 % dead-relu threshold. Raise it for finer saturation statistics.
   */
  probeSize?: number;
  /** Seed of the probe batch's draw. Defaults to 0 (the same samples every run of the same data). */
  probeSeed?: number;
  /**
   * Continue the model's last run when this fit call follows it in the same run of the same cell
   * (outside a kernel: any later call on the same model), so a model trained in a loop of fit calls is
   * one run; a re-run of the cell starts a new one. false starts a new run. Defaults to true.
   */
  continueRun?: boolean;
  /**
   * Histograms over time of each layer's weights, weight gradients (of the probed training steps) and
   * activations (on the probe batch), taken at each probe (see histograms.ts). Defaults to true.
   */
  histograms?: boolean;
  /**
   * Share of the monitor's own time the histograms may take: a probe takes them while their time so
   * far stays within it (the first probe always does); 1 takes them at every probe. Defaults to 0.005
   * (half the 1 % they are meant to add at most: the first sample and timing noise take the rest).
   */
  histogramShare?: number;
  /**
   * Also write TensorBoard event files into this folder (created if missing; one file per run): loss,
   * metrics, validation, learning rate, gradient norms, per-layer sensitivities and the histograms
   * (see export/tensorboardExport.ts). Works without tfjs-node. Defaults to none.
   */
  tensorboard?: string;
}

let runCounter = 0;

/**
 * What a later fit call on the same model continues: the run's state and sampler, where the last
 * call left the step and epoch counts, and the cell the calls came from. A model trained in a loop
 * (`for (…) await gs.fit(model, …, { epochs: 1 })`, the idiom of the tfjs examples) is one run with
 * one timeline, so the epoch-level rules see the whole training.
 */
interface Timeline {
  state: RunState;
  sampler: Sampler;
  /** The cell of the fit call (its `callSite`), undefined outside a kernel. */
  cell: string | undefined;
  /**
   * The kernel execution the calls came from: a re-run of the cell (after a fix, say) is a new run,
   * so it trains and is judged as such and can be compared with the run before it.
   */
  execution: number | undefined;
  /** The model's weighted layers when the run began: a model changed since starts a new run. */
  layerKey: string;
  /** The next global step and the epochs done so far. */
  nextStep: number;
  epochsDone: number;
  /** True while a fit call is observed on it (a second monitor on the same model starts its own run). */
  active: boolean;
  /** Histogram samples taken so far and the last one's cost, so the histograms' share holds across calls. */
  histSamples: number;
  histLastMs: number;
}

const timelines = new WeakMap<tf.LayersModel, Timeline>();

const layerKeyOf = (model: tf.LayersModel) => model.layers.filter((l) => l.weights.length > 0).map((l) => l.name).join('\n');

/**
 * Observes one `gs.fit` run at a time and measures gradient health.
 *
 * @example
 * const monitor = gs.diagnostics.healthMonitor({ file: 'health.json' });
 * await gs.fit(model, x, y, { epochs: 5, observers: [monitor] });
 * console.log(monitor.snapshot().findings.map((f) => f.message));
 */
export class HealthMonitor implements TrainingObserver {
  private state?: RunState;
  private info?: TrainBeginInfo;
  private sampler?: Sampler;
  private prober?: Prober;
  private publisher?: Publisher;
  private signature = '';
  private readonly clock: () => number;
  private snapshotMs = 0;
  /** The snapshot built last (after the final publish: the run's final snapshot). */
  private last?: HealthSnapshot;
  private timeline?: Timeline;
  /** Added to the fit call's own step and epoch numbers: where the timeline it continues had got to. */
  private stepOffset = 0;
  private epochOffset = 0;
  /**
   * For a dataset of unknown size: the call's first global step and epochs still to run, until its
   * first epoch ends and says how many batches an epoch has.
   */
  private counting?: { firstStep: number; epochs: number };
  /** Histograms: taken at this probe; samples so far; the last sample's cost and the spent total before it. */
  private histNow = false;
  private histSamples = 0;
  private histLastMs = 0;
  private histBefore = 0;
  private tb?: TensorBoardExport;

  constructor(readonly args: HealthMonitorArgs = {}) {
    // A misspelt or retired threshold would otherwise be dropped without a word.
    for (const [k, v] of Object.entries(args.thresholds ?? {})) {
      if (!Object.prototype.hasOwnProperty.call(DEFAULT_THRESHOLDS, k)) throw new TypeError(`healthMonitor: unknown threshold \`${k}\` (known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')})`);
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`healthMonitor: threshold ${k} must be a finite number, got ${String(v)}`);
    }
    const every = args.sampleEvery ?? 0;
    if (!Number.isInteger(every) || every < 0) throw new RangeError(`healthMonitor: sampleEvery must be a whole number ≥ 0 (0 = adaptive), got ${args.sampleEvery}`);
    const size = args.probeSize ?? 32;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`healthMonitor: probeSize must be a positive whole number, got ${args.probeSize}`);
    if (args.continueRun !== undefined && typeof args.continueRun !== 'boolean') throw new TypeError(`healthMonitor: continueRun must be true or false, got ${String(args.continueRun)}`);
    if (args.histograms !== undefined && typeof args.histograms !== 'boolean') throw new TypeError(`healthMonitor: histograms must be true or false, got ${String(args.histograms)}`);
    if (args.tensorboard !== undefined) ensureLogDir(args.tensorboard, 'gs.fit diagnostics');
    const hs = args.histogramShare;
    if (hs !== undefined && !(typeof hs === 'number' && hs > 0)) throw new RangeError(`healthMonitor: histogramShare must be a number > 0, got ${String(hs)}`);
    if (hs !== undefined && args.histograms === false) throw new Error('healthMonitor: histogramShare has no effect with histograms: false; leave one of them out');
    if (args.probeSeed !== undefined && !Number.isInteger(args.probeSeed)) throw new RangeError(`healthMonitor: probeSeed must be a whole number, got ${args.probeSeed}`);
    const o = args.maxOverhead ?? DEFAULT_MAX_OVERHEAD;
    if (!(o > 0 && o < 1)) throw new RangeError(`healthMonitor: maxOverhead must be in (0, 1), got ${args.maxOverhead}`);
    this.clock = args.clock ?? (() => performance.now());
  }

  onTrainBegin(info: TrainBeginInfo): void {
    this.disposeRun();
    this.info = info;
    const hooks = kernelHooks();
    const model = info.model;
    let sources = hooks?.sourcesOf(model);
    const fit = hooks?.callSite('gs.fit', info.callStack);
    if (fit) sources = { layers: {}, ...sources, fit };
    this.signature = trainableSignature(model);
    const kernelDefaults = settingsOf(hooks);
    const every = this.args.sampleEvery ?? kernelDefaults.sampleEvery ?? 0;
    const known = info.stepsPerEpoch > 0;
    const batch = drawProbeBatch(info.probe, this.args.probeSize ?? 32, this.args.probeSeed ?? 0, info.probeFrom ?? 'training set');
    const layerKey = layerKeyOf(model);
    const prev = timelines.get(model);
    const initialEpoch = known ? Math.round(info.initialStep / info.stepsPerEpoch) : 0;
    if (this.args.continueRun !== false && prev && !prev.active && prev.cell === fit?.cell && prev.execution === fit?.execution && prev.layerKey === layerKey) {
      // A later fit call on the same model from the same run of the same cell: the same run goes on. Steps and epochs
      // keep counting (a call that numbers its own, through initialEpoch, past the timeline is taken
      // as it is), the probe batch is drawn again from this call's data with the same seed.
      this.timeline = prev;
      prev.active = true;
      this.stepOffset = Math.max(0, prev.nextStep - info.initialStep);
      this.epochOffset = Math.max(0, prev.epochsDone - initialEpoch);
      const s = prev.state;
      s.status = 'training';
      delete s.error;
      s.epochs = this.epochOffset + info.epochs;
      s.stepsPerEpoch = info.stepsPerEpoch;
      s.totalSteps = known ? this.stepOffset + info.epochs * info.stepsPerEpoch : 0;
      s.model = summarizeModel(model);
      s.scheduleKind = info.scheduleKind;
      const clip = clipOf(info.optimizer).clip;
      if (clip) s.clip = clip;
      else delete s.clip;
      s.probeBatch = batch.info;
      if (sources) s.sources = sources;
      this.state = s;
      this.sampler = prev.sampler;
      this.histSamples = prev.histSamples;
      this.histLastMs = prev.histLastMs;
      // This call's thresholds apply from now on (the run's options stay those of its first call).
      s.thresholds = { ...kernelDefaults.thresholds, ...this.args.thresholds };
      this.sampler.continueTo(known ? this.stepOffset + info.epochs * info.stepsPerEpoch - 1 : undefined);
    } else {
      this.stepOffset = 0;
      this.epochOffset = 0;
      const layers = model.layers.filter((l) => l.weights.length > 0).map((l) => new LayerRecorder(l));
      this.state = {
        runId: `${Date.now().toString(36)}-${(++runCounter).toString(36)}`,
        status: 'training',
        backend: hooks?.backend.name ?? tf.getBackend(),
        ...(hooks?.backend.device ? { device: hooks.backend.device } : {}),
        startTime: Date.now(),
        epoch: 0, epochs: info.epochs, step: info.initialStep, stepsDone: 0,
        stepsPerEpoch: info.stepsPerEpoch, totalSteps: info.epochs * info.stepsPerEpoch,
        model: summarizeModel(model),
        lr: new SeriesBuffer(), loss: new SeriesBuffer(), epochLoss: new SeriesBuffer(),
        metrics: new Map(), epochMetrics: new Map(),
        scheduleKind: info.scheduleKind,
        ...clipOf(info.optimizer),
        events: [],
        layers,
        sampleEvery: every || 1,
        probeBatch: batch.info,
        ...(sources ? { sources } : {}),
        thresholds: { ...kernelDefaults.thresholds, ...this.args.thresholds },
        options: summarizeRunOptions(info),
      };
      // `epochs` is the epoch to train up to (as model.fit's), so the global steps end at epochs × stepsPerEpoch.
      const lastStep = known ? Math.max(info.initialStep, info.epochs * info.stepsPerEpoch - 1) : undefined;
      this.sampler = new Sampler({ firstStep: info.initialStep, lastStep, fixed: every, maxOverhead: this.args.maxOverhead ?? DEFAULT_MAX_OVERHEAD, now: this.clock });
      // A second monitor observing the same model at the same time keeps its run to itself.
      if (!prev?.active) {
        this.timeline = { state: this.state, sampler: this.sampler, cell: fit?.cell, execution: fit?.execution, layerKey, nextStep: info.initialStep, epochsDone: initialEpoch, active: true, histSamples: 0, histLastMs: 0 };
        timelines.set(model, this.timeline);
      }
    }
    const state = this.state;
    this.counting = known ? undefined : { firstStep: info.initialStep + this.stepOffset, epochs: info.epochs - initialEpoch };
    this.tb = this.args.tensorboard !== undefined ? new TensorBoardExport(this.args.tensorboard) : undefined;
    this.prober = new Prober(model, state.layers, batch, info.losses ?? info.loss, { training: this.args.probeTraining ?? true, histograms: this.args.histograms !== false });
    const sampler = this.sampler;
    this.publisher = new Publisher({
      intervalMs: this.args.publishIntervalMs ?? 400,
      file: this.args.file,
      onSnapshot: this.args.onSnapshot,
      clock: this.clock,
      build: () => this.build(),
      charge: (ms) => sampler.spent(ms),
    });
  }

  onBatchBegin(callStep: number, callEpoch: number): void {
    const s = this.state;
    if (!s || !this.sampler || !this.prober) return;
    const step = callStep + this.stepOffset;
    const epoch = callEpoch + this.epochOffset;
    this.sampler.stepBegan();
    s.epoch = epoch;
    if (!this.prober.active || !this.sampler.due(step)) return;
    const t0 = this.clock();
    this.prober.beforeStep();
    this.histNow = this.histogramsDue();
    if (this.histNow) this.tapGradients(step);
    this.snapshotMs = this.clock() - t0;
    this.sampler.spent(this.snapshotMs);
  }

  onBatchEnd(callStep: number, info: BatchEndInfo): void {
    const s = this.state;
    if (!s || !this.sampler || !this.prober || !this.publisher) return;
    const step = callStep + this.stepOffset;
    this.sampler.stepEnded(info.meterMs ?? 0);
    // A probed step that applied no gradients (none to apply) leaves no tap behind for a later step.
    const o = this.info?.optimizer;
    if (o instanceof ClippedOptimizer && o.gradientTap) o.gradientTap = undefined;
    s.step = step;
    s.epoch = info.epoch + this.epochOffset;
    // The rate of the first step is the schedule's, which the optimizer's own rate may not be.
    if (s.options) {
      if (s.stepsDone === 0) s.options.learningRate = Number.isFinite(info.lr) ? info.lr : null;
      s.options.lastLearningRate = Number.isFinite(info.lr) ? info.lr : null;
    }
    s.stepsDone++;
    s.loss.push(step, info.loss);
    s.lr.push(step, info.lr);
    for (const k in info.metrics) bufferOf(s.metrics, k).push(step, info.metrics[k]);
    if (info.gradNormPreClip !== undefined) (s.gradNormPreClip ??= new SeriesBuffer()).push(step, info.gradNormPreClip);
    if (info.gradNormPostClip !== undefined) (s.gradNormPostClip ??= new SeriesBuffer()).push(step, info.gradNormPostClip);
    this.tb?.step(step, info);
    if (this.prober.armed) {
      const t0 = this.clock();
      const before = this.tb ? new Map(s.layers.map((r) => [r, r.sensitivityRms.length])) : undefined;
      this.prober.afterStep(step, info.gradSquares, this.histNow);
      if (before) this.tb!.probe(step, s.layers, before, this.histNow);
      if (this.histNow) {
        this.histSamples++;
        this.histLastMs = this.histogramMs() - this.histBefore;
        this.histNow = false;
      }
      this.checkFrozen(s.epoch);
      const ms = this.clock() - t0;
      this.sampler.spent(ms, this.snapshotMs + ms);
      s.sampleEvery = this.sampler.interval;
    }
    const t1 = this.clock();
    if (this.publisher.step()) this.sampler.spent(this.clock() - t1);
  }

  onEpochEnd(callEpoch: number, logs: Record<string, number>): void {
    const s = this.state;
    if (!s || !this.info) return;
    const epoch = callEpoch + this.epochOffset;
    if (this.timeline) this.timeline.epochsDone = epoch + 1;
    if (this.counting && s.stepsDone > 0) {
      // The first epoch over a dataset of unknown size has ended: now the run's length is known, so
      // progress has a total and an ETA, and the sampler plans a probe on the last step.
      const perEpoch = s.step + 1 - this.counting.firstStep;
      s.stepsPerEpoch = perEpoch;
      s.totalSteps = this.counting.firstStep + this.counting.epochs * perEpoch;
      this.sampler?.lengthKnown(s.totalSteps - 1);
      this.counting = undefined;
    }
    if (logs.loss !== undefined) s.epochLoss.push(epoch + 1, logs.loss);
    if (logs.val_loss !== undefined) (s.epochValLoss ??= new SeriesBuffer()).push(epoch + 1, logs.val_loss);
    for (const [k, v] of Object.entries(logs)) if (k !== 'loss' && k !== 'val_loss') bufferOf(s.epochMetrics, k).push(epoch + 1, v);
    this.tb?.epoch(logs);
    this.checkFrozen(epoch);
  }

  onEvent(event: RunEvent): void {
    this.state?.events.push({ ...event, step: event.step + this.stepOffset, epoch: event.epoch + this.epochOffset });
  }

  async onTrainEnd(status: RunStatus, error?: string): Promise<void> {
    const s = this.state;
    if (!s) return;
    s.status = status;
    if (error !== undefined) s.error = error;
    if (this.timeline) {
      this.timeline.active = false;
      if (s.stepsDone > 0) this.timeline.nextStep = Math.max(this.timeline.nextStep, s.step + 1);
      this.timeline.histSamples = this.histSamples;
      this.timeline.histLastMs = this.histLastMs;
    }
    // The probe batch's tensors are freed now; gs.fit frees the training data after this call.
    this.prober?.dispose();
    const model = this.info?.model;
    this.info = undefined;
    await this.publisher?.final();
    // The session's run list (gs.runs()) keeps the final snapshot, as the run's panel shows it.
    runRegistry.record(this.last ?? this.build().snapshot, model);
    await this.tb?.close();
  }

  /** The current (or last) run's snapshot, built now; throws before any run. */
  snapshot(): HealthSnapshot {
    if (!this.state) throw new Error('healthMonitor: no training run observed yet (pass the monitor to gs.fit first)');
    return this.build().snapshot;
  }

  private build(): { snapshot: HealthSnapshot; json: string } {
    const s = this.state!;
    if (this.sampler) s.cost = this.sampler.totals;
    const built = buildSnapshot(s);
    this.last = built.snapshot;
    return built;
  }

  /** Milliseconds the run's histograms took so far. */
  private histogramMs(): number {
    let ms = 0;
    for (const l of this.state?.layers ?? []) ms += l.histograms?.spentMs ?? 0;
    return ms;
  }

  /** True when this probe takes histograms (see histogramDue). */
  private histogramsDue(): boolean {
    if (this.args.histograms === false || !this.sampler) return false;
    this.histBefore = this.histogramMs();
    return histogramDue(this.histSamples, this.histBefore, this.histLastMs, this.sampler.totals.monitorMs, this.args.histogramShare ?? DEFAULT_HISTOGRAM_SHARE);
  }

  /** Histograms of this probed step's own gradients, from the training loop's metering optimizer. */
  private tapGradients(step: number): void {
    const o = this.info?.optimizer;
    if (this.args.histograms === false || !(o instanceof ClippedOptimizer)) return;
    const layers = this.state!.layers;
    o.gradientTap = (grads) => {
      const t0 = this.clock();
      for (const rec of layers) {
        const gs = rec.layer.trainableWeights.flatMap((w) => { const g = grads.get(w.name); return g ? [[w.name, g] as [string, tf.Tensor]] : []; });
        rec.histograms?.buffers.gradients.add(step, gs);
      }
      const ms = this.clock() - t0;
      this.sampler?.spent(ms);
      this.snapshotMs += ms;
    };
  }

  private checkFrozen(epoch: number): void {
    const s = this.state!;
    const model = this.info!.model;
    const sig = trainableSignature(model);
    if (sig === this.signature) return;
    this.signature = sig;
    s.model = summarizeModel(model);
    s.events.push({ step: s.step, epoch, kind: 'frozen-changed', detail: `${s.model.trainableParams} of ${s.model.totalParams} parameters trainable` });
  }

  private disposeRun(): void {
    this.prober?.dispose();
    this.prober = undefined;
    this.state = undefined;
    this.last = undefined;
    this.histNow = false;
    this.histSamples = 0;
    this.histLastMs = 0;
  }
}

/**
 * The user's settings (gradscope.diagnostics.*) as the kernel passes them on its hooks object, as a
 * `diagnostics` field that KernelHooks does not declare yet; only well-formed values are taken.
 */
function settingsOf(hooks: unknown): { sampleEvery?: number; thresholds: Partial<Thresholds> } {
  const d = (hooks as { diagnostics?: { sampleEvery?: unknown; thresholds?: Record<string, unknown> } } | undefined)?.diagnostics;
  const out: { sampleEvery?: number; thresholds: Partial<Thresholds> } = { thresholds: {} };
  if (!d) return out;
  if (Number.isInteger(d.sampleEvery) && (d.sampleEvery as number) >= 0) out.sampleEvery = d.sampleEvery as number;
  for (const [k, v] of Object.entries(d.thresholds ?? {})) {
    if (k in DEFAULT_THRESHOLDS && typeof v === 'number' && Number.isFinite(v) && v > 0) (out.thresholds as Record<string, number>)[k] = v;
  }
  return out;
}

function bufferOf(m: Map<string, SeriesBuffer>, k: string): SeriesBuffer {
  let b = m.get(k);
  if (!b) m.set(k, (b = new SeriesBuffer()));
  return b;
}

/** Creates a {@link HealthMonitor}; `gs.fit` creates one itself when `diagnostics` is on. */
export function healthMonitor(args?: HealthMonitorArgs): HealthMonitor {
  return new HealthMonitor(args);
}

/** The clipping a run's optimizer applies, for the gradient-norm chart's threshold line. */
function clipOf(o: tf.Optimizer): { clip?: RunState['clip'] } {
  if (!(o instanceof ClippedOptimizer)) return {};
  const clip: NonNullable<RunState['clip']> = {};
  if (o.clipnorm != null) clip.clipnorm = o.clipnorm;
  if (o.globalClipnorm != null) clip.globalClipnorm = o.globalClipnorm;
  if (o.clipvalue != null) clip.clipvalue = o.clipvalue;
  return Object.keys(clip).length ? { clip } : {};
}
