/**
 * Rules over the shape of the loss curves: lr-too-high (rising or oscillating from the start),
 * lr-too-low (flat, tiny updates), plateau (was learning, then stalled for several epochs) and
 * overfitting (validation loss rising while training loss falls).
 */
import type { Finding } from '../protocol/health';
import type { Thresholds } from './thresholds';
import { finiteValues, lastOf, mean, median, sci, thirds, trainable, typicalUpdateRatio, type RunView } from './ruleUtils';

function lrRules(run: RunView, t: Thresholds): Finding[] {
  const loss = run.training.loss;
  const v = finiteValues(loss);
  if (v.length < t.minLossPoints) return [];
  const step = loss.step[loss.step.length - 1];
  const { first, last, noise } = thirds(v);
  const lr = lastOf(run.training.lr)?.value ?? null;
  const middle = median(v.slice(1))!;
  // Rising trend, or jumped far above the initial loss and stayed there (a healthy run's median is
  // below its start; a far jump, not 10 %, because v[0] is one noisy batch).
  // A rise must also stand out of the batch noise: at its noise floor a converged model's batch losses
  // vary by tens of %, and thirds of a short run differ by more than lrHighRise by chance.
  const rising = last > first * (1 + t.lrHighRise) && last - first > t.lrHighNoiseMargin * noise;
  if (rising || middle > v[0] * t.lrHighJump) {
    return [{
      code: 'lr-too-high', severity: 'warning', layers: [],
      message: `loss rose from ${sci(v[0])} at the start (median since ${sci(middle)}, lately ${sci(last)}) by step ${step}: the learning rate${lr !== null ? ` ${sci(lr)}` : ''} is likely too high`,
      evidence: { step, lossStart: v[0], lossMedian: middle, lossEnd: last, lr },
      fixes: ['lr-divide-10', 'add-exponential-schedule'],
    }];
  }
  let jump = 0;
  for (let i = 1; i < v.length; i++) jump += Math.abs(v[i] - v[i - 1]);
  const oscillation = jump / (v.length - 1) / Math.max(Math.abs(mean(v)), 1e-12);
  if (oscillation > t.lrHighOscillation && last > first * (1 - t.lrHighRise)) {
    return [{
      code: 'lr-too-high', severity: 'warning', layers: [],
      message: `loss oscillates (mean jump ${Math.round(oscillation * 100)} % of the loss) without progress by step ${step}: the learning rate is likely too high`,
      evidence: { step, oscillation, lossStart: first, lossEnd: last, lr },
      fixes: ['lr-divide-10', 'add-exponential-schedule'],
    }];
  }
  // Judged on each layer's median over its last probes: on its last probe alone, a converged model
  // continued at Adam 1e-3 fired in 2 of 40 runs.
  const ratios = run.layers
    .filter((l) => trainable(run, l.layer))
    .map((l) => typicalUpdateRatio(l)?.value)
    .filter((r): r is number => r !== undefined);
  const decrease = (first - last) / Math.abs(first || 1);
  const largest = Math.max(...ratios);
  if (ratios.length > 0 && decrease < t.lrLowDecrease && largest < t.lrLowUpdateRatio) {
    return [{
      code: 'lr-too-low', severity: 'warning', layers: [],
      message: `loss barely moves (${(decrease * 100).toFixed(2)} % by step ${step}) and every layer's update ratio ‖ΔW‖/‖W‖ stays below ${sci(t.lrLowUpdateRatio)} (largest median ${sci(largest)}; rule of thumb ~1e-3): raise the learning rate`,
      evidence: { step, decrease, maxUpdateRatio: largest, lr },
      fixes: ['lr-multiply-10'],
    }];
  }
  return [];
}

function plateau(run: RunView, t: Thresholds): Finding[] {
  const s = run.training.epochLoss;
  const v = s.value;
  if (v.length < t.plateauEpochs + 2 || v.some((x) => x === null) || run.training.scheduleKind === 'plateau') return [];
  const vals = v as number[];
  const before = Math.min(...vals.slice(0, -t.plateauEpochs));
  const recent = Math.min(...vals.slice(-t.plateauEpochs));
  const learned = vals[0] > before * (1 + t.plateauImprovement);
  if (!learned || recent < before * (1 - t.plateauImprovement)) return [];
  const epoch = s.step[s.step.length - 1];
  return [{
    code: 'plateau', severity: 'info', layers: [],
    message: `training loss has not improved by ${Math.round(t.plateauImprovement * 100)} % in the last ${t.plateauEpochs} epochs (best ${sci(before)}, now ${sci(vals[vals.length - 1])}) at epoch ${epoch}`,
    evidence: { step: run.progress.step, epoch, best: before, recentBest: recent },
    fixes: ['add-plateau-callback', 'add-exponential-schedule'],
  }];
}

function overfitting(run: RunView, t: Thresholds): Finding[] {
  const val = run.training.epochValLoss;
  const train = run.training.epochLoss;
  if (!val || val.value.length < t.overfitEpochs + 1 || val.value.some((x) => x === null)) return [];
  const vv = val.value as number[];
  let best = 0;
  for (let i = 1; i < vv.length; i++) if (vv[i] < vv[best]) best = i;
  const since = vv.length - 1 - best;
  const now = vv[vv.length - 1];
  const epoch = val.step[val.step.length - 1];
  const bestEpoch = val.step[best];
  const trainAt = (e: number) => { const i = train.step.indexOf(e); return i >= 0 ? train.value[i] : null; };
  const trainBest = trainAt(bestEpoch);
  const trainNow = trainAt(epoch);
  if (since < t.overfitEpochs || now <= vv[best] * (1 + t.overfitRise) || trainBest === null || trainNow === null || trainNow >= trainBest) return [];
  return [{
    code: 'overfitting', severity: 'warning', layers: [],
    message: `validation loss rose from ${sci(vv[best])} (epoch ${bestEpoch}) to ${sci(now)} (epoch ${epoch}) while training loss fell from ${sci(trainBest)} to ${sci(trainNow)}`,
    evidence: { step: run.progress.step, epoch, bestEpoch, bestValLoss: vv[best], valLoss: now, trainLoss: trainNow },
    fixes: ['add-early-stopping', 'add-dropout'],
  }];
}

/** lr-too-high, lr-too-low, plateau and overfitting findings. */
export function lossShapeRules(run: RunView, t: Thresholds): Finding[] {
  return [...lrRules(run, t), ...plateau(run, t), ...overfitting(run, t)];
}
