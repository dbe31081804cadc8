/**
 * Frozen-layer map: the model's layers as a vertical stack, input on top. Frozen and trainable layers
 * differ by icon, text, border style and a hatch pattern, not by colour alone; each row shows its
 * parameter counts, and consecutive reused layers (gs.transfer.reuse) sit in a box labelled as the
 * reused base.
 */
import type { HealthSnapshot, LayerInfo } from '../src/protocol/health';
import { el, replaceChildren } from './dom';
import { fmtInt } from './format';
import { SectionFrame, type Section, type TableData } from './section';

function shape(l: LayerInfo): string {
  return Array.isArray(l.outputShape) ? `[${l.outputShape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '';
}

function row(l: LayerInfo): HTMLElement {
  const frozen = !l.trainable;
  const total = l.params.trainable + l.params.nonTrainable;
  // Dingbats rather than emoji: they exist in the usual UI fonts, emoji fonts often do not.
  const state = frozen ? '❄ frozen' : '✎ trainable';
  const params = total === 0 ? 'no weights'
    : `${fmtInt(total)} params${l.params.nonTrainable ? ` (${fmtInt(l.params.trainable)} trainable)` : ''}`;
  return el('div', {
    class: `gs-layer ${frozen ? 'gs-layer-frozen' : 'gs-layer-trainable'}`,
    attrs: { role: 'listitem', 'data-layer': l.name, 'aria-label': `${l.name}, ${l.className}, ${frozen ? 'frozen' : 'trainable'}, ${params}${l.reused ? ', reused' : ''}` },
  },
  el('span', { class: 'gs-layer-state', text: state }),
  el('span', { class: 'gs-layer-name', title: l.name }, el('strong', { text: l.name }), ` ${l.className}${l.activation ? ` (${l.activation})` : ''} `, el('span', { class: 'gs-muted', text: shape(l) })),
  el('span', { class: 'gs-layer-params', text: params }));
}

/** Frozen-layer map section; see the module comment. */
export class FrozenMapSection implements Section {
  readonly root: HTMLElement;
  private readonly frame: SectionFrame;
  private readonly summary = el('p', { class: 'gs-note' });
  private readonly stack = el('div', { class: 'gs-stack', attrs: { role: 'list', 'aria-label': 'Layers, input first' } });
  private lastJson = '';

  /** Appends itself to `parent` before creating charts: chart.js sizes a canvas only once it is attached. */
  constructor(parent: HTMLElement, private snap: HealthSnapshot) {
    this.frame = new SectionFrame('frozen', 'Frozen-layer map', 'Layers, input first', () => this.table());
    this.root = this.frame.root;
    parent.append(this.root);
    this.frame.body.append(this.summary, this.stack);
    this.update(snap);
  }

  update(s: HealthSnapshot): void {
    this.snap = s;
    const m = s.model;
    const json = JSON.stringify(m);
    if (json === this.lastJson) return;
    this.lastJson = json;
    const trainable = m.layers.filter((l) => l.trainable).length;
    this.summary.textContent = `${m.name}: ${trainable} of ${m.layers.length} layers trainable · ${fmtInt(m.trainableParams)} of ${fmtInt(m.totalParams)} parameters trainable`;
    const items: HTMLElement[] = [];
    let base: HTMLElement | undefined;
    for (const l of m.layers) {
      if (l.reused) {
        if (!base) {
          base = el('div', { class: 'gs-base', attrs: { role: 'group', 'aria-label': 'Reused base' } }, el('span', { class: 'gs-base-label', text: '♻ reused base (gs.transfer.reuse)' }));
          items.push(base);
        }
        base.append(row(l));
      } else {
        base = undefined;
        items.push(row(l));
      }
    }
    replaceChildren(this.stack, ...items);
    this.frame.refreshTable();
  }

  private table(): TableData {
    const rows = this.snap.model.layers.map((l) => [l.name, l.className, l.trainable ? 'trainable' : 'frozen',
      fmtInt(l.params.trainable), fmtInt(l.params.nonTrainable), l.reused ? 'yes' : 'no']);
    return { head: ['layer', 'class', 'state', 'trainable params', 'non-trainable params', 'reused'], rows };
  }

  retheme(): void {}
  destroy(): void {}
}
