/**
 * Notebook renderer entry for `application/vnd.gradscope.health+json` (package.json
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
import { COMPARE_MIME, type CompareOfferMessage, type ComparisonMessage, type CompareOffersRequest, type CompareWithMessage } from '../src/protocol/runs';
import { CompareBar } from './compareBar';
import { CompareView, showCompareError } from './compare';
import { validateComparison } from './compareValidate';

interface Entry { element: HTMLElement; panel?: HealthPanel; bar?: CompareBar; comparison?: CompareView; status?: string }

/**
 * Creates the renderer API. Exported for tests; VS Code calls {@link activate}.
 * @example
 * const api = createRenderer({});
 * api.renderOutputItem(item, element, new AbortController().signal);
 */
export function createRenderer(context: Pick<RendererContext<unknown>, 'postMessage'> & Partial<Pick<RendererContext<unknown>, 'onDidReceiveMessage'>>): RendererApi {
  const entries = new Map<string, Entry>();
  let stopWatching: (() => void) | undefined;

  const dispose = (id: string) => {
    const e = entries.get(id);
    e?.bar?.destroy();
    e?.panel?.destroy();
    e?.comparison?.destroy();
    entries.delete(id);
  };

  // The host's answers to the comparison bars: offers, and comparisons to draw under a panel.
  context.onDidReceiveMessage?.((m: unknown) => {
    const msg = m as Partial<CompareOfferMessage | ComparisonMessage> | undefined;
    if (typeof msg?.runId !== 'string') return;
    for (const e of entries.values()) {
      if (!e.bar || e.bar.runId !== msg.runId) continue;
      if (msg.type === 'gradscope.compareOffer') e.bar.offer(msg as CompareOfferMessage);
      else if (msg.type === 'gradscope.comparison') e.bar.show(msg as ComparisonMessage);
    }
  });

  function renderComparison(item: OutputItem, element: HTMLElement): void {
    let payload: unknown;
    try {
      payload = item.json();
    } catch {
      payload = undefined;
    }
    dispose(item.id);
    const v = payload === undefined ? { ok: false as const, error: 'the output is not valid JSON' } : validateComparison(payload);
    if (!v.ok) {
      entries.set(item.id, { element });
      showCompareError(element, v.error);
      return;
    }
    entries.set(item.id, { element, comparison: new CompareView(element, v.payload) });
    stopWatching ??= watchTheme(() => { for (const e of entries.values()) { e.panel?.retheme(); e.bar?.retheme(); e.comparison?.retheme(); } });
  }

  function render(item: OutputItem, element: HTMLElement): void {
    if (item.mime === COMPARE_MIME) return renderComparison(item, element);
    let payload: unknown;
    try {
      payload = item.json();
    } catch {
      payload = Symbol('invalid JSON');
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
      // A run that just ended is one more run to compare with: ask the host again.
      if (entry.bar && entry.status === 'training' && snap.status !== 'training') context.postMessage?.({ type: 'gradscope.compareOffers', runId: snap.runId } satisfies CompareOffersRequest);
      entry.status = snap.status;
      return;
    }
    if (entry) dispose(item.id);
    const post = context.postMessage;
    const applyFix = post
      ? (f: Finding, findingIndex: number, fix: FixId) =>
        post({ type: 'gradscope.applyFix', runId: snap.runId, findingIndex, fix, code: f.code, layers: f.layers } satisfies ApplyFixMessage)
      : undefined;
    const panel = createPanel(element, snap, applyFix);
    // With messaging, the panel asks the host which runs it can be compared with (see compareBar.ts).
    const bar = post && context.onDidReceiveMessage ? new CompareBar(panel.root, snap.runId, (m: CompareWithMessage) => post(m)) : undefined;
    entries.set(item.id, { element, panel, bar, status: snap.status });
    if (post && bar) post({ type: 'gradscope.compareOffers', runId: snap.runId } satisfies CompareOffersRequest);
    stopWatching ??= watchTheme(() => { for (const e of entries.values()) { e.panel?.retheme(); e.bar?.retheme(); e.comparison?.retheme(); } });
  }

  return {
    renderOutputItem(item, element, signal) {
      if (signal?.aborted) return;
      try {
        render(item, element);
      } catch (e) {
        // A drawing bug must leave a readable message, never a blank output.
        if (entries.get(item.id)?.panel) dispose(item.id);
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
