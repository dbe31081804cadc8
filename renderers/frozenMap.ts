/**
 * Frozen-layer map: the model's layers as a vertical stack, input on top. Frozen and trainable layers
 * differ by icon, text, border style and a hatch pattern, not by colour alone; each row shows its
 * parameter counts, and consecutive reused layers (gs.transfer.reuse) sit in a box labelled as the
 * reused base. A layer without weights (InputLayer, Activation, Flatten, Dropout…) is neither: there
 * is nothing in it to freeze or train, so it is shown as such and not counted in "N of M layers with
 * weights trainable" (its `trainable` flag changes nothing).
 */
import type { HealthSnapshot, LayerInfo } from '../src/protocol/health';
import { el, replaceChildren } from './dom';
import { fmtInt } from './format';
import { SectionFrame, type Section, type TableData } from './section';

function shape(l: LayerInfo): string {
  return Array.isArray(l.outputShape) ? `[${l.outputShape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '';
}

/** Most layer rows the map draws; deeper models show the first and last half of them. */
export const MAX_ROWS = 200;

/** True for the placeholder layer of a model's input, which has no weights and nothing to train. */
export function isInputLayer(l: LayerInfo): boolean {
  return l.className === 'InputLayer';
}

/** True for a layer that holds weights, the only kind that freezing or unfreezing changes. */
export function holdsWeights(l: LayerInfo): boolean {
  return !isInputLayer(l) && (l.hasWeights || l.params.trainable + l.params.nonTrainable > 0);
}

/** The state the map and its table show for a layer. */
function stateWord(l: LayerInfo): string {
  return isInputLayer(l) ? 'input' : !holdsWeights(l) ? 'no weights' : l.trainable ? 'trainable' : 'frozen';
}

function row(l: LayerInfo): HTMLElement {
  if (isInputLayer(l)) {
    return el('div', { class: 'gs-layer gs-layer-input', attrs: { role: 'listitem', 'data-layer': l.name, 'aria-label': `${l.name}, input of the model` } },
      el('span', { class: 'gs-layer-state', text: '⇥ input' }),
      el('span', { class: 'gs-layer-name', title: l.name }, el('strong', { text: l.name }), ` ${l.className} `, el('span', { class: 'gs-muted', text: shape(l) })),
      el('span', { class: 'gs-layer-params', text: 'no weights' }));
  }
  const total = l.params.trainable + l.params.nonTrainable;
  if (!l.hasWeights && total === 0) {
    return el('div', { class: 'gs-layer gs-layer-weightless', attrs: { role: 'listitem', 'data-layer': l.name, 'aria-label': `${l.name}, ${l.className}, no weights${l.reused ? ', reused' : ''}` } },
      el('span', { class: 'gs-layer-state', text: '· no weights' }),
      el('span', { class: 'gs-layer-name', title: l.name }, el('strong', { text: l.name }), ` ${l.className}${l.activation ? ` (${l.activation})` : ''} `, el('span', { class: 'gs-muted', text: shape(l) })),
      el('span', { class: 'gs-layer-params', text: 'no weights' }));
  }
  const frozen = !l.trainable;
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
    const counted = m.layers.filter(holdsWeights);
    const trainable = counted.filter((l) => l.trainable).length;
    this.summary.textContent = `${m.name}: ${trainable} of ${counted.length} layers with weights trainable · ${fmtInt(m.trainableParams)} of ${fmtInt(m.totalParams)} parameters trainable`;
    const items: HTMLElement[] = [];
    let base: HTMLElement | undefined;
    // A very deep model: the first and last layers as rows, the ones between summed up in one line.
    const many = m.layers.length > MAX_ROWS;
    const head = many ? m.layers.slice(0, MAX_ROWS / 2) : m.layers;
    const tail = many ? m.layers.slice(m.layers.length - MAX_ROWS / 2) : [];
    const middle = many ? m.layers.slice(MAX_ROWS / 2, m.layers.length - MAX_ROWS / 2) : [];
    for (const l of [...head, ...(many ? [undefined] : []), ...tail]) {
      if (!l) {
        base = undefined;
        const withWeights = middle.filter(holdsWeights);
        const frozen = withWeights.filter((x) => !x.trainable).length;
        items.push(el('div', { class: 'gs-layer gs-layer-gap', attrs: { role: 'listitem' } },
          el('span', { class: 'gs-layer-state', text: '⋯' }),
          el('span', { text: `${fmtInt(middle.length)} more layers: ${fmtInt(withWeights.length - frozen)} trainable, ${fmtInt(frozen)} frozen, ${fmtInt(middle.length - withWeights.length)} without weights (the table lists every layer)` }),
          el('span')));
        continue;
      }
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
    const rows = this.snap.model.layers.map((l) => [l.name, l.className, stateWord(l),
      fmtInt(l.params.trainable), fmtInt(l.params.nonTrainable), l.reused ? 'yes' : 'no']);
    return { head: ['layer', 'class', 'state', 'trainable params', 'non-trainable params', 'reused'], rows };
  }

  retheme(): void {}
  destroy(): void {}
}
