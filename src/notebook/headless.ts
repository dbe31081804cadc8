/**
 * Runs a notebook's code cells in a kernel without an editor (the `gradscope run` command): collects
 * each cell's outputs the way the editor would keep them, and prints their text as it arrives.
 */
import type { ExecutionResult, KernelClient } from '../kernel/client';
import type { KernelOutput } from '../protocol/kernelMessages';
import { HEALTH_MIME, type HealthSnapshot } from '../protocol/health';

/** A code cell to run. */
export interface HeadlessCell {
  /** 0-based index of the cell in the notebook (markdown cells count). */
  index: number;
  source: string;
}

/** How one cell ended and what it showed. */
export interface HeadlessCellResult extends ExecutionResult {
  index: number;
  executionCount: number;
  outputs: KernelOutput[];
}

/** Options of {@link runHeadless}. */
export interface HeadlessArgs {
  /** Per-cell time limit in ms; the cell is interrupted when it passes. Defaults to no limit. */
  timeoutMs?: number;
  /** Where text goes. Defaults to process.stdout / process.stderr. */
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Label of cells in messages. Defaults to `Cell N` (1-based notebook index). */
  label?: (cell: HeadlessCell) => string;
}

/** The text a terminal shows for an output (health panels as a one-line summary). */
export function outputText(o: KernelOutput): string {
  switch (o.output_type) {
    case 'stream':
      return o.text;
    case 'error':
      return `${o.traceback.join('\n')}\n`;
    default: {
      const health = o.data[HEALTH_MIME] as HealthSnapshot | undefined;
      if (health) return `${healthSummary(health)}\n`;
      const text = o.data['text/plain'];
      if (text !== undefined) return `${Array.isArray(text) ? text.join('') : String(text)}\n`;
      return `[${Object.keys(o.data).join(', ')}]\n`;
    }
  }
}

function healthSummary(h: HealthSnapshot): string {
  const lines = [`gradient health: ${h.status}, step ${h.progress.step}/${h.progress.totalSteps}, ${h.findings.length} finding(s)`];
  for (const f of h.findings) lines.push(`  ${f.severity} ${f.code}: ${f.message}`);
  return lines.join('\n');
}

/**
 * Runs `cells` one after another and stops at the first that fails (its result is the last one).
 * Health panels print once, at their final state.
 */
export async function runHeadless(client: KernelClient, cells: HeadlessCell[], args: HeadlessArgs = {}): Promise<HeadlessCellResult[]> {
  const out = args.out ?? ((t: string) => process.stdout.write(t));
  const err = args.err ?? ((t: string) => process.stderr.write(t));
  const label = args.label ?? ((c: HeadlessCell) => `Cell ${c.index + 1}`);
  const results: HeadlessCellResult[] = [];
  let count = 0;
  for (const cell of cells) {
    const executionCount = ++count;
    const outputs: KernelOutput[] = [];
    const displays = new Map<string, number>();
    err(`[${executionCount}/${cells.length}] ${label(cell)}\n`);
    const timer = args.timeoutMs ? setTimeout(() => {
      err(`${label(cell)} passed the time limit of ${args.timeoutMs! / 1000} s: interrupting it\n`);
      client.interrupt();
    }, args.timeoutMs) : undefined;
    const result = await client.execute(
      { source: cell.source, filename: `gradscope-cell:/${cell.index + 1}`, label: label(cell), cellUri: label(cell), executionCount },
      {
        output(o, displayId) {
          const last = outputs[outputs.length - 1];
          if (o.output_type === 'stream' && last?.output_type === 'stream' && last.name === o.name) last.text += o.text;
          else {
            if (displayId) displays.set(displayId, outputs.length);
            outputs.push(o.output_type === 'stream' ? { ...o } : o);
          }
          if (!(o.output_type === 'display_data' && HEALTH_MIME in o.data)) (o.output_type === 'stream' && o.name === 'stderr' ? err : out)(outputText(o));
        },
        updateDisplay(displayId, o) {
          const i = displays.get(displayId);
          if (i !== undefined) outputs[i] = o;
        },
      },
    );
    clearTimeout(timer);
    for (const o of outputs) if (o.output_type === 'display_data' && HEALTH_MIME in o.data) out(outputText(o));
    if (result.status === 'died') outputs.push({ output_type: 'error', ename: 'KernelDied', evalue: result.message ?? '', traceback: [result.message ?? 'The kernel died.'] });
    if (result.status === 'died') err(`${result.message}\n`);
    results.push({ ...result, index: cell.index, executionCount, outputs });
    if (result.status !== 'ok') break;
  }
  return results;
}
