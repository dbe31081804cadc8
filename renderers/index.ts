/**
 * Notebook renderer entry for `application/vnd.gradscope.health+json` and the learning-rate finder's
 * `application/vnd.gradscope.lrfinder+json` (package.json
 * `contributes.notebookRenderer`, id `gradscope.health`). Thin on purpose: it validates the payload,
 * keeps one {@link HealthPanel} per output and routes re-renders of the same run to in-place updates;
 * the drawing lives in the section modules.
 */
import type { ApplyFixMessage, Finding, FixId, HealthSnapshot } from '../src/protocol/health';

export type { ApplyFixMessage };
import { createPanel, showError, type HealthPanel } from './panel';
import type { ActivationFunction, OutputItem, RendererApi, RendererContext } from 'vscode-notebook-renderer';
import { watchTheme } from './theme';
import { validateSnapshot } from './validate';
import { LR_FINDER_MIME } from '../src/protocol/lrFinder';
import { LrFinderView, validateLrFinder } from './lrFinder';

/** A drawn output: the health panel of a run, or another Gradscope view (the learning-rate finder). */
interface Entry { element: HTMLElement; panel?: HealthPanel; view?: { destroy(): void; retheme(): void } }

/**
 * Creates the renderer API. Exported for tests; VS Code calls {@link activate}.
 * @example
 * const api = createRenderer({});
 * api.renderOutputItem(item, element, new AbortController().signal);
 */
export function createRenderer(context: Pick<RendererContext<unknown>, 'postMessage'>): RendererApi {
  const entries = new Map<string, Entry>();
  let stopWatching: (() => void) | undefined;

  const dispose = (id: string) => {
    entries.get(id)?.panel?.destroy();
    entries.get(id)?.view?.destroy();
    entries.delete(id);
  };

  function render(item: OutputItem, element: HTMLElement): void {
    let payload: unknown;
    try {
      payload = item.json();
    } catch {
      payload = Symbol('invalid JSON');
    }
    if (item.mime === LR_FINDER_MIME) {
      dispose(item.id);
      const f = typeof payload === 'symbol' ? { ok: false as const, error: 'the output is not valid JSON' } : validateLrFinder(payload);
      if (!f.ok) {
        entries.set(item.id, { element });
        showError(element, f.error);
        return;
      }
      entries.set(item.id, { element, view: new LrFinderView(element, f.payload) });
      stopWatching ??= watchTheme(() => { for (const e of entries.values()) { e.panel?.retheme(); e.view?.retheme(); } });
      return;
    }
    const v = typeof payload === 'symbol' ? { ok: false as const, error: 'the output is not valid JSON' } : validateSnapshot(payload);
    const entry = entries.get(item.id);
    if (!v.ok) {
      if (entry?.panel) dispose(item.id);
      entries.set(item.id, { element });
      showError(element, v.error);
      return;
    }
    const snap: HealthSnapshot = v.snapshot;
    if (entry?.panel && entry.element === element && entry.panel.runId === snap.runId && element.contains(entry.panel.root)) {
      entry.panel.update(snap);
      return;
    }
    if (entry) dispose(item.id);
    const post = context.postMessage;
    const applyFix = post
      ? (f: Finding, findingIndex: number, fix: FixId) =>
        post({ type: 'gradscope.applyFix', runId: snap.runId, findingIndex, fix, code: f.code, layers: f.layers } satisfies ApplyFixMessage)
      : undefined;
    entries.set(item.id, { element, panel: createPanel(element, snap, applyFix) });
    stopWatching ??= watchTheme(() => { for (const e of entries.values()) { e.panel?.retheme(); e.view?.retheme(); } });
  }

  return {
    renderOutputItem(item, element, signal) {
      if (signal?.aborted) return;
      try {
        render(item, element);
      } catch (e) {
        // A drawing bug must leave a readable message, never a blank output.
        if (entries.get(item.id)?.panel || entries.get(item.id)?.view) dispose(item.id);
        showError(element, `internal error while drawing (${e instanceof Error ? e.message : String(e)})`);
      }
    },
    disposeOutputItem(id) {
      if (id !== undefined) { dispose(id); return; }
      for (const key of [...entries.keys()]) dispose(key);
      stopWatching?.();
      stopWatching = undefined;
    },
  };
}

/** VS Code's entry point for the renderer. */
export const activate: ActivationFunction = (context) => createRenderer(context);
