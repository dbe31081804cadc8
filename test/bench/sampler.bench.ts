/**
 * Probes taken and what they cost, side by side: gs.fit with diagnostics at the default sampler
 * against diagnostics off, on an MLP (784-256-256-10), a deep net (784-100×9-10), a CNN (28×28×1,
 * two conv layers) and an RNN (SimpleRNN 32 over 20 steps), wasm backend, Adam. The goal: at least 32
 * probes spread over each run and a time ratio ≤ 1.05 at the default.
 *
 * Method as test/bench/diagnostics.bench.ts: each pair is one run of each arm on two copies of the
 * model, taking turns step by step (test/bench/interleave.ts), the monitor's budget on its run's own
 * clock, the copy that runs the variant alternating between pairs; an 'off' / 'off' arm shows what
 * copies and turn-taking alone give. Printed per model: probes per run (and the largest gap between
 * two), the time ratio (Hodges–Lehmann with its 95 % Wilcoxon interval), and the monitor's own
 * accounts from the snapshot: its budgeted part (probes, weight copies, snapshots) and the per-step
 * gradient-norm metering, each as a share of the steps' own time. Asserts nothing.
 *
 * The two copies are trained again for every pair, each fit call its own run (continueRun: false).
 *
 * Run: node --import tsx test/bench/sampler.bench.ts [--pairs N] [--steps N] [--models mlp,deep,cnn,rnn]
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
const pairs = Number(arg('pairs', '6'));
const steps = Number(arg('steps', '640'));
const kinds = arg('models', 'mlp,deep,cnn,rnn').split(',') as Kind[];
const GOAL = 1.05;
const STEPS_PER_EPOCH = 32;

type Kind = 'mlp' | 'deep' | 'cnn' | 'rnn';
interface Case { name: string; batch: number; build(): tf.LayersModel; data(n: number): [tf.Tensor, tf.Tensor] }

const onehot = (n: number, k: number, seed: number) => tf.oneHot(tf.randomUniform([n], 0, k, 'int32', seed), k).toFloat();
function dense(units: number[], inputShape: number[], act: string): tf.LayersModel {
  let seed = 1;
  const layers = units.map((u, i) => tf.layers.dense({ units: u, activation: (i === units.length - 1 ? 'softmax' : act) as never, kernelInitializer: tf.initializers.heNormal({ seed: seed++ }), ...(i === 0 ? { inputShape } : {}) }));
  return tf.sequential({ layers });
}
const CASES: Record<Kind, Case> = {
  mlp: { name: 'MLP 784-256-256-10, batch 128', batch: 128, build: () => dense([256, 256, 10], [784], 'relu'), data: (n) => [tf.randomNormal([n, 784], 0, 1, 'float32', 1), onehot(n, 10, 2)] },
  deep: { name: 'deep 784-100x9-10, batch 128', batch: 128, build: () => dense([...Array(9).fill(100), 10], [784], 'relu'), data: (n) => [tf.randomNormal([n, 784], 0, 1, 'float32', 1), onehot(n, 10, 2)] },
  cnn: {
    name: 'CNN 28x28x1 conv8-pool-conv16-pool-dense10, batch 64', batch: 64,
    build: () => tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 2 }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ] }),
    data: (n) => [tf.randomNormal([n, 28, 28, 1], 0, 1, 'float32', 1), onehot(n, 10, 2)],
  },
  rnn: {
    name: 'RNN SimpleRNN(32) over 20x8 -> dense 1, batch 64', batch: 64,
    build: () => tf.sequential({ layers: [
      tf.layers.simpleRNN({ units: 32, inputShape: [20, 8], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ] }),
    data: (n) => [tf.randomNormal([n, 20, 8], 0, 1, 'float32', 1), tf.randomNormal([n, 1], 0, 1, 'float32', 2)],
  },
};

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const pct = (v: number) => `${(100 * v).toFixed(2)} %`;

async function bench(kind: Kind): Promise<void> {
  const c = CASES[kind];
  const [x, y] = c.data(STEPS_PER_EPOCH * c.batch);
  const loss = kind === 'rnn' ? 'meanSquaredError' : 'categoricalCrossentropy';
  const models = [c.build(), c.build()];
  for (const m of models) m.compile({ optimizer: tf.train.adam(1e-3), loss });
  const run = async (i: 0 | 1, on: boolean, turns?: Interleave, runSteps = steps): Promise<HealthSnapshot | undefined> => {
    let last: HealthSnapshot | undefined;
    const clock = turns ? () => turns.clock(i) : undefined;
    try {
      await fit(models[i], x, y, {
        epochs: Math.ceil(runSteps / STEPS_PER_EPOCH), batchSize: c.batch,
        diagnostics: on ? { onSnapshot: (s: HealthSnapshot) => (last = s), clock, continueRun: false } : false,
        callbacks: { onBatchBegin: async () => { if (turns) await turns.turn(i); } },
      });
    } finally {
      turns?.finish(i);
    }
    return last;
  };
  for (const on of [false, true]) for (const i of [0, 1] as const) await run(i, on, undefined, 2 * STEPS_PER_EPOCH); // warm-up
  console.log(`${c.name}, ${steps} steps per run`);
  for (const arm of ['off', 'default'] as const) {
    const ratios: number[] = [];
    const probes: number[] = [];
    const gaps: number[] = [];
    const budgeted: number[] = [];
    const metering: number[] = [];
    for (let p = 0; p < pairs; p++) {
      const on = (p % 2) as 0 | 1;
      const turns = new Interleave();
      const [s] = await Promise.all([run(on, arm === 'default', turns), run((1 - on) as 0 | 1, false, turns)]);
      ratios.push(turns.spent[on] / turns.spent[1 - on]);
      if (s) {
        const at = s.layers[0].sensitivityRms.step;
        probes.push(s.cost?.probes ?? at.length);
        gaps.push(Math.max(...at.slice(1).map((v, i) => v - at[i])));
        if (s.cost) {
          budgeted.push((s.cost.monitorMs - (s.cost.meterMs ?? 0)) / s.cost.trainMs);
          metering.push((s.cost.meterMs ?? 0) / s.cost.trainMs);
        }
      }
    }
    const r = robustInterval(ratios);
    const head = arm === 'off' ? 'off / off' : `default / off: ${median(probes)} probes per run (largest gap ${median(gaps)} steps)`;
    console.log(`  ${head}, ${pairs} pairs`);
    console.log(`    time ${r.mean.toFixed(3)} [95 % ${r.low.toFixed(3)}–${r.high.toFixed(3)}]; pairs ${ratios.map((q) => q.toFixed(3)).join(' ')}`);
    if (budgeted.length) console.log(`    monitor's accounts: probes and snapshots ${pct(median(budgeted))}, per-step metering ${pct(median(metering))} of the steps' time`);
    if (arm === 'default') console.log(`    goal ≥ 32 probes and ≤ ${GOAL}: ${median(probes) >= 32 && r.high <= GOAL ? 'met' : r.mean <= GOAL && median(probes) >= 32 ? 'not shown (interval crosses it)' : 'missed'}`);
  }
  tf.dispose([x, y]);
  for (const m of models) m.dispose();
}

(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const patches = ensureBackendPatches(tf);
  console.log(`backend wasm, overrides ${patches.overrides}`);
  for (const k of kinds) await bench(k);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
