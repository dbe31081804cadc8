/**
 * Training and validation curves per epoch: loss (left axis) and the other metrics the epochs log
 * (`acc`, `val_acc`, …, right axis), validation dashed next to its training curve, with the run's
 * early-stop, restored-best-weights and learning-rate-reduced events as vertical markers on the same
 * epoch axis. The axis ends at the planned epochs while the run trains and at the last epoch logged
 * once it ended.
 */
import type { HealthSnapshot, RunEvent, Series } from '../src/protocol/health';
import { Chart, markersPlugin, type Marker } from './charts';
import { rethemeChart, stepChartOptions, valueAxis, axisTitle } from './chartOptions';
import { el } from './dom';
import { fmtNum } from './format';
import { SectionFrame, type Section, type TableData } from './section';
import { toPoints } from './series';
import { readTheme, type Theme } from './theme';

/** Events this chart marks, with their label, dash pattern and where on the epoch axis they sit. */
const MARKED: Partial<Record<RunEvent['kind'], { label: string; dash: number[] }>> = {
  'early-stop': { label: 'early stop', dash: [] },
  'restored-best': { label: 'best weights', dash: [1, 3] },
  'lr-reduced': { label: 'LR ↓', dash: [4, 3] },
};

/**
 * Epoch (1-based, as the curves' x values) an event belongs to. A restored-best event names the
 * epoch whose weights it restored ("restored the weights of epoch 13"): the marker goes there.
 */
export function eventEpoch(e: RunEvent): number {
  if (e.kind === 'restored-best') {
    const m = /weights of epoch (\d+)/.exec(e.detail);
    if (m) return Number(m[1]);
  }
  return e.epoch + 1;
}

/** The per-epoch series of a snapshot: loss and validation loss first, then metrics by name. */
export function epochSeries(s: HealthSnapshot): { name: string; series: Series; validation: boolean; loss: boolean }[] {
  const out: { name: string; series: Series; validation: boolean; loss: boolean }[] = [];
  if (s.training.epochLoss.step.length) out.push({ name: 'loss', series: s.training.epochLoss, validation: false, loss: true });
  if (s.training.epochValLoss?.step.length) out.push({ name: 'val_loss', series: s.training.epochValLoss, validation: true, loss: true });
  const metrics = s.training.epochMetrics ?? {};
  const names = Object.keys(metrics).sort((a, b) => a.replace(/^val_/, '').localeCompare(b.replace(/^val_/, '')) || a.length - b.length);
  for (const k of names) {
    if (!metrics[k]?.step.length) continue;
    // Metrics get the right axis: their scale (accuracy in [0, 1], an MAE in target units) is not the loss's.
    out.push({ name: k, series: metrics[k], validation: k.startsWith('val_'), loss: false });
  }
  return out;
}

function label(name: string): string {
  const base = name.replace(/^val_/, '');
  const word = base === 'loss' ? 'loss' : base === 'acc' ? 'accuracy' : base;
  return `${name.startsWith('val_') ? 'validation' : 'training'} ${word}`;
}

/** Last epoch of the epoch axis: planned epochs while training, the last logged epoch after. */
export function epochAxisMax(s: HealthSnapshot): number {
  let last = 0;
  for (const e of epochSeries(s)) last = Math.max(last, e.series.step[e.series.step.length - 1] ?? 0);
  return s.status === 'training' ? Math.max(s.progress.epochs, last) : Math.max(1, last);
}

/** Validation-curve section; see the module comment. */
export class EpochSection implements Section {
  readonly root: HTMLElement;
  private readonly frame: SectionFrame;
  private chart?: Chart<'line'>;
  private readonly canvas = el('canvas', { attrs: { role: 'img' } });
  private readonly box = el('div', { class: 'gs-chart' });
  private readonly empty = el('p', { class: 'gs-note', text: 'No epoch has ended yet.' });
  private theme: Theme = readTheme();

  /** Appends itself to `parent` before creating charts: chart.js sizes a canvas only once it is attached. */
  constructor(parent: HTMLElement, private snap: HealthSnapshot) {
    this.frame = new SectionFrame('epochs', 'Training and validation per epoch', 'Loss and metrics per epoch', () => this.table());
    this.root = this.frame.root;
    parent.append(this.root);
    this.box.append(this.canvas);
    this.frame.body.append(this.empty, this.box);
    this.update(snap);
  }

