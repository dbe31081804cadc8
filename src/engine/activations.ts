/**
 * Which activation a layer applies, in the protocol's {@link ActivationKind} terms. tfjs stores a fused
 * activation on Dense/Conv/recurrent layers (`layer.activation`, an object whose `getClassName()` is the
 * activation's serialization name); standalone activation layers (ReLU, LeakyReLU, ELU, Softmax,
 * Activation, PReLU) are recognized by class name.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ActivationKind } from '../protocol/health';

/** tfjs activation serialization names → protocol kinds. */
const BY_NAME: Record<string, ActivationKind> = {
  relu: 'relu', relu6: 'relu6', elu: 'elu', selu: 'selu', linear: 'linear', sigmoid: 'sigmoid',
  tanh: 'tanh', softmax: 'softmax', softplus: 'softplus', swish: 'swish', gelu: 'gelu',
  gelu_new: 'gelu', leakyRelu: 'leakyRelu', hardSigmoid: 'other', softsign: 'other', mish: 'other',
  logSoftmax: 'other',
};

/** Maps a tfjs activation name (`relu`, `gelu_new`…) to its kind; unknown names are `other`. */
export function kindOfActivationName(name: string | undefined): ActivationKind {
  if (name === undefined) return 'linear';
  return BY_NAME[name] ?? 'other';
}

/** The activation object a layer applies after its net input, when it has one (Dense, Conv…). */
export interface ActivationLike {
  apply(x: tf.Tensor, axis?: number): tf.Tensor;
  getClassName(): string;
}

/** Layers whose activation is fused into the layer (`layer.activation`); recurrent ones keep it on the cell. */
export function fusedActivationOf(layer: tf.layers.Layer): ActivationLike | undefined {
  const act = (layer as unknown as { activation?: ActivationLike | null }).activation;
  if (act && typeof act.apply === 'function' && typeof act.getClassName === 'function') return act;
  return undefined;
}

/** The kind of a standalone activation layer (ReLU, LeakyReLU…), or undefined for any other layer. */
export function standaloneActivationKind(layer: tf.layers.Layer): ActivationKind | undefined {
  const cls = layer.getClassName();
  const cfg = layer.getConfig() as Record<string, unknown>;
  switch (cls) {
    case 'ReLU': return cfg.maxValue === 6 ? 'relu6' : 'relu';
    case 'LeakyReLU': case 'PReLU': return 'leakyRelu';
    case 'ELU': return 'elu';
    case 'Softmax': return 'softmax';
    case 'ThresholdedReLU': return 'other';
    case 'Activation': return kindOfActivationName(fusedActivationOf(layer)?.getClassName());
    default: return undefined;
  }
}

/** The activation kind of a layer's output for the model summary, when it has one. */
export function layerActivationKind(layer: tf.layers.Layer): ActivationKind | undefined {
  const standalone = standaloneActivationKind(layer);
  if (standalone) return standalone;
  const fused = fusedActivationOf(layer);
  if (fused) return kindOfActivationName(fused.getClassName());
  const cell = (layer as unknown as { cell?: tf.layers.Layer }).cell;
  if (cell) return layerActivationKind(cell);
  return undefined;
}
