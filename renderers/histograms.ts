/**
 * Histograms over time of one layer's weights, weight gradients or activations (a layer picker and a
 * kind toggle): a heatmap with one column per frame of probes, left to right over steps, and one row
 * per value bin, low values at the bottom; the colour is the share of the frame's values in the bin,
 * relative to the largest share of any cell (square-root scale, so thin tails stay visible). Values outside the run's fixed bins are drawn in
 * their own rows above and below, and non-finite ones as a red mark over the column. The section is
 * hidden when the payload has no histograms (older producers, `histograms: false`).
 */
import type { HealthSnapshot, Histogram, LayerHistograms } from '../src/protocol/health';
import { el, replaceChildren, toggleButton, hiDpiContext } from './dom';
import { fmtNum } from './format';
import { colormap } from './heatmap';
import { SectionFrame, type Section, type TableData } from './section';
import { readTheme, type Theme } from './theme';

type Kind = keyof LayerHistograms;
const KINDS: Kind[] = ['weights', 'gradients', 'activations'];
const KIND_LABEL: Record<Kind, string> = { weights: 'weights', gradients: 'weight gradients', activations: 'activations' };
const LABEL_W = 64, AXIS_H = 18, ROW_PX = 7, EDGE_GAP = 4, PAD = 6;

/** True when `h` has the shape the drawing reads (edges, and one entry per frame in every array). */
export function wellFormed(h: unknown): h is Histogram {
  const o = h as Histogram | undefined;
  if (!o || !Array.isArray(o.edges) || o.edges.length < 2 || !Array.isArray(o.step) || !Array.isArray(o.counts)) return false;
  const n = o.step.length;
  return [o.counts, o.under, o.over, o.nonFinite, o.probes].every((a) => Array.isArray(a) && a.length === n) &&
    o.counts.every((c) => Array.isArray(c) && c.length === o.edges.length - 1);
}

/** Layers whose payload has at least one well-formed histogram, with those histograms. */
export function histogramLayers(s: HealthSnapshot): { layer: string; h: Partial<Record<Kind, Histogram>> }[] {
  const out: { layer: string; h: Partial<Record<Kind, Histogram>> }[] = [];
  for (const l of s.layers) {
    const h: Partial<Record<Kind, Histogram>> = {};
    for (const k of KINDS) if (wellFormed(l.histograms?.[k])) h[k] = l.histograms![k];
    if (Object.keys(h).length) out.push({ layer: l.layer, h });
  }
  return out;
}

