/**
 * gs.fit vs model.fit, time per training step on the same model, data and backend, measured side by
 * side in one process (target: ratio ≤ 1.05). MLP 784-256-256-10, adam, batch 128, on the wasm
 * backend and on cpu. The two runners alternate epoch by epoch (and swap order each repeat) so load
 * from other processes colours them alike; each figure is the median over the repeats of the
 * process CPU time per step, with wall-clock time in parentheses. Prints ratios; asserts nothing.
 *
 * Run: node --import tsx test/bench/fit.bench.ts [--repeats N] [--backends wasm,cpu]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ensureBackendPatches } from '../../src/engine/wasm';
import { fit } from '../../src/training/fit';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const repeats = Number(arg('repeats', '7'));
const backends = arg('backends', 'wasm,cpu').split(',');
const BATCH = 128;

function build(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ units: 256, activation: 'relu', inputShape: [784], kernelInitializer: init(1) }),
      tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function timed(run: () => Promise<unknown>, steps: number): Promise<{ cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000 / steps, wall: wall / steps };
}

async function bench(backend: string): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
  const patches = ensureBackendPatches(tf); // gs.fit calls it too; model.fit gets the same kernels
  const steps = backend === 'cpu' ? 8 : 16;
  const n = steps * BATCH;
  const x = tf.randomNormal([n, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 2), 10).toFloat();
  const a = build();
  const b = build();
  const args = { epochs: 1, batchSize: BATCH };
  const runTf = () => a.fit(x, y, { ...args, verbose: 0 });
  const runGs = () => fit(b, x, y, args);
  await runTf();
  await runGs(); // warm-up: kernels compiled, optimizer slots created
  const tfTimes: { cpu: number; wall: number }[] = [];
  const gsTimes: { cpu: number; wall: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    if (r % 2 === 0) {
      tfTimes.push(await timed(runTf, steps));
      gsTimes.push(await timed(runGs, steps));
    } else {
      gsTimes.push(await timed(runGs, steps));
      tfTimes.push(await timed(runTf, steps));
    }
  }
  const tfCpu = median(tfTimes.map((t) => t.cpu));
  const gsCpu = median(gsTimes.map((t) => t.cpu));
  const tfWall = median(tfTimes.map((t) => t.wall));
  const gsWall = median(gsTimes.map((t) => t.wall));
  const leaks = tf.memory().numTensors;
  console.log(`backend ${backend} (overrides: ${patches.overrides}), ${steps} steps/epoch, ${repeats} repeats`);
  console.log(`  model.fit  ${tfCpu.toFixed(2)} ms/step cpu (${tfWall.toFixed(2)} wall)`);
  console.log(`  gs.fit     ${gsCpu.toFixed(2)} ms/step cpu (${gsWall.toFixed(2)} wall)`);
  console.log(`  ratio gs.fit / model.fit: ${(gsCpu / tfCpu).toFixed(3)} cpu (${(gsWall / tfWall).toFixed(3)} wall)  goal ≤ 1.05`);
  tf.dispose([x, y]);
  a.dispose();
  b.dispose();
  void leaks;
}

(async () => {
  for (const backend of backends) await bench(backend);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
