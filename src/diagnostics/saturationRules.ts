/**
 * Rules over the saturation probe: dead-relu, saturated-sigmoid / saturated-tanh (hidden layers only:
 * a confident sigmoid output is supposed to be near 0 or 1), selu-not-normalizing.
 */
import type { Finding, LayerSeries } from '../protocol/health';
import type { Thresholds } from './thresholds';
import { pct, type RunView } from './ruleUtils';

function sampleStep(l: LayerSeries): number {
  const s = l.saturation?.mean ?? l.saturation?.dead ?? l.saturation?.saturated;
  return s && s.step.length > 0 ? s.step[s.step.length - 1] : 0;
}

/** dead-relu, saturated-sigmoid, saturated-tanh and selu-not-normalizing findings. */
export function saturationRules(run: RunView, t: Thresholds): Finding[] {
  const out: Finding[] = [];
  // The model's output layers from the graph (LayerInfo.output); older snapshots: the last layer with weights.
  const weighted = run.model.layers.filter((l) => l.hasWeights);
  const marked = weighted.filter((l) => l.output).map((l) => l.name);
  const outputs = new Set(marked.length ? marked : weighted.slice(-1).map((l) => l.name));
  for (const l of run.layers) {
    const s = l.latestSaturation;
    if (!s) continue;
    const step = sampleStep(l);
    if ((s.kind === 'relu' || s.kind === 'relu6') && s.dead !== undefined && s.dead > t.deadReluFraction) {
      out.push({
        code: 'dead-relu', severity: 'warning', layers: [l.layer],
        message: `${l.layer}: ${pct(s.dead)} of units dead (ReLU) at step ${step}`,
        evidence: { step, dead: s.dead, zero: s.zero ?? null, threshold: t.deadReluFraction },
        // Géron ch. 11's order of preference for deep nets: SELU, then ELU/leaky ReLU variants.
        fixes: ['activation-selu', 'activation-leaky-relu', 'activation-elu', 'lr-divide-10'],
      });
    }
    if ((s.kind === 'sigmoid' || s.kind === 'tanh') && !outputs.has(l.layer) && s.saturated !== undefined && s.saturated > t.saturationFraction) {
      out.push({
        code: s.kind === 'sigmoid' ? 'saturated-sigmoid' : 'saturated-tanh', severity: 'warning', layers: [l.layer],
        message: `${l.layer}: ${pct(s.saturated)} of ${s.kind} activations saturated at step ${step} (gradient near 0 there)`,
        evidence: { step, saturated: s.saturated, threshold: t.saturationFraction },
        fixes: ['activation-relu', 'add-batchnorm', 'activation-selu'],
      });
    }
    if (s.kind === 'selu' && s.mean !== undefined && s.std !== undefined
        && (Math.abs(s.mean) > t.seluMeanDrift || Math.abs(s.std - 1) > t.seluStdDrift)) {
      out.push({
        code: 'selu-not-normalizing', severity: 'warning', layers: [l.layer],
        message: `${l.layer}: SELU output mean ${s.mean.toFixed(2)}, std ${s.std.toFixed(2)} at step ${step} (self-normalization keeps 0 and 1; needs LeCun normal init, standardized inputs, alphaDropout, a plain stack of dense layers)`,
        evidence: { step, mean: s.mean, std: s.std },
        fixes: ['activation-selu'],
      });
    }
  }
  return out;
}
