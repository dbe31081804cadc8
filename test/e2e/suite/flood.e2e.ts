/**
 * Console floods in a real VS Code: cells of ../fixtures/flood.tfnb print 3000, 100 000 and 1 000 000
 * lines and one 20 MB line. Each cell shows a bounded output whose last line is the last one printed
 * and whose "… N more lines hidden" line accounts for every line (shown + hidden = printed); the cell
 * after the biggest flood runs. Timings and the kernel's resident memory (read from /proc while the
 * floods run, on the machine of the extension host, which is the kernel's) are recorded for
 * test/bench/outputFlood.bench.ts in {@link FLOOD_FIGURES} and printed by the launcher, never asserted.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { cellIndexOf, runCell, waitForCell } from './cells';
import { measure } from './measure';
import { CONTROLLER_ID, EXTENSION_ID, openNotebook, outputText } from './notebooks';

/** Where the timings go (read by the bench). */
export const FLOOD_FIGURES = join(tmpdir(), 'gradscope-flood-figures.json');

/** At most this many lines in a cell's output (the kernel's head + tail, and the hidden-count line). */
const MAX_SHOWN_LINES = 3100;

/** The kernel's resident set in MB, or NaN where /proc cannot tell. */
function rssMb(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

describe('console output floods in the editor', function () {
  this.timeout(600_000);
  let doc: vscode.NotebookDocument;
  const figures: Record<string, number> = {};
  const cell = (snippet: string) => cellIndexOf(doc, snippet);
  let kernelPid = 0;

  before(async () => {
    doc = await openNotebook('flood.tfnb');
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
    const warm = await runCell(doc, cell("console.log('warm')"));
    assert.equal(warm.executionSummary?.success, true, outputText(warm));
    kernelPid = Number(/(\d+)\s*$/.exec(outputText(warm))?.[1]);
    figures.rss_idle_mb = Math.round(rssMb(kernelPid));
  });
  after(() => writeFileSync(FLOOD_FIGURES, JSON.stringify(figures, null, 1)));

  for (const n of [3000, 100_000, 1_000_000]) {
    // The biggest flood runs with the cell after it in one command, as Run All would queue them.
    const withNext = n === 1_000_000;
    it(`${n} lines: bounded, the last line shown, shown + hidden = ${n}${withNext ? '; the next cell runs after it' : ''}`, async function () {
      const index = cell(`i < ${n};`);
      const nextIndex = cell("'next cell '");
      if (withNext) assert.equal(nextIndex, index + 1, 'the fixture keeps the next cell right after the biggest flood');
      const nextBefore = doc.cellAt(nextIndex).executionSummary?.executionOrder;
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(kernelPid) || 0)), 50);
      const t0 = Date.now();
      const before = doc.cellAt(index).executionSummary?.executionOrder;
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: index, end: index + (withNext ? 2 : 1) }], document: doc.uri });
      const done = await waitForCell(doc, index, before, 300_000).finally(() => clearInterval(sampler));
      const ms = Date.now() - t0;
      figures[`rss_peak_${n}_mb`] = Math.round(peak);
      assert.equal(done.executionSummary?.success, true, outputText(done).slice(0, 2000));
      const text = outputText(done);
      const lines = text.split('\n').filter((l) => l !== '');
      assert.ok(lines.length <= MAX_SHOWN_LINES, `the cell shows ${lines.length} lines`);
      assert.equal(lines[lines.length - 1], `line ${n - 1}`);
      const hidden = text.match(/… ([\d,]+) more lines? hidden; the full output is in (\S+\.txt)/);
      const shownLines = lines.filter((l) => l.startsWith('line ')).length;
      assert.equal(shownLines + (hidden ? Number(hidden[1].replace(/,/g, '')) : 0), n);
      figures[`lines_${n}_ms`] = ms;
      figures[`lines_${n}_per_s`] = Math.round(n / (ms / 1000));
      const t = done.executionSummary?.timing;
      if (t) figures[`lines_${n}_exec_ms`] = t.endTime - t.startTime;
      measure(this.test, `${n} lines: ${ms} ms from the run command to the finished cell (${figures[`lines_${n}_per_s`]} lines/s), ` +
        `the execution itself ${figures[`lines_${n}_exec_ms`]} ms; kernel RSS peak ${figures[`rss_peak_${n}_mb`]} MB (idle ${figures.rss_idle_mb} MB)`);
      if (withNext) {
        const next = await waitForCell(doc, nextIndex, nextBefore);
        assert.match(outputText(next), /next cell ran/);
        const nt = next.executionSummary?.timing;
        if (nt && t) {
          figures.next_cell_after_1e6_ms = nt.startTime - t.endTime;
          figures.next_cell_done_after_1e6_ms = nt.endTime - t.endTime;
        }
        measure(this.test, `the next cell started ${figures.next_cell_after_1e6_ms} ms after the ${n}-line cell ended ` +
          `and showed its value ${figures.next_cell_done_after_1e6_ms} ms after`);
      }
    });
  }

  it('one 20 MB line: cut to a bounded tail', async function () {
    const t0 = Date.now();
    const done = await runCell(doc, cell('20_000_000'), 300_000);
    figures.line_20MB_ms = Date.now() - t0;
    measure(this.test, `one 20 MB line: ${figures.line_20MB_ms} ms from the run command to the finished cell`);
    assert.equal(done.executionSummary?.success, true);
    const text = outputText(done);
    assert.ok(text.length < 400_000, `${text.length} characters shown`);
    assert.match(text, /the full output is in \S+\.txt/);
  });
});
