/**
 * Runs as data: the option summary every monitored run carries (`HealthSnapshot.options`), the
 * comparison payload (MIME type {@link COMPARE_MIME}) that `gs.compare` and the panel's "compare
 * with…" produce, and the pure functions both sides share: a run's comparison entry from its final
 * snapshot, the sensitivity-by-layer profile, and the diff of the options. Imported by the kernel,
 * the library, the host and the renderer, so it imports nothing at run time.
 */
import type { FindingCode, HealthSnapshot, RunOptions, RunStatus, Series, Severity } from './health';

export type { RunOptions };
import { formatNumber } from './numberFormat';

/** MIME type of a comparison of runs. */
export const COMPARE_MIME = 'application/vnd.gradscope.compare+json';

/** Current schema version of {@link ComparePayload}. */
export const COMPARE_SCHEMA_VERSION = 1;

/** Most runs one comparison shows (the colours stay apart and the legend readable). */
export const COMPARE_MAX_RUNS = 8;

/** The rows of the option diff, in the order shown, with their labels. */
export const OPTION_ROWS: readonly { key: keyof RunOptions; label: string }[] = [
  { key: 'shape', label: 'model shape' },
  { key: 'params', label: 'parameters' },
  { key: 'activations', label: 'activations' },
  { key: 'initializers', label: 'initializers' },
  { key: 'batchNorm', label: 'batch norm' },
  { key: 'dropout', label: 'dropout' },
  { key: 'optimizer', label: 'optimizer' },
  { key: 'learningRate', label: 'learning rate' },
  { key: 'schedule', label: 'schedule' },
  { key: 'clipnorm', label: 'clipnorm' },
  { key: 'globalClipnorm', label: 'globalClipnorm' },
  { key: 'clipvalue', label: 'clipvalue' },
  { key: 'batchSize', label: 'batch size' },
  { key: 'epochs', label: 'epochs' },
  { key: 'loss', label: 'loss' },
];

/** One layer's point of the sensitivity-by-layer profile. */
export interface ProfilePoint {
  layer: string;
  /** Median over the run's probes of the RMS of s^k = ∂L/∂n^k over the probe batch; null when never finite. */
  median: number | null;
}

/** One run as a comparison shows it. */
export interface CompareRun {
  runId: string;
  /** Legend label: the user's (gs.compare's object keys, `run.label`) or `run N`. */
  label: string;
  status: RunStatus;
  /** Absent for runs recorded by an older producer. */
  options?: RunOptions;
  /** Training loss per step. */
  loss: Series;
  /** Per-epoch training and validation loss; `step` holds the epoch number (1-based). */
  epochLoss: Series;
  epochValLoss?: Series;
  /** Layers with weights, input side first. */
  profile: ProfilePoint[];
  findings: { code: FindingCode; severity: Severity; message: string }[];
  /** Learning rate at the first and the last step (exact when the run has options, else the rate series' ends). */
  lr: { first: number | null; last: number | null };
  /** The run's error, when it failed. */
  error?: string;
}

/** The payload of a comparison output. */
export interface ComparePayload {
  version: typeof COMPARE_SCHEMA_VERSION;
  runs: CompareRun[];
}

/** Median of the finite values, or null when there are none. */
export function median(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The sensitivity-by-layer profile of a snapshot: the median over its probes of each layer's RMS of s^k. */
export function sensitivityProfile(s: HealthSnapshot): ProfilePoint[] {
  return s.layers.map((l) => ({ layer: l.layer, median: median(l.sensitivityRms.value) }));
}

/**
 * A run's entry in a comparison, from its (final) snapshot. `label` defaults to the snapshot's own
 * options-free id.
 * @example const payload: ComparePayload = { version: COMPARE_SCHEMA_VERSION, runs: snaps.map((s, i) => compareRunOf(s, `run ${i + 1}`)) };
 */
export function compareRunOf(s: HealthSnapshot, label: string): CompareRun {
  // The options hold the exact rates of the first and last steps; the series' ends may be bucket means.
  const lr = s.training.lr.value;
  const first = s.options ? s.options.learningRate : (lr.length ? lr[0] : null);
  const last = s.options?.lastLearningRate !== undefined ? s.options.lastLearningRate : (lr.length ? lr[lr.length - 1] : null);
  const run: CompareRun = {
    runId: s.runId,
    label,
    status: s.status,
    loss: s.training.loss,
    epochLoss: s.training.epochLoss,
    profile: sensitivityProfile(s),
    findings: s.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message })),
    lr: { first, last },
  };
  if (s.options) run.options = s.options;
  if (s.training.epochValLoss) run.epochValLoss = s.training.epochValLoss;
  if (s.error !== undefined) run.error = s.error;
  return run;
}

/** An option value as the diff shows it. */
export function formatOption(key: keyof RunOptions, v: RunOptions[keyof RunOptions] | undefined): string {
  if (v === undefined) return 'unknown';
  if (v === null) return key === 'batchSize' ? 'from the dataset' : 'none';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatNumber(v);
  return v;
}

/** One row of the option diff: the option and its value in each run. */
export interface OptionDiffRow {
  key: keyof RunOptions;
  label: string;
  values: string[];
}

/**
 * The options in which the runs differ (rows where every run has the same value are left out), in
 * {@link OPTION_ROWS} order. A run without options (an older producer) shows `unknown`. Schedules
 * also differ when the rates they went through do: `constant 0.1` vs `exponential 0.1 → 0.001`.
 */
export function diffOptions(runs: readonly Pick<CompareRun, 'options' | 'lr'>[]): OptionDiffRow[] {
  const rows: OptionDiffRow[] = [];
  for (const { key, label } of OPTION_ROWS) {
    const values = runs.map((r) => {
      const text = formatOption(key, r.options?.[key]);
      if (key !== 'schedule' || !r.options) return text;
      const { first, last } = r.lr;
      return first !== null && last !== null && first !== last ? `${text} (${formatNumber(first)} → ${formatNumber(last)})` : text;
    });
    if (new Set(values).size > 1) rows.push({ key, label, values });
  }
  return rows;
}

/** Colour of the i-th run of a comparison (Okabe–Ito, distinguishable with colour-vision deficiencies). */
export const RUN_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#8c564b', '#666666'] as const;

/** The colour of run `i` of a comparison. */
export function runColor(i: number): string {
  return RUN_COLORS[i % RUN_COLORS.length];
}

/**
 * Renderer → host: a panel was drawn for run `runId`; which runs can it be compared with? The host
 * answers with a {@link CompareOfferMessage}.
 */
export interface CompareOffersRequest {
  type: 'gradscope.compareOffers';
  runId: string;
}

/** Host → renderer: what the panel of `runId` can offer to compare with. */
export interface CompareOfferMessage {
  type: 'gradscope.compareOffer';
  runId: string;
  /** Other runs of the notebook's session that it can be compared with. */
  others: number;
  /** The run of the same cell before a fix was applied to it, when this run is the re-run after the fix. */
  beforeFix?: { runId: string; label: string; fix: string };
}

/** Renderer → host: compare run `runId` with run `with` (the run before the fix), or with a run the user picks. */
export interface CompareWithMessage {
  type: 'gradscope.compareWith';
  runId: string;
  with?: string;
}

/** Host → renderer: the comparison to show under the panel of `runId`. */
export interface ComparisonMessage {
  type: 'gradscope.comparison';
  runId: string;
  title: string;
  payload: ComparePayload;
}
