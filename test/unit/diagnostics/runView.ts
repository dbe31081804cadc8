/** Builds RunViews (snapshots without findings) from plain arrays, for the rule tests on constructed series. */
import type { ActivationKind, LayerInfo, LayerSeries, SaturationSample, Series } from '../../../src/protocol/health';
import type { RunView } from '../../../src/diagnostics/rules';

/** A series over steps 0..n-1 (or the given steps). */
export function series(values: (number | null)[], steps?: number[]): Series {
  return { step: steps ?? values.map((_, i) => i), value: values };
}

export interface LayerSpec {
  name: string;
  activation?: ActivationKind;
  trainable?: boolean;
  sens?: number;
  /** The probes' sensitivity RMS over the run (evenly spaced up to the last step), instead of one `sens`. */
  sensSeries?: number[];
  /** Output shape (defaults to [null, 10]). */
  outputShape?: (number | null)[];
  gradNorm?: (number | null)[];
  /** The last probe's ‖ΔW‖/‖W‖, or the probes' over the run (evenly spaced up to the last step). */
  updateRatio?: number | number[];
  saturation?: SaturationSample;
}

/** `n` steps evenly spread up to `last`. */
function spread(n: number, last: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round((last * (i + 1)) / n));
}

/** A run of `layers` (all Dense with weights) and the given training curves. */
export function runView(a: {
  layers?: LayerSpec[];
  loss?: (number | null)[];
  epochLoss?: number[];
  epochValLoss?: number[];
  gradNormPreClip?: number[];
  scheduleKind?: string;
  step?: number;
}): RunView {
  const specs = a.layers ?? [];
  const infos: LayerInfo[] = specs.map((l, index) => ({
    name: l.name, className: 'Dense', index, activation: l.activation ?? 'relu', trainable: l.trainable ?? true,
    params: { trainable: l.trainable === false ? 0 : 100, nonTrainable: l.trainable === false ? 100 : 0 },
    outputShape: l.outputShape ?? [null, 10], hasWeights: true,
  }));
  const total = infos.reduce((s, l) => s + l.params.trainable + l.params.nonTrainable, 0);
  const trainable = infos.reduce((s, l) => s + l.params.trainable, 0);
  const step = a.step ?? Math.max(0, (a.loss?.length ?? 1) - 1);
  const layers: LayerSeries[] = specs.map((l) => ({
    layer: l.name,
    sensitivityRms: l.sensSeries ? series(l.sensSeries, spread(l.sensSeries.length, step))
      : l.sens === undefined ? series([]) : series([l.sens], [step]),
    sensitivityMax: l.sens === undefined ? series([]) : series([l.sens * 3], [step]),
    gradNorm: l.gradNorm ? series(l.gradNorm) : series([]),
    updateRatio: l.updateRatio === undefined ? series([])
      : Array.isArray(l.updateRatio) ? series(l.updateRatio, spread(l.updateRatio.length, step))
      : series([l.updateRatio], [step]),
    ...(l.saturation ? { latestSaturation: l.saturation, saturation: { mean: series([l.saturation.mean ?? 0], [step]) } } : {}),
  }));
  const epochs = a.epochLoss?.length ?? 0;
  return {
    version: 1, runId: 't', status: 'training', backend: 'cpu', time: 0,
    progress: { epoch: Math.max(0, epochs - 1), epochs: Math.max(1, epochs), step, stepsPerEpoch: 10, totalSteps: 10 * Math.max(1, epochs), elapsedMs: 0 },
    model: { name: 'm', layers: infos, totalParams: total, trainableParams: trainable },
    training: {
      lr: series((a.loss ?? []).map(() => 1e-3)), scheduleKind: a.scheduleKind ?? 'constant', loss: series(a.loss ?? []),
      epochLoss: series(a.epochLoss ?? [], (a.epochLoss ?? []).map((_, i) => i + 1)),
      ...(a.epochValLoss ? { epochValLoss: series(a.epochValLoss, a.epochValLoss.map((_, i) => i + 1)) } : {}),
      metrics: {}, ...(a.gradNormPreClip ? { gradNormPreClip: series(a.gradNormPreClip) } : {}), events: [],
    },
    layers, sampleEvery: 1,
  };
}

/** A smoothly decreasing loss with a little noise: the healthy baseline of the loss rules. */
export function healthyLoss(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 2 * Math.exp(-i / (n / 3)) + 0.1 + 0.02 * Math.sin(i * 1.7));
}
