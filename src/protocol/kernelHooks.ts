/**
 * The contract between the notebook kernel and the code that cells call (the `gradscope` training
 * library and the diagnostics). The kernel installs one {@link KernelHooks} object on `globalThis`
 * under {@link KERNEL_HOOKS_KEY}; outside a kernel (plain Node, `require('./dist/gradscope.js')`)
 * there is none and the library runs headless. Type-only imports: shared by kernel, library and host.
 */

import type { HealthSnapshot, SourceLocation, SourceMapOfModel } from './health';

/** `globalThis[KERNEL_HOOKS_KEY]` holds the kernel's hooks while a kernel runs. */
export const KERNEL_HOOKS_KEY = Symbol.for('gradscope.kernel');

/**
 * A value that knows how it is shown: the kernel shows an object with a method under this key (as a
 * cell's last expression or through `display(value)`) as the MIME bundle the method returns
 * (MIME type → data, e.g. a comparison's JSON with its SVG and text fallbacks).
 */
export const MIME_BUNDLE_KEY = Symbol.for('gradscope.mimeBundle');

/** A rich output that can be updated in place. */
export interface DisplayHandle {
  readonly id: string;
  /** Replaces the output's content (same output, updated in place). */
  update(value: unknown, mime?: string): void;
}

/** What the kernel offers to code running in a cell. */
export interface KernelHooks {
  /** True from an interrupt request until the current cell finishes. */
  readonly interrupted: boolean;
  /** Calls `listener` when the user interrupts the running cell; returns an unsubscribe function. */
  onInterrupt(listener: () => void): () => void;
  /**
   * Shows `value` as a rich output of the running cell. With a `mime`, `value` is that MIME type's
   * data (a string for text/html, an object for JSON types, base64 or a Uint8Array for image/png);
   * without, the kernel picks a representation.
   */
  display(value: unknown, mime?: string): DisplayHandle;
  /** Sends a health snapshot to the running cell's output (the kernel throttles and replaces it). */
  publishHealth(snapshot: HealthSnapshot): void;
  /**
   * Maps the caller's stack to the user's cell source: the innermost frame that lies in a cell,
   * or undefined when the call did not come from a cell. `call` names the call for the record.
   */
  callSite(call: string, stack?: string): SourceLocation | undefined;
  /**
   * Where the model's layers (and `tf.sequential`/`tf.model`, `model.compile`) were created in the
   * cells: the kernel records the call site of every tfjs layer factory a cell calls.
   */
  sourcesOf(model: unknown): SourceMapOfModel | undefined;
  /**
   * Defaults for the health monitor from the editor's settings (`gradscope.diagnostics.*`):
   * `sampleEvery` (0 = adaptive) and threshold overrides by name. Arguments given to gs.fit win.
   */
  readonly diagnostics?: { sampleEvery?: number; thresholds?: Record<string, number> };
  /** The backend the kernel chose at start, e.g. `{ name: 'wasm' }` or `{ name: 'tensorflow', device: 'GPU 0' }`. */
  readonly backend: { name: string; device?: string };
  /**
   * Tells the kernel that a training run (`trainRun`) or one of its steps (`trainStep`, a long
   * synchronous stretch that ends by itself) is running, until the returned function is called. An
   * interrupt waits for both instead of stopping the code or restarting the kernel.
   */
  activity?(kind: 'trainRun' | 'trainStep', step?: number): () => void;
}

/** Marks an error as "the user interrupted this" (the kernel shows it as an interrupt, not a failure). */
export const INTERRUPTED_KEY = Symbol.for('gradscope.interrupted');

/** An error that stops a cell because the user interrupted it; `detail` says what was kept. */
export function interruptedError(message: string, extra: Record<string, unknown> = {}): Error {
  const e = Object.assign(new Error(message), extra, { [INTERRUPTED_KEY]: true });
  e.name = 'Interrupted';
  return e;
}

/** The kernel's hooks when running inside a Gradscope kernel, else undefined. */
export function kernelHooks(): KernelHooks | undefined {
  return (globalThis as Record<symbol, unknown>)[KERNEL_HOOKS_KEY] as KernelHooks | undefined;
}
