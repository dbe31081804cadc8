/**
 * Every sample in a real VS Code: the workspace holds copies of all samples/*.tfnb (the
 * launcher, ../samples.test.ts, copies them). For each: open it, select the Gradscope kernel, Run All,
 * and check what the user sees: every code cell succeeded, each training cell has a gradient-health
 * output with a valid payload, and the findings and printed numbers the sample is about
 * (./sampleExpectations.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { HEALTH_SCHEMA_VERSION, type HealthSnapshot } from '../../../src/protocol/health';
import { cellIndexOf, codeLenses, findingCodes, healthOutputs } from './cells';
import { openNotebook, outputText, runAllAndWait } from './notebooks';
import { expectationFor } from './sampleExpectations';

const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
/** Samples are named `NN-topic.tfnb`; the test fixtures in the same workspace are not. */
const samples = folder ? readdirSync(folder).filter((f) => /^\d\d-.*\.tfnb$/.test(f)).sort() : [];

/** What every health payload must satisfy, whatever the sample. */
function checkPayload(s: HealthSnapshot, where: string): void {
  assert.equal(s.version, HEALTH_SCHEMA_VERSION, `${where}: schema version`);
  assert.ok(s.model.layers.length > 0, `${where}: the model summary lists no layers`);
  assert.ok(s.layers.length > 0, `${where}: no per-layer series`);
  const weighted = s.model.layers.filter((l) => l.hasWeights).map((l) => l.name);
  assert.deepEqual(s.layers.map((l) => l.layer), weighted, `${where}: one series per layer with weights, input side first`);
  assert.ok(s.training.loss.step.length > 0, `${where}: no loss series`);
  for (const l of s.layers) {
    assert.ok(l.sensitivityRms.value.some((v) => v !== null && v > 0), `${where}: ${l.layer} has no finite sensitivity`);
  }
  assert.ok(s.progress.step > 0 && s.progress.step <= s.progress.totalSteps, `${where}: progress ${s.progress.step}/${s.progress.totalSteps}`);
  for (const f of s.findings) assert.ok(f.message.length > 0 && Array.isArray(f.fixes), `${where}: malformed finding ${JSON.stringify(f)}`);
}

describe('the samples in a real VS Code', function () {
  this.timeout(300_000);

  it('the workspace holds the samples', () => {
    assert.ok(samples.length > 0, `no .tfnb in the workspace ${folder}`);
  });

  for (const name of samples) {
    it(`${name}: Run All succeeds with the health outputs and numbers the sample is about`, async () => {
      const doc = await openNotebook(name);
      assert.equal(doc.notebookType, 'gradscope');
      const cells = await runAllAndWait(doc, 280_000);
      for (const c of cells) {
        assert.equal(c.executionSummary?.success, true, `${name}, cell ${c.index + 1} failed:\n${outputText(c)}`);
      }
      const text = cells.map(outputText).join('\n');
      const expected = expectationFor(name);
      const withHealth = new Set<number>();
      for (const c of cells) {
        const runs = healthOutputs(c);
        runs.forEach((s, i) => checkPayload(s, `${name}, cell ${c.index + 1}, run ${i + 1}`));
        if (runs.length) withHealth.add(c.index);
      }
      assert.ok(withHealth.size > 0, `${name}: no cell shows a gradient-health output`);
      const described = new Set<number>();
      for (const r of expected?.runs ?? []) {
        const index = cellIndexOf(doc, r.cell);
        described.add(index);
        const runs = healthOutputs(doc.cellAt(index));
        const where = `${name}, cell ${index + 1} (${r.cell})`;
        assert.equal(runs.length, r.runs, `${where}: gradient-health outputs`);
        for (const s of runs) {
          assert.equal(s.status, r.status ?? 'finished', `${where}: run status${s.error ? ` (${s.error})` : ''}`);
          const codes = findingCodes(s);
          for (const f of r.findings ?? []) assert.ok(codes.includes(f), `${where}: no ${f} finding; it has ${codes.join(', ') || 'none'}`);
          for (const f of r.absent ?? []) assert.ok(!codes.includes(f), `${where}: unexpected ${f}: ${s.findings.map((x) => x.message).join('; ')}`);
        }
        r.check?.(runs);
      }
      // Runs the table does not describe must at least have finished.
      for (const index of withHealth) {
        if (described.has(index)) continue;
        for (const s of healthOutputs(doc.cellAt(index))) assert.equal(s.status, 'finished', `${name}, cell ${index + 1}: run status${s.error ? ` (${s.error})` : ''}`);
      }
      for (const re of expected?.prints ?? []) assert.match(text, re, `${name}: the outputs do not show ${re}`);
      expected?.numbers?.(text);
      if (expected?.lenses) {
        // VS Code answers "Illegal argument" for a cell whose text model the workbench has not loaded
        // (cells far from the viewport); lenses are looked for in the others.
        const titles: string[] = [];
        let unreadable = 0;
        for (const c of cells) {
          const lenses = await codeLenses(c).catch(() => undefined);
          if (lenses) titles.push(...lenses.map((l) => l.command?.title ?? ''));
          else unreadable++;
        }
        const squiggles = cells.flatMap((c) => vscode.languages.getDiagnostics(c.document.uri)).filter((d) => d.source === 'gradscope');
        for (const t of expected.lenses) {
          assert.ok(titles.some((x) => x.includes(t)), `${name}: no code lens "${t}"; lenses: ${titles.join(' | ') || 'none'} ` +
            `(${unreadable} of ${cells.length} cells unreadable; findings squiggles: ${squiggles.map((d) => d.message).join('; ') || 'none'})`);
        }
      }
    });
  }
});
