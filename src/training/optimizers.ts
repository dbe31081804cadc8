/**
 * `gs.optimizers.clipped`: wraps any tfjs optimizer so that every `applyGradients` (and thus
 * `minimize`, plain `model.fit` and `gs.fit`) clips the gradients first, and records the global
 * gradient norm before and after clipping for each step.
 *
 * @example
 * ```ts
 * const opt = gs.optimizers.clipped(tf.train.adam(1e-3), { clipnorm: 1 });
 * model.compile({ optimizer: opt, loss: 'meanSquaredError' });
 * await model.fit(x, y, { epochs: 5 });
 * opt.norms.pre;  // global gradient norm of each step, before clipping
 * opt.norms.post; // … and after
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { applyMeasuring } from '../engine/wasm/adam';
import { sumsSqOnHost } from '../engine/hostValues';
import { byGlobalNorm, byNorm, byValue, type GradientSet } from './clip';
import { getLearningRate, setLearningRate } from './learningRate';

type Grads = Parameters<tf.Optimizer['applyGradients']>[0];
type SavedWeights = Awaited<ReturnType<tf.Optimizer['getWeights']>>;

/** Arguments of {@link clipped}. `clipnorm` and `globalClipnorm` exclude each other. */
export interface ClippedArgs {
  /** Clip each gradient element to [-clipvalue, clipvalue], applied after the norm clipping. Defaults to none. */
  clipvalue?: number;
  /** Rescale each gradient tensor to l2 norm ≤ clipnorm (Keras `clipnorm`). Defaults to none. */
  clipnorm?: number;
  /** Rescale all gradients together to global norm ≤ globalClipnorm. Defaults to none. */
  globalClipnorm?: number;
  /** Record the pre/post global norms of each step in `norms` (a float64 sum over the gradients in place on wasm/cpu, one small read elsewhere). Defaults to true. */
  recordNorms?: boolean;
}

/** A tfjs optimizer that clips before delegating to the optimizer it wraps. */
export class ClippedOptimizer extends tf.Optimizer {
  static className = 'ClippedOptimizer';
  // tf.Optimizer's own hasInstance accepts any object with minimize/applyGradients, which would make
  // every tfjs optimizer "instanceof ClippedOptimizer"; check the real prototype chain instead.
  static override [Symbol.hasInstance](x: unknown): boolean {
    return x != null && typeof x === 'object' && Object.prototype.isPrototypeOf.call(ClippedOptimizer.prototype, x);
  }
  /** Global gradient norm of each step before (`pre`) and after (`post`) clipping. */
  readonly norms: { pre: number[]; post: number[] } = { pre: [], post: [] };
  /** Norms of the most recent step, or undefined before the first step. */
  last: { pre: number; post: number } | undefined;
  readonly clipvalue?: number;
  readonly clipnorm?: number;
  readonly globalClipnorm?: number;
  private readonly record: boolean;

  constructor(readonly inner: tf.Optimizer, args: ClippedArgs = {}) {
    super();
    if (!(inner instanceof tf.Optimizer)) {
      throw new Error('gs.optimizers.clipped: the first argument must be a tfjs optimizer (e.g. tf.train.adam())');
    }
    if (args.clipnorm != null && args.globalClipnorm != null) {
      throw new Error('gs.optimizers.clipped: pass either `clipnorm` (per tensor) or `globalClipnorm`, not both');
    }
    for (const k of ['clipvalue', 'clipnorm', 'globalClipnorm'] as const) {
      const v = args[k];
      if (v != null && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) {
        throw new Error(`gs.optimizers.clipped: \`${k}\` must be a positive finite number, got ${String(v)}`);
      }
    }
    this.clipvalue = args.clipvalue;
    this.clipnorm = args.clipnorm;
    this.globalClipnorm = args.globalClipnorm;
    this.record = args.recordNorms ?? true;
  }

  /** The wrapped optimizer's learning rate. */
  get learningRate(): number {
    return getLearningRate(this.inner);
  }
  set learningRate(lr: number) {
    setLearningRate(this.inner, lr);
  }
  /** Sets the wrapped optimizer's learning rate (works for SGD/Momentum too). */
  setLearningRate(lr: number): void {
    setLearningRate(this.inner, lr);
  }

  /**
   * Σg² of each gradient of the most recent step, before clipping, by variable name (the training
   * loop turns them into per-layer weight-gradient norms); empty before the first recorded step.
   */
  readonly lastSquares = new Map<string, number>();
  /** Milliseconds the most recent step spent measuring norms (the health monitor budgets it). */
  lastMeterMs = 0;

  /**
   * Called once with the next step's gradients by variable name, before clipping, then cleared (the
   * health monitor's histograms of a probed step). The tensors are valid only during the call.
   */
  gradientTap?: (gradients: ReadonlyMap<string, tf.Tensor>) => void;

