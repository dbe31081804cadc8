/**
 * Option pieces the chart sections build alike: axis titles, line charts over steps (and keeping the
 * step axis's end at the run's planned total on live updates), titled value axes with a log-scale
 * variant, and swapping in rebuilt options (new scales, the VS Code theme changed).
 */
import type { ChartOptions, ChartType } from 'chart.js';
import type { HealthSnapshot } from '../src/protocol/health';
import { axisColors, baseOptions, logTick, xMax, type Chart } from './charts';
import type { Theme } from './theme';

type ScaleOptions = NonNullable<ChartOptions<'line'>['scales']>;

/** An axis title in the theme's text colour. */
export function axisTitle(t: Theme, text: string): { display: true; text: string; color: string } {
  return { display: true, text, color: t.fg };
}

/**
 * Options of a line chart over training steps: {@link baseOptions} with a linear x axis titled `step`
 * that ends at {@link xMax} of `s`, plus the chart's own value axes.
 */
export function stepChartOptions(t: Theme, s: HealthSnapshot, valueAxes: ScaleOptions): ChartOptions<'line'> {
  const o = baseOptions(t);
  o.scales = { x: { type: 'linear', max: xMax(s), title: axisTitle(t, 'step'), ...axisColors(t) }, ...valueAxes };
  return o;
}

/** Moves the end of a chart's step axis to {@link xMax} of `s` (a live run's total may change). */
export function followStepAxis(chart: Chart<'line'> | undefined, s: HealthSnapshot): void {
  const x = chart?.options.scales?.x;
  if (x && x.max !== xMax(s)) x.max = xMax(s);
}

/**
 * A titled value axis, linear or logarithmic; on a log scale only powers of ten are labelled
 * ({@link logTick}).
 */
export function valueAxis(t: Theme, title: string, log: boolean) {
  const colors = axisColors(t);
  return {
    type: log ? 'logarithmic' as const : 'linear' as const, title: axisTitle(t, title), ...colors,
    ticks: { ...colors.ticks, ...(log ? { callback: logTick } : {}) },
  };
}

/**
 * Re-themes a section's chart (created by the section's first update): swaps in `options` (rebuilt
 * from the new theme), lets `refill` redo the datasets (their colours come from the theme too), then
 * redraws.
 */
export function rethemeChart<K extends ChartType>(chart: Chart<K> | undefined, options: () => ChartOptions<K>, refill: () => void): void {
  if (chart) replaceOptions(chart, options());
  refill();
  // A full update: 'none' keeps chart.js's cached per-dataset element options (old colours).
  chart?.update();
}

/**
 * Gives a chart new options. chart.js's `chart.options` reads the options resolved at the last update,
 * whose writes land in the options object it replaced: resolve the new ones at once, so what a section
 * then sets through `chart.options` (event markers, the step axis's end) reaches the chart.
 */
export function replaceOptions<K extends ChartType>(chart: Chart<K>, options: ChartOptions<K>): void {
  chart.options = options;
  chart.update('none');
}
