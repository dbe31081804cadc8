/**
 * Rules over the loss curves and the update ratios: lr-too-high (updates a tenth of the weights' size
 * per step, or a loss rising or oscillating from the start), lr-too-low (flat or slowly falling loss
 * with updates below the rule of thumb), plateau (was learning, then stalled for several epochs; never
 * advises a lower rate when the updates are already small) and overfitting (validation loss rising
 * while training loss falls).
 */
import type { Finding } from '../protocol/health';
import type { Thresholds } from './thresholds';
import { finiteValues, lastOf, mean, median, pct, sci, thirds, trainable, typicalUpdateRatio, type RunView } from './ruleUtils';

/** Each trainable layer's typical update ratio (median of its recent probes), largest first. */
function updateRatios(run: RunView): { layer: string; value: number; step: number }[] {
  return run.layers
    .filter((l) => trainable(run, l.layer))
    .map((l) => ({ layer: l.layer, r: typicalUpdateRatio(l) }))
    .filter((e): e is { layer: string; r: { step: number; value: number } } => e.r !== undefined)
    .map((e) => ({ layer: e.layer, value: e.r.value, step: e.r.step }))
    .sort((a, b) => b.value - a.value);
}

/**
 * True when the epoch losses (each a mean over a whole epoch, far quieter than single batches) fall
 * from their first third to their last by more than lrHighNoiseMargin standard errors.
 */
function steadyEpochs(run: RunView, t: Thresholds): boolean {
  const e = finiteValues(run.training.epochLoss);
  if (e.length < 6) return false;
  const { first, last, noise } = thirds(e);
  return first - last > t.lrHighNoiseMargin * noise;
}

/** Each trainable layer's median and largest update ratio over its first probes (up to 8, at most half of them), largest first. */
function earlyUpdateRatios(run: RunView): { layer: string; value: number; max: number; step: number; probes: number }[] {
  const out: { layer: string; value: number; max: number; step: number; probes: number }[] = [];
  for (const l of run.layers) {
    if (!trainable(run, l.layer)) continue;
    const pts = l.updateRatio.value.map((v, i) => ({ v, step: l.updateRatio.step[i] })).filter((p): p is { v: number; step: number } => p.v !== null);
    const k = Math.min(8, Math.floor(pts.length / 2));
    if (k < 3) continue;
    const first = pts.slice(0, k);
    out.push({ layer: l.layer, value: median(first.map((p) => p.v))!, max: Math.max(...first.map((p) => p.v)), step: pts[k - 1].step, probes: k });
  }
  return out.sort((a, b) => b.max - a.max);
}

