/**
 * Console floods in a real VS Code: cells of ../fixtures/flood.tfnb print 3000, 100 000 and 1 000 000
 * lines and one 20 MB line. Each cell shows a bounded output whose last line is the last one printed
 * and whose "… N more lines hidden" line accounts for every line (shown + hidden = printed); the cell
 * after the biggest flood runs at once. Timings are recorded for test/bench/outputFlood.bench.ts in
 * `GRADSCOPE_FLOOD_FIGURES` (a JSON file in the OS temp dir), never asserted.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { cellIndexOf, runCell } from './cells';
import { CONTROLLER_ID, EXTENSION_ID, openNotebook, outputText } from './notebooks';

/** Where the timings go (read by the bench). */
export const FLOOD_FIGURES = join(tmpdir(), 'gradscope-flood-figures.json');

/** At most this many lines in a cell's output (the kernel's head + tail, and the hidden-count line). */
const MAX_SHOWN_LINES = 3100;

describe('console output floods in the editor', function () {
  this.timeout(600_000);
  let doc: vscode.NotebookDocument;
  const figures: Record<string, number> = {};
  const cell = (snippet: string) => cellIndexOf(doc, snippet);

  before(async () => {
    doc = await openNotebook('flood.tfnb');
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
    const warm = await runCell(doc, cell("console.log('warm')"));
    assert.equal(warm.executionSummary?.success, true, outputText(warm));
  });
  after(() => writeFileSync(FLOOD_FIGURES, JSON.stringify(figures, null, 1)));

  for (const n of [3000, 100_000, 1_000_000]) {
    it(`${n} lines: bounded, the last line shown, shown + hidden = ${n}`, async () => {
      const t0 = Date.now();
      const done = await runCell(doc, cell(`i < ${n};`), 300_000);
      const ms = Date.now() - t0;
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
      if (n === 1_000_000) {
        const t1 = Date.now();
        const next = await runCell(doc, cell("'next cell '"));
        figures.next_cell_after_1e6_ms = Date.now() - t1;
        assert.match(outputText(next), /next cell ran/);
      }
    });
  }

  it('one 20 MB line: cut to a bounded tail', async () => {
    const t0 = Date.now();
    const done = await runCell(doc, cell('20_000_000'), 300_000);
    figures.line_20MB_ms = Date.now() - t0;
    assert.equal(done.executionSummary?.success, true);
    const text = outputText(done);
    assert.ok(text.length < 400_000, `${text.length} characters shown`);
    assert.match(text, /the full output is in \S+\.txt/);
  });
});
