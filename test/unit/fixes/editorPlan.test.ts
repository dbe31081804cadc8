// What the editor shows across reports: one squiggle per call and message (layers built in a loop or a
// helper share a call), one Ctrl+. entry per distinct edit (naming the runs it fixes), the range a fix leaves selected, and why a
// fix asked for from a lens or the panel cannot be applied.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, FindingsReport, SourceLocation } from '../../../src/protocol/health';
import { diagnosticsOfReports, editedRange, quickFixesAt, whyFixUnavailable } from '../../../src/fixes/editorPlan';
import { diagnosticsFor, fixesFor } from '../../../src/fixes/plan';

const modelCell = 'vscode-notebook-cell:/w/nb.tfnb#c1';
const runCell = 'vscode-notebook-cell:/w/nb.tfnb#c2';
const otherRunCell = 'vscode-notebook-cell:/w/nb.tfnb#c3';

// The shape of sample 01: ten hidden layers made by one factory call in a helper.
const modelText = `import * as tf from '@tensorflow/tfjs';
function deepMlp(hidden: () => tf.layers.Layer): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: [16] }));
  for (let i = 0; i < 10; i++) model.add(hidden());
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  return model;
}
const sigmoidNet = () => deepMlp(() => tf.layers.dense({ units: 32, activation: 'sigmoid' }));
`;
const runText = `import * as gs from 'gradscope';
await gs.fit(sigmoidNet(), x, y, { epochs: 5 });
`;

/** The 1-based location of the first `needle` in `text`. */
function at(cell: string, text: string, needle: string, call: string): SourceLocation {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, needle);
  const before = text.slice(0, offset).split('\n');
  return { cell, line: before.length, column: before[before.length - 1].length + 1, call };
}

const hidden = at(modelCell, modelText, "tf.layers.dense({ units: 32", 'tf.layers.dense');
const names = Array.from({ length: 7 }, (_, i) => `dense_Dense${i + 1}`);
const vanishing: Finding = {
  code: 'vanishing-gradient', severity: 'warning', layers: names,
  message: 'sensitivity falls 3e+3× from dense_Dense10 to dense_Dense1 at step 400: the first layers barely learn',
  evidence: { step: 400 }, fixes: ['activation-relu', 'add-batchnorm', 'activation-selu'],
};
const saturated: Finding = {
  code: 'saturated-sigmoid', severity: 'warning', layers: ['dense_Dense1'],
  message: 'dense_Dense1: 80 % of sigmoid activations saturated at step 400',
  evidence: { step: 400 }, fixes: ['activation-relu', 'activation-selu'],
};

function report(cell = runCell, runId = 'run-1', findings: Finding[] = [vanishing, saturated], model = modelText): FindingsReport {
  return {
    cell, runId, status: 'finished', findings,
    sources: {
      layers: Object.fromEntries(names.map((n) => [n, hidden])),
      fit: at(cell, runText, 'gs.fit(', 'gs.fit'),
    },
    cellText: { [modelCell]: model, [cell]: runText },
  };
}

const texts = (model = modelText) => (cell: string) => (cell === modelCell ? model : cell === runCell || cell === otherRunCell ? runText : undefined);

describe('diagnostics across reports', () => {
  test('seven layers made by one call give one squiggle per finding, not seven', () => {
    const d = diagnosticsFor(report(), texts());
    assert.deepEqual(d.map((x) => [x.code, x.start.line]), [['vanishing-gradient', 8], ['saturated-sigmoid', 8]]);
  });

  test('two runs that flag the same call with the same message show it once', () => {
    const d = diagnosticsOfReports([report(runCell, 'run-1', [vanishing]), report(otherRunCell, 'run-2', [vanishing])], texts());
    assert.equal(d.length, 1);
    assert.equal(d[0].reportCell, runCell);
  });
});

