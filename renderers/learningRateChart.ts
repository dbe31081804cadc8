/**
 * Learning rate per step (log scale when it spans more than 10×; a constant rate is a flat line in the
 * middle of an axis from 0 to twice the rate, labelled as constant) with the training loss on a second
 * axis; the schedule kind is in the legend and run events (plateau reductions, early stop, restored
 * weights, NaN) are vertical markers told apart by dash pattern and label, and listed as text.
 */
import type { HealthSnapshot, RunEvent } from '../src/protocol/health';
import { Chart, markersPlugin, type Marker } from './charts';
import { followStepAxis, replaceOptions, rethemeChart, stepChartOptions, valueAxis } from './chartOptions';
import { el, replaceChildren } from './dom';
import { fmtNum } from './format';
import { SectionFrame, sampleIndices, type Section, type TableData } from './section';
import { finiteRange, toPoints, valueAt } from './series';
import { readTheme, type Theme } from './theme';

/** Most rows the LR table shows; longer runs show evenly spaced samples. */
const TABLE_ROWS = 200;

const EVENT_LABEL: Record<RunEvent['kind'], string> = {
  'lr-reduced': 'LR ↓', 'early-stop': 'early stop', 'restored-best': 'best weights restored',
  nan: 'NaN', interrupted: 'interrupted', 'frozen-changed': 'trainable changed',
};
const EVENT_DASH: Record<RunEvent['kind'], number[]> = {
  'lr-reduced': [4, 3], 'early-stop': [], 'restored-best': [1, 3], nan: [6, 2, 1, 2], interrupted: [2, 2], 'frozen-changed': [8, 4],
};

/** True when the LR axis should be logarithmic: positive values spanning more than 10×. */
export function lrNeedsLog(s: HealthSnapshot): boolean {
  const r = finiteRange(s.training.lr, true);
  return !!r && r.max / r.min > 10;
}

/** The rate when it is the same at every step (within float32 rounding), else undefined. */
export function constantLr(s: HealthSnapshot): number | undefined {
  const r = finiteRange(s.training.lr);
  return r && r.max - r.min <= 1e-6 * Math.abs(r.max) ? r.max : undefined;
}

/** The LR axis as a reader names it: `log`, `linear`, or `constant`. */
export function lrScale(s: HealthSnapshot): 'log' | 'linear' | 'constant' {
  return lrNeedsLog(s) ? 'log' : constantLr(s) !== undefined ? 'constant' : 'linear';
}

/** Learning-rate section; see the module comment. */
export class LearningRateSection implements Section {
  readonly root: HTMLElement;
  private readonly frame: SectionFrame;
  /** Created by the first update, with its data (one layout instead of two). */
  private chart?: Chart<'line'>;
  private readonly events = el('ul', { class: 'gs-events gs-note' });
  private readonly canvas = el('canvas', { attrs: { role: 'img' } });
  private theme: Theme = readTheme();
  private logScale: boolean;
  private constant?: number;

  /** Appends itself to `parent` before creating charts: chart.js sizes a canvas only once it is attached. */
  constructor(parent: HTMLElement, private snap: HealthSnapshot) {
    this.frame = new SectionFrame('lr', 'Learning rate and loss', 'Learning rate and loss per step', () => this.table());
    this.root = this.frame.root;
    parent.append(this.root);
    this.frame.body.append(el('div', { class: 'gs-chart' }, this.canvas), this.events);
    this.logScale = lrNeedsLog(snap);
    this.constant = constantLr(snap);
    this.update(snap);
  }

  private options() {
    const t = this.theme;
    const c = this.constant;
    return stepChartOptions(t, this.snap, {
      y: {
        ...valueAxis(t, `learning rate${this.logScale ? ' (log)' : c !== undefined ? ' (constant)' : ''}`, this.logScale), position: 'left',
        // A constant rate: an axis from 0 to twice the rate, so the line is flat and not magnified noise.
        ...(c !== undefined && c > 0 ? { min: 0, max: 2 * c } : {}),
      },
      y1: { ...valueAxis(t, 'loss', false), position: 'right', grid: { drawOnChartArea: false, color: t.grid } },
    });
  }

  update(s: HealthSnapshot): void {
    this.snap = s;
    followStepAxis(this.chart, s);
    const t = this.theme;
    const log = lrNeedsLog(s);
    const constant = constantLr(s);
    if (log !== this.logScale || constant !== this.constant) {
      this.logScale = log;
      this.constant = constant;
      // The markers are set on the new options below.
      if (this.chart) replaceOptions(this.chart, this.options());
    }
    const lrLabel = constant !== undefined ? `learning rate: constant ${fmtNum(constant)}` : `learning rate (${s.training.scheduleKind} schedule)`;
    const lr = { label: lrLabel, data: toPoints(s.training.lr), yAxisID: 'y', borderColor: t.blue, backgroundColor: t.blue };
    const loss = { label: 'training loss', data: toPoints(s.training.loss), yAxisID: 'y1', borderColor: t.orange, backgroundColor: t.orange, borderDash: [5, 2] };
    const markers: Marker[] = s.training.events.map((e) => ({
      x: e.step, label: EVENT_LABEL[e.kind] ?? e.kind, dash: EVENT_DASH[e.kind] ?? [3, 3],
      color: e.kind === 'nan' ? t.red : e.kind === 'early-stop' ? t.purple : t.fg,
    }));
    if (!this.chart) {
      const options = this.options();
      (options.plugins as { gsMarkers?: { markers: Marker[] } }).gsMarkers = { markers };
      this.chart = new Chart(this.canvas, { type: 'line', data: { datasets: [lr, loss] }, options, plugins: [markersPlugin] });
    } else {
      const ds = this.chart.data.datasets;
      Object.assign(ds[0], lr);
      Object.assign(ds[1], loss);
      (this.chart.options.plugins as { gsMarkers?: { markers: Marker[] } }).gsMarkers = { markers };
      this.chart.update('none');
    }
    const scale = this.logScale ? 'log scale' : constant !== undefined ? `constant at ${fmtNum(constant)}` : 'linear scale';
    this.canvas.setAttribute('aria-label', `Learning rate per step (${s.training.scheduleKind} schedule, ${scale}) and training loss on the right axis`);
    const json = JSON.stringify(s.training.events);
    if (this.events.dataset.json !== json) {
      this.events.dataset.json = json;
      replaceChildren(this.events, ...s.training.events.map((e) =>
        el('li', {}, `step ${e.step} (epoch ${e.epoch + 1}): ${EVENT_LABEL[e.kind] ?? e.kind} — ${e.detail}`)));
    }
    this.frame.refreshTable();
  }

  private table(): TableData {
    const { lr, loss } = this.snap.training;
    const idx = sampleIndices(lr.step.length, TABLE_ROWS);
    const rows = idx.map((i) => [String(lr.step[i]), fmtNum(lr.value[i]), fmtNum(valueAt(loss, lr.step[i]))]);
    const note = idx.length < lr.step.length ? `Showing ${idx.length} of ${lr.step.length} samples, evenly spaced.` : undefined;
    return { head: ['step', 'learning rate', 'loss'], rows, note };
  }

  retheme(): void {
    this.theme = readTheme();
    rethemeChart(this.chart, () => this.options(), () => this.update(this.snap));
  }

  destroy(): void {
    this.chart?.destroy();
  }
}
