/**
 * Saturation: per-layer bars of the dead / saturated / negative-regime fractions at the latest probe,
 * a sparkline of the layer's main fraction over time, and SELU output mean/std (self-normalization
 * wants about 0 and 1) for SELU layers.
 */
import type { HealthSnapshot, LayerSeries, Series } from '../src/protocol/health';
import { Chart, axisColors } from './charts';
import { axisTitle, rethemeChart } from './chartOptions';
import { el, replaceChildren, hiDpiContext } from './dom';
import { fmtNum, fmtPct } from './format';
import { SectionFrame, type Section, type TableData } from './section';
import { toPoints } from './series';
import { readTheme, type Theme } from './theme';

type Field = 'dead' | 'saturated' | 'negative';
/** Most layers the bars and sparkline rows show. */
export const MAX_SATURATION_LAYERS = 40;
const FIELDS: { key: Field; label: string; color: (t: Theme) => string }[] = [
  { key: 'dead', label: 'dead units (ReLU family)', color: (t) => t.red },
  { key: 'saturated', label: 'saturated (sigmoid/tanh)', color: (t) => t.orange },
  { key: 'negative', label: 'negative regime (ELU/SELU/LeakyReLU)', color: (t) => t.blue },
];

/** Category tick of the bar chart: long layer names are cut so the bars keep their width. */
function shortLabel(this: { getLabelForValue(v: number): string }, value: number | string): string {
  const name = this.getLabelForValue(Number(value));
  return name.length > 22 ? `${name.slice(0, 21)}…` : name;
}

/**
 * What a saturation row says the layer is. A layer without that activation of its own (a
 * BatchNormalization or a linear Dense followed by a separate Activation layer) carries the
 * measurement of the activation that follows it, and says so: "→ sigmoid after it: saturated".
 */
export function kindLabel(kind: string, field: string | undefined, info: { className: string; activation?: string } | undefined): string {
  const own = !info || info.activation === kind || (info.activation === undefined && kind === 'linear');
  const name = own ? kind : `${info.className === 'BatchNormalization' ? 'batch norm' : info.className} → ${kind} after it`;
  return field ? `${name}: ${field}` : name;
}

/** The fraction that matters most for a layer's activation, for its sparkline. */
function mainField(l: LayerSeries): Field | undefined {
  const k = l.latestSaturation?.kind;
  if (k === 'sigmoid' || k === 'tanh') return 'saturated';
  if (k === 'elu' || k === 'selu' || k === 'leakyRelu') return 'negative';
  if (k === 'relu' || k === 'relu6') return 'dead';
  return FIELDS.find((f) => l.latestSaturation?.[f.key] !== undefined)?.key;
}

function drawSparkline(canvas: HTMLCanvasElement, s: Series | undefined, color: string, grid: string): void {
  const w = 120, h = 22;
  const ctx = hiDpiContext(canvas, w, h, true);
  ctx.strokeStyle = grid; ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
  if (!s || s.step.length === 0) return;
  const pts = toPoints(s, w * 2);
  const x0 = s.step[0], x1 = s.step[s.step.length - 1] || x0 + 1;
  ctx.strokeStyle = color; ctx.lineWidth = 1.25;
  ctx.beginPath();
  let pen = false;
  for (const p of pts) {
    if (p.y === null) { pen = false; continue; }
    const x = 1 + ((p.x - x0) / Math.max(1e-9, x1 - x0)) * (w - 2);
    const y = h - 1 - Math.max(0, Math.min(1, p.y)) * (h - 2); // fractions are in [0, 1]
    if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    pen = true;
  }
  ctx.stroke();
}

