/**
 * The one catalogue of quick fixes: for every {@link FixId}, the title the code lens, the quick fix
 * and the panel's "Apply" list show, a one-line detail of what the edit does and why, and which part
 * of the user's code it edits. The planner (src/fixes/plan.ts) places lenses by `edits`, the panel
 * (renderers) and the finding explanations (src/fixes/explanations.ts) read `title` and `detail`;
 * the AST edit itself lives in src/fixes/applyFix.ts, keyed by the same ids.
 *
 * Lives in protocol because the renderer may import only this layer.
 *
 * @example
 * fixTitle('activation-relu', 'sigmoid'); // 'Switch sigmoid → ReLU (He init)'
 * FIX_CATALOGUE['add-clipnorm'].edits;    // 'fit'
 */
/**
 * What a fix edits: `model` the model definition (its layer stack, or a statement about the model
 * such as freezing layers), `fit` the options of the training call, `optimizer` the optimizer or its
 * learning rate wherever it is set (the fit options or the compile call).
 */
export type FixEdits = 'model' | 'fit' | 'optimizer';

/** One fix of the catalogue. */
export interface FixInfo {
  id: string;
  /**
   * Short imperative title. `{from}` stands for the flagged layer's current activation when the
   * caller knows it (see {@link fixTitle}); {@link FixInfo.from} is said otherwise.
   */
  title: string;
  /** What `{from}` reads when the activation is not known. */
  from?: string;
  /** One line: what the edit does and why it helps. */
  detail: string;
  edits: FixEdits;
}

const CATALOGUE = {
  'activation-selu': {
    id: 'activation-selu', title: 'Switch {from} → SELU (LeCun init)', from: 'the activation', edits: 'model',
    detail: 'SELU with LeCun-normal initialization on every hidden layer of the stack, dropout → alpha dropout: the stack self-normalizes',
  },
  'activation-leaky-relu': {
    id: 'activation-leaky-relu', title: 'Switch ReLU → LeakyReLU', edits: 'model',
    detail: 'a LeakyReLU layer (α = 0.2) after each flagged ReLU layer: negative inputs keep a gradient, units cannot die',
  },
  'activation-elu': {
    id: 'activation-elu', title: 'Switch ReLU → ELU', edits: 'model',
    detail: "activation 'elu' on the flagged ReLU layers: a non-zero gradient for negative inputs",
  },
  'activation-relu': {
    id: 'activation-relu', title: 'Switch {from} → ReLU (He init)', from: 'sigmoid/tanh', edits: 'model',
    detail: 'ReLU with He-normal initialization on the flagged hidden layers: no saturation for positive inputs',
  },
  'add-batchnorm': {
    id: 'add-batchnorm', title: 'Add BatchNormalization', edits: 'model',
    detail: 'a batchNormalization layer after each flagged layer: re-standardizes the net inputs every batch',
  },
  'add-clipnorm': {
    id: 'add-clipnorm', title: 'Add clipnorm: 1.0', edits: 'fit',
    detail: 'clipnorm: 1.0 on gs.fit: each gradient tensor is rescaled to norm ≤ 1',
  },
  'add-clipvalue': {
    id: 'add-clipvalue', title: 'Add clipvalue: 1.0', edits: 'fit',
    detail: 'clipvalue: 1.0 on gs.fit: each gradient component is clipped to [−1, 1] (may change the direction)',
  },
  'add-global-clipnorm': {
    id: 'add-global-clipnorm', title: 'Add globalClipnorm: 1.0', edits: 'fit',
    detail: 'globalClipnorm: 1.0 on gs.fit: all gradients are scaled together to norm ≤ 1, keeping the direction',
  },
  'wrap-optimizer-clipped': {
    id: 'wrap-optimizer-clipped', title: 'Clip the optimizer (gs.optimizers.clipped)', edits: 'optimizer',
    detail: 'wraps the optimizer in gs.optimizers.clipped(…, { clipnorm: 1 }), for training calls other than gs.fit',
  },
  'switch-to-gs-fit': {
    id: 'switch-to-gs-fit', title: 'Train with gs.fit', edits: 'fit',
    detail: 'model.fit(x, y, args) → gs.fit(model, x, y, args): the same arguments, with gradient health and clipping',
  },
  'lr-divide-10': {
    id: 'lr-divide-10', title: 'Divide the learning rate by 10', edits: 'optimizer',
    detail: 'the learning rate ÷ 10 where it takes effect (schedule, fit optimizer or compiled optimizer)',
  },
  'lr-multiply-10': {
    id: 'lr-multiply-10', title: 'Multiply the learning rate by 10', edits: 'optimizer',
    detail: 'the learning rate × 10 where it takes effect (schedule, fit optimizer or compiled optimizer)',
  },
  'add-exponential-schedule': {
    id: 'add-exponential-schedule', title: 'Add an exponential LR schedule', edits: 'fit',
    detail: 'schedule: gs.schedules.exponential({ initial, steps }) on gs.fit: from the current rate, ÷ 10 over the planned steps',
  },
  'add-plateau-callback': {
    id: 'add-plateau-callback', title: 'Reduce the LR on plateau', edits: 'fit',
    detail: 'gs.callbacks.reduceLROnPlateau (×0.5 after 5 epochs without improvement) in the fit callbacks',
  },
  'add-early-stopping': {
    id: 'add-early-stopping', title: 'Add early stopping (patience 5, restore best)', edits: 'fit',
    detail: 'gs.callbacks.earlyStopping({ patience: 5, restoreBestWeights: true }) in the fit callbacks',
  },
  'add-dropout': {
    id: 'add-dropout', title: 'Add dropout to the top hidden layers', edits: 'model',
    detail: 'tf.layers.dropout({ rate: 0.2 }) after each of the top two hidden layers (alpha dropout 0.1 in a SELU stack)',
  },
  'freeze-base': {
    id: 'freeze-base', title: 'Freeze the reused layers', edits: 'model',
    detail: 'gs.transfer.freeze(model, …) on the reused base layers, so only the new head trains',
  },
  'fine-tune-top': {
    id: 'fine-tune-top', title: 'Fine-tune the top 2 layers at LR ÷ 10', edits: 'fit',
    detail: 'gs.transfer.fineTune(model, { top: 2, lrFactor: 0.1 }) before the training call: unfreezes the top layers with a new optimizer at a 10× lower rate',
  },
} as const satisfies { [id: string]: FixInfo };

/** Stable ids of the edits the quick fixes can apply (findings list them, most recommended first). */
export type FixId = keyof typeof CATALOGUE;

/** Every fix id with its title, detail and what it edits. */
export const FIX_CATALOGUE: { readonly [K in FixId]: FixInfo & { id: K } } = CATALOGUE;

/** Every fix id, in catalogue order. */
export const FIX_IDS = Object.keys(CATALOGUE) as FixId[];

/** The catalogue entry of `id`, undefined for an id newer than this build. */
export function fixInfo(id: string): FixInfo | undefined {
  return Object.prototype.hasOwnProperty.call(FIX_CATALOGUE, id) ? (FIX_CATALOGUE as Record<string, FixInfo>)[id] : undefined;
}

/**
 * A fix's title. `activation` is the flagged layer's current activation when known
 * (`Switch sigmoid → ReLU (He init)`); an unknown id reads as itself.
 */
export function fixTitle(id: string, activation?: string): string {
  const f = fixInfo(id);
  if (!f) return id;
  return f.title.replace('{from}', activation ?? f.from ?? 'the activation');
}
