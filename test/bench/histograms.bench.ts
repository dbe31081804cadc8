/**
 * What the histograms over time add to the health monitor's cost, side by side in one run: two
 * copies of a model train turn by turn, step by step (test/bench/interleave.ts), both monitored with a
 * probe at every step (the monitor's cost then is mostly probes, where the histograms are taken), one
 * with `histograms: true` and one with `histograms: false`; which copy takes the histograms alternates
 * between pairs. Goal: histograms add ≤ 1 % to the monitor's own time (the snapshot's `cost.monitorMs`:
 * probes, weight copies, gradient metering, snapshots). Two figures: the histogram run's own account,
 * `cost.histogramMs` (sampling, binning and building the histograms, timed where they run) against the
 * rest of its `monitorMs`; and, as a cross-check, the two arms' `monitorMs` ratio, whose pairs on a
 * shared 2-core machine scatter by tens of percent (Hodges–Lehmann estimate with its 95 % Wilcoxon
 * interval). The account leaves out the extra JSON of the bigger snapshots (published every 400 ms),
 * so the snapshot sizes are printed too. Asserts nothing.
 *
 * Run: node --import tsx test/bench/histograms.bench.ts [--pairs N] [--steps N] [--models mlp,deep,cnn] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ensureBackendPatches } from '../../src/engine/wasm';
import { fit } from '../../src/library';
import type { HealthSnapshot } from '../../src/protocol/health';
import { robustInterval } from './pairedRatio';
import { Interleave } from './interleave';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const pairs = Number(arg('pairs', '8'));
const steps = Number(arg('steps', '96'));
const kinds = arg('models', 'mlp,deep,cnn').split(',') as Kind[];
const backend = arg('backend', 'wasm');
const GOAL = 1.01;
const STEPS_PER_EPOCH = 16;

type Kind = 'mlp' | 'deep' | 'cnn';
interface Case { name: string; batch: number; build(): tf.LayersModel; data(n: number): [tf.Tensor, tf.Tensor] }

const onehot = (n: number, k: number, seed: number) => tf.oneHot(tf.randomUniform([n], 0, k, 'int32', seed), k).toFloat();
function dense(units: number[]): tf.LayersModel {
  let seed = 1;
  const layers = units.map((u, i) => tf.layers.dense({ units: u, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed++ }), ...(i === 0 ? { inputShape: [784] } : {}) }));
  layers.push(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }));
  const m = tf.sequential({ layers });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return m;
}
const CASES: Record<Kind, Case> = {
  mlp: { name: 'MLP 784-256-256-10', batch: 128, build: () => dense([256, 256]), data: (n) => [tf.randomNormal([n, 784], 0, 1, 'float32', 1), onehot(n, 10, 2)] },
  deep: { name: 'deep 784-100x9-10', batch: 128, build: () => dense(Array.from({ length: 9 }, () => 100)), data: (n) => [tf.randomNormal([n, 784], 0, 1, 'float32', 1), onehot(n, 10, 2)] },
  cnn: {
    name: 'CNN 28x28x1 conv16-conv32-dense10', batch: 64,
    build: () => {
      const m = tf.sequential({ layers: [
        tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 2 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ] });
      m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      return m;
    },
    data: (n) => [tf.randomNormal([n, 28, 28, 1], 0, 1, 'float32', 1), onehot(n, 10, 2)],
  },
};

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const fmt = (r: { mean: number; low: number; high: number }) => `${r.mean.toFixed(4)} [95 % ${r.low.toFixed(4)}–${r.high.toFixed(4)}]`;

async function bench(kind: Kind): Promise<void> {
  const c = CASES[kind];
  const [x, y] = c.data(STEPS_PER_EPOCH * c.batch);
  const models = [c.build(), c.build()];
  const run = async (i: 0 | 1, histograms: boolean, turns?: Interleave): Promise<HealthSnapshot | undefined> => {
    let last: HealthSnapshot | undefined;
    const clock = turns ? () => turns.clock(i) : undefined;
    try {
      await fit(models[i], x, y, {
        epochs: Math.ceil(steps / STEPS_PER_EPOCH), batchSize: c.batch,
        diagnostics: { sampleEvery: 1, histograms, onSnapshot: (s) => (last = s), clock },
        callbacks: { onBatchBegin: async () => { if (turns) await turns.turn(i); } },
      });
    } finally {
      turns?.finish(i);
    }
    return last;
  };
  for (const i of [0, 1] as const) { await run(i, true); await run(i, false); } // warm-up
  const monitor: number[] = [];
  const shares: number[] = [];
  const samples: number[] = [];
  const time: number[] = [];
  const bytes: [number[], number[]] = [[], []];
  for (let p = 0; p < pairs; p++) {
    const on = (p % 2) as 0 | 1;
    const turns = new Interleave();
    const [withH, without] = await Promise.all([run(on, true, turns), run((1 - on) as 0 | 1, false, turns)]);
    if (withH?.cost && without?.cost) monitor.push(withH.cost.monitorMs / without.cost.monitorMs);
    const hc = withH?.cost;
    if (hc?.histogramMs !== undefined) shares.push(hc.histogramMs / (hc.monitorMs - hc.histogramMs));
    const w = withH?.layers[0].histograms?.weights;
    if (w) samples.push(w.probes.reduce((a, b) => a + b, 0));
    time.push(turns.spent[on] / turns.spent[1 - on]);
    bytes[0].push(Buffer.byteLength(JSON.stringify(withH)));
    bytes[1].push(Buffer.byteLength(JSON.stringify(without)));
  }
  const m = robustInterval(monitor);
  console.log(`${c.name}, batch ${c.batch}, ${backend}, ${steps} steps, a probe every step, ${pairs} interleaved pairs:`);
  const share = median(shares);
  console.log(`  histograms' own account: +${(100 * share).toFixed(2)} % of the rest of the monitor's time (median of ${shares.length} runs: ${shares.map((q) => (100 * q).toFixed(2)).join(' ')}); goal ≤ ${((GOAL - 1) * 100).toFixed(0)} %: ${share <= GOAL - 1 ? 'met' : 'missed'}`);
  console.log(`  histogram samples per run: ${median(samples)} of ${steps} probes (median)`);
  console.log(`  monitor's own time, histograms / none (paired arms): ${fmt(m)}`);
  console.log(`    pairs: ${monitor.map((q) => q.toFixed(4)).join(' ')}`);
  console.log(`  training time (steps + monitor), histograms / none: ${fmt(robustInterval(time))}`);
  console.log(`  final snapshot: ${(median(bytes[0]) / 1024).toFixed(1)} KiB with histograms, ${(median(bytes[1]) / 1024).toFixed(1)} KiB without`);
  tf.dispose([x, y]);
  for (const model of models) model.dispose();
}

(async () => {
  await tf.setBackend(backend);
  await tf.ready();
  ensureBackendPatches(tf);
  for (const k of kinds) await bench(k);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