/** Saturation section; see the module comment. */
export class SaturationSection implements Section {
  readonly root: HTMLElement;
  private readonly frame: SectionFrame;
  /** Created by the first update, with its data (one layout instead of two). */
  private chart?: Chart<'bar'>;
  private readonly canvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'Dead, saturated and negative-regime fractions per layer at the latest probe' } });
  private readonly chartBox = el('div', { class: 'gs-chart' });
  private readonly rows = el('div', { class: 'gs-sat-rows' });
  private readonly empty = el('p', { class: 'gs-note', text: 'No saturation probe results yet.' });
  private readonly thinned = el('p', { class: 'gs-note' });
  private sparks = new Map<string, HTMLCanvasElement>();
  private theme: Theme = readTheme();

  /** Appends itself to `parent` before creating charts: chart.js sizes a canvas only once it is attached. */
  constructor(parent: HTMLElement, private snap: HealthSnapshot) {
    this.frame = new SectionFrame('saturation', 'Saturation (latest probe)', 'Latest saturation sample per layer', () => this.table());
    this.root = this.frame.root;
    parent.append(this.root);
    this.chartBox.append(this.canvas);
    this.frame.body.append(this.empty, this.thinned, this.chartBox, this.rows);
    this.update(snap);
  }

  private options() {
    const t = this.theme;
    return {
      animation: false as const, responsive: true, maintainAspectRatio: false, indexAxis: 'y' as const,
      color: t.fg, font: { family: t.font, size: t.fontSize },
      scales: {
        x: { min: 0, max: 100, title: axisTitle(t, '% of units / activations'), ...axisColors(t) },
        y: { ...axisColors(t), ticks: { ...axisColors(t).ticks, autoSkip: false, callback: shortLabel } },
      },
      plugins: { legend: { labels: { color: t.fg, boxWidth: 12 } } },
    };
  }

  private probed(): LayerSeries[] {
    return this.snap.layers.filter((l) => l.latestSaturation);
  }

  /**
   * Layers the bars and rows show: all up to {@link MAX_SATURATION_LAYERS}; for deeper models the
   * most affected ones (largest main fraction), kept in depth order.
   */
  private shown(layers: LayerSeries[]): LayerSeries[] {
    if (layers.length <= MAX_SATURATION_LAYERS) return layers;
    const score = (l: LayerSeries) => { const f = mainField(l); return f ? (l.latestSaturation![f] ?? 0) : 0; };
    const top = new Set([...layers].sort((a, b) => score(b) - score(a)).slice(0, MAX_SATURATION_LAYERS));
    return layers.filter((l) => top.has(l));
  }

  update(s: HealthSnapshot): void {
    this.snap = s;
    const t = this.theme;
    const all = this.probed();
    const layers = this.shown(all);
    this.thinned.hidden = layers.length === all.length;
    this.thinned.textContent = `The ${layers.length} most affected of ${all.length} probed layers, input side first; the table lists all.`;
    this.empty.hidden = layers.length > 0;
    this.chartBox.hidden = layers.length === 0;
    this.chartBox.style.height = `${Math.max(120, layers.length * 16 + 70)}px`;
    const labels = layers.map((l) => l.layer);
    const used = FIELDS.filter((f) => layers.some((l) => l.latestSaturation![f.key] !== undefined));
    const ds: { label: string; data: number[]; backgroundColor: string; borderColor: string }[] = (this.chart?.data.datasets ?? []) as never;
    ds.length = Math.min(ds.length, used.length);
    used.forEach((f, i) => {
      const d = { label: f.label, data: layers.map((l) => (l.latestSaturation![f.key] ?? 0) * 100), backgroundColor: f.color(t), borderColor: f.color(t) };
      if (ds[i]) Object.assign(ds[i], d); else ds[i] = d;
    });
    if (this.chart) {
      this.chart.data.labels = labels;
      this.chart.update('none');
    } else {
      this.chart = new Chart(this.canvas, { type: 'bar', data: { labels, datasets: ds }, options: this.options() });
    }
    this.updateRows(layers);
    this.frame.refreshTable();
  }

  private updateRows(layers: LayerSeries[]): void {
    const t = this.theme;
    const infos = new Map(this.snap.model.layers.map((m) => [m.name, m]));
    const key = layers.map((l) => l.layer).join('\u0000');
    if (key !== this.rows.dataset.key) {
      this.rows.dataset.key = key;
      this.sparks.clear();
      replaceChildren(this.rows, ...layers.flatMap((l) => {
        const c = el('canvas', { attrs: { role: 'img' } });
        this.sparks.set(l.layer, c);
        return [el('span', { class: 'gs-layer-name', text: l.layer }), el('span', { class: 'gs-muted gs-kind' }), c, el('span', { class: 'gs-sat-latest' })];
      }));
    }
    layers.forEach((l, i) => {
      const f = mainField(l);
      const latest = l.latestSaturation!;
      const kindEl = this.rows.children[i * 4 + 1] as HTMLElement;
      const textEl = this.rows.children[i * 4 + 3] as HTMLElement;
      kindEl.textContent = kindLabel(latest.kind, f, infos.get(l.layer));
      const selu = latest.kind === 'selu' && latest.mean !== undefined && latest.std !== undefined
        ? ` · mean ${fmtNum(latest.mean)}, std ${fmtNum(latest.std)}` : '';
      textEl.textContent = `${f ? fmtPct(latest[f]) : ''}${selu}`;
      const c = this.sparks.get(l.layer)!;
      c.setAttribute('aria-label', `${l.layer}: ${f ?? 'saturation'} over time`);
      drawSparkline(c, f ? l.saturation?.[f] : undefined, FIELDS.find((x) => x.key === f)?.color(t) ?? t.fg, t.grid);
    });
  }

  private table(): TableData {
    const rows = this.probed().map((l) => {
      const x = l.latestSaturation!;
      return [l.layer, x.kind, fmtPct(x.dead), fmtPct(x.zero), fmtPct(x.saturated), fmtPct(x.negative),
        x.mean === undefined ? '—' : fmtNum(x.mean), x.std === undefined ? '—' : fmtNum(x.std)];
    });
    return { head: ['layer', 'activation', 'dead units', 'zero activations', 'saturated', 'negative regime', 'output mean', 'output std'], rows };
  }

  retheme(): void {
    this.theme = readTheme();
    rethemeChart(this.chart, () => this.options(), () => this.update(this.snap));
  }

  destroy(): void {
    this.chart?.destroy();
  }
}
