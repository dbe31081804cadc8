/**
 * The comparison view of several runs (MIME type `application/vnd.gradscope.compare+json`, also shown
 * under a panel by its "compare with…" buttons): a legend with one colour per run, the training loss
 * per step overlaid, the training (solid) and validation (dashed) loss per epoch overlaid, the
 * sensitivity-by-layer profiles (median RMS of s^k per layer, log scale) on one axis, the findings of
 * each run, and a table of the options in which the runs differ, the values that differ from the
 * first run's highlighted.
 */
import { diffOptions, formatOption, OPTION_ROWS, runColor, type ComparePayload, type CompareRun } from '../src/protocol/runs';
import { axisColors, baseOptions, Chart, logTick } from './charts';
import { axisTitle } from './chartOptions';
import { el } from './dom';
import { fmtNum } from './format';
import { toPoints, type Point } from './series';
import { ensureStyles } from './styles';
import { readTheme, type Theme } from './theme';

const CSS = `
.gs-compare { color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); max-width: 100%; }
.gs-compare-title { font-weight: 600; margin: 4px 0; }
.gs-compare-legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 4px 0 6px; }
.gs-compare-legend .gs-swatch, .gs-compare-findings .gs-swatch { width: 14px; height: 4px; }
.gs-compare-runs { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 6px 12px; }
.gs-compare-run h4 { margin: 0 0 2px; font-size: 1em; }
.gs-compare-run ul { margin: 0; padding-left: 16px; }
.gs-compare-run li.gs-sev-error { color: var(--vscode-errorForeground, #f14c4c); }
.gs-diff { background: var(--vscode-diffEditor-insertedTextBackground, rgba(155,185,85,.25)); font-weight: 600; }
.gs-compare .gs-table td { text-align: left; }
`;

function ensureCompareStyles(host: HTMLElement): void {
  ensureStyles(host);
  const root = host.getRootNode();
  const target: ParentNode = root instanceof ShadowRoot ? root : host.ownerDocument.head;
  if (target.querySelector('#gradscope-compare-styles')) return;
  const style = host.ownerDocument.createElement('style');
  style.id = 'gradscope-compare-styles';
  style.textContent = CSS;
  target.appendChild(style);
}

const positive = (pts: Point[]) => pts.every((p) => p.y === null || p.y > 0);

/** Options of a line chart with a linear x axis titled `xLabel` and a value axis (log or linear). */
function chartOptions(t: Theme, xLabel: string, yLabel: string, log: boolean, xMin?: number) {
  const o = baseOptions(t);
  const colors = axisColors(t);
  o.plugins!.legend = { display: false };
  o.scales = {
    x: { type: 'linear', title: axisTitle(t, xLabel), ...colors, ...(xMin !== undefined ? { min: xMin } : {}) },
    y: { type: log ? 'logarithmic' : 'linear', title: axisTitle(t, yLabel), ...colors, ticks: { ...colors.ticks, ...(log ? { callback: logTick } : {}) } },
  };
  return o;
}

/** One chart of the view: its section, canvas and how to (re)build it. */
interface Part { section: HTMLElement; chart?: Chart<'line'>; build: (t: Theme) => Chart<'line'> }

/**
 * One rendered comparison.
 * @example
 * const view = new CompareView(element, payload);
 * view.destroy();
 */
export class CompareView {
  readonly root: HTMLElement;
  private readonly parts: Part[] = [];

