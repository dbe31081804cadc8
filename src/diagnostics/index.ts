/**
 * Gradient-health diagnostics: the observer `gs.fit` runs while a model trains (per-layer
 * sensitivities, weight-gradient norms, update ratios, saturation, batch-norm statistics, findings)
 * and the one-batch {@link sensitivities} probe. Re-exported by the training library as
 * `gs.diagnostics`. Never imports `vscode` and never imports `src/library/index.ts` (cycle).
 */
export { healthMonitor, HealthMonitor } from './monitor';
export type { HealthMonitorArgs } from './monitor';
export { sensitivities } from './sensitivity';
export type { LayerSensitivity, SensitivityArgs } from './sensitivity';
export { evaluateRules } from './rules';
export type { RunView } from './rules';
export { DEFAULT_THRESHOLDS } from './thresholds';
export type { Thresholds } from './thresholds';
