/**
 * The thresholds of the health rules, each with where it comes from. Users can override the first
 * three through the settings `gradscope.diagnostics.*` (HealthMonitorArgs.thresholds).
 */

/** All thresholds the rules use. */
export interface Thresholds {
  /** vanishing-gradient: per-sample sensitivity norm ‖∂L/∂n‖ of the last layer over that of the first layer. */
  vanishingFactor: number;
  /** dead-relu: fraction of a layer's units that are zero for every probe sample. */
  deadReluFraction: number;
  /** saturated-sigmoid / saturated-tanh: fraction of a hidden layer's activations saturated. */
  saturationFraction: number;
  /** vanishing-gradient: a layer's ‖ΔW‖/‖W‖ below this while other layers learn. */
  vanishingUpdateRatio: number;
  /** exploding-gradient: growth factor of the global gradient norm over the run. */
  explodingGrowth: number;
  /**
   * selu-not-normalizing: the weight statistics ω = Σw within ±seluOmega and τ = Σw² within
   * [seluTauLow, seluTauHigh] over which SELU's variance provably stays bounded; a SELU layer's output
   * is judged against the fixed points of that domain, widened by seluStandardErrors standard errors
   * of the probe's estimate at the layer's depth and width (seluBand.ts).
   */
  seluOmega: number;
  seluTauLow: number;
  seluTauHigh: number;
  seluStandardErrors: number;
  /**
   * saturated-sigmoid / saturated-tanh need impaired learning too: the layer's sensitivity relative
   * to the output layer's fell by this factor between its first and its latest probes, or the loss
   * stalled (see stallImprovement).
   */
  saturationSensitivityDrop: number;
  /**
   * The loss stalled: it fell by less than this (relative) over the last half of the run, and so did
   * the validation loss, while it fell by less than stallOverall over the whole run.
   */
  stallImprovement: number;
  stallOverall: number;
  /** lr-too-high: mean loss of the last third above (1 + this) × mean of the first third. */
  lrHighRise: number;
  /** lr-too-high: the rise must also exceed this many standard errors of the two thirds' means. */
  lrHighNoiseMargin: number;
  /** lr-too-high: median loss over the run above this × the first loss. */
  lrHighJump: number;
  /** lr-too-high: mean |Δloss| between consecutive points over mean loss above this, with no progress. */
  lrHighOscillation: number;
  /** lr-too-high: a layer's typical update ratio ‖ΔW‖/‖W‖ per step above this. */
  lrHighUpdateRatio: number;
  /** lr-too-high, early harm: one of a layer's first probed steps changed its weights by more than this times their size (and the loss never halved). */
  lrHighFirstUpdateRatio: number;
  /** lr-too-low: relative loss decrease below this over the run, with update ratios below lrLowUpdateRatio. */
  lrLowDecrease: number;
  lrLowUpdateRatio: number;
  /**
   * lr-too-low, slow descent: every layer's typical update ratio below lrSlowUpdateRatio while the
   * loss falls steadily (beyond the batch noise) but by less than lrSlowDecrease over the run.
   */
  lrSlowUpdateRatio: number;
  lrSlowDecrease: number;
  /** plateau: epochs without a relative improvement of plateauImprovement of the epoch loss. */
  plateauEpochs: number;
  plateauImprovement: number;
  /** overfitting: epochs since the best validation loss, and the relative rise of the mean of that many last epochs over it. */
  overfitEpochs: number;
  overfitRise: number;
  /** overfitting without a rise: validation loss stopped improving at this many times the (still falling) training loss. */
  overfitGap: number;
  /**
   * overfitting: how many standard errors of the validation curve's own epoch-to-epoch noise a rise
   * must exceed, and a still-falling trend must not; a minimum of a noisy curve is always a little
   * below what follows it.
   */
  overfitNoiseMargin: number;
  /** Fewest loss points before the loss-shape rules (lr-too-high / lr-too-low) judge. */
  minLossPoints: number;
}

/** Defaults; see each line for the source. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  // Design default, setting gradscope.diagnostics.vanishingFactor: two orders of magnitude across depth.
  vanishingFactor: 100,
  // Design default, setting gradscope.diagnostics.deadReluFraction (Géron ch. 11: "dying ReLUs", half the units can die).
  deadReluFraction: 0.4,
  // Design default, setting gradscope.diagnostics.saturationFraction.
  saturationFraction: 0.3,
  // Design default: the update-to-weight ratio rule of thumb is ~1e-3 (Karpathy, CS231n); 1e-5 is 100× below.
  vanishingUpdateRatio: 1e-5,
  // Design default: "grows by orders of magnitude": three decades.
  explodingGrowth: 1e3,
  // Klambauer et al. 2017, theorems 2 and 3: the variance is bounded for ω ∈ [−0.1, 0.1], τ ∈ [0.8, 1.25].
  seluOmega: 0.1,
  seluTauLow: 0.8,
  seluTauHigh: 1.25,
  // Three standard errors of the probe's estimate: ~0.1 % false alarms per side and judgement.
  seluStandardErrors: 3,
  // A saturated layer passing 10× less of the output's gradient than when training began (cf. vanishingFactor's 100× over depth).
  saturationSensitivityDrop: 10,
  // Gradscope heuristics: under 1 % over the last half of the run is no progress; a run that halved
  // its loss has learned, whatever its saturation.
  stallImprovement: 0.01,
  stallOverall: 0.5,
  // Gradscope heuristics for "loss rising or oscillating from the start" (Géron ch. 11: too high a rate diverges).
  lrHighRise: 0.1,
  // Three standard errors: a one-sided z test at ~0.1 % false alarms per judgement.
  lrHighNoiseMargin: 3,
  lrHighJump: 3,
  // Batch-to-batch noise of a 32-sample loss is ~25 %; a mean jump of the loss's own size is not noise.
  lrHighOscillation: 1,
  // 100× the ~1e-3 rule of thumb (Karpathy, CS231n): every step moves the weights by a tenth of their size.
  lrHighUpdateRatio: 0.1,
  // A single step as large as the weights themselves.
  lrHighFirstUpdateRatio: 1,
  // Gradscope heuristics: under 1 % progress, updates 10× below the 1e-3 rule of thumb.
  lrLowDecrease: 0.01,
  lrLowUpdateRatio: 1e-4,
  // Below the 1e-3 rule of thumb itself, while the loss falls steadily but less than 10 % over the run.
  lrSlowUpdateRatio: 1e-3,
  lrSlowDecrease: 0.1,
  // Géron ch. 11 uses ReduceLROnPlateau(factor=0.5, patience=5); improvement below 1 % counts as none.
  plateauEpochs: 5,
  plateauImprovement: 0.01,
  // Keras EarlyStopping-style patience; a 5 % rise is beyond epoch-to-epoch noise.
  overfitEpochs: 3,
  overfitRise: 0.05,
  // A generalization gap of 2×: the validation loss twice the training loss and no longer falling.
  overfitGap: 2,
  // Two standard errors: a rise that noise alone makes about one time in forty.
  overfitNoiseMargin: 2,
  minLossPoints: 10,
});
