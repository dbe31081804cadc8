/**
 * Gradient clipping. tfjs optimizers have none (and silently ignore a Keras-style `clipnorm`), so
 * these functions clip a gradient set before `optimizer.applyGradients`. `grads` is either a
 * `{ name: Tensor }` map (what `tf.variableGrads` and `optimizer.computeGradients` return) or an
 * array of `{ name, tensor }` (what `applyGradients` also accepts); the result has the same form.
 * Null gradients (frozen variables) pass through unchanged. The returned tensors are new: dispose
 * them (or call inside `tf.tidy`).
 *
 * @example
 * ```ts
 * const { value, grads } = tf.variableGrads(() => loss());
 * optimizer.applyGradients(gs.clip.byGlobalNorm(grads, 1));
 * ```
 */
import * as tf from '@tensorflow/tfjs';

/** One named gradient, as `optimizer.applyGradients` takes them. */
export interface NamedGradient {
  name: string;
  tensor: tf.Tensor | null;
}

/** A gradient set: a map from variable name to gradient, or a list of named gradients. */
export type GradientSet = tf.NamedTensorMap | Record<string, tf.Tensor | null> | NamedGradient[];

type Entry = { name: string; tensor: tf.Tensor | null };

function entries(grads: GradientSet, who: string): Entry[] {
  if (grads == null || typeof grads !== 'object') {
    throw new Error(`gs.clip.${who}: \`grads\` must be a { name: Tensor } map or an array of { name, tensor }`);
  }
  if (Array.isArray(grads)) {
    return grads.map((g, i) => {
      if (g == null || typeof g !== 'object' || !('tensor' in g)) {
        throw new Error(`gs.clip.${who}: grads[${i}] is not a { name, tensor } entry`);
      }
      return { name: g.name, tensor: g.tensor ?? null };
    });
  }
  return Object.keys(grads).map((name) => ({ name, tensor: (grads as Record<string, tf.Tensor | null>)[name] ?? null }));
}

function rebuild<G extends GradientSet>(grads: G, out: Entry[]): G {
  if (Array.isArray(grads)) return out as unknown as G;
  const map: Record<string, tf.Tensor | null> = {};
  for (const e of out) map[e.name] = e.tensor;
  return map as G;
}

function threshold(who: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new Error(`gs.clip.${who}: \`${name}\` must be a positive finite number, got ${String(v)}`);
  }
  return v;
}

/** Clips each gradient elementwise to [-v, v] (Keras `clipvalue`). */
export function byValue<G extends GradientSet>(grads: G, v: number): G {
  const c = threshold('byValue', 'v', v);
  const es = entries(grads, 'byValue');
  return rebuild(grads, es.map((e) => ({ name: e.name, tensor: e.tensor && tf.clipByValue(e.tensor, -c, c) })));
}

/** l2 norm of one tensor as a scalar. */
function l2(t: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.sum(tf.square(t))) as tf.Scalar);
}

/**
 * Rescales each gradient tensor on its own so that its l2 norm is at most n: g · n / max(‖g‖, n)
 * (Keras `clipnorm`). The direction of each tensor is kept; [0.9, 100] with n = 1 becomes
 * [0.00899964, 0.9999595].
 */
export function byNorm<G extends GradientSet>(grads: G, n: number): G {
  const c = threshold('byNorm', 'n', n);
  const es = entries(grads, 'byNorm');
  return rebuild(
    grads,
    es.map((e) => ({
      name: e.name,
      tensor: e.tensor && tf.tidy(() => tf.mul(e.tensor!, tf.div(c, tf.maximum(l2(e.tensor!), c)))),
    })),
  );
}

/** The global l2 norm √(Σ‖g‖²) over all non-null gradients, as a scalar tensor. */
export function globalNorm(grads: GradientSet): tf.Scalar {
  const ts = entries(grads, 'globalNorm').flatMap((e) => (e.tensor ? [e.tensor] : []));
  return tf.tidy(() => {
    if (ts.length === 0) return tf.scalar(0);
    return tf.sqrt(tf.addN(ts.map((t) => tf.sum(tf.square(t.dtype === 'float32' ? t : tf.cast(t, 'float32')))))) as tf.Scalar;
  });
}

/**
 * Rescales all gradients together so that their global norm is at most n: g · n / max(G, n) with
 * G = √(Σ‖g‖²) (`tf.clip_by_global_norm`, Keras `global_clipnorm`). Keeps the direction of the
 * whole update.
 */
export function byGlobalNorm<G extends GradientSet>(grads: G, n: number): G {
  const c = threshold('byGlobalNorm', 'n', n);
  const es = entries(grads, 'byGlobalNorm');
  const scale = tf.tidy(() => tf.div(c, tf.maximum(globalNorm(grads), c)));
  const out = es.map((e) => ({ name: e.name, tensor: e.tensor && tf.mul(e.tensor, scale) }));
  scale.dispose();
  return rebuild(grads, out);
}
