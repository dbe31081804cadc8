/**
 * Batch-normalization rows: for each BatchNormalization layer, its latest batch mean and variance
 * (what it normalizes with in training) against its moving averages (what it uses at inference),
 * averaged over channels, and the largest channel's mean shift in moving standard deviations. The
 * section is shown only for models with a BatchNormalization layer.
 */
import type { HealthSnapshot, LayerSeries } from '../src/protocol/health';
import { el, replaceChildren } from './dom';
import { fmtInt, fmtNum } from './format';
import { SectionFrame, type Section, type TableData } from './section';

type BN = NonNullable<LayerSeries['batchNorm']>;
/** Most BN rows drawn; the table lists every layer. */
const MAX_BN_ROWS = 200;

/** BatchNormalization layers of the model, input side first, with their latest statistics (if probed). */
export function batchNormLayers(s: HealthSnapshot): { name: string; bn?: BN }[] {
  const byName = new Map(s.layers.map((l) => [l.layer, l.batchNorm]));
  return s.model.layers.filter((l) => l.className === 'BatchNormalization').map((l) => ({ name: l.name, bn: byName.get(l.name) }));
}

/** One row's words: `mean: batch 0.012 · moving 0.0098`, … */
export function batchNormText(bn: BN): { mean: string; variance: string; shift: string } {
  return {
    mean: `batch ${fmtNum(bn.batchMean)} · moving ${fmtNum(bn.movingMean)}`,
    variance: `batch ${fmtNum(bn.batchVar)} · moving ${fmtNum(bn.movingVar)}`,
    shift: `${fmtNum(bn.maxMeanShift)} σ`,
  };
}

/** Batch-norm section; see the module comment. */
export class BatchNormSection implements Section {
  readonly root: HTMLElement;
  private readonly frame: SectionFrame;
  private readonly rows = el('div', { class: 'gs-bn-rows', attrs: { role: 'table', 'aria-label': 'Batch statistics against moving averages' } });
  private readonly note = el('p', { class: 'gs-note', text: 'In training each batch is normalized with its own mean and variance; at inference (predict, evaluate) with the moving averages. Means and variances are averaged over channels; the shift is the largest channel’s |batch mean − moving mean| in moving standard deviations.' });
  private readonly more = el('p', { class: 'gs-note' });
  private lastJson = '';

  /** Appends itself to `parent`. */
  constructor(parent: HTMLElement, private snap: HealthSnapshot) {
    this.frame = new SectionFrame('batchnorm', 'Batch normalization: batch vs moving statistics', 'Latest batch statistics and moving averages per BatchNormalization layer', () => this.table());
    this.root = this.frame.root;
    parent.append(this.root);
    this.frame.body.append(this.more, this.rows, this.note);
    this.update(snap);
  }

  update(s: HealthSnapshot): void {
    this.snap = s;
    const layers = batchNormLayers(s);
    this.root.hidden = layers.length === 0;
    const json = JSON.stringify(layers);
    if (json === this.lastJson) return;
    this.lastJson = json;
    const head = el('div', { class: 'gs-bn-row gs-bn-head', attrs: { role: 'row' } },
      ...['layer', 'step', 'mean', 'variance', 'largest shift'].map((h) => el('span', { text: h, attrs: { role: 'columnheader' } })));
    const shown = layers.length > MAX_BN_ROWS ? [...layers.slice(0, MAX_BN_ROWS / 2), ...layers.slice(-MAX_BN_ROWS / 2)] : layers;
    this.more.hidden = shown.length === layers.length;
    this.more.textContent = `Showing the first and last ${MAX_BN_ROWS / 2} of ${fmtInt(layers.length)} BatchNormalization layers; the table lists all.`;
    replaceChildren(this.rows, head, ...shown.map(({ name, bn }) => {
      const t = bn ? batchNormText(bn) : undefined;
      return el('div', { class: 'gs-bn-row', attrs: { role: 'row', 'data-layer': name } },
        el('span', { class: 'gs-layer-name', text: name, title: name, attrs: { role: 'rowheader' } }),
        el('span', { class: 'gs-muted', text: bn ? fmtInt(bn.step) : '—', attrs: { role: 'cell' } }),
        el('span', { class: 'gs-bn-mean', text: t?.mean ?? 'not probed yet', attrs: { role: 'cell' } }),
        el('span', { class: 'gs-bn-var', text: t?.variance ?? '', attrs: { role: 'cell' } }),
        el('span', { class: 'gs-bn-shift', text: t?.shift ?? '', attrs: { role: 'cell' } }));
    }));
    this.frame.refreshTable();
  }

  private table(): TableData {
    const rows = batchNormLayers(this.snap).map(({ name, bn }) => bn
      ? [name, String(bn.step), fmtNum(bn.batchMean), fmtNum(bn.movingMean), fmtNum(bn.batchVar), fmtNum(bn.movingVar), fmtNum(bn.maxMeanShift)]
      : [name, '—', '—', '—', '—', '—', '—']);
    return { head: ['layer', 'step', 'batch mean', 'moving mean', 'batch variance', 'moving variance', 'largest mean shift (σ)'], rows };
  }

  retheme(): void {}
  destroy(): void {}
}
