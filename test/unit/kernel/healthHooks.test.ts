/**
 * The kernel's side of health streaming (src/kernel/hooks.ts), without a kernel process: what the
 * editor receives when gs.fit publishes snapshots. One output, updated in place with each snapshot (the
 * monitor's publisher is the one throttle: test/unit/diagnostics/publisher.test.ts); findings reach the
 * extension host when they change and at the end, with the run's cell texts.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createKernelHooks } from '../../../src/kernel/hooks';
import { CellRuntime, type RunCell } from '../../../src/kernel/runtime';
import type { LayerSources } from '../../../src/kernel/layerSources';
import type { KernelMessage } from '../../../src/protocol/kernelMessages';
import { HEALTH_MIME, type Finding, type HealthSnapshot, type RunStatus } from '../../../src/protocol/health';

type Sent = KernelMessage & { at: number };

function setup() {
  const sent: Sent[] = [];
  const send = (m: KernelMessage) => sent.push({ ...m, at: Date.now() });
  const runtime = new CellRuntime(send, __dirname);
  runtime.currentId = 7;
  runtime.currentCellUri = 'vscode-notebook-cell:/nb.ipynb#cell2';
  runtime.cells.set('gradscope-cell:/2', { label: 'Cell 2', cellUri: runtime.currentCellUri, source: 'await gs.fit(model, x, y)', compiled: {} } as RunCell);
  const sources = { sourcesOf: () => undefined } as unknown as LayerSources;
  const hooks = createKernelHooks(runtime, sources, send, { name: 'cpu' }, __dirname);
  return { sent, runtime, hooks };
}

const finding = (code: Finding['code']): Finding => ({ code, severity: 'warning', layers: [], message: code, evidence: { step: 0 }, fixes: [] });
const snap = (runId: string, step: number, status: RunStatus = 'training', findings: Finding[] = []) =>
  ({ runId, status, findings, progress: { step } }) as unknown as HealthSnapshot;
const dataOf = (m: Sent): Record<string, unknown> => {
  const o = (m as Extract<KernelMessage, { type: 'updateDisplay' | 'output' }>).output;
  return 'data' in o ? o.data : {};
};
const stepOf = (m: Sent) => (dataOf(m)[HEALTH_MIME] as HealthSnapshot).progress.step;

describe('health snapshots from the kernel to the editor', () => {
  test('each published snapshot updates the one output in place (the monitor throttles), the final one ends the run', async () => {
    const { sent, hooks } = setup();
    for (let step = 1; step <= 5; step++) hooks.publishHealth(snap('r1', step));
    hooks.publishHealth(snap('r1', 6, 'finished'));
    const outputs = sent.filter((m) => m.type === 'output');
    assert.equal(outputs.length, 1, 'the first snapshot creates the output');
    assert.equal((outputs[0] as Extract<KernelMessage, { type: 'output' }>).displayId, 'health-r1');
    assert.ok(HEALTH_MIME in dataOf(outputs[0]));
    const updates = sent.filter((m) => m.type === 'updateDisplay');
    assert.deepEqual(updates.map(stepOf), [2, 3, 4, 5, 6]);
    for (const u of updates) assert.equal((u as Extract<KernelMessage, { type: 'updateDisplay' }>).displayId, 'health-r1');
    assert.equal(sent.at(-1)!.type, 'findings', 'then the final findings report');
  });

  test('a run continued by the next fit call of the same cell updates its output; run by another execution it gets a new one', async () => {
    const { sent, hooks, runtime } = setup();
    hooks.publishHealth(snap('loop', 1));
    hooks.publishHealth(snap('loop', 2, 'finished'));
    hooks.publishHealth(snap('loop', 3));
    hooks.publishHealth(snap('loop', 4, 'finished'));
    assert.equal(sent.filter((m) => m.type === 'output').length, 1, 'one output for the loop');
    assert.deepEqual(sent.filter((m) => m.type === 'updateDisplay').map(stepOf), [2, 3, 4]);
    runtime.currentId = 8;
    hooks.publishHealth(snap('loop', 5));
    const outputs = sent.filter((m) => m.type === 'output');
    assert.equal(outputs.length, 2, 'the next execution shows the run in its own output');
    assert.equal((outputs[1] as Extract<KernelMessage, { type: 'output' }>).id, 8);
  });

  test('findings reach the host when they change and at the end, with the run\'s cell texts', async () => {
    const { sent, hooks } = setup();
    const reports = () => sent.filter((m): m is Sent & Extract<KernelMessage, { type: 'findings' }> => m.type === 'findings');
    hooks.publishHealth(snap('r3', 1));
    assert.equal(reports().length, 0, 'no findings yet: nothing to report');
    hooks.publishHealth(snap('r3', 2, 'training', [finding('dead-relu')]));
    hooks.publishHealth(snap('r3', 3, 'training', [finding('dead-relu')]));
    assert.equal(reports().length, 1, 'reported once while unchanged');
    hooks.publishHealth(snap('r3', 4, 'training', [finding('dead-relu'), finding('plateau')]));
    hooks.publishHealth(snap('r3', 5, 'finished', [finding('dead-relu'), finding('plateau')]));
    const r = reports();
    assert.equal(r.length, 3);
    assert.deepEqual(r.map((m) => m.report.findings.map((f) => f.code)), [['dead-relu'], ['dead-relu', 'plateau'], ['dead-relu', 'plateau']]);
    assert.deepEqual(r.map((m) => m.report.status), ['training', 'training', 'finished']);
    assert.equal(r[0].id, 7);
    assert.equal(r[0].report.runId, 'r3');
    assert.equal(r[0].report.cell, 'vscode-notebook-cell:/nb.ipynb#cell2');
    assert.deepEqual(r[0].report.cellText, { 'vscode-notebook-cell:/nb.ipynb#cell2': 'await gs.fit(model, x, y)' });
  });

  test('a snapshot published when no cell runs is dropped, not sent to a finished cell', () => {
    const { sent, runtime, hooks } = setup();
    runtime.currentId = undefined;
    hooks.publishHealth(snap('r4', 1));
    assert.deepEqual(sent, []);
  });
});