function lrRules(run: RunView, t: Thresholds): Finding[] {
  const loss = run.training.loss;
  const v = finiteValues(loss);
  const lr = lastOf(run.training.lr)?.value ?? null;
  const rate = lr !== null ? ` ${sci(lr)}` : '';
  const now = lr !== null ? ` (now ${sci(lr)})` : '';
  const ratios = updateRatios(run);
  // The update ratio speaks whatever the loss does: a step that moves a layer's weights by a tenth
  // of their size or more, probe after probe, is a rate far too high even when the loss still falls
  // (or is held down by clipping).
  const big = ratios.filter((r) => r.value > t.lrHighUpdateRatio);
  if (big.length > 0) {
    const top = big[0];
    return [{
      code: 'lr-too-high', severity: 'warning', layers: big.map((r) => r.layer),
      message: `${big.map((r) => r.layer).join(', ')}: each step changes the weights by ${sci(top.value)} of their size (‖ΔW‖/‖W‖, median of the recent probes to step ${top.step}; threshold ${sci(t.lrHighUpdateRatio)}, rule of thumb ~1e-3): the learning rate${rate} is likely too high`,
      evidence: { step: top.step, maxUpdateRatio: top.value, threshold: t.lrHighUpdateRatio, lr },
      fixes: ['lr-divide-10', 'add-exponential-schedule'],
    }];
  }
  if (v.length < t.minLossPoints) return [];
  const step = loss.step[loss.step.length - 1];
  const { first, last, noise } = thirds(v);
  // One of the first steps changed a layer's weights by more than their own size, and the run never
  // recovered: the loss did not even halve since. A too-high rate often does its harm early
  // (saturating or killing units), after which the updates shrink and the loss sits still.
  const early = earlyUpdateRatios(run).filter((r) => r.max > t.lrHighFirstUpdateRatio);
  const overall = (first - last) / Math.abs(first || 1);
  if (early.length > 0 && overall < t.stallOverall) {
    const top = early[0];
    const what = `by up to ${sci(top.max)} times their size in one step (‖ΔW‖/‖W‖ over the first ${top.probes} probes, to step ${top.step}; threshold ${sci(t.lrHighFirstUpdateRatio)})`;
    return [{
      code: 'lr-too-high', severity: 'warning', layers: early.map((r) => r.layer),
      message: `${early.map((r) => r.layer).join(', ')}: the first steps changed the weights ${what}, and the loss fell only ${pct(Math.max(0, overall))} since (under ${pct(t.stallOverall)}): the learning rate${rate} is likely too high`,
      evidence: { step: top.step, earlyUpdateRatio: top.value, earlyMaxUpdateRatio: top.max, threshold: t.lrHighFirstUpdateRatio, overallDecrease: overall, lr },
      fixes: ['lr-divide-10', 'add-exponential-schedule'],
    }];
  }
  const middle = median(v.slice(1))!;
  // Rising trend, or jumped far above the initial loss and stayed there (a healthy run's median is
  // below its start; a far jump, not 10 %, because v[0] is one noisy batch).
  // A rise must also stand out of the batch noise: at its noise floor a converged model's batch losses
  // vary by tens of %, and thirds of a short run differ by more than lrHighRise by chance.
  const rising = last > first * (1 + t.lrHighRise) && last - first > t.lrHighNoiseMargin * noise;
  if (rising || middle > v[0] * t.lrHighJump) {
    return [{
      code: 'lr-too-high', severity: 'warning', layers: [],
      message: rising
        ? `loss rose from ${sci(first)} (first third's mean) to ${sci(last)} (last third's) by step ${step}, more than ${pct(t.lrHighRise)} and ${t.lrHighNoiseMargin} standard errors of the batch noise: the learning rate${rate} is likely too high`
        : `loss jumped from ${sci(v[0])} at the start to a median of ${sci(middle)} (more than ${t.lrHighJump}×) by step ${step}: the learning rate${rate} is likely too high`,
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
      message: `loss oscillates (mean jump ${pct(oscillation)} of the loss, threshold ${pct(t.lrHighOscillation)}) without progress by step ${step}: the learning rate${rate} is likely too high`,
      evidence: { step, oscillation, lossStart: first, lossEnd: last, lr },
      fixes: ['lr-divide-10', 'add-exponential-schedule'],
    }];
  }
  // Judged on each layer's median over its last probes: on its last probe alone, a converged model
  // continued at Adam 1e-3 fired in 2 of 40 runs.
  if (ratios.length === 0) return [];
  const decrease = (first - last) / Math.abs(first || 1);
  const largest = ratios[0].value;
  if (decrease < t.lrLowDecrease && largest < t.lrLowUpdateRatio) {
    return [{
      code: 'lr-too-low', severity: 'warning', layers: [],
      message: `loss barely moves (${(decrease * 100).toFixed(2)} % by step ${step}, under ${pct(t.lrLowDecrease)}) and every layer's update ratio ‖ΔW‖/‖W‖ stays below ${sci(t.lrLowUpdateRatio)} (largest median ${sci(largest)}; rule of thumb ~1e-3): raise the learning rate${now}`,
      evidence: { step, decrease, maxUpdateRatio: largest, threshold: t.lrLowUpdateRatio, lr },
      fixes: ['lr-multiply-10'],
    }];
  }
  // Slow descent: the loss does fall, steadily (beyond the batch noise: it is not a model at its noise
  // floor), but little over the whole run, and no layer moves as much as the rule of thumb. A schedule
  // that lowers the rate on purpose is not judged.
  const steady = first - last > t.lrHighNoiseMargin * noise || steadyEpochs(run, t);
  if (run.training.scheduleKind === 'constant' && steady && decrease < t.lrSlowDecrease && largest < t.lrSlowUpdateRatio) {
    return [{
      code: 'lr-too-low', severity: 'warning', layers: [],
      message: `loss falls steadily but slowly (${(decrease * 100).toFixed(1)} % by step ${step}, under ${pct(t.lrSlowDecrease)}) and every layer's update ratio ‖ΔW‖/‖W‖ stays below ${sci(t.lrSlowUpdateRatio)}, the rule of thumb (largest median ${sci(largest)}): raise the learning rate${now}`,
      evidence: { step, decrease, maxUpdateRatio: largest, threshold: t.lrSlowUpdateRatio, lr },
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
  // Lowering the rate (what ReduceLROnPlateau and a decay do) only helps a rate that is too large for
  // the loss's floor; with every layer's updates below the rule of thumb the rate is the other way.
  const largest = updateRatios(run)[0]?.value;
  // (A schedule that lowers the rate on purpose keeps its own remedies.)
  const small = largest !== undefined && largest < t.lrSlowUpdateRatio && run.training.scheduleKind === 'constant';
  return [{
    code: 'plateau', severity: 'info', layers: [],
    message: `training loss has not improved by ${pct(t.plateauImprovement)} in the last ${t.plateauEpochs} epochs (best ${sci(before)}, now ${sci(vals[vals.length - 1])}) at epoch ${epoch}`
      + (small ? `; every layer's update ratio ‖ΔW‖/‖W‖ is below ${sci(t.lrSlowUpdateRatio)} (largest median ${sci(largest)}), so a higher rate, not a lower one, may get it moving` : ''),
    evidence: { step: run.progress.step, epoch, best: before, recentBest: recent, threshold: t.plateauImprovement, ...(largest !== undefined ? { maxUpdateRatio: largest } : {}) },
    fixes: small ? ['lr-multiply-10'] : ['add-plateau-callback', 'add-exponential-schedule'],
  }];
}

/**
 * The epoch-to-epoch noise of a curve: the robust spread (median absolute deviation) of its second
 * differences v[i] − (v[i−1] + v[i+1]) / 2, which a steady trend does not move and independent noise
 * of standard deviation σ gives a spread of σ·√1.5; 0 when there are too few points.
 */
export function curveNoise(v: number[]): number {
  const d: number[] = [];
  for (let i = 1; i + 1 < v.length; i++) d.push(Math.abs(v[i] - (v[i - 1] + v[i + 1]) / 2));
  const m = median(d);
  return m === undefined ? 0 : m / 0.6745 / Math.sqrt(1.5);
}

/** The least-squares slope of v against its index, per point. */
function slope(v: number[]): number {
  const n = v.length;
  const xm = (n - 1) / 2;
  const ym = mean(v);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - xm) * (v[i] - ym);
    sxx += (i - xm) ** 2;
  }
  return sxx ? sxy / sxx : 0;
}

/**
 * Overfitting, judged against the validation curve's own noise. The best epoch is sought after the
 * first overfitEpochs epochs (a curve whose untrained first epoch happened to be its lowest, then fell
 * for thirty, is learning). A rise: the mean of the last overfitEpochs epochs above the mean of the
 * best epoch and its neighbours by overfitRise and by overfitNoiseMargin standard errors, and the last
 * epoch above it by overfitRise. Without a rise: the validation loss no longer falling over the last
 * quarter of the run (its fitted decline under overfitRise of it even at the upper end of its
 * confidence interval), or not back below its best's level for longer than that quarter, while it
 * stays overfitGap times above a training loss that keeps falling.
 */
function overfitting(run: RunView, t: Thresholds): Finding[] {
  const val = run.training.epochValLoss;
  const train = run.training.epochLoss;
  const w = t.overfitEpochs;
  if (!val || val.value.length < w + 1 || val.value.some((x) => x === null)) return [];
  const vv = val.value as number[];
  // The best is sought after the first w epochs: an untrained model's validation loss says nothing
  // about generalization (on a one-class validation split it can start below anything training reaches).
  let best = Math.min(w, vv.length - 1);
  for (let i = best + 1; i < vv.length; i++) if (vv[i] < vv[best]) best = i;
  const since = vv.length - 1 - best;
  const now = vv[vv.length - 1];
  const recent = mean(vv.slice(-w));
  const epoch = val.step[val.step.length - 1];
  const bestEpoch = val.step[best];
  const trainAt = (e: number) => { const i = train.step.indexOf(e); return i >= 0 ? train.value[i] : null; };
  const trainBest = trainAt(bestEpoch);
  const trainNow = trainAt(epoch);
  if (since < w || trainBest === null || trainNow === null || trainNow >= trainBest) return [];
  const noise = curveNoise(vv);
  // The level at the best: the best epoch with its neighbours, as the minimum of a noisy curve alone
  // sits below the curve by chance.
  const at = vv.slice(best - 1, best + 2);
  const around = mean(at);
  const margin = t.overfitNoiseMargin * noise * Math.sqrt(1 / w + 1 / at.length);
  const noiseText = `epoch-to-epoch noise ${sci(noise)}`;
  // The last epoch too above it: a rise that the latest epoch has already undone is not yet a trend.
  if (recent > around * (1 + t.overfitRise) && recent - around > margin && now > around * (1 + t.overfitRise)) {
    return [{
      code: 'overfitting', severity: 'warning', layers: [],
      message: `validation loss rose from ${sci(vv[best])} (epoch ${bestEpoch}) to ${sci(now)} (epoch ${epoch}; its last ${w} epochs average ${sci(recent)}, more than ${pct(t.overfitRise)} and ${t.overfitNoiseMargin} standard errors (${noiseText}) above the ${sci(around)} of the best epoch and its neighbours, as is the last) while training loss fell from ${sci(trainBest)} to ${sci(trainNow)}`,
      evidence: { step: run.progress.step, epoch, bestEpoch, bestValLoss: vv[best], aroundBestValLoss: around, valLoss: now, recentValLoss: recent, noise, threshold: t.overfitRise, noiseMargin: t.overfitNoiseMargin, trainLoss: trainNow },
      fixes: ['add-early-stopping', 'add-dropout'],
    }];
  }
  // Validation stopped improving while the training loss keeps falling far below it: the model
  // learns its training set, not the task (a small data set memorized by a big net).
  const h = Math.max(2 * w, Math.ceil(vv.length / 4));
  if (vv.length < h) return [];
  const tail = vv.slice(-h);
  const decline = -slope(tail) * (h - 1);
  const sxx = (h * (h * h - 1)) / 12;
  const declineNoise = t.overfitNoiseMargin * (noise / Math.sqrt(sxx)) * (h - 1);
  // Stopped: even the upper end of the decline's confidence interval is under overfitRise of the level
  // (a noisy curve whose decline is merely not significant may still be falling), or the best is
  // more than that quarter of the run ago and the recent epochs are no lower than the level there.
  const flat = decline + declineNoise <= t.overfitRise * recent;
  const stale = since >= h && recent >= around;
  if (!flat && !stale) return [];
  const recentTrain = mean(train.value.slice(-w).filter((x): x is number => x !== null));
  if (!(recentTrain > 0) || recent < t.overfitGap * recentTrain) return [];
  return [{
    code: 'overfitting', severity: 'warning', layers: [],
    message: `validation loss stopped improving at ${sci(vv[best])} (epoch ${bestEpoch}; ${flat
      ? `${since} epochs since; over the last ${h} epochs its fitted trend ${decline > 0 ? `fell ${sci(decline)}` : `rose ${sci(-decline)}`}, ±${sci(declineNoise)} at ${t.overfitNoiseMargin} standard errors (${noiseText}): under ${pct(t.overfitRise)} of it`
      : `not beaten in the ${since} epochs since; the last ${w} average ${sci(recent)}, no lower than the ${sci(around)} of the best epoch and its neighbours`}) while training loss fell from ${sci(trainBest)} to ${sci(trainNow)}: the last ${w} epochs' validation loss ${sci(recent)} is ${sci(recent / recentTrain)}× the training loss ${sci(recentTrain)} (threshold ${t.overfitGap}×)`,
    evidence: { step: run.progress.step, epoch, bestEpoch, bestValLoss: vv[best], valLoss: now, recentValLoss: recent, recentTrainLoss: recentTrain, gap: recent / recentTrain, threshold: t.overfitGap, trainLoss: trainNow, noise, recentDecline: decline },
    fixes: ['add-early-stopping', 'add-dropout'],
  }];
}

/** lr-too-high, lr-too-low, plateau and overfitting findings. */
export function lossShapeRules(run: RunView, t: Thresholds): Finding[] {
  const lr = lrRules(run, t);
  // One cause, one finding: a rate too low is what stalls the loss, and plateau's fixes would lower it.
  const low = lr.some((f) => f.code === 'lr-too-low');
  return [...lr, ...(low ? [] : plateau(run, t)), ...overfitting(run, t)];
}
