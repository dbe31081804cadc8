/**
 * Transfer learning: reuse the lower layers of a trained model, freeze them, train the new top,
 * then unfreeze and fine-tune at a lower learning rate (Géron ch. 11). tfjs only honours a change of
 * `trainable` after `compile`, and an Adam/RMSProp/… optimizer keeps its slots by position, so
 * {@link fineTune} always recompiles with a NEW optimizer of the same kind.
 *
 * @example
 * ```ts
 * const model = gs.transfer.reuse(modelA, { copy: true });      // all but A's output layer
 * model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
 * gs.transfer.freeze(model, { upTo: model.layers.length - 2 });  // freeze the reused layers
 * model.compile({ optimizer: tf.train.sgd(0.01), loss: 'binaryCrossentropy' });
 * await gs.fit(model, x, y, { epochs: 4 });
 * gs.transfer.fineTune(model, { top: model.layers.length, lrFactor: 0.1 });
 * await gs.fit(model, x, y, { epochs: 16 });
 *
 * const fromDisk = await gs.transfer.reuse('./models/base');      // a saved model: its folder or model.json
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerInfo } from '../protocol/health';
import { getLearningRate } from './learningRate';
import { internals } from '../engine/modelInternals';
import { summarizeModel } from '../engine/modelSummary';
import { registerFileRouters } from '../engine/fileIO';
import { markReused } from '../engine/reusedLayers';

type Layer = tf.layers.Layer;

function layerIndex(model: tf.LayersModel, at: number | string, who: string): number {
  const i = typeof at === 'string' ? model.layers.findIndex((l) => l.name === at) : at;
  if (!Number.isInteger(i) || i < 0 || i >= model.layers.length) {
    throw new Error(`gs.transfer.${who}: no layer ${JSON.stringify(at)} (the model has ${model.layers.length}: ${model.layers.map((l) => l.name).join(', ')})`);
  }
  return i;
}

/** Arguments of {@link reuse}. */
export interface ReuseArgs {
  /** Last layer to keep (name or index in `base.layers`, inclusive). Defaults to all but the output layer. */
  upTo?: number | string;
  /** Copy the layers and their weights (true) or share the layer objects, so training one trains both (false). Defaults to true. */
  copy?: boolean;
}

/**
 * A new `tf.Sequential` made of `base`'s lower layers (a sequential stack of single-input layers).
 * `base` may be a saved model instead: a path (relative paths from the notebook's folder, or the
 * working directory outside the kernel) to its folder or its model.json, or a URL tfjs loads
 * (`file://`, `http(s)://`, `indexeddb://`…); then the result is a promise and the layers are
 * always copied (`copy: false` is refused: the loaded model is not yours to share).
 */
export function reuse(base: tf.LayersModel, args?: ReuseArgs): tf.Sequential;
export function reuse(base: string, args?: ReuseArgs): Promise<tf.Sequential>;
export function reuse(base: tf.LayersModel | string, args: ReuseArgs = {}): tf.Sequential | Promise<tf.Sequential> {
  if (typeof base === 'string') return reuseSaved(base, args);
  return reuseModel(base, args);
}

/** The URL tfjs loads for a path or URL given to {@link reuse}. */
export function modelUrl(pathOrUrl: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl) ? pathOrUrl : `file://${pathOrUrl}`;
}