/** Draws histogram `h` into `canvas` at `width` CSS px (see the module comment). */
export function drawHistogram(canvas: HTMLCanvasElement, h: Histogram, theme: Theme, width: number): void {
  const bins = h.edges.length - 1;
  const frames = h.step.length;
  const plotW = Math.max(60, width - LABEL_W);
  const plotH = bins * ROW_PX;
  const height = PAD + plotH + 2 * (ROW_PX + EDGE_GAP) + AXIS_H;
  const ctx = hiDpiContext(canvas, width, height);
  if (frames === 0) return;
  const colW = plotW / frames;
  const top = PAD + ROW_PX + EDGE_GAP; // y of the first bin row (the highest bin)
  const totals = h.counts.map((c, f) => c.reduce((a, v) => a + v, 0) + h.under[f] + h.over[f] + h.nonFinite[f]);
  let most = 0;
  h.counts.forEach((c, f) => { if (totals[f] > 0) for (const v of [...c, h.under[f], h.over[f]]) most = Math.max(most, v / totals[f]); });
  const cell = (x: number, y: number, share: number) => {
    const [r, g, b] = colormap(most > 0 ? Math.sqrt(share / most) : 0);
    ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
    ctx.fillRect(x, y, Math.ceil(colW), ROW_PX);
  };
  for (let f = 0; f < frames; f++) {
    const counts = h.counts[f];
    const n = totals[f];
    if (!(n > 0)) continue;
    const x = LABEL_W + f * colW;
    for (let b = 0; b < bins; b++) cell(x, top + (bins - 1 - b) * ROW_PX, counts[b] / n);
    cell(x, PAD, h.over[f] / n);
    cell(x, top + plotH + EDGE_GAP, h.under[f] / n);
    if (h.nonFinite[f] > 0) {
      ctx.fillStyle = theme.red;
      ctx.fillRect(x, 0, Math.ceil(colW), PAD - 1);
    }
  }
  ctx.fillStyle = theme.fg;
  ctx.font = `10px ${theme.font}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  ctx.fillText('above', LABEL_W - 4, PAD + ROW_PX / 2);
  ctx.fillText(fmtNum(h.edges[bins]), LABEL_W - 4, top + 3);
  ctx.fillText(fmtNum(h.edges[Math.floor(bins / 2)]), LABEL_W - 4, top + plotH / 2);
  ctx.fillText(fmtNum(h.edges[0]), LABEL_W - 4, top + plotH - 3);
  ctx.fillText('below', LABEL_W - 4, top + plotH + EDGE_GAP + ROW_PX / 2);
  ctx.textBaseline = 'top';
  const y = height - AXIS_H + 4;
  ctx.textAlign = 'left';
  ctx.fillText(`step ${fmtNum(h.step[0])}`, LABEL_W, y);
  ctx.textAlign = 'right';
  ctx.fillText(`step ${fmtNum(h.step[frames - 1])}`, width, y);
}

/** Histogram section; see the module comment. */
export class HistogramSection implements Section {
  readonly root: HTMLElement;
  private readonly frame: SectionFrame;
  private readonly select = el('select', { class: 'gs-hist-layer', attrs: { 'aria-label': 'Layer' } });
  private readonly kinds = el('span', { class: 'gs-hist-kinds' });
  private readonly canvas = el('canvas', { class: 'gs-hist-canvas', attrs: { role: 'img', style: 'width:100%;display:block' } });
  private readonly note = el('p', { class: 'gs-note' });
  private readonly resize: ResizeObserver;
  private kind: Kind = 'weights';
  private layer = '';
  private layersJson = '';
  private theme: Theme = readTheme();
  /** What the canvas shows now (layer, kind, frames, width): live updates that change none of it skip the redraw. */
  private drawn = '';

  /** Appends itself to `parent`. */
  constructor(parent: HTMLElement, private snap: HealthSnapshot) {
    this.frame = new SectionFrame('histograms', 'Histograms over time', 'Latest frame of the chosen histogram', () => this.table());
    this.root = this.frame.root;
    parent.append(this.root);
    this.frame.tools.append(this.select, this.kinds);
    this.frame.body.append(this.canvas, this.note);
    // The table shows the chosen layer too: rebuild it along with the heatmap.
    this.select.addEventListener('change', () => { this.layer = this.select.value; this.draw(); this.frame.refreshTable(); });
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.frame.body);
    this.update(snap);
  }

  update(s: HealthSnapshot): void {
    this.snap = s;
    const layers = histogramLayers(s);
    this.root.hidden = layers.length === 0;
    if (layers.length === 0) return;
    const names = JSON.stringify(layers.map((l) => l.layer));
    if (names !== this.layersJson) {
      this.layersJson = names;
      if (!layers.some((l) => l.layer === this.layer)) this.layer = layers[0].layer;
      replaceChildren(this.select, ...layers.map((l) => {
        const o = el('option', { text: l.layer, attrs: { value: l.layer } });
        o.selected = l.layer === this.layer;
        return o;
      }));
    }
    this.draw();
    this.frame.refreshTable();
  }

  /** The histogram shown: the chosen layer's chosen kind, or its first one. */
  private current(): { h?: Histogram; available: Kind[] } {
    const entry = histogramLayers(this.snap).find((l) => l.layer === this.layer);
    const available = KINDS.filter((k) => entry?.h[k]);
    if (!available.includes(this.kind) && available.length) this.kind = available[0];
    return { h: entry?.h[this.kind], available };
  }

  private draw(): void {
    const { h, available } = this.current();
    replaceChildren(this.kinds, ...available.map((k) => toggleButton(KIND_LABEL[k], k === this.kind, () => { this.kind = k; this.draw(); this.frame.refreshTable(); })));
    if (!h) return;
    const width = this.frame.body.clientWidth || 700;
    const key = `${this.layer}|${this.kind}|${width}|${h.step.length}|${h.step.at(-1)}|${h.probes.at(-1)}|${h.probes.reduce((a, b) => a + b, 0)}`;
    if (key === this.drawn) return;
    this.drawn = key;
    this.canvas.setAttribute('aria-label', `Histogram of ${this.layer} ${KIND_LABEL[this.kind]} over steps`);
    drawHistogram(this.canvas, h, this.theme, width);
    const probes = h.probes.reduce((a, b) => a + b, 0);
    const nonFinite = h.nonFinite.reduce((a, b) => a + b, 0);
    this.note.textContent = `${this.layer}, ${KIND_LABEL[this.kind]}: ${h.step.length} columns over ${probes} probes (steps ${fmtNum(h.step[0])}–${fmtNum(h.step[h.step.length - 1])}); `
      + `rows: ${h.edges.length - 1} bins from ${fmtNum(h.edges[0])} to ${fmtNum(h.edges[h.edges.length - 1])}, fixed at the first probe; colour: share of each column's values (square root, brightest = largest share). `
      + `Top and bottom rows: values above and below the bins.${nonFinite ? ` Red marks: ${nonFinite} non-finite values.` : ''}`;
  }

  private table(): TableData {
    const { h } = this.current();
    if (!h) return { head: ['bin', 'share'], rows: [] };
    const f = h.step.length - 1;
    const counts = h.counts[f];
    const n = counts.reduce((a, c) => a + c, 0) + h.under[f] + h.over[f] + h.nonFinite[f];
    const pct = (c: number) => `${fmtNum((100 * c) / Math.max(1, n))} %`;
    const rows = [[`< ${fmtNum(h.edges[0])}`, pct(h.under[f])],
      ...counts.map((c, b) => [`${fmtNum(h.edges[b])} – ${fmtNum(h.edges[b + 1])}`, pct(c)]),
      [`≥ ${fmtNum(h.edges[h.edges.length - 1])}`, pct(h.over[f])], ['non-finite', pct(h.nonFinite[f])]];
    return { head: ['bin', 'share'], rows, note: `${this.layer}, ${KIND_LABEL[this.kind]}, step ${fmtNum(h.step[f])} (${h.probes[f]} probes)` };
  }

  retheme(): void {
    this.theme = readTheme();
    this.drawn = '';
    this.draw();
  }

  destroy(): void {
    this.resize.disconnect();
    this.root.remove();
  }
}
