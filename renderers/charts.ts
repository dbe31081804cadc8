/**
 * chart.js set-up shared by the sections: only the parts the panel uses are registered (smaller
 * bundle), animations are off (live updates must not flicker), and axis/legend colours come from the
 * VS Code theme.
 */
import {
  Chart, LineController, LineElement, PointElement, BarController, BarElement, LinearScale,
  LogarithmicScale, CategoryScale, Filler, Legend, Tooltip, type ChartOptions, type Plugin,
} from 'chart.js';
import type { HealthSnapshot } from '../src/protocol/health';
import { fmtNum } from './format';
import type { Theme } from './theme';
import { htmlTooltip } from './tooltip';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale,
  LogarithmicScale, CategoryScale, Filler, Legend, Tooltip);

/** chart.js's Chart with the controllers, scales and plugins above registered. */
export { Chart };

/**
 * Options every chart starts from: no animation, theme colours, no point markers, and a tooltip
 * drawn as HTML text ({@link htmlTooltip}) whose numbers are {@link fmtNum}'s (1e-9, not 0) and whose
 * title names the x value (`step 120`).
 */
export function baseOptions(theme: Theme): ChartOptions<'line'> {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    spanGaps: false,
    color: theme.fg,
    font: { family: theme.font, size: theme.fontSize },
    elements: { point: { radius: 0, hitRadius: 4 }, line: { borderWidth: 1.5, tension: 0 } },
    interaction: { mode: 'nearest', intersect: false, axis: 'x' },
    plugins: {
      legend: { labels: { color: theme.fg, boxWidth: 12, boxHeight: 2 } },
      tooltip: {
        enabled: false, external: htmlTooltip,
        callbacks: {
          title: (items) => (items.length ? `step ${fmtNum(items[0].parsed.x)}` : ''),
          label: (item) => `${item.dataset.label ?? ''}: ${fmtNum(item.parsed.y)}`,
        },
      },
    },
  };
}

/**
 * Hover of charts with one line per layer: the single nearest line (in x and y), so the tooltip
 * names the layer under the pointer instead of listing every layer at that step.
 */
export const PER_LAYER_INTERACTION = { mode: 'nearest', intersect: false, axis: 'xy' } as const;

/** Axis colours for a scale options object. */
export function axisColors(theme: Theme): { ticks: { color: string; minRotation: number; maxRotation: number }; grid: { color: string }; border: { color: string } } {
  // Fixed 0° labels: chart.js then skips its label-rotation fitting, a measurable cost per update.
  return { ticks: { color: theme.fg, minRotation: 0, maxRotation: 0 }, grid: { color: theme.grid }, border: { color: theme.grid } };
}

/**
 * Tick label of a logarithmic axis: only powers of ten are labelled (chart.js also places ticks at
 * 2× and 5×, which would crowd the axis), written as `1e-4` outside [0.001, 10⁵).
 */
export function logTick(value: number | string): string {
  const v = Number(value);
  const e = Math.log10(v);
  if (!(v > 0) || Math.abs(e - Math.round(e)) > 1e-6) return '';
  const p = Math.round(e);
  return p < -3 || p >= 5 ? `1e${p}` : fmtNum(10 ** p);
}

/**
 * Right end of step axes. While the run trains: its planned total, so the chart fills as it goes.
 * Once it ended (finished, early stop, NaN stop, interrupt, failure): where its data ends, so the
 * curves use the chart's width instead of being squeezed into the part of the plan that ran.
 */
export function xMax(s: HealthSnapshot): number {
  if (s.status === 'training') return Math.max(s.progress.totalSteps, s.progress.step);
  let end = -Infinity;
  const last = (x: { step: number[] } | undefined) => { const n = x?.step.length ?? 0; if (n && x!.step[n - 1] > end) end = x!.step[n - 1]; };
  last(s.training.loss); last(s.training.lr); last(s.training.gradNormPreClip);
  for (const l of s.layers) last(l.sensitivityRms);
  // Event markers (a plateau reduction after the last step) stay on the axis.
  for (const e of s.training.events) if (e.step > end) end = e.step;
  return Number.isFinite(end) ? Math.max(end, 1) : Math.max(1, s.progress.step);
}

/** A vertical marker drawn by {@link markersPlugin}. */
export interface Marker { x: number; label: string; dash: number[]; color: string }

/**
 * Draws vertical dashed lines with a text label at given x values (events on the LR chart). Markers
 * differ by dash pattern and label text, not only by colour.
 */
export const markersPlugin: Plugin<'line'> = {
  id: 'gsMarkers',
  afterDatasetsDraw(chart) {
    const markers = (chart.options.plugins as { gsMarkers?: { markers: Marker[] } }).gsMarkers?.markers ?? [];
    const { ctx, chartArea, scales } = chart;
    const x = scales.x;
    if (!x || markers.length === 0) return;
    ctx.save();
    ctx.font = `11px ${chart.options.font?.family ?? 'sans-serif'}`;
    ctx.textBaseline = 'top';
    let row = 0;
    for (const m of markers) {
      const px = x.getPixelForValue(m.x);
      if (px < chartArea.left - 1 || px > chartArea.right + 1) continue;
      ctx.strokeStyle = m.color;
      ctx.fillStyle = m.color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(m.dash);
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      const w = ctx.measureText(m.label).width;
      const tx = px + 3 + w > chartArea.right ? px - 3 - w : px + 3;
      ctx.fillText(m.label, tx, chartArea.top + 2 + 13 * (row++ % 3));
    }
    ctx.restore();
  },
};
