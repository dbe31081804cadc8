/**
 * Rules over the saturation probe: dead-relu, saturated-sigmoid / saturated-tanh (hidden layers only:
 * a confident sigmoid output is supposed to be near 0 or 1, and only with evidence that learning is
 * impaired: saturation of a model that keeps learning is no problem worth a warning),
 * selu-not-normalizing (against the band self-normalization has at the layer's depth and width).
 */
import type { Finding, LayerSeries } from '../protocol/health';
import type { Thresholds } from './thresholds';
import { lossProgress, pct, relativeSensitivityDrop, sci, trainable, typicalUpdateRatio, type RunView } from './ruleUtils';
import { seluBand } from './seluBand';

function sampleStep(l: LayerSeries): number {
  const s = l.saturation?.mean ?? l.saturation?.dead ?? l.saturation?.saturated;
  return s && s.step.length > 0 ? s.step[s.step.length - 1] : 0;
}

/** Values per sample of a layer's output (units × positions), from its output shape. */
function valuesPerSample(run: RunView, layer: string): number {
  const shape = run.model.layers.find((l) => l.name === layer)?.outputShape ?? [];
  return shape.reduce<number>((p, d) => (d === null ? p : p * d), 1);
}

/**
 * Why a saturated layer is harming training, or undefined when nothing says it is: its sensitivity
 * relative to the output layer fell, or the loss stalled.
 */
function impairment(run: RunView, l: LayerSeries, output: LayerSeries | undefined, t: Thresholds): { text: string; evidence: Record<string, number | string | null> } | undefined {
  const drop = output && output !== l ? relativeSensitivityDrop(l, output) : undefined;
  if (drop && drop.drop >= t.saturationSensitivityDrop) {
    return {
      text: `its sensitivity relative to ${output!.layer} fell ${sci(drop.drop)}× from step ${drop.from} to step ${drop.to} (threshold ${t.saturationSensitivityDrop}×)`,
      evidence: { sensitivityDrop: drop.drop, dropThreshold: t.saturationSensitivityDrop },
    };
  }
  // A stall while every layer's updates are under the rule of thumb is the rate's (lr-too-low), not
  // the saturation's: a saturated layer stops learning while the layers above it still move.
  const moving = run.layers.some((x) => trainable(run, x.layer) && (typicalUpdateRatio(x)?.value ?? 0) >= t.lrSlowUpdateRatio);
  const p = moving ? lossProgress(run, t.minLossPoints) : undefined;
  // No progress over the last half that stands out of the batch noise (a stalled loss's quarters differ
  // by chance), and less than stallOverall since the start.
  const recentBar = p ? Math.max(t.stallImprovement, t.lrHighNoiseMargin * p.recentNoise) : 0;
  if (p && p.recent < recentBar && (p.valRecent === undefined || p.valRecent < t.stallImprovement) && p.overall < t.stallOverall) {
    return {
      text: `the loss stalled: it fell ${pct(Math.max(0, p.recent))} over the last half of the run${p.valRecent !== undefined ? ` (validation ${pct(Math.max(0, p.valRecent))})` : ''} and ${pct(Math.max(0, p.overall))} overall (stalled: under ${pct(recentBar)}, the larger of ${pct(t.stallImprovement)} and ${t.lrHighNoiseMargin} standard errors of the batch noise, and under ${pct(t.stallOverall)} overall)`,
      evidence: { recentDecrease: p.recent, recentBar, overallDecrease: p.overall, valRecentDecrease: p.valRecent ?? null, stallImprovement: t.stallImprovement, stallOverall: t.stallOverall },
    };
  }
  return undefined;
}

