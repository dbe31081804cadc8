/**
 * The edits of the fix catalogue (protocol/fixCatalogue.ts, which has each fix's title and detail):
 * one AST edit per {@link FixId}, applied to a cell's source. Each edit keeps the
 * user's formatting and touches only what the fix is about; a fix that does not apply to the code it
 * is pointed at returns undefined (the quick fix is then not offered) rather than guess.
 *
 * @example
 * const src = "const m = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'relu' })] });";
 * const r = applyFix('activation-elu', src, { layers: [src.indexOf('tf.layers.dense')] });
 * // r.text: "... tf.layers.dense({ units: 8, activation: 'elu' }) ..."
 */
import type { FixId } from '../protocol/health';
import { activationElu, activationLeakyRelu, activationRelu, activationSelu } from './activationFixes';
import { applyEdits, parse, type SourceEdit } from './ast';
import {
  addClipnorm, addClipvalue, addEarlyStopping, addExponentialSchedule, addGlobalClipnorm, addPlateauCallback,
  lrDivide10, lrMultiply10, switchToGsFit, wrapOptimizerClipped,
} from './fitFixes';
import { addBatchNorm, addDropout } from './layerFixes';
import { fineTuneTop, freezeBase } from './transferFixes';
import type { FixFn, FixTarget } from './types';

export type { SourceEdit } from './ast';
export type { FixTarget } from './types';

/** Every fix id of the catalogue with its edit. */
export const FIXES: Record<FixId, FixFn> = {
  'activation-selu': activationSelu,
  'activation-leaky-relu': activationLeakyRelu,
  'activation-elu': activationElu,
  'activation-relu': activationRelu,
  'add-batchnorm': addBatchNorm,
  'add-clipnorm': addClipnorm,
  'add-clipvalue': addClipvalue,
  'add-global-clipnorm': addGlobalClipnorm,
  'wrap-optimizer-clipped': wrapOptimizerClipped,
  'switch-to-gs-fit': switchToGsFit,
  'lr-divide-10': lrDivide10,
  'lr-multiply-10': lrMultiply10,
  'add-exponential-schedule': addExponentialSchedule,
  'add-plateau-callback': addPlateauCallback,
  'add-early-stopping': addEarlyStopping,
  'add-dropout': addDropout,
  'freeze-base': freezeBase,
  'fine-tune-top': fineTuneTop,
};

/** The edited cell text and the edits that make it (offsets into the original `source`). */
export interface FixResult {
  text: string;
  edits: SourceEdit[];
}

/**
 * Applies fix `id` to a cell's `source` at `target`. Returns undefined when the fix does not apply
 * (e.g. `activation-elu` on a layer that is not ReLU, `add-clipnorm` when it is already set).
 */
export function applyFix(id: FixId, source: string, target: FixTarget): FixResult | undefined {
  // Ids arrive as data (a health payload): `__proto__` or `constructor` must not find Object's members.
  const fix = Object.prototype.hasOwnProperty.call(FIXES, id) ? FIXES[id] : undefined;
  if (!fix) throw new Error(`unknown fix id '${id}'`);
  const edits = fix(parse(source), target);
  if (!edits || edits.length === 0) return undefined;
  return { text: applyEdits(source, edits), edits };
}
