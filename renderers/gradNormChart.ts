/**
 * Gradient norms: the global gradient norm per step before and after clipping on a log scale, with
 * the clip threshold as a horizontal line (`globalClipnorm` bounds this very norm; a per-tensor
 * `clipnorm` bounds each weight tensor's, and is drawn and labelled as such), and a "Per layer" view
 * of each layer's ‖∂L/∂W‖ at the probed steps, whose hover names the layer.
 */
import type { ChartDataset } from 'chart.js';
import type { HealthSnapshot } from '../src/protocol/health';
import { Chart, PER_LAYER_INTERACTION } from './charts';
import { followStepAxis, rethemeChart, stepChartOptions, valueAxis } from './chartOptions';
import { el, toggleButton } from './dom';
import { fmtNum } from './format';
import { SectionFrame, pickLayers, sampleIndices, type Section, type TableData } from './section';
import { MAX_LAYER_LINES, findingLayers } from './sensitivity';
import { pointsPerLine, toPoints, valueAt } from './series';
import { layerColor, readTheme, type Theme } from './theme';

const TABLE_ROWS = 200;
/** Per-layer lines get a legend only up to this many layers; beyond it hover names the layer. */
const LEGEND_MAX_LAYERS = 10;

/** The threshold line the chart draws, with its legend text; undefined when the run does not clip by norm. */
export function clipLine(s: HealthSnapshot): { value: number; label: string } | undefined {
  const c = s.training.clip;
  // (Checked here: validate.ts does not know this optional field, and a payload may carry anything.)
  if (typeof c?.globalClipnorm === 'number') return { value: c.globalClipnorm, label: `globalClipnorm ${fmtNum(c.globalClipnorm)} (bounds this norm)` };
  if (typeof c?.clipnorm === 'number') return { value: c.clipnorm, label: `clipnorm ${fmtNum(c.clipnorm)} (bounds each weight tensor’s norm)` };
  return undefined;
}

/** Gradient-norm section; see the module comment. */
export class GradNormSection implements Section {
  readonly root: HTMLElement;
  private readonly frame: SectionFrame;
  private chart?: Chart<'line'>;
  private perLayer = false;
  private readonly canvas = el('canvas', { attrs: { role: 'img' } });
  private readonly box = el('div', { class: 'gs-chart' });
  private readonly note = el('p', { class: 'gs-note' });
  private theme: Theme = readTheme();

  /** Appends itself to `parent` before creating charts: chart.js sizes a canvas only once it is attached. */
  constructor(parent: HTMLElement, private snap: HealthSnapshot) {
    this.frame = new SectionFrame('gradnorm', 'Gradient norms', 'Global gradient norm per step', () => this.table());
    this.root = this.frame.root;
    parent.append(this.root);
    const layerButton = toggleButton('Per layer', false, (on) => this.showPerLayer(on));
    layerButton.setAttribute('aria-label', 'Show each layer’s weight-gradient norm instead of the global norm');
    this.frame.tools.append(layerButton);
    this.box.append(this.canvas);
    this.frame.body.append(this.box, this.note);
    this.update(snap);
  }

  private options() {
    const o = stepChartOptions(this.theme, this.snap, { y: valueAxis(this.theme, this.perLayer ? '‖∂L/∂W‖ per layer (log)' : 'global ‖g‖ (log)', true) });
    if (this.perLayer) {
      o.interaction = { ...PER_LAYER_INTERACTION };
      o.plugins!.legend!.display = this.snap.layers.length <= LEGEND_MAX_LAYERS;
    }
    return o;
  }

  private showPerLayer(on: boolean): void {
    this.perLayer = on;
    this.chart?.destroy();
    this.chart = undefined;
    this.update(this.snap);
  }