  private options() {
    const t = this.theme;
    const o = stepChartOptions(t, this.snap, {
      y: { ...valueAxis(t, 'loss', false), position: 'left' },
      y1: { ...valueAxis(t, 'metric', false), position: 'right', display: epochSeries(this.snap).some((c) => !c.loss), grid: { drawOnChartArea: false, color: t.grid } },
    });
    const x = o.scales!.x as { min?: number; max?: number; title?: unknown; ticks?: Record<string, unknown> };
    x.min = 1;
    x.max = epochAxisMax(this.snap);
    x.title = axisTitle(t, 'epoch');
    x.ticks = { ...x.ticks, stepSize: 1, precision: 0 };
    o.elements = { ...o.elements, point: { radius: 2.5, hitRadius: 6 } };
    o.plugins!.tooltip!.callbacks!.title = (items) => (items.length ? `epoch ${items[0].parsed.x}` : '');
    return o;
  }

  update(s: HealthSnapshot): void {
    this.snap = s;
    const t = this.theme;
    const curves = epochSeries(s);
    const hasMetric = curves.some((c) => !c.loss);
    this.empty.hidden = curves.length > 0;
    this.box.hidden = curves.length === 0;
    const colors = [t.orange, t.blue, t.green, t.purple, t.yellow, t.red];
    const byBase = new Map<string, string>();
    const datasets = curves.map((c) => {
      const base = c.name.replace(/^val_/, '');
      if (!byBase.has(base)) byBase.set(base, colors[byBase.size % colors.length]);
      const color = byBase.get(base)!;
      return {
        label: label(c.name), data: toPoints(c.series), yAxisID: c.loss ? 'y' : 'y1',
        borderColor: color, backgroundColor: color, borderDash: c.validation ? [6, 3] : [],
        pointStyle: c.validation ? 'rectRot' as const : 'circle' as const,
      };
    });
    const markers: Marker[] = s.training.events.flatMap((e) => {
      const m = MARKED[e.kind];
      return m ? [{ x: eventEpoch(e), label: m.label, dash: m.dash, color: e.kind === 'early-stop' ? t.purple : t.fg }] : [];
    });
    if (!this.chart) {
      const options = this.options();
      (options.plugins as { gsMarkers?: { markers: Marker[] } }).gsMarkers = { markers };
      this.chart = new Chart(this.canvas, { type: 'line', data: { datasets }, options, plugins: [markersPlugin] });
    } else {
      const x = this.chart.options.scales!.x!;
      x.max = epochAxisMax(s);
      (this.chart.options.scales!.y1 as { display?: boolean }).display = hasMetric;
      const ds = this.chart.data.datasets;
      ds.length = Math.min(ds.length, datasets.length);
      datasets.forEach((d, i) => { if (ds[i]) Object.assign(ds[i], d); else ds[i] = d; });
      (this.chart.options.plugins as { gsMarkers?: { markers: Marker[] } }).gsMarkers = { markers };
      this.chart.update('none');
    }
    const names = curves.map((c) => label(c.name)).join(', ');
    const marks = markers.map((m) => `${m.label} at epoch ${m.x}`).join(', ');
    this.canvas.setAttribute('aria-label', `Per epoch: ${names || 'nothing yet'}${marks ? `; markers: ${marks}` : ''}`);
    this.frame.refreshTable();
  }

  private table(): TableData {
    const curves = epochSeries(this.snap);
    const epochs = [...new Set(curves.flatMap((c) => c.series.step))].sort((a, b) => a - b);
    const rows = epochs.map((e) => [String(e), ...curves.map((c) => {
      const i = c.series.step.indexOf(e);
      return i < 0 ? '—' : fmtNum(c.series.value[i]);
    }), this.snap.training.events.filter((x) => MARKED[x.kind] && eventEpoch(x) === e).map((x) => MARKED[x.kind]!.label).join(', ')]);
    return { head: ['epoch', ...curves.map((c) => label(c.name)), 'events'], rows };
  }

  retheme(): void {
    this.theme = readTheme();
    rethemeChart(this.chart, () => this.options(), () => this.update(this.snap));
  }

  destroy(): void {
    this.chart?.destroy();
  }
}

