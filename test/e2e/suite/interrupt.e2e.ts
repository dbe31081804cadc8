/**
 * Interrupts as a user gives them in VS Code (Gradscope: Interrupt Kernel) on the default backend:
 * after interrupting a `tf.tidy` loop and a big `model.predict`, `tf.grad` and `gs.fit` work in the
 * next cell; interrupting a training step of 4 s waits for the step and keeps the kernel and its
 * variables; an interrupted async loop (`await tf.nextFrame()`) stops changing its weights. The
 * workspace holds a copy of ../fixtures/interrupt.tfnb, whose cells run in the order of the tests.
 * The same faults on cpu and wasm, in kernel processes without the editor: test/unit/kernel/interrupt.test.ts.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cellIndexOf, runCell, startCell, waitFor, waitForCell, waitUntilRunning } from './cells';
import { measure } from './measure';
import { CONTROLLER_ID, EXTENSION_ID, openNotebook, outputText } from './notebooks';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('interrupting TensorFlow.js work from VS Code', function () {
  this.timeout(240_000);
  let doc: vscode.NotebookDocument;
  let backend = '';
  const cell = (snippet: string) => cellIndexOf(doc, snippet);

  /**
   * Starts the cell, lets it run `ms` in the kernel (after its output shows `shown`, when given),
   * interrupts it and returns it once it ended.
   */
  async function interruptCell(snippet: string, ms: number, shown?: string): Promise<vscode.NotebookCell> {
    const index = cell(snippet);
    const before = await startCell(doc, index);
    await waitUntilRunning(doc.cellAt(index), before);
    if (shown) await waitFor(`"${shown}" in the output of cell ${index + 1}`, () => outputText(doc.cellAt(index)).includes(shown), 60_000);
    await sleep(ms);
    await vscode.commands.executeCommand('gradscope.interruptKernel');
    const stopped = await waitForCell(doc, index, before, 60_000);
    assert.notEqual(stopped.executionSummary?.success, true, 'an interrupted cell must not show as succeeded');
    return stopped;
  }

  /** Runs the cell that calls tf.grad and gs.fit and checks the engine it reports. */
  async function tfWorks(): Promise<void> {
    const next = await runCell(doc, cell('tf.grad((v: tf.Tensor) => v.square())'));
    assert.equal(next.executionSummary?.success, true, outputText(next));
    const json = /\{.*\}/.exec(outputText(next))?.[0];
    assert.deepEqual(JSON.parse(json ?? 'null'), { scopes: 0, kernelDepth: 0, g: 6, losses: 2, finite: true });
  }

  before(async () => {
    doc = await openNotebook('interrupt.tfnb');
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
    const setup = await runCell(doc, cell('const kernelPid = process.pid'));
    assert.equal(setup.executionSummary?.success, true, outputText(setup));
    backend = /set up on (\w+)/.exec(outputText(setup))?.[1] ?? '?';
  });

  it('a tf.tidy loop stops, says TensorFlow.js was restored, and tf.grad and gs.fit work in the next cell', async function () {
    measure(this.test, `backend: ${backend}`);
    const stopped = await interruptCell('for (;;) tf.tidy', 1500);
    assert.match(outputText(stopped), /variables are kept\. TensorFlow\.js was restored \(.*\) and checked/);
    await tfWorks();
  });

  it('a big model.predict stops, and tf.grad and gs.fit work in the next cell', async () => {
    const stopped = await interruptCell('wide.predict(many)', 1500);
    assert.match(outputText(stopped), /variables are kept/);
    await tfWorks();
  });

  it('a 4 s training step: gs.fit stops after it, the kernel and its variables are kept', async () => {
    const stopped = await interruptCell('await gs.fit(slowModel', 500, 'step 0 started');
    assert.match(outputText(stopped), /gs\.fit stopped after step 0 \(epoch 1\); the weights it trained are kept/);
    assert.doesNotMatch(outputText(stopped), /kernel died/i);
    const state = await runCell(doc, cell('sameKernel: process.pid === kernelPid'));
    assert.equal(state.executionSummary?.success, true, outputText(state));
    assert.deepEqual(JSON.parse(/\{.*\}/.exec(outputText(state))?.[0] ?? 'null'), { sameKernel: true, steps: 1, ranOn: 'undefined' });
    await tfWorks();
  });

  it('an async loop with await tf.nextFrame() stops changing its weights once interrupted', async () => {
    await interruptCell('await tf.nextFrame()', 1000);
    const read = async () => {
      const c = await runCell(doc, cell('w.dataSync()[0]'));
      assert.equal(c.executionSummary?.success, true, outputText(c));
      return Number(outputText(c).trim());
    };
    const a = await read();
    await sleep(1500);
    const b = await read();
    assert.ok(a > 0, `the loop ran before the interrupt (w = ${a})`);
    assert.equal(b, a, 'the weight changed after the interrupt');
    await tfWorks();
  });
});
