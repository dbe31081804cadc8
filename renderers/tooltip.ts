/**
 * Chart tooltips as HTML text instead of canvas drawing: the text is selectable, readable by screen
 * readers and by tests, and set through Text nodes only (layer names from the payload never become
 * markup). Used as chart.js's `plugins.tooltip.external` with the built-in canvas tooltip disabled.
 */
import type { Chart, ChartTypeRegistry, TooltipModel } from 'chart.js';

/** Most lines a tooltip lists; the rest are summarized as "… and N more". */
const MAX_LINES = 8;

/** chart.js `external` tooltip handler: shows, moves or hides a `.gs-tooltip` box over the chart. */
export function htmlTooltip(context: { chart: Chart; tooltip: TooltipModel<keyof ChartTypeRegistry> }): void {
  const { chart, tooltip } = context;
  const host = chart.canvas.parentElement;
  if (!host) return;
  let box = host.querySelector<HTMLElement>(':scope > .gs-tooltip');
  if (!box) {
    box = document.createElement('div');
    box.className = 'gs-tooltip';
    box.setAttribute('role', 'status');
    host.append(box);
  }
  if (tooltip.opacity === 0) { box.hidden = true; return; }
  const lines = tooltip.body.flatMap((b) => b.lines);
  const shown = lines.slice(0, MAX_LINES);
  if (lines.length > shown.length) shown.push(`… and ${lines.length - shown.length} more`);
  box.replaceChildren();
  for (const t of tooltip.title) {
    const d = document.createElement('div');
    d.className = 'gs-tooltip-title';
    d.textContent = t;
    box.append(d);
  }
  for (const t of shown) {
    const d = document.createElement('div');
    d.textContent = t;
    box.append(d);
  }
  box.hidden = false;
  // Keep the box inside the chart: flip to the left of the caret near the right edge.
  const w = box.offsetWidth;
  const left = tooltip.caretX + 12 + w > host.clientWidth ? Math.max(0, tooltip.caretX - 12 - w) : tooltip.caretX + 12;
  box.style.left = `${left}px`;
  box.style.top = `${Math.max(0, tooltip.caretY - 10)}px`;
}