  constructor(host: HTMLElement, readonly payload: ComparePayload, opts: { replace?: boolean; title?: string } = {}) {
    ensureCompareStyles(host);
    const runs = payload.runs;
    this.root = el('div', { class: 'gs-compare', attrs: { 'data-runs': runs.map((r) => r.runId).join(' ') } });
    if (opts.replace === false) host.append(this.root);
    else host.replaceChildren(this.root);
    this.root.append(
      el('div', { class: 'gs-compare-title', text: opts.title ?? `Comparison of ${runs.length} run${runs.length === 1 ? '' : 's'}` }),
      el('div', { class: 'gs-compare-legend', attrs: { role: 'list', 'aria-label': 'Runs' } }, ...runs.map((r, i) =>
        el('span', { class: 'gs-compare-label', title: lastLosses(r), attrs: { role: 'listitem', 'data-run-id': r.runId } },
          el('span', { class: 'gs-swatch', attrs: { style: `background:${runColor(i)}` } }), `${r.label} `, el('span', { class: 'gs-muted', text: `(${r.status})` })))),
    );
    this.addChart('loss', 'Training loss per step', (t, canvas) => {
      const data = runs.map((r) => toPoints(r.loss, 600));
      const finite = data.flat().filter((p) => p.y !== null).map((p) => p.y!);
      const log = finite.length > 0 && data.every(positive) && Math.max(...finite) / Math.min(...finite) > 50;
      return new Chart(canvas, { type: 'line', data: { datasets: runs.map((r, i) => ({ label: r.label, data: data[i], borderColor: runColor(i), backgroundColor: runColor(i) })) }, options: chartOptions(t, 'step', 'loss', log) });
    });
    this.addChart('epochs', 'Training (solid) and validation (dashed) loss per epoch', (t, canvas) => {
      const datasets = runs.flatMap((r, i) => [
        { label: `${r.label} training loss`, data: toPoints(r.epochLoss), borderColor: runColor(i), backgroundColor: runColor(i), borderDash: [] as number[] },
        ...(r.epochValLoss ? [{ label: `${r.label} validation loss`, data: toPoints(r.epochValLoss), borderColor: runColor(i), backgroundColor: runColor(i), borderDash: [6, 3] }] : []),
      ]);
      const o = chartOptions(t, 'epoch', 'loss', false, 1);
      (o.scales!.x as { ticks?: Record<string, unknown> }).ticks = { ...axisColors(t).ticks, stepSize: 1, precision: 0 };
      o.elements = { ...o.elements, point: { radius: 2.5, hitRadius: 6 } };
      o.plugins!.tooltip!.callbacks!.title = (items) => (items.length ? `epoch ${items[0].parsed.x}` : '');
      return new Chart(canvas, { type: 'line', data: { datasets }, options: o });
    });
    this.addChart('profile', 'Sensitivity by layer: median over the probes of the RMS of ∂L/∂net (log), input side left', (t, canvas) => {
      const datasets = runs.map((r, i) => ({
        label: r.label, borderColor: runColor(i), backgroundColor: runColor(i), borderWidth: 2,
        data: r.profile.map((p, k) => ({ x: k + 1, y: p.median !== null && p.median > 0 ? p.median : null })),
      }));
      const o = chartOptions(t, 'layer (1 = input side)', 'median RMS of sᵏ', true, 1);
      o.elements = { ...o.elements, point: { radius: 3, hitRadius: 6 } };
      (o.scales!.x as { ticks?: Record<string, unknown> }).ticks = { ...axisColors(t).ticks, stepSize: 1, precision: 0 };
      o.plugins!.tooltip!.callbacks!.title = (items) => {
        const it = items[0];
        return it && it.parsed.x !== null ? `layer ${it.parsed.x}: ${runs[it.datasetIndex]?.profile[it.parsed.x - 1]?.layer ?? ''}` : '';
      };
      return new Chart(canvas, { type: 'line', data: { datasets }, options: o });
    });
    this.root.append(this.findings(runs), this.optionTable(runs));
  }

  private addChart(id: string, title: string, make: (t: Theme, canvas: HTMLCanvasElement) => Chart<'line'>): void {
    const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': title } });
    const section = el('section', { class: `gs-section gs-compare-${id}`, attrs: { 'aria-label': title } },
      el('div', { class: 'gs-section-head' }, el('h3', { text: title })), el('div', { class: 'gs-chart' }, canvas));
    // Attached before the chart is made: chart.js sizes a canvas from its laid-out parent.
    this.root.append(section);
    const part: Part = { section, build: (t) => make(t, canvas) };
    part.chart = part.build(readTheme());
    this.parts.push(part);
  }

