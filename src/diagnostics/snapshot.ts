/**
 * Builds a {@link HealthSnapshot} from a run's buffers and keeps it under {@link HEALTH_MAX_BYTES}:
 * every series is downsampled to the same point budget (mean with min/max envelope), the budget is
 * estimated from the number of series and shrunk until the serialized snapshot fits.
 */
import { HEALTH_MAX_BYTES, HEALTH_SCHEMA_VERSION, type HealthSnapshot, type ModelSummary, type RunEvent, type RunStatus, type Series, type SourceMapOfModel } from '../protocol/health';
import type { LayerRecorder } from './layerRecorder';
import { evaluateRules, type RunView } from './rules';
import type { SeriesBuffer } from './series';
import type { Thresholds } from './thresholds';

/** Most points per series (a chart is a few hundred pixels wide). */
export const MAX_POINTS = 600;
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
  gradNormPreClip?: SeriesBuffer;
  gradNormPostClip?: SeriesBuffer;
  scheduleKind: string;
  events: RunEvent[];
  layers: LayerRecorder[];
  sampleEvery: number;
  cost?: { monitorMs: number; trainMs: number };
  sources?: SourceMapOfModel;
  error?: string;
  thresholds: Partial<Thresholds>;
  /** Points per series that fitted last time (saves rebuilds); maintained by {@link buildSnapshot}. */
  pointsHint?: number;
}

function countSeries(s: RunState): number {
  let n = 3 + s.metrics.size + (s.epochValLoss ? 1 : 0) + (s.gradNormPreClip ? 1 : 0) + (s.gradNormPostClip ? 1 : 0);
  for (const l of s.layers) n += l.seriesCount;
  return n;
}

function build(s: RunState, points: number, now: number): HealthSnapshot {
  const ds = (b: SeriesBuffer): Series => b.toSeries(points);
  const metrics: Record<string, Series> = {};
  for (const [k, b] of s.metrics) metrics[k] = ds(b);
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
      ...(s.gradNormPreClip ? { gradNormPreClip: ds(s.gradNormPreClip) } : {}),
      ...(s.gradNormPostClip ? { gradNormPostClip: ds(s.gradNormPostClip) } : {}),
      events,
    },
    layers: s.layers.map((l) => l.toSeries(points)),
    sampleEvery: s.sampleEvery,
    ...(s.cost ? { cost: { monitorMs: round(s.cost.monitorMs), trainMs: round(s.cost.trainMs) } } : {}),
    ...(s.sources ? { sources: s.sources } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
  };
  return { ...view, findings: evaluateRules(view, s.thresholds).slice(0, MAX_FINDINGS) };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The run's snapshot, serialized under `maxBytes`; returns it with its JSON text. */
export function buildSnapshot(s: RunState, maxBytes = HEALTH_MAX_BYTES, now = Date.now()): { snapshot: HealthSnapshot; json: string } {
  let points = s.pointsHint ?? Math.max(2, Math.min(MAX_POINTS, Math.floor((0.85 * maxBytes) / (countSeries(s) * BYTES_PER_POINT))));
  let grown = false;
  for (;;) {
    const snapshot = build(s, points, now);
    const json = JSON.stringify(snapshot);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes <= maxBytes) {
      // Well under the budget (the estimate is conservative): spend it on resolution, once.
      const more = Math.min(MAX_POINTS, Math.floor(points * ((0.9 * maxBytes) / bytes)));
      if (!grown && bytes < 0.7 * maxBytes && more > points) {
        grown = true;
        const bigger = build(s, more, now);
        const biggerJson = JSON.stringify(bigger);
        if (Buffer.byteLength(biggerJson, 'utf8') <= maxBytes) {
          s.pointsHint = more;
          return { snapshot: bigger, json: biggerJson };
        }
      }
      s.pointsHint = points;
      return { snapshot, json };
    }
    if (points <= 1) return { snapshot, json };
    points = Math.max(1, Math.min(points - 1, Math.floor(points * (maxBytes / bytes) * 0.9)));
  }
}
