/**
 * Records where, in the cells, each layer, model and compile call of the engine was made, so that a
 * finding about `dense_Dense3` can be shown on the line that created it. Layer factories are patched
 * in place on the engine's `tf.layers` (so layers made through the gradscope library count too, at
 * the user's call); `tf.sequential`/`tf.model` are wrapped in the tf object that cells import.
 */
import type { SourceLocation, SourceMapOfModel } from '../protocol/health';

type CallSite = (call: string) => SourceLocation | undefined;
type AnyFn = (...args: unknown[]) => unknown;

/** Keeps the call sites and hands cells the wrapped tf module. */
export class LayerSources {
  private readonly layers = new WeakMap<object, SourceLocation>();
  private readonly models = new WeakMap<object, SourceLocation>();
  private readonly compiles = new WeakMap<object, SourceLocation>();
  private readonly wrapped = new WeakMap<object, unknown>();

  constructor(private readonly callSite: CallSite) {}

  /** Patches the engine once: layer factories and `compile` record their call sites. */
  instrument(tf: Record<string, unknown>): void {
    const layers = tf.layers as Record<string, unknown> | undefined;
    if (layers && !(layers as { __gradscope?: boolean }).__gradscope) {
      for (const [key, fn] of Object.entries(layers)) {
        if (typeof fn !== 'function' || !/^[a-z]/.test(key)) continue;
        layers[key] = this.recording(fn as AnyFn, `tf.layers.${key}`, this.layers);
      }
      Object.defineProperty(layers, '__gradscope', { value: true });
    }
    for (const cls of ['LayersModel', 'Sequential']) {
      const proto = (tf[cls] as { prototype?: Record<string, unknown> } | undefined)?.prototype;
      if (!proto || typeof proto.compile !== 'function' || (proto.compile as { __gradscope?: boolean }).__gradscope) continue;
      const compile = proto.compile as AnyFn;
      const sites = this.compiles;
      const callSite = this.callSite;
      const patched = function (this: object, ...args: unknown[]) {
        const site = callSite('model.compile');
        if (site && !sites.has(this)) sites.set(this, site);
        return compile.apply(this, args);
      };
      Object.defineProperty(patched, '__gradscope', { value: true });
      proto.compile = patched;
    }
  }

  /**
   * The tf object a cell gets for `import * as tf from '@tensorflow/tfjs'`: the engine's exports,
   * with `sequential` and `model` recording where the model was defined.
   */
  wrapTf(tf: unknown): unknown {
    if (typeof tf !== 'object' || tf === null) return tf;
    const cached = this.wrapped.get(tf);
    if (cached) return cached;
    const source = tf as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source)) {
      if (key === 'sequential' || key === 'model') continue;
      Object.defineProperty(out, key, { enumerable: true, get: () => source[key] });
    }
    for (const key of ['sequential', 'model']) {
      if (typeof source[key] === 'function') {
        Object.defineProperty(out, key, { enumerable: true, value: this.recording(source[key] as AnyFn, `tf.${key}`, this.models) });
      }
    }
    this.wrapped.set(tf, out);
    return out;
  }

  /** Where the model's layers, the model and its compile call were made (empty maps when unknown). */
  sourcesOf(model: unknown): SourceMapOfModel | undefined {
    if (typeof model !== 'object' || model === null) return undefined;
    const result: SourceMapOfModel = { layers: {} };
    for (const layer of (model as { layers?: { name: string }[] }).layers ?? []) {
      const site = this.layers.get(layer);
      if (site) result.layers[layer.name] = site;
    }
    result.model = this.models.get(model);
    result.compile = this.compiles.get(model) ?? this.compiles.get((model as { model?: object }).model ?? {});
    return result;
  }

  private recording(fn: AnyFn, call: string, into: WeakMap<object, SourceLocation>): AnyFn {
    const callSite = this.callSite;
    const wrapper = function (this: unknown, ...args: unknown[]) {
      const result = fn.apply(this, args);
      if (typeof result === 'object' && result !== null) {
        const site = callSite(call);
        if (site) into.set(result, site);
      }
      return result;
    };
    Object.defineProperty(wrapper, 'name', { value: fn.name });
    return wrapper;
  }
}
