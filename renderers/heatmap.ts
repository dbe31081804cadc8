/**
 * Layer × step heatmap of log10(sensitivity RMS), drawn straight on a canvas (one image pixel per
 * cell, scaled without smoothing): rows are layers from input (top) to output (bottom), so vanishing
 * gradients show as a fade toward the top rows. Non-finite samples are drawn in a hatched red. The
 * colour bar is labelled at powers of ten (`1e-3`, `0.01`).
 */
import { hiDpiContext } from './dom';
import type { LayerSeries } from '../src/protocol/health';
import { logTick } from './charts';
import { fmtNum } from './format';
import type { Theme } from './theme';

/** Viridis stops: perceptually ordered and readable for common colour-vision deficiencies. */
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

/** Colour of `t` in [0, 1] on the viridis ramp (clamped). */
export function colormap(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x)), f = x - i;
  const a = STOPS[i], b = STOPS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

const LABEL_W = 120, BAR_W = 64, AXIS_H = 18;

/**
 * Draws the heatmap of `layers` into `canvas`, sized to `width` CSS pixels.
 * @example drawHeatmap(canvas, snapshot.layers, readTheme(), host.clientWidth)
 */
export function drawHeatmap(canvas: HTMLCanvasElement, layers: LayerSeries[], theme: Theme, width: number): void {
  const rows = layers.length;
  // Rows of at least 4 px up to 65 layers; deeper models share a 260 px tall image (layers then
  // share pixel rows, nearest-neighbour scaled, so each pixel row shows one of its layers).
  const rowH = rows > 65 ? 260 / rows : Math.max(4, Math.min(16, Math.floor(260 / Math.max(1, rows))));
  const plotW = Math.max(60, width - LABEL_W - BAR_W);
  const height = rows * rowH + AXIS_H;
  const ctx = hiDpiContext(canvas, width, height);
  if (rows === 0) return;

  let s0 = Infinity, s1 = -Infinity, lo = Infinity, hi = -Infinity;
  for (const l of layers) {
    const st = l.sensitivityRms.step;
    if (st.length) { s0 = Math.min(s0, st[0]); s1 = Math.max(s1, st[st.length - 1]); }
    for (const v of l.sensitivityRms.value) {
      if (v !== null && v > 0 && Number.isFinite(v)) { const g = Math.log10(v); if (g < lo) lo = g; if (g > hi) hi = g; }
    }
  }
  if (!(s0 <= s1)) return;
  if (!(lo <= hi)) { lo = -1; hi = 0; }
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const maxSteps = Math.max(...layers.map((l) => l.sensitivityRms.step.length));
  const cols = Math.max(1, Math.min(Math.floor(plotW), maxSteps));
  const img = new ImageData(cols, rows);
  const sum = new Float64Array(cols), cnt = new Uint32Array(cols), bad = new Uint8Array(cols);
  const span = s1 - s0 + 1;
  layers.forEach((l, r) => {
    sum.fill(0); cnt.fill(0); bad.fill(0);
    const { step, value } = l.sensitivityRms;
    for (let i = 0; i < step.length; i++) {
      const c = Math.min(cols - 1, Math.floor(((step[i] - s0) / span) * cols));
      const v = value[i];
      if (v === null || !Number.isFinite(v)) bad[c] = 1;
      else { sum[c] += v > 0 ? Math.log10(v) : lo; cnt[c]++; }
    }
    let prev = -1;
    for (let c = 0; c < cols; c++) {
      const o = (r * cols + c) * 4;
      if (bad[c]) { const hatch = (c + r) % 2 === 0; img.data.set(hatch ? [230, 40, 40, 255] : [120, 0, 0, 255], o); prev = -1; continue; }
      // Columns without a sample (probe ran every N steps) repeat the previous sample's colour.
      const idx = cnt[c] ? c : prev;
      if (idx < 0) continue;
      if (cnt[c]) prev = c;
      const [cr, cg, cb] = colormap((sum[idx] / cnt[idx] - lo) / (hi - lo));
      img.data.set([cr, cg, cb, 255], o);
    }
  });
  const off = document.createElement('canvas');
  off.width = cols; off.height = rows;
  off.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, LABEL_W, 0, plotW, rows * rowH);

  ctx.fillStyle = theme.fg;
  ctx.font = `${Math.min(11, rowH)}px ${theme.font}`;
  ctx.textBaseline = 'middle';
  const every = Math.ceil(11 / rowH);
  ctx.font = `${Math.max(8, Math.min(11, rowH))}px ${theme.font}`;
  layers.forEach((l, r) => {
    if (r % every !== 0 && r !== rows - 1) return;
    let name = l.layer;
    while (name.length > 3 && ctx.measureText(name).width > LABEL_W - 8) name = name.slice(0, -2);
    ctx.fillText(name === l.layer ? name : `${name}…`, 2, r * rowH + rowH / 2);
  });
  ctx.font = `10px ${theme.font}`;
  ctx.textBaseline = 'top';
  ctx.fillText(`step ${s0}`, LABEL_W, rows * rowH + 3);
  const endLabel = `step ${s1}`;
  ctx.fillText(endLabel, LABEL_W + plotW - ctx.measureText(endLabel).width, rows * rowH + 3);

  // Colour bar: top = largest sensitivity.
  const bx = LABEL_W + plotW + 8, bh = rows * rowH;
  for (let y = 0; y < bh; y++) {
    const [cr, cg, cb] = colormap(1 - y / Math.max(1, bh - 1));
    ctx.fillStyle = `rgb(${cr | 0},${cg | 0},${cb | 0})`;
    ctx.fillRect(bx, y, 10, 1);
  }
  ctx.fillStyle = theme.fg;
  ctx.strokeStyle = theme.fg;
  ctx.lineWidth = 1;
  ctx.textBaseline = 'middle';
  for (const { y, text } of colorBarTicks(lo, hi, bh)) {
    ctx.fillRect(bx + 10, Math.round(y), 3, 1);
    ctx.fillText(text, bx + 15, Math.max(5, Math.min(bh - 5, y)));
  }
}

/**
 * Labels of the colour bar (height `h`, top = `hi`): the powers of ten inside [lo, hi] of log10
 * values, thinned to fit; when none falls inside, the two ends as plain numbers (3 digits).
 */
export function colorBarTicks(lo: number, hi: number, h: number): { y: number; text: string }[] {
  const y = (e: number) => ((hi - e) / (hi - lo)) * Math.max(1, h - 1);
  const first = Math.ceil(lo - 1e-9), last = Math.floor(hi + 1e-9);
  if (last < first) return [{ y: 0, text: fmtNum(10 ** hi) }, { y: h - 1, text: fmtNum(10 ** lo) }];
  const fit = Math.max(1, Math.floor(h / 14));
  const stride = Math.ceil((last - first + 1) / fit);
  const out: { y: number; text: string }[] = [];
  for (let e = last; e >= first; e -= stride) out.push({ y: y(e), text: logTick(10 ** e) || `1e${e}` });
  return out;
}
