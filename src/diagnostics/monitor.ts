/**
 * The gradient-health monitor: a {@link TrainingObserver} that `gs.fit` calls while it trains. Every
 * step it records loss, learning rate, metrics and clip norms; every `sampleEvery` steps it probes the
 * model on the fixed probe batch (sensitivities, saturation, batch norm), records that step's own
 * weight-gradient norm per layer (measured by gs.fit in the step; the probe's, on its batch, when the
 * run does not measure them) and measures ‖ΔW‖/‖W‖ of that step. Snapshots go to the kernel (at most
 * a few per second, and once at the end), to `onSnapshot`, and outside a kernel to a JSON file.
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import type { HealthSnapshot, RunEvent, RunStatus } from '../protocol/health';
import { kernelHooks } from '../protocol/kernelHooks';
import type { BatchEndInfo, TrainBeginInfo, TrainingObserver } from '../training/observer';
import { LayerRecorder, WeightSnapshot, gradNormOf } from './layerRecorder';
import { probeModel } from './probe';
import { SeriesBuffer } from './series';
import { buildSnapshot, type RunState } from './snapshot';
import { summarizeModel, trainableSignature } from './summary';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds';
import { Sampler } from './sampler';
import { ClippedOptimizer } from '../training/optimizers';

/** The adaptive sampler's default share of training time (see {@link HealthMonitorArgs.maxOverhead}). */
export const DEFAULT_MAX_OVERHEAD = 0.02;

/** Options of {@link healthMonitor}. */
export interface HealthMonitorArgs {
  /** Probe every N steps; 0 adapts N to keep the probes' cost within `maxOverhead`. Defaults to the setting gradscope.diagnostics.sampleEvery in a kernel, else 0. */
  sampleEvery?: number;
  /**
   * Share of training time the monitor's own work (probes, metering, snapshots) may take when the
   * rate adapts. Defaults to 0.02, against a budget of 5 %: measured side by side (wasm, MLP and a
   * 10-layer net, test/bench/diagnostics.bench.ts) training then runs 2.0–2.2 % slower, the monitor's
   * own account 1.9–2.0 %; what it cannot time (observer calls, allocations) is a few tenths of a %.
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
   * Samples of the probe batch the per-layer probe uses (the first ones). Defaults to 32: one probe
   * then costs about a quarter to a third of a 128-sample training step on wasm (every-step sampling
   * stays within 1.5×);
   * a unit active on 10 % of inputs is wrongly counted dead with probability 0.9^32 ≈ 3 %, far from
   * moving a layer past the 40 % dead-relu threshold. Raise it for finer saturation statistics.
   */
  probeSize?: number;
}

