/**
 * What the model graph says about its layers (inbound nodes), for attribution: which layer's output a
 * standalone activation transforms, and which layers produce the model's outputs. `model.layers`
 * order says neither in a functional model: a branch's activation may come after another branch's
 * layers, and a regression head may be the last layer listed after a softmax head.
 */
import type * as tf from '@tensorflow/tfjs';

interface NodeLike { inboundLayers: tf.layers.Layer[] }
interface ContainerLike { containerNodes?: Set<string>; outputLayers?: tf.layers.Layer[]; model?: ContainerLike; layers: tf.layers.Layer[] }

/**
 * Layers that pass their input through unchanged in shape and meaning at inference (Dropout and
 * kin): an activation after `Dense → Dropout` still transforms the Dense layer's output.
 */
const PASS_THROUGH = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** The nodes of `layer` that belong to `model` (a layer can be reused by other models too). */
function nodesIn(model: tf.LayersModel, layer: tf.layers.Layer): NodeLike[] {
  const c = model as unknown as ContainerLike;
  const keys = c.containerNodes?.size ? c.containerNodes : c.model?.containerNodes;
  const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes ?? [];
  if (!keys?.size) return nodes;
  return nodes.filter((_, i) => keys.has(`${layer.name}_ib-${i}`));
}

/** The single layer feeding `layer` at every one of its nodes in `model`, through pass-through layers; undefined when there is none or several. */
export function sourceOf(model: tf.LayersModel, layer: tf.layers.Layer): tf.layers.Layer | undefined {
  let found: tf.layers.Layer | undefined;
  for (const node of nodesIn(model, layer)) {
    if (node.inboundLayers.length !== 1) return undefined;
    let src: tf.layers.Layer | undefined = node.inboundLayers[0];
    for (let hops = 0; src && PASS_THROUGH.has(src.getClassName()) && hops < 8; hops++) {
      const up = nodesIn(model, src);
      src = up.length === 1 && up[0].inboundLayers.length === 1 ? up[0].inboundLayers[0] : undefined;
    }
    if (!src || (found && found !== src)) return undefined;
    found = src;
  }
  return found;
}

/**
 * Names of the layers with weights whose output is a model output, directly or through standalone
 * activation and pass-through layers (`Dense → Activation('softmax')` is the softmax head).
 */
export function outputLayerNames(model: tf.LayersModel, isActivation: (l: tf.layers.Layer) => boolean): Set<string> {
  const c = model as unknown as ContainerLike;
  let outs = c.outputLayers?.length ? c.outputLayers : c.model?.outputLayers;
  if (!outs?.length) outs = model.layers.length ? [model.layers[model.layers.length - 1]] : [];
  const names = new Set<string>();
  for (const out of outs) {
    let l: tf.layers.Layer | undefined = out;
    for (let hops = 0; l && l.weights.length === 0 && (isActivation(l) || PASS_THROUGH.has(l.getClassName())) && hops < 8; hops++) l = sourceOf(model, l);
    if (l && l.weights.length > 0) names.add(l.name);
  }
  return names;
}
