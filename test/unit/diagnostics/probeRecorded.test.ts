/**
 * The probe measures what it measured when every layer computed its net input with its own (fused)
 * ops: probeRecorded.json holds the results that probe gave, on cpu, for the seeded models and
 * batches of probeCases.ts (an MLP, a convolutional net, two stacked SimpleRNNs), with and without
 * weight gradients. Now that Dense, Conv2D and SimpleRNN compute it with the plain ops, the same
 * losses, sensitivities, gradient norms, net-input sizes and saturation statistics come out, to
 * float32 rounding, on cpu and on wasm (with the backend overrides, as the kernel runs it).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ensureBackendPatches } from '../../../src/engine/wasm';
import { probeModel, type ProbeResult } from '../../../src/diagnostics/probe';
import { mse } from './losses';
import { CASES } from './probeCases';

type Recorded = Record<string, Record<'light' | 'weightGrads', Omit<ProbeResult, 'layers'> & { layers: Omit<ProbeResult['layers'][number], 'layer'>[] }>>;
const recorded = JSON.parse(readFileSync(path.join(__dirname, 'probeRecorded.json'), 'utf8')) as Recorded;

/** Relative error below 1e-5 (float32 rounding across backends and op orders is near 1e-7). */
function close(got: number | null | undefined, want: number | null | undefined, at: string): void {
  if (want === null || want === undefined) return assert.equal(got, want, at);
  assert.ok(typeof got === 'number' && Math.abs(got - want) <= 1e-5 * Math.abs(want), `${at}: ${got} vs ${want}`);
}

describe('the probe against its recorded results', () => {
  for (const backend of ['cpu', 'wasm']) {
    test(`an MLP, a convolutional net and stacked SimpleRNNs measure as recorded, with and without weight gradients (${backend})`, async () => {
      await tf.setBackend(backend);
      await tf.ready();
      if (backend === 'wasm') ensureBackendPatches(tf);
      for (const c of CASES) {
        const model = c.build();
        const [x, y] = c.data();
        const tensors = tf.memory().numTensors;
        for (const mode of ['light', 'weightGrads'] as const) {
          const want = recorded[c.name][mode];
          const got = probeModel(model, x, y, mse, { weightGrads: mode === 'weightGrads' });
          const at = `${c.name} ${mode} on ${backend}`;
          close(got.loss, want.loss, `${at}: loss`);
          assert.deepEqual(got.layers.map((l) => l.index), want.layers.map((l) => l.index), at);
          got.layers.forEach((l, i) => {
            const w = want.layers[i];
            const where = `${at}, layer ${l.index}`;
            close(l.sensitivityRms, w.sensitivityRms, `${where}: rms`);
            close(l.sensitivityMax, w.sensitivityMax, `${where}: max`);
            close(l.gradNorm, w.gradNorm, `${where}: gradient norm`);
            assert.equal(l.netInputSize, w.netInputSize, `${where}: net input size`);
            assert.deepEqual(Object.keys(l.saturation ?? {}).sort(), Object.keys(w.saturation ?? {}).sort(), `${where}: saturation fields`);
            assert.equal(l.saturation?.kind, w.saturation?.kind, where);
            for (const k of ['zero', 'dead', 'saturated', 'negative', 'mean', 'std'] as const) {
              const a = l.saturation?.[k];
              const b = w.saturation?.[k];
              assert.ok(a === b || Math.abs(a! - b!) < 1e-6, `${where}: saturation ${k} ${a} vs ${b}`);
            }
          });
        }
        assert.equal(tf.memory().numTensors, tensors, `${c.name} on ${backend}: no tensor leaked`);
        tf.dispose([x, y]);
        model.dispose();
      }
    });
  }
});