let runCounter = 0;
const FILE_INTERVAL_MS = 5000;

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
  private weights?: WeightSnapshot;
  private signature = '';
  private lastPublish = -Infinity;
  private lastFile = -Infinity;
  private readonly clock: () => number;
  private probeFailed = false;
  private lastStep = -1;
  private snapshotMs = 0;
  private probeBatch?: { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[]; owned: tf.Tensor[] };

  constructor(readonly args: HealthMonitorArgs = {}) {
    const every = args.sampleEvery ?? 0;
    if (!Number.isInteger(every) || every < 0) throw new RangeError(`healthMonitor: sampleEvery must be a whole number ≥ 0 (0 = adaptive), got ${args.sampleEvery}`);
    const size = args.probeSize ?? 32;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`healthMonitor: probeSize must be a positive whole number, got ${args.probeSize}`);
    const o = args.maxOverhead ?? DEFAULT_MAX_OVERHEAD;
    if (!(o > 0 && o < 1)) throw new RangeError(`healthMonitor: maxOverhead must be in (0, 1), got ${args.maxOverhead}`);
    this.clock = args.clock ?? (() => performance.now());
  }

  onTrainBegin(info: TrainBeginInfo): void {
    this.guard('onTrainBegin', () => {
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
        layers: model.layers.filter((l) => l.weights.length > 0).map((l) => new LayerRecorder(l)),
        sampleEvery: every || 1,
        ...(sources ? { sources } : {}),
        thresholds: { ...kernelDefaults.thresholds, ...this.args.thresholds },
      };
      // `epochs` is the epoch to train up to (as model.fit's), so the global steps end at epochs × stepsPerEpoch.
      this.lastStep = Math.max(info.initialStep, info.epochs * info.stepsPerEpoch - 1);
      this.sampler = new Sampler(info.initialStep, this.lastStep, every, this.args.maxOverhead ?? DEFAULT_MAX_OVERHEAD, this.clock);
      this.probeFailed = false;
      this.lastPublish = -Infinity;
      this.probeBatch = firstSamples(info.probe, this.args.probeSize ?? 32);
    });
  }

  onBatchBegin(step: number, epoch: number): void {
    this.guard('onBatchBegin', () => {
      const s = this.state;
      if (!s || !this.sampler) return;
      this.sampler.stepBegan();
      s.epoch = epoch;
      if (this.probeFailed || !this.sampler.due(step)) return;
      const t0 = this.clock();
      this.weights?.dispose();
      this.weights = WeightSnapshot.take(s.layers);
      this.snapshotMs = this.clock() - t0;
      this.sampler.spent(this.snapshotMs);
    });
  }

  onBatchEnd(step: number, info: BatchEndInfo): void {
    this.guard('onBatchEnd', () => {
      const s = this.state;
      if (!s || !this.sampler || !this.info) return;
      this.sampler.stepEnded(info.meterMs ?? 0);
      s.step = step;
      s.epoch = info.epoch;
      s.stepsDone++;
      s.loss.push(step, info.loss);
      s.lr.push(step, info.lr);
      for (const k in info.metrics) bufferOf(s.metrics, k).push(step, info.metrics[k]);
      if (info.gradNormPreClip !== undefined) (s.gradNormPreClip ??= new SeriesBuffer()).push(step, info.gradNormPreClip);
      if (info.gradNormPostClip !== undefined) (s.gradNormPostClip ??= new SeriesBuffer()).push(step, info.gradNormPostClip);
      if (this.weights) {
        const t0 = this.clock();
        const w = this.weights;
        this.weights = undefined;
        w.finish(step);
        this.probe(step, info.gradSquares);
        const ms = this.clock() - t0;
        this.sampler.spent(ms, this.snapshotMs + ms);
        s.sampleEvery = this.sampler.interval;
      }
      const t1 = this.clock();
      if (this.maybePublish(false)) this.sampler.spent(this.clock() - t1);
    });
  }

  onEpochEnd(epoch: number, logs: Record<string, number>): void {
    this.guard('onEpochEnd', () => {
      const s = this.state;
      if (!s || !this.info) return;
      if (logs.loss !== undefined) s.epochLoss.push(epoch + 1, logs.loss);
      if (logs.val_loss !== undefined) (s.epochValLoss ??= new SeriesBuffer()).push(epoch + 1, logs.val_loss);
      for (const [k, v] of Object.entries(logs)) if (k !== 'loss' && k !== 'val_loss') bufferOf(s.epochMetrics, k).push(epoch + 1, v);
      this.checkFrozen(epoch);
    });
  }

  onEvent(event: RunEvent): void {
    this.guard('onEvent', () => {
      this.state?.events.push(event);
    });
  }

  onTrainEnd(status: RunStatus, error?: string): void {
    this.guard('onTrainEnd', () => {
      const s = this.state;
      if (!s) return;
      s.status = status;
      if (error !== undefined) s.error = error;
      this.weights?.dispose();
      this.weights = undefined;
      if (this.probeBatch) tf.dispose(this.probeBatch.owned);
      this.probeBatch = undefined;
      this.maybePublish(true);
      this.info = undefined; // the probe batch is freed by gs.fit after this call
    });
  }

  /** The current (or last) run's snapshot, built now; throws before any run. */
  snapshot(): HealthSnapshot {
    if (!this.state) throw new Error('healthMonitor: no training run observed yet (pass the monitor to gs.fit first)');
    if (this.sampler) this.state.cost = this.sampler.totals;
    return buildSnapshot(this.state).snapshot;
  }

  /**
   * Probes the model on the probe batch. The weight-gradient norms are the training step's own when
   * gs.fit measured them (`squares`, by variable name), so the probe skips every ∂L/∂W product;
   * otherwise (an observer of a run without metering) the probe measures them on its batch.
   */
  private probe(step: number, squares?: ReadonlyMap<string, number>): void {
    const s = this.state!;
    const info = this.info!;
    try {
      const batch = this.probeBatch ?? info.probe;
      const result = probeModel(info.model, batch.x, batch.y, info.loss, { training: this.args.probeTraining ?? true, weightGrads: !squares });
      const byName = new Map(result.layers.map((l) => [l.layer, l]));
      for (const rec of s.layers) {
        const p = byName.get(rec.layer.name);
        if (p && squares) p.gradNorm = gradNormOf(rec.layer, squares);
        if (p) rec.record(step, p);
      }
    } catch (e) {
      // A probe that fails (an unusual layer) must not stop training: report once, stop probing.
      this.probeFailed = true;
      console.warn(`gradscope diagnostics: the per-layer probe failed and is turned off for this run: ${(e as Error).message}`);
    }
    this.checkFrozen(s.epoch);
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

  /** Publishes when due; true when it did something. */
  private maybePublish(final: boolean): boolean {
    const s = this.state!;
    const hooks = kernelHooks();
    const now = this.clock();
    const interval = this.args.publishIntervalMs ?? 400;
    const wantsStream = !!hooks || !!this.args.onSnapshot;
    const fileDue = !!this.args.file && (final || now - this.lastFile >= FILE_INTERVAL_MS);
    if (!final && !fileDue && (!wantsStream || now - this.lastPublish < interval)) return false;
    if (this.sampler) s.cost = this.sampler.totals;
    const { snapshot, json } = buildSnapshot(s);
    if (final || now - this.lastPublish >= interval) {
      this.lastPublish = now;
      hooks?.publishHealth(snapshot);
      this.args.onSnapshot?.(snapshot);
    }
    if (fileDue) {
      this.lastFile = now;
      writeFileSync(this.args.file!, json);
    }
    return true;
  }

  private guard(where: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      // An observer must never throw into the training loop.
      console.warn(`gradscope diagnostics: ${where} failed: ${(e as Error).stack ?? e}`);
    }
  }

  private disposeRun(): void {
    this.weights?.dispose();
    this.weights = undefined;
    if (this.probeBatch) tf.dispose(this.probeBatch.owned);
    this.probeBatch = undefined;
    this.state = undefined;
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

/** The first `k` samples of the probe batch (the tensors themselves when they have no more). */
function firstSamples(probe: TrainBeginInfo['probe'], k: number): { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[]; owned: tf.Tensor[] } {
  const owned: tf.Tensor[] = [];
  const cut = (t: tf.Tensor): tf.Tensor => {
    if (t.rank === 0 || t.shape[0] <= k) return t;
    const s = t.slice(0, k);
    owned.push(s);
    return s;
  };
  const x = Array.isArray(probe.x) ? probe.x.map(cut) : cut(probe.x);
  const y = Array.isArray(probe.y) ? probe.y.map(cut) : cut(probe.y);
  return { x, y, owned };
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
