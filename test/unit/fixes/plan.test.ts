// What the editor shows for a findings report: squiggles, quick fixes (preferred first) and code
// lenses, computed from the report and the cells' current text, including after edits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FindingsReport } from '../../../src/protocol/health';
import { diagnosticsFor, fixesFor, lensesFor, type PlannedEdit } from '../../../src/fixes/plan';

const modelCell = 'vscode-notebook-cell:/w/nb.tfnb#cell1';
const fitCell = 'vscode-notebook-cell:/w/nb.tfnb#cell2';

const modelText = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [8] }),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 1 }),
  ],
});
model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
`;
const fitText = `import * as gs from 'gradscope';
const history = await gs.fit(model, xs, ys, { epochs: 50 });
`;

function report(overrides: Partial<FindingsReport> = {}): FindingsReport {
  return {
    cell: fitCell,
    runId: 'run-1',
    status: 'finished',
    findings: [
      {
        code: 'dead-relu', severity: 'warning', layers: ['dense_Dense2'],
        message: 'dense_Dense2: 72 % of units dead (ReLU) at step 1200',
        evidence: { step: 1200, dead: 0.72 },
        fixes: ['activation-relu', 'activation-leaky-relu', 'activation-elu', 'add-batchnorm'],
      },
      {
        code: 'exploding-gradient', severity: 'error', layers: [],
        message: 'gradient norm grew 1e4× in 300 steps',
        evidence: { step: 300 },
        fixes: ['add-clipnorm', 'lr-divide-10'],
      },
    ],
    sources: {
      layers: {
        dense_Dense1: { cell: modelCell, line: 4, column: 15, call: 'tf.layers.dense' },
        dense_Dense2: { cell: modelCell, line: 5, column: 15, call: 'tf.layers.dense' },
        dense_Dense3: { cell: modelCell, line: 6, column: 15, call: 'tf.layers.dense' },
      },
      model: { cell: modelCell, line: 2, column: 18, call: 'tf.sequential' },
      compile: { cell: modelCell, line: 9, column: 7, call: 'model.compile' },
      fit: { cell: fitCell, line: 2, column: 26, call: 'gs.fit' },
    },
    cellText: { [modelCell]: modelText, [fitCell]: fitText },
    ...overrides,
  };
}

function texts(model = modelText, fit = fitText) {
  return (cell: string): string | undefined => (cell === modelCell ? model : cell === fitCell ? fit : undefined);
}

/** Applies planned edits of one cell to its text, last first. */
function apply(text: string, edits: PlannedEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }): number =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.start) - offset(a.start))) {
    out = out.slice(0, offset(e.start)) + e.newText + out.slice(offset(e.end));
  }
  return out;
}

describe('diagnosticsFor', () => {
  test('squiggles the flagged layer call, and a run-level finding on the fit call', () => {
    const d = diagnosticsFor(report(), texts());
    assert.equal(d.length, 2);
    assert.deepEqual(d[0], {
      cell: modelCell, start: { line: 4, character: 4 }, end: { line: 4, character: 54 },
      message: 'dense_Dense2: 72 % of units dead (ReLU) at step 1200', severity: 'warning', code: 'dead-relu', findingIndex: 0,
    });
    assert.equal(d[1].cell, fitCell);
    assert.equal(d[1].severity, 'error');
    assert.deepEqual([d[1].start, d[1].end], [{ line: 1, character: 22 }, { line: 1, character: 59 }]);
  });

  test('follows the layer when lines are added above it, and drops it when the layer is deleted', () => {
    const moved = diagnosticsFor(report(), texts(`// a comment\n${modelText}`));
    assert.equal(moved[0].start.line, 5);
    const removed = modelText.replace("    tf.layers.dense({ units: 64, activation: 'relu' }),\n", '');
    const d = diagnosticsFor(report(), texts(removed));
    assert.deepEqual(d.map((x) => x.code), ['exploding-gradient']);
    const titles = lensesFor(report(), texts(removed)).map((l) => l.title);
    assert.ok(!titles.some((t) => t.includes('dense_Dense2') || t.includes('LeakyReLU')), titles.join(' | '));
  });

  test('a report without findings shows nothing', () => {
    assert.deepEqual(diagnosticsFor(report({ findings: [] }), texts()), []);
    assert.deepEqual(lensesFor(report({ findings: [] }), texts()), []);
  });
});