  /** Clips `variableGradients` (norm first, then value, as Keras), records the norms, applies. */
  override applyGradients(variableGradients: Grads): void {
    const tap = this.gradientTap;
    if (tap) {
      this.gradientTap = undefined;
      tap(byName(variableGradients as GradientSet));
    }
    const noClip = this.clipnorm == null && this.globalClipnorm == null && this.clipvalue == null;
    if (noClip) {
      // Measuring only: the gradients go to the wrapped optimizer untouched, as without the wrapper.
      if (!this.record) return this.inner.applyGradients(variableGradients);
      // Adam on wasm sums the squares in its own pass over the gradients: nothing left to meter.
      const fused = applyMeasuring(this.inner, variableGradients);
      const t0 = performance.now();
      const total = keepTotal(fused ?? squaresByName(variableGradients as GradientSet), this.lastSquares);
      this.push(Math.sqrt(total), Math.sqrt(total), performance.now() - t0);
      return;
    }
    tf.tidy(() => {
      let g = variableGradients as GradientSet;
      const t0 = performance.now();
      const pre = this.record ? Math.sqrt(keepTotal(squaresByName(g), this.lastSquares)) : 0;
      const preMs = performance.now() - t0;
      if (this.clipnorm != null) g = byNorm(g, this.clipnorm);
      if (this.globalClipnorm != null) g = byGlobalNorm(g, this.globalClipnorm);
      if (this.clipvalue != null) g = byValue(g, this.clipvalue);
      if (this.record) {
        const t1 = performance.now();
        const post = Math.sqrt(keepTotal(squaresByName(g)));
        this.push(pre, post, preMs + performance.now() - t1);
      }
      this.inner.applyGradients(g as Grads);
    });
  }

  private push(pre: number, post: number, ms: number): void {
    this.last = { pre, post };
    this.norms.pre.push(pre);
    this.norms.post.push(post);
    this.lastMeterMs = ms;
  }

  override get iterations(): number {
    return this.inner.iterations;
  }
  override dispose(): void {
    this.inner.dispose();
  }
  override async getWeights(): Promise<SavedWeights> {
    return this.inner.getWeights();
  }
  override async setWeights(weightValues: SavedWeights): Promise<void> {
    return this.inner.setWeights(weightValues);
  }
  override getConfig(): tf.serialization.ConfigDict {
    const c: tf.serialization.ConfigDict = { inner: this.inner.getClassName(), innerConfig: this.inner.getConfig() };
    if (this.clipvalue != null) c.clipvalue = this.clipvalue;
    if (this.clipnorm != null) c.clipnorm = this.clipnorm;
    if (this.globalClipnorm != null) c.globalClipnorm = this.globalClipnorm;
    return c;
  }
}

/**
 * Σg² of each gradient by variable name. On the values in place where the backend holds them on the
 * host (wasm: a SIMD loop over its heap, cpu: a JavaScript loop; float64 sums, no kernels); elsewhere
 * one sum-of-squares kernel per gradient and one read-back.
 */
function squaresByName(grads: GradientSet): Map<string, number> {
  const named: [string, tf.Tensor][] = Array.isArray(grads)
    ? grads.flatMap((e) => (e.tensor ? [[e.name, e.tensor] as [string, tf.Tensor]] : []))
    : Object.entries(grads).flatMap(([n, t]) => (t ? [[n, t] as [string, tf.Tensor]] : []));
  const ts = named.map(([, t]) => t);
  const sums = sumsSqOnHost(ts) ?? kernelSums(ts);
  return new Map(named.map(([name], i) => [name, sums[i]]));
}

/** The gradients by variable name. */
function byName(grads: GradientSet): Map<string, tf.Tensor> {
  return new Map(Array.isArray(grads)
    ? grads.flatMap((e) => (e.tensor ? [[e.name, e.tensor] as [string, tf.Tensor]] : []))
    : Object.entries(grads).flatMap(([n, t]) => (t ? [[n, t] as [string, tf.Tensor]] : [])));
}

/** Σ of `squares` (in their order), copying them into `into` when given. */
function keepTotal(squares: ReadonlyMap<string, number>, into?: Map<string, number>): number {
  into?.clear();
  let total = 0;
  for (const [name, sq] of squares) {
    total += sq;
    into?.set(name, sq);
  }
  return total;
}

/** Σt² of each tensor with one sum-of-squares kernel each and one read-back (native and GPU backends). */
function kernelSums(ts: tf.Tensor[]): ArrayLike<number> {
  if (ts.length === 0) return [];
  const flat = tf.tidy(() => tf.stack(ts.map((t) => tf.sum(tf.square(t.dtype === 'float32' ? t : tf.cast(t, 'float32'))))));
  const sums = flat.dataSync();
  flat.dispose();
  return sums;
}

/**
 * Wraps `optimizer` so that it clips every update (see {@link ClippedArgs}) and records the global
 * gradient norm before and after clipping in `norms`. Works with plain `model.fit`.
 */
export function clipped(optimizer: tf.Optimizer, args: ClippedArgs = {}): ClippedOptimizer {
  return new ClippedOptimizer(optimizer, args);
}
