/**
 * The health rules: pure functions from the collected series (a snapshot without its findings) to
 * findings. Each rule has a stable code, reads only the snapshot, and is tested on constructed series
 * as well as on real small trainings.
 */
import type { Finding, FixId, LayerSeries } from '../protocol/health';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds';
import { activationOf, finiteValues, lastOf, sci, sensitivityProfile, trainable, typicalUpdateRatio, type RunView } from './ruleUtils';
import { saturationRules } from './saturationRules';
import { lossShapeRules } from './lossRules';

export type { RunView } from './ruleUtils';

/** Layers whose ReLU units are mostly dead: dead-relu names them, and their missing gradient is that. */
function deadLayers(run: RunView, t: Thresholds): Set<string> {
  return new Set(run.layers.filter((l) => (l.latestSaturation?.kind === 'relu' || l.latestSaturation?.kind === 'relu6') && (l.latestSaturation.dead ?? 0) > t.deadReluFraction).map((l) => l.layer));
}

function vanishing(run: RunView, t: Thresholds): Finding[] {
  const dead = deadLayers(run, t);
  const prof = sensitivityProfile(run);
  const out: Finding[] = [];
  if (prof.length >= 2) {
    const first = prof[0];
    const last = prof[prof.length - 1];
    const ratio = last.norm / first.norm;
    if (last.norm > 0 && ratio > t.vanishingFactor) {
      const weak = prof.filter((p) => p.norm * t.vanishingFactor < last.norm).map((p) => p.layer.layer);
      // One cause, one finding: a gradient that stops at dead ReLU units is dead-relu's.
      if (weak.every((n) => dead.has(n))) return out;
      const squashing = weak.some((n) => ['sigmoid', 'tanh'].includes(activationOf(run, n) ?? ''));
      const fixes: FixId[] = squashing ? ['activation-relu', 'add-batchnorm', 'activation-selu'] : ['add-batchnorm', 'activation-selu', 'activation-leaky-relu'];
      out.push({
        code: 'vanishing-gradient', severity: 'warning', layers: weak,
        message: first.rms === 0
          ? `no gradient reaches ${first.layer.layer} (sensitivity RMS 0, ${last.layer.layer} ${sci(last.rms)}) at step ${last.step}: the first layers do not learn`
          : `sensitivity falls ${sci(ratio)}× from ${last.layer.layer} (‖s‖ ${sci(last.norm)} per sample, RMS ${sci(last.rms)}) to ${first.layer.layer} (‖s‖ ${sci(first.norm)}, RMS ${sci(first.rms)}) at step ${last.step} (threshold ${t.vanishingFactor}×): the first layers barely learn`,
        evidence: { step: last.step, firstLayer: first.layer.layer, lastLayer: last.layer.layer, rmsFirst: first.rms, rmsLast: last.rms, normFirst: first.norm, normLast: last.norm, ratio, factor: t.vanishingFactor },
        fixes,
      });
      return out;
    }
  }
  // Under Adam and its kin the step is normalized per weight (≈ lr), so this branch mostly speaks for
  // SGD and momentum runs; the sensitivity profile above covers every optimizer.
  const ratios = run.layers
    .filter((l) => trainable(run, l.layer))
    .map((l) => ({ l, r: typicalUpdateRatio(l) }))
    .filter((e): e is { l: LayerSeries; r: { step: number; value: number } } => !!e.r);
  const best = Math.max(...ratios.map((e) => e.r.value));
  // Only when other layers do learn: all layers tiny is a learning-rate problem (lr-too-low).
  const stuck = ratios.filter((e) => e.r.value < t.vanishingUpdateRatio && best >= 10 * t.vanishingUpdateRatio && !dead.has(e.l.layer));
  if (stuck.length > 0) {
    const w = stuck[0];
    out.push({
      code: 'vanishing-gradient', severity: 'warning', layers: stuck.map((e) => e.l.layer),
      message: `${stuck.map((e) => e.l.layer).join(', ')}: update ratio ‖ΔW‖/‖W‖ ${sci(w.r.value)} (median of its last probes, to step ${w.r.step}; threshold ${sci(t.vanishingUpdateRatio)}, rule of thumb ~1e-3, other layers up to ${sci(best)})`,
      evidence: { step: w.r.step, updateRatio: w.r.value, bestUpdateRatio: best },
      fixes: ['add-batchnorm', 'activation-selu', 'activation-leaky-relu'],
    });
  }
  return out;
}

