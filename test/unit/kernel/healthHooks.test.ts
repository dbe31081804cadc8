/**
 * The kernel's side of health streaming (src/kernel/hooks.ts), without a kernel process: what the
 * editor receives when gs.fit publishes snapshots as fast as it can. One output, updated in place at
 * most 4 times a second, the latest snapshot never lost, the final one at once; findings reach the
 * extension host when they change and at the end, with the run's cell texts.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
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
  test('a run publishing every 2 ms for 1.5 s: one output, at most 4 updates a second, the final one at once', async () => {
    const { sent, hooks } = setup();
    const t0 = Date.now();
    let step = 0;
    while (Date.now() - t0 < 1500) {
      hooks.publishHealth(snap('r1', ++step));
      await sleep(2);
    }
    hooks.publishHealth(snap('r1', ++step, 'finished'));
    const seconds = (Date.now() - t0) / 1000;
    const outputs = sent.filter((m) => m.type === 'output');
    assert.equal(outputs.length, 1, 'the first snapshot creates the output');
    assert.equal((outputs[0] as Extract<KernelMessage, { type: 'output' }>).displayId, 'health-r1');
    assert.ok(HEALTH_MIME in dataOf(outputs[0]));
    const updates = sent.filter((m) => m.type === 'updateDisplay');
    assert.ok(step > 50, `${step} snapshots published`);
    assert.ok(updates.length >= 4 && updates.length <= Math.ceil(seconds * 4) + 1, `${updates.length} updates in ${seconds.toFixed(2)} s`);
    for (const u of updates) assert.equal((u as Extract<KernelMessage, { type: 'updateDisplay' }>).displayId, 'health-r1');
    // Timers may fire a little late, never early (allow 10 ms of clock granularity).
    for (let i = 1; i < updates.length - 1; i++) assert.ok(updates[i].at - updates[i - 1].at >= 240, `updates ${i - 1}→${i}: ${updates[i].at - updates[i - 1].at} ms apart`);
    const last = updates.at(-1)!;
    assert.equal(stepOf(last), step, 'the final snapshot is the last update');
    assert.equal(sent.at(-1)!.type, 'findings', 'then the final findings report');
    assert.ok(updates.slice(0, -1).every((u, i) => i === 0 || stepOf(u) > stepOf(updates[i - 1])), 'each update is a newer snapshot');
    await sleep(300);
    assert.equal(sent.filter((m) => m.type === 'updateDisplay').length, updates.length, 'nothing after the final snapshot');
  });

  test('a snapshot held back by the rate limit is still shown when training pauses', async () => {
    const { sent, hooks } = setup();
    hooks.publishHealth(snap('r2', 1));
    hooks.publishHealth(snap('r2', 2));
    assert.equal(sent.filter((m) => m.type === 'updateDisplay').length, 0, 'too soon after the first');
    await sleep(400);
    const updates = sent.filter((m) => m.type === 'updateDisplay');
    assert.equal(updates.length, 1);
    assert.equal(stepOf(updates[0]), 2);
  });

  test('findings reach the host when they change and at the end, with the run\'s cell texts', async () => {
    const { sent, hooks } = setup();
    const reports = () => sent.filter((m): m is Sent & Extract<KernelMessage, { type: 'findings' }> => m.type === 'findings');
    hooks.publishHealth(snap('r3', 1));
    assert.equal(reports().length, 0, 'no findings yet: nothing to report');
    await sleep(260);
    hooks.publishHealth(snap('r3', 2, 'training', [finding('dead-relu')]));
    await sleep(260);
    hooks.publishHealth(snap('r3', 3, 'training', [finding('dead-relu')]));
    assert.equal(reports().length, 1, 'reported once while unchanged');
    await sleep(260);
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
