/**
 * The option summary of a run ({@link RunOptions}): what the comparison's option diff shows, read at
 * the start of the run from the model (layers with weights, their units, activations, initializers,
 * batch normalization), the optimizer the run steps (its class, settings and rate, and the clipping
 * gs.fit wraps around it) and the run's arguments (schedule kind, batch size, epochs). Reads only;
 * never changes the model or the optimizer.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunOptions } from '../../protocol/health';
import { layerActivationKind } from '../../engine/activations';
import { internals } from '../../engine/modelInternals';
import { ClippedOptimizer } from '../../training/optimizers';
import type { TrainBeginInfo } from '../../training/observer';
import { formatNumber } from '../../protocol/numberFormat';

/** Run-length encoding of a list, e.g. `['relu', 'relu', 'sigmoid']` → `relu ×2, sigmoid`. */
export function runLength(items: readonly string[], sep = ', '): string {
  const out: string[] = [];
  for (let i = 0; i < items.length;) {
    let j = i;
    while (j < items.length && items[j] === items[i]) j++;
    out.push(j - i > 1 ? `${items[i]} ×${j - i}` : items[i]);
    i = j;
  }
  return out.join(sep);
}

/** Units of a layer's output (its last dimension), or undefined when unknown. */
function unitsOf(layer: tf.layers.Layer): number | undefined {
  try {
    const shape = layer.outputShape as unknown;
    const one = (Array.isArray(shape) && Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
    const last = Array.isArray(one) ? one[one.length - 1] : undefined;
    return typeof last === 'number' ? last : undefined;
  } catch {
    return undefined;
  }
}

/** Input size (last dimension of the first input), or undefined. */
function inputUnits(model: tf.LayersModel): number | undefined {
  const shape = model.inputs[0]?.shape;
  const last = shape?.[shape.length - 1];
  return typeof last === 'number' ? last : undefined;
}

/** An initializer's name as tfjs-layers spells it in configs (`glorotUniform`, `heNormal`, …). */
function initializerOf(layer: tf.layers.Layer): string {
  // The initializer object's class first: its serialized config loses glorotUniform's distribution.
  const own = layer as unknown as { kernelInitializer?: { getClassName?: () => string }; cell?: { kernelInitializer?: { getClassName?: () => string } } };
  const cls = (own.kernelInitializer ?? own.cell?.kernelInitializer)?.getClassName?.();
  if (cls && cls !== 'VarianceScaling') return cls.charAt(0).toLowerCase() + cls.slice(1);
  const cfg = layer.getConfig() as Record<string, unknown>;
  const init = (cfg.kernelInitializer ?? cfg.depthwiseInitializer ?? (cfg.cell as Record<string, unknown> | undefined)?.kernelInitializer) as
    { className?: string; config?: Record<string, unknown> } | undefined;
  if (!init?.className) return layer.getClassName() === 'BatchNormalization' ? 'ones/zeros' : 'none';
  const name = init.className;
  // VarianceScaling is what glorot/he/lecun are made of: name it by its settings when they match one.
  if (name === 'VarianceScaling' && init.config) {
    const { scale, mode, distribution } = init.config as { scale?: number; mode?: string; distribution?: string };
    const dist = distribution === 'uniform' ? 'Uniform' : 'Normal';
    if (scale === 1 && mode === 'fanAvg') return `glorot${dist}`;
    if (scale === 2 && mode === 'fanIn') return `he${dist}`;
    if (scale === 1 && mode === 'fanIn') return `lecun${dist}`;
    return `varianceScaling (scale ${typeof scale === 'number' ? formatNumber(scale) : '?'}, ${mode ?? '?'}, ${distribution ?? 'normal'})`;
  }
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Optimizer settings shown beside its name (the rate has its own row). */
const OPTIMIZER_SETTINGS: Record<string, [string, string][]> = {
  Adam: [['beta1', 'β1'], ['beta2', 'β2']],
  Adamax: [['beta1', 'β1'], ['beta2', 'β2'], ['decay', 'decay']],
  Momentum: [['momentum', 'momentum'], ['useNesterov', 'nesterov']],
  RMSProp: [['decay', 'decay'], ['momentum', 'momentum'], ['centered', 'centered']],
  Adadelta: [['rho', 'ρ']],
  Adagrad: [['initialAccumulatorValue', 'initial accumulator']],
};

/** `adam (β1 0.9, β2 0.999)`, `sgd`, `momentum (momentum 0.9)`. */
function describeOptimizer(o: tf.Optimizer): string {
  const cls = o.getClassName().replace(/Optimizer$/, '');
  const name = cls === 'SGD' ? 'sgd' : cls === 'RMSProp' ? 'rmsprop' : cls.charAt(0).toLowerCase() + cls.slice(1);
  let cfg: Record<string, unknown> = {};
  try {
    cfg = o.getConfig() as Record<string, unknown>;
  } catch {
    // an optimizer without a config shows its name only
  }
  const parts = (OPTIMIZER_SETTINGS[cls] ?? [])
    .filter(([k]) => cfg[k] !== undefined && cfg[k] !== null)
    .map(([k, label]) => `${label} ${typeof cfg[k] === 'number' ? formatNumber(cfg[k] as number) : String(cfg[k])}`);
  return parts.length ? `${name} (${parts.join(', ')})` : name;
}

/** The loss's name as compiled (a string), or `custom` for a function. */
function lossName(model: tf.LayersModel): string {
  const loss = internals(model).loss;
  const one = (l: unknown) => (typeof l === 'string' ? l : 'custom');
  if (Array.isArray(loss)) return loss.map(one).join(', ');
  if (loss && typeof loss === 'object') return Object.values(loss as Record<string, unknown>).map(one).join(', ');
  return one(loss);
}

/**
 * The option summary of a run about to start.
 * @example summarizeRunOptions(info) // { shape: '16 → 32 ×10 → 1', activations: 'sigmoid ×11', optimizer: 'sgd', learningRate: 0.1, … }
 */
export function summarizeRunOptions(info: TrainBeginInfo): RunOptions {
  const { model } = info;
  const weighted = model.layers.filter((l) => l.weights.length > 0);
  const units = weighted.map((l) => unitsOf(l));
  const input = inputUnits(model);
  const shape = [input === undefined ? '?' : String(input), runLength(units.map((u) => (u === undefined ? '?' : String(u))), ' → ')].join(' → ');
  // A standalone activation layer after a layer is that layer's activation.
  const acts: string[] = [];
  model.layers.forEach((l, i) => {
    if (l.weights.length === 0) return;
    const next = model.layers[i + 1];
    const own = layerActivationKind(l);
    const after = next && next.weights.length === 0 ? layerActivationKind(next) : undefined;
    acts.push(own && own !== 'linear' ? own : (after ?? own ?? 'linear'));
  });
  let opt = info.optimizer;
  const clip: { clipnorm: number | null; globalClipnorm: number | null; clipvalue: number | null } = { clipnorm: null, globalClipnorm: null, clipvalue: null };
  if (opt instanceof ClippedOptimizer) {
    clip.clipnorm = opt.clipnorm ?? null;
    clip.globalClipnorm = opt.globalClipnorm ?? null;
    clip.clipvalue = opt.clipvalue ?? null;
    opt = opt.inner;
  }
  const lr = (opt as unknown as { learningRate?: unknown }).learningRate;
  let trainable = 0;
  let total = 0;
  for (const w of model.weights) {
    const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    total += n;
    if (w.trainable) trainable += n;
  }
  return {
    shape,
    weightedLayers: weighted.length,
    params: trainable === total ? String(total) : `${trainable} trainable of ${total}`,
    activations: runLength(acts),
    initializers: runLength(weighted.map(initializerOf)),
    optimizer: describeOptimizer(opt),
    learningRate: typeof lr === 'number' && Number.isFinite(lr) ? lr : null,
    schedule: info.scheduleKind,
    ...clip,
    batchSize: info.batchSize ?? null,
    epochs: info.epochs,
    batchNorm: model.layers.some((l) => l.getClassName() === 'BatchNormalization'),
    dropout: runLength(model.layers.filter((l) => /Dropout$/.test(l.getClassName())).map((l) => formatNumber((l.getConfig() as { rate?: number }).rate ?? null))) || 'none',
    loss: lossName(model),
  };
}
