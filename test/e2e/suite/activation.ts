/**
 * How long activating Gradscope takes, read in the extension host that activates it. VS Code's
 * own count (the one its Running Extensions view shows) is loading the extension's code plus the
 * call of `activate()`; the extension host records both as performance marks around the `require`
 * of dist/extension.js and around `activate()`. Beside them, the wall time of `ext.activate()`,
 * which also includes VS Code getting the extension's storage ready (a round trip to the workbench
 * that runs alongside the loading, and that no extension code can shorten).
 *
 * @example
 * const a = await activateAndTime(vscode.extensions.getExtension(EXTENSION_ID)!);
 * console.log(describeActivation(a));
 */
import type * as vscode from 'vscode';

/** One activation's times in ms; `loadMs` and `activateMs` are undefined where the marks are missing. */
export interface ActivationTimes {
  /** The extension was active before; nothing was measured. */
  wasActive: boolean;
  /** Wall time of `ext.activate()`. */
  wallMs: number;
  /** The `require` of the extension's main module (VS Code's marks). */
  loadMs?: number;
  /** The `activate()` call (VS Code's marks). */
  activateMs?: number;
}

interface PerfMark { name: string; startTime: number }

/** The extension host's performance marks (vs/base/common/performance keeps them on globalThis). */
function marks(): PerfMark[] {
  const perf = (globalThis as { MonacoPerformanceMarks?: { getMarks(): PerfMark[] } }).MonacoPerformanceMarks;
  return perf?.getMarks() ?? [];
}

/** Activates `ext` and returns how long each part took. */
export async function activateAndTime(ext: vscode.Extension<unknown>): Promise<ActivationTimes> {
  const wasActive = ext.isActive;
  const started = performance.now();
  await ext.activate();
  const wallMs = performance.now() - started;
  const at = (what: string) => marks().find((m) => m.name === `code/extHost/${what}/${ext.id}`)?.startTime;
  const span = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : b - a);
  return {
    wasActive, wallMs,
    loadMs: span(at('willLoadExtensionCode'), at('didLoadExtensionCode')),
    activateMs: span(at('willActivateExtension'), at('didActivateExtension')),
  };
}

/** One line for the test's measurements. */
export function describeActivation(a: ActivationTimes): string {
  if (a.wasActive) return 'activation: already active';
  const own = a.loadMs === undefined || a.activateMs === undefined ? undefined : a.loadMs + a.activateMs;
  const parts = own === undefined
    ? 'no extension-host marks'
    : `loading dist/extension.js ${a.loadMs} ms + activate() ${a.activateMs} ms`;
  return `activation: ${own ?? '?'} ms (${parts}; target ≤ 50 ms); ext.activate() took ${a.wallMs.toFixed(1)} ms in all`;
}
