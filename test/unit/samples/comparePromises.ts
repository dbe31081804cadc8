/**
 * What samples 01–05 promise about their `gs.compare` cell, sentence by sentence, checked against the
 * comparison output the run of the sample wrote (its JSON, what the view draws). Merged into
 * SAMPLE_PROMISES by promises.ts; the same rules: a promise quotes its sentence, expected values come
 * from what the sentence states.
 */
import assert from 'node:assert/strict';
import type { NotebookModel } from '../../../src/notebook/nbformat';
import { COMPARE_MIME, diffOptions, type ComparePayload, type CompareRun } from '../../../src/protocol/runs';

interface Run { text: string; nb: NotebookModel }
interface Promise_ { says: string; check(run: Run): void }

/** The comparison shown by the code cell whose source contains `marker`. */
export function comparisonOf(nb: NotebookModel, marker: string): ComparePayload {
  const cells = nb.cells.filter((c) => c.kind === 'code' && c.source.includes(marker));
  assert.equal(cells.length, 1, `exactly one code cell contains ${JSON.stringify(marker)}`);
  const shown = cells[0].outputs.flatMap((o) => ((o.output_type === 'execute_result' || o.output_type === 'display_data') && COMPARE_MIME in o.data ? [o.data[COMPARE_MIME] as ComparePayload] : []));
  assert.equal(shown.length, 1, `the cell of ${marker} shows one comparison`);
  return shown[0];
}

const labels = (p: ComparePayload) => p.runs.map((r) => r.label);
const codes = (r: CompareRun) => r.findings.map((f) => f.code);
const diffKeys = (p: ComparePayload) => diffOptions(p.runs).map((r) => r.key);
const diffRow = (p: ComparePayload, key: string) => diffOptions(p.runs).find((r) => r.key === key)?.values;
/** Decades between the largest and the smallest finite median of a profile, and output side over first layer. */
function profileSpan(r: CompareRun): { decades: number; fall: number } {
  const v = r.profile.map((p) => p.median).filter((m): m is number => m !== null && m > 0);
  assert.equal(v.length, r.profile.length, `${r.label}: every layer has a profile point`);
  return { decades: Math.log10(Math.max(...v) / Math.min(...v)), fall: Math.log10(v[v.length - 1] / v[0]) };
}