/** dead-relu, saturated-sigmoid, saturated-tanh and selu-not-normalizing findings. */
export function saturationRules(run: RunView, t: Thresholds): Finding[] {
  const out: Finding[] = [];
  // The model's output layers from the graph (LayerInfo.output); older snapshots: the last layer with weights.
  const weighted = run.model.layers.filter((l) => l.hasWeights);
  const marked = weighted.filter((l) => l.output).map((l) => l.name);
  const outputs = new Set(marked.length ? marked : weighted.slice(-1).map((l) => l.name));
  const measured = run.layers.filter((l) => l.sensitivityRms.value.some((v) => v !== null));
  const outputSeries = measured.find((l) => outputs.has(l.layer)) ?? measured[measured.length - 1];
  const batch = run.probeBatch?.size ?? 32;
  let seluDepth = 0;
  for (const l of run.layers) {
    const s = l.latestSaturation;
    if (!s) continue;
    const step = sampleStep(l);
    if ((s.kind === 'relu' || s.kind === 'relu6') && s.dead !== undefined && s.dead > t.deadReluFraction) {
      out.push({
        code: 'dead-relu', severity: 'warning', layers: [l.layer],
        message: `${l.layer}: ${pct(s.dead)} of units dead (ReLU: zero for every probe sample) at step ${step} (threshold ${pct(t.deadReluFraction)})`,
        evidence: { step, dead: s.dead, zero: s.zero ?? null, threshold: t.deadReluFraction },
        // Géron ch. 11's order of preference for deep nets: SELU, then ELU/leaky ReLU variants.
        fixes: ['activation-selu', 'activation-leaky-relu', 'activation-elu', 'lr-divide-10'],
      });
    }
    if ((s.kind === 'sigmoid' || s.kind === 'tanh') && !outputs.has(l.layer) && s.saturated !== undefined && s.saturated > t.saturationFraction) {
      const harm = impairment(run, l, outputSeries, t);
      if (harm) {
        out.push({
          code: s.kind === 'sigmoid' ? 'saturated-sigmoid' : 'saturated-tanh', severity: 'warning', layers: [l.layer],
          message: `${l.layer}: ${pct(s.saturated)} of ${s.kind} activations saturated at step ${step} (threshold ${pct(t.saturationFraction)}; gradient near 0 there), and ${harm.text}`,
          evidence: { step, saturated: s.saturated, threshold: t.saturationFraction, ...harm.evidence },
          fixes: ['activation-relu', 'add-batchnorm', 'activation-selu'],
        });
      }
    }
    seluDepth = s.kind === 'selu' ? seluDepth + 1 : 0;
    // Self-normalization is a property of fully connected SELU layers (Klambauer et al.'s fixed-point
    // theorem assumes many independent inputs per unit); a convolution's outputs share weights across
    // positions, so the band would be judged on the wrong number of independent values. Only Dense
    // layers are judged.
    const className = run.model.layers.find((x) => x.name === l.layer)?.className;
    if (s.kind === 'selu' && className === 'Dense' && s.mean !== undefined && s.std !== undefined) {
      const width = valuesPerSample(run, l.layer);
      const b = seluBand(seluDepth, width, batch, { omega: t.seluOmega, tauLow: t.seluTauLow, tauHigh: t.seluTauHigh, standardErrors: t.seluStandardErrors });
      if (s.mean < b.meanLow || s.mean > b.meanHigh || s.std < b.stdLow || s.std > b.stdHigh) {
        out.push({
          code: 'selu-not-normalizing', severity: 'warning', layers: [l.layer],
          message: `${l.layer}: SELU output mean ${s.mean.toFixed(2)}, std ${s.std.toFixed(2)} at step ${step}, outside what self-normalization keeps at depth ${seluDepth}, ${width} units, ${batch} probe samples (mean ${b.meanLow.toFixed(2)} to ${b.meanHigh.toFixed(2)}, std ${b.stdLow.toFixed(2)} to ${b.stdHigh.toFixed(2)}); it needs LeCun normal init, standardized inputs, alphaDropout, a plain stack of dense layers`,
          evidence: { step, mean: s.mean, std: s.std, meanLow: b.meanLow, meanHigh: b.meanHigh, stdLow: b.stdLow, stdHigh: b.stdHigh, depth: seluDepth, width },
          fixes: ['activation-selu'],
        });
      }
    }
  }
  return out;
}