async function reuseSaved(where: string, args: ReuseArgs): Promise<tf.Sequential> {
  if (args.copy === false) throw new Error('gs.transfer.reuse: `copy: false` shares layers with the model passed in; a model loaded from a path is always copied (omit `copy`)');
  registerFileRouters(tf);
  let loaded: tf.LayersModel;
  try {
    loaded = await tf.loadLayersModel(modelUrl(where));
  } catch (e) {
    throw new Error(`gs.transfer.reuse: cannot load the base model ${JSON.stringify(where)}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return reuseModel(loaded, args);
  } finally {
    loaded.dispose();
  }
}

function reuseModel(base: tf.LayersModel, args: ReuseArgs): tf.Sequential {
  if (!(base instanceof tf.LayersModel)) throw new Error('gs.transfer.reuse: `base` must be a tf.LayersModel');
  const layers = base.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const last = args.upTo == null ? layers.length - 2 : layers.indexOf(base.layers[layerIndex(base, args.upTo, 'reuse')]);
  if (last < 0) throw new Error('gs.transfer.reuse: nothing to reuse (upTo selects no layer below the output)');
  const picked = layers.slice(0, last + 1);
  const model = tf.sequential();
  if (args.copy === false) {
    for (const l of picked) model.add(l);
  } else {
    const inputShape = base.inputs[0].shape;
    picked.forEach((l, i) => {
      const config = { ...l.getConfig() } as Record<string, unknown>;
      if (i === 0) config.batchInputShape = inputShape;
      const cls = l.constructor as unknown as { fromConfig(c: unknown, cfg: unknown): Layer };
      const copyOf = cls.fromConfig(cls, config);
      model.add(copyOf);
      copyOf.setWeights(l.getWeights());
    });
  }
  model.layers.forEach(markReused);
  return model;
}

/** Arguments of {@link freeze}: give `upTo` or `layers`. */
export interface FreezeArgs {
  /** Freeze layers 0..upTo (name or index in `model.layers`, inclusive). */
  upTo?: number | string;
  /** Freeze exactly these layers (names, indices or layer objects). */
  layers?: (number | string | Layer)[];
}

/** Sets `trainable = false` on the chosen layers; returns their names. Compile (or fineTune) before training. */
export function freeze(model: tf.LayersModel, args: FreezeArgs): string[] {
  if (args == null || (args.upTo == null) === (args.layers == null)) {
    throw new Error('gs.transfer.freeze: pass exactly one of `upTo` or `layers`');
  }
  const chosen = args.upTo != null
    ? model.layers.slice(0, layerIndex(model, args.upTo, 'freeze') + 1)
    : args.layers!.map((l) => (typeof l === 'object' ? l : model.layers[layerIndex(model, l, 'freeze')]));
  for (const l of chosen) l.trainable = false;
  return chosen.map((l) => l.name);
}

/** Arguments of {@link unfreeze}. */
export interface UnfreezeArgs {
  /** Unfreeze the top n layers (output side). Defaults to all layers. */
  top?: number;
}

/** Sets `trainable = true` on the top `n` layers (all by default); returns their names. */
export function unfreeze(model: tf.LayersModel, args: UnfreezeArgs = {}): string[] {
  const n = args.top ?? model.layers.length;
  if (!Number.isInteger(n) || n < 0) throw new Error(`gs.transfer.unfreeze: \`top\` must be an integer ≥ 0, got ${n}`);
  const chosen = n === 0 ? [] : model.layers.slice(-n);
  for (const l of chosen) l.trainable = true;
  return chosen.map((l) => l.name);
}

/** Arguments of {@link fineTune}. */
export interface FineTuneArgs {
  /** New learning rate = current × lrFactor. Defaults to 0.1. */
  lrFactor?: number;
  /** Explicit new learning rate (overrides lrFactor). Defaults to none. */
  learningRate?: number;
  /** Unfreeze the top n layers first (as {@link unfreeze}). Defaults to none. */
  top?: number;
}

/**
 * Recompiles `model` with a NEW optimizer of the same class and settings at the reduced learning
 * rate, keeping loss and metrics, so the current `trainable` flags take effect (reusing the old
 * Adam would crash: its slot variables are matched to the weights by position). Returns the new optimizer.
 */
export function fineTune(model: tf.LayersModel, args: FineTuneArgs = {}): tf.Optimizer {
  const unknown = Object.keys(args).filter((k) => !['lrFactor', 'learningRate', 'top'].includes(k));
  if (unknown.length) throw new Error(`gs.transfer.fineTune: unknown option ${unknown.map((k) => `\`${k}\``).join(', ')} (options: top, lrFactor, learningRate)`);
  const m = internals(model);
  const old = m.optimizer_;
  if (old == null) throw new Error('gs.transfer.fineTune: compile the model first (fineTune reuses its optimizer kind, loss and metrics)');
  if (args.top != null) unfreeze(model, { top: args.top });
  const factor = args.lrFactor ?? 0.1;
  if (!(factor > 0)) throw new Error(`gs.transfer.fineTune: \`lrFactor\` must be > 0, got ${factor}`);
  const lr = args.learningRate ?? getLearningRate(old) * factor;
  const cls = old.constructor as unknown as { fromConfig(c: unknown, cfg: unknown): tf.Optimizer };
  const inner = (old as unknown as { inner?: tf.Optimizer }).inner;
  const config = { ...old.getConfig(), learningRate: lr };
  const fresh = inner ? rebuildClipped(old, inner, lr) : cls.fromConfig(cls, config);
  model.compile({ optimizer: fresh, loss: m.loss, metrics: m.metrics } as tf.ModelCompileArgs);
  return fresh;
}

function rebuildClipped(outer: tf.Optimizer, inner: tf.Optimizer, lr: number): tf.Optimizer {
  const ic = inner.constructor as unknown as { fromConfig(c: unknown, cfg: unknown): tf.Optimizer };
  const freshInner = ic.fromConfig(ic, { ...inner.getConfig(), learningRate: lr });
  const Outer = outer.constructor as unknown as new (o: tf.Optimizer, a: unknown) => tf.Optimizer;
  return new Outer(freshInner, outer.getConfig());
}

/** The frozen-layer map: per layer its name, class, trainable flag and parameter counts (as the health panel shows it). */
export function frozenMap(model: tf.LayersModel): LayerInfo[] {
  return summarizeModel(model).layers;
}
