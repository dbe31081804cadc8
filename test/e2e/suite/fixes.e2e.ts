/**
 * From a finding to the edit in the real editor: a run with dead ReLUs (../fixtures/dead-relu.tfnb:
 * every hidden unit starts with a bias of −4) puts a `dead-relu` squiggle and code lenses on the
 * layer's line; running a lens's command edits the cell as src/fixes says; running the cell again
 * clears the finding.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FixId, HealthSnapshot } from '../../../src/protocol/health';
import { cellIndexOf, codeLenses, findingCodes, healthOutputs, runCell, waitFor } from './cells';
import { CONTROLLER_ID, EXTENSION_ID, openNotebook, outputText } from './notebooks';

/** The layer line of the fixture, as written. */
const RELU_LAYER = "tf.layers.dense({ units: 32, activation: 'relu', inputShape: [8], biasInitializer: tf.initializers.constant({ value: -4 }) }),";

interface FixArgs { reportCell: string; runId: string; findingIndex: number; fix: FixId }

function fixArgs(lens: vscode.CodeLens): FixArgs | undefined {
  return lens.command?.command === 'gradscope.applyFix' ? lens.command.arguments?.[0] as FixArgs : undefined;
}

function deadReluDiagnostics(cell: vscode.NotebookCell): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(cell.document.uri).filter((d) => d.source === 'gradscope' && codeOf(d) === 'dead-relu');
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

describe('dead ReLUs: from the finding to the edit', function () {
  this.timeout(240_000);
  let doc: vscode.NotebookDocument;
  let modelCell: number;
  let original = '';

  before(async () => {
    doc = await openNotebook('dead-relu.tfnb');
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
    const data = await runCell(doc, cellIndexOf(doc, 'tf.randomNormal'));
    assert.equal(data.executionSummary?.success, true, outputText(data));
    modelCell = cellIndexOf(doc, 'gs.fit(');
    original = doc.cellAt(modelCell).document.getText();
  });

  beforeEach(async () => {
    // Each test starts from the fixture's model cell, whatever the previous test did to it.
    const cell = doc.cellAt(modelCell);
    if (cell.document.getText() === original) return;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(cell.document.uri, new vscode.Range(0, 0, cell.document.lineCount, 0), original);
    assert.ok(await vscode.workspace.applyEdit(edit));
  });

  /** Runs the model cell; returns its one health snapshot after checking it reports dead ReLUs. */
  async function runDeadRelu(): Promise<{ cell: vscode.NotebookCell; health: HealthSnapshot }> {
    const cell = await runCell(doc, modelCell);
    assert.equal(cell.executionSummary?.success, true, outputText(cell));
    const [health, ...more] = healthOutputs(cell);
    assert.ok(health, 'gs.fit showed no gradient-health output');
    assert.equal(more.length, 0, 'one gs.fit call, one health output');
    assert.equal(health.status, 'finished');
    assert.ok(findingCodes(health).includes('dead-relu'), `no dead-relu finding: ${health.findings.map((f) => f.message).join('; ')}`);
    return { cell, health };
  }

  /**
   * Runs the cell, then the lens that applies `fix` (one of the dead-relu finding's own lenses, or with
   * `anyFinding` one of any finding of the run, as a user clicks what is shown above the model),
   * re-runs the cell and checks the dead-relu finding gone.
   */
  async function applyAndRerun(fix: FixId, expectedLayerText: string, anyFinding = false): Promise<void> {
    const { cell, health } = await runDeadRelu();
    const dead = health.findings.find((f) => f.code === 'dead-relu')!;
    const layerLine = cell.document.getText().split('\n').findIndex((l) => l.includes(RELU_LAYER));
    assert.ok(layerLine >= 0);

    const squiggles = await waitFor('the dead-relu squiggle', () => deadReluDiagnostics(cell).length > 0 && deadReluDiagnostics(cell), 10_000);
    assert.deepEqual(squiggles.map((d) => d.range.start.line), [layerLine], 'the squiggle is on the layer\'s line');
    assert.equal(squiggles[0].message, dead.message);
    assert.equal(squiggles[0].severity, vscode.DiagnosticSeverity.Warning);

    const lenses = await codeLenses(cell);
    const onDead = lenses.filter((l) => {
      const a = fixArgs(l);
      return a && health.findings[a.findingIndex]?.code === 'dead-relu';
    });
    assert.ok(onDead.length > 0, `no code lens for the dead-relu finding; lenses: ${lenses.map((l) => l.command?.title).join(' | ')}`);
    const lens = (anyFinding ? lenses : onDead).find((l) => fixArgs(l)?.fix === fix);
    const offered = (anyFinding ? lenses : onDead).map((l) => `${fixArgs(l)?.fix ?? l.command?.command} "${l.command?.title}"`).join(', ');
    assert.ok(lens, `the ${anyFinding ? 'run' : 'dead-relu finding'} offers no ${fix} lens; it offers: ${offered}`);
    assert.ok(lens.range.start.line <= layerLine, 'the lens is above the model definition or on the layer');

    const applied = await vscode.commands.executeCommand<boolean>(lens.command!.command, ...(lens.command!.arguments ?? []));
    assert.equal(applied, true, 'gradscope.applyFix did not apply the edit');
    const edited = cell.document.getText();
    assert.ok(edited.includes(expectedLayerText), `the layer line is not what src/fixes writes:\n${edited}`);
    assert.ok(edited.includes('tf.layers.dense({ units: 1 }),'), 'the output layer is left alone');

    const rerun = await runCell(doc, modelCell);
    assert.equal(rerun.executionSummary?.success, true, outputText(rerun));
    const [after] = healthOutputs(rerun);
    assert.ok(after, 'the re-run showed no gradient-health output');
    assert.equal(after.status, 'finished');
    assert.ok(!findingCodes(after).includes('dead-relu'), `still dead after the fix: ${after.findings.map((f) => f.message).join('; ')}`);
    await waitFor('the dead-relu squiggle to clear', () => deadReluDiagnostics(rerun).length === 0, 10_000);
    const left = (await codeLenses(rerun)).filter((l) => fixArgs(l) && after.findings[fixArgs(l)!.findingIndex]?.code === 'dead-relu');
    assert.deepEqual(left.map((l) => l.command?.title), [], 'no dead-relu lens after the re-run');
  }

  // src/fixes/activationFixes.ts: gradscope's LeCun normal (tfjs's 'leCunNormal' string truncates
  // without rescaling), and an import of gradscope when the cell has none.
  const SELU_LAYER = "tf.layers.dense({ units: 32, activation: 'selu', inputShape: [8], biasInitializer: tf.initializers.constant({ value: -4 }), kernelInitializer: gs.layers.leCunNormal() }),";

  it('the dead-relu finding itself offers "Switch to SELU" (relu → selu + LeCun normal)', async () => {
    await applyAndRerun('activation-selu', SELU_LAYER);
  });

  it('the "Switch → SELU" lens above the model writes selu + LeCun normal and the re-run has no dead ReLUs', async () => {
    // Whichever finding of the run carries the lens: the user clicks what is shown above the model.
    await applyAndRerun('activation-selu', SELU_LAYER, true);
  });

  it('"Switch ReLU → ELU" writes elu and the re-run has no dead ReLUs', async () => {
    await applyAndRerun('activation-elu',
      "tf.layers.dense({ units: 32, activation: 'elu', inputShape: [8], biasInitializer: tf.initializers.constant({ value: -4 }) }),");
  });
});

