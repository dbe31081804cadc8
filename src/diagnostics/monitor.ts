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
}

let runCounter = 0;

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

  constructor(readonly args: HealthMonitorArgs = {}) {
    const every = args.sampleEvery ?? 0;
    if (!Number.isInteger(every) || every < 0) throw new RangeError(`healthMonitor: sampleEvery must be a whole number ≥ 0 (0 = adaptive), got ${args.sampleEvery}`);
    const size = args.probeSize ?? 32;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`healthMonitor: probeSize must be a positive whole number, got ${args.probeSize}`);
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
    this.prober = new Prober(model, layers, batch, info.losses ?? info.loss, { training: this.args.probeTraining ?? true });
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

  onBatchBegin(step: number, epoch: number): void {
    const s = this.state;
    if (!s || !this.sampler || !this.prober) return;
    this.sampler.stepBegan();
    s.epoch = epoch;
    if (!this.prober.active || !this.sampler.due(step)) return;
    const t0 = this.clock();
    this.prober.beforeStep();
    this.snapshotMs = this.clock() - t0;
    this.sampler.spent(this.snapshotMs);
  }

  onBatchEnd(step: number, info: BatchEndInfo): void {
    const s = this.state;
    if (!s || !this.sampler || !this.prober || !this.publisher) return;
    this.sampler.stepEnded(info.meterMs ?? 0);
    s.step = step;
    s.epoch = info.epoch;
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
    if (this.prober.armed) {
      const t0 = this.clock();
      this.prober.afterStep(step, info.gradSquares);
      this.checkFrozen(s.epoch);
      const ms = this.clock() - t0;
      this.sampler.spent(ms, this.snapshotMs + ms);
      s.sampleEvery = this.sampler.interval;
    }
    const t1 = this.clock();
    if (this.publisher.step()) this.sampler.spent(this.clock() - t1);
  }

  onEpochEnd(epoch: number, logs: Record<string, number>): void {
    const s = this.state;
    if (!s || !this.info) return;
    if (logs.loss !== undefined) s.epochLoss.push(epoch + 1, logs.loss);
    if (logs.val_loss !== undefined) (s.epochValLoss ??= new SeriesBuffer()).push(epoch + 1, logs.val_loss);
    for (const [k, v] of Object.entries(logs)) if (k !== 'loss' && k !== 'val_loss') bufferOf(s.epochMetrics, k).push(epoch + 1, v);
    this.checkFrozen(epoch);
  }

  onEvent(event: RunEvent): void {
    this.state?.events.push(event);
  }

  async onTrainEnd(status: RunStatus, error?: string): Promise<void> {
    const s = this.state;
    if (!s) return;
    s.status = status;
    if (error !== undefined) s.error = error;
    // The probe batch's tensors are freed now; gs.fit frees the training data after this call.
    this.prober?.dispose();
    const model = this.info?.model;
    this.info = undefined;
    await this.publisher?.final();
    // The session's run list (gs.runs()) keeps the final snapshot, as the run's panel shows it.
    runRegistry.record(this.last ?? this.build().snapshot, model);
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
