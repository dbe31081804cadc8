/**
 * gs.exportSeries: CSV and JSON of a gs.fit history (full resolution) and of a monitor's snapshot
 * (with the per-layer series), read back with a plain CSV parser and JSON.parse and compared with the
 * run; format from the file's extension; bad options and paths refused with a message.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { exportSeries, fit } from '../../../src/library';
import { healthMonitor } from '../../../src/diagnostics';
import { seriesToCSV } from '../../../src/diagnostics/export/series';
import type { FitHistory } from '../../../src/training/history';

before(async () => {
  await tf.setBackend('cpu');
});

/** Splits CSV text into rows of fields (quoted fields with "" escapes, as RFC 4180). */
function parseCSV(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  return rows;
}

let history: FitHistory;
const monitor = healthMonitor({ sampleEvery: 2 });

before(async () => {
  const x = tf.randomNormal([96, 4], 0, 1, 'float32', 1);
  const y = tf.randomNormal([96, 1], 0, 1, 'float32', 2);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4], name: 'hidden' }), tf.layers.dense({ units: 1 })] });
  history = await fit(model, x, y, { optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', epochs: 3, batchSize: 16, validationSplit: 0.25, observers: [monitor] });
});

describe('gs.exportSeries', () => {
  test('CSV of a history: every step\'s loss and rate, the epoch logs, written where asked', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gs-ex-')), 'out', 'run1.csv');
    const text = await exportSeries(history, { path });
    assert.equal(readFileSync(path, 'utf8'), text);
    const [head, ...rows] = parseCSV(text);
    assert.deepEqual(head, ['series', 'layer', 'axis', 'step', 'value', 'min', 'max']);
    const loss = rows.filter((r) => r[0] === 'loss');
    assert.deepEqual(loss.map((r) => Number(r[3])), history.batchLoss.map((_, i) => i));
    assert.deepEqual(loss.map((r) => Number(r[4])), history.batchLoss);
    assert.deepEqual(rows.filter((r) => r[0] === 'lr').map((r) => Number(r[4])), history.lr);
    const val = rows.filter((r) => r[0] === 'epoch/val_loss');
    assert.deepEqual(val.map((r) => [r[2], Number(r[3]), Number(r[4])]), history.history.val_loss.map((v, i) => ['epoch', i + 1, v]));
  });

  test('JSON of a monitor: the snapshot\'s series, per-layer ones with their layer', async () => {
    const text = await exportSeries(monitor, { format: 'json' });
    const j = JSON.parse(text) as { version: number; source: string; runId: string; series: { name: string; layer?: string; step: number[]; value: (number | null)[] }[] };
    const snap = monitor.snapshot();
    assert.equal(j.version, 1);
    assert.equal(j.source, 'snapshot');
    assert.equal(j.runId, snap.runId);
    const sens = j.series.find((s) => s.name === 'sensitivityRms' && s.layer === 'hidden')!;
    assert.deepEqual(sens.step, snap.layers[0].sensitivityRms.step);
    assert.deepEqual(sens.value, snap.layers[0].sensitivityRms.value);
    const csv = parseCSV(await exportSeries(snap));
    const rows = csv.filter((r) => r[0] === 'sensitivityRms' && r[1] === 'hidden');
    assert.equal(rows.length, sens.step.length);
    // Names with commas, quotes or line breaks are quoted (RFC 4180); non-finite values read NaN.
    const odd = parseCSV(seriesToCSV([{ name: 'metrics/a,"b"', layer: 'x\ny', axis: 'step', step: [0, 1], value: [1.5, null] }]));
    assert.deepEqual(odd.slice(1), [['metrics/a,"b"', 'x\ny', 'step', '0', '1.5', '', ''], ['metrics/a,"b"', 'x\ny', 'step', '1', 'NaN', '', '']]);
  });

  test('bad options and paths are refused with a message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gs-ex-'));
    await assert.rejects(exportSeries(history, { path: join(dir, 'run.txt') }), /cannot tell the format from .*run\.txt.*\.csv or \.json/);
    await assert.rejects(exportSeries(history, { path: join(dir, 'run.csv'), format: 'json' }), /`format: 'json'` does not match the file/);
    await assert.rejects(exportSeries(history, { format: 'xml' as never }), /`format` must be 'csv' or 'json'/);
    await assert.rejects(exportSeries(history, { file: 'x.csv' } as never), /unknown option `file`/);
    await assert.rejects(exportSeries({} as never), /the run must be what gs\.fit returned/);
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, '');
    await assert.rejects(exportSeries(history, { path: join(blocker, 'run.csv') }), /cannot write '.*blocker\/run\.csv'/);
  });
});
