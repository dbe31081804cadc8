/**
 * Keeps the kernel alive when a timer throws or a promise is rejected with no handler. The wasm
 * backend's Emscripten runtime adds `process` listeners for `uncaughtException` and
 * `unhandledRejection` that throw the error again, which ends the process (exit code 7): every
 * variable of the notebook is lost because a timer threw. The kernel reports such errors on their
 * cell itself (runtime.ts), so those rethrowing listeners are removed; any other listener (a cell's
 * own) stays.
 *
 * @example
 * await tf.setBackend('wasm');
 * dropRethrowingListeners(); // a throwing setTimeout no longer ends the kernel
 */

/** True for the listeners Emscripten installs: they rethrow whatever they get (not its exit signal). */
function rethrows(listener: (...args: never[]) => unknown): boolean {
  const source = Function.prototype.toString.call(listener).replace(/\s+/g, ' ');
  return /instanceof ExitStatus\)\) \{ throw ex; \}/.test(source) || /^function ?\(reason\) \{ throw reason; \}$/.test(source);
}

/** Removes the rethrowing listeners (see the file comment); returns how many it removed. */
export function dropRethrowingListeners(): number {
  let removed = 0;
  for (const listener of process.listeners('uncaughtException')) {
    if (rethrows(listener)) {
      process.removeListener('uncaughtException', listener);
      removed++;
    }
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (rethrows(listener)) {
      process.removeListener('unhandledRejection', listener);
      removed++;
    }
  }
  return removed;
}
