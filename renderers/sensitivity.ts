/**
 * Sensitivities: the RMS of s^k = ∂L/∂n^k per layer over steps on a log scale, with the exploding and
 * vanishing zones drawn as bands relative to the output layer (the diagnostics rule compares the first
 * layer to the last with the same factor), and a layer × step heatmap view.
 */
import type { ChartDataset } from 'chart.js';
import type { HealthSnapshot, LayerSeries } from '../src/protocol/health';
import { Chart, PER_LAYER_INTERACTION } from './charts';
import { followStepAxis, rethemeChart, stepChartOptions, valueAxis } from './chartOptions';
import { el, toggleButton } from './dom';
import { fmtNum, lastFinite } from './format';
import { drawHeatmap } from './heatmap';
import { SectionFrame, pickLayers, type Section, type TableData } from './section';
import { pointsPerLine, toPoints, valueAt } from './series';
import { layerColor, readTheme, withAlpha, type Theme } from './theme';

/** Factor of the default `gradscope.diagnostics.vanishingFactor` setting. */
export const DEFAULT_FACTOR = 100;
/** Per-layer lines get a legend only up to this many layers; beyond it the colour ramp explains depth. */
const LEGEND_MAX_LAYERS = 10;
/** Most per-layer lines drawn; deeper models show evenly spaced layers (the heatmap and table show all). */
export const MAX_LAYER_LINES = 100;

/** Layers named by findings: a per-layer view that thins a deep model keeps them. */
export function findingLayers(s: HealthSnapshot): Set<string> {
  return new Set(s.findings.flatMap((f) => f.layers));
}

/** The factor the rules used, read from a vanishing/exploding finding's evidence when present. */
export function bandFactor(s: HealthSnapshot): number {
  for (const f of s.findings) {
    const v = f.evidence.factor;
    if ((f.code === 'vanishing-gradient' || f.code === 'exploding-gradient') && typeof v === 'number' && v > 1) return v;
  }
  return DEFAULT_FACTOR;
}

