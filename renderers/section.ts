/**
 * The frame every panel section shares: a heading, optional view toggles, and a "Table" toggle that
 * swaps the chart for the numbers behind it (built lazily, rebuilt on live updates while visible).
 * Tables longer than {@link VIRTUAL_ROWS} rows are virtualized: only the rows in view (and a margin)
 * are in the DOM, between two spacer rows that keep the scroll height of the whole table.
 */
import type { HealthSnapshot } from '../src/protocol/health';
import { el, replaceChildren, toggleButton } from './dom';

/** A part of the panel that can be updated in place and torn down. */
export interface Section {
  readonly root: HTMLElement;
  update(snapshot: HealthSnapshot): void;
  /** Re-reads theme colours. */
  retheme(): void;
  destroy(): void;
}

/** Table contents: header row, body rows, and an optional note (e.g. "every 10th sample"). */
export interface TableData { head: string[]; rows: string[][]; note?: string }

/** Tables with more rows than this are virtualized. */
export const VIRTUAL_ROWS = 300;
/** Height of one row of a virtualized table, in CSS pixels (`.gs-table-virtual tr` fixes it). */
export const ROW_PX = 20;
/** Rows rendered above and below the visible ones. */
const MARGIN_ROWS = 20;

const rowOf = (r: string[]) => el('tr', {}, ...r.map((c, i) => i === 0 ? el('th', { text: c, attrs: { scope: 'row' } }) : el('td', { text: c })));

/** Builds a `<table>` from plain strings (Text nodes only); long tables render only the rows in view. */
export function buildTable(data: TableData, caption: string): HTMLElement {
  const virtual = data.rows.length > VIRTUAL_ROWS;
  const tbody = el('tbody');
  const table = el('table', { class: `gs-table${virtual ? ' gs-table-virtual' : ''}`, attrs: { 'aria-rowcount': String(data.rows.length + 1) } },
    el('caption', { class: 'gs-note', text: caption, attrs: { style: 'text-align:left' } }),
    el('thead', {}, el('tr', {}, ...data.head.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))),
    tbody);
  const note = virtual ? `${data.note ? `${data.note} ` : ''}${data.rows.length} rows; scroll to see them all.` : data.note;
  const wrap = el('div', { class: 'gs-table-wrap' }, note ? el('p', { class: 'gs-note', text: note }) : null, table);
  if (!virtual) {
    tbody.append(...data.rows.map(rowOf));
    return wrap;
  }
  let shown = '';
  const draw = () => {
    const view = wrap.clientHeight || 260;
    const from = Math.max(0, Math.floor(wrap.scrollTop / ROW_PX) - MARGIN_ROWS);
    const to = Math.min(data.rows.length, from + Math.ceil(view / ROW_PX) + 2 * MARGIN_ROWS);
    if (shown === `${from}:${to}`) return;
    shown = `${from}:${to}`;
    const spacer = (rows: number) => el('tr', { class: 'gs-spacer', attrs: { 'aria-hidden': 'true', style: `height:${rows * ROW_PX}px` } });
    tbody.replaceChildren(spacer(from), ...data.rows.slice(from, to).map((r, i) => {
      const tr = rowOf(r);
      tr.setAttribute('aria-rowindex', String(from + i + 2));
      return tr;
    }), spacer(data.rows.length - to));
  };
  wrap.addEventListener('scroll', draw, { passive: true });
  (wrap as HTMLElement & { gsDraw?: () => void }).gsDraw = draw;
  draw();
  return wrap;
}

/** The DOM skeleton of a section plus its table toggle state. */
export class SectionFrame {
  readonly root: HTMLElement;
  readonly body: HTMLElement;
  readonly tools: HTMLElement;
  private readonly tableHost: HTMLElement;
  private tableOn = false;

  constructor(id: string, title: string, private readonly caption: string, private readonly tableData: () => TableData) {
    this.tools = el('span', { class: 'gs-tools' });
    this.body = el('div', { class: 'gs-body' });
    this.tableHost = el('div', { class: 'gs-table-host' });
    this.tableHost.hidden = true;
    const tableButton = toggleButton('Table', false, (on) => this.showTable(on));
    tableButton.classList.add('gs-table-toggle');
    tableButton.setAttribute('aria-label', `Show ${title} as a table`);
    this.root = el('section', { class: `gs-section gs-section-${id}`, attrs: { 'aria-label': title } },
      el('div', { class: 'gs-section-head' }, el('h3', { text: title }), this.tools, tableButton),
      this.body, this.tableHost);
  }

  private showTable(on: boolean): void {
    this.tableOn = on;
    this.body.hidden = on;
    this.tableHost.hidden = !on;
    this.refreshTable();
  }

  /** Rebuilds the table if it is showing (called after each live update). */
  refreshTable(): void {
    if (!this.tableOn) return;
    // Keep the reader's place in a scrolled table across live updates.
    const top = this.tableHost.querySelector('.gs-table-wrap')?.scrollTop ?? 0;
    replaceChildren(this.tableHost, buildTable(this.tableData(), this.caption));
    const wrap = this.tableHost.querySelector<HTMLElement & { gsDraw?: () => void }>('.gs-table-wrap');
    if (wrap) { wrap.scrollTop = top; wrap.gsDraw?.(); }
  }

  get tableVisible(): boolean {
    return this.tableOn;
  }
}

/**
 * Layers a per-layer view draws when a model has more than `max`: evenly spaced ones, always the
 * first and the last, plus those `keep` names (e.g. the layers of a finding). Returns all when few.
 */
export function pickLayers<T extends { layer: string }>(layers: T[], max: number, keep: Set<string> = new Set()): { shown: T[]; total: number } {
  if (layers.length <= max) return { shown: layers, total: layers.length };
  const idx = new Set(sampleIndices(layers.length, max));
  layers.forEach((l, i) => { if (keep.has(l.layer)) idx.add(i); });
  return { shown: [...idx].sort((a, b) => a - b).map((i) => layers[i]), total: layers.length };
}

/** Picks at most `max` evenly spaced indices of `n`, always keeping the last. */
export function sampleIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const stride = Math.ceil(n / max);
  const out: number[] = [];
  for (let i = 0; i < n; i += stride) out.push(i);
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}
