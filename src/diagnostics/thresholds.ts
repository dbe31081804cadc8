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
  /** selu-not-normalizing: |mean| of a SELU layer's output above this, or |std − 1| above seluStdDrift. */
  seluMeanDrift: number;
  seluStdDrift: number;
  /** lr-too-high: mean loss of the last third above (1 + this) × mean of the first third. */
  lrHighRise: number;
  /** lr-too-high: the rise must also exceed this many standard errors of the two thirds' means. */
  lrHighNoiseMargin: number;
  /** lr-too-high: median loss over the run above this × the first loss. */
  lrHighJump: number;
  /** lr-too-high: mean |Δloss| between consecutive points over mean loss above this, with no progress. */
  lrHighOscillation: number;
  /** lr-too-low: relative loss decrease below this over the run, with update ratios below lrLowUpdateRatio. */
  lrLowDecrease: number;
  lrLowUpdateRatio: number;
  /** plateau: epochs without a relative improvement of plateauImprovement of the epoch loss. */
  plateauEpochs: number;
  plateauImprovement: number;
  /** overfitting: epochs since the best validation loss, and its relative rise since. */
  overfitEpochs: number;
  overfitRise: number;
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
  // Klambauer et al. 2017: SELU's fixed point is mean 0, variance 1; Gradscope heuristic for "far".
  seluMeanDrift: 0.5,
  seluStdDrift: 0.5,
  // Gradscope heuristics for "loss rising or oscillating from the start" (Géron ch. 11: too high a rate diverges).
  lrHighRise: 0.1,
  // Three standard errors: a one-sided z test at ~0.1 % false alarms per judgement.
  lrHighNoiseMargin: 3,
  lrHighJump: 3,
  // Batch-to-batch noise of a 32-sample loss is ~25 %; a mean jump of the loss's own size is not noise.
  lrHighOscillation: 1,
  // Gradscope heuristics: under 1 % progress, updates 10× below the 1e-3 rule of thumb.
  lrLowDecrease: 0.01,
  lrLowUpdateRatio: 1e-4,
  // Géron ch. 11 uses ReduceLROnPlateau(factor=0.5, patience=5); improvement below 1 % counts as none.
  plateauEpochs: 5,
  plateauImprovement: 0.01,
  // Keras EarlyStopping-style patience; a 5 % rise is beyond epoch-to-epoch noise.
  overfitEpochs: 3,
  overfitRise: 0.05,
  minLossPoints: 10,
});
