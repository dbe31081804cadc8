/**
 * Builds a {@link HealthSnapshot} from a run's buffers and keeps it under {@link HEALTH_MAX_BYTES}:
 * series are downsampled (mean with min/max envelope) to two point budgets, one for the run's own
 * series (loss, learning rate, metrics, clip norms) and one shared by the per-layer series, estimated
 * from the number of series and shrunk, the layers' first, until the serialized snapshot fits.
 */
import { HEALTH_MAX_BYTES, HEALTH_SCHEMA_VERSION, type HealthSnapshot, type ModelSummary, type RunEvent, type RunStatus, type Series, type SourceMapOfModel } from '../protocol/health';
import type { ProbeBatchInfo } from '../protocol/health';
import type { LayerRecorder } from './layerRecorder';
import type { SamplerTotals } from './sampler';
import { evaluateRules, type RunView } from './rules';
import type { SeriesBuffer } from './series';
import type { Thresholds } from './thresholds';

/** Most points per series (a chart is a few hundred pixels wide). */
export const MAX_POINTS = 600;
/**
 * Share of the byte budget the run's own series may take first. A model with hundreds of layers has
 * thousands of per-layer series; split evenly, its loss curve would get a handful of points.
 */
const RUN_SHARE = 0.4;
/** The per-layer series shrink to this many points (then to one) before the run's own series give up any. */
const MIN_LAYER_POINTS = 2;
/** Bytes one downsampled point takes in JSON (step, value, min, max at 5 significant digits). */
const BYTES_PER_POINT = 48;
/** Events kept: the first and last half of this many. */
export const MAX_EVENTS = 100;
/** Findings kept (errors first). */
export const MAX_FINDINGS = 50;

/** Everything a snapshot is built from. */
export interface RunState {
  runId: string;
  status: RunStatus;
  backend: string;
  device?: string;
  startTime: number;
  epoch: number;
  epochs: number;
  step: number;
  stepsDone: number;
  stepsPerEpoch: number;
  totalSteps: number;
  model: ModelSummary;
  lr: SeriesBuffer;
  loss: SeriesBuffer;
  epochLoss: SeriesBuffer;
  epochValLoss?: SeriesBuffer;
  metrics: Map<string, SeriesBuffer>;
  epochMetrics: Map<string, SeriesBuffer>;
  gradNormPreClip?: SeriesBuffer;
  gradNormPostClip?: SeriesBuffer;
  clip?: HealthSnapshot['training']['clip'];
  scheduleKind: string;
  events: RunEvent[];
  layers: LayerRecorder[];
  sampleEvery: number;
  cost?: SamplerTotals;
  probeBatch?: ProbeBatchInfo;
  sources?: SourceMapOfModel;
  options?: HealthSnapshot['options'];
  error?: string;
  thresholds: Partial<Thresholds>;
  /** Point budgets that fitted last time (saves rebuilds); maintained by {@link buildSnapshot}. */
  pointsHint?: Points;
}

/** Points per series: of the run's own series, and of each per-layer series. */
export interface Points {
  run: number;
  layer: number;
}

function countSeries(s: RunState): Points {
  const run = 3 + s.metrics.size + s.epochMetrics.size + (s.epochValLoss ? 1 : 0) + (s.gradNormPreClip ? 1 : 0) + (s.gradNormPostClip ? 1 : 0);
  let layer = 0;
  for (const l of s.layers) layer += l.seriesCount;
  return { run, layer };
}

