/**
 * Fixes on the training call and the optimizer: gradient clipping (Pascanu et al. 2013, against
 * exploding gradients), switching tfjs `model.fit` to `gs.fit`, the learning rate and its schedule,
 * and the callbacks against plateaus and overfitting.
 */
import ts from 'typescript';
import { callAt, callName, findProperty, namespaceImport, objectArg, quoted, resolveLocal, TFJS_MODULES, ensureGsImport, type SourceEdit } from './ast';
import { addCallback, fitCall, fitOptions, gsContext, hasValidation, setFitOption, switchToGsEdits } from './fitCall';
import { findLearningRate, NAMED_OPTIMIZER_LR } from './learningRateFixes';
import type { FixFn } from './types';

/** A fix that sets one gs.fit option (switching `model.fit` to `gs.fit`, which has it). */
function clipOption(key: string): FixFn {
  return (sf, target) => {
    const fit = fitCall(sf, target);
    if (!fit) return undefined;
    const edit = setFitOption(sf, fit, key, '1.0');
    if (!edit) return undefined;
    return [...gsContext(sf, fit, true).edits, edit];
  };
}

/** `clipnorm: 1.0`: each gradient tensor is rescaled to l2 norm ≤ 1 (Keras `clipnorm`). */
export const addClipnorm = clipOption('clipnorm');
/** `clipvalue: 1.0`: each gradient component is clipped to [-1, 1]; can change the gradient's direction. */
export const addClipvalue = clipOption('clipvalue');
/** `globalClipnorm: 1.0`: all gradients are scaled together to a global l2 norm ≤ 1, keeping the direction. */
export const addGlobalClipnorm = clipOption('globalClipnorm');

/** `model.fit(x, y, a)` → `gs.fit(model, x, y, a)`: same arguments, plus clipping, schedules and health. */
export const switchToGsFit: FixFn = (sf, target) => {
  const fit = fitCall(sf, target);
  if (!fit || fit.kind !== 'tfjs') return undefined;
  return switchToGsEdits(sf, fit).edits;
};

/** The optimizer option of compile (or of the gs.fit options) at the target. */
function optimizerProperty(sf: ts.SourceFile, target: Parameters<FixFn>[1]): ts.PropertyAssignment | undefined {
  const fit = fitCall(sf, target);
  const fitOpts = fit && fitOptions(sf, fit);
  const inFit = fitOpts && findProperty(fitOpts, 'optimizer');
  if (inFit) return inFit;
  const compile = target.compile === undefined ? undefined : callAt(sf, target.compile);
  const opts = compile && objectArg(compile, 0);
  return opts && findProperty(opts, 'optimizer');
}

/**
 * `optimizer: X` → `optimizer: gs.optimizers.clipped(X, { clipnorm: 1 })`, so tfjs's own `model.fit`
 * clips too. An optimizer given by name becomes the `tf.train` call tfjs would have made for it.
 */
export const wrapOptimizerClipped: FixFn = (sf, target) => {
  const p = optimizerProperty(sf, target);
  if (!p) return undefined;
  const value = resolveLocal(sf, p.initializer);
  if (ts.isCallExpression(value) && callName(value)?.endsWith('optimizers.clipped')) return undefined;
  let inner = p.initializer.getText(sf);
  if (ts.isStringLiteralLike(p.initializer)) {
    const named = NAMED_OPTIMIZER_LR[p.initializer.text.toLowerCase()];
    if (!named) return undefined;
    inner = `${namespaceImport(sf, TFJS_MODULES) ?? 'tf'}.train.${named.factory}(${named.lr})`;
  }
  const { name, edit } = ensureGsImport(sf);
  const wrap: SourceEdit = {
    start: p.initializer.getStart(sf),
    end: p.initializer.getEnd(),
    newText: `${name}.optimizers.clipped(${inner}, { clipnorm: 1 })`,
  };
  return edit ? [edit, wrap] : [wrap];
};

/** Learning rate ÷ 10 where the run takes it from (schedule start, fit optimizer, compiled optimizer). */
export const lrDivide10: FixFn = (sf, target) => {
  const site = findLearningRate(sf, target);
  return site ? [site.divide] : undefined;
};

/** Learning rate × 10, at the same place as {@link lrDivide10}. */
export const lrMultiply10: FixFn = (sf, target) => {
  const site = findLearningRate(sf, target);
  return site ? [site.multiply] : undefined;
};

/**
 * `schedule: gs.schedules.exponential({ initial: η0, steps: s })` with η0 the current rate and s the
 * run's step count, epochs × ⌈N / batchSize⌉, so the rate falls 10× over the run (η0 · 0.1^(t/s)).
 * Not offered when the cell does not show the rate or the training data's size.
 */
export const addExponentialSchedule: FixFn = (sf, target) => {
  const fit = fitCall(sf, target);
  if (!fit || !fit.x) return undefined;
  const opts = fitOptions(sf, fit);
  if (opts && findProperty(opts, 'schedule')) return undefined;
  const lr = findLearningRate(sf, target)?.value ?? target.learningRate;
  if (lr === undefined) return undefined;
  const epochs = (opts && findProperty(opts, 'epochs')?.initializer.getText(sf)) ?? '1';
  const batch = (opts && findProperty(opts, 'batchSize')?.initializer.getText(sf)) ?? '32';
  const x = fit.x.getText(sf);
  const n = ts.isIdentifier(fit.x) ? `${x}.shape[0]` : `(${x}).shape[0]`;
  const { edits, gs } = gsContext(sf, fit, true);
  const value = `${gs}.schedules.exponential({ initial: ${lr}, steps: ${epochs} * Math.ceil(${n} / ${batch}) })`;
  const edit = setFitOption(sf, fit, 'schedule', value);
  return edit ? [...edits, edit] : undefined;
};

/** Monitors `val_loss` when the run has validation data, else `loss`. */
function monitorArg(sf: ts.SourceFile, fit: NonNullable<ReturnType<typeof fitCall>>): string {
  return `monitor: ${quoted(sf, hasValidation(sf, fit) ? 'val_loss' : 'loss')}`;
}

/** `gs.callbacks.reduceLROnPlateau({ monitor, factor: 0.5, patience: 5 })`: halve the rate on a plateau. */
export const addPlateauCallback: FixFn = (sf, target) => {
  const fit = fitCall(sf, target);
  if (!fit) return undefined;
  const { edits, gs } = gsContext(sf, fit, false);
  const edit = addCallback(sf, fit, `${gs}.callbacks.reduceLROnPlateau({ ${monitorArg(sf, fit)}, factor: 0.5, patience: 5 })`, 'reduceLROnPlateau');
  return edit ? [...edits, edit] : undefined;
};

/**
 * `gs.callbacks.earlyStopping({ patience: 5, restoreBestWeights: true })` (monitoring `val_loss`, the
 * default; `loss` is named when the run has no validation data).
 */
export const addEarlyStopping: FixFn = (sf, target) => {
  const fit = fitCall(sf, target);
  if (!fit) return undefined;
  const { edits, gs } = gsContext(sf, fit, false);
  const monitor = hasValidation(sf, fit) ? '' : `${monitorArg(sf, fit)}, `;
  const edit = addCallback(sf, fit, `${gs}.callbacks.earlyStopping({ ${monitor}patience: 5, restoreBestWeights: true })`, 'earlyStopping');
  return edit ? [...edits, edit] : undefined;
};
