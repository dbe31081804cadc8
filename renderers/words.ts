/**
 * Words for the payload's machine keys: a finding's evidence keys (`rmsFirst`, `bestValLoss`) as a
 * reader says them. Keys the producer adds later fall back to their camelCase split into words.
 */

const EVIDENCE: Record<string, string> = {
  step: 'step', epoch: 'epoch',
  firstLayer: 'first layer', lastLayer: 'last layer',
  rmsFirst: 'RMS of ∂L/∂net, first layer', rmsLast: 'RMS of ∂L/∂net, last layer',
  firstRms: 'RMS of ∂L/∂net, first layer', lastRms: 'RMS of ∂L/∂net, last layer',
  normFirst: '‖∂L/∂net‖ per sample, first layer', normLast: '‖∂L/∂net‖ per sample, last layer',
  ratio: 'ratio', factor: 'threshold factor',
  updateRatio: 'update ratio ‖ΔW‖/‖W‖', bestUpdateRatio: 'typical healthy update ratio', maxUpdateRatio: 'largest update ratio ‖ΔW‖/‖W‖',
  value: 'value', start: 'gradient norm at the start', norm: 'gradient norm', growth: 'growth since the start',
  lr: 'learning rate', totalParams: 'parameters',
  lossStart: 'loss at the start', lossMedian: 'median loss', lossEnd: 'loss at the end', lastFiniteLoss: 'last finite loss',
  oscillation: 'oscillation', decrease: 'decrease',
  best: 'best loss', recentBest: 'best loss of the recent epochs', bestEpoch: 'best epoch',
  bestValLoss: 'best validation loss', valLoss: 'validation loss', trainLoss: 'training loss',
  dead: 'dead units', zero: 'zero activations', threshold: 'threshold', saturated: 'saturated outputs',
  negative: 'negative regime', mean: 'output mean', std: 'output standard deviation', units: 'units', epochs: 'epochs',
};

/**
 * An evidence key in words.
 * @example evidenceLabel('bestValLoss') // 'best validation loss'
 */
export function evidenceLabel(key: string): string {
  const known = Object.prototype.hasOwnProperty.call(EVIDENCE, key) ? EVIDENCE[key] : undefined;
  if (known) return known;
  const words = key.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return words.split(' ').filter(Boolean).map((w) => (/^[A-Z][a-z]/.test(w) ? w.toLowerCase() : w)).join(' ').replace(/\bval\b/g, 'validation').replace(/\blr\b/gi, 'learning rate');
}