/** First guess of the budgets: the run's series take up to RUN_SHARE, the layers share the rest. */
function estimate(s: RunState, maxBytes: number): Points {
  const n = countSeries(s);
  const bytes = 0.85 * maxBytes;
  const run = clamp(Math.floor((RUN_SHARE * bytes) / (n.run * BYTES_PER_POINT)), MIN_LAYER_POINTS, MAX_POINTS);
  const left = bytes - n.run * run * BYTES_PER_POINT;
  const layer = n.layer === 0 ? MAX_POINTS : clamp(Math.floor(left / (n.layer * BYTES_PER_POINT)), MIN_LAYER_POINTS, MAX_POINTS);
  return { run, layer };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

function build(s: RunState, p: Points, now: number): HealthSnapshot {
  const ds = (b: SeriesBuffer): Series => b.toSeries(p.run);
  const metrics: Record<string, Series> = {};
  for (const [k, b] of s.metrics) metrics[k] = ds(b);
  const epochMetrics: Record<string, Series> = {};
  for (const [k, b] of s.epochMetrics) epochMetrics[k] = ds(b);
  const events = s.events.length > MAX_EVENTS ? [...s.events.slice(0, MAX_EVENTS / 2), ...s.events.slice(-MAX_EVENTS / 2)] : s.events.slice();
  const elapsedMs = now - s.startTime;
  const remaining = s.totalSteps - (s.step + 1);
  const view: RunView = {
    version: HEALTH_SCHEMA_VERSION,
    runId: s.runId,
    status: s.status,
    backend: s.backend,
    ...(s.device ? { device: s.device } : {}),
    time: now,
    progress: {
      // s.step is the index of the last step; progress.step counts batches done.
      epoch: s.epoch, epochs: s.epochs, step: s.stepsDone > 0 ? s.step + 1 : s.step, stepsPerEpoch: s.stepsPerEpoch, totalSteps: s.totalSteps, elapsedMs,
      ...(s.status === 'training' && s.stepsDone > 0 && remaining > 0 ? { etaMs: Math.round((elapsedMs / s.stepsDone) * remaining) } : {}),
    },
    model: s.model,
    training: {
      lr: ds(s.lr), scheduleKind: s.scheduleKind, loss: ds(s.loss), epochLoss: ds(s.epochLoss),
      ...(s.epochValLoss ? { epochValLoss: ds(s.epochValLoss) } : {}),
      metrics,
      epochMetrics,
      ...(s.gradNormPreClip ? { gradNormPreClip: ds(s.gradNormPreClip) } : {}),
      ...(s.gradNormPostClip ? { gradNormPostClip: ds(s.gradNormPostClip) } : {}),
      ...(s.clip ? { clip: s.clip } : {}),
      events,
    },
    layers: s.layers.map((l) => l.toSeries(p.layer)),
    sampleEvery: s.sampleEvery,
    ...(s.cost ? { cost: { monitorMs: round(s.cost.monitorMs), trainMs: round(s.cost.trainMs), meterMs: round(s.cost.meterMs), probes: s.cost.probes } } : {}),
    ...(s.probeBatch ? { probeBatch: s.probeBatch } : {}),
    ...(s.sources ? { sources: s.sources } : {}),
    ...(s.options ? { options: s.options } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
  };
  return { ...view, findings: evaluateRules(view, s.thresholds).slice(0, MAX_FINDINGS) };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The run's snapshot, serialized under `maxBytes`; returns it with its JSON text. */
export function buildSnapshot(s: RunState, maxBytes = HEALTH_MAX_BYTES, now = Date.now()): { snapshot: HealthSnapshot; json: string } {
  let p = s.pointsHint ?? estimate(s, maxBytes);
  let hinted = s.pointsHint !== undefined;
  let grown = false;
  for (;;) {
    const snapshot = build(s, p, now);
    const json = JSON.stringify(snapshot);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes <= maxBytes) {
      // Well under the budget (the estimate is conservative): spend it on resolution, once.
      const f = (0.9 * maxBytes) / bytes;
      const more = { run: Math.min(MAX_POINTS, Math.floor(p.run * f)), layer: Math.min(MAX_POINTS, Math.floor(p.layer * f)) };
      if (!grown && bytes < 0.7 * maxBytes && (more.run > p.run || more.layer > p.layer)) {
        grown = true;
        const bigger = build(s, more, now);
        const biggerJson = JSON.stringify(bigger);
        if (Buffer.byteLength(biggerJson, 'utf8') <= maxBytes) {
          s.pointsHint = more;
          return { snapshot: bigger, json: biggerJson };
        }
      }
      s.pointsHint = p;
      return { snapshot, json };
    }
    if (hinted) {
      // The run outgrew last time's budgets (grown while its series were short): start over from the
      // estimate, which splits by the series' count, instead of taking it all from the layers.
      hinted = false;
      p = estimate(s, maxBytes);
      continue;
    }
    const shrink = (n: number, floor: number) => Math.max(floor, Math.min(n - 1, Math.floor(n * (maxBytes / bytes) * 0.9)));
    if (p.layer > MIN_LAYER_POINTS) p = { ...p, layer: shrink(p.layer, MIN_LAYER_POINTS) };
    else if (p.layer > 1) p = { ...p, layer: 1 };
    else if (p.run > 1) p = { ...p, run: shrink(p.run, 1) };
    else return { snapshot, json };
  }
}
