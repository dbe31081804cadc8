/**
 * Cost of the gradient-health diagnostics: gs.fit with diagnostics off, on at the default
 * (adaptive) sampling, and probing every step, measured side by side in one process. Goals: default
 * vs off ≤ 1.05, every step vs off ≤ 1.5, on the MLP 784-256-256-10 and on a 10-layer deep net
 * (784-100×9-10), batch 128, Adam.
 *
 * Each measurement is a pair of gs.fit runs of `--steps` steps, the variant and 'off', on two copies
 * of one model (same seeds, each run continues its copy's training), run turn by turn, `--turn-steps`
 * steps at a time (default 1; test/bench/interleave.ts). On this VM the speed of the same training
 * drifts by up to 60 % for seconds at a time (measured: the median step of identical 'off' runs moves
 * between 11 and 18 ms; run one after the other, pairs of runs differed by ±40 %, and two processes
 * run at once did not drift together either), while steps milliseconds apart see the same machine.
 * Switching models every step did not make the 'off' steps slower here (13.0 ms against 13.2 run
 * after run), and single-step turns gave the tightest pairs (MLP: within 1.02–1.05, against 0.99–1.09
 * with turns of 8).
 *
 * A run's time is the time it held the turn: its steps, its observers (the monitor publishes
 * snapshots at its kernel cadence, so building them is counted), its epoch ends, its last probe and
 * final snapshot. The monitor's budget and publishing cadence run on the run's own clock
 * (Interleave.clock), which stands still while the other run has the turn, so it probes and publishes
 * as often as when training alone. Which copy runs the variant alternates between pairs: the copies
 * need not run at the same speed (the deep net's pairs alternated between ~1.00 and ~1.05), and
 * alternating cancels that; an 'off' / 'off' arm shows what copies and turn-taking alone give. Every
 * step starts on caches the other model's step left cold, so a probe's effect on the step after it
 * (which a run alone would see) is not charged; `--turn-steps 8` leaves 7 of 8 steps warm, as a check.
 *
 * The figure is the Hodges–Lehmann estimate of the pairs' time ratios with its 95 % Wilcoxon
 * signed-rank interval, both on the log ratios (the geometric mean with a t interval beside it); a
 * goal counts as met when the interval's upper end is within it. The monitor's own account (its time
 * against the steps' own, from the snapshots' `cost`) is printed too. Asserts nothing.
 *
 * Run: node --import tsx test/bench/diagnostics.bench.ts [--pairs N] [--steps N] [--turn-steps K] [--backends wasm,cpu]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ensureBackendPatches } from '../../src/engine/wasm';
import { fit } from '../../src/library';
import type { HealthSnapshot } from '../../src/protocol/health';
import { interval, robustInterval } from './pairedRatio';
import { Interleave } from './interleave';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const pairsArg = Number(arg('pairs', '0'));
const turnSteps = Number(arg('turn-steps', '1'));
const stepsArg = Number(arg('steps', '0'));
const backends = arg('backends', 'wasm').split(',');
const BATCH = 128;
const STEPS_PER_EPOCH = 16;

type Variant = 'off' | 'default' | 'every step';
const GOAL: Record<Exclude<Variant, 'off'>, number> = { default: 1.05, 'every step': 1.5 };

function build(kind: 'mlp' | 'deep'): tf.LayersModel {
  let seed = 1;
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  const hidden = kind === 'mlp' ? [256, 256] : Array.from({ length: 9 }, () => 100);
  const layers = hidden.map((units, i) => tf.layers.dense({ units, activation: 'relu', kernelInitializer: init(), ...(i === 0 ? { inputShape: [784] } : {}) }));
  layers.push(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }));
  const m = tf.sequential({ layers });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function bench(backend: string, kind: 'mlp' | 'deep'): Promise<void> {
  const steps = stepsArg || (backend === 'cpu' ? 32 : 128);
  const pairs = pairsArg || (backend === 'cpu' ? 4 : 12);
  const n = STEPS_PER_EPOCH * BATCH;
  const x = tf.randomNormal([n, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 2), 10).toFloat();
  const models = [build(kind), build(kind)];
  /** One run of `v` on models[i], taking turns through `turns` when given. */
  const run = async (i: 0 | 1, v: Variant, turns?: Interleave): Promise<HealthSnapshot | undefined> => {
    let last: HealthSnapshot | undefined;
    let k = 0;
    // The monitor's budget and publishing cadence run on this run's own time, as when it trains alone.
    const clock = turns ? () => turns.clock(i) : undefined;
    try {
      await fit(models[i], x, y, {
        epochs: Math.ceil(steps / STEPS_PER_EPOCH), batchSize: BATCH,
        diagnostics: v === 'off' ? false : { sampleEvery: v === 'default' ? 0 : 1, onSnapshot: (s) => (last = s), clock, continueRun: false },
        callbacks: { onBatchBegin: async () => { if (turns && k++ % turnSteps === 0) await turns.turn(i); } },
      });
    } finally {
      turns?.finish(i); // else the other run would wait for its turn forever
    }
    return last;
  };
  for (const v of ['off', 'default', 'every step'] as const) for (const i of [0, 1] as const) await run(i, v); // warm-up: kernels, optimizer slots
  console.log(`${kind === 'mlp' ? 'MLP 784-256-256-10' : 'deep 784-100x9-10'}, batch ${BATCH}, backend ${backend}, ${steps} steps per run`);
  // 'off' against 'off' first: how far apart the two copies and the turn-taking alone put a pair.
  for (const v of ['off', 'default', 'every step'] as const) {
    const count = v === 'default' ? pairs : Math.max(4, Math.ceil(pairs / 2));
    const ratios: number[] = [];
    const offMs: number[] = [];
    const shares: number[] = [];
    const probes: number[] = [];
    for (let p = 0; p < count; p++) {
      const on = (p % 2) as 0 | 1;
      const turns = new Interleave();
      const [snapshot] = await Promise.all([run(on, v, turns), run((1 - on) as 0 | 1, 'off', turns)]);
      ratios.push(turns.spent[on] / turns.spent[1 - on]);
      offMs.push(turns.spent[1 - on] / steps);
      const c = snapshot?.cost;
      if (c) shares.push(c.monitorMs / c.trainMs);
      if (snapshot) probes.push(snapshot.layers[0].sensitivityRms.step.length);
    }
    const r = robustInterval(ratios);
    const g = interval(ratios);
    const goal = v === 'off' ? undefined : GOAL[v];
    const verdict = goal === undefined ? '' : r.high <= goal ? 'met' : r.mean <= goal ? 'not shown (interval crosses it)' : 'missed';
    console.log(`  ${v.padEnd(10)} / off, ${count} interleaved pairs (off ${median(offMs).toFixed(2)} ms/step, ${probes.length ? median(probes) : 'no'} probes per run):`);
    console.log(`    time ${r.mean.toFixed(3)} [95 % ${r.low.toFixed(3)}–${r.high.toFixed(3)}] (Hodges–Lehmann, Wilcoxon interval)`);
    console.log(`    geometric mean ${g.mean.toFixed(3)} [${g.low.toFixed(3)}–${g.high.toFixed(3)}] (t interval)`);
    console.log(`    pairs: ${ratios.map((q) => q.toFixed(3)).join(' ')}`);
    if (shares.length) console.log(`    monitor's own account: ${(100 * median(shares)).toFixed(2)} % of the steps' time (median of runs)`);
    if (goal !== undefined) console.log(`    goal ≤ ${goal}: ${verdict}`);
  }
  tf.dispose([x, y]);
  for (const m of models) m.dispose();
}

(async () => {
  for (const backend of backends) {
    await tf.setBackend(backend);
    await tf.ready();
    const patches = ensureBackendPatches(tf);
    console.log(`backend ${backend}, overrides ${patches.overrides}`);
    for (const kind of ['mlp', 'deep'] as const) await bench(backend, kind);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
