/**
 * The gradient-health payload: what the kernel publishes while a model trains (one output item of
 * MIME type {@link HEALTH_MIME}, replaced in place), what the renderer draws and what the code lenses
 * read. Types only, plus a few constants: this file is imported by browser code (renderers/), by the
 * kernel and by the extension host, so it must not import anything.
 *
 * Versioning: `version` is bumped on any change that an older reader would misread. Readers must
 * ignore fields they do not know and reject a payload whose version they do not support.
 */

/** MIME type of the gradient-health output item. */
export const HEALTH_MIME = 'application/vnd.gradscope.health+json';

/** Current schema version of {@link HealthSnapshot}. */
export const HEALTH_SCHEMA_VERSION = 1;

/** Largest serialized size of one snapshot, in bytes; long runs are downsampled to stay under it. */
export const HEALTH_MAX_BYTES = 256 * 1024;

/** Where a training run is. */
export type RunStatus = 'training' | 'stopped' | 'finished' | 'failed';

/** How bad a finding is. */
export type Severity = 'error' | 'warning' | 'info';

/** Activation kinds the saturation probe distinguishes. `other` covers custom activations. */
export type ActivationKind =
  | 'sigmoid' | 'tanh' | 'relu' | 'relu6' | 'leakyRelu' | 'elu' | 'selu'
  | 'softmax' | 'linear' | 'softplus' | 'swish' | 'gelu' | 'other';

/**
 * A numeric series over training steps (or epochs, where the field says so). `step[i]` is the x value
 * of `value[i]`. After downsampling, `value[i]` is the mean over a bucket of original points and
 * `min[i]`/`max[i]` (present only when downsampled) are the envelope over that bucket, so spikes stay
 * visible. Non-finite values are encoded as `null` (JSON has no NaN/Infinity).
 */
export interface Series {
  step: number[];
  value: (number | null)[];
  min?: (number | null)[];
  max?: (number | null)[];
}

/** One layer of the model as the frozen-layer map and the summary show it. */
export interface LayerInfo {
  /** tfjs layer name, unique within the model (e.g. `dense_Dense3`). */
  name: string;
  /** tfjs class name, e.g. `Dense`, `Conv2D`, `BatchNormalization`, `Dropout`. */
  className: string;
  /** Position in `model.layers`, input side first. */
  index: number;
  /** Activation kind of the layer's output, when the layer has one. */
  activation?: ActivationKind;
  /** The layer's `trainable` flag. */
  trainable: boolean;
  /** Parameter counts. */
  params: { trainable: number; nonTrainable: number };
  /** Output shape with `null` for the batch dimension. */
  outputShape: (number | null)[];
  /** True when the layer has weights (Dense, Conv, BatchNorm, recurrent…). */
  hasWeights: boolean;
  /** True when the layer was taken from another model (gs.transfer.reuse). */
  reused?: boolean;
  /** Layers with weights: true when the layer's output is a model output (directly or through activation layers), from the graph. */
  output?: boolean;
  /** Layers with weights: the standalone activation layer that transforms this layer's output in the graph, when there is one. */
  activatedBy?: string;
}

/** Model summary with the frozen-layer map. */
export interface ModelSummary {
  name: string;
  layers: LayerInfo[];
  totalParams: number;
  trainableParams: number;
}

/** Latest saturation measurement of one layer, on the fixed probe batch. Fractions are in [0, 1]. */
export interface SaturationSample {
  kind: ActivationKind;
  /** ReLU family: fraction of activations that are exactly zero. */
  zero?: number;
  /** ReLU family: fraction of units that are zero for every sample of the probe batch. */
  dead?: number;
  /** sigmoid: a < 0.01 or a > 0.99; tanh: |a| > 0.99. */
  saturated?: number;
  /** LeakyReLU / ELU / SELU: fraction of net inputs in the negative regime. */
  negative?: number;
  /** SELU (reported for every layer, judged for SELU): mean and standard deviation of the output. */
  mean?: number;
  std?: number;
}

/** Per-layer measurements over time. Present for every layer that has weights. */
export interface LayerSeries {
  layer: string;
  /** RMS over the probe batch of s^k = ∂L/∂n^k (n^k the layer's net input, before activation). */
  sensitivityRms: Series;
  /** max |s^k| over the probe batch. */
  sensitivityMax: Series;
  /** Values of n^k per sample (units × positions × time steps), when measured: RMS × √size is ‖s^k‖ per sample. */
  netInputSize?: number;
  /** l2 norm of ∂L/∂W^k (all the layer's trainable weights together). */
  gradNorm: Series;
  /** ‖ΔW‖ / ‖W‖ of the probed steps' updates (rule of thumb: about 1e-3). */
  updateRatio: Series;
  /** Median of `updateRatio` over the last 64 probes, before any downsampling (what the rules judge). */
  updateRatioMedian?: number;
  /** Saturation over time, one series per field of {@link SaturationSample} that applies. */
  saturation?: { [K in 'zero' | 'dead' | 'saturated' | 'negative' | 'mean' | 'std']?: Series };
  /** Latest saturation sample. */
  latestSaturation?: SaturationSample;
  /** Histograms over the probed steps of the layer's weights, weight gradients and activations. Absent from older producers and with `histograms: false`. */
  histograms?: LayerHistograms;
  /** BatchNormalization layers: latest batch statistics vs moving statistics, averaged over channels. */
  batchNorm?: {
    step: number;
    batchMean: number; movingMean: number;
    batchVar: number; movingVar: number;
    /** max over channels of |batchMean - movingMean| / sqrt(movingVar + eps). */
    maxMeanShift: number;
  };
}

