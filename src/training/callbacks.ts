/**
 * Callbacks that work with both `gs.fit` and plain `model.fit` (they are `tf.Callback`s).
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