  private datasets(s: HealthSnapshot): ChartDataset<'line'>[] {
    const t = this.theme;
    if (this.perLayer) {
      const n = s.layers.length;
      const { shown } = pickLayers(s.layers, MAX_LAYER_LINES, findingLayers(s));
      const depth = new Map(s.layers.map((l, i) => [l, i]));
      const per = pointsPerLine(shown.length);
      return shown.map((l) => ({ l, i: depth.get(l)! })).map(({ l, i }) => ({
        label: l.layer, data: toPoints(l.gradNorm, per, (v) => (v > 0 ? v : null)), borderColor: layerColor(t, i, n), backgroundColor: layerColor(t, i, n),
      }));
    }
    const tr = s.training;
    const out: ChartDataset<'line'>[] = [];
    const pos = (v: number) => (v > 0 ? v : null);
    if (tr.gradNormPreClip) out.push({ label: 'before clipping', data: toPoints(tr.gradNormPreClip, undefined, pos), borderColor: t.orange, backgroundColor: t.orange });
    if (tr.gradNormPostClip) out.push({ label: 'after clipping', data: toPoints(tr.gradNormPostClip, undefined, pos), borderColor: t.blue, backgroundColor: t.blue, borderDash: [5, 2] });
    const line = clipLine(s);
    const steps = tr.gradNormPreClip?.step ?? [];
    if (line && steps.length) {
      out.push({ label: line.label, data: [{ x: steps[0], y: line.value }, { x: steps[steps.length - 1], y: line.value }], borderColor: t.red, backgroundColor: t.red, borderDash: [2, 3], borderWidth: 1.5 });
    }
    return out;
  }

  update(s: HealthSnapshot): void {
    this.snap = s;
    followStepAxis(this.chart, s);
    const data = this.datasets(s);
    if (this.chart) {
      const ds = this.chart.data.datasets;
      ds.length = Math.min(ds.length, data.length);
      data.forEach((d, i) => { if (ds[i]) Object.assign(ds[i], d); else ds[i] = d; });
      this.chart.update('none');
    } else {
      this.chart = new Chart(this.canvas, { type: 'line', data: { datasets: data }, options: this.options() });
    }
    const tr = s.training;
    const line = clipLine(s);
    this.box.hidden = this.perLayer ? s.layers.length === 0 : !tr.gradNormPreClip;
    if (this.perLayer) {
      this.canvas.setAttribute('aria-label', `Weight-gradient norm ‖∂L/∂W‖ of ${s.layers.length} layers at the probed steps, log scale`);
      this.note.textContent = s.layers.length > LEGEND_MAX_LAYERS
        ? `${s.layers.length} layers: colour runs from blue (input side) to orange (output side); hover a line for its layer.${s.layers.length > MAX_LAYER_LINES ? ` Showing ${data.length} of them, evenly spaced (and those of the findings).` : ''}`
        : 'Each layer’s ‖∂L/∂W‖ (all its trainable weights together) at the probed steps.';
    } else {
      this.canvas.setAttribute('aria-label', `Global gradient norm per step before and after clipping, log scale${line ? `, threshold ${line.label}` : ''}`);
      this.note.textContent = !tr.gradNormPreClip
        ? 'No global gradient norm recorded in this run (gs.fit records it every step).'
        : line ? `Clipping: ${line.label}.${tr.clip?.clipvalue !== undefined ? ` clipvalue ${fmtNum(tr.clip.clipvalue)} also bounds each gradient value.` : ''}`
          : tr.clip?.clipvalue !== undefined ? `Clipping: clipvalue ${fmtNum(tr.clip.clipvalue)} bounds each gradient value (no norm threshold to draw).`
            : 'No clipping in this run: before and after are the same norm.';
    }
    this.frame.refreshTable();
  }

  private table(): TableData {
    const tr = this.snap.training;
    const pre = tr.gradNormPreClip, post = tr.gradNormPostClip;
    if (!pre) return { head: ['step', 'before clipping', 'after clipping'], rows: [], note: 'No global gradient norm recorded.' };
    const idx = sampleIndices(pre.step.length, TABLE_ROWS);
    const rows = idx.map((i) => [String(pre.step[i]), fmtNum(pre.value[i]), post ? fmtNum(valueAt(post, pre.step[i])) : '—']);
    const note = idx.length < pre.step.length ? `Showing ${idx.length} of ${pre.step.length} samples, evenly spaced.` : undefined;
    return { head: ['step', 'before clipping', 'after clipping'], rows, note };
  }

  retheme(): void {
    this.theme = readTheme();
    rethemeChart(this.chart, () => this.options(), () => this.update(this.snap));
  }

  destroy(): void {
    this.chart?.destroy();
  }
}