describe('fixesFor', () => {
  test('offers only the fixes that apply, in the finding order, the first one preferred', () => {
    const fixes = fixesFor(report(), 0, texts());
    // activation-relu does not apply to a layer that already is ReLU.
    assert.deepEqual(fixes.map((f) => [f.id, f.title, f.preferred]), [
      ['activation-leaky-relu', 'Switch ReLU → LeakyReLU', true],
      ['activation-elu', 'Switch ReLU → ELU', false],
      ['add-batchnorm', 'Add BatchNormalization', false],
    ]);
    const elu = fixes[1];
    assert.ok(elu.edits.every((e) => e.cell === modelCell));
    assert.equal(apply(modelText, elu.edits), modelText.replace("units: 64, activation: 'relu' })", "units: 64, activation: 'elu' })"));
  });

  test('fix ids the catalogue does not know (__proto__, constructor, a typo) are skipped, not thrown on', () => {
    const base = report();
    const odd = ['__proto__', 'constructor', 'toString', 'no-such-fix'] as unknown as FindingsReport['findings'][number]['fixes'];
    const r = report({ findings: [{ ...base.findings[1], fixes: [...odd, 'add-clipnorm'] }] });
    assert.deepEqual(fixesFor(r, 0, texts()).map((f) => f.id), ['add-clipnorm']);
    assert.doesNotThrow(() => lensesFor(r, texts()));
    assert.doesNotThrow(() => diagnosticsFor(r, texts()));
  });

  test('a run-level fix edits the fit cell; the learning rate is found in the compile cell', () => {
    const fixes = fixesFor(report(), 1, texts());
    assert.deepEqual(fixes.map((f) => f.id), ['add-clipnorm', 'lr-divide-10']);
    assert.equal(apply(fitText, fixes[0].edits), fitText.replace('{ epochs: 50 }', '{ epochs: 50, clipnorm: 1.0 }'));
    assert.ok(fixes[1].edits.every((e) => e.cell === modelCell));
    assert.equal(apply(modelText, fixes[1].edits), modelText.replace('sgd(0.1)', 'sgd(0.01)'));
  });

  test('an exponential schedule in the fit cell restates the rate compiled in the model cell', () => {
    const r = report({ findings: [{ code: 'plateau', severity: 'info', layers: [], message: 'loss flat for 10 epochs', evidence: { step: 900 }, fixes: ['add-exponential-schedule'] }] });
    const [fix] = fixesFor(r, 0, texts());
    assert.equal(
      apply(fitText, fix.edits),
      fitText.replace('{ epochs: 50 }', '{ epochs: 50, schedule: gs.schedules.exponential({ initial: 0.1, steps: 50 * Math.ceil(xs.shape[0] / 32) }) }'),
    );
  });

  test('without a recorded fit call, the only fit call of the run cell is used', () => {
    const r = report();
    delete r.sources!.fit;
    assert.deepEqual(fixesFor(r, 1, texts()).map((f) => f.id), ['add-clipnorm', 'lr-divide-10']);
  });
});

describe('lensesFor', () => {
  test('finding lenses above the model definition and the fit call, plus Show gradient health', () => {
    const lenses = lensesFor(report(), texts());
    assert.deepEqual(lenses.map((l) => [l.cell === modelCell ? 'model' : 'fit', l.line, l.title, l.command]), [
      ['model', 1, '$(warning) dense_Dense2: 72 % of units dead (ReLU) at step 1200 — Switch ReLU → LeakyReLU', 'gradscope.applyFix'],
      ['model', 1, 'Switch ReLU → ELU', 'gradscope.applyFix'],
      ['model', 1, 'Add BatchNormalization', 'gradscope.applyFix'],
      ['fit', 1, '$(error) gradient norm grew 1e4× in 300 steps — Add clipnorm: 1.0', 'gradscope.applyFix'],
      ['fit', 1, 'Divide the learning rate by 10', 'gradscope.applyFix'],
      ['fit', 1, 'Show gradient health', 'gradscope.showHealth'],
    ]);
    assert.deepEqual(lenses[0].args, { reportCell: fitCell, runId: 'run-1', findingIndex: 0, fix: 'activation-leaky-relu' });
    assert.deepEqual(lenses[5].args, { cell: fitCell });
  });

  test('a finding whose fixes do not apply still shows its message, linking to the health view', () => {
    const r = report({
      findings: [{
        code: 'saturated-sigmoid', severity: 'info', layers: ['dense_Dense1'], message: 'dense_Dense1: 45 % saturated',
        evidence: { step: 10 }, fixes: ['activation-relu'],
      }],
    });
    const lenses = lensesFor(r, texts());
    assert.deepEqual(lenses[0], { cell: modelCell, line: 3, title: '$(info) dense_Dense1: 45 % saturated', command: 'gradscope.showHealth', args: { cell: fitCell } });
  });
});
