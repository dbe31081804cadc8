/**
 * The panel's comparison bar: "Compare with…" (the host lets the user pick another run of the
 * session) and, on the re-run after a quick fix, "Compare with the run before the fix". The bar asks
 * the host what it can offer once the panel is drawn, shows only the buttons the host's answer allows,
 * and draws the comparison the host sends back under the panel. Needs renderer messaging; without it
 * the panel has no bar.
 */
import type { CompareOfferMessage, ComparisonMessage, CompareWithMessage } from '../src/protocol/runs';
import { CompareView } from './compare';
import { validateComparison } from './compareValidate';
import { el } from './dom';

/**
 * One panel's bar.
 * @example
 * const bar = new CompareBar(panel.root, runId, post);
 * bar.offer({ type: 'gradscope.compareOffer', runId, others: 2 });
 */
export class CompareBar {
  readonly root: HTMLElement;
  private readonly buttons: HTMLElement;
  private readonly viewHost: HTMLElement;
  private view?: CompareView;

  constructor(parent: HTMLElement, readonly runId: string, private readonly post: (m: CompareWithMessage) => void) {
    this.buttons = el('div', { class: 'gs-compare-buttons' });
    this.viewHost = el('div', { class: 'gs-compare-host' });
    this.root = el('div', { class: 'gs-compare-bar', attrs: { 'aria-label': 'Compare runs' } }, this.buttons, this.viewHost);
    this.root.hidden = true;
    parent.append(this.root);
  }

  /** Shows the buttons the host offers. */
  offer(m: CompareOfferMessage): void {
    const buttons: HTMLElement[] = [];
    if (m.beforeFix) {
      const b = el('button', { class: 'gs-compare-before-fix', text: 'Compare with the run before the fix', title: `${m.beforeFix.label}, before “${m.beforeFix.fix}”` });
      b.addEventListener('click', () => this.post({ type: 'gradscope.compareWith', runId: this.runId, with: m.beforeFix!.runId }));
      buttons.push(b);
    }
    if (m.others > 0) {
      const b = el('button', { class: 'gs-compare-with', text: 'Compare with…', title: `Pick another of the session's ${m.others} other run${m.others === 1 ? '' : 's'}` });
      b.addEventListener('click', () => this.post({ type: 'gradscope.compareWith', runId: this.runId }));
      buttons.push(b);
    }
    this.buttons.replaceChildren(...buttons);
    this.root.hidden = buttons.length === 0 && !this.view;
  }

  /** Draws the comparison the host sent, replacing the previous one. */
  show(m: ComparisonMessage): void {
    this.view?.destroy();
    this.view = undefined;
    const v = validateComparison(m.payload);
    if (!v.ok) {
      this.viewHost.replaceChildren(el('p', { class: 'gs-error-text', text: `Gradscope cannot show this comparison: ${v.error}` }));
    } else {
      this.root.hidden = false;
      this.view = new CompareView(this.viewHost, v.payload, { title: m.title });
    }
    this.root.hidden = false;
  }

  retheme(): void {
    this.view?.retheme();
  }

  destroy(): void {
    this.view?.destroy();
    this.root.remove();
  }
}
