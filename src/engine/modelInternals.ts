/**
 * The parts of tfjs-layers' `LayersModel` (4.22.0) that the training loop reuses so that a
 * `gs.fit` step is exactly a `model.fit` step: the model's own train/test functions, input
 * standardization and metric names. They are protected in the typings, hence this one typed view.
 */
import type * as tf from '@tensorflow/tfjs';

/** Internal members of a compiled `tf.LayersModel`. */
export interface ModelInternals {
  optimizer_: tf.Optimizer;
  isOptimizerOwned: boolean;
  stopTraining_: boolean;
  isTraining: boolean;
  lossFunctions: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor)[];
  collectedTrainableWeights?: { name: string }[];
  trainableWeights: { name: string }[];
  loss: unknown;
  metrics: unknown;
  inputNames: string[];
  outputNames: string[];
  inputs: unknown[];
  outputs: unknown[];
  testFunction: (data: tf.Tensor[]) => tf.Scalar[];
  getDedupedMetricsNames(): string[];
  makeTrainFunction(): (data: tf.Tensor[]) => tf.Scalar[];
  makeTestFunction(): void;
  testLoop(f: (data: tf.Tensor[]) => tf.Scalar[], ins: tf.Tensor[], batchSize?: number): tf.Scalar[];
  standardizeUserData(
    x: unknown, y: unknown, sampleWeight?: unknown, classWeight?: unknown, checkBatchAxis?: boolean, batchSize?: number,
  ): Promise<[tf.Tensor[], tf.Tensor[], tf.Tensor[]]>;
}

/**
 * The model seen through its internals. A `tf.Sequential` delegates compile/fit to an inner
 * `LayersModel` (its `model` field, created when built), which is the one holding them.
 */
export function internals(model: tf.LayersModel): ModelInternals {
  const inner = (model as unknown as { model?: unknown }).model;
  return (inner != null && inner !== model && typeof inner === 'object' && 'lossFunctions' in inner ? inner : model) as ModelInternals;
}

/**
 * Throws a clear error when the model cannot be trained as it is: not compiled, or its trainable
 * set changed since compile (tfjs would then keep training the old set and only warn).
 */
export function checkTrainable(model: tf.LayersModel, who: string): void {
  const m = internals(model);
  if (m.optimizer_ == null || !m.lossFunctions?.length) {
    throw new Error(`${who}: the model is not compiled; pass \`optimizer\` and \`loss\`, or call model.compile() first`);
  }
  const collected = (m.collectedTrainableWeights ?? []).map((w) => w.name).join('|');
  const now = m.trainableWeights.map((w) => w.name).join('|');
  if (collected !== now) {
    throw new Error(
      `${who}: the model's trainable layers changed since it was compiled (freeze/unfreeze). ` +
        'Call gs.transfer.fineTune(model) or model.compile() with a NEW optimizer before training',
    );
  }
}

/** Recompiles when `args` names an optimizer, loss or metrics; the compiled ones fill the gaps. */
export function compileIfAsked(
  model: tf.LayersModel,
  args: { optimizer?: tf.Optimizer | string; loss?: unknown; metrics?: unknown },
  who: string,
): void {
  if (args.optimizer == null && args.loss == null && args.metrics == null) return;
  const m = internals(model);
  const optimizer = args.optimizer ?? m.optimizer_;
  const loss = args.loss ?? m.loss;
  if (optimizer == null) throw new Error(`${who}: pass \`optimizer\` (the model was never compiled)`);
  if (loss == null) throw new Error(`${who}: pass \`loss\` (the model was never compiled)`);
  model.compile({ optimizer, loss, metrics: args.metrics ?? m.metrics } as tf.ModelCompileArgs);
}
