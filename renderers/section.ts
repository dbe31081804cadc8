/**
 * The frame every panel section shares: a heading, optional view toggles, and a "Table" toggle that
 * swaps the chart for the numbers behind it (built lazily, rebuilt on live updates while visible).
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

/** Builds a `<table>` from plain strings (Text nodes only). */
export function buildTable(data: TableData, caption: string): HTMLElement {
  const table = el('table', { class: 'gs-table' },
    el('caption', { class: 'gs-note', text: caption, attrs: { style: 'text-align:left' } }),
    el('thead', {}, el('tr', {}, ...data.head.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))),
    el('tbody', {}, ...data.rows.map((r) => el('tr', {}, ...r.map((c, i) => i === 0 ? el('th', { text: c, attrs: { scope: 'row' } }) : el('td', { text: c })))))
  );
  return el('div', { class: 'gs-table-wrap' }, data.note ? el('p', { class: 'gs-note', text: data.note }) : null, table);
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
    const wrap = this.tableHost.querySelector('.gs-table-wrap');
    if (wrap) wrap.scrollTop = top;
  }

  get tableVisible(): boolean {
    return this.tableOn;
  }
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
