/** Human-readable text of each quick fix id (the edits themselves live in src/fixes). */
import type { FindingCode, FixId } from '../src/protocol/health';

/** What each fix does, as the finding's detail lists it. */
export const FIX_TEXT: Record<FixId, string> = {
  'activation-selu': 'Switch to SELU with LeCun normal initialization (and AlphaDropout)',
  'activation-leaky-relu': 'Replace ReLU with LeakyReLU',
  'activation-elu': 'Replace ReLU with ELU',
  'activation-relu': 'Use ReLU in the hidden layer instead of sigmoid/tanh',
  'add-batchnorm': 'Insert BatchNormalization after the layer',
  'add-clipnorm': 'Clip each gradient by norm (clipnorm: 1.0)',
  'add-clipvalue': 'Clip gradients by value (clipvalue: 1.0)',
  'add-global-clipnorm': 'Clip the global gradient norm (globalClipnorm: 1.0)',
  'wrap-optimizer-clipped': 'Wrap the optimizer with gradient clipping',
  'switch-to-gs-fit': 'Train with gs.fit so gradients can be measured and clipped',
  'lr-divide-10': 'Divide the learning rate by 10',
  'lr-multiply-10': 'Multiply the learning rate by 10',
  'add-exponential-schedule': 'Add an exponential learning-rate schedule',
  'add-plateau-callback': 'Reduce the learning rate on plateau',
  'add-early-stopping': 'Stop early and restore the best weights',
  'add-dropout': 'Add dropout before the last hidden layers',
  'freeze-base': 'Freeze the reused base layers',
  'fine-tune-top': 'Unfreeze the top layers with a 10× lower learning rate',
};

/** Short title of each finding code, used when a message is missing context. */
export const FINDING_TITLE: Record<FindingCode, string> = {
  'vanishing-gradient': 'vanishing gradients',
  'exploding-gradient': 'exploding gradients',
  'nan-loss': 'loss became NaN',
  'dead-relu': 'dead ReLUs',
  'saturated-sigmoid': 'saturated sigmoid',
  'saturated-tanh': 'saturated tanh',
  'selu-not-normalizing': 'SELU not self-normalizing',
  'lr-too-high': 'learning rate too high',
  'lr-too-low': 'learning rate too low',
  plateau: 'loss plateau',
  overfitting: 'overfitting',
  'frozen-all': 'every layer frozen',
};

/**
 * The text of a fix id from a payload: its entry in {@link FIX_TEXT}, else the id itself. Own entries
 * only, so an id such as `__proto__` or `constructor` reads as text, not as Object.prototype.
 */
export function fixText(id: string): string {
  return Object.prototype.hasOwnProperty.call(FIX_TEXT, id) ? FIX_TEXT[id as FixId] : id;
}
