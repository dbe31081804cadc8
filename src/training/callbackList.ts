/**
 * Turns the `callbacks` argument into tfjs's own `CallbackList`, exactly as `model.fit` does: a
 * tfjs callback object (`tf.callbacks.earlyStopping()`, `gs.callbacks.*`, any `tf.Callback`) is used
 * as it is, a plain `{ onEpochEnd() {…} }` object is wrapped in `tf.CustomCallback`.
 */
import * as tf from '@tensorflow/tfjs';

/** A tfjs callback instance or a plain object of tfjs callback functions. */
export type CallbackArg = tf.Callback | tf.CustomCallbackArgs | { setModel(m: unknown): void; setParams(p: unknown): void };

type BaseCallback = ConstructorParameters<typeof tf.CallbackList>[0] extends (infer T)[] | undefined ? T : never;

/** The callbacks of a run: the list to drive and the objects in it. */
export function callbackList(arg: CallbackArg | CallbackArg[] | undefined): { list: tf.CallbackList; items: BaseCallback[] } {
  const raw = arg == null ? [] : Array.isArray(arg) ? arg : [arg];
  const items = raw.map((cb, i) => {
    if (cb == null || typeof cb !== 'object') throw new Error(`gs.fit: callbacks[${i}] is not a callback object`);
    const c = cb as { setModel?: unknown; setParams?: unknown };
    if (typeof c.setModel === 'function' && typeof c.setParams === 'function') return cb as unknown as BaseCallback;
    // 'never': the run yields to the event loop itself between batches.
    return new tf.CustomCallback(cb as tf.CustomCallbackArgs, 'never') as unknown as BaseCallback;
  });
  return { list: new tf.CallbackList(items), items };
}

/** True when one of the callbacks is a gs.callbacks.reduceLROnPlateau (it sets the learning rate). */
export function hasPlateau(items: readonly unknown[]): boolean {
  return items.some((c) => (c as { isPlateauScheduler?: boolean })?.isPlateauScheduler === true);
}