/**
 * Value counts over time on bins fixed for the run (chosen at the first probe, with headroom around
 * the values seen then). Frame i covers `probes[i]` probes from `step[i]` on; each count array holds
 * the values of up to a few thousand positions per tensor (the same positions every probe).
 */
export interface Histogram {
  /** Ascending bin edges: bin j holds values in [edges[j], edges[j + 1]). */
  edges: number[];
  step: number[];
  probes: number[];
  /** Per frame, per bin. */
  counts: number[][];
  /** Per frame: values below the first edge, at or above the last, and NaN/±Infinity. */
  under: number[];
  over: number[];
  nonFinite: number[];
}

/** The histograms of one layer (those it has: activations only for layers the probe records them for). */
export interface LayerHistograms {
  weights?: Histogram;
  gradients?: Histogram;
  activations?: Histogram;
}

/** Something that happened during the run, marked on the charts. */
export interface RunEvent {
  step: number;
  epoch: number;
  kind: 'lr-reduced' | 'early-stop' | 'restored-best' | 'nan' | 'interrupted' | 'frozen-changed';
  detail: string;
}

/** Stable codes of the findings. */
export type FindingCode =
  | 'vanishing-gradient' | 'exploding-gradient' | 'nan-loss' | 'dead-relu'
  | 'saturated-sigmoid' | 'saturated-tanh' | 'selu-not-normalizing'
  | 'lr-too-high' | 'lr-too-low' | 'plateau' | 'overfitting' | 'frozen-all';

/**
 * Stable ids of the edits the quick fixes can apply: the keys of the fix catalogue (fixCatalogue.ts),
 * which holds each one's title, detail and what it edits; src/fixes turns each into an AST edit.
 */
import type { FixId } from './fixCatalogue';
export type { FixId };

/** A rule's verdict: what is wrong, where, the numbers that show it, and what to do. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** Layer names involved (empty for run-level findings such as nan-loss). */
  layers: string[];
  /** One line a user reads, e.g. "dense_2: 72 % of units dead (ReLU) at step 1200". */
  message: string;
  /** The numbers behind it and the step they were measured at. */
  evidence: { step: number; [key: string]: number | string | null };
  /** Suggested fixes, most recommended first. */
  fixes: FixId[];
}

/** Where, in the user's cells, something was created (mapped through the cell source maps). */
export interface SourceLocation {
  /** URI of the cell document (`vscode-notebook-cell:` scheme) when run in the editor, else a label. */
  cell: string;
  /** 0-based index of the cell in the notebook, when known. */
  cellIndex?: number;
  /** 1-based line and column in the cell's source. */
  line: number;
  column: number;
  /** The call that created it, e.g. `tf.layers.dense`, `tf.sequential`, `model.compile`, `gs.fit`. */
  call: string;
  /** The kernel's execution (one run of a cell) that made the call, when known: a re-run of the cell is another. */
  execution?: number;
}

/** Where the model's parts were defined, for the code lenses (src/fixes). */
export interface SourceMapOfModel {
  /** Layer name → where its factory was called. */
  layers: Record<string, SourceLocation>;
  model?: SourceLocation;
  compile?: SourceLocation;
  fit?: SourceLocation;
}