/** Sensitivity section; see the module comment. */
export class SensitivitySection implements Section {
  readonly root: HTMLElement;
  private readonly frame: SectionFrame;
  /** Created by the first update, with its data: constructing chart.js empty and then filling it lays out twice. */
  private chart?: Chart<'line'>;
  private readonly canvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'Per-layer sensitivity RMS over steps, log scale' } });
  private readonly lines = el('div', { class: 'gs-chart' });
  private readonly heat = el('canvas', { class: 'gs-heatmap', attrs: { role: 'img' } });
  private readonly heatWrap = el('div', { class: 'gs-heat-wrap' });
  private readonly note = el('p', { class: 'gs-note' });
  private readonly resize: ResizeObserver;
  private heatOn = false;
  private theme: Theme = readTheme();

  /** Appends itself to `parent` before creating charts: chart.js sizes a canvas only once it is attached. */
  constructor(parent: HTMLElement, private snap: HealthSnapshot) {
    this.frame = new SectionFrame('sensitivity', 'Sensitivities ∂L/∂net (RMS per layer)', 'Latest per-layer measurements', () => this.table());
    this.root = this.frame.root;
    parent.append(this.root);
    this.lines.append(this.canvas);
    this.heatWrap.append(this.heat, el('p', { class: 'gs-note', text: 'Rows: layers, input (top) → output (bottom). Colour: log10 sensitivity RMS. Red hatch: non-finite.' }));
    this.heatWrap.hidden = true;
    const heatButton = toggleButton('Heatmap', false, (on) => this.showHeatmap(on));
    heatButton.setAttribute('aria-label', 'Show sensitivities as a layer by step heatmap');
    this.frame.tools.append(heatButton);
    this.frame.body.append(this.lines, this.heatWrap, this.note);
    this.resize = new ResizeObserver(() => { if (this.heatOn) this.drawHeat(); });
    this.resize.observe(this.frame.body);
    this.update(snap);
  }

  private options() {
    const o = stepChartOptions(this.theme, this.snap, { y: valueAxis(this.theme, 'RMS of ∂L/∂net', true) });
    // Hover names the one line under the pointer (a layer or a band), whatever the legend shows.
    o.interaction = { ...PER_LAYER_INTERACTION };
    o.plugins!.legend!.labels!.filter = (item, data) => {
      const ds = data.datasets[item.datasetIndex!] as { gsBand?: boolean };
      return ds.gsBand === true || data.datasets.length - 2 <= LEGEND_MAX_LAYERS;
    };
    return o;
  }

  update(s: HealthSnapshot): void {
    this.snap = s;
    followStepAxis(this.chart, s);
    const t = this.theme;
    const n = s.layers.length;
    const factor = bandFactor(s);
    const ref = n ? s.layers[n - 1].sensitivityRms : undefined;
    const { shown } = pickLayers(s.layers, MAX_LAYER_LINES, findingLayers(s));
    const perLine = pointsPerLine(shown.length + 2);
    const ds = (this.chart?.data.datasets ?? []) as (ChartDataset<'line'> & { gsBand?: boolean })[];
    const want = shown.length + 2;
    ds.length = Math.min(ds.length, want);
    const put = (i: number, d: ChartDataset<'line'> & { gsBand?: boolean }) => {
      if (ds[i]) Object.assign(ds[i], d); else ds[i] = d;
    };
    put(0, {
      label: `exploding zone (> output layer × ${factor})`, gsBand: true,
      data: ref ? toPoints(ref, perLine, (v) => v * factor) : [],
      borderColor: t.red, borderDash: [6, 3], borderWidth: 1.5, backgroundColor: withAlpha(t.red, 0.18), fill: 'end', order: 1,
    });
    put(1, {
      label: `vanishing zone (< output layer ÷ ${factor})`, gsBand: true,
      data: ref ? toPoints(ref, perLine, (v) => v / factor) : [],
      borderColor: t.blue, borderDash: [2, 2], borderWidth: 1.5, backgroundColor: withAlpha(t.blue, 0.18), fill: 'start', order: 1,
    });
    const depth = new Map(s.layers.map((l, i) => [l, i]));
    shown.forEach((l, j) => {
      const i = depth.get(l)!;
      put(j + 2, {
        label: l.layer, gsBand: false, data: toPoints(l.sensitivityRms, perLine), fill: false, order: 0,
        borderColor: layerColor(t, i, n), backgroundColor: layerColor(t, i, n),
      });
    });
    if (this.chart) this.chart.update('none');
    else this.chart = new Chart(this.canvas, { type: 'line', data: { datasets: ds }, options: this.options() });
    const thinned = shown.length < n ? ` Showing ${shown.length} of ${n} layers, evenly spaced (and those of the findings); the heatmap and the table show all.` : '';
    this.note.textContent = n > LEGEND_MAX_LAYERS
      ? `${n} layers: colour runs from blue (input side) to orange (output side); hover a line for its layer. Bands are relative to the output layer.${thinned}`
      : 'Bands are relative to the output layer’s sensitivity at each step.';
    if (this.heatOn) this.drawHeat();
    this.frame.refreshTable();
  }

  private showHeatmap(on: boolean): void {
    this.heatOn = on;
    this.lines.hidden = on;
    this.note.hidden = on;
    this.heatWrap.hidden = !on;
    if (on) this.drawHeat();
  }

  private drawHeat(): void {
    this.heat.setAttribute('aria-label', `Heatmap of log10 sensitivity RMS for ${this.snap.layers.length} layers; use the Table toggle for the numbers`);
    drawHeatmap(this.heat, this.snap.layers, this.theme, this.frame.body.clientWidth || 700);
  }

  private table(): TableData {
    const s = this.snap;
    const ref = s.layers.length ? lastFinite(s.layers[s.layers.length - 1].sensitivityRms.step, s.layers[s.layers.length - 1].sensitivityRms.value) : undefined;
    const rows = s.layers.map((l: LayerSeries) => {
      const n = l.sensitivityRms.step.length;
      const step = n ? l.sensitivityRms.step[n - 1] : undefined;
      const at = (x: typeof l.gradNorm) => (step === undefined ? '—' : fmtNum(valueAt(x, step)));
      const rms = n ? l.sensitivityRms.value[n - 1] : undefined;
      const rel = rms !== undefined && rms !== null && ref && ref.value > 0 ? fmtNum(rms / ref.value) : '—';
      return [l.layer, step === undefined ? '—' : String(step), rms === undefined ? '—' : fmtNum(rms),
        at(l.sensitivityMax), at(l.gradNorm), at(l.updateRatio), rel];
    });
    return { head: ['layer (input → output)', 'step', 'RMS ∂L/∂net', 'max |∂L/∂net|', '‖∂L/∂W‖', '‖ΔW‖/‖W‖', 'RMS ÷ output layer'], rows };
  }

  retheme(): void {
    this.theme = readTheme();
    rethemeChart(this.chart, () => this.options(), () => this.update(this.snap));
  }

  destroy(): void {
    this.resize.disconnect();
    this.chart?.destroy();
  }
}
