/**
 * The model summary with the frozen-layer map: every layer's trainable flag and parameter counts.
 * Cheap enough to recompute whenever the trainable flags change (the signature tells when).
 */
import { isReused } from './reusedLayers';
import type * as tf from '@tensorflow/tfjs';
import type { LayerInfo, ModelSummary } from '../protocol/health';
import { layerActivationKind, standaloneActivationKind } from './activations';
import { outputLayerNames, sourceOf } from './graph';

function count(weights: { shape: readonly (number | null)[] }[]): number {
  let n = 0;
  for (const w of weights) n += w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
  return n;
}

function outputShapeOf(layer: tf.layers.Layer): (number | null)[] {
  try {
    const shape = layer.outputShape as unknown;
    if (Array.isArray(shape) && Array.isArray(shape[0])) return shape[0] as (number | null)[];
    return Array.isArray(shape) ? (shape as (number | null)[]) : [];
  } catch {
    return []; // a layer used at several places has no single output shape
  }
}

/** Summarizes `model` as the snapshot and the frozen-layer map show it. */
export function summarizeModel(model: tf.LayersModel, reused?: ReadonlySet<string>): ModelSummary {
  const isActivation = (l: tf.layers.Layer) => l.weights.length === 0 && standaloneActivationKind(l) !== undefined;
  const outputs = outputLayerNames(model, isActivation);
  const activatedBy = new Map<string, string>();
  for (const l of model.layers) {
    if (!isActivation(l)) continue;
    const src = sourceOf(model, l);
    if (src && src.weights.length > 0 && !activatedBy.has(src.name)) activatedBy.set(src.name, l.name);
  }
  const layers: LayerInfo[] = model.layers.map((layer, index) => {
    const info: LayerInfo = {
      name: layer.name,
      className: layer.getClassName(),
      index,
      trainable: layer.trainable,
      params: { trainable: count(layer.trainableWeights), nonTrainable: count(layer.nonTrainableWeights) },
      outputShape: outputShapeOf(layer),
      hasWeights: layer.weights.length > 0,
    };
    const activation = layerActivationKind(layer);
    if (activation) info.activation = activation;
    if (reused?.has(layer.name) || isReused(layer)) info.reused = true;
    if (info.hasWeights && outputs.has(layer.name)) info.output = true;
    const by = activatedBy.get(layer.name);
    if (by) info.activatedBy = by;
    return info;
  });
  let trainableParams = 0;
  let totalParams = 0;
  for (const l of layers) {
    trainableParams += l.params.trainable;
    totalParams += l.params.trainable + l.params.nonTrainable;
  }
  return { name: model.name, layers, totalParams, trainableParams };
}

/** A string that changes exactly when a layer's trainable flag (or the layer list) changes. */
export function trainableSignature(model: tf.LayersModel): string {
  let s = '';
  for (const l of model.layers) s += l.trainable ? '1' : '0';
  return s;
}