/** The whole payload of one gradient-health output. */
export interface HealthSnapshot {
  version: typeof HEALTH_SCHEMA_VERSION;
  /** Stable for one training run; a new gs.fit call starts a new run. */
  runId: string;
  status: RunStatus;
  /** Backend name (`tensorflow`, `wasm`, `cpu`) and, for GPU, the device. */
  backend: string;
  device?: string;
  /** Wall-clock time of this snapshot, ms since epoch. */
  time: number;
  progress: {
    epoch: number;          // 0-based epoch currently running (or last run)
    epochs: number;
    step: number;           // global step (batches done)
    stepsPerEpoch: number;
    totalSteps: number;
    elapsedMs: number;
    etaMs?: number;
  };
  model: ModelSummary;
  training: {
    /** Learning rate per step. */
    lr: Series;
    /** Schedule kind shown in the legend, e.g. `exponential`, `power`, `plateau`, `constant`. */
    scheduleKind: string;
    /** Training loss per step. */
    loss: Series;
    /** Per-epoch training / validation loss; `step` holds the epoch number (1-based). */
    epochLoss: Series;
    epochValLoss?: Series;
    /** Training metrics per step (`acc`, …), as the batches report them. */
    metrics: Record<string, Series>;
    /**
     * Per-epoch training and validation metrics other than the loss (`acc`, `val_acc`, …) as the
     * epoch's logs give them; `step` holds the epoch number (1-based). Absent from older producers,
     * which put validation metrics in `metrics` at the epoch's last step.
     */
    epochMetrics?: Record<string, Series>;
    /** Global gradient norm before and after clipping, per step. */
    gradNormPreClip?: Series;
    gradNormPostClip?: Series;
    /**
     * The clipping the run applies (gs.fit's or gs.optimizers.clipped's `clipnorm` per tensor,
     * `globalClipnorm`, `clipvalue`); absent when it does not clip, and from older producers.
     */
    clip?: { clipnorm?: number; globalClipnorm?: number; clipvalue?: number };
    events: RunEvent[];
  };
  /** Per-layer series, input side first. */
  layers: LayerSeries[];
  /** Steps between two probes: N when probing every N steps, else the mean spacing so far. */
  sampleEvery: number;
  /**
   * What the diagnostics cost so far: the monitor's own time (probes, gradient-norm metering,
   * snapshots) and the training steps' time without it, in ms. Absent from older producers.
   */
  cost?: {
    monitorMs: number;
    trainMs: number;
    /** The part of `monitorMs` spent metering gradient norms in every step (outside the probes' budget). Absent from older producers. */
    meterMs?: number;
    /** Probes taken so far. Absent from older producers. */
    probes?: number;
    /** The part of `monitorMs` spent on the histograms over time (sampling, binning, their part of the snapshots). Absent from older producers and without histograms. */
    histogramMs?: number;
  };
  /** The samples the per-layer probes measure (fixed for the run). Absent from older producers. */
  probeBatch?: ProbeBatchInfo;
  findings: Finding[];
  /** Where the model was defined, when known. */
  sources?: SourceMapOfModel;
  /** Set when status is 'failed'. */
  error?: string;
  /** What the run was trained with (model shape, optimizer, rate, clipping, …). Absent from older producers. */
  options?: RunOptions;
}

/**
 * What a run was trained with, as the comparison's option diff shows it. Filled at the start of the
 * run from the model and gs.fit's arguments; `null` where the run does not say (a dataset's batches
 * have no fixed batch size).
 */
export interface RunOptions {
  /** Units of each layer with weights, input size first, e.g. `16 → 32 ×10 → 1`. */
  shape: string;
  /** Layers with weights. */
  weightedLayers: number;
  /** Trainable and total parameters. */
  params: string;
  /** Activation of each layer with weights, run-length encoded, e.g. `sigmoid ×10, sigmoid`. */
  activations: string;
  /** Kernel initializers of the layers with weights, run-length encoded, e.g. `heNormal ×10, glorotUniform`. */
  initializers: string;
  /** Optimizer class and its settings other than the rate, e.g. `adam (β1 0.9, β2 0.999)`. */
  optimizer: string;
  /** Learning rate at the first step. */
  learningRate: number | null;
  /** Learning rate at the last step so far (the schedule's or the callbacks' end). Absent from older producers. */
  lastLearningRate?: number | null;
  /** Schedule kind (`constant`, `exponential`, `plateau`, …). */
  schedule: string;
  clipnorm: number | null;
  globalClipnorm: number | null;
  clipvalue: number | null;
  batchSize: number | null;
  epochs: number;
  /** True when the model has a BatchNormalization layer. */
  batchNorm: boolean;
  /** Rates of the model's Dropout layers, run-length encoded (`0.3 ×2`), or `none`. Absent from older producers. */
  dropout?: string;
  /** Loss name (or `custom`). */
  loss: string;
}

/** How the probe batch was drawn, for the panel header. */
export interface ProbeBatchInfo {
  /** Samples in the probe batch. */
  size: number;
  /** Samples it was drawn from. */
  of: number;
  /** `stratified`: at random within each class, in proportion; `random`: at random; `all`: every sample. */
  drawn: 'stratified' | 'random' | 'all';
  /** Classes stratified over (with `stratified`). */
  classes?: number;
  seed: number;
  /** One line for people, e.g. "32 of 120 training samples, drawn at random per class (3 classes), seed 0". */
  description: string;
}

/**
 * Findings of one run as the kernel sends them to the extension host (code lenses, squiggles, quick
 * fixes). `cellText` holds each involved cell's source as it was when the run started, so the host
 * can tell whether a cell was edited since and re-locate (or drop) what it points at.
 */
export interface FindingsReport {
  /** URI of the cell whose execution produced the run. */
  cell: string;
  runId: string;
  status: RunStatus;
  findings: Finding[];
  sources?: SourceMapOfModel;
  /** Cell URI → source text at run time, for every cell named in `sources`. */
  cellText: Record<string, string>;
}

/**
 * Message posted to the extension host when the user clicks "Apply" on a suggested fix. `runId`,
 * `findingIndex` and `fix` are the fields of src/fixes' `ApplyFixArgs` the renderer knows; the host
 * adds `reportCell` from its findings report of that run. `code` and `layers` let it check that the
 * finding is still the one the user saw.
 */
export interface ApplyFixMessage {
  type: 'gradscope.applyFix';
  runId: string;
  findingIndex: number;
  fix: FixId;
  code: FindingCode;
  layers: string[];
}
