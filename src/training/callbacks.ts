/**
 * Callbacks that work with both `gs.fit` and plain `model.fit` (they are `tf.Callback`s). Note that
 * tfjs's `model.fit` wraps the whole callbacks array in `tf.CustomCallback` when its FIRST entry is a
 * plain `{ onEpochEnd() {…} }` object; there, list these first or wrap plain objects in
 * `new tf.CustomCallback({...})`. `gs.fit` handles mixed arrays either way.
 *
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 100, validationSplit: 0.2, callbacks: [
 *   gs.callbacks.earlyStopping({ patience: 10, restoreBestWeights: true }),
 *   gs.callbacks.reduceLROnPlateau({ factor: 0.5, patience: 5 }),
 * ] });
 * ```
 */
export { earlyStopping, EarlyStopping, type EarlyStoppingArgs } from './earlyStopping';
export { reduceLROnPlateau, ReduceLROnPlateau, type ReduceLROnPlateauArgs } from './plateau';