describe('quickFixesAt', () => {
  test('two findings that offer the same edit give one menu entry, fixing both squiggles', () => {
    const r = report();
    const shown = diagnosticsFor(r, texts());
    const q = quickFixesAt([r], modelCell, shown, texts());
    assert.deepEqual(q.map((x) => [x.title, x.preferred, x.diagnostics]), [
      ['Switch sigmoid → ReLU (He init)', true, [0, 1]],
      ['Switch sigmoid → SELU (LeCun init)', false, [0, 1]],
    ]);
    // Two runs of the same helper: still one entry each.
    const again = quickFixesAt([r, report(otherRunCell, 'run-2')], modelCell, shown, texts());
    assert.equal(again.length, 2);
  });

  test('each entry names the runs it fixes, so applying it from the menu offers "Compare with the run before the fix"', () => {
    const shown = diagnosticsFor(report(), texts());
    const one = quickFixesAt([report()], modelCell, shown, texts());
    assert.deepEqual(one.map((q) => q.runs), [[{ runId: 'run-1', reportCell: runCell }], [{ runId: 'run-1', reportCell: runCell }]]);
    // Two runs of the same helper from two cells: one entry fixes both runs.
    const both = quickFixesAt([report(), report(otherRunCell, 'run-2')], modelCell, shown, texts());
    assert.deepEqual(both[0].runs, [{ runId: 'run-1', reportCell: runCell }, { runId: 'run-2', reportCell: otherRunCell }]);
  });

  test('squiggles of another cell or another message get nothing', () => {
    const shown = diagnosticsFor(report(), texts());
    assert.deepEqual(quickFixesAt([report()], runCell, shown, texts()), []);
    assert.deepEqual(quickFixesAt([report()], modelCell, [{ ...shown[0], message: 'something else' }], texts()), []);
  });
});

describe('editedRange', () => {
  test('selects the changed layer call in the text after the edit, not the import added above it', () => {
    const [selu] = fixesFor(report(), 0, texts()).filter((f) => f.id === 'activation-selu');
    assert.ok(selu.edits.some((e) => e.newText.includes("import * as gs from 'gradscope'")), 'the fix adds the gs import');
    const range = editedRange(selu.edits, texts())!;
    assert.equal(range.cell, modelCell);
    // One line was added above (the import), so the layer call moved from line 8 to line 9.
    const after = `import * as tf from '@tensorflow/tfjs';\nimport * as gs from 'gradscope';\n${modelText.split('\n').slice(1).join('\n')}`
      .replace("units: 32, activation: 'sigmoid' }", "units: 32, activation: 'selu', kernelInitializer: gs.layers.leCunNormal() }");
    const line = after.split('\n')[range.start.line];
    assert.equal(range.start.line, range.end.line);
    assert.equal(line.slice(range.start.character, range.end.character), "'selu', kernelInitializer: gs.layers.leCunNormal()");
  });

  test('nothing to select without edits', () => {
    assert.equal(editedRange([], texts()), undefined);
  });
});

describe('whyFixUnavailable', () => {
  test('an applicable fix has no reason', () => {
    assert.equal(whyFixUnavailable(report(), { findingIndex: 0, fix: 'activation-relu' }, texts()), undefined);
  });

  test('a fix that does not fit the unchanged code says so, not that the cell changed', () => {
    // The hidden activation comes from a variable: no activation edit can change it.
    const viaVariable = modelText.replace("units: 32, activation: 'sigmoid'", 'units: 32, activation: act').replace('const sigmoidNet = () =>', "const act = 'relu';\nconst sigmoidNet = () =>");
    const deadRelu: Finding = { code: 'dead-relu', severity: 'warning', layers: ['dense_Dense2'], message: 'dense_Dense2: 60 % dead', evidence: { step: 9 }, fixes: ['activation-leaky-relu'] };
    const r = report(runCell, 'run-1', [deadRelu], viaVariable);
    const why = whyFixUnavailable(r, { findingIndex: 0, fix: 'activation-leaky-relu', code: 'dead-relu', layers: ['dense_Dense2'] }, texts(viaVariable));
    assert.match(why!, /^“Switch ReLU → LeakyReLU” does not fit this code: none of the flagged layers \(dense_Dense2\)/);
    assert.doesNotMatch(why!, /no longer|edited/);
  });

  test('an edited cell, another run\'s finding and a fix the finding does not offer are told apart', () => {
    const edited = modelText.replace("units: 32, activation: 'sigmoid'", "units: 32, activation: 'relu'");
    assert.match(whyFixUnavailable(report(), { findingIndex: 0, fix: 'activation-relu' }, texts(edited))!, /no longer applies: the cells were edited since the run/);
    assert.match(whyFixUnavailable(report(), { findingIndex: 0, fix: 'activation-relu', code: 'dead-relu' }, texts())!, /from an earlier run/);
    assert.match(whyFixUnavailable(undefined, { findingIndex: 0, fix: 'activation-relu' }, texts())!, /from an earlier run/);
    assert.match(whyFixUnavailable(report(), { findingIndex: 0, fix: 'add-clipnorm' }, texts())!, /“Add clipnorm: 1.0” is not one of the fixes of this finding/);
  });
});
