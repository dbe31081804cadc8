/**
 * The whole gradient-health panel for one output: header plus the sections (sensitivities, gradient
 * norms, saturation, batch normalization, learning rate, per-epoch curves, histograms, frozen-layer
 * map). A panel is
 * created once per run and then updated in place for every newer snapshot of the same run, so charts
 * keep their canvases and nothing flickers.
 */
import type { HealthSnapshot } from '../src/protocol/health';
import { el } from './dom';
import { BatchNormSection } from './batchNorm';
import { EpochSection } from './epochChart';
import { FrozenMapSection } from './frozenMap';
import { GradNormSection } from './gradNormChart';
import { HistogramSection } from './histograms';
import { Header, type ApplyFix } from './header';
import { LearningRateSection } from './learningRateChart';
import { SaturationSection } from './saturation';
import type { Section } from './section';
import { SensitivitySection } from './sensitivity';
import { ensureStyles } from './styles';

/**
 * One rendered panel.
 * @example
 * const panel = createPanel(element, snapshot);
 * panel.update(newerSnapshot); // same runId: charts update in place
 * panel.destroy();
 */
export class HealthPanel {
  readonly root: HTMLElement;
  private readonly sections: Section[];
  private runIdValue: string;

  constructor(host: HTMLElement, snapshot: HealthSnapshot, applyFix?: ApplyFix) {
    ensureStyles(host);
    this.runIdValue = snapshot.runId;
    this.root = el('div', { class: 'gs-panel', attrs: { 'data-run-id': snapshot.runId } });
    // Attach first: chart.js sizes canvases from their laid-out parents.
    host.replaceChildren(this.root);
    this.sections = [];
    const header = new Header(snapshot, applyFix);
    this.root.append(header.root);
    this.sections.push(header);
    for (const Make of [SensitivitySection, GradNormSection, SaturationSection, BatchNormSection, LearningRateSection, EpochSection, HistogramSection, FrozenMapSection]) {
      this.sections.push(new Make(this.root, snapshot));
    }
  }

  /** The run this panel shows; a snapshot of another run needs a new panel. */
  get runId(): string {
    return this.runIdValue;
  }

  /** Applies a newer snapshot of the same run in place. */
  update(snapshot: HealthSnapshot): void {
    for (const s of this.sections) s.update(snapshot);
  }

  /** Re-reads the theme colours (VS Code switched theme). */
  retheme(): void {
    for (const s of this.sections) s.retheme();
  }

  /** Destroys the charts and removes the panel from the page. */
  destroy(): void {
    for (const s of this.sections) s.destroy();
    this.root.remove();
  }
}

/** Creates a {@link HealthPanel} inside `host`, replacing what it held. */
export function createPanel(host: HTMLElement, snapshot: HealthSnapshot, applyFix?: ApplyFix): HealthPanel {
  return new HealthPanel(host, snapshot, applyFix);
}

/** Shows a short error instead of the panel (bad payload, or a drawing failure). */
export function showError(host: HTMLElement, message: string): void {
  ensureStyles(host);
  host.replaceChildren(el('div', { class: 'gs-panel gs-error', attrs: { role: 'alert' } },
    el('span', { class: 'gs-error-text', text: `Gradscope cannot show this gradient-health output: ${message}` })));
}