describe('findings of runs that train through a helper defined in another cell (sample 1)', function () {
  this.timeout(240_000);

  /** Lens titles and gradscope squiggle codes over all code cells of the notebook. */
  async function shown(doc: vscode.NotebookDocument): Promise<{ lenses: string[]; squiggles: string[] }> {
    const cells = doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    const lenses = (await Promise.all(cells.map((c) => codeLenses(c)))).flat().map((l) => l.command?.title ?? '');
    const squiggles = cells.flatMap((c) => vscode.languages.getDiagnostics(c.document.uri)).filter((d) => d.source === 'gradscope').map((d) => codeOf(d) ?? '');
    return { lenses, squiggles };
  }

  it('the sigmoid run keeps its lens and squiggles after another cell trains through the same helper', async () => {
    const doc = await openNotebook('01-vanishing-gradients.tfnb');
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
    for (const snippet of ['tf.randomNormal', 'function deepMlp']) {
      const c = await runCell(doc, cellIndexOf(doc, snippet));
      assert.equal(c.executionSummary?.success, true, outputText(c));
    }
    const sigmoid = await runCell(doc, cellIndexOf(doc, "run('sigmoid'"));
    assert.equal(sigmoid.executionSummary?.success, true, outputText(sigmoid));
    assert.ok(findingCodes(healthOutputs(sigmoid)[0]).includes('vanishing-gradient'));
    let first = await shown(doc);
    for (let i = 0; i < 20 && !first.squiggles.includes('vanishing-gradient'); i++) {
      await new Promise((r) => setTimeout(r, 500));
      first = await shown(doc);
    }
    assert.ok(first.squiggles.includes('vanishing-gradient'), `no vanishing-gradient squiggle after the sigmoid run: ${first.squiggles}`);
    assert.ok(first.lenses.some((t) => t.includes('Switch sigmoid → ReLU')), `no "Switch sigmoid → ReLU" lens: ${first.lenses.join(' | ')}`);

    const relu = await runCell(doc, cellIndexOf(doc, "run('relu'"));
    assert.equal(relu.executionSummary?.success, true, outputText(relu));
    await new Promise((r) => setTimeout(r, 1000));
    const after = await shown(doc);
    assert.ok(after.squiggles.includes('vanishing-gradient') && after.lenses.some((t) => t.includes('Switch sigmoid → ReLU')),
      `the sigmoid cell was not run again, yet its findings are gone after the ReLU cell ran (squiggles: ${after.squiggles.join(', ') || 'none'}; lenses: ${after.lenses.join(' | ') || 'none'})`);
  });
});