function exploding(run: RunView, t: Thresholds): Finding[] {
  const fixes: FixId[] = ['add-clipnorm', 'lr-divide-10', 'add-batchnorm'];
  for (const l of run.layers) {
    for (const s of [l.gradNorm, l.sensitivityRms]) {
      const i = s.value.findIndex((v) => v === null);
      if (i >= 0) {
        return [{
          code: 'exploding-gradient', severity: 'error', layers: [l.layer],
          message: `${l.layer}: gradient is NaN or infinite at step ${s.step[i]}`,
          evidence: { step: s.step[i], value: null }, fixes,
        }];
      }
    }
  }
  const g = run.training.gradNormPreClip;
  if (g) {
    const v = finiteValues(g);
    const last = lastOf(g);
    const start = v.length > 0 ? Math.min(...v.slice(0, Math.max(1, Math.ceil(v.length / 10)))) : 0;
    if (last && start > 0 && last.value / start > t.explodingGrowth) {
      return [{
        code: 'exploding-gradient', severity: 'error', layers: [],
        message: `global gradient norm grew ${sci(last.value / start)}× (from ${sci(start)} to ${sci(last.value)}) by step ${last.step} (threshold ${sci(t.explodingGrowth)}×)`,
        evidence: { step: last.step, start, norm: last.value, growth: last.value / start }, fixes,
      }];
    }
  }
  const prof = sensitivityProfile(run);
  if (prof.length >= 2) {
    const first = prof[0];
    const last = prof[prof.length - 1];
    if (last.norm > 0 && first.norm / last.norm > t.vanishingFactor) {
      return [{
        code: 'exploding-gradient', severity: 'warning', layers: [first.layer.layer],
        message: `sensitivity grows ${sci(first.norm / last.norm)}× (per-sample norm) from ${last.layer.layer} to ${first.layer.layer} at step ${first.step} (threshold ${t.vanishingFactor}×)`,
        evidence: { step: first.step, rmsFirst: first.rms, rmsLast: last.rms, normFirst: first.norm, normLast: last.norm, ratio: first.norm / last.norm, factor: t.vanishingFactor }, fixes,
      }];
    }
  }
  return [];
}

function nanLoss(run: RunView): Finding[] {
  const s = run.training.loss;
  const i = s.value.findIndex((v) => v === null);
  const ev = run.training.events.find((e) => e.kind === 'nan');
  if (i < 0 && !ev) return [];
  const step = i >= 0 ? s.step[i] : ev!.step;
  return [{
    code: 'nan-loss', severity: 'error', layers: [],
    message: `loss became NaN or infinite at step ${step}`,
    evidence: { step, lr: lastOf(run.training.lr)?.value ?? null },
    fixes: ['lr-divide-10', 'add-clipnorm'],
  }];
}

/** Runs every rule; errors first, then warnings, then infos. */
export function evaluateRules(run: RunView, thresholds: Partial<Thresholds> = {}): Finding[] {
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const findings: Finding[] = [];
  if (run.model.totalParams > 0 && run.model.trainableParams === 0) {
    findings.push({
      code: 'frozen-all', severity: 'error', layers: run.model.layers.filter((l) => l.hasWeights).map((l) => l.name),
      message: `no layer is trainable: all ${run.model.totalParams} parameters are frozen, training cannot change the model`,
      evidence: { step: run.progress.step, totalParams: run.model.totalParams },
      fixes: ['fine-tune-top'],
    });
  }
  findings.push(...nanLoss(run), ...exploding(run, t), ...vanishing(run, t), ...saturationRules(run, t), ...lossShapeRules(run, t));
  const rank = { error: 0, warning: 1, info: 2 };
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
