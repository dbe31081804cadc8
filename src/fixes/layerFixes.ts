/**
 * Fixes that insert layers into a stack: batch normalization after the flagged layers (Ioffe &
 * Szegedy 2015, against vanishing/exploding gradients) and dropout after the top hidden layers
 * (against overfitting; Géron: "in practice, you can usually apply dropout only to the neurons in the
 * top one to three layers, excluding the output layer").
 */
import ts from 'typescript';
import { callAt, ensureGsImport, layersPrefix, objectArg, stringProperty, type SourceEdit } from './ast';
import { factoryOf, insertLayerAfter, isOutputLayer, isWeighted, stackOf, type LayerStack } from './stack';
import type { FixFn, FixTarget } from './types';

/** The layer right after `layer` in its stack, if any. */
function nextLayer(stack: LayerStack, layer: ts.CallExpression): ts.CallExpression | undefined {
  return stack.layers[stack.layers.indexOf(layer) + 1];
}

/**
 * `tf.layers.batchNormalization()` after each flagged hidden layer that has none after it yet; for a
 * run-level finding (`target.layers` undefined, only the model), after every hidden layer with weights.
 */
export const addBatchNorm: FixFn = (sf, target) => {
  const edits: SourceEdit[] = [];
  let offsets = target.layers ?? [];
  if (target.layers === undefined && target.model !== undefined) {
    const model = callAt(sf, target.model);
    const stack = model && stackOf(sf, model);
    offsets = stack ? stack.layers.filter(isWeighted).map((l) => l.getStart(sf)) : [];
  }
  for (const offset of offsets) {
    const call = callAt(sf, offset);
    const stack = call && stackOf(sf, call);
    if (!call || !stack || isOutputLayer(stack, call)) continue;
    const next = nextLayer(stack, call);
    if (next && factoryOf(next) === 'batchNormalization') continue;
    edits.push(insertLayerAfter(sf, stack, call, `${layersPrefix(call)}.batchNormalization()`));
  }
  return edits.length ? edits : undefined;
};

/** The stack a target points at: the first flagged layer's, else the model call's. */
function targetStack(sf: ts.SourceFile, target: FixTarget): LayerStack | undefined {
  for (const offset of [...(target.layers ?? []), ...(target.model === undefined ? [] : [target.model])]) {
    const call = callAt(sf, offset);
    const stack = call && stackOf(sf, call);
    if (stack) return stack;
  }
  return undefined;
}

/** How many of the top hidden layers get dropout after them. */
const DROPOUT_LAYERS = 2;

/**
 * `tf.layers.dropout({ rate: 0.2 })` after each of the top two hidden layers (so the inputs of the
 * layers above them are dropped), skipping a layer already followed by dropout. In a SELU stack it
 * inserts `gs.layers.alphaDropout({ rate: 0.1 })` instead (tfjs's own has a sign error): ordinary dropout breaks self-normalization, and
 * Klambauer et al. report alpha-dropout rates of 0.05–0.1 working well.
 */
export const addDropout: FixFn = (sf, target) => {
  const stack = targetStack(sf, target);
  if (!stack) return undefined;
  const weighted = stack.layers.filter(isWeighted);
  const hidden = weighted.filter((l) => !isOutputLayer(stack, l)).slice(-DROPOUT_LAYERS);
  const edits: SourceEdit[] = [];
  let gs: ReturnType<typeof ensureGsImport> | undefined;
  for (const layer of hidden) {
    const next = nextLayer(stack, layer);
    if (next && ['dropout', 'alphaDropout', 'gaussianDropout', 'spatialDropout1d'].includes(factoryOf(next))) continue;
    const config = objectArg(layer, 0);
    const selu = config !== undefined && stringProperty(config, 'activation') === 'selu';
    if (selu) gs ??= ensureGsImport(sf);
    const text = gs && selu ? `${gs.name}.layers.alphaDropout({ rate: 0.1 })` : `${layersPrefix(layer)}.dropout({ rate: 0.2 })`;
    edits.push(insertLayerAfter(sf, stack, layer, text));
  }
  if (gs?.edit) edits.push(gs.edit);
  return edits.length ? edits : undefined;
};
