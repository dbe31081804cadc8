/**
 * The learning-rate finder's output (`application/vnd.gradscope.lrfinder+json`): loss against rate on
 * a log axis, each batch's loss faint and the smoothed loss bold, with vertical markers at the
 * suggested rate (steepest descent), the minimum and the divergence point, and the finder's reasons
 * as text under the chart. The loss axis is cut at a few times the starting loss so the blow-up at
 * the divergence does not flatten the curve (the note under the chart says so).
 */
import { LR_FINDER_SCHEMA_VERSION, type LrFinderPayload } from '../src/protocol/lrFinder';
import { Chart, axisColors, baseOptions, logTick, markersPlugin, type Marker } from './charts';
import { axisTitle } from './chartOptions';
import { el } from './dom';
import { fmtNum } from './format';
import { ensureStyles } from './styles';
import { readTheme, withAlpha, type Theme } from './theme';

/** Validates a finder payload; returns it or the first problem. */
export function validateLrFinder(p: unknown): { ok: true; payload: LrFinderPayload } | { ok: false; error: string } {
  const o = p as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return { ok: false, error: 'payload must be an object' };
  if (o.version !== LR_FINDER_SCHEMA_VERSION) return { ok: false, error: `unsupported learning-rate finder version ${JSON.stringify(o.version) ?? 'undefined'} (this renderer reads version ${LR_FINDER_SCHEMA_VERSION})` };
  for (const k of ['lr', 'loss', 'smoothed'] as const) if (!Array.isArray(o[k])) return { ok: false, error: `${k} must be an array` };
  const n = (o.lr as unknown[]).length;
  if ((o.loss as unknown[]).length !== n || (o.smoothed as unknown[]).length !== n) return { ok: false, error: 'lr, loss and smoothed must have the same length' };
  if (!(o.lr as unknown[]).every((v) => typeof v === 'number' && v > 0)) return { ok: false, error: 'lr must hold positive numbers' };
  const s = o.suggestion as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.reason)) return { ok: false, error: 'suggestion.reason must be an array' };
  if (s.lr !== undefined && typeof s.lr !== 'number') return { ok: false, error: 'suggestion.lr must be a number' };
  return { ok: true, payload: p as LrFinderPayload };
}

/** Highest loss drawn: this many times the first smoothed loss after the burn-in. */
const Y_CUT = 4;

/** One rendered finder output. */
export class LrFinderView {
  readonly root: HTMLElement;
  private chart?: Chart<'line'>;
  private readonly canvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'Loss against learning rate, log scale' } });

  constructor(host: HTMLElement, private readonly p: LrFinderPayload) {
    ensureStyles(host);
    const s = p.suggestion;
    const headline = s.lr !== undefined
      ? `Suggested learning rate: ${fmtNum(s.lr)} (steepest descent of the smoothed loss)`
      : 'No learning rate suggested';
    this.root = el('div', { class: 'gs-panel gs-lrfinder' },
      el('div', { class: 'gs-section-head' }, el('h3', { text: 'Learning-rate finder' }), el('span', { class: 'gs-muted', text: `${p.optimizer}, ${p.lr.length} steps` })),
      el('p', { class: 'gs-lr-suggestion', text: headline, attrs: { style: 'font-weight:600;margin:2px 0' } }),
      el('div', { class: 'gs-chart' }, this.canvas),
      el('p', { class: 'gs-note', text: `Loss axis cut at ${Y_CUT}× the loss after the burn-in. Markers: suggested (solid), minimum (dashed), diverged (dash-dot).` }),
      el('ul', { class: 'gs-lr-reasons' }, ...s.reason.map((r) => el('li', { text: r }))));
    host.replaceChildren(this.root);
    this.draw(readTheme());
  }

  private markers(t: Theme): Marker[] {
    const m: Marker[] = [];
    const p = this.p;
    if (p.suggestion.lr !== undefined) m.push({ x: p.suggestion.lr, label: `suggested ${fmtNum(p.suggestion.lr)}`, dash: [], color: t.green });
    if (p.minimum) m.push({ x: p.minimum.lr, label: `minimum ${fmtNum(p.minimum.lr)}`, dash: [5, 3], color: t.orange });
    if (p.diverged) m.push({ x: p.diverged.lr, label: `diverged ${fmtNum(p.diverged.lr)}`, dash: [6, 2, 1, 2], color: t.red });
    return m;
  }

  private draw(t: Theme): void {
    const p = this.p;
    const pts = (ys: (number | null)[]) => p.lr.map((x, i) => ({ x, y: ys[i] ?? NaN }));
    const ref = p.smoothed[Math.min(p.range.burnIn, p.smoothed.length - 1)];
    const finite = p.smoothed.filter((v): v is number => v !== null && Number.isFinite(v));
    const top = ref !== null && ref !== undefined && Number.isFinite(ref) ? Math.max(...finite.filter((v) => v <= Y_CUT * ref), ref) * 1.05 : undefined;
    const o = baseOptions(t);
    o.scales = {
      x: { type: 'logarithmic', title: axisTitle(t, 'learning rate'), ...axisColors(t), ticks: { ...axisColors(t).ticks, callback: (v) => logTick(v) } },
      y: { type: 'linear', title: axisTitle(t, 'loss'), ...axisColors(t), ...(top !== undefined ? { max: top } : {}) },
    };
    o.plugins!.tooltip!.callbacks!.title = (items) => (items.length ? `rate ${fmtNum(items[0].parsed.x)}` : '');
    (o.plugins as Record<string, unknown>).gsMarkers = { markers: this.markers(t) };
    this.chart?.destroy();
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: { datasets: [
        { label: 'loss (each batch)', data: pts(p.loss), borderColor: withAlpha(t.muted, 0.6), borderWidth: 1 },
        { label: 'smoothed loss', data: pts(p.smoothed), borderColor: t.blue, borderWidth: 2.5 },
      ] },
      options: o,
      plugins: [markersPlugin],
    });
  }

  retheme(): void {
    this.draw(readTheme());
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.root.remove();
  }
}