export const COMPARE_PROMISES: Record<string, Promise_[]> = {
  '01': [
    {
      says: '`gs.compare` shows the three runs together, one colour per run: the loss curves overlaid, and the *sensitivity by layer* profiles (the median over each run\'s probes of the RMS of sᵏ, per layer, log scale) on one chart.',
      check: ({ nb }) => {
        const p = comparisonOf(nb, 'gs.compare(');
        assert.deepEqual(labels(p), ['sigmoid', 'relu', 'selu']);
        for (const r of p.runs) {
          assert.equal(r.profile.length, 11, `${r.label}: a profile point for each of the 11 dense layers`);
          assert.ok(r.loss.step.length > 0, `${r.label}: a loss curve`);
        }
      },
    },
    {
      says: 'The sigmoid profile falls by more than three decades from the output layer to the first layer; the ReLU and SELU profiles by less than two.',
      check: ({ nb }) => {
        const [sigmoid, relu, selu] = comparisonOf(nb, 'gs.compare(').runs;
        assert.ok(profileSpan(sigmoid).fall > 3, `sigmoid falls ${profileSpan(sigmoid).fall.toFixed(1)} decades`);
        for (const r of [relu, selu]) assert.ok(profileSpan(r).decades < 2, `${r.label} spans ${profileSpan(r).decades.toFixed(1)} decades`);
      },
    },
    {
      says: 'Under *Findings per run* only the sigmoid run lists `vanishing-gradient`, and the table of options that differ has two rows: the activations and the initializers.',
      check: ({ nb }) => {
        const p = comparisonOf(nb, 'gs.compare(');
        assert.deepEqual(p.runs.map((r) => codes(r).includes('vanishing-gradient')), [true, false, false]);
        assert.deepEqual(diffKeys(p), ['activations', 'initializers']);
      },
    },
  ],
  '02': [
    {
      says: '`gs.compare` shows the diverged run next to the three clipped ones: the unclipped run is marked failed, with the error that stopped it and its `nan-loss` finding, and the table of options that differ lists only the clipping options, each set in one run.',
      check: ({ nb }) => {
        const p = comparisonOf(nb, 'gs.compare(');
        assert.deepEqual(labels(p), ['no clipping', 'clipvalue', 'clipnorm', 'globalClipnorm']);
        const [unclipped, ...clipped] = p.runs;
        assert.equal(unclipped.status, 'failed');
        assert.match(unclipped.error ?? '', /the loss became NaN/);
        assert.ok(codes(unclipped).includes('nan-loss'), codes(unclipped).join(', '));
        for (const r of clipped) assert.equal(r.status, 'finished');
        assert.deepEqual(diffKeys(p), ['clipnorm', 'globalClipnorm', 'clipvalue']);
        assert.deepEqual(diffRow(p, 'clipvalue'), ['none', '1', 'none', 'none']);
        assert.deepEqual(diffRow(p, 'clipnorm'), ['none', 'none', '1', 'none']);
        assert.deepEqual(diffRow(p, 'globalClipnorm'), ['none', 'none', 'none', '1']);
      },
    },
  ],
  '03': [
    {
      says: '`gs.compare` shows the two runs together: only the run without batch normalization lists `vanishing-gradient` under *Findings per run*, and the table of options that differ shows batch norm *no* and *yes*, with the model shapes and parameter counts that the BatchNormalization layers change.',
      check: ({ nb }) => {
        const p = comparisonOf(nb, 'gs.compare(');
        assert.deepEqual(labels(p), ['without batch norm', 'with batch norm']);
        assert.deepEqual(p.runs.map((r) => codes(r).includes('vanishing-gradient')), [true, false]);
        assert.deepEqual(diffRow(p, 'batchNorm'), ['no', 'yes']);
        const keys = diffKeys(p);
        assert.ok(keys.includes('shape') && keys.includes('params'), keys.join(', '));
      },
    },
  ],
  '04': [
    {
      says: '`gs.compare` overlays the four runs\' loss curves; the table of options that differ has the schedule row, with the rates each schedule went through: constant, then power, exponential and plateau (the performance schedule), each from 0.05 down.',
      check: ({ nb }) => {
        const p = comparisonOf(nb, 'gs.compare(');
        assert.deepEqual(labels(p), ['constant', 'power', 'exponential', 'performance']);
        for (const r of p.runs) assert.ok(r.loss.step.length > 0, `${r.label}: a loss curve`);
        const row = diffRow(p, 'schedule');
        assert.ok(row, `a schedule row: ${diffKeys(p).join(', ')}`);
        assert.equal(row[0], 'constant');
        for (const [i, kind] of ['power', 'exponential', 'plateau'].entries()) {
          const m = new RegExp(`^${kind} \\(0\\.05 → ([\\d.e-]+)\\)$`).exec(row[i + 1]);
          assert.ok(m && Number(m[1]) < 0.05, `run ${i + 2}: ${row[i + 1]}`);
        }
      },
    },
  ],
  '05': [
    {
      says: '`gs.compare` overlays the training (solid) and validation (dashed) loss per epoch of the three runs; the table of options that differ shows the epochs (40, 100 and 40) and the dropout (none, none, and 0.3 in each of three layers).',
      check: ({ nb }) => {
        const p = comparisonOf(nb, 'gs.compare(');
        assert.deepEqual(labels(p), ['no regularization', 'early stopping', 'dropout 0.3']);
        for (const r of p.runs) assert.ok(r.epochLoss.step.length > 0 && (r.epochValLoss?.step.length ?? 0) > 0, `${r.label}: per-epoch training and validation loss`);
        assert.deepEqual(diffRow(p, 'epochs'), ['40', '100', '40']);
        assert.deepEqual(diffRow(p, 'dropout'), ['none', 'none', '0.3 ×3']);
      },
    },
  ],
};