  private findings(runs: CompareRun[]): HTMLElement {
    return el('section', { class: 'gs-section gs-compare-findings', attrs: { 'aria-label': 'Findings per run' } },
      el('div', { class: 'gs-section-head' }, el('h3', { text: 'Findings per run' })),
      el('div', { class: 'gs-compare-runs' }, ...runs.map((r, i) => el('div', { class: 'gs-compare-run', attrs: { 'data-run-id': r.runId } },
        el('h4', {}, el('span', { class: 'gs-swatch', attrs: { style: `background:${runColor(i)}` } }), r.label),
        r.error ? el('p', { class: 'gs-error-text', text: r.error }) : null,
        r.findings.length
          ? el('ul', {}, ...r.findings.map((f) => el('li', { class: `gs-finding gs-sev-${f.severity}`, attrs: { 'data-code': f.code } }, el('code', { text: f.code }), `: ${f.message}`)))
          : el('p', { class: 'gs-note gs-no-findings', text: 'No findings.' })))));
  }

  private optionTable(runs: CompareRun[]): HTMLElement {
    const rows = diffOptions(runs);
    const section = el('section', { class: 'gs-section gs-compare-options', attrs: { 'aria-label': 'Options that differ' } },
      el('div', { class: 'gs-section-head' }, el('h3', { text: 'Options that differ' })));
    if (runs.length < 2) {
      section.append(el('p', { class: 'gs-note', text: 'One run: nothing to compare its options with.' }));
    } else if (!rows.length) {
      section.append(el('p', { class: 'gs-note gs-same-options', text: 'The runs were trained with the same options.' }));
    } else {
      section.append(el('table', { class: 'gs-table gs-diff-table' },
        el('thead', {}, el('tr', {}, el('th', { text: 'option', attrs: { scope: 'col' } }), ...runs.map((r, i) =>
          el('th', { attrs: { scope: 'col' } }, el('span', { class: 'gs-swatch', attrs: { style: `background:${runColor(i)}` } }), r.label)))),
        el('tbody', {}, ...rows.map((row) => el('tr', { attrs: { 'data-option': row.key } }, el('th', { text: row.label, attrs: { scope: 'row' } }),
          ...row.values.map((v, i) => el('td', { text: v, class: i > 0 && v !== row.values[0] ? 'gs-diff' : '' })))))));
    }
    const differing = new Set(rows.map((r) => r.key));
    const same = runs[0].options ? OPTION_ROWS.filter((o) => !differing.has(o.key)).map((o) => `${o.label} ${formatOption(o.key, runs[0].options![o.key])}`) : [];
    if (same.length && runs.length > 1) section.append(el('p', { class: 'gs-note gs-common-options', text: `The same in every run: ${same.join(' · ')}.` }));
    return section;
  }

  /** Re-reads the theme colours (VS Code switched theme): rebuilds the charts. */
  retheme(): void {
    const t = readTheme();
    for (const p of this.parts) {
      p.chart?.destroy();
      p.chart = p.build(t);
    }
  }

  /** Destroys the charts and removes the view. */
  destroy(): void {
    for (const p of this.parts) p.chart?.destroy();
    this.root.remove();
  }
}

/** A run's last epoch loss and validation loss, for the legend entry's tooltip. */
export function lastLosses(r: CompareRun): string {
  const last = (v: (number | null)[]) => (v.length ? fmtNum(v[v.length - 1]) : '—');
  return `loss ${last(r.epochLoss.value)}, validation ${r.epochValLoss ? last(r.epochValLoss.value) : '—'}`;
}

/** Shows a short error instead of the comparison (bad payload, or a drawing failure). */
export function showCompareError(host: HTMLElement, message: string): void {
  ensureCompareStyles(host);
  host.replaceChildren(el('div', { class: 'gs-compare gs-error', attrs: { role: 'alert' } },
    el('span', { class: 'gs-error-text', text: `Gradscope cannot show this comparison: ${message}` })));
}
